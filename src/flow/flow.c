/* flow.c: the bidirectional flow table (see flow.h).
 *
 * Layout (each flow keeps its hash, so a key is hashed once per packet
 *   and never again when the flow ends or the chains are resized):
 *   - a bucket array of 2^k chains, indexed by SipHash-1-3 of the canonical
 *     key, keyed from cfg->seed.  It doubles as the table fills (load <= 1,
 *     up to 2^k >= max_flows), so the array a packet reads is as small as
 *     the flows present allow: 1 MB for 100k flows, not 8 MB for the 1M
 *     the table may hold;
 *   - a pool of struct flow, grown in chunks up to max_flows and recycled
 *     through a free list, so steady-state packets never allocate.  Large
 *     arrays (chunks, chains) ask for transparent huge pages: a packet
 *     touches one random chain and one random flow, and with 4 KiB pages
 *     each would also be a TLB miss;
 *   - three least-recently-seen lists (open TCP, closed TCP, UDP).  All
 *     flows on one list share one idle timeout, so the head of each list is
 *     the first to expire and expiry never scans the table.
 *
 * Time is packet time in microseconds.  A flow is idle past its timeout at
 * time now when now - last_us >= timeout: the boundary is inclusive, so a
 * flow last seen at T with a 30 s timeout still lives at T + 30 s - 1 us and
 * ends at T + 30 s.  A timeout of 0 ends a flow at the first later packet
 * or expiry call.  The same rule is applied lazily by flow_table_update (a
 * packet for a flow already idle past its timeout ends it and starts a new
 * one), so the output does not depend on how often the caller expires.
 *
 * Each list is in update order, which is last_us order while packet time
 * does not run backwards.  If it does (merged captures), last_us never
 * moves back but the flow still goes to the fresh end, so expiry, eviction
 * and flush follow update order within a list; the result stays
 * deterministic.
 *
 * Nothing observable depends on the hash or the seed: lookups only test
 * key equality, and every ordering (expiry, eviction, flush) comes from the
 * lists, with ties between list heads broken by flow id.
 */
#include "flow/flow.h"
#include "util/hash.h"

#include <endian.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define US_PER_S 1000000ULL
#define HUGE_BYTES (2u << 20) /* a transparent huge page */
#define POOL_CHUNK ((uint32_t)(HUGE_BYTES / sizeof(struct flow))) /* flows per
			* pool allocation: one huge page */
#define MIN_BUCKETS 4096u

/* The key has no padding, so keys built with memset compare with memcmp. */
_Static_assert(sizeof(struct flow_key) == 2 * 16 + 4 * 2 + 2,
	       "struct flow_key must have no padding");

enum { LST_TCP, LST_TCP_CLOSED, LST_UDP, LST_N };

struct flow_list {
	struct flow *head; /* least recently seen */
	struct flow *tail; /* most recently seen */
};

struct flow_table {
	struct flow **buckets;          /* mask + 1 chains via hnext */
	uint64_t mask;
	uint64_t max_mask;              /* the chains at max_flows, minus 1 */
	uint64_t k0, k1;                /* SipHash key derived from the seed */
	uint64_t tmo_us[LST_N];         /* idle timeout per list, microseconds */
	struct flow_list lst[LST_N];
	struct flow *free;              /* free pool entries, via hnext */
	struct flow **chunks;           /* pool allocations, nchunks used */
	uint32_t nchunks, pooled;       /* pooled: flows carved so far */
	uint32_t max_flows;
	uint64_t next_id;               /* id of the next flow, from 1 */
	_Atomic uint64_t *ids;          /* shared ids (cfg.ids), or NULL */
	flow_end_fn on_end;
	void *ctx;
	struct flow_table_stats st;
};

/* ---------------------------------------------------------------- hash */

static inline uint64_t rotl64(uint64_t x, int b)
{
	return (x << b) | (x >> (64 - b));
}

static inline void sip_round(uint64_t v[4])
{
	v[0] += v[1]; v[1] = rotl64(v[1], 13); v[1] ^= v[0];
	v[0] = rotl64(v[0], 32);
	v[2] += v[3]; v[3] = rotl64(v[3], 16); v[3] ^= v[2];
	v[0] += v[3]; v[3] = rotl64(v[3], 21); v[3] ^= v[0];
	v[2] += v[1]; v[1] = rotl64(v[1], 17); v[1] ^= v[2];
	v[2] = rotl64(v[2], 32);
}

