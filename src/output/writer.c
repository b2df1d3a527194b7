/* writer.c: the record writer thread (see writer.h). */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "classify/classify.h"
#include "output/writer.h"

/* One queued report: the report and copies of everything it points to. */
struct slot {
	struct flow_report r;
	struct flow f;
	uint32_t labels[CLASSIFY_MAX_LABELS];
	struct audit_result audit;
	struct inspect_view iv;
	char names[INSPECT_VIEW_BUFLEN];  /* the view's strings */
};

struct writer {
	pthread_mutex_t mu;
	pthread_cond_t filled, emptied;   /* a slot was filled / freed */
	pthread_t thread;
	struct slot *ring;
	unsigned cap, head, count;        /* count: filled, not yet written */
	unsigned batch;                   /* wake a sleeping thread at this count */
	bool sleeping;                    /* the thread waits for `filled` */
	bool stop;
	writer_fn fn;
	void *ctx;
};

/* Copies string s into buf at *used (NULL stays NULL; a string that does
 * not fit reads NULL, as inspect_view does). */
static const char *keep(const char *s, char *buf, size_t len, size_t *used)
{
	size_t n;

	if (s == NULL)
		return NULL;
	n = strlen(s);
	if (n + 1 > len - *used)
		return NULL;
	memcpy(buf + *used, s, n + 1);
	*used += n + 1;
	return buf + *used - n - 1;
}

static void copy_view(struct slot *d, const struct inspect_view *v)
{
	size_t used = 0;

	d->iv = *v;
	d->iv.app_proto = keep(v->app_proto, d->names, sizeof(d->names), &used);
	d->iv.app_master = keep(v->app_master, d->names, sizeof(d->names), &used);
	d->iv.guess = keep(v->guess, d->names, sizeof(d->names), &used);
	d->iv.confidence = keep(v->confidence, d->names, sizeof(d->names), &used);
	d->iv.host = keep(v->host, d->names, sizeof(d->names), &used);
	d->iv.tls_version = keep(v->tls_version, d->names, sizeof(d->names), &used);
	d->iv.ja3 = keep(v->ja3, d->names, sizeof(d->names), &used);
	d->iv.ja3s = keep(v->ja3s, d->names, sizeof(d->names), &used);
	d->r.iv = &d->iv;
}

static void copy_report(struct slot *d, const struct flow_report *r)
{
	int n = r->nlabels < CLASSIFY_MAX_LABELS ? r->nlabels : CLASSIFY_MAX_LABELS;

	d->r = *r;
	d->f = *r->f;
	d->r.f = &d->f;
	memcpy(d->labels, r->labels, (size_t)n * sizeof(d->labels[0]));
	d->r.labels = d->labels;
	d->r.nlabels = n;
	d->audit = *r->audit;
	d->r.audit = &d->audit;
	d->r.iv = NULL;
	if (r->iv)
		copy_view(d, r->iv);
}

static void *run(void *arg)
{
	struct writer *w = arg;

	pthread_mutex_lock(&w->mu);
	for (;;) {
		struct slot *s;

		while (w->count == 0 && !w->stop) {
			w->sleeping = true;
			pthread_cond_wait(&w->filled, &w->mu);
			w->sleeping = false;
		}
		if (w->count == 0)
			break;                    /* stopped and drained */
		s = &w->ring[w->head];
		pthread_mutex_unlock(&w->mu);
		w->fn(w->ctx, &s->r);             /* the slot is ours till freed */
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

void writer_submit(struct writer *w, const struct flow_report *r)
{
	pthread_mutex_lock(&w->mu);
	while (w->count == w->cap)
		pthread_cond_wait(&w->emptied, &w->mu);
	copy_report(&w->ring[(w->head + w->count) % w->cap], r);
	w->count++;
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
