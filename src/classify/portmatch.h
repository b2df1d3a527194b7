/* portmatch.h: (L4 protocol, port) -> every rule that covers it.
 *
 * Built once from a ruleset.  Exact ports go through a direct index (one
 * slot per port and protocol); ranges through elementary intervals that a
 * binary search finds, so a lookup costs O(1) for exact rules and
 * O(log ranges) for ranges, whatever the number of rules.
 */
#ifndef LW_PORTMATCH_H
#define LW_PORTMATCH_H

#include <stdint.h>

#include "classify/rules.h"

struct portmatch;

/* Rule indexes into the ruleset, each list in rule-file order. */
struct pm_result {
	const uint32_t *exact;
	uint32_t nexact;
	const uint32_t *range;
	uint32_t nrange;
};

/* Returns NULL when out of memory. */
struct portmatch *portmatch_build(const struct ruleset *rs);
void portmatch_free(struct portmatch *pm);

/* l4 is L4_TCP or L4_UDP (pkt.h); other values give an empty result. */
void portmatch_lookup(const struct portmatch *pm, uint8_t l4, uint16_t port,
		      struct pm_result *out);

#endif