/* Little-endian load of n <= 8 bytes, independent of host byte order: one
 * copy and (on little-endian hosts, a no-op) byte swap, not a byte loop. */
static inline uint64_t load_le(const uint8_t *p, size_t n)
{
	uint64_t m = 0;

	memcpy(&m, p, n);
	return le64toh(m);
}

/* SipHash-1-3 (one compression round, three finalisation rounds). */
static uint64_t siphash13(const void *data, size_t len, uint64_t k0,
			  uint64_t k1)
{
	const uint8_t *p = data;
	uint64_t v[4] = { k0 ^ 0x736f6d6570736575ULL, k1 ^ 0x646f72616e646f6dULL,
			  k0 ^ 0x6c7967656e657261ULL, k1 ^ 0x7465646279746573ULL };
	size_t full = len & ~(size_t)7;
	uint64_t m;

	for (size_t i = 0; i < full; i += 8) {
		m = load_le(p + i, 8);
		v[3] ^= m; sip_round(v); v[0] ^= m;
	}
	m = load_le(p + full, len - full) | (uint64_t)len << 56;
	v[3] ^= m; sip_round(v); v[0] ^= m;
	v[2] ^= 0xff;
	sip_round(v); sip_round(v); sip_round(v);
	return v[0] ^ v[1] ^ v[2] ^ v[3];
}

/* The hash of a key.  An IPv4 key is hashed over its 18 meaningful
 * bytes (its addresses use 4 of their 16), an IPv6 key over all 42. */
static uint64_t key_hash(const struct flow_key *k, uint64_t k0, uint64_t k1)
{
	uint8_t v4[18];

	if (k->ipver != 4)
		return siphash13(k, sizeof(*k), k0, k1);
	memcpy(v4, k->a, 4);
	memcpy(v4 + 4, k->b, 4);
	memcpy(v4 + 8, &k->pa, 2);
	memcpy(v4 + 10, &k->pb, 2);
	memcpy(v4 + 12, k->vlan, 4);
	v4[16] = k->l4;
	v4[17] = k->ipver;
	return siphash13(v4, sizeof(v4), k0, k1);
}

/* The key's hash, 32 bits: enough for any mask (max_flows is 32-bit). */
static uint32_t hash_of(const struct flow_table *t, const struct flow_key *k)
{
	return (uint32_t)key_hash(k, t->k0, t->k1);
}

/* ----------------------------------------------------------------- key */

/* Orders endpoints by (address bytes, then port); like memcmp's sign. */
static int endpoint_cmp(const uint8_t *a1, uint16_t p1, const uint8_t *a2,
			uint16_t p2)
{
	int c = memcmp(a1, a2, 16);

	if (c != 0)
		return c;
	return (p1 > p2) - (p1 < p2);
}

/* A 4-byte address as a number: its byte order is memcmp's order. */
static inline uint32_t be32_of(const uint8_t *a)
{
	return ((uint32_t)a[0] << 24) | ((uint32_t)a[1] << 16) |
	       ((uint32_t)a[2] << 8) | a[3];
}

/* Builds the canonical key of p; returns the packet's DIR_*.  An IPv4
 * key's addresses use 4 bytes of 16 (the rest zero), so comparing them as
 * numbers orders them as endpoint_cmp would. */
static int key_from_pkt(const struct pkt *p, struct flow_key *k)
{
	int dir;

	memset(k, 0, sizeof(*k));
	if (p->addr_len == 4) {
		uint32_t s = be32_of(p->src), d = be32_of(p->dst);

		dir = (s < d || (s == d && p->sport <= p->dport)) ? DIR_AB : DIR_BA;
		memcpy(k->a, dir == DIR_AB ? p->src : p->dst, 4);
		memcpy(k->b, dir == DIR_AB ? p->dst : p->src, 4);
	} else {
		dir = endpoint_cmp(p->src, p->sport, p->dst, p->dport) <= 0 ?
		      DIR_AB : DIR_BA;
		memcpy(k->a, dir == DIR_AB ? p->src : p->dst, 16);
		memcpy(k->b, dir == DIR_AB ? p->dst : p->src, 16);
	}
	k->pa = dir == DIR_AB ? p->sport : p->dport;
	k->pb = dir == DIR_AB ? p->dport : p->sport;
	for (int i = 0; i < p->nvlan && i < 2; i++)
		k->vlan[i] = p->vlan[i];
	k->l4 = p->l4;
	k->ipver = p->ipver;
	return dir;
}

