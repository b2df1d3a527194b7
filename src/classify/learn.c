/* learn.c: counts the ports each host served; writes an inventory file.
 *
 * Hosts live in one array whose free entries (ipver 0) are kept on a free
 * list.  An open-addressing index (linear probing over a power of two at
 * least twice max_hosts) finds them by a seeded hash of the address; each
 * slot keeps the host's hash too, so probes and deletions rarely read a
 * host.  Pruning selects an eighth of the hosts by key (Hoare's selection,
 * no sort) and deletes them from the index by backward shifting: it reads
 * each host once and moves none.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "classify/inventory.h"
#include "classify/learn.h"
#include "util/hash.h"

#define LINE_WIDTH 76 /* evidence comments wrap before this column */

struct lport {
	uint32_t flows;
	uint16_t port;
	uint8_t l4;               /* RULE_L4_TCP or RULE_L4_UDP */
	uint8_t pinned;           /* a signature port: never evicted */
};

struct lhost {
	uint8_t addr[16];         /* network order; IPv4 in the first 4 */
	uint8_t ipver;            /* 4 or 6; 0: a free entry */
	uint8_t nports;
	bool sig;                 /* served a signature port */
	uint64_t born;            /* arrival number: prune order among equals */
	uint64_t flows;           /* flows counted */
	uint64_t flows_evicted;   /* flows of port entries no longer kept */
	struct lport ports[LEARN_MAX_PORTS];
};

struct lslot {
	uint32_t host;            /* host index + 1; 0: an empty slot */
	uint32_t hash;            /* addr_hash() of the host */
};

struct learner {
	const struct ruleset *rs;
	struct l4_port *sig;      /* signature ports */
	int nsig;
	struct lhost *hosts;      /* [0, used): live and free entries */
	uint32_t used, cap, max;
	uint32_t nlive;
	uint32_t *freelist;       /* indexes of free entries (room for max) */
	uint32_t nfree;
	uint64_t nborn;           /* hosts ever added */
	struct lslot *slot;       /* the index */
	uint32_t mask;            /* slots - 1 */
	uint64_t k0, k1;          /* hash key */
	uint64_t rng;             /* pivots of nth_smallest() */
	struct learn_stats st;
};

/* ------------------------------------------------------------ hash */

static uint64_t load64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static uint32_t addr_hash(const struct learner *l, int ipver,
			  const uint8_t addr[16])
{
	uint64_t h = hash_mix64(l->k0 ^ load64(addr) ^ (uint64_t)ipver);

	return (uint32_t)hash_mix64(h ^ l->k1 ^ load64(addr + 8));
}

/* The slot holding (ipver, addr), whose hash is `hash`, or the empty slot
 * where it belongs. */
static struct lslot *probe(const struct learner *l, int ipver,
			   const uint8_t addr[16], uint32_t hash)
{
	for (uint32_t i = hash & l->mask;; i = (i + 1) & l->mask) {
		struct lslot *s = &l->slot[i];
		const struct lhost *h;

		if (s->host == 0)
			return s;
		if (s->hash != hash)
			continue;
		h = &l->hosts[s->host - 1];
		if (h->ipver == ipver && memcmp(h->addr, addr, 16) == 0)
			return s;
	}
}

/* Empties slot i, moving later entries of its cluster back so that every
 * entry stays reachable from its home slot (Knuth's Algorithm R). */
static void slot_delete(struct learner *l, uint32_t i)
{
	for (uint32_t j = (i + 1) & l->mask; l->slot[j].host != 0;
	     j = (j + 1) & l->mask) {
		uint32_t home = l->slot[j].hash & l->mask;

		if (((j - home) & l->mask) >= ((j - i) & l->mask)) {
			l->slot[i] = l->slot[j];
			i = j;
		}
	}
	l->slot[i].host = 0;
}

/* ------------------------------------------------------------ set */

static bool sig_has(const struct learner *l, uint8_t l4, uint16_t port)
{
	for (int i = 0; i < l->nsig; i++)
		if (l->sig[i].l4 == l4 && l->sig[i].port == port)
			return true;
	return false;
}

static void sig_add(struct learner *l, const struct l4_port *lp, int n)
{
	for (int i = 0; i < n; i++)
		if (!sig_has(l, lp[i].l4, lp[i].port))
			l->sig[l->nsig++] = lp[i];
}

