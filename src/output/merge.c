/* merge.c: the ordered merge of offline engines' records (see merge.h). */
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "output/merge.h"

/* One engine's records not written yet: items[head .. n). */
struct stream {
	struct merge_item *items;
	size_t head, n, cap;
	struct merge_step *steps;    /* steps[shead .. nsteps) not summed */
	size_t shead, nsteps, capsteps;
	uint64_t now[MERGE_GAUGES];  /* the gauges after the last step summed */
	uint64_t upto;               /* no later record has a lower pos */
	struct merge_item *mark;     /* or a key not above the last one pushed
				      * (merge_push_upto): points into wm */
	struct merge_item wm;
};

struct merge {
	pthread_mutex_t mu;
	struct stream *s;
	unsigned ns;
	uint64_t held, peak;
	uint64_t sum[MERGE_GAUGES], top[MERGE_GAUGES];
	merge_fn fn;
	void *ctx;
};

struct merge *merge_new(unsigned n, merge_fn fn, void *ctx)
{
	struct merge *m;

	if (n == 0 || (m = calloc(1, sizeof(*m))) == NULL)
		return NULL;
	m->s = calloc(n, sizeof(*m->s));
	if (m->s == NULL || pthread_mutex_init(&m->mu, NULL) != 0) {
		free(m->s);
		free(m);
		return NULL;
	}
	m->ns = n;
	m->fn = fn;
	m->ctx = ctx;
	return m;
}

void merge_free(struct merge *m)
{
	if (m == NULL)
		return;
	for (unsigned i = 0; i < m->ns; i++) {
		free(m->s[i].items);
		free(m->s[i].steps);
	}
	free(m->s);
	pthread_mutex_destroy(&m->mu);
	free(m);
}

static int cmp_u64(uint64_t a, uint64_t b)
{
	return (a > b) - (a < b);
}

int merge_cmp(const struct merge_item *a, const struct merge_item *b)
{
	int c = cmp_u64(a->pos, b->pos);

	if (c == 0)
		c = cmp_u64(a->rec.last_us, b->rec.last_us);
	if (c == 0)
		c = cmp_u64(a->rec.id, b->rec.id);
	if (c == 0)
		c = cmp_u64(a->rec.why, b->rec.why);
	return c;
}

static int cmp_items(const void *x, const void *y)
{
	return merge_cmp(x, y);
}

void merge_sort(struct merge_item *items, size_t n)
{
	size_t i;

	for (i = 1; i < n && merge_cmp(&items[i - 1], &items[i]) <= 0; i++)
		;
	if (i < n)
		qsort(items, n, sizeof(*items), cmp_items);
}

/* Room for `more` elements of `size` bytes in the array *v holding
 * [*head, *n) of *cap, the consumed ones dropped from the front. */
static int fifo_reserve(void **v, size_t *head, size_t *n, size_t *cap,
			size_t size, size_t more)
{
	size_t live = *n - *head, c;
	void *p;

	if (*head > 0) {
		memmove(*v, (char *)*v + *head * size, live * size);
		*head = 0;
		*n = live;
	}
	if (live + more <= *cap)
		return 0;
	c = *cap ? *cap : 64;
	while (c < live + more)
		c *= 2;
	p = realloc(*v, c * size);
	if (p == NULL)
		return -1;
	*v = p;
	*cap = c;
	return 0;
}

/* Room for n more items in s, moving the unwritten ones to the front. */
static int reserve(struct stream *s, size_t n)
{
	void *v = s->items;
	int rc = fifo_reserve(&v, &s->head, &s->n, &s->cap, sizeof(*s->items), n);

	s->items = v;
	return rc;
}

/* Room for n more steps in s. */
static int reserve_steps(struct stream *s, size_t n)
{
	void *v = s->steps;
	int rc = fifo_reserve(&v, &s->shead, &s->nsteps, &s->capsteps,
			      sizeof(*s->steps), n);

	s->steps = v;
	return rc;
}

static uint64_t low_watermark(const struct merge *m)
{
	uint64_t low = UINT64_MAX;

	for (unsigned i = 0; i < m->ns; i++)
		if (m->s[i].upto < low)
			low = m->s[i].upto;
	return low;
}

/* Sums the steps below the low watermark in clock order: the peak of the
 * sum is reached at some step, the others' gauges being what they were
 * then.  Steps of one pos (a sweep in every engine) only lower them. */
