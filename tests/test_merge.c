/* test_merge.c: the ordered merge of offline engines' records.
 *
 * Proves: records are written in (pos, last_us, flow id) order whatever
 * the streams they come from and the order they are pushed in; a record
 * waits until every stream's watermark is above its pos (a stream that
 * has said nothing holds everything back); ties at one pos (a sweep in
 * two engines) go by last packet time, then by id; merge_sort sorts one
 * engine's batch; a watermark of UINT64_MAX on every stream writes what
 * is left; a stream handing on its last records in chunks
 * (merge_push_upto) lets the others' records before its last one through
 * and holds back those after it; the gauges' peak is the peak of the sum over streams taken in
 * clock order (two engines' flows open at once add up, one after the
 * other do not), with a transient top within a step counted; two
 * engines handing on their last records in chunks at once, on two
 * threads, still write them in order (the mark of a chunk rose before its
 * items were in: others' later records slipped past them).
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "output/merge.h"

#define MAXOUT 64

struct out {
	uint64_t id[MAXOUT];
	int n;
};

static void collect(void *ctx, const struct flow_record *r)
{
	struct out *o = ctx;

	assert_true(o->n < MAXOUT);
	o->id[o->n++] = r->id;
}

static struct merge_item item(uint64_t pos, uint64_t last_us, uint64_t id)
{
	struct merge_item it;

	memset(&it, 0, sizeof(it));
	it.pos = pos;
	it.rec.last_us = last_us;
	it.rec.id = id;
	return it;
}

static void test_order_and_watermarks(void **state)
{
	struct out o = { .n = 0 };
	struct merge *m = merge_new(2, collect, &o);
	struct merge_item a[3] = { item(3, 100, 7), item(9, 50, 8), item(20, 10, 9) };
	struct merge_item b[2] = { item(5, 10, 1), item(9, 40, 2) };

	(void)state;
	assert_non_null(m);
	/* Stream 0 up to 21; stream 1 has said nothing: all held back. */
	assert_int_equal(merge_push(m, 0, a, 3, NULL, 0, 21), 0);
	assert_int_equal(o.n, 0);
	/* Stream 1 up to 10: everything below pos 10 is written. */
	assert_int_equal(merge_push(m, 1, b, 2, NULL, 0, 10), 0);
	assert_int_equal(o.n, 4);
	assert_int_equal(o.id[0], 7);       /* pos 3 */
	assert_int_equal(o.id[1], 1);       /* pos 5 */
	assert_int_equal(o.id[2], 2);       /* pos 9, last_us 40 */
	assert_int_equal(o.id[3], 8);       /* pos 9, last_us 50 */
	/* Stream 1 to the end: the rest. */
	assert_int_equal(merge_push(m, 1, NULL, 0, NULL, 0, UINT64_MAX), 0);
	assert_int_equal(o.n, 5);
	assert_int_equal(o.id[4], 9);
	merge_free(m);
}

static void test_ties_by_id(void **state)
{
	struct out o = { .n = 0 };
	struct merge *m = merge_new(3, collect, &o);
	struct merge_item x = item(8, 5, 30), y = item(8, 5, 12), z = item(8, 5, 21);

	(void)state;
	assert_non_null(m);
	assert_int_equal(merge_push(m, 2, &x, 1, NULL, 0, UINT64_MAX), 0);
	assert_int_equal(merge_push(m, 0, &y, 1, NULL, 0, UINT64_MAX), 0);
	assert_int_equal(o.n, 0);
	assert_int_equal(merge_push(m, 1, &z, 1, NULL, 0, UINT64_MAX), 0);
	assert_int_equal(o.n, 3);
	assert_int_equal(o.id[0], 12);
	assert_int_equal(o.id[1], 21);
	assert_int_equal(o.id[2], 30);
	merge_free(m);
}

static void test_sort(void **state)
{
	struct merge_item v[5] = { item(4, 9, 3), item(2, 1, 8), item(4, 9, 1),
				   item(4, 2, 5), item(1, 7, 7) };
	const uint64_t want[5] = { 7, 8, 5, 1, 3 };

	(void)state;
	merge_sort(v, 5);
	for (int i = 0; i < 5; i++)
		assert_int_equal(v[i].rec.id, want[i]);
	for (int i = 0; i < 4; i++)
		assert_true(merge_cmp(&v[i], &v[i + 1]) < 0);
}

static void test_chunks(void **state)
{
	struct out o = { .n = 0 };
	struct merge *m = merge_new(2, collect, &o);
	struct merge_item a[2] = { item(100, 10, 1), item(100, 30, 3) };
	struct merge_item b[3] = { item(100, 20, 2), item(100, 40, 4),
				   item(100, 50, 5) };
	struct merge_item a2 = item(100, 45, 6);

	(void)state;
	assert_non_null(m);
	assert_int_equal(merge_push(m, 1, NULL, 0, NULL, 0, 100), 0);
	assert_int_equal(merge_push_upto(m, 0, a, 2), 0);
	assert_int_equal(o.n, 0);           /* stream 1 may still give pos 100 */
	assert_int_equal(merge_push_upto(m, 1, b, 3), 0);
	/* 1, 2, 3 are below both marks; 4 and 5 are after stream 0's last. */
	assert_int_equal(o.n, 3);
	assert_int_equal(o.id[2], 3);
	assert_int_equal(merge_push_upto(m, 0, &a2, 1), 0);
	/* 4 (40), then 6 (45): stream 1 has nothing before its 50 left. */
	assert_int_equal(o.n, 5);
	assert_int_equal(o.id[3], 4);
	assert_int_equal(o.id[4], 6);
	/* Stream 0 is done: stream 1's head goes (its own later records
	 * never go before it). */
	assert_int_equal(merge_push(m, 0, NULL, 0, NULL, 0, UINT64_MAX), 0);
	assert_int_equal(o.n, 6);
	assert_int_equal(o.id[5], 5);
	assert_int_equal(merge_push(m, 1, NULL, 0, NULL, 0, UINT64_MAX), 0);
	assert_int_equal(o.n, 6);
	merge_free(m);
}

