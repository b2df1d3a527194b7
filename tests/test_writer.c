/* test_writer.c: the record writer thread and the record it carries.
 *
 * Proves: every submitted record reaches the formatting function exactly
 * once, in submission order, as a copy that owes nothing to its source:
 * the flow, its nDPI state and metadata, the inspect view's strings and
 * the submitted record itself are heap blocks freed (after being
 * overwritten) right after each submit, so any pointer kept into them is
 * a use after free under ASan and a wrong value without it; a record holds
 * no pointer into the flow, its nDPI state or the view's buffers (its
 * bytes are scanned); the server name, TLS facts and media streams that
 * record_copy moves only as far as used arrive whole; with a queue of 4 and batches of 3 the submitters
 * wait and nothing is lost, also when one of them hands on 7 records at
 * a time (writer_submit_many, more than the queue holds); writer_drain returns only when all earlier
 * records are written, also for a batch that is not full; writer_free
 * writes what is still queued; two submitting threads; writer_ahead
 * gives the records after the current one, in order; lent records
 * (writer_submit_refs) arrive as themselves, each lending given back once
 * right after its last record.  With a time bound
 * (writer_set_latency, live): a batch that never fills is written within
 * the bound without any drain, in one wake-up, and the idle function runs
 * once after it (not per record), before writer_drain returns; without the
 * bound such a batch waits for the drain.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "output/writer.h"

#define N 20000

struct seen {
	pthread_mutex_t mu;
	uint64_t n, next[2];          /* records seen; next id per submitter */
	int bad;
};

/* The parts record_copy takes only as far as used (set by add_extras). */
static int copied_extras(const struct flow_record *r, uint64_t i)
{
	if (strcmp(r->server_name, i % 2 ? "fe1" : "") != 0 ||
	    r->tls != (i % 2 == 1) || r->media.n != i % 3 ||
	    r->media.capped != i)
		return 0;
	if (r->tls && (r->tls_facts.version != (uint16_t)i ||
		       strcmp(r->tls_facts.subject, "CN=fe1") != 0))
		return 0;
	for (int k = 0; k < r->media.n; k++)
		if (r->media.s[k].ssrc != (uint32_t)(i + (uint64_t)k))
			return 0;
	return 1;
}

/* Sets the server name, TLS facts and media streams of record i. */
static void add_extras(struct flow_record *r, uint64_t i)
{
	strcpy(r->server_name, i % 2 ? "fe1" : "");
	r->tls = i % 2 == 1;
	if (r->tls) {
		r->tls_facts.version = (uint16_t)i;
		strcpy(r->tls_facts.subject, "CN=fe1");
	}
	r->media.n = (uint8_t)(i % 3);
	r->media.capped = (uint32_t)i;
	for (int k = 0; k < r->media.n; k++)
		r->media.s[k].ssrc = (uint32_t)(i + (uint64_t)k);
}

/* The formatting function: checks each copy against what was submitted. */
static void check_report(void *ctx, const struct flow_record *r)
{
	struct seen *s = ctx;
	int who = (int)(r->id >> 32);
	uint64_t i = r->id & 0xffffffffu;
	const char *host = record_name(r, REC_HOST);
	const char *app = record_name(r, REC_APP_PROTO);
	char want[64];

	snprintf(want, sizeof(want), "reason %llu", (unsigned long long)i);
	pthread_mutex_lock(&s->mu);
	if (who < 0 || who > 1 || i != s->next[who] ||
	    strcmp(r->audit.reason, want) != 0 ||
	    r->audit.reason_len != strlen(r->audit.reason) ||
	    r->nlabels != (int)(i % 5) || (r->nlabels && r->labels[0] != i) ||
	    host == NULL || strcmp(host, want) != 0 || app == NULL ||
	    strcmp(app, "tls") != 0 || record_name(r, REC_JA3) != NULL ||
	    r->pkts_toserver != i + 1 || r->server_port != 5061 ||
	    !copied_extras(r, i))
		s->bad++;
	else
		s->next[who]++;
	s->n++;
	pthread_mutex_unlock(&s->mu);
}

/* True when some pointer-aligned word of r points into [p, p + len). */
static int points_into(const struct flow_record *r, const void *p, size_t len)
{
	const unsigned char *b = (const unsigned char *)r;
	uintptr_t lo = (uintptr_t)p, hi = lo + len;

	for (size_t off = 0; off + sizeof(uintptr_t) <= sizeof(*r);
	     off += sizeof(uintptr_t)) {
		uintptr_t v;

		memcpy(&v, b + off, sizeof(v));
		if (v >= lo && v < hi)
			return 1;
	}
	return 0;
}

/* Fills a heap flow (with nDPI state and metadata blocks) and a heap view
 * for record i of submitter `who`; *host is the view's string block. */
