/* writer.c: the record writer thread (see writer.h). */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "output/writer.h"

struct writer {
	pthread_mutex_t mu;
	pthread_cond_t filled, emptied;   /* a slot was filled / freed */
	pthread_t thread;
	struct flow_record *ring;         /* the copies */
	const struct flow_record **rec;   /* slot i's record: ring + i, or lent */
	struct lent *lent;                /* slot i's release, if any */
	unsigned cap, head, count;        /* count: filled, not yet written */
	unsigned at;                      /* writer thread only: the record fn
					   * has, counted from head */
	unsigned batch;                   /* wake a sleeping thread at this count */
	bool sleeping;                    /* the thread waits for `filled` */
	bool idle;                        /* ... with nothing queued, untimed */
	bool stop;
	bool busy;                        /* in the idle function */
	bool dirty;                       /* written since the idle function */
	unsigned hurry;                   /* drains waiting: no batch wait */
	unsigned max_delay_ms;            /* 0: no time bound (see header) */
	uint64_t records, peak, waits;    /* see writer_counters */
	uint64_t wakeups;                 /* times the thread started writing */
	writer_fn fn;
	writer_idle_fn idle_fn;
	void *ctx;
};

/* What to call once a slot's record is written (fn NULL: nothing). */
struct lent {
	writer_release_fn fn;
	void *ctx, *token;
};

/* now + ms on CLOCK_MONOTONIC (the clock the condition waits on). */
static struct timespec deadline(unsigned ms)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	t.tv_sec += (time_t)(ms / 1000);
	t.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (t.tv_nsec >= 1000000000L) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000L;
	}
	return t;
}

/* Called with the lock held and nothing queued: runs the idle function
 * once after records were written (busy keeps writer_drain waiting). */
static void run_idle(struct writer *w)
{
	w->dirty = false;
	w->busy = true;
	pthread_mutex_unlock(&w->mu);
	w->idle_fn(w->ctx);
	pthread_mutex_lock(&w->mu);
	w->busy = false;
	pthread_cond_broadcast(&w->emptied);
}

/* Called with the lock held and count > 0: with a time bound, waits until
 * a batch is queued, max_delay_ms have passed, or someone drains/stops. */
static void gather(struct writer *w)
{
	struct timespec until;

	if (w->max_delay_ms == 0 || w->count >= w->batch || w->hurry || w->stop)
		return;
	until = deadline(w->max_delay_ms);
	w->sleeping = true;
	while (w->count < w->batch && !w->hurry && !w->stop)
		if (pthread_cond_timedwait(&w->filled, &w->mu, &until) != 0)
			break;                    /* time is up */
	w->sleeping = false;
}

