/* filework.c: the reader's hand-off to N engine threads (see filework.h). */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture/decode.h"
#include "filework.h"
#include "output/merge.h"
#include "util/hash.h"

#define BATCH_PKTS 256u          /* packets per round of batches */
#define BATCH_ITEMS (2u * BATCH_PKTS + 1u) /* and a sweep before each, a flush */
#define BATCH_BYTES (512u * 1024u) /* packet bytes per batch */
/* The engines other than the reader's read the records of a file the
 * reader's own reader reads (capture_records) themselves: the reader
 * hands them the round's span of the file, and each decodes every record
 * of it, picks its own by a cheap hash (owner_hash) and runs them.  What
 * one core wrote and another then reads crosses between the cores'
 * caches, and that costs more than reading the bytes again from the page
 * cache (deploy capture, 2 engines fed the reader's packets: engine 1
 * took about twice engine 0's time for the same work).  A round's records
 * lie within SPAN_BYTES of the file, read CURSOR_BYTES at a time. */
#define CURSOR_BYTES ((size_t)1 << 20)
#define SPAN_BYTES BATCH_BYTES
#define DEPTH 8u                 /* batches per engine */
#define AHEAD_ROUNDS (2u * DEPTH) /* rounds not run yet that the reader
				   * keeps count of (at most DEPTH) */
#define FLUSH_CHUNK 256u         /* records handed on at a time at the end */
#define SWEEP_EVERY_US 1000000u  /* as one engine sweeps (engine.c) */
/* A thread that waits for another first spins (about 2,000 pauses: a
 * few microseconds, the other is usually running and near), then yields
 * its core a few times (to the thread the other is waiting for, when they
 * share a core), and only then sleeps: on 2 cores with more threads
 * than cores, sleeping and waking at every wait cost more than half of
 * the second engine's gain (deploy capture, --no-dpi, 2 engines: 62,000
 * context switches a run). */
#define WAIT_SPINS 2000
#define WAIT_YIELDS 50
#define POP_YIELDS 20
/* An engine thread waiting for its next batch spins about a millisecond
 * (a round's time or more) when every thread has a core: asleep, it would
 * be woken at each round, and on this kind of virtual machine a wake-up
 * costs tens of microseconds that the other engine then spends waiting
 * for its marks (deploy capture, 2 engines: 27,000 context switches a
 * run, then 2,600). */
#define POP_SPINS 50000u

/* Engine 0 runs on the reader's thread and takes a smaller share of the
 * flows, as it also reads and decodes every packet: LEAD_SHARE / n (deploy
 * capture, 2 engines, 5 to 9 alternating runs each of shares from 25 to
 * 65%: 40-55% best, within the noise of one another; the others' packets
 * cross between the cores' caches, engine 0's do not). */
#define LEAD_SHARE 0.9

enum item_kind { IT_PACKET, IT_SWEEP, IT_FLUSH };
#define NOT_PACKET 0xffu         /* fw_engine.st of a sweep or flush */

/* A packet, or an instruction, at the reader's packet number seq.  The
 * packet's bytes lie in the reader's read buffers (capture_set_release;
 * engine 0's only), in the batch's copy of them, or in the engine's
 * window of the file.  The reader decodes a packet and hashes its flow
 * key; an engine handed a copy takes the hash and decodes the packet
 * again (decoding costs less than carrying a decoded packet between
 * cores). */
struct item {
	uint64_t seq, ts_us;
	const uint8_t *data;
	uint32_t caplen, len;
	uint32_t hash;               /* flow_pkt_hash's low 32 bits */
	int16_t dlt;                 /* the packet's link type */
	uint8_t kind;                /* enum item_kind */
};

/* The records of a round in a file, for an engine to walk: every one
 * that passes the file's filter, whoever runs it. */
struct span {
	int64_t lo, hi;              /* the file's bytes they lie in */
	uint64_t seq0;               /* the packet number of the first */
	unsigned n;                  /* how many */
	uint64_t sweep;              /* the reader's next sweep time before it */
};

/* One engine's share of a round: items in packet order, or the round's
 * span of a file (walk) from which the engine makes its items itself;
 * every item of the engine's with a packet number below `upto` is in
 * this batch or an earlier one. */
struct batch {
	uint64_t upto;
	unsigned n;
	uint32_t used;
	bool walk;
	struct span span;
	struct capture_records rec;  /* the file walked */
	uint32_t file;               /* its number (filework.file) */
	struct item items[BATCH_ITEMS];
	uint8_t data[BATCH_BYTES];
};

/* A bounded FIFO of batches between two threads. */
struct bq {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct batch *v[DEPTH];
	unsigned head;
	atomic_uint n;               /* read unlocked by a consumer about to sleep */
};

/* A lone engine hands its records to the writer without copying them:
 * the list of a batch is lent (output_flows_lent) and the engine goes on
 * in another; a list longer than LEND_KEEP records is freed when it comes
 * back, not kept. */
#define LEND_LISTS 4u
#define LEND_KEEP 1024u

struct fw_engine;

struct lend_list {
	struct fw_engine *w;
	struct merge_item *v;
	size_t cap;
	bool lent;                   /* under w->lend_mu */
};

#define LINE 64 /* a cache line: what one thread writes often, another
		* thread's data shares none of its lines */

/* Read by both sides and written seldom; then the reader's, then the
 * engine's own, each on lines of its own (the padding is the point). */