/* Key equality without a call: five 8-byte words and the last two bytes. */
static inline bool key_equal(const struct flow_key *x, const struct flow_key *y)
{
	const unsigned char *a = (const unsigned char *)x;
	const unsigned char *b = (const unsigned char *)y;
	uint64_t diff = 0;

	for (size_t i = 0; i < 40; i += 8) {
		uint64_t u, v;

		memcpy(&u, a + i, 8);
		memcpy(&v, b + i, 8);
		diff |= u ^ v;
	}
	return diff == 0 && a[40] == b[40] && a[41] == b[41];
}

/* ---------------------------------------------------------- hash chains */

static struct flow *hash_find(const struct flow_table *t, uint32_t h,
			      const struct flow_key *k)
{
	struct flow *f = t->buckets[h & t->mask];

	while (f && !key_equal(&f->key, k))
		f = f->hnext;
	return f;
}

static void hash_insert(struct flow_table *t, uint32_t h, struct flow *f)
{
	f->hash = h;
	f->hnext = t->buckets[h & t->mask];
	t->buckets[h & t->mask] = f;
}

static void hash_remove(struct flow_table *t, struct flow *f)
{
	struct flow **pp = &t->buckets[f->hash & t->mask];

	while (*pp != f)
		pp = &(*pp)->hnext;
	*pp = f->hnext;
	f->hnext = NULL;
}

/* --------------------------------------------------------------- lists */

/* The list a flow belongs on, from its protocol and state. */
static int list_of(const struct flow *f)
{
	if (f->key.l4 != L4_TCP)
		return LST_UDP;
	return f->state == FLOW_CLOSED ? LST_TCP_CLOSED : LST_TCP;
}

static void list_push_tail(struct flow_list *l, struct flow *f)
{
	f->lnext = NULL;
	f->lprev = l->tail;
	if (l->tail)
		l->tail->lnext = f;
	else
		l->head = f;
	l->tail = f;
}

static void list_unlink(struct flow_list *l, struct flow *f)
{
	if (f->lprev)
		f->lprev->lnext = f->lnext;
	else
		l->head = f->lnext;
	if (f->lnext)
		f->lnext->lprev = f->lprev;
	else
		l->tail = f->lprev;
	f->lprev = f->lnext = NULL;
}

/* True when a was seen before b (ties: created before b). */
static bool older(const struct flow *a, const struct flow *b)
{
	if (a->last_us != b->last_us)
		return a->last_us < b->last_us;
	return a->id < b->id;
}

/* The least recently seen of the list heads; NULL when the table is empty. */
static struct flow *oldest_head(const struct flow_table *t)
{
	struct flow *best = NULL;

	for (int l = 0; l < LST_N; l++) {
		struct flow *h = t->lst[l].head;

		if (h && (!best || older(h, best)))
			best = h;
	}
	return best;
}

/* True when f is idle past its list's timeout at packet time now_us. */
static bool idle_past(const struct flow_table *t, const struct flow *f,
		      uint64_t now_us)
{
	return now_us >= f->last_us &&
	       now_us - f->last_us >= t->tmo_us[list_of(f)];
}

/* ---------------------------------------------------------------- pool */

/* size zeroed bytes; from HUGE_BYTES up, whole huge pages, aligned, and
 * marked for transparent huge pages (a hint: without them, 4 KiB pages).
 * Freed with free(). */
static void *table_alloc(size_t size)
{
	size_t n = (size + HUGE_BYTES - 1) & ~(size_t)(HUGE_BYTES - 1);
	void *p;

	if (size < HUGE_BYTES)
		return calloc(1, size);
	if ((p = aligned_alloc(HUGE_BYTES, n)) == NULL)
		return NULL;
#ifdef MADV_HUGEPAGE
	(void)madvise(p, n, MADV_HUGEPAGE);
#endif
	memset(p, 0, n);
	return p;
}

/* Doubles the chains when the flows outnumber them (up to max_mask + 1):
 * every flow is linked anew from its kept hash.  Keeps the old chains
 * when out of memory (longer chains, still correct). */
static void chains_grow(struct flow_table *t)
{
	uint64_t nb = (t->mask + 1) * 2;
	struct flow **old = t->buckets, **nbk;

	if (t->st.active <= t->mask + 1 || t->mask >= t->max_mask ||
	    (nbk = table_alloc(nb * sizeof(*nbk))) == NULL)
		return;
	t->buckets = nbk;
	t->mask = nb - 1;
	for (int l = 0; l < LST_N; l++)
		for (struct flow *f = t->lst[l].head; f; f = f->lnext)
			hash_insert(t, f->hash, f);
	free(old);
}

