/* learn.h: --learn-inventory: an inventory file from the ports hosts served.
 *
 * For every ended flow the learner counts one flow on (server address,
 * L4 protocol, server port), if the server side answered: it sent a packet
 * and, for TCP, either a SYN-ACK or (a flow picked up mid-stream, no SYN
 * from the client) no RST.  At the end it writes an inventory file that
 * gives each host every role (in ruleset order) whose `learn` ports it all
 * served and none of whose `learn-unless` ports it served, each host after
 * a comment with its evidence; hosts that match no role appear only as
 * comments.  Hosts are written sorted by address (IPv4 first), so the
 * output does not depend on the hash seed.  The file loads back with
 * inventory_load_file().
 *
 * Memory is bounded.  Per host, at most LEARN_MAX_PORTS ports are kept:
 * ports named by any role's learn or learn-unless list ("signature ports")
 * are never evicted; when the list is full, a new port replaces the entry
 * with the fewest flows among the others (a host that served more than
 * LEARN_MAX_PORTS signature ports loses the later ones).  At most
 * max_hosts hosts are kept: when full, an eighth of them is pruned at
 * once, hosts that served no signature port first, then those with the
 * fewest flows, oldest first (a selection, so O(1) per new host,
 * amortised).  Everything evicted is counted.
 */
#ifndef LW_LEARN_H
#define LW_LEARN_H

#include <stdint.h>
#include <stdio.h>

#include "flow/flow.h"
#include "classify/rules.h"

#define LEARN_MAX_HOSTS 65536  /* default for max_hosts */
#define LEARN_HOSTS_LIMIT (1u << 24) /* a larger max_hosts is cut to this */
#define LEARN_MAX_PORTS 32     /* ports kept per host */

struct learn_stats {
	uint64_t flows;            /* flows counted */
	uint64_t flows_unanswered; /* the server never answered: not counted */
	uint64_t flows_dropped;    /* out of memory for a new host */
	uint64_t ports_evicted;    /* per-host port entries replaced */
	uint64_t hosts_pruned;     /* hosts removed to make room */
	uint32_t hosts;            /* hosts now kept */
};

struct learner;

/*
 * A learner over rs (complete; it must outlive the learner).  max_hosts 0
 * means LEARN_MAX_HOSTS; seed keys the address hash.  Returns NULL when out
 * of memory.
 */
struct learner *learn_new(const struct ruleset *rs, uint32_t max_hosts,
			  uint64_t seed);
void learn_free(struct learner *l);

/* Counts flow f (call it for every flow as it ends). */
void learn_flow(struct learner *l, const struct flow *f);

void learn_get_stats(const struct learner *l, struct learn_stats *out);

/* Writes the inventory file; returns 0, or -1 when a write failed (or out
 * of memory, with errno ENOMEM). */
int learn_write(const struct learner *l, FILE *out);

#endif