struct learner *learn_new(const struct ruleset *rs, uint32_t max_hosts,
			  uint64_t seed)
{
	struct learner *l = calloc(1, sizeof(*l));
	uint32_t slots = 16;

	if (l == NULL)
		return NULL;
	l->rs = rs;
	l->max = max_hosts ? max_hosts : LEARN_MAX_HOSTS;
	if (l->max > LEARN_HOSTS_LIMIT)
		l->max = LEARN_HOSTS_LIMIT;
	while (slots < 2 * (uint64_t)l->max)
		slots *= 2;
	l->mask = slots - 1;
	l->k0 = seed;
	l->k1 = hash_mix64(seed);
	l->rng = hash_mix64(l->k1);
	l->slot = calloc(slots, sizeof(*l->slot));
	l->freelist = calloc(l->max, sizeof(*l->freelist));
	l->sig = calloc((size_t)rs->nroles * 2 * ROLE_MAX_LEARN + 1, sizeof(*l->sig));
	if (l->slot == NULL || l->freelist == NULL || l->sig == NULL) {
		learn_free(l);
		return NULL;
	}
	for (int i = 0; i < rs->nroles; i++) {
		sig_add(l, rs->roles[i].learn, rs->roles[i].nlearn);
		sig_add(l, rs->roles[i].learn_unless, rs->roles[i].nlearn_unless);
	}
	return l;
}

void learn_free(struct learner *l)
{
	if (l == NULL)
		return;
	free(l->hosts);
	free(l->slot);
	free(l->freelist);
	free(l->sig);
	free(l);
}

void learn_get_stats(const struct learner *l, struct learn_stats *out)
{
	*out = l->st;
	out->hosts = l->nlive;
}

/* ------------------------------------------------------------ hosts */

/* Prune order, unique per host: hosts without a signature port first,
 * then fewest flows (up to 2^23), then the oldest. */
static uint64_t prune_key(const struct lhost *h)
{
	uint64_t flows = h->flows < 0x7fffff ? h->flows : 0x7fffff;

	return (uint64_t)h->sig << 63 | flows << 40 | (h->born & 0xffffffffffULL);
}

/* Partially orders the distinct values v[0..n) so that v[k] is the k-th
 * smallest (0-based), and returns it: Hoare's selection, O(n) expected;
 * the pivot choice does not change the result. */
static uint64_t nth_smallest(uint64_t *v, long n, long k, uint64_t *rng)
{
	long lo = 0, hi = n - 1;

	while (lo < hi) {
		long i = lo, j = hi;
		uint64_t pivot, t;

		*rng = *rng * 6364136223846793005ULL + 1442695040888963407ULL;
		pivot = v[lo + (long)((*rng >> 33) % (uint64_t)(hi - lo + 1))];
		while (i <= j) {
			/* The pivot, then the swapped values, stop both
			 * scans inside [lo, hi]; the bounds say so to readers
			 * and to the static analyser. */
			while (i < hi && v[i] < pivot)
				i++;
			while (j > lo && v[j] > pivot)
				j--;
			if (i <= j) {
				t = v[i];
				v[i++] = v[j];
				v[j--] = t;
			}
		}
		if (k <= j)
			hi = j;
		else if (k >= i)
			lo = i;
		else
			break;
	}
	return v[k];
}

static void host_remove(struct learner *l, uint32_t i)
{
	struct lhost *h = &l->hosts[i];

	uint32_t hash = addr_hash(l, h->ipver, h->addr);

	slot_delete(l, (uint32_t)(probe(l, h->ipver, h->addr, hash) - l->slot));
	h->ipver = 0;
	l->freelist[l->nfree++] = i;
	l->nlive--;
	l->st.hosts_pruned++;
}

/* Removes an eighth of the hosts (at least one) in prune order; returns
 * false when out of memory. */
static bool prune(struct learner *l)
{
	uint64_t *key = malloc(l->nlive * sizeof(*key)), cut = UINT64_MAX;
	uint32_t want = l->max / 8 ? l->max / 8 : 1, n = 0;

	if (key == NULL)
		return false;
	for (uint32_t i = 0; i < l->used; i++)
		if (l->hosts[i].ipver != 0)
			key[n++] = prune_key(&l->hosts[i]);
	if (want < n)
		cut = nth_smallest(key, n, want, &l->rng);
	free(key);
	for (uint32_t i = 0; i < l->used; i++)
		if (l->hosts[i].ipver != 0 && prune_key(&l->hosts[i]) < cut)
			host_remove(l, i);
	return true;
}

/* A free entry: from the free list, else a new one; -1 when out of
 * memory.  [0, used) holds live and free entries only, so with no free
 * entry used == nlive < max: the array never passes max. */
static long host_entry(struct learner *l)
{
	if (l->nfree > 0)
		return l->freelist[--l->nfree];
	if (l->used == l->cap) {
		uint32_t ncap = l->cap ? l->cap * 2 : 64;
		struct lhost *p;

		if (ncap > l->max)
			ncap = l->max;
		p = realloc(l->hosts, (size_t)ncap * sizeof(*p));
		if (p == NULL)
			return -1;
		l->hosts = p;
		l->cap = ncap;
	}
	return l->used++;
}