static struct flow *make_flow(int who, uint64_t i, struct inspect_view *iv,
			      char **host)
{
	struct flow *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->id = (uint64_t)who << 32 | i;
	f->key.ipver = 4;
	f->key.l4 = L4_TCP;
	f->key.pb = 5061;
	f->server_dir = DIR_AB;
	f->pkts[DIR_AB] = (uint32_t)(i + 1);
	f->insp = malloc(64);         /* stand-ins for engine state */
	f->meta = malloc(64);
	assert_non_null(f->insp);
	assert_non_null(f->meta);
	memset(iv, 0, sizeof(*iv));
	*host = malloc(64);
	assert_non_null(*host);
	snprintf(*host, 64, "reason %llu", (unsigned long long)i);
	iv->host = *host;
	iv->app_proto = *host + 40;   /* a second string in the same block */
	strcpy(*host + 40, "tls");
	return f;
}

/* What inspect_release and the flow table do right after the submit. */
static void free_flow(struct flow *f, char *host)
{
	memset(f->insp, 'Z', 64);
	memset(f->meta, 'Z', 64);
	memset(host, 'Z', 64);
	free(f->insp);
	free(f->meta);
	free(host);
	memset(f, 'Z', sizeof(*f));
	free(f);
}

struct job {
	struct writer *w;
	int who;
	uint64_t count;
	int leaks;                    /* records pointing into their source */
	unsigned many;                /* > 1: writer_submit_many of so many */
};

struct held {
	struct flow *f;
	char *host;
	struct flow_record *r;
};

/* Hands on the n records held, then frees every source. */
static void hand_held(struct job *j, struct held *h, unsigned n)
{
	const struct flow_record *r[8];

	for (unsigned k = 0; k < n; k++)
		r[k] = h[k].r;
	if (n == 1)
		writer_submit(j->w, r[0]);
	else
		writer_submit_many(j->w, r, n);
	for (unsigned k = 0; k < n; k++) {
		free_flow(h[k].f, h[k].host);
		memset(h[k].r, 'Z', sizeof(*h[k].r));   /* the copy must not care */
		free(h[k].r);
	}
}

/* Submits records whose fields name their number; frees every source. */
static void *submit(void *arg)
{
	struct job *j = arg;
	struct held h[8];
	unsigned nh = 0;

	assert_true(j->many <= 8);
	for (uint64_t i = 0; i < j->count; i++) {
		struct inspect_view iv;
		struct audit_result ar = { .verdict = VERDICT_OK };
		uint32_t labels[8];
		char *host;
		struct flow *f = make_flow(j->who, i, &iv, &host);
		struct flow_record *r = malloc(sizeof(*r));
		int n = (int)(i % 5);

		assert_non_null(r);
		ar.reason_len = (uint16_t)snprintf(ar.reason, sizeof(ar.reason),
						   "reason %llu",
						   (unsigned long long)i);
		for (int k = 0; k < n; k++)
			labels[k] = (uint32_t)i;
		record_fill(r, f, END_SHUTDOWN, NULL, labels, n, &ar, &iv);
		add_extras(r, i);
		if (points_into(r, f, sizeof(*f)) || points_into(r, f->insp, 64) ||
		    points_into(r, f->meta, 64) || points_into(r, host, 64))
			j->leaks++;
		h[nh++] = (struct held){ f, host, r };
		if (nh >= (j->many > 1 ? j->many : 1) || i + 1 == j->count) {
			hand_held(j, h, nh);
			nh = 0;
		}
		memset(ar.reason, 'Z', 16);
		labels[0] = 0xdead;
	}
	return NULL;
}

static void test_order_and_copies(void **state)
{
	struct seen s = { .mu = PTHREAD_MUTEX_INITIALIZER };
	struct writer *w = writer_new(4, 3, check_report, &s);
	struct job a = { w, 0, N, 0, 1 }, b = { w, 1, N, 0, 7 };
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
	assert_int_equal(a.leaks + b.leaks, 0);
	pthread_mutex_unlock(&s.mu);
	writer_free(w);
}

