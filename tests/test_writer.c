/* test_writer.c: the record writer thread.
 *
 * Proves: every submitted report reaches the formatting function exactly
 * once, in submission order, with deep copies (the submitter's buffers are
 * overwritten right after each submit); with a queue of 4 and batches of 3
 * the submitters wait and nothing is lost; writer_drain returns only when
 * all earlier reports are written, also for a batch that is not full;
 * writer_free writes what is still queued; two submitting threads.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "output/writer.h"

#define N 20000

struct seen {
	pthread_mutex_t mu;
	uint64_t n, next[2];          /* reports seen; next id per submitter */
	int bad;
};

/* The formatting function: checks each copy against what was submitted. */
static void check_report(void *ctx, const struct flow_report *r)
{
	struct seen *s = ctx;
	int who = (int)(r->f->id >> 32);
	uint64_t i = r->f->id & 0xffffffffu;
	char want[64];

	snprintf(want, sizeof(want), "reason %llu", (unsigned long long)i);
	pthread_mutex_lock(&s->mu);
	if (who < 0 || who > 1 || i != s->next[who] ||
	    strcmp(r->audit->reason, want) != 0 ||
	    r->nlabels != (int)(i % 5) || (r->nlabels && r->labels[0] != i) ||
	    strcmp(r->iv->host, want) != 0)
		s->bad++;
	else
		s->next[who]++;
	s->n++;
	pthread_mutex_unlock(&s->mu);
}

struct job {
	struct writer *w;
	int who;
	uint64_t count;
};

/* Submits reports whose fields name their number; reuses its buffers. */
static void *submit(void *arg)
{
	struct job *j = arg;
	struct flow f;
	struct audit_result ar;
	struct inspect_view iv;
	char host[64];
	uint32_t labels[8];

	for (uint64_t i = 0; i < j->count; i++) {
		struct flow_report r = { .f = &f, .audit = &ar, .iv = &iv,
					 .labels = labels };

		memset(&f, 0, sizeof(f));
		memset(&iv, 0, sizeof(iv));
		f.id = (uint64_t)j->who << 32 | i;
		snprintf(ar.reason, sizeof(ar.reason), "reason %llu",
			 (unsigned long long)i);
		snprintf(host, sizeof(host), "reason %llu", (unsigned long long)i);
		iv.host = host;
		r.nlabels = (int)(i % 5);
		for (int k = 0; k < r.nlabels; k++)
			labels[k] = (uint32_t)i;
		writer_submit(j->w, &r);
		memset(host, 'Z', sizeof(host) - 1);   /* the copy must not care */
		memset(ar.reason, 'Z', 16);
		labels[0] = 0xdead;
	}
	return NULL;
}

static void test_order_and_copies(void **state)
{
	struct seen s = { .mu = PTHREAD_MUTEX_INITIALIZER };
	struct writer *w = writer_new(4, 3, check_report, &s);
	struct job a = { w, 0, N }, b = { w, 1, N };
	pthread_t ta, tb;

	(void)state;
	assert_non_null(w);
	assert_int_equal(pthread_create(&ta, NULL, submit, &a), 0);
	assert_int_equal(pthread_create(&tb, NULL, submit, &b), 0);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	writer_drain(w);
	pthread_mutex_lock(&s.mu);
	assert_int_equal(s.n, 2 * N);
	assert_int_equal(s.bad, 0);
	assert_int_equal(s.next[0], N);
	assert_int_equal(s.next[1], N);
	pthread_mutex_unlock(&s.mu);
	writer_free(w);
}

/* A batch that never fills: drain wakes the thread; free writes the rest. */
static void test_drain_and_free(void **state)
{
	struct seen s = { .mu = PTHREAD_MUTEX_INITIALIZER };
	struct writer *w = writer_new(64, 50, check_report, &s);
	struct job a = { w, 0, 7 };

	(void)state;
	submit(&a);
	writer_drain(w);
	assert_int_equal(s.n, 7);
	a.count = 10;
	s.next[0] = 0;
	submit(&a);
	writer_free(w);
	assert_int_equal(s.n, 17);
	assert_int_equal(s.bad, 0);
}

static void test_bad_sizes(void **state)
{
	(void)state;
	assert_null(writer_new(0, 1, check_report, NULL));
	assert_null(writer_new(4, 0, check_report, NULL));
	assert_null(writer_new(4, 5, check_report, NULL));
	writer_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order_and_copies),
		cmocka_unit_test(test_drain_and_free),
		cmocka_unit_test(test_bad_sizes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