/* A new host for the empty slot s; NULL when out of memory. */
static struct lhost *host_add(struct learner *l, struct lslot *s,
			      uint32_t hash, int ipver, const uint8_t addr[16])
{
	struct lhost *h;
	long i;

	if (l->nlive == l->max) {
		if (!prune(l))
			return NULL;
		s = probe(l, ipver, addr, hash);
	}
	if ((i = host_entry(l)) < 0)
		return NULL;
	h = &l->hosts[i];
	memset(h, 0, sizeof(*h));
	memcpy(h->addr, addr, 16);
	h->ipver = (uint8_t)ipver;
	h->born = l->nborn++;
	s->host = (uint32_t)i + 1;
	s->hash = hash;
	l->nlive++;
	return h;
}

static struct lhost *host_get(struct learner *l, int ipver,
			      const uint8_t addr[16])
{
	uint32_t hash = addr_hash(l, ipver, addr);
	struct lslot *s = probe(l, ipver, addr, hash);

	return s->host ? &l->hosts[s->host - 1] : host_add(l, s, hash, ipver, addr);
}

/* ------------------------------------------------------------ ports */

/* The entry for a new port: a free one, else the unpinned one with the
 * fewest flows (the first of equals), emptied; NULL when all are pinned. */
static struct lport *port_slot(struct learner *l, struct lhost *h)
{
	struct lport *victim = NULL;

	if (h->nports < LEARN_MAX_PORTS)
		return &h->ports[h->nports++];
	for (int i = 0; i < LEARN_MAX_PORTS; i++)
		if (!h->ports[i].pinned &&
		    (victim == NULL || h->ports[i].flows < victim->flows))
			victim = &h->ports[i];
	if (victim != NULL) {
		h->flows_evicted += victim->flows;
		l->st.ports_evicted++;
	}
	return victim;
}

static void port_count(struct learner *l, struct lhost *h, uint8_t l4,
		       uint16_t port)
{
	struct lport *p = NULL;

	for (int i = 0; i < h->nports && p == NULL; i++)
		if (h->ports[i].l4 == l4 && h->ports[i].port == port)
			p = &h->ports[i];
	if (p == NULL && (p = port_slot(l, h)) != NULL)
		*p = (struct lport){ 0, port, l4, sig_has(l, l4, port) };
	if (p == NULL) {
		h->flows_evicted++;
		return;
	}
	p->flows++;
	h->sig |= p->pinned;
}

/* ------------------------------------------------------------ flows */

/* The server answered: a packet from it and, for TCP, a SYN-ACK or (no
 * SYN toward it: picked up mid-stream) no RST. */
static bool answered(const struct flow *f)
{
	int to_srv = flow_toserver_dir(f), from_srv = 1 - to_srv;

	if (f->pkts[from_srv] == 0)
		return false;
	if (f->key.l4 != L4_TCP)
		return true;
	if (f->tcp_seen[from_srv] & TCPF_SYN)
		return true;
	return !(f->tcp_seen[to_srv] & TCPF_SYN) &&
	       !(f->tcp_seen[from_srv] & TCPF_RST);
}

void learn_flow(struct learner *l, const struct flow *f)
{
	struct lhost *h;

	if ((f->key.l4 != L4_TCP && f->key.l4 != L4_UDP) ||
	    (f->key.ipver != 4 && f->key.ipver != 6))
		return;
	if (!answered(f)) {
		l->st.flows_unanswered++;
		return;
	}
	h = host_get(l, f->key.ipver, flow_server_addr(f));
	if (h == NULL) {
		l->st.flows_dropped++;
		return;
	}
	h->flows++;
	l->st.flows++;
	port_count(l, h, f->key.l4 == L4_TCP ? RULE_L4_TCP : RULE_L4_UDP,
		   flow_server_port(f));
}

/* ------------------------------------------------------------ writing */

static bool served(const struct lhost *h, const struct l4_port *lp)
{
	for (int i = 0; i < h->nports; i++)
		if (h->ports[i].l4 == lp->l4 && h->ports[i].port == lp->port)
			return h->ports[i].flows > 0;
	return false;
}

static bool role_matches(const struct role *ro, const struct lhost *h)
{
	if (ro->nlearn == 0)
		return false;
	for (int i = 0; i < ro->nlearn; i++)
		if (!served(h, &ro->learn[i]))
			return false;
	for (int i = 0; i < ro->nlearn_unless; i++)
		if (served(h, &ro->learn_unless[i]))
			return false;
	return true;
}