static void *run(void *arg)
{
	struct writer *w = arg;

	pthread_mutex_lock(&w->mu);
	for (;;) {
		unsigned n;

		while (w->count == 0 && !w->stop) {
			if (w->dirty && w->idle_fn) {
				run_idle(w);
				continue;
			}
			w->sleeping = w->idle = true;
			pthread_cond_wait(&w->filled, &w->mu);
			w->sleeping = w->idle = false;
			if (w->count > 0) {
				w->wakeups++;
				gather(w);
			}
		}
		if (w->count == 0) {              /* stopped and drained */
			if (w->dirty && w->idle_fn)
				run_idle(w);
			break;
		}
		w->dirty = true;
		/* The slots are ours till freed: a quarter of the ring at a
		 * time, so that the submitters need not wait for all of it. */
		n = w->count < w->cap / 4 + 1 ? w->count : w->cap / 4 + 1;
		pthread_mutex_unlock(&w->mu);
		for (w->at = 0; w->at < n; w->at++) {
			unsigned k = (w->head + w->at) % w->cap;

			w->fn(w->ctx, w->rec[k]);
			if (w->lent[k].fn != NULL)
				w->lent[k].fn(w->lent[k].ctx, w->lent[k].token);
		}
		pthread_mutex_lock(&w->mu);
		w->head = (w->head + n) % w->cap;
		w->count -= n;
		pthread_cond_broadcast(&w->emptied);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

/* Starts the thread with every signal blocked: handlers run on the
 * program's main thread, never in the middle of a write here. */
static int start_thread(struct writer *w)
{
	sigset_t all, old;
	int rc;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	rc = pthread_create(&w->thread, NULL, run, w);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}

/* `filled` times its waits on CLOCK_MONOTONIC: a step of the wall clock
 * neither stretches nor cuts a batch's wait. */
static void init_conds(struct writer *w)
{
	pthread_condattr_t ca;

	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&w->filled, &ca);
	pthread_condattr_destroy(&ca);
	pthread_cond_init(&w->emptied, NULL);
}

struct writer *writer_new(unsigned depth, unsigned batch, writer_fn fn,
			  void *ctx)
{
	struct writer *w = calloc(1, sizeof(*w));

	if (w == NULL || depth == 0 || batch == 0 || batch > depth)
		goto fail;
	w->batch = batch;
	w->ring = calloc(depth, sizeof(*w->ring));
	w->rec = calloc(depth, sizeof(*w->rec));
	w->lent = calloc(depth, sizeof(*w->lent));
	if (w->ring == NULL || w->rec == NULL || w->lent == NULL)
		goto fail;
	w->cap = depth;
	w->fn = fn;
	w->ctx = ctx;
	pthread_mutex_init(&w->mu, NULL);
	init_conds(w);
	if (start_thread(w) != 0) {
		pthread_cond_destroy(&w->emptied);
		pthread_cond_destroy(&w->filled);
		pthread_mutex_destroy(&w->mu);
		goto fail;
	}
	return w;
fail:
	if (w) {
		free(w->ring);
		free(w->rec);
		free(w->lent);
	}
	free(w);
	return NULL;
}

unsigned writer_ahead(struct writer *w, const struct flow_record **out,
		      unsigned max)
{
	unsigned n;

	pthread_mutex_lock(&w->mu);
	n = w->count > w->at ? w->count - w->at - 1 : 0; /* after fn's */
	if (n > max)
		n = max;
	for (unsigned i = 0; i < n; i++)
		out[i] = w->rec[(w->head + w->at + 1 + i) % w->cap];
	pthread_mutex_unlock(&w->mu);
	return n;
}

/* Called with the lock held: wakes a sleeping thread at a batch, or
 * `now` (a lender waits for its records back); with a time bound also at
 * the first record (the thread then gathers the rest for at most
 * max_delay_ms). */
static void wake(struct writer *w, bool now)
{
	if (w->sleeping && (now || w->count >= w->batch ||
			    (w->idle && w->max_delay_ms > 0)))
		pthread_cond_signal(&w->filled);
}

/* Queues r[0..n) under the lock, copied (rel NULL) or lent (rel: the
 * release of the last). */
static void submit(struct writer *w, const struct flow_record *const *r,
		   size_t n, const struct lent *rel)
{
	pthread_mutex_lock(&w->mu);
	for (size_t i = 0; i < n; i++) {
		unsigned k;

		if (w->count == w->cap) {
			w->waits++;
			wake(w, false);
			do
				pthread_cond_wait(&w->emptied, &w->mu);
			while (w->count == w->cap);
		}
		k = (w->head + w->count) % w->cap;
		if (rel == NULL) {
			record_copy(&w->ring[k], r[i]);
			w->rec[k] = &w->ring[k];
		} else {
			w->rec[k] = r[i];
		}
		w->lent[k] = rel && i + 1 == n ? *rel : (struct lent){ 0 };
		w->count++;
		w->records++;
		if (w->count > w->peak)
			w->peak = w->count;
	}
	wake(w, rel != NULL && rel->fn != NULL);
	pthread_mutex_unlock(&w->mu);
}

void writer_submit_many(struct writer *w, const struct flow_record *const *r,
			size_t n)
{
	submit(w, r, n, NULL);
}

void writer_submit_refs(struct writer *w, const struct flow_record *const *r,
			size_t n, writer_release_fn release, void *ctx,
			void *token)
{
	struct lent rel = { release, ctx, token };

	submit(w, r, n, &rel);
}

void writer_submit(struct writer *w, const struct flow_record *r)
{
	writer_submit_many(w, &r, 1);
}

void writer_drain(struct writer *w)
{
	pthread_mutex_lock(&w->mu);
	w->hurry++;
	if (w->count > 0)
		pthread_cond_signal(&w->filled);  /* a batch not yet full */
	while (w->count > 0 || w->busy)
		pthread_cond_wait(&w->emptied, &w->mu);
	w->hurry--;
	pthread_mutex_unlock(&w->mu);
}

void writer_set_latency(struct writer *w, unsigned max_delay_ms,
			writer_idle_fn idle)
{
	pthread_mutex_lock(&w->mu);
	w->max_delay_ms = max_delay_ms;
	w->idle_fn = idle;
	pthread_mutex_unlock(&w->mu);
}

uint64_t writer_wakeups(struct writer *w)
{
	uint64_t n;

	pthread_mutex_lock(&w->mu);
	n = w->wakeups;
	pthread_mutex_unlock(&w->mu);
	return n;
}

void writer_counters(struct writer *w, uint64_t *records, uint64_t *peak,
		     uint64_t *waits)
{
	pthread_mutex_lock(&w->mu);
	*records = w->records;
	*peak = w->peak;
	*waits = w->waits;
	pthread_mutex_unlock(&w->mu);
}

void writer_free(struct writer *w)
{
	if (w == NULL)
		return;
	pthread_mutex_lock(&w->mu);
	w->stop = true;
	pthread_cond_signal(&w->filled);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->thread, NULL);
	pthread_cond_destroy(&w->emptied);
	pthread_cond_destroy(&w->filled);
	pthread_mutex_destroy(&w->mu);
	free(w->ring);
	free(w->rec);
	free(w->lent);
	free(w);
}
