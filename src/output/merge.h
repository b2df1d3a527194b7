/* merge.h: the records of several offline engines in one order.
 *
 * Each engine ends its flows at points of the reader's clock: `pos`, twice
 * the run's packet number, plus one for what the packet itself ends (a
 * sweep of idle flows before packet n has pos 2n, the packet 2n + 1).
 * Records are written in the order of (pos, last_us, flow id), which does
 * not depend on how flows are split among engines: one engine and several
 * write the same records in the same order.
 *
 * Each stream (one per engine) hands its records in key order with a
 * watermark: it will give no record with a pos below it.  A record is
 * written once every stream's watermark is above its pos.  Thread safe;
 * the output function is called under the merge's lock.
 *
 * The same order sums the engines' gauges (open flows, nDPI states): the
 * peak of the sum is what one engine alone would have seen.
 */
#ifndef LW_MERGE_H
#define LW_MERGE_H

#include <stddef.h>
#include <stdint.h>

#include "output/record.h"

/* A record and the reader's clock when its flow ended (or was reported). */
struct merge_item {
	uint64_t pos;
	struct flow_record rec;
};

#define MERGE_GAUGES 2 /* open flows, nDPI states */

/* A change of an engine's gauges at clock pos: their values after it and
 * the most they reached during it. */
struct merge_step {
	uint64_t pos;
	uint64_t now[MERGE_GAUGES], top[MERGE_GAUGES];
};

typedef void (*merge_fn)(void *ctx, const struct flow_record *r);

struct merge;

/* A merge of n >= 1 streams writing through fn(ctx, record).  NULL when
 * out of memory or n is 0. */
struct merge *merge_new(unsigned n, merge_fn fn, void *ctx);

/* Frees the merge; records not written yet are dropped (merge_push with
 * watermark UINT64_MAX on every stream writes them all first). */
void merge_free(struct merge *m);

/* < 0, 0, > 0 as a is written before, with, after b. */
int merge_cmp(const struct merge_item *a, const struct merge_item *b);

/* Sorts n items into write order (an engine's records of one batch). */
void merge_sort(struct merge_item *items, size_t n);

/* Appends the n items and nsteps steps of stream s (each in order, none
 * before the stream's previous watermark) and raises its watermark to
 * `upto`; then writes every record and sums every step that no stream can
 * precede any more.  Returns 0, or -1 when out of memory (the items are
 * then written at once, out of order, rather than lost; the peaks may
 * miss the steps). */
int merge_push(struct merge *m, unsigned s, const struct merge_item *items,
	       size_t n, const struct merge_step *steps, size_t nsteps,
	       uint64_t upto);

/* Appends the n > 0 items of stream s (in write order, after those it
 * pushed before) and declares that it will give no record before the
 * last of them (an engine ending its flows at the end of input, in
 * chunks: its records are written as the others' reach them).  Returns as
 * merge_push. */
int merge_push_upto(struct merge *m, unsigned s,
		    const struct merge_item *items, size_t n);

/* The most each gauge summed over the streams reached (steps summed so
 * far). */
void merge_peaks(struct merge *m, uint64_t peak[MERGE_GAUGES]);

/* Records held back now, and the most held back at once. */
void merge_counters(struct merge *m, uint64_t *held, uint64_t *peak);

#endif
