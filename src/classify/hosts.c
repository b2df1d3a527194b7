/* hosts.c: the inferred servers, an open-addressing table that only grows.
 *
 * Slots are written once: hosts_mark() fills a free slot's entry under the
 * lock, then publishes it by setting `used` with release order; readers
 * probe without the lock and read an entry only after an acquire load of
 * `used` says it is there.  Nothing is ever deleted, so a probe that
 * reaches an unused slot has seen every entry that was published before.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "classify/hosts.h"

#define SLOTS (2u * HOSTS_MAX) /* a power of two: load stays <= 1/2 */

struct slot {
	atomic_uchar used;
	_Atomic uint64_t pos;      /* the clock of the kept mark (a view's) */
	struct host_seen e;
};

/* The calling thread's view (hosts_view); wait NULL: none. */
struct view {
	uint64_t pos, bound, ready; /* ready: bound already waited for */
	hosts_wait_fn wait;
	void *ctx;
};

static _Thread_local struct view tl_view;

void hosts_view(uint64_t pos, uint64_t bound, hosts_wait_fn wait, void *ctx)
{
	struct view *v = &tl_view;

	if (wait != v->wait || ctx != v->ctx)
		v->ready = 0;
	v->pos = pos;
	v->bound = bound;
	v->wait = wait;
	v->ctx = ctx;
}

struct hosts {
	pthread_mutex_t lock;
	uint32_t n;                /* entries published */
	uint64_t dropped;
	struct slot slot[SLOTS];
};

/* The address as two words (their byte order is the machine's: only
 * this process sees the hash). */
static void addr_words(const uint8_t a[16], uint64_t w[2])
{
	memcpy(w, a, 16);
}

static uint32_t addr_hash(int ipver, const uint8_t a[16])
{
	uint64_t w[2], lo, hi;

	addr_words(a, w);
	lo = (w[0] ^ (uint64_t)(unsigned)ipver) * 0x9e3779b97f4a7c15ULL;
	hi = (w[1] ^ (lo >> 29)) * 0xbf58476d1ce4e5b9ULL;
	return (uint32_t)((lo ^ hi) >> 32);
}

static bool same(const struct host_seen *e, int ipver, const uint8_t a[16])
{
	uint64_t x[2], y[2];

	addr_words(e->addr, x);
	addr_words(a, y);
	return e->ipver == ipver && ((x[0] ^ y[0]) | (x[1] ^ y[1])) == 0;
}

struct hosts *hosts_new(void)
{
	struct hosts *h = calloc(1, sizeof(*h));

	if (h != NULL && pthread_mutex_init(&h->lock, NULL) != 0) {
		free(h);
		return NULL;
	}
	return h;
}

void hosts_free(struct hosts *h)
{
	if (h == NULL)
		return;
	pthread_mutex_destroy(&h->lock);
	free(h);
}

/* The index of the slot of (ipver, a), or of the unused slot where it
 * would go, probing from slot i on (i: addr_hash's, or a slot this
 * probe reached before: nothing is deleted, so the slots before it on
 * the path still hold other addresses). */
static uint32_t probe_from(const struct hosts *h, int ipver,
			   const uint8_t a[16], uint32_t i)
{
	for (;; i = (i + 1) & (SLOTS - 1)) {
		const struct slot *s = &h->slot[i];

		if (!atomic_load_explicit(&s->used, memory_order_acquire) ||
		    same(&s->e, ipver, a))
			return i;
	}
}

static uint32_t probe(const struct hosts *h, int ipver, const uint8_t a[16])
{
	return probe_from(h, ipver, a, addr_hash(ipver, a) & (SLOTS - 1));
}

/* The slot's entry if this thread's view sees it. */
static const struct host_seen *seen(const struct slot *s)
{
	const struct view *v = &tl_view;

	if (!atomic_load_explicit(&s->used, memory_order_acquire))
		return NULL;
	if (v->wait && atomic_load_explicit(&s->pos, memory_order_acquire) >= v->bound)
		return NULL;
	return &s->e;
}

