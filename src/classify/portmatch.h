/* portmatch.h: (L4 protocol, port) -> every rule that covers it.
 *
 * Built once from a ruleset.  Exact ports go through a direct index (one
 * slot per port and protocol); ranges through elementary intervals that a
 * binary search finds, so a lookup costs O(1) for exact rules and
 * O(log ranges) for ranges, whatever the number of rules.
 *
 * Memory: a rule is listed once per port it names exactly and once per
 * segment (a stretch of ports between two range bounds of any rule) that
 * one of its ranges covers, 4 bytes each, per protocol.  There are at most
 * 65,536 segments, so one rule costs at most 2 x 65,540 entries (512 KiB);
 * the total over all rules is capped at PORTMATCH_MAX_ENTRIES (64 MiB),
 * beyond which the build fails naming the rule that crossed the cap.  On
 * top of the lists: 512 KiB of port offsets, and 8 bytes per range bound.
 */
#ifndef LW_PORTMATCH_H
#define LW_PORTMATCH_H

#include <stdint.h>
#include <stdio.h>

#include "classify/rules.h"

/* List entries (4 bytes each) over both protocols, at most. */
#define PORTMATCH_MAX_ENTRIES (1u << 24)

struct portmatch;

/* Rule indexes into the ruleset, each list in rule-file order. */
struct pm_result {
	const uint32_t *exact;
	uint32_t nexact;
	const uint32_t *range;
	uint32_t nrange;
};

/* Builds the matcher of rs.  Returns NULL when out of memory or when rs
 * needs more than PORTMATCH_MAX_ENTRIES: the reason is then written to
 * errs (when not NULL) as "path:line: message", naming the rule whose
 * entries crossed the cap.  Time and memory O(rules + entries). */
struct portmatch *portmatch_build(const struct ruleset *rs, FILE *errs);

/* The same with another cap (tests, fuzzing): at most max_entries. */
struct portmatch *portmatch_build_max(const struct ruleset *rs,
				      uint32_t max_entries, FILE *errs);

/* List entries the matcher holds, over both protocols. */
uint64_t portmatch_entries(const struct portmatch *pm);

/* Bytes the matcher holds (its lists, offsets and segments). */
size_t portmatch_bytes(const struct portmatch *pm);
void portmatch_free(struct portmatch *pm);

/* l4 is L4_TCP or L4_UDP (pkt.h); other values give an empty result. */
void portmatch_lookup(const struct portmatch *pm, uint8_t l4, uint16_t port,
		      struct pm_result *out);

#endif