struct fw_engine { // NOLINT(clang-analyzer-optin.performance.Padding)
	struct filework *fw;
	unsigned idx;
	pthread_t th;
	bool started;                /* running: its thread (engine 0: the
				      * reader's) started, not yet stopped */
	struct engine *eng;
	_Alignas(LINE) struct bq full;   /* reader -> engine */
	_Alignas(LINE) struct bq free;   /* engine -> reader */
	_Alignas(LINE) struct batch *cur; /* the reader's batch being filled */
	/* The reader's account of the marks this engine (not engine 0) may
	 * make: for each round handed to it and maybe not run yet, the pos
	 * of the first item that may mark (NO_MARK: none) and its packets;
	 * then the round being made (promised). */
	struct {
		uint64_t upto, first;
		unsigned npk;
	} ahead[AHEAD_ROUNDS];
	unsigned ahead_head, ahead_n;
	bool ahead_lost;             /* more rounds than ahead[] holds */
	uint64_t rfirst;
	unsigned rnpk;
	_Alignas(LINE) _Atomic uint64_t done; /* every item below this pos is run */
	_Atomic uint64_t marks;      /* and it marks no host (hosts.h) below
				      * this pos (>= done while it runs a batch) */
	_Alignas(LINE) atomic_uint waiters; /* engines waiting for done to rise */
	pthread_mutex_t mu;          /* with cv: they sleep on these */
	pthread_cond_t cv;
	_Alignas(LINE) uint64_t pos; /* the item being run (merge.h) */
	struct pkt *pk;              /* the packets of the batch being run, */
	uint8_t *st;                 /* decoded (enum decode_status; non-packet
				      * items: NOT_PACKET) */
	uint8_t *cbuf;               /* the window of the file read in (not */
	int64_t cbase;               /* engine 0's): CURSOR_BYTES from cbase */
	size_t clen;                 /* bytes held */
	uint32_t cfile;              /* the file it holds bytes of, or 0 */
	uint64_t *next_mark;         /* the pos of the first item from this
				      * one on that may mark a host (else the
				      * batch's end: 2 upto) */
	bool decoded;                /* pk and st filled as the batch is made
				      * (engine 0, on the reader's thread) */
	bool flushing;               /* running the last item (IT_FLUSH) */
	struct merge_item *pend;     /* records of the batch being run */
	size_t npend, cappend;
	struct lend_list lists[LEND_LISTS]; /* a lone engine's: pend is
					      * lists[lcur]'s, the others
					      * lent to the writer or free */
	unsigned lcur;
	pthread_mutex_t lend_mu;     /* with lend_cv: a list came back */
	pthread_cond_t lend_cv;
	struct merge_step *steps;    /* gauge changes of the batch (merge.h) */
	size_t nsteps;
	uint64_t now[MERGE_GAUGES];  /* the gauges after the last item */
	_Atomic uint64_t active;     /* flows open after the last batch */
};

#define HELD 8u /* read buffers tracked (savefile.c reads into 4 in turn) */
#define NO_MARK UINT64_MAX

/* The reader's fields on lines of their own (the padding is the point). */
struct filework { // NOLINT(clang-analyzer-optin.performance.Padding)
	struct filework_cfg cfg;
	pthread_mutex_t lock;        /* the learner the engines share */
	struct fw_engine *e;
	unsigned n;
	struct merge *merge;
	bool sync;                   /* one engine: no other to wait for or
				      * to merge with */
	bool finished;
	_Alignas(LINE) uint64_t seq; /* packets handed over */
	uint64_t next_sweep;         /* packet time of the next sweep */
	uint64_t noted;              /* the marks engines 1 .. n-1 may make
				      * at packets up to it are noted */
	unsigned round;              /* packets in the current round */
	uint64_t sent;               /* packets below it are in the engines' hands */
	uint64_t cut0;               /* engine 0 takes hashes (high half) below it */
	struct capture_records rec;  /* the file the engines walk (rec.fd
				      * -1: none) */
	uint32_t file;               /* its number, from 1 (an fd is reused) */
	enum { RM_NONE, RM_WALK, RM_ITEMS } rmode; /* what engines 1 .. n-1
				      * take of this round: a span to walk,
				      * or items */
	struct span span;            /* the round's, in RM_WALK */
	unsigned pop_spins;          /* bq_pop's spins (POP_SPINS or none) */
	struct {
		uint32_t buf;        /* a read buffer's number, 0: none */
		uint64_t seq;        /* the last packet that lies in it */
	} held[HELD];
};

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

static void bq_init(struct bq *q)
{
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->cv, NULL);
}

static void bq_destroy(struct bq *q)
{
	pthread_mutex_destroy(&q->mu);
	pthread_cond_destroy(&q->cv);
}

/* Never full: each queue has room for every batch of its engine. */
static void bq_push(struct bq *q, struct batch *b)
{
	pthread_mutex_lock(&q->mu);
	q->v[(q->head + q->n) % DEPTH] = b;
	q->n++;
	pthread_cond_signal(&q->cv);
	pthread_mutex_unlock(&q->mu);
}

/* The next batch of q; waiting, spins pauses first (see POP_SPINS). */
static struct batch *bq_pop(struct bq *q, unsigned spins)
{
	struct batch *b;

	for (unsigned s = 0; s < spins && !atomic_load(&q->n); s++)
		cpu_relax();
	for (int y = 0; y < POP_YIELDS && !atomic_load(&q->n); y++)
		sched_yield();
	pthread_mutex_lock(&q->mu);
	while (q->n == 0)
		pthread_cond_wait(&q->cv, &q->mu);
	b = q->v[q->head];
	q->head = (q->head + 1) % DEPTH;
	q->n--;
	pthread_mutex_unlock(&q->mu);
	return b;
}

/* ------------------------------------------------------- engine side */

/* Hands the records gathered in w->pend on in write order, with the
 * gauge steps of the batch and the watermark upto (flush: 0, none), and
 * empties pend.  A lone engine writes them straight out: sorted, they
 * are in the merge's order and no other stream can precede them. */
static void lend_init(struct fw_engine *w)
{
	pthread_mutex_init(&w->lend_mu, NULL);
	pthread_cond_init(&w->lend_cv, NULL);
	for (unsigned j = 0; j < LEND_LISTS; j++)
		w->lists[j].w = w;
}

/* output.h: the writer is done with a lent list. */
static void list_back(void *ctx, void *token)
{
	struct lend_list *l = token;

	(void)ctx;
	if (l->cap > LEND_KEEP) {
		free(l->v);
		l->v = NULL;
		l->cap = 0;
	}
	pthread_mutex_lock(&l->w->lend_mu);
	l->lent = false;
	pthread_cond_signal(&l->w->lend_cv);
	pthread_mutex_unlock(&l->w->lend_mu);
}

/* A free list's index, waiting for the writer to give one back. */
static unsigned free_list(struct fw_engine *w)
{
	unsigned j;

	pthread_mutex_lock(&w->lend_mu);
	for (;;) {
		for (j = 0; j < LEND_LISTS && w->lists[j].lent; j++)
			;
		if (j < LEND_LISTS)
			break;
		pthread_cond_wait(&w->lend_cv, &w->lend_mu);
	}
	pthread_mutex_unlock(&w->lend_mu);
	return j;
}