/* Carves the next chunk of the pool onto the free list; false on ENOMEM. */
static bool pool_grow(struct flow_table *t)
{
	uint32_t n = t->max_flows - t->pooled;
	struct flow *c;

	if (n > POOL_CHUNK)
		n = POOL_CHUNK;
	c = table_alloc(n * sizeof(*c));
	if (!c)
		return false;
	t->chunks[t->nchunks++] = c;
	t->pooled += n;
	for (uint32_t i = n; i-- > 0;) {
		c[i].hnext = t->free;
		t->free = &c[i];
	}
	return true;
}

/* A zeroed flow from the pool; NULL when the pool is exhausted or ENOMEM.
 * The caller guarantees active < max_flows. */
static struct flow *flow_alloc(struct flow_table *t)
{
	struct flow *f;

	if (!t->free && (t->pooled == t->max_flows || !pool_grow(t)))
		return NULL;
	f = t->free;
	t->free = f->hnext;
	memset(f, 0, sizeof(*f));
	return f;
}

/* Reports f to on_end with `why`, then unlinks it and returns it to the
 * pool.  f must be in the table. */
static void end_flow(struct flow_table *t, struct flow *f, enum flow_end why)
{
	if (t->on_end)
		t->on_end(f, why, t->ctx);
	t->st.ended++;
	if (why == END_EVICTED)
		t->st.evicted++;
	t->st.active--;
	hash_remove(t, f);
	list_unlink(&t->lst[list_of(f)], f);
	f->hnext = t->free;
	t->free = f;
}

/* ------------------------------------------------------------- updates */

/* Makes room for one more flow at time now_us: ends the flows idle past
 * their timeout, and if the table is still full evicts the least recently
 * seen flow. */
static void make_room(struct flow_table *t, uint64_t now_us)
{
	if (t->st.active < t->max_flows)
		return;
	flow_table_expire(t, now_us);
	if (t->st.active >= t->max_flows)
		end_flow(t, oldest_head(t), END_EVICTED);
}

/* Creates the flow of key k (hash h) at time ts_us; NULL on ENOMEM. */
static struct flow *flow_create(struct flow_table *t, uint32_t h,
				const struct flow_key *k, const struct pkt *p)
{
	struct flow *f;

	make_room(t, p->ts_us);
	f = flow_alloc(t);
	if (!f)
		return NULL;
	f->key = *k;
	f->nvlan = p->nvlan < 2 ? p->nvlan : 2;
	f->id = t->ids ? atomic_fetch_add(t->ids, 1) : t->next_id++;
	f->first_us = f->last_us = p->ts_us;
	f->state = FLOW_NEW;
	f->server_dir = DIR_AB;
	hash_insert(t, h, f);
	list_push_tail(&t->lst[list_of(f)], f);
	t->st.created++;
	if (++t->st.active > t->st.peak_active)
		t->st.peak_active = t->st.active;
	if (t->st.active > t->mask + 1)
		chains_grow(t);
	return f;
}

/* Advances the TCP state of f after a packet with `flags` in `dir`. */
static void tcp_track(struct flow *f, int dir, uint8_t flags)
{
	uint8_t both;

	f->tcp_seen[dir] |= flags;
	if (f->state == FLOW_CLOSED)
		return;
	both = f->tcp_seen[DIR_AB] & f->tcp_seen[DIR_BA];
	if (((f->tcp_seen[DIR_AB] | f->tcp_seen[DIR_BA]) & TCPF_RST) ||
	    (both & TCPF_FIN))
		f->state = FLOW_CLOSED;
	else if (f->pkts[DIR_AB] && f->pkts[DIR_BA])
		f->state = FLOW_ESTABLISHED;
}

/* Counts p on f and moves f to the fresh end of its (possibly new) list. */
static void flow_account(struct flow_table *t, struct flow *f,
			 const struct pkt *p, int dir)
{
	list_unlink(&t->lst[list_of(f)], f);
	f->pkts[dir]++;
	f->bytes[dir] += p->wire_len;
	if (p->ts_us > f->last_us)
		f->last_us = p->ts_us;
	if (f->key.l4 == L4_TCP)
		tcp_track(f, dir, p->tcp_flags);
	else if (f->pkts[DIR_AB] && f->pkts[DIR_BA])
		f->state = FLOW_ESTABLISHED;
	list_push_tail(&t->lst[list_of(f)], f);
}

