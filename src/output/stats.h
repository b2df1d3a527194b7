/* stats.h: counters for the summary: input, decode outcomes, flows by
 * verdict, and traffic by (table, role, service). */
#ifndef LW_STATS_H
#define LW_STATS_H

#include <stdint.h>

#include "audit/audit.h"
#include "capture/decode.h"
#include "flow/flow.h"
#include "classify/rules.h"

/* Rules with the same table, role text and service text share a group. */
struct stats_group {
	/* A rule of the group (for its texts): of the ruleset bound last, or
	 * `own`, a copy the group keeps once no rule of it is left. */
	const struct rule *rule;
	struct rule *own;
	uint64_t flows, pkts, bytes;
};

/* Violations grouped by (flag, server, port, L4). */
struct viol_group {
	uint8_t used, flag, l4, ipver;
	uint8_t addr[16];            /* server address, network order */
	uint16_t port;               /* server port */
	uint64_t flows, pkts;
	uint64_t first_us, last_us;  /* packet times */
};

#define STATS_MAX_VIOL_GROUPS 65536 /* further groups are counted, not kept */

/* The counters of struct stats that merge by adding: the one list that
 * declares them (X: a counter, A: an array of k counters) and that
 * stats_merge sums.  A counter added here is merged with no other edit. */
#define STATS_SUMS(X, A) \
	X(pkts)              /* packets read from the input */ \
	X(bytes)             /* their wire bytes */ \
	A(decode, DECODE_NSTATUS) /* packets by decode outcome */ \
	X(flows)             /* flows ended */ \
	X(flow_pkts)         /* their packets and bytes, each flow once */ \
	X(flow_bytes) \
	A(verdict, VERDICT_N) /* flows by verdict */ \
	A(verdict_by, VERDICT_N * EV_N) /* ... and evidence source: \
				   [verdict * EV_N + enum ev_by] */ \
	A(flag_flows, FLAG_N) /* flows by flag */ \
	X(unlabelled_flows)  /* flows no rule labels, their packets, bytes */ \
	X(unlabelled_pkts) \
	X(unlabelled_bytes) \
	X(port_only_flows)   /* labelled by the port alone, not judged (a \
				shared port or the catch-all rows): not \
				counted as Lync traffic; pkts, bytes */ \
	X(port_only_pkts) \
	X(port_only_bytes) \
	X(evicted)           /* flows pushed out by max_flows */ \
	X(nomem)             /* packets not tracked: out of memory */ \
	X(media_limited)     /* packets not measured as media: the engine's \
				MEDIA_MAX_FLOWS blocks were in use */ \
	X(input_errors)      /* inputs not opened or not read to their end */ \
	X(viol_dropped)      /* violations of groups not kept */

#define STATS_DECLARE(name) uint64_t name;
#define STATS_DECLARE_ARRAY(name, k) uint64_t name[k];

struct stats {
	STATS_SUMS(STATS_DECLARE, STATS_DECLARE_ARRAY)
	uint64_t first_us, last_us;        /* packet times seen */
	int files;
	double wall_start, wall_end;       /* seconds, monotonic clock */
	struct stats_group *groups;
	int ngroups;
	int *rule_group;                   /* group of each rule */
	int nrules;
	uint32_t *seen;                    /* scratch: groups counted per flow */
	uint32_t seen_gen;
	struct viol_group *viol;           /* open addressing, STATS_MAX_VIOL_GROUPS */
	uint32_t *viol_at;                 /* the slots in use, nviol of them (a
					    * walk of the whole table faults in
					    * its 3.5 MB) */
	struct viol_group **viol_sorted;   /* from stats_violations() */
	uint32_t nviol;
};

/* Returns 0, or -1 when out of memory. */
int stats_init(struct stats *s, const struct ruleset *rs);
void stats_free(struct stats *s);

/* Counts one packet read and its decode outcome. */
static inline void stats_packet(struct stats *s, uint32_t wire_len,
				uint64_t ts_us, enum decode_status st)
{
	s->pkts++;
	s->bytes += wire_len;
	s->decode[st]++;
	if (s->first_us == 0 || ts_us < s->first_us)
		s->first_us = ts_us;
	if (ts_us > s->last_us)
		s->last_us = ts_us;
}

/* Maps the rules of another ruleset onto the groups (SIGHUP): a rule with
 * the texts of an existing group counts there, others open new groups.
 * Afterwards no group points into an older ruleset (a group that rs does
 * not have keeps a copy of its texts), so that one can be freed.  Returns
 * 0, or -1 when out of memory (the groups are then unchanged, apart from
 * the copies made). */
int stats_rebind(struct stats *s, const struct ruleset *rs);

/* Adds src's counters into dst: the STATS_SUMS, the traffic groups by
 * their key (table, role, service: a group dst lacks is added) and the
 * violation groups by theirs.  Returns 0, or -1 when out of memory (the
 * groups that found no room are left out). */
int stats_merge(struct stats *dst, const struct stats *src);

/* Counts one ended flow under each group its labels name (once each),
 * and under its verdict and flags. */
void stats_flow(struct stats *s, const struct flow *f,
		const uint32_t *labels, int n, const struct audit_result *ar);

/* The violation groups in a stable order (by flag, then server address,
 * then port); *n is set to their number.  The array is owned by s. */
const struct viol_group *const *stats_violations(struct stats *s, uint32_t *n);

/* Seconds since an arbitrary point, monotonic. */
double stats_now(void);

#endif