const struct host_seen *hosts_find(const struct hosts *h, int ipver,
				   const uint8_t addr[16])
{
	struct view *v = &tl_view;
	const struct host_seen *e;
	uint32_t i;

	if (h == NULL)
		return NULL;
	i = probe(h, ipver, addr);
	e = seen(&h->slot[i]);
	if (e != NULL || v->wait == NULL || v->ready >= v->bound)
		return e;
	/* Another engine may still mark it below the bound: wait, look again
	 * (from where the probe stopped). */
	v->wait(v->ctx, v->bound);
	v->ready = v->bound;
	return seen(&h->slot[probe_from(h, ipver, addr, i)]);
}

bool hosts_marked_below(const struct hosts *h, int ipver,
			const uint8_t addr[16], uint64_t pos)
{
	const struct slot *s;

	if (h == NULL)
		return false;
	s = &h->slot[probe(h, ipver, addr)];
	return atomic_load_explicit(&s->used, memory_order_acquire) &&
	       atomic_load_explicit(&s->pos, memory_order_acquire) < pos;
}

/* Whether a mark (pos, first_us, port, rule) comes before e's. */
static bool earlier(uint64_t pos, uint64_t first_us, uint16_t port,
		    uint32_t rule, uint64_t epos, const struct host_seen *e)
{
	if (pos != epos)
		return pos < epos;
	if (first_us != e->first_us)
		return first_us < e->first_us;
	if (port != e->port)
		return port < e->port;
	return rule < e->rule;
}

void hosts_mark(struct hosts *h, int ipver, const uint8_t addr[16],
		uint8_t l4, uint16_t port, uint32_t rule, uint64_t first_us)
{
	const struct view *v = &tl_view;
	uint64_t pos = v->wait ? v->pos : 0;
	struct slot *s;

	if (h == NULL)
		return;
	s = &h->slot[probe(h, ipver, addr)];
	if (atomic_load_explicit(&s->used, memory_order_acquire) &&
	    (v->wait == NULL || atomic_load_explicit(&s->pos, memory_order_acquire) < pos))
		return;
	pthread_mutex_lock(&h->lock);
	s = &h->slot[probe(h, ipver, addr)];
	if (atomic_load_explicit(&s->used, memory_order_relaxed)) {
		/* Known: an earlier mark (offline) replaces what it showed. */
		if (v->wait && earlier(pos, first_us, port, rule,
				       atomic_load_explicit(&s->pos, memory_order_relaxed),
				       &s->e)) {
			s->e.l4 = l4;
			s->e.port = port;
			s->e.rule = rule;
			s->e.first_us = first_us;
			atomic_store_explicit(&s->pos, pos, memory_order_release);
		}
	} else if (h->n >= HOSTS_MAX) {
		h->dropped++;
	} else {
		memcpy(s->e.addr, addr, 16);
		s->e.ipver = (uint8_t)ipver;
		s->e.l4 = l4;
		s->e.port = port;
		s->e.rule = rule;
		s->e.first_us = first_us;
		h->n++;
		atomic_store_explicit(&s->pos, pos, memory_order_relaxed);
		atomic_store_explicit(&s->used, 1, memory_order_release);
	}
	pthread_mutex_unlock(&h->lock);
}

static int cmp_host(const void *x, const void *y)
{
	const struct host_seen *a = x, *b = y;

	if (a->ipver != b->ipver)
		return a->ipver < b->ipver ? -1 : 1;
	return memcmp(a->addr, b->addr, 16);
}

struct host_seen *hosts_sorted(const struct hosts *h, uint32_t *n)
{
	struct host_seen *out;
	uint32_t k = 0;

	*n = 0;
	if (h == NULL || h->n == 0 || (out = malloc(h->n * sizeof(*out))) == NULL)
		return NULL;
	for (uint32_t i = 0; i < SLOTS && k < h->n; i++)
		if (atomic_load_explicit(&h->slot[i].used, memory_order_acquire))
			out[k++] = h->slot[i].e;
	qsort(out, k, sizeof(*out), cmp_host);
	*n = k;
	return out;
}

uint64_t hosts_dropped(const struct hosts *h)
{
	return h == NULL ? 0 : h->dropped;
}