/* The roles h matches, ruleset order, at most INV_MAX_ROLES; the count. */
static int match_roles(const struct ruleset *rs, const struct lhost *h,
		       int *out)
{
	int n = 0;

	for (int i = 0; i < rs->nroles && n < INV_MAX_ROLES; i++)
		if (role_matches(&rs->roles[i], h))
			out[n++] = i;
	return n;
}

static int addr_cmp(const void *pa, const void *pb)
{
	const struct lhost *a = *(const struct lhost *const *)pa;
	const struct lhost *b = *(const struct lhost *const *)pb;

	if (a->ipver != b->ipver)
		return a->ipver - b->ipver;
	return memcmp(a->addr, b->addr, 16);
}

/* Evidence order: most flows first, then TCP before UDP, then port. */
static int port_cmp(const void *pa, const void *pb)
{
	const struct lport *a = pa, *b = pb;

	if (a->flows != b->flows)
		return a->flows > b->flows ? -1 : 1;
	if (a->l4 != b->l4)
		return a->l4 - b->l4;
	return a->port - b->port;
}

/* "# ADDR: served PORT/tcp (N flows), PORT/udp (N), ...", wrapped. */
static void write_evidence(FILE *out, const struct lhost *h, const char *addr)
{
	struct lport p[LEARN_MAX_PORTS];
	int col = fprintf(out, "# %s: served", addr);

	memcpy(p, h->ports, h->nports * sizeof(*p));
	qsort(p, h->nports, sizeof(*p), port_cmp);
	for (int i = 0; i < h->nports; i++) {
		char item[64];
		int n = snprintf(item, sizeof(item), " %u/%s (%" PRIu32 "%s)%s",
				 p[i].port, rule_l4_name(p[i].l4), p[i].flows,
				 i ? "" : p[i].flows == 1 ? " flow" : " flows",
				 i + 1 < h->nports ? "," : "");

		if (i > 0 && col + n > LINE_WIDTH) {
			fputs("\n#  ", out);
			col = 3;
		}
		fputs(item, out);
		col += n;
	}
	if (h->flows_evicted)
		fprintf(out, ";\n#   and %" PRIu64 " flows to ports not kept",
			h->flows_evicted);
	fputc('\n', out);
}

static void write_host(FILE *out, const struct ruleset *rs,
		       const struct lhost *h)
{
	char addr[INET6_ADDRSTRLEN];
	int roles[INV_MAX_ROLES], n = match_roles(rs, h, roles);

	if (inet_ntop(h->ipver == 4 ? AF_INET : AF_INET6, h->addr, addr,
		      sizeof(addr)) == NULL)
		return;
	fputc('\n', out);
	write_evidence(out, h, addr);
	if (n == 0) {
		fprintf(out, "#   (no role learnt)\n");
		return;
	}
	fprintf(out, "%-15s ", addr);
	for (int i = 0; i < n; i++)
		fprintf(out, "%s%s", i ? "," : " ", rs->roles[roles[i]].key);
	fputc('\n', out);
}

static void write_header(FILE *out, const struct learner *l, uint32_t nroled)
{
	fprintf(out,
		"# Inventory learnt by lyncwatch --learn-inventory.\n"
		"# Each host is given every role whose `learn` ports it served,\n"
		"# and none of whose `learn-unless` ports (the [role] sections of\n"
		"# the rule files).  Check every line before using it with\n"
		"# --inventory; hosts that matched no role are comments.\n"
		"# flows: %" PRIu64 " counted, %" PRIu64 " unanswered (not "
		"counted), %" PRIu64 " dropped\n"
		"# hosts: %" PRIu32 " (%" PRIu32 " with a role), %" PRIu64
		" pruned; port entries evicted: %" PRIu64 "\n",
		l->st.flows, l->st.flows_unanswered, l->st.flows_dropped,
		l->nlive, nroled, l->st.hosts_pruned, l->st.ports_evicted);
}

int learn_write(const struct learner *l, FILE *out)
{
	const struct lhost **by = malloc(((size_t)l->nlive + 1) * sizeof(*by));
	int roles[INV_MAX_ROLES];
	uint32_t n = 0, nroled = 0;

	if (by == NULL) {
		errno = ENOMEM;
		return -1;
	}
	for (uint32_t i = 0; i < l->used; i++) {
		if (l->hosts[i].ipver == 0)
			continue;
		by[n] = &l->hosts[i];
		nroled += match_roles(l->rs, by[n++], roles) > 0;
	}
	if (n > 0)
		qsort(by, n, sizeof(*by), addr_cmp);
	write_header(out, l, nroled);
	for (uint32_t i = 0; i < n; i++)
		write_host(out, l->rs, by[i]);
	free(by);
	return fflush(out) != 0 || ferror(out) ? -1 : 0;
}