/* A lone engine's sorted records, lent to the output; pend goes on in a
 * free list. */
static void write_pend(struct fw_engine *w)
{
	struct lend_list *l = &w->lists[w->lcur];
	const struct flow_record *r[64];
	size_t i = 0, k;

	l->v = w->pend;
	l->cap = w->cappend;
	pthread_mutex_lock(&w->lend_mu);
	l->lent = true;
	pthread_mutex_unlock(&w->lend_mu);
	while (i < w->npend) {
		for (k = 0; k < 64 && i < w->npend; k++)
			r[k] = &w->pend[i++].rec;
		output_flows_lent(w->fw->cfg.out, r, k,
				  i == w->npend ? list_back : NULL, w, l);
	}
	w->lcur = free_list(w);
	w->pend = w->lists[w->lcur].v;
	w->cappend = w->lists[w->lcur].cap;
}

/* Frees the lists once the writer has given every one back. */
static void lend_free(struct fw_engine *w)
{
	w->lists[w->lcur].v = w->pend;
	w->lists[w->lcur].cap = w->cappend;
	for (unsigned j = 0; j < LEND_LISTS; j++) {
		pthread_mutex_lock(&w->lend_mu);
		while (w->lists[j].lent)
			pthread_cond_wait(&w->lend_cv, &w->lend_mu);
		pthread_mutex_unlock(&w->lend_mu);
		free(w->lists[j].v);
	}
	pthread_mutex_destroy(&w->lend_mu);
	pthread_cond_destroy(&w->lend_cv);
}

static void hand_on(struct fw_engine *w, const struct merge_step *steps,
		    size_t nsteps, uint64_t upto, bool flush)
{
	merge_sort(w->pend, w->npend);
	if (w->fw->n == 1) {
		if (w->npend > 0)
			write_pend(w);
		if (!flush)
			(void)merge_push(w->fw->merge, w->idx, NULL, 0, steps,
					 nsteps, upto);
	} else if (flush) {
		(void)merge_push_upto(w->fw->merge, w->idx, w->pend, w->npend);
	} else {
		(void)merge_push(w->fw->merge, w->idx, w->pend, w->npend, steps,
				 nsteps, upto);
	}
	w->npend = 0;
}

/* Room for one more record in w->pend; false when out of memory. */
static bool pend_room(struct fw_engine *w)
{
	size_t cap = w->cappend ? 2 * w->cappend : FLUSH_CHUNK;
	struct merge_item *p;

	if (w->npend < w->cappend)
		return true;
	if ((p = realloc(w->pend, cap * sizeof(*p))) == NULL)
		return false;
	w->pend = p;
	w->cappend = cap;
	return true;
}

/* engine.h: the engine fills its record in place, in the next slot. */
static struct flow_record *record_slot(void *ctx)
{
	struct fw_engine *w = ctx;

	return pend_room(w) ? &w->pend[w->npend].rec : NULL;
}

static void on_record(void *ctx, const struct flow_record *r)
{
	struct fw_engine *w = ctx;

	if (!pend_room(w)) {
		/* Out of memory: written now, out of order. */
		if (w->fw->n == 1) {
			output_flow(w->fw->cfg.out, r);
		} else {
			struct merge_item one = { .pos = w->pos, .rec = *r };

			(void)merge_push(w->fw->merge, w->idx, &one, 1, NULL,
					 0, 0);
		}
		return;
	}
	if (r != &w->pend[w->npend].rec)
		record_copy(&w->pend[w->npend].rec, r);
	w->pend[w->npend++].pos = w->pos;
	/* At the end of input the flows end in key order (flow_table_flush):
	 * hand them on in chunks, not all at once. */
	if (w->flushing && w->npend >= FLUSH_CHUNK)
		hand_on(w, NULL, 0, 0, true);
}

/* Stores pos in *v (done or marks) and wakes the threads asleep waiting
 * for it.  (Dekker: the waiter counts itself in, then reads v; this
 * stores v, then reads the count; sequentially consistent both.) */