/* A batch that never fills: drain wakes the thread; free writes the rest. */
static void test_drain_and_free(void **state)
{
	struct seen s = { .mu = PTHREAD_MUTEX_INITIALIZER };
	struct writer *w = writer_new(64, 50, check_report, &s);
	struct job a = { w, 0, 7, 0, 1 };

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

/* writer_ahead from inside the formatting function: the records after
 * the current one, in order, as many as are queued (at most max).  The
 * first record's formatting waits until all are submitted: the thread
 * may start on it before the submitter is done (it did under ASan). */
struct ahead_seen {
	struct writer *w;
	uint64_t n, ahead_total;
	int bad;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool all_in;
};

static void ahead_report(void *ctx, const struct flow_record *r)
{
	struct ahead_seen *as = ctx;
	const struct flow_record *next[5];
	unsigned k;

	pthread_mutex_lock(&as->mu);
	while (!as->all_in)
		pthread_cond_wait(&as->cv, &as->mu);
	pthread_mutex_unlock(&as->mu);
	k = writer_ahead(as->w, next, 5);

	if (r->id != as->n)
		as->bad++;
	for (unsigned i = 0; i < k; i++)
		if (next[i]->id != r->id + 1 + i)
			as->bad++;
	as->ahead_total += k;
	as->n++;
}

static void test_ahead(void **state)
{
	struct ahead_seen as = { .mu = PTHREAD_MUTEX_INITIALIZER,
				 .cv = PTHREAD_COND_INITIALIZER };
	struct flow_record *r = calloc(1, sizeof(*r));

	(void)state;
	assert_non_null(r);
	as.w = writer_new(64, 50, ahead_report, &as);
	assert_non_null(as.w);
	for (uint64_t i = 0; i < 40; i++) {     /* below the ring's 64 */
		r->id = i;
		writer_submit(as.w, r);
	}
	pthread_mutex_lock(&as.mu);
	as.all_in = true;
	pthread_cond_broadcast(&as.cv);
	pthread_mutex_unlock(&as.mu);
	writer_drain(as.w);
	writer_free(as.w);
	free(r);
	assert_int_equal(as.n, 40);
	assert_int_equal(as.bad, 0);
	/* 40 queued at once: 5 ahead for the first 35, then 4, 3, 2, 1, 0 */
	assert_int_equal(as.ahead_total, 35 * 5 + 4 + 3 + 2 + 1);
}

/* Lent records (writer_submit_refs) between copied ones. */
#define LISTS 4
#define LIST_LEN 20               /* more than the ring's 8 */

struct lent_seen {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct flow_record *list[LISTS];   /* lent ones: ids 1000 * (l + 1) + k */
	uint64_t n;                         /* records written */
	unsigned released[LISTS];           /* release calls per list */
	uint64_t n_at_release[LISTS];
	int bad;
};

static void lent_report(void *ctx, const struct flow_record *r)
{
	struct lent_seen *ls = ctx;
	uint64_t l = r->id / 1000;

	pthread_mutex_lock(&ls->mu);
	if (l >= 1 && l <= LISTS) {
		/* the lent record itself, not a copy */
		if (r != &ls->list[l - 1][r->id % 1000])
			ls->bad++;
	} else {
		if (r->id != 7)
			ls->bad++;
		for (int j = 0; j < LISTS; j++)
			if (r >= ls->list[j] && r < ls->list[j] + LIST_LEN)
				ls->bad++;
	}
	ls->n++;
	pthread_mutex_unlock(&ls->mu);
}

static void lent_back(void *ctx, void *token)
{
	struct lent_seen *ls = ctx;
	unsigned l = (unsigned)(uintptr_t)token;

	pthread_mutex_lock(&ls->mu);
	ls->released[l]++;
	ls->n_at_release[l] = ls->n;
	pthread_cond_broadcast(&ls->cv);
	pthread_mutex_unlock(&ls->mu);
}

/* Lent records reach the function as themselves (no copy), in order with
 * copied ones; each call's release comes once, right after its last
 * record (the count of records written then says so); a list longer than
 * the ring is lent whole (the submitter waits); a list given back is
 * lent again with new contents. */
static void test_lent(void **state)
{
	struct lent_seen ls = { .mu = PTHREAD_MUTEX_INITIALIZER,
				.cv = PTHREAD_COND_INITIALIZER };
	struct flow_record *one = calloc(1, sizeof(*one));
	const struct flow_record *ptr[LIST_LEN];
	struct writer *w = writer_new(8, 3, lent_report, &ls);
	uint64_t total = 0, want[LISTS] = { 0 };

	(void)state;
	assert_non_null(one);
	assert_non_null(w);
	for (unsigned l = 0; l < LISTS; l++) {
		ls.list[l] = calloc(LIST_LEN, sizeof(struct flow_record));
		assert_non_null(ls.list[l]);
	}
	for (unsigned round = 0; round < 2; round++)
		for (unsigned l = 0; l < LISTS; l++) {
			unsigned n = l % 2 ? LIST_LEN : 5;

			pthread_mutex_lock(&ls.mu);  /* given back (round 1) */
			while (ls.released[l] < round)
				pthread_cond_wait(&ls.cv, &ls.mu);
			pthread_mutex_unlock(&ls.mu);
			for (unsigned k = 0; k < n; k++) {
				ls.list[l][k].id = 1000 * (l + 1) + k;
				ptr[k] = &ls.list[l][k];
			}
			writer_submit_refs(w, ptr, n, lent_back, &ls,
					   (void *)(uintptr_t)l);
			want[l] = total + n;
			one->id = 7;
			writer_submit(w, one);
			one->id = 0;                 /* the copy must not see it */
			total += n + 1;
		}
	writer_drain(w);
	writer_free(w);
	assert_int_equal(ls.n, total);
	assert_int_equal(ls.bad, 0);
	for (unsigned l = 0; l < LISTS; l++) {
		assert_int_equal(ls.released[l], 2);
		/* released right after its last record, before the next */
		assert_int_equal(ls.n_at_release[l], want[l]);
	}
	/* A lending shorter than the batch that wakes the thread is not left
	 * waiting for more records: its lender may wait for it (no drain). */
	w = writer_new(64, 50, lent_report, &ls);
	assert_non_null(w);
	one->id = 7;
	writer_submit(w, one);
	writer_drain(w);            /* the thread is asleep when it returns */
	ls.list[0][0].id = 1000;
	ptr[0] = &ls.list[0][0];
	writer_submit_refs(w, ptr, 1, lent_back, &ls, (void *)(uintptr_t)0);
	pthread_mutex_lock(&ls.mu);
	for (int tries = 0; ls.released[0] < 3 && tries < 50; tries++) {
		struct timespec t;

		clock_gettime(CLOCK_REALTIME, &t);
		t.tv_nsec += 100 * 1000 * 1000;
		if (t.tv_nsec >= 1000000000L) {
			t.tv_sec++;
			t.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&ls.cv, &ls.mu, &t);
	}
	pthread_mutex_unlock(&ls.mu);
	assert_int_equal(ls.released[0], 3);    /* within 5 s */
	writer_free(w);
	for (unsigned l = 0; l < LISTS; l++)
		free(ls.list[l]);
	free(one);
}

struct idle_seen {
	struct seen *s;
	int calls;
	uint64_t n_at_last;           /* records written when it last ran */
};

static void on_idle(void *ctx)
{
	struct idle_seen *is = ctx;

	pthread_mutex_lock(&is->s->mu);
	is->calls++;
	is->n_at_last = is->s->n;
	pthread_mutex_unlock(&is->s->mu);
}

struct both {                     /* writer_fn and idle share one ctx */
	struct seen s;
	struct idle_seen is;
};

static void both_report(void *ctx, const struct flow_record *r)
{
	check_report(&((struct both *)ctx)->s, r);
}

static void both_idle(void *ctx)
{
	on_idle(&((struct both *)ctx)->is);
}

/* Records written so far, waiting up to ms for at least want. */
static uint64_t written_within(struct seen *s, uint64_t want, int ms)
{
	const struct timespec tick = { 0, 1000000L };
	uint64_t n = 0;

	for (int t = 0; t <= ms; t++) {
		pthread_mutex_lock(&s->mu);
		n = s->n;
		pthread_mutex_unlock(&s->mu);
		if (n >= want)
			break;
		nanosleep(&tick, NULL);
	}
	return n;
}

static void test_time_bound(void **state)
{
	struct both b = { .s = { .mu = PTHREAD_MUTEX_INITIALIZER } };
	struct writer *w = writer_new(64, 50, both_report, &b);
	struct job a = { w, 0, 7, 0, 1 }, one = { w, 1, 1, 0, 1 };
	uint64_t wk;

	(void)state;
	b.is.s = &b.s;
	assert_non_null(w);
	/* No bound: 7 of a batch of 50 stay queued (once the thread sleeps:
	 * it does when a drain that had a record to wait for has returned). */
	submit(&one);
	writer_drain(w);
	submit(&a);
	assert_int_equal(written_within(&b.s, 8, 300), 1);
	writer_drain(w);
	assert_int_equal(b.s.n, 8);
	/* Bounded at 50 ms: written within two seconds, no drain. */
	writer_set_latency(w, 50, both_idle);
	wk = writer_wakeups(w);
	b.s.next[0] = 0;
	submit(&a);
	assert_int_equal(written_within(&b.s, 15, 2000), 15);
	writer_drain(w);              /* returns after the idle function */
	assert_int_equal(b.is.calls, 1);
	assert_int_equal(b.is.n_at_last, 15);
	assert_true(writer_wakeups(w) - wk <= 2);   /* 1 unless preempted */
	assert_int_equal(b.s.bad, 0);
	writer_free(w);
	assert_int_equal(b.is.calls, 1);  /* nothing written since */
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
		cmocka_unit_test(test_ahead),
		cmocka_unit_test(test_lent),
		cmocka_unit_test(test_time_bound),
		cmocka_unit_test(test_bad_sizes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
