/* portmatch.c: exact ports by direct index, ranges by elementary intervals.
 *
 * Per L4 protocol:
 *  - exact: exact_off[port] .. exact_off[port + 1] index exact_list, the
 *    rules naming that single port (65,537 offsets: O(1) lookup);
 *  - ranges: the range bounds cut 0..65535 into segments within which the
 *    covering set does not change; seg_lo[] is sorted, a binary search finds
 *    a port's segment and seg_off[] its list in seg_list (O(log segments)).
 * Every list keeps rule-file order and names a rule at most once, and a
 * rule is in one of the two lists of a port, never both.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "capture/pkt.h"
#include "classify/portmatch.h"

#define NPORT 65536

struct pm_proto {
	uint32_t *exact_off;  /* NPORT + 1 offsets into exact_list */
	uint32_t *exact_list;
	uint32_t nseg;
	uint32_t *seg_lo;     /* first port of each segment, ascending */
	uint32_t *seg_off;    /* nseg + 1 offsets into seg_list */
	uint32_t *seg_list;
};

struct portmatch {
	struct pm_proto proto[2]; /* 0: TCP, 1: UDP */
};

static const unsigned proto_bit[2] = { RULE_L4_TCP, RULE_L4_UDP };

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

/* Index of the segment holding port: the last seg_lo <= port. */
static uint32_t seg_find(const struct pm_proto *pp, uint32_t port)
{
	uint32_t lo = 0, hi = pp->nseg; /* seg_lo[0] == 0 always */

	while (hi - lo > 1) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (pp->seg_lo[mid] <= port)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

/* A two-pass list: the counting pass (list == NULL) adds to off[slot + 1],
 * the filling pass stores at fill[slot].  last[slot] is the rule added last,
 * so a rule whose port items overlap is listed once. */
struct slots {
	uint32_t *off, *fill, *list, *last;
};

static void slot_add(struct slots *sl, uint32_t slot, uint32_t r)
{
	if (sl->last[slot] == r)
		return;
	sl->last[slot] = r;
	if (sl->list == NULL)
		sl->off[slot + 1]++;
	else
		sl->list[sl->fill[slot]++] = r;
}

/* True when a range item (not a single port) of r covers port. */
static bool range_covers(const struct rule *r, uint32_t port)
{
	for (int k = 0; k < r->nports; k++)
		if (r->ports[k].lo != r->ports[k].hi &&
		    port >= r->ports[k].lo && port <= r->ports[k].hi)
			return true;
	return false;
}

/* One pass over the rules of protocol p. */
static void place_rules(const struct ruleset *rs, const struct pm_proto *pp,
			int p, struct slots *ex, struct slots *sg)
{
	for (int i = 0; i < rs->nrules; i++) {
		const struct rule *r = &rs->rules[i];

		if (!(r->l4 & proto_bit[p]))
			continue;
		for (int k = 0; k < r->nports; k++) {
			uint32_t lo = r->ports[k].lo, hi = r->ports[k].hi;

			if (lo == hi) {
				/* A port that one of the rule's own ranges covers
				 * is listed with the ranges only: once. */
				if (!range_covers(r, lo))
					slot_add(ex, lo, (uint32_t)i);
				continue;
			}
			for (uint32_t s = seg_find(pp, lo);
			     s < pp->nseg && pp->seg_lo[s] <= hi; s++)
				slot_add(sg, s, (uint32_t)i);
		}
	}
}

/* Cuts 0..65535 at every range bound of protocol p. */
static int build_segments(const struct ruleset *rs, struct pm_proto *pp, int p)
{
	uint32_t n = 0, cap = 1;

	for (int i = 0; i < rs->nrules; i++)
		if (rs->rules[i].l4 & proto_bit[p])
			cap += 2u * rs->rules[i].nports;
	pp->seg_lo = malloc(cap * sizeof(uint32_t));
	if (pp->seg_lo == NULL)
		return -1;
	pp->seg_lo[n++] = 0;
	for (int i = 0; i < rs->nrules; i++) {
		const struct rule *r = &rs->rules[i];

		if (!(r->l4 & proto_bit[p]))
			continue;
		for (int k = 0; k < r->nports; k++) {
			if (r->ports[k].lo == r->ports[k].hi)
				continue;
			pp->seg_lo[n++] = r->ports[k].lo;
			if (r->ports[k].hi + 1u < NPORT)
				pp->seg_lo[n++] = r->ports[k].hi + 1u;
		}
	}
	qsort(pp->seg_lo, n, sizeof(uint32_t), cmp_u32);
	pp->nseg = 0;
	for (uint32_t i = 0; i < n; i++)
		if (i == 0 || pp->seg_lo[i] != pp->seg_lo[i - 1])
			pp->seg_lo[pp->nseg++] = pp->seg_lo[i];
	return 0;
}

/* Turns counts in off[1..n] into offsets; returns the total. */
static uint32_t prefix_sum(uint32_t *off, uint32_t n)
{
	off[0] = 0;
	for (uint32_t i = 1; i <= n; i++)
		off[i] += off[i - 1];
	return off[n];
}

static void reset_last(uint32_t *last, uint32_t n)
{
	memset(last, 0xff, n * sizeof(uint32_t));
}

static int build_proto(const struct ruleset *rs, struct pm_proto *pp, int p)
{
	struct slots ex = { 0 }, sg = { 0 };
	int ret = -1;

	if (build_segments(rs, pp, p))
		return -1;
	pp->exact_off = calloc(NPORT + 1, sizeof(uint32_t));
	pp->seg_off = calloc(pp->nseg + 1, sizeof(uint32_t));
	ex.last = malloc(NPORT * sizeof(uint32_t));
	ex.fill = malloc(NPORT * sizeof(uint32_t));
	sg.last = malloc(pp->nseg * sizeof(uint32_t));
	sg.fill = malloc(pp->nseg * sizeof(uint32_t));
	if (!pp->exact_off || !pp->seg_off || !ex.last || !ex.fill ||
	    !sg.last || !sg.fill)
		goto out;
	ex.off = pp->exact_off;
	sg.off = pp->seg_off;
	reset_last(ex.last, NPORT);
	reset_last(sg.last, pp->nseg);
	place_rules(rs, pp, p, &ex, &sg);
	pp->exact_list = malloc((prefix_sum(ex.off, NPORT) + 1) * sizeof(uint32_t));
	pp->seg_list = malloc((prefix_sum(sg.off, pp->nseg) + 1) * sizeof(uint32_t));
	if (!pp->exact_list || !pp->seg_list)
		goto out;
	ex.list = pp->exact_list;
	sg.list = pp->seg_list;
	memcpy(ex.fill, ex.off, NPORT * sizeof(uint32_t));
	memcpy(sg.fill, sg.off, pp->nseg * sizeof(uint32_t));
	reset_last(ex.last, NPORT);
	reset_last(sg.last, pp->nseg);
	place_rules(rs, pp, p, &ex, &sg);
	ret = 0;
out:
	free(ex.last);
	free(ex.fill);
	free(sg.last);
	free(sg.fill);
	return ret;
}

void portmatch_free(struct portmatch *pm)
{
	if (pm == NULL)
		return;
	for (int p = 0; p < 2; p++) {
		free(pm->proto[p].exact_off);
		free(pm->proto[p].exact_list);
		free(pm->proto[p].seg_lo);
		free(pm->proto[p].seg_off);
		free(pm->proto[p].seg_list);
	}
	free(pm);
}

struct portmatch *portmatch_build(const struct ruleset *rs)
{
	struct portmatch *pm = calloc(1, sizeof(*pm));

	if (pm == NULL)
		return NULL;
	for (int p = 0; p < 2; p++)
		if (build_proto(rs, &pm->proto[p], p)) {
			portmatch_free(pm);
			return NULL;
		}
	return pm;
}

void portmatch_lookup(const struct portmatch *pm, uint8_t l4, uint16_t port,
		      struct pm_result *out)
{
	const struct pm_proto *pp;
	uint32_t s;

	memset(out, 0, sizeof(*out));
	if (l4 != L4_TCP && l4 != L4_UDP)
		return;
	pp = &pm->proto[l4 == L4_UDP];
	out->exact = pp->exact_list + pp->exact_off[port];
	out->nexact = pp->exact_off[port + 1] - pp->exact_off[port];
	s = seg_find(pp, port);
	out->range = pp->seg_list + pp->seg_off[s];
	out->nrange = pp->seg_off[s + 1] - pp->seg_off[s];
}