/* True when p must end the existing flow f and start a new one: f is idle
 * past its timeout, or f is a closed TCP flow and p is a bare SYN. */
static bool must_restart(const struct flow_table *t, const struct flow *f,
			 const struct pkt *p)
{
	if (idle_past(t, f, p->ts_us))
		return true;
	return f->state == FLOW_CLOSED && f->key.l4 == L4_TCP &&
	       (p->tcp_flags & (TCPF_SYN | TCPF_ACK)) == TCPF_SYN;
}

struct flow *flow_table_update_hashed(struct flow_table *t,
				      const struct pkt *p, uint32_t h,
				      int *dir, bool *created)
{
	struct flow_key k;
	int d = key_from_pkt(p, &k);
	struct flow *f = hash_find(t, h, &k);
	bool fresh = false;

	if (f && must_restart(t, f, p)) {
		end_flow(t, f, END_TIMEOUT);
		f = NULL;
	}
	if (!f) {
		f = flow_create(t, h, &k, p);
		if (!f)
			return NULL;
		fresh = true;
	}
	flow_account(t, f, p, d);
	if (dir)
		*dir = d;
	if (created)
		*created = fresh;
	return f;
}

struct flow *flow_table_update(struct flow_table *t, const struct pkt *p,
			       int *dir, bool *created)
{
	return flow_table_update_hashed(t, p, flow_table_hash(t, p), dir,
					created);
}

/* ---------------------------------------------------------- look-ahead */

uint32_t flow_table_hash(const struct flow_table *t, const struct pkt *p)
{
	struct flow_key k;
	uint32_t h;

	(void)key_from_pkt(p, &k);
	h = hash_of(t, &k);
	flow_table_prefetch_chain(t, h);
	return h;
}

void flow_table_prefetch_chain(const struct flow_table *t, uint32_t h)
{
	__builtin_prefetch(&t->buckets[h & t->mask]);
}

/* The bytes of f a packet touches: all of it (struct flow spans four
 * cache lines, or five when the pool places it across a boundary). */
static void prefetch_flow(const struct flow *f)
{
	const char *c = (const char *)f;

	for (size_t off = 0; off < sizeof(*f) + 63; off += 64)
		__builtin_prefetch(c + (off < sizeof(*f) ? off : sizeof(*f) - 1), 1);
}

void flow_table_prefetch(const struct flow_table *t, uint32_t h)
{
	const struct flow *f = t->buckets[h & t->mask];

	if (f)
		prefetch_flow(f);
}

const struct flow *flow_table_peek(const struct flow_table *t, uint32_t h)
{
	const struct flow *f = t->buckets[h & t->mask];

	while (f && f->hash != h)
		f = f->hnext;
	return f;
}

void flow_table_prefetch_near(const struct flow_table *t, uint32_t h)
{
	const struct flow *f = flow_table_peek(t, h);

	if (f == NULL)
		return;
	if (f->lprev)
		__builtin_prefetch(&f->lprev->lnext, 1);
	if (f->lnext)
		__builtin_prefetch(&f->lnext->lprev, 1);
	/* What the later stages keep of the flow: the first line of each. */
	if (f->media)
		__builtin_prefetch(f->media, 1);
	if (f->wire)
		__builtin_prefetch(f->wire, 1);
	if (f->insp)
		__builtin_prefetch(f->insp, 1);
}

/* ------------------------------------------------------ table lifetime */

/* Smallest power of two >= n (n >= 1). */
static uint64_t pow2_at_least(uint64_t n)
{
	uint64_t p = 1;

	while (p < n)
		p <<= 1;
	return p;
}