static void publish(struct fw_engine *w, _Atomic uint64_t *v, uint64_t pos)
{
	atomic_store(v, pos);
	if (atomic_load(&w->waiters) == 0)
		return;
	pthread_mutex_lock(&w->mu);
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

/* Publishes that every item below pos is run. */
static void set_done(struct fw_engine *w, uint64_t pos)
{
	publish(w, &w->done, pos);
}

/* Whether engine o has run its items below bound, or (marks) at least
 * made every mark it will make below bound. */
static bool reached(struct fw_engine *o, uint64_t bound, bool marks)
{
	return atomic_load_explicit(&o->done, memory_order_acquire) >= bound ||
	       (marks && atomic_load_explicit(&o->marks, memory_order_acquire) >= bound);
}

/* Returns once reached(o, bound, marks) (spinning, then yielding, then
 * asleep). */
static void wait_for(struct fw_engine *o, uint64_t bound, bool marks)
{
	for (int spins = 0; spins < WAIT_SPINS; spins++) {
		if (reached(o, bound, marks))
			return;
		cpu_relax();
	}
	for (int y = 0; y < WAIT_YIELDS; y++) {
		if (reached(o, bound, marks))
			return;
		sched_yield();
	}
	atomic_fetch_add(&o->waiters, 1);
	pthread_mutex_lock(&o->mu);
	while (!reached(o, bound, marks))
		pthread_cond_wait(&o->cv, &o->mu);
	pthread_mutex_unlock(&o->mu);
	atomic_fetch_sub(&o->waiters, 1);
}

/* Forgets the rounds engine w has run (reader thread); returns its done. */
static uint64_t drop_run(struct fw_engine *w)
{
	uint64_t done = atomic_load_explicit(&w->done, memory_order_acquire);

	while (w->ahead_n > 0 && done >= 2 * w->ahead[w->ahead_head].upto) {
		w->ahead_head = (w->ahead_head + 1) % AHEAD_ROUNDS;
		w->ahead_n--;
	}
	return done;
}

/* What the reader knows of engine i's marks (i > 0; reader thread): it
 * makes none below the pos returned.  The reader has seen every item it
 * handed the engine, and which may mark (find_marks' test); when the
 * flow table may fill (a flow's end by eviction may mark), it knows no
 * more than the engine published.  Engine 0, on the reader's thread,
 * asks before it waits: the others publish their marks only once they
 * have a batch in hand and have found them, and engine 0 runs its share
 * of a round as soon as the others are handed theirs (deploy capture, 2
 * engines: engine 0 waited 0.2-0.4 s a run for marks that never came). */
static uint64_t promised(struct filework *fw, unsigned i)
{
	struct fw_engine *w = &fw->e[i];
	uint64_t done = drop_run(w);
	uint64_t active = atomic_load_explicit(&w->active, memory_order_relaxed);
	uint64_t pk = w->rnpk;
	unsigned j;

	if (w->ahead_lost)
		return done;
	for (j = 0; j < w->ahead_n; j++)
		pk += w->ahead[(w->ahead_head + j) % AHEAD_ROUNDS].npk;
	if (active + pk >= fw->cfg.ec.ft.max_flows)
		return done;
	for (j = 0; j < w->ahead_n; j++) {
		uint64_t first = w->ahead[(w->ahead_head + j) % AHEAD_ROUNDS].first;

		if (first != NO_MARK)
			return first;
	}
	return w->rfirst != NO_MARK ? w->rfirst : 2 * (fw->noted + 1);
}

/* hosts.h: returns once every other engine has made its marks below
 * bound: it has run its items there, or none of those it has not run may
 * mark (engine_may_mark).  No cycle: an engine waits only for one whose
 * clock is behind its own. */
static void wait_others(void *ctx, uint64_t bound)
{
	struct fw_engine *w = ctx;

	for (unsigned i = 0; i < w->fw->n; i++)
		if (&w->fw->e[i] != w &&
		    (w->idx > 0 || promised(w->fw, i) < bound))
			wait_for(&w->fw->e[i], bound, true);
}

/* The look-ahead of a batch: while the packets in front of it run, an
 * item's flow is fetched toward the cache in steps (its chain AHEAD - 1
 * items ahead, the flow AHEAD_FLOW ahead, what the flow points to
 * AHEAD_NEAR ahead, its media stream AHEAD_LAST ahead). */
#define AHEAD 8u
#define AHEAD_FLOW 4u   /* the flow's lines: a chain head fetched 3 items ago */
#define AHEAD_NEAR 2u   /* its neighbours: the flow fetched 2 items ago */
#define AHEAD_LAST 1u   /* its media stream: its media block fetched 1 ago */

/* Item j of b when it is a packet of a flow, else NULL. */
static const struct item *flow_item(const struct fw_engine *w,
				   const struct batch *b, unsigned j)
{
	const struct item *it;

	if (j >= b->n)
		return NULL;
	it = &b->items[j];
	return w->st[j] == DECODE_OK ? it : NULL;
}

/* Moves the look-ahead on to item i of b. */
static void look_ahead(struct fw_engine *w, const struct batch *b, unsigned i)
{
	const struct item *it;

	if ((it = flow_item(w, b, i + AHEAD - 1)))
		engine_prefetch_chain(w->eng, it->hash);
	if ((it = flow_item(w, b, i + AHEAD_FLOW)))
		engine_prefetch(w->eng, it->hash);
	if ((it = flow_item(w, b, i + AHEAD_NEAR)))
		engine_prefetch_near(w->eng, it->hash);
	if ((it = flow_item(w, b, i + AHEAD_LAST)))
		engine_prefetch_last(w->eng, it->hash, &w->pk[i + AHEAD_LAST]);
}

/* Runs item i of b at its clock pos.  Its marks in the hosts table are
 * made at pos; its lookups see the marks of a sweep (even pos) made
 * before it, and for a packet (odd pos) also those of the sweep in front
 * of it and its own. */
static void run_item(struct fw_engine *w, const struct batch *b, unsigned i)
{
	const struct item *it = &b->items[i];
	struct raw_packet rp = { .ts_us = it->ts_us, .caplen = it->caplen,
				 .len = it->len, .data = it->data };

	w->pos = 2 * it->seq + (it->kind == IT_PACKET);
	if (!w->fw->sync && (i == 0 || w->next_mark[i] != w->next_mark[i - 1]))
		publish(w, &w->marks, w->next_mark[i]);
	hosts_view(w->pos, w->pos + (w->pos & 1), wait_others, w);
	switch (it->kind) {
	case IT_PACKET:
		engine_next_id(w->eng, it->seq);
		if (engine_decoded(w->eng, &rp, (enum decode_status)w->st[i],
				   &w->pk[i], it->hash))
			engine_stats(w->eng)->nomem++;
		break;
	case IT_SWEEP:
		engine_expire(w->eng, it->ts_us);
		break;
	default:
		w->flushing = true;
		engine_flush(w->eng, END_SHUTDOWN);
		break;
	}
}

/* Notes a change of the gauges by the item just run. */
static void note_step(struct fw_engine *w)
{
	struct merge_step st = { .pos = w->pos };

	engine_span(w->eng, &st.now[0], &st.now[1], &st.top[1]);
	st.top[0] = st.now[0];
	if (st.now[0] == w->now[0] && st.now[1] == w->now[1] &&
	    st.top[1] <= st.now[1])
		return;
	w->steps[w->nsteps++] = st;
	w->now[0] = st.now[0];
	w->now[1] = st.now[1];
}

/* The hash that picks a flow's engine: of the flow key's fields (either
 * direction gives the same), keyed by the seed, and cheap, for every
 * engine walking a span computes it for every record.  Only the flow's
 * own engine hashes its key for the flow table (flow_pkt_hash). */
static uint64_t owner_hash(const struct pkt *p, uint64_t seed)
{
	uint64_t s[2], d[2], x;

	memcpy(s, p->src, sizeof(s)); /* an IPv4 address: the rest zero */
	memcpy(d, p->dst, sizeof(d));
	x = hash_mix64(seed ^ s[0] ^ d[0]) ^ (s[1] ^ d[1]);
	x ^= (uint64_t)(p->sport ^ p->dport) << 32 |
	     (uint64_t)p->vlan[0] << 16 | p->vlan[1];
	x ^= (uint64_t)p->l4 << 48 | (uint64_t)p->ipver << 56;
	return hash_mix64(x);
}

/* The engine of a flow by the high half of its owner_hash: engine 0
 * below cut0, the others in turn above. */
static unsigned engine_of(const struct filework *fw, uint64_t h)
{
	uint64_t x = h >> 32;

	if (x < fw->cut0)
		return 0;
	return 1 + (unsigned)((x - fw->cut0) % (fw->n - 1));
}

/* Makes w's window hold the file's bytes from lo to hi (hi - lo at most
 * CURSOR_BYTES), keeping those it holds already; it may hold less at the
 * end of a file that shrank since the reader read it. */
static void read_window(struct fw_engine *w, const struct batch *b,
			int64_t lo, int64_t hi)
{
	size_t keep = 0;
	ssize_t n;

	if (w->cfile == b->file && lo >= w->cbase &&
	    hi <= w->cbase + (int64_t)w->clen)
		return;
	if (w->cfile == b->file && lo >= w->cbase &&
	    lo < w->cbase + (int64_t)w->clen) {
		keep = (size_t)(w->cbase + (int64_t)w->clen - lo);
		memmove(w->cbuf, w->cbuf + (lo - w->cbase), keep);
	}
	w->cfile = b->file;
	w->cbase = lo;
	w->clen = keep;
	while (w->cbase + (int64_t)w->clen < hi) {
		n = pread(b->rec.fd, w->cbuf + w->clen, CURSOR_BYTES - w->clen,
			  (off_t)(w->cbase + (int64_t)w->clen));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		w->clen += (size_t)n;
	}
}

#define DECODE_AHEAD 4u /* packets whose first bytes are fetched ahead */

/* Decodes the packets of b into w->pk and w->st.  Their bytes were last
 * written on the reader's core: fetched a few packets ahead, their misses
 * overlap. */
static void decode_batch(struct fw_engine *w, const struct batch *b)
{
	for (unsigned i = 0; i < b->n; i++) {
		const struct item *it = &b->items[i];

		if (i + DECODE_AHEAD < b->n) {
			const uint8_t *d = b->items[i + DECODE_AHEAD].data;

			__builtin_prefetch(d);
			__builtin_prefetch(d + 64);
		}

		w->st[i] = it->kind != IT_PACKET ? NOT_PACKET :
			(uint8_t)decode_packet(it->dlt, it->data, it->caplen,
					       it->len, &w->pk[i]);
	}
}

/* Makes the items of a walked batch: each record of its span is decoded
 * and hashed, a sweep put in front of one where the reader put one (it
 * saw the same records), and those of w's flows taken.  Should the file
 * no longer hold the records the reader read there (it shrank, or was
 * written over), the walk stops at the first it cannot read. */
static void walk_batch(struct fw_engine *w, struct batch *b)
{
	const struct span *sp = &b->span;
	const struct capture_records *cr = &b->rec;
	const struct filework *fw = w->fw;
	uint64_t next_sweep = sp->sweep;
	int64_t at = sp->lo, end;
	unsigned got = 0;

	read_window(w, b, sp->lo, sp->hi);
	end = w->cbase + (int64_t)w->clen;
	b->n = 0;
	while (got < sp->n && at + SAVEFILE_REC_HDR <= end) {
		const uint8_t *data = w->cbuf + (at - w->cbase) + SAVEFILE_REC_HDR;
		struct pcap_pkthdr h;
		struct pkt p;
		uint64_t seq, ts, hash;
		uint32_t caplen;

		if (!savefile_record(&cr->fmt, data - SAVEFILE_REC_HDR, &h) ||
		    at + SAVEFILE_REC_HDR + (int64_t)h.caplen > end)
			break;
		at += SAVEFILE_REC_HDR + (int64_t)h.caplen;
		if (cr->filter && !pcap_offline_filter(cr->filter, &h, data))
			continue;
		seq = sp->seq0 + got++;
		caplen = h.caplen < BATCH_BYTES ? h.caplen : BATCH_BYTES;
		if (decode_packet(cr->dlt, data, caplen, h.len, &p) != DECODE_OK)
			continue;
		ts = (uint64_t)h.ts.tv_sec * 1000000u + (uint64_t)h.ts.tv_usec;
		if (ts >= next_sweep) {
			w->st[b->n] = NOT_PACKET;
			b->items[b->n++] = (struct item){ .seq = seq, .ts_us = ts,
							  .kind = IT_SWEEP };
			next_sweep = ts + SWEEP_EVERY_US;
		}
		if (engine_of(fw, owner_hash(&p, fw->cfg.ec.ft.seed)) != w->idx)
			continue;
		hash = flow_pkt_hash(&p, fw->cfg.ec.ft.seed);
		w->st[b->n] = DECODE_OK;
		w->pk[b->n] = p;
		b->items[b->n++] = (struct item){ .seq = seq, .ts_us = ts,
			.data = data, .caplen = caplen, .len = h.len,
			.hash = (uint32_t)hash, .dlt = (int16_t)cr->dlt,
			.kind = IT_PACKET };
	}
}

/* Whether item i of b (decoded) may mark a host when run: a packet on a
 * port some rule marks for (engine_may_mark: its own flow's labels), a
 * sweep (the records of the flows it ends), and any packet when the flow
 * table may be full during the batch (the record of the flow a new one
 * evicts). */
static bool item_may_mark(const struct fw_engine *w, const struct batch *b,
			  unsigned i, bool may_evict)
{
	if (b->items[i].kind == IT_SWEEP)
		return true;
	return w->st[i] == DECODE_OK &&
	       (may_evict || engine_may_mark(w->eng, &w->pk[i],
					     2 * b->items[i].seq + 1));
}

/* Fills w->next_mark for the items of b (decoded). */
static void find_marks(struct fw_engine *w, const struct batch *b)
{
	uint64_t next = b->upto == UINT64_MAX ? UINT64_MAX : 2 * b->upto;
	struct flow_table_stats fs;
	bool may_evict;

	engine_flow_stats(w->eng, &fs);
	may_evict = fs.active + b->n >= w->fw->cfg.ec.ft.max_flows;
	for (unsigned i = b->n; i-- > 0;) {
		if (item_may_mark(w, b, i, may_evict))
			next = 2 * b->items[i].seq + (b->items[i].kind == IT_PACKET);
		w->next_mark[i] = next;
	}
}

/* Runs one batch; true when it was the last. */
static bool run_batch(struct fw_engine *w, struct batch *b)
{
	struct flow_table_stats fs;
	bool last = false;

	const struct item *it;

	if (b->walk)
		walk_batch(w, b);
	else if (!w->decoded)
		decode_batch(w, b);
	if (!w->fw->sync)
		find_marks(w, b);
	for (unsigned j = 0; j + 1 < AHEAD; j++)
		if ((it = flow_item(w, b, j)))
			engine_prefetch_chain(w->eng, it->hash);
	for (unsigned i = 0; i < b->n; i++) {
		look_ahead(w, b, i);
		run_item(w, b, i);
		note_step(w);
		last |= b->items[i].kind == IT_FLUSH;
	}
	/* active before done: the reader's promised() reads them so */
	engine_flow_stats(w->eng, &fs);
	atomic_store_explicit(&w->active, fs.active, memory_order_relaxed);
	set_done(w, last ? UINT64_MAX : 2 * b->upto);
	hand_on(w, w->steps, w->nsteps, last ? UINT64_MAX : 2 * b->upto, false);
	w->nsteps = 0;
	return last;
}

static void *engine_main(void *arg)
{
	struct fw_engine *w = arg;
	bool last = false;

	while (!last) {
		struct batch *b = bq_pop(&w->full, w->fw->pop_spins);

		last = run_batch(w, b);
		bq_push(&w->free, b);
	}
	return NULL;
}

/* ------------------------------------------------------- reader side */

/* Hands every engine its batch of the round and takes a fresh one (the
 * reader waits here while an engine is DEPTH batches behind). */
static void end_round(struct filework *fw, uint64_t upto)
{
	struct fw_engine *w0 = &fw->e[0];

	fw->sent = upto;
	for (unsigned i = 1; i < fw->n; i++) {
		struct fw_engine *w = &fw->e[i];

		w->cur->upto = upto;
		(void)drop_run(w);
		if (w->ahead_n == AHEAD_ROUNDS) {
			w->ahead_lost = true;
		} else {
			unsigned t = (w->ahead_head + w->ahead_n++) % AHEAD_ROUNDS;

			w->ahead[t].upto = upto;
			w->ahead[t].first = w->rfirst;
			w->ahead[t].npk = w->rnpk;
		}
		w->rfirst = NO_MARK;
		w->rnpk = 0;
		if (fw->rmode == RM_WALK) {
			w->cur->walk = true;
			w->cur->span = fw->span;
			w->cur->rec = fw->rec;
			w->cur->file = fw->file;
		}
		bq_push(&w->full, w->cur);
		w->cur = bq_pop(&w->free, fw->pop_spins);
		w->cur->n = 0;
		w->cur->used = 0;
		w->cur->walk = false;
	}
	w0->cur->upto = upto;
	(void)run_batch(w0, w0->cur);
	w0->cur->n = 0;
	w0->cur->used = 0;
	fw->round = 0;
	fw->rmode = RM_NONE;
}

static void add_item(struct fw_engine *w, enum item_kind kind, uint64_t seq,
		     uint64_t ts_us)
{
	struct item *it = &w->cur->items[w->cur->n];

	if (w->decoded)
		w->st[w->cur->n] = NOT_PACKET;
	w->cur->n++;
	*it = (struct item){ .seq = seq, .ts_us = ts_us, .kind = (uint8_t)kind };
}

/* p (decoded from data) as if decoded from its copy at to. */
static void rebase(struct pkt *p, const uint8_t *data, const uint8_t *to)
{
	if (p->l3)
		p->l3 = to + (p->l3 - data);
	if (p->payload)
		p->payload = to + (p->payload - data);
}

/* Whether w takes a copy of a packet's bytes: the reader's read buffers
 * are engine 0's alone. */
static bool copies(const struct fw_engine *w, const struct raw_packet *rp)
{
	return !rp->buf || !w->decoded;
}

static void add_packet(struct fw_engine *w, int dlt, uint64_t seq,
		       const struct raw_packet *rp, uint32_t caplen,
		       enum decode_status st, const struct pkt *p, uint32_t hash)
{
	struct batch *b = w->cur;
	unsigned i = b->n++;
	struct item *it = &b->items[i];

	*it = (struct item){ .seq = seq, .ts_us = rp->ts_us, .data = rp->data,
			     .caplen = caplen, .len = rp->len, .hash = hash,
			     .dlt = (int16_t)dlt, .kind = IT_PACKET };
	if (copies(w, rp)) {
		it->data = b->data + b->used;
		memcpy(b->data + b->used, rp->data, caplen);
		b->used += caplen;
	}
	if (w->decoded) {
		w->st[i] = (uint8_t)st;
		w->pk[i] = *p;
		if (st == DECODE_OK)
			rebase(&w->pk[i], rp->data, it->data);
	}
}

void filework_release(void *ctx, uint32_t n)
{
	struct filework *fw = ctx;
	uint64_t last = 0;
	bool any = false;

	for (unsigned i = 0; i < HELD; i++)
		if (fw->held[i].buf != 0 && fw->held[i].buf <= n) {
			if (fw->held[i].seq > last)
				last = fw->held[i].seq;
			fw->held[i].buf = 0;
			any = true;
		}
	if (!any || fw->finished)
		return;
	/* Engine 0 runs them now; the others have copies or read the file. */
	if (last >= fw->sent)
		end_round(fw, fw->seq + 1);
}

void filework_file(struct filework *fw, const struct capture_records *cr)
{
	if (fw->finished)
		return;
	if (fw->round > 0)
		end_round(fw, fw->seq + 1);
	if (fw->rec.fd >= 0)
		for (unsigned i = 1; i < fw->n; i++)
			wait_for(&fw->e[i], 2 * fw->sent, false);
	fw->rec.fd = -1;
	if (cr && cr->fd >= 0 && fw->n > 1) {
		fw->rec = *cr;
		fw->file++;
	}
}

/* Notes that packet seq, handed over, lies in read buffer buf. */
static void hold(struct filework *fw, uint32_t buf, uint64_t seq)
{
	unsigned i = buf % HELD;

	if (fw->held[i].buf != buf && fw->held[i].buf != 0)
		filework_release(fw, fw->held[i].buf); /* more buffers than HELD */
	fw->held[i].buf = buf;
	fw->held[i].seq = seq;
}

/* Notes for the reader's promised() that w may mark at pos. */
static void note_mark(struct fw_engine *w, uint64_t pos)
{
	if (w->rfirst == NO_MARK)
		w->rfirst = pos;
}

/* Whether engines 1 .. n-1 walk the packet's record themselves: it lies
 * in the file they know, whole within a span. */
static bool walked(const struct filework *fw, int dlt, const struct raw_packet *rp)
{
	return fw->rec.fd >= 0 && rp->buf && dlt == fw->rec.dlt &&
	       rp->caplen <= SPAN_BYTES - SAVEFILE_REC_HDR;
}

/* Whether the round ends before the packet: engines 1 .. n-1 walk a
 * round's span or take its items, not both; a span ends within
 * SPAN_BYTES; a batch has room for BATCH_BYTES of copies. */
static bool ends_before(const struct filework *fw, bool walk, unsigned k,
			const struct raw_packet *rp, uint32_t caplen)
{
	if (fw->rmode == (walk ? RM_ITEMS : RM_WALK))
		return true;
	if (walk && fw->rmode == RM_WALK)
		return rp->off + (int64_t)rp->caplen - fw->span.lo > (int64_t)SPAN_BYTES;
	return (!walk || k == 0) && copies(&fw->e[k], rp) &&
	       fw->e[k].cur->used + caplen > BATCH_BYTES;
}

void filework_packet(struct filework *fw, int dlt, const struct raw_packet *rp)
{
	uint32_t caplen = rp->caplen < BATCH_BYTES ? rp->caplen : BATCH_BYTES;
	struct pkt p;
	enum decode_status st = decode_packet(dlt, rp->data, caplen, rp->len, &p);
	uint64_t h = 0, sweep_before = fw->next_sweep;
	bool walk = walked(fw, dlt, rp), sweep = false;
	unsigned k = 0;

	fw->seq++;
	if (st == DECODE_OK) {
		k = fw->n > 1 ? engine_of(fw, owner_hash(&p, fw->cfg.ec.ft.seed)) : 0;
		if (k == 0 || !walk)
			h = flow_pkt_hash(&p, fw->cfg.ec.ft.seed);
		if (rp->ts_us >= fw->next_sweep) {
			sweep = true;
			fw->next_sweep = rp->ts_us + SWEEP_EVERY_US;
		}
	}
	if (ends_before(fw, walk, k, rp, caplen))
		end_round(fw, fw->seq);
	/* Every engine sweeps before the packet (a walking one sees it
	 * itself); a sweep may mark, and so may the packet. */
	for (unsigned i = 0; sweep && i < fw->n; i++) {
		if (i > 0)
			note_mark(&fw->e[i], 2 * fw->seq);
		if (i == 0 || !walk) {
			add_item(&fw->e[i], IT_SWEEP, fw->seq, rp->ts_us);
			if (i > 0)
				fw->rmode = RM_ITEMS;
		}
	}
	if (k > 0) {
		fw->e[k].rnpk++;
		if (engine_may_mark(fw->e[0].eng, &p, 2 * fw->seq + 1))
			note_mark(&fw->e[k], 2 * fw->seq + 1);
	}
	if (walk) {
		if (fw->rmode != RM_WALK)
			fw->span = (struct span){
				.lo = rp->off - SAVEFILE_REC_HDR, .seq0 = fw->seq,
				.sweep = sweep_before };
		fw->rmode = RM_WALK;
		fw->span.hi = rp->off + (int64_t)rp->caplen;
		fw->span.n++;
	}
	if (k == 0 || !walk) {
		add_packet(&fw->e[k], dlt, fw->seq, rp, caplen, st, &p, (uint32_t)h);
		if (k > 0)
			fw->rmode = RM_ITEMS;
	}
	fw->noted = fw->seq;
	if (rp->buf)
		hold(fw, rp->buf, fw->seq);
	if (++fw->round == BATCH_PKTS)
		end_round(fw, fw->seq + 1);
}

uint64_t filework_pkts(const struct filework *fw)
{
	return fw->seq;
}

uint64_t filework_active(const struct filework *fw)
{
	uint64_t n = 0;

	for (unsigned i = 0; i < fw->n; i++)
		n += atomic_load_explicit(&fw->e[i].active, memory_order_relaxed);
	return n;
}

/* ------------------------------------------------------- life cycle */

static void write_record(void *ctx, const struct flow_record *r)
{
	output_flow(ctx, r);
}

static int open_engine(struct filework *fw, struct fw_engine *w, unsigned i)
{
	struct engine_cfg ec = fw->cfg.ec;

	w->fw = fw;
	w->idx = i;
	bq_init(&w->full);
	bq_init(&w->free);
	lend_init(w);
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	/* A lone engine runs on the reader thread and shares nothing. */
	ec.lock = fw->n > 1 ? &fw->lock : NULL;
	ec.clock_extern = true;
	ec.on_record = on_record;
	ec.record_slot = record_slot;
	ec.record_ctx = w;
	w->eng = engine_new(&ec, fw->cfg.rs, fw->cfg.pm, fw->cfg.inv,
			    fw->cfg.out, fw->cfg.learner);
	w->steps = calloc(BATCH_ITEMS, sizeof(*w->steps));
	w->pk = calloc(BATCH_ITEMS, sizeof(*w->pk));
	w->st = calloc(BATCH_ITEMS, sizeof(*w->st));
	w->next_mark = calloc(BATCH_ITEMS, sizeof(*w->next_mark));
	w->decoded = i == 0;
	w->rfirst = NO_MARK;
	if (i > 0)
		w->cbuf = malloc(CURSOR_BYTES);
	if (w->eng == NULL || w->steps == NULL || w->pk == NULL || w->st == NULL ||
	    w->next_mark == NULL || (i > 0 && w->cbuf == NULL))
		return -1;
	for (unsigned k = 0; k < DEPTH; k++) {
		struct batch *b = malloc(sizeof(*b));

		if (b == NULL)
			return -1;
		b->walk = false;
		bq_push(&w->free, b);
	}
	w->cur = bq_pop(&w->free, 0);
	w->cur->n = 0;
	w->cur->used = 0;
	return 0;
}

/* Starts the threads of engines 1 .. n-1 with every signal blocked:
 * signals go to the reader.  Engine 0 runs on the reader's thread, its
 * batches as they are made: a lone engine on a thread of its own costs
 * more than it gives, even with a core to itself (deploy capture, 2 idle
 * cores: --no-dpi 2.18-2.71 s on its own thread, 1.75-1.87 s inline),
 * and beside others a reader thread of its own is a third busy thread on
 * two cores: the engines, preempted in turn, drift apart and wait for
 * each other's marks (deploy, 2 engines: 22-27% of each core idle; --no-dpi
 * 1.67 s against 1.39 s with engine 0 inline, median of five).  An engine
 * that could not start counts as done, so that none waits for it. */
static int start(struct filework *fw)
{
	sigset_t all, old;
	int rc = 0;

	fw->e[0].started = true;     /* on this thread */
	if (fw->n == 1) {
		fw->sync = true;
		return 0;
	}
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	for (unsigned i = 1; i < fw->n && rc == 0; i++) {
		rc = pthread_create(&fw->e[i].th, NULL, engine_main, &fw->e[i]);
		fw->e[i].started = rc == 0;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	for (unsigned i = 1; rc && i < fw->n; i++)
		if (!fw->e[i].started)
			set_done(&fw->e[i], UINT64_MAX);
	return rc;
}

struct filework *filework_new(const struct filework_cfg *cfg, char *err,
			      size_t errlen)
{
	struct filework *fw = aligned_alloc(LINE, sizeof(*fw));
	int rc;

	if (fw)
		memset(fw, 0, sizeof(*fw));
	if (fw == NULL || cfg->n == 0 || cfg->n > FILEWORK_MAX ||
	    (fw->e = aligned_alloc(LINE, cfg->n * sizeof(*fw->e))) == NULL) {
		free(fw);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	memset(fw->e, 0, cfg->n * sizeof(*fw->e));
	fw->cfg = *cfg;
	fw->n = cfg->n;
	fw->cut0 = fw->n == 1 ? UINT64_MAX :
		   (uint64_t)(LEAD_SHARE / fw->n * 4294967296.0);
	fw->pop_spins = cfg->cores >= fw->n ? POP_SPINS : 0;
	fw->rec.fd = -1;
	pthread_mutex_init(&fw->lock, NULL);
	fw->merge = merge_new(fw->n, write_record, cfg->out);
	for (unsigned i = 0; i < fw->n; i++)
		if (fw->merge == NULL || open_engine(fw, &fw->e[i], i)) {
			snprintf(err, errlen, "cannot set up %u engines: out of "
				 "memory", fw->n);
			filework_free(fw);
			return NULL;
		}
	rc = start(fw);
	if (rc) {
		snprintf(err, errlen, "cannot start engine threads: %s", strerror(rc));
		filework_free(fw);
		return NULL;
	}
	return fw;
}

/* Every engine ends its open flows after the last packet and stops. */
static void stop(struct filework *fw)
{
	struct fw_engine *w0 = &fw->e[0];

	if (fw->finished)
		return;
	if (fw->round > 0 && w0->started)
		end_round(fw, fw->seq + 1);
	fw->finished = true;
	for (unsigned i = 1; i < fw->n; i++) {
		struct fw_engine *w = &fw->e[i];

		if (!w->started)
			continue;
		add_item(w, IT_FLUSH, fw->seq + 1, 0);
		w->cur->upto = UINT64_MAX;
		bq_push(&w->full, w->cur);
		w->cur = NULL;
	}
	if (w0->started && w0->cur) {
		add_item(w0, IT_FLUSH, fw->seq + 1, 0);
		w0->cur->upto = UINT64_MAX;
		(void)run_batch(w0, w0->cur);
		w0->cur->n = 0;
	}
	w0->started = false;
	for (unsigned i = 1; i < fw->n; i++)
		if (fw->e[i].started) {
			pthread_join(fw->e[i].th, NULL);
			fw->e[i].started = false;
		}
}

struct engine *filework_finish(struct filework *fw, struct run_info *ri,
			       struct inspect_stats *is)
{
	struct inspect_stats one;
	struct run_info r1;
	uint64_t peak[MERGE_GAUGES];

	stop(fw);
	engine_run_info(fw->e[0].eng, ri, is);
	for (unsigned i = 1; i < fw->n; i++) {
		engine_merge_stats(fw->e[0].eng, fw->e[i].eng);
		engine_run_info(fw->e[i].eng, &r1, &one);
		if (ri->insp && r1.insp) {
#define INSP_ADD(name) is->name += one.name;
			INSPECT_STATS_SUMS(INSP_ADD)
#undef INSP_ADD
		}
	}
	/* The peaks of the sums, as one engine would have seen them. */
	merge_peaks(fw->merge, peak);
	ri->flows_active_peak = peak[0];
	if (ri->insp)
		is->peak_states = peak[1];
	return fw->e[0].eng;
}

static void free_engine(struct fw_engine *w)
{
	struct bq *qs[2] = { &w->full, &w->free };

	engine_free(w->eng);
	free(w->cur);
	for (int q = 0; q < 2; q++) {
		while (qs[q]->n > 0) {
			free(qs[q]->v[qs[q]->head]);
			qs[q]->head = (qs[q]->head + 1) % DEPTH;
			qs[q]->n--;
		}
		bq_destroy(qs[q]);
	}
	lend_free(w);
	free(w->steps);
	free(w->pk);
	free(w->st);
	free(w->next_mark);
	free(w->cbuf);
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->cv);
}

void filework_free(struct filework *fw)
{
	if (fw == NULL)
		return;
	stop(fw);
	for (unsigned i = 0; i < fw->n; i++)
		if (fw->e[i].fw)
			free_engine(&fw->e[i]);
	merge_free(fw->merge);
	pthread_mutex_destroy(&fw->lock);
	free(fw->e);
	free(fw);
}
