/* writer.c: the record writer thread (see writer.h). */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "output/writer.h"

struct writer {
	pthread_mutex_t mu;
	pthread_cond_t filled, emptied;   /* a slot was filled / freed */
	pthread_t thread;
	struct flow_record *ring;
	unsigned cap, head, count;        /* count: filled, not yet written */
	unsigned batch;                   /* wake a sleeping thread at this count */
	bool sleeping;                    /* the thread waits for `filled` */
	bool stop;
	uint64_t records, peak, waits;    /* see writer_counters */
	writer_fn fn;
	void *ctx;
};

static void *run(void *arg)
{
	struct writer *w = arg;

	pthread_mutex_lock(&w->mu);
	for (;;) {
		struct flow_record *r;

		while (w->count == 0 && !w->stop) {
			w->sleeping = true;
			pthread_cond_wait(&w->filled, &w->mu);
			w->sleeping = false;
		}
		if (w->count == 0)
			break;                    /* stopped and drained */
		r = &w->ring[w->head];
		pthread_mutex_unlock(&w->mu);
		w->fn(w->ctx, r);                 /* the slot is ours till freed */
		pthread_mutex_lock(&w->mu);
		w->head = (w->head + 1) % w->cap;
		w->count--;
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

struct writer *writer_new(unsigned depth, unsigned batch, writer_fn fn,
			  void *ctx)
{
	struct writer *w = calloc(1, sizeof(*w));

	if (w == NULL || depth == 0 || batch == 0 || batch > depth)
		goto fail;
	w->batch = batch;
	w->ring = calloc(depth, sizeof(*w->ring));
	if (w->ring == NULL)
		goto fail;
	w->cap = depth;
	w->fn = fn;
	w->ctx = ctx;
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->filled, NULL);
	pthread_cond_init(&w->emptied, NULL);
	if (start_thread(w) != 0) {
		pthread_cond_destroy(&w->emptied);
		pthread_cond_destroy(&w->filled);
		pthread_mutex_destroy(&w->mu);
		goto fail;
	}
	return w;
fail:
	if (w)
		free(w->ring);
	free(w);
	return NULL;
}

void writer_submit(struct writer *w, const struct flow_record *r)
{
	pthread_mutex_lock(&w->mu);
	if (w->count == w->cap)
		w->waits++;
	while (w->count == w->cap)
		pthread_cond_wait(&w->emptied, &w->mu);
	w->ring[(w->head + w->count) % w->cap] = *r;
	w->count++;
	w->records++;
	if (w->count > w->peak)
		w->peak = w->count;
	if (w->sleeping && w->count >= w->batch)
		pthread_cond_signal(&w->filled);
	pthread_mutex_unlock(&w->mu);
}

void writer_drain(struct writer *w)
{
	pthread_mutex_lock(&w->mu);
	if (w->count > 0)
		pthread_cond_signal(&w->filled);  /* a batch not yet full */
	while (w->count > 0)
		pthread_cond_wait(&w->emptied, &w->mu);
	pthread_mutex_unlock(&w->mu);
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
	free(w);
}