static struct merge_step step(uint64_t pos, uint64_t flows, uint64_t states,
			      uint64_t states_top)
{
	struct merge_step s = { .pos = pos, .now = { flows, states },
				.top = { flows, states_top } };
	return s;
}

/* Two threads end their flows at once, in chunks (as engines do at the
 * end of input): stream s's records have last_us s, s + 2, s + 4, ... */
#define RACE_N 30000
#define RACE_CHUNK 5

struct race_out {
	uint64_t last, n;
	int bad;
};

static void race_collect(void *ctx, const struct flow_record *r)
{
	struct race_out *o = ctx;             /* called under the merge's lock */

	if (o->n > 0 && r->last_us <= o->last)
		o->bad++;
	o->last = r->last_us;
	o->n++;
}

struct race_arg {
	struct merge *m;
	unsigned s;
	struct merge_item *v;
};

static void *race_stream(void *arg)
{
	struct race_arg *a = arg;

	for (size_t i = 0; i < RACE_N; i += RACE_CHUNK)
		if (merge_push_upto(a->m, a->s, a->v + i, RACE_CHUNK) != 0)
			return a;
	return NULL;
}

static void test_chunks_racing(void **state)
{
	struct race_out o = { 0 };
	struct merge *m = merge_new(2, race_collect, &o);
	struct race_arg a[2];
	pthread_t th[2];

	(void)state;
	assert_non_null(m);
	for (unsigned s = 0; s < 2; s++) {
		a[s] = (struct race_arg){ m, s, calloc(RACE_N, sizeof(struct merge_item)) };
		assert_non_null(a[s].v);
		for (uint64_t i = 0; i < RACE_N; i++)
			a[s].v[i] = item(1000, 2 * i + s, 2 * i + s + 1);
	}
	for (unsigned s = 0; s < 2; s++)
		assert_int_equal(pthread_create(&th[s], NULL, race_stream, &a[s]), 0);
	for (unsigned s = 0; s < 2; s++) {
		void *rv;

		assert_int_equal(pthread_join(th[s], &rv), 0);
		assert_null(rv);
	}
	assert_int_equal(merge_push(m, 0, NULL, 0, NULL, 0, UINT64_MAX), 0);
	assert_int_equal(merge_push(m, 1, NULL, 0, NULL, 0, UINT64_MAX), 0);
	assert_int_equal(o.n, 2 * RACE_N);
	assert_int_equal(o.bad, 0);
	merge_free(m);
	free(a[0].v);
	free(a[1].v);
}

static void test_peaks(void **state)
{
	struct merge *m = merge_new(2, collect, NULL);
	uint64_t peak[MERGE_GAUGES];
	/* Stream 0: a flow open 3 .. 10; a state only during pos 3. */
	struct merge_step s0[2] = { step(3, 1, 0, 1), step(10, 0, 0, 0) };
	/* Stream 1: two flows open at 5, one ends at 7, one at 12; a state
	 * live 5 .. 12. */
	struct merge_step s1[3] = { step(5, 2, 1, 1), step(7, 1, 1, 1),
				    step(12, 0, 0, 1) };

	(void)state;
	assert_non_null(m);
	assert_int_equal(merge_push(m, 0, NULL, 0, s0, 2, UINT64_MAX), 0);
	merge_peaks(m, peak);
	assert_int_equal(peak[0], 0);       /* stream 1 holds the clock back */
	assert_int_equal(merge_push(m, 1, NULL, 0, s1, 3, UINT64_MAX), 0);
	merge_peaks(m, peak);
	assert_int_equal(peak[0], 3);       /* at 5: 1 + 2 */
	assert_int_equal(peak[1], 1);       /* the transient at 3 and the one
					     * from 5 never overlap */
	merge_free(m);

	/* Apart in time, the same gauges do not add up. */
	m = merge_new(2, collect, NULL);
	s1[0].pos = 11;
	s1[1].pos = 12;
	s1[2].pos = 13;
	assert_int_equal(merge_push(m, 1, NULL, 0, s1, 3, UINT64_MAX), 0);
	assert_int_equal(merge_push(m, 0, NULL, 0, s0, 2, UINT64_MAX), 0);
	merge_peaks(m, peak);
	assert_int_equal(peak[0], 2);
	assert_int_equal(peak[1], 1);
	merge_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order_and_watermarks),
		cmocka_unit_test(test_ties_by_id),
		cmocka_unit_test(test_sort),
		cmocka_unit_test(test_chunks),
		cmocka_unit_test(test_chunks_racing),
		cmocka_unit_test(test_peaks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