/* Returns NULL when out of memory, or when cfg is NULL or max_flows is 0. */
struct flow_table *flow_table_new(const struct flow_table_cfg *cfg,
				  flow_end_fn on_end, void *ctx)
{
	struct flow_table *t;
	uint64_t nb;

	if (!cfg || cfg->max_flows == 0)
		return NULL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->max_mask = pow2_at_least(cfg->max_flows) - 1;
	nb = t->max_mask + 1 < MIN_BUCKETS ? t->max_mask + 1 : MIN_BUCKETS;
	t->buckets = table_alloc(nb * sizeof(*t->buckets));
	t->chunks = calloc(cfg->max_flows / POOL_CHUNK + 1, sizeof(*t->chunks));
	if (!t->buckets || !t->chunks) {
		flow_table_free(t);
		return NULL;
	}
	t->mask = nb - 1;
	t->k0 = cfg->seed;
	t->k1 = hash_mix64(cfg->seed);  /* the seed spread into a second word */
	t->tmo_us[LST_TCP] = cfg->tcp_idle_s * US_PER_S;
	t->tmo_us[LST_TCP_CLOSED] = cfg->tcp_closed_s * US_PER_S;
	t->tmo_us[LST_UDP] = cfg->udp_idle_s * US_PER_S;
	t->max_flows = cfg->max_flows;
	t->next_id = 1;
	t->ids = cfg->ids;
	t->on_end = on_end;
	t->ctx = ctx;
	return t;
}

/* Frees the table and every flow in it; on_end is not called, so anything
 * a flow owns (insp) must have been released by flushing first. */
void flow_table_free(struct flow_table *t)
{
	if (!t)
		return;
	for (uint32_t i = 0; i < t->nchunks; i++)
		free(t->chunks[i]);
	free(t->chunks);
	free(t->buckets);
	free(t);
}

void flow_table_next_id(struct flow_table *t, uint64_t id)
{
	t->next_id = id;
}

uint64_t flow_pkt_hash(const struct pkt *p, uint64_t seed)
{
	struct flow_key k;

	(void)key_from_pkt(p, &k);
	return key_hash(&k, seed, hash_mix64(seed));
}

/* Ends, with END_TIMEOUT, the flows at the head of each list while they are
 * idle past their timeout at now_us.  Lists are in update order, so if
 * packet time ran backwards an idle flow may wait behind a fresher head
 * until a later call; flow_table_update still ends it on its next packet. */
void flow_table_expire(struct flow_table *t, uint64_t now_us)
{
	for (int l = 0; l < LST_N; l++) {
		struct flow *f;

		while ((f = t->lst[l].head) && idle_past(t, f, now_us))
			end_flow(t, f, END_TIMEOUT);
	}
}

static int cmp_older(const void *x, const void *y)
{
	const struct flow *a = *(struct flow *const *)x;
	const struct flow *b = *(struct flow *const *)y;

	return older(a, b) ? -1 : older(b, a) ? 1 : 0;
}

/* Ends every flow with `why`, least recently seen first (ties: lower id
 * first), exactly so even where packet time ran backwards (offline
 * engines stream these records in that order, filework.c); when that
 * order cannot be had (no memory), least recently seen first across the
 * list heads.  The table is empty afterwards but usable. */
void flow_table_flush(struct flow_table *t, enum flow_end why)
{
	struct flow **v = t->st.active ? malloc(t->st.active * sizeof(*v)) : NULL;
	struct flow *f;
	uint64_t n = 0;

	if (v != NULL) {
		for (int l = 0; l < LST_N; l++)
			for (f = t->lst[l].head; f; f = f->lnext)
				v[n++] = f;
		qsort(v, n, sizeof(*v), cmp_older);
		for (uint64_t i = 0; i < n; i++)
			end_flow(t, v[i], why);
		free(v);
	}
	while ((f = oldest_head(t)))
		end_flow(t, f, why);
}

void flow_table_get_stats(const struct flow_table *t,
			  struct flow_table_stats *out)
{
	*out = t->st;
}

/* --------------------------------------------------------------- names */

const char *flow_end_name(enum flow_end why)
{
	switch (why) {
	case END_TIMEOUT: return "timeout";
	case END_FORCED: return "forced";
	case END_SHUTDOWN: return "shutdown";
	case END_EVICTED: return "evicted";
	}
	return "unknown";
}

const char *flow_state_name(enum flow_state st)
{
	switch (st) {
	case FLOW_NEW: return "new";
	case FLOW_ESTABLISHED: return "established";
	case FLOW_CLOSED: return "closed";
	}
	return "unknown";
}

const char *side_by_name(enum side_by by)
{
	switch (by) {
	case SIDE_PORT: return "port";
	case SIDE_FIRST: return "first-packet";
	case SIDE_RULE: return "rule";
	case SIDE_INVENTORY: return "inventory";
	case SIDE_WIRE: return "wire";
	case SIDE_HOST: return "host";
	case SIDE_HANDSHAKE: return "handshake";
	}
	return "unknown";
}