static void sum_steps(struct merge *m)
{
	uint64_t low = low_watermark(m);

	for (;;) {
		struct stream *best = NULL;

		for (unsigned i = 0; i < m->ns; i++) {
			struct stream *s = &m->s[i];

			if (s->shead < s->nsteps && s->steps[s->shead].pos < low &&
			    (best == NULL || s->steps[s->shead].pos <
			     best->steps[best->shead].pos))
				best = s;
		}
		if (best == NULL)
			return;
		for (int g = 0; g < MERGE_GAUGES; g++) {
			const struct merge_step *st = &best->steps[best->shead];
			uint64_t others = m->sum[g] - best->now[g];

			if (others + st->top[g] > m->top[g])
				m->top[g] = others + st->top[g];
			m->sum[g] = others + st->now[g];
			best->now[g] = st->now[g];
		}
		best->shead++;
	}
}

/* Whether stream s can still give a record that goes before it. */
static bool may_precede(const struct stream *s, const struct merge_item *it)
{
	if (s->mark)
		return merge_cmp(s->mark, it) < 0;
	return s->upto <= it->pos;
}

/* The stream whose head is written next, or -1 when none may be yet: the
 * least head, once no other stream can give one before it (a stream's
 * own later records never go before its head). */
static int next_stream(const struct merge *m)
{
	int best = -1;

	for (unsigned i = 0; i < m->ns; i++) {
		const struct stream *s = &m->s[i];

		if (s->head < s->n && (best < 0 ||
		    merge_cmp(&s->items[s->head],
			      &m->s[best].items[m->s[best].head]) < 0))
			best = (int)i;
	}
	for (unsigned i = 0; best >= 0 && i < m->ns; i++)
		if ((int)i != best &&
		    may_precede(&m->s[i], &m->s[best].items[m->s[best].head]))
			return -1;
	return best;
}

static void write_ready(struct merge *m)
{
	int i;

	while ((i = next_stream(m)) >= 0) {
		struct stream *s = &m->s[i];

		m->fn(m->ctx, &s->items[s->head].rec);
		s->head++;
		m->held--;
	}
}

int merge_push(struct merge *m, unsigned si, const struct merge_item *items,
	       size_t n, const struct merge_step *steps, size_t nsteps,
	       uint64_t upto)
{
	struct stream *s = &m->s[si];
	int rc = 0;

	pthread_mutex_lock(&m->mu);
	if (n && reserve(s, n) != 0) {
		/* Out of memory: what is held goes first, then these. */
		for (unsigned i = 0; i < m->ns; i++) {
			m->s[i].upto = UINT64_MAX;
			m->s[i].mark = NULL;
		}
		write_ready(m);
		for (size_t i = 0; i < n; i++)
			m->fn(m->ctx, &items[i].rec);
		n = 0;
		rc = -1;
	}
	if (n) {
		memcpy(s->items + s->n, items, n * sizeof(*items));
		s->n += n;
		m->held += n;
		if (m->held > m->peak)
			m->peak = m->held;
	}
	if (nsteps && reserve_steps(s, nsteps) == 0) {
		memcpy(s->steps + s->nsteps, steps, nsteps * sizeof(*steps));
		s->nsteps += nsteps;
	} else if (nsteps) {
		rc = -1;
	}
	if (upto > s->upto) {
		s->upto = upto;
		s->mark = NULL;
	}
	sum_steps(m);
	write_ready(m);
	pthread_mutex_unlock(&m->mu);
	return rc;
}

int merge_push_upto(struct merge *m, unsigned si,
		    const struct merge_item *items, size_t n)
{
	struct stream *s = &m->s[si];
	int rc;

	if (n == 0)
		return 0;
	/* The items first, under the mark of the chunk before (at most their
	 * first key); only then the mark rises to their last: raised before
	 * they were in, it let other streams' records past them.  The pos
	 * watermark stays below: steps at this pos wait. */
	rc = merge_push(m, si, items, n, NULL, 0, 0);
	pthread_mutex_lock(&m->mu);
	s->wm.pos = items[n - 1].pos;
	s->wm.rec.last_us = items[n - 1].rec.last_us;
	s->wm.rec.id = items[n - 1].rec.id;
	s->wm.rec.why = items[n - 1].rec.why;
	s->mark = &s->wm;
	write_ready(m);
	pthread_mutex_unlock(&m->mu);
	return rc;
}

void merge_peaks(struct merge *m, uint64_t peak[MERGE_GAUGES])
{
	pthread_mutex_lock(&m->mu);
	for (int g = 0; g < MERGE_GAUGES; g++)
		peak[g] = m->top[g];
	pthread_mutex_unlock(&m->mu);
}

void merge_counters(struct merge *m, uint64_t *held, uint64_t *peak)
{
	pthread_mutex_lock(&m->mu);
	*held = m->held;
	*peak = m->peak;
	pthread_mutex_unlock(&m->mu);
}
