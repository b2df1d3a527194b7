/* portmatch.c: exact ports by direct index, ranges by elementary intervals.
 *
 * Per L4 protocol:
 *  - exact: exact_off[port] .. exact_off[port + 1] index exact_list, the
 *    rules naming that single port (65,537 offsets: O(1) lookup);
 *  - ranges: the range bounds cut 0..65535 into segments within which the
 *    covering set does not change; seg_lo[] is sorted, a binary search finds
 *    a port's segment and seg_off[] its list in seg_list (O(log segments)).
 * Every list keeps rule-file order and names a rule at most once, and a
 * rule is in one of the two lists of a port, never both.  Lists are counted
 * before they are filled; the count stops at PORTMATCH_MAX_ENTRIES, so
 * every offset fits in 32 bits.
 */
#include <inttypes.h>
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

/* Returns 1 when r was added to slot, 0 when it was there already. */
static unsigned slot_add(struct slots *sl, uint32_t slot, uint32_t r)
{
	if (sl->last[slot] == r)
		return 0;
	sl->last[slot] = r;
	if (sl->list == NULL)
		sl->off[slot + 1]++;
	else
		sl->list[sl->fill[slot]++] = r;
	return 1;
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

/* The lists of one protocol while they are built. */
struct pm_build {
	struct slots ex, sg;
};

/* Lists rule i under protocol p; returns the entries it added (at most
 * RULE_MAX_PORTS + 65,536). */
static uint32_t place_rule(const struct ruleset *rs, uint32_t i,
			   const struct pm_proto *pp, int p, struct pm_build *b)
{
	const struct rule *r = &rs->rules[i];
	uint32_t added = 0;

	if (!(r->l4 & proto_bit[p]))
		return 0;
	for (int k = 0; k < r->nports; k++) {
		uint32_t lo = r->ports[k].lo, hi = r->ports[k].hi;

		if (lo == hi) {
			/* A port that one of the rule's own ranges covers
			 * is listed with the ranges only: once. */
			if (!range_covers(r, lo))
				added += slot_add(&b->ex, lo, i);
			continue;
		}
		for (uint32_t s = seg_find(pp, lo);
		     s < pp->nseg && pp->seg_lo[s] <= hi; s++)
			added += slot_add(&b->sg, s, i);
	}
	return added;
}

/* Cuts 0..65535 at every range bound of protocol p. */
static int build_segments(const struct ruleset *rs, struct pm_proto *pp, int p)
{
	size_t n = 0, cap = 1;

	for (int i = 0; i < rs->nrules; i++)
		if (rs->rules[i].l4 & proto_bit[p])
			cap += 2 * (size_t)rs->rules[i].nports;
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
	for (size_t i = 0; i < n; i++)
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

static void build_free(struct pm_build *b)
{
	free(b->ex.last);
	free(b->ex.fill);
	free(b->sg.last);
	free(b->sg.fill);
}

/* Segments, offsets and the scratch arrays of protocol p. */
static int build_start(const struct ruleset *rs, struct pm_proto *pp, int p,
		       struct pm_build *b)
{
	if (build_segments(rs, pp, p))
		return -1;
	pp->exact_off = calloc(NPORT + 1, sizeof(uint32_t));
	pp->seg_off = calloc(pp->nseg + 1, sizeof(uint32_t));
	b->ex.last = malloc(NPORT * sizeof(uint32_t));
	b->ex.fill = malloc(NPORT * sizeof(uint32_t));
	b->sg.last = malloc(pp->nseg * sizeof(uint32_t));
	b->sg.fill = malloc(pp->nseg * sizeof(uint32_t));
	if (!pp->exact_off || !pp->seg_off || !b->ex.last || !b->ex.fill ||
	    !b->sg.last || !b->sg.fill)
		return -1;
	b->ex.off = pp->exact_off;
	b->sg.off = pp->seg_off;
	reset_last(b->ex.last, NPORT);
	reset_last(b->sg.last, pp->nseg);
	return 0;
}

/* After the counting pass: the lists, sized by the counts. */
static int build_lists(struct pm_proto *pp, struct pm_build *b)
{
	size_t nex = prefix_sum(b->ex.off, NPORT);
	size_t nsg = prefix_sum(b->sg.off, pp->nseg);

	pp->exact_list = malloc((nex + 1) * sizeof(uint32_t));
	pp->seg_list = malloc((nsg + 1) * sizeof(uint32_t));
	if (!pp->exact_list || !pp->seg_list)
		return -1;
	b->ex.list = pp->exact_list;
	b->sg.list = pp->seg_list;
	memcpy(b->ex.fill, b->ex.off, NPORT * sizeof(uint32_t));
	memcpy(b->sg.fill, b->sg.off, pp->nseg * sizeof(uint32_t));
	reset_last(b->ex.last, NPORT);
	reset_last(b->sg.last, pp->nseg);
	return 0;
}

static void report_cap(const struct ruleset *rs, const struct rule *r,
		       uint32_t max, FILE *errs)
{
	if (errs == NULL)
		return;
	fprintf(errs, "%s:%d: rule %s: the port matcher would need more than "
		"%" PRIu32 " entries (%u MiB) with this rule: too many or too "
		"wide port ranges (see \"Limits\" in classifiers/FORMAT)\n",
		r->file >= 0 && r->file < rs->nfiles ? rs->files[r->file] : "?",
		r->line, r->id, max, (unsigned)(((uint64_t)max * 4u) >> 20));
}

/* The counting pass, rule by rule over both protocols, so that the rule
 * that crosses the cap is known; every count then fits in 32 bits. */
static int count_rules(const struct ruleset *rs, struct portmatch *pm,
		       struct pm_build *b, uint32_t max, FILE *errs)
{
	uint64_t total = 0;

	for (int i = 0; i < rs->nrules; i++) {
		for (int p = 0; p < 2; p++)
			total += place_rule(rs, (uint32_t)i, &pm->proto[p], p, &b[p]);
		if (total > max) {
			report_cap(rs, &rs->rules[i], max, errs);
			return -1;
		}
	}
	return 0;
}

static int build_all(const struct ruleset *rs, struct portmatch *pm,
		     struct pm_build *b, uint32_t max, FILE *errs)
{
	for (int p = 0; p < 2; p++)
		if (build_start(rs, &pm->proto[p], p, &b[p]))
			goto oom;
	if (count_rules(rs, pm, b, max, errs))
		return -1;
	for (int p = 0; p < 2; p++) {
		if (build_lists(&pm->proto[p], &b[p]))
			goto oom;
		for (int i = 0; i < rs->nrules; i++)
			(void)place_rule(rs, (uint32_t)i, &pm->proto[p], p, &b[p]);
	}
	return 0;
oom:
	if (errs)
		fprintf(errs, "%s: port matcher: out of memory\n",
			rs->nfiles ? rs->files[rs->nfiles - 1] : "rules");
	return -1;
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

struct portmatch *portmatch_build(const struct ruleset *rs, FILE *errs)
{
	return portmatch_build_max(rs, PORTMATCH_MAX_ENTRIES, errs);
}

struct portmatch *portmatch_build_max(const struct ruleset *rs,
				      uint32_t max_entries, FILE *errs)
{
	struct portmatch *pm = calloc(1, sizeof(*pm));
	struct pm_build b[2];
	int ret;

	memset(b, 0, sizeof(b));
	if (pm == NULL) {
		if (errs)
			fprintf(errs, "port matcher: out of memory\n");
		return NULL;
	}
	ret = build_all(rs, pm, b, max_entries, errs);
	build_free(&b[0]);
	build_free(&b[1]);
	if (ret) {
		portmatch_free(pm);
		return NULL;
	}
	return pm;
}

uint64_t portmatch_entries(const struct portmatch *pm)
{
	uint64_t n = 0;

	for (int p = 0; p < 2; p++)
		n += (uint64_t)pm->proto[p].exact_off[NPORT] +
		     pm->proto[p].seg_off[pm->proto[p].nseg];
	return n;
}

size_t portmatch_bytes(const struct portmatch *pm)
{
	size_t n = sizeof(*pm);

	for (int p = 0; p < 2; p++) {
		const struct pm_proto *pp = &pm->proto[p];

		n += (NPORT + 1u + pp->exact_off[NPORT] + 1u) * sizeof(uint32_t);
		n += (2u * pp->nseg + 1u + pp->seg_off[pp->nseg] + 1u) *
		     sizeof(uint32_t);
	}
	return n;
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
