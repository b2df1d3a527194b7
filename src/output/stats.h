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

struct stats {
	uint64_t pkts, bytes;              /* read from the input */
	uint64_t decode[DECODE_NSTATUS];
	uint64_t flows;
	uint64_t verdict[VERDICT_N];       /* flows by verdict */
	uint64_t unlabelled_flows, unlabelled_pkts, unlabelled_bytes;
	uint64_t first_us, last_us;        /* packet times seen */
	uint64_t evicted;
	uint64_t nomem;                    /* packets not tracked: out of memory */
	int files;
	double wall_start, wall_end;       /* seconds, monotonic clock */
	struct stats_group *groups;
	int ngroups;
	int *rule_group;                   /* group of each rule */
	int nrules;
	uint32_t *seen;                    /* scratch: groups counted per flow */
	uint32_t seen_gen;
	struct viol_group *viol;           /* open addressing, STATS_MAX_VIOL_GROUPS */
	struct viol_group **viol_sorted;   /* from stats_violations() */
	uint32_t nviol;
	uint64_t viol_dropped;             /* violations of groups not kept */
	uint64_t flag_flows[FLAG_N];       /* flows by flag */
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

/* Adds src's counters into dst; both were bound to the same rulesets in
 * the same order (workers), so groups match index by index. */
void stats_merge(struct stats *dst, const struct stats *src);

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
