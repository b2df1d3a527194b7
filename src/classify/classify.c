/* classify.c: server side by handshake, inventory, rules or port; labels
 * by rules, narrowed by inventory roles. */
#include <stdint.h>
#include <string.h>

#include "classify/classify.h"

enum rank {
	RANK_NONE,
	RANK_SYSTEM_PORT,  /* below 1024 */
	RANK_EXACT_OTHER,  /* an exact port of a row of the other L4 protocol */
	RANK_EXACT_CLIENT, /* an exact port of a client-table row */
	RANK_EXACT_SERVER, /* an exact port of any other table's row */
};

#define SYSTEM_PORT_LIMIT 1024

static enum rank port_rank(const struct classifier *c, uint8_t l4,
			   uint16_t port)
{
	struct pm_result m;
	enum rank best = RANK_NONE;

	portmatch_lookup(c->pm, l4, port, &m);
	for (uint32_t i = 0; i < m.nexact; i++) {
		const struct rule *r = &c->rs->rules[m.exact[i]];

		if (r->fallback)
			continue;
		if (r->table != TABLE_CLIENT)
			return RANK_EXACT_SERVER;
		best = RANK_EXACT_CLIENT;
	}
	if (best != RANK_NONE)
		return best;
	portmatch_lookup(c->pm, l4 == L4_TCP ? L4_UDP : L4_TCP, port, &m);
	for (uint32_t i = 0; i < m.nexact; i++)
		if (!c->rs->rules[m.exact[i]].fallback)
			return RANK_EXACT_OTHER;
	return port < SYSTEM_PORT_LIMIT ? RANK_SYSTEM_PORT : RANK_NONE;
}

/* Server side from the rules: when one endpoint's port is better evidence
 * than the other's. */
static bool side_from_rules(const struct classifier *c, struct flow *f)
{
	enum rank ra = port_rank(c, f->key.l4, f->key.pa);
	enum rank rb = port_rank(c, f->key.l4, f->key.pb);

	if (ra == rb)
		return false;
	f->server_dir = rb > ra ? DIR_AB : DIR_BA;
	f->side_by = (ra > RANK_SYSTEM_PORT || rb > RANK_SYSTEM_PORT) ?
		     SIDE_RULE : SIDE_PORT;
	return true;
}

/* No port is better evidence: for UDP between two ports of which neither
 * is evidence, the receiver of the flow's first packet (dir: its
 * direction), as Zeek and Suricata take it (a peer-to-peer media flow
 * between two clients has no server port; a client's ephemeral port inside
 * a server media range is no evidence); else the lower port. */
static void side_from_order(const struct classifier *c, struct flow *f,
			    int dir)
{
	enum rank r = port_rank(c, f->key.l4, f->key.pa);

	if (f->key.l4 == L4_UDP && r == RANK_NONE) {
		f->server_dir = (uint8_t)dir;   /* DIR_AB: a sent, b serves */
		f->side_by = SIDE_FIRST;
	} else {
		f->server_dir = f->key.pb < f->key.pa ? DIR_AB : DIR_BA;
		f->side_by = r > RANK_SYSTEM_PORT ? SIDE_RULE : SIDE_PORT;
	}
}

bool classify_inv_server(const struct classifier *c, int ipver,
			 const uint8_t addr[16])
{
	const struct inv_host *h;

	if (c->inv == NULL)
		return false;
	h = inventory_lookup_cached(c->inv, c->ic, ipver, addr);
	return h != NULL && inventory_host_is_server(c->inv, h);
}

/* Server side from what is known of the hosts: exactly one endpoint is an
 * inventory server, or (no inventory decides) exactly one was seen serving
 * a Lync-specific port (hosts.h). */
static bool side_from_hosts(const struct classifier *c, struct flow *f)
{
	bool a = false, b = false;

	if (c->inv != NULL) {
		a = classify_inv_server(c, f->key.ipver, f->key.a);
		b = classify_inv_server(c, f->key.ipver, f->key.b);
		f->side_by = SIDE_INVENTORY;
	}
	if (a == b && c->hosts != NULL) {
		a = hosts_find(c->hosts, f->key.ipver, f->key.a) != NULL;
		b = hosts_find(c->hosts, f->key.ipver, f->key.b) != NULL;
		f->side_by = SIDE_HOST;
	}
	if (a == b)
		return false;
	f->server_dir = b ? DIR_AB : DIR_BA;
	return true;
}

void classify_packet(const struct classifier *c, struct flow *f,
		     const struct pkt *p, int dir, bool created)
{
	uint8_t syn = p->tcp_flags & (TCPF_SYN | TCPF_ACK);

	if (p->l4 == L4_TCP && f->side_by != SIDE_HANDSHAKE &&
	    (syn == TCPF_SYN || syn == (TCPF_SYN | TCPF_ACK))) {
		/* SYN goes to the server; SYN-ACK comes from it.  DIR_AB means
		 * a -> b, and server_dir DIR_AB means b is the server. */
		f->server_dir = (uint8_t)(syn == TCPF_SYN ? dir : 1 - dir);
		f->side_by = SIDE_HANDSHAKE;
		return;
	}
	if (created && !side_from_rules(c, f) && !side_from_hosts(c, f))
		side_from_order(c, f, dir);
}

void classify_wire_side(struct flow *f, int client_side)
{
	if (client_side < 0 || f->side_by == SIDE_HANDSHAKE)
		return;
	/* client_side 0: endpoint a is the client, so b serves (DIR_AB). */
	f->server_dir = client_side == 0 ? DIR_AB : DIR_BA;
	f->side_by = SIDE_WIRE;
}

/* ------------------------------------------------------------ labels */

/* True when rule r may label a flow served by host h (NULL: unknown). */
static bool role_allows(const struct classifier *c, const struct inv_host *h,
			const struct rule *r)
{
	if (h == NULL || (r->table == TABLE_CLIENT && !r->fallback))
		return true;
	return inventory_host_has_role(c->rs, h, r->role);
}

/* Whether a range row may label a flow of this support: the server and
 * load-balancer tables' ranges (media) need a known server. */
static bool range_allowed(const struct rule *r, const struct label_set *out)
{
	return r->table == TABLE_CLIENT || out->support != SUPPORT_PORT;
}

/* Appends the rules of list[0..n) with fallback == fb (and, when narrow,
 * that the server's roles allow; when range, that range_allowed) to out;
 * returns how many it added. */
static int add_rules(const struct classifier *c, struct label_set *out,
		     const uint32_t *list, uint32_t n, bool fb, bool narrow,
		     bool range)
{
	int added = 0;

	for (uint32_t i = 0; i < n && out->n < CLASSIFY_MAX_LABELS; i++) {
		const struct rule *r = &c->rs->rules[list[i]];

		if (r->fallback != fb || (narrow && !role_allows(c, out->server, r)) ||
		    (range && !range_allowed(r, out)))
			continue;
		out->shared = out->shared && r->shared;
		out->rule[out->n++] = list[i];
		added++;
	}
	return added;
}

/* Labels of one kind (primary or fallback rows), narrowed or not. */
static int add_kind(const struct classifier *c, struct label_set *out,
		    const struct pm_result *m, bool fb, bool narrow)
{
	int k = add_rules(c, out, m->exact, m->nexact, fb, narrow, false);

	if (k > 0)
		out->exact = true;
	return k + add_rules(c, out, m->range, m->nrange, fb, narrow, true);
}

/* The first non-fallback rule of m that may label a flow of out's support
 * (range rows: range_allowed), or -1. */
static int first_primary(const struct classifier *c, const struct pm_result *m,
			 const struct label_set *out)
{
	for (uint32_t i = 0; i < m->nexact; i++)
		if (!c->rs->rules[m->exact[i]].fallback)
			return (int)m->exact[i];
	for (uint32_t i = 0; i < m->nrange; i++) {
		const struct rule *r = &c->rs->rules[m->range[i]];

		if (!r->fallback && range_allowed(r, out))
			return (int)m->range[i];
	}
	return -1;
}

/* The inventory's hosts of f (the client's only when the server has no
 * entry: see label_set) and the labels' support. */
static void find_hosts(const struct classifier *c, const struct flow *f,
		       struct label_set *out)
{
	out->server = out->client = NULL;
	out->support = SUPPORT_PORT;
	if (c->inv != NULL) {
		out->server = inventory_lookup_cached(c->inv, c->ic, f->key.ipver,
						      flow_server_addr(f));
		if (out->server == NULL)
			out->client = inventory_lookup_cached(c->inv, c->ic,
							      f->key.ipver,
							      flow_client_addr(f));
	}
	if (out->server != NULL && inventory_host_is_server(c->inv, out->server))
		out->support = SUPPORT_INVENTORY;
	else if (hosts_find(c->hosts, f->key.ipver, flow_server_addr(f)) != NULL)
		out->support = SUPPORT_HOST;
}

/* The labels of a flow to `port` over l4 whose hosts find_hosts has put
 * in *out: they depend on nothing else. */
static void derive_labels(const struct classifier *c, uint8_t l4,
			  uint16_t port, struct label_set *out)
{
	uint8_t other = l4 == L4_TCP ? L4_UDP : L4_TCP;
	struct pm_result m;

	out->n = 0;
	out->exact = false;
	out->role_mismatch = false;
	out->shared = true;
	portmatch_lookup(c->pm, l4, port, &m);
	out->other_l4 = -1;
	if (first_primary(c, &m, out) < 0) {
		/* Nothing documents the port for this L4: does the other? */
		struct pm_result o;

		portmatch_lookup(c->pm, other, port, &o);
		out->other_l4 = first_primary(c, &o, out);
	}
	out->primary = add_kind(c, out, &m, false, true) > 0;
	/* Fallback rows (the clients' own ports) do not label a port that a
	 * row documents for the other L4 protocol: SIP sent over UDP to a
	 * port documented for TCP is no client media, it is the wrong
	 * transport. */
	if (!out->primary && out->other_l4 < 0 &&
	    (!c->strict_fallback || out->server != NULL))
		add_kind(c, out, &m, true, true);
	/* The server's roles allow none of the non-fallback rows covering the
	 * port: a role mismatch, shown with all of them.  (Fallback rows that
	 * its roles do not allow leave the port undocumented for it.) */
	if (out->n > 0 || out->server == NULL || first_primary(c, &m, out) < 0) {
		out->shared = out->shared && out->n > 0;
		return;
	}
	out->role_mismatch = true;
	out->exact = false;
	out->shared = true;
	out->primary = add_kind(c, out, &m, false, false) > 0;
	out->shared = out->shared && out->n > 0;
}

static unsigned memo_slot(const struct inv_host *server, uint16_t port,
			  uint8_t l4, uint8_t support)
{
	uint32_t h = (uint32_t)port * 0x9E3779B1u ^ (uint32_t)l4 << 3 ^ support ^
		     (uint32_t)((uintptr_t)server >> 4) * 0x85EBCA6Bu;

	return (h >> 20) % LABEL_MEMO_SLOTS;
}

void classify_labels(const struct classifier *c, const struct flow *f,
		     struct label_set *out)
{
	uint16_t port = flow_server_port(f);
	uint8_t l4 = f->key.l4;
	struct label_memo *lm = c->lm;
	unsigned k;

	find_hosts(c, f, out);
	if (lm == NULL) {
		derive_labels(c, l4, port, out);
		return;
	}
	k = memo_slot(out->server, port, l4, out->support);
	if (!lm->slot[k].used || lm->slot[k].server != out->server ||
	    lm->slot[k].port != port || lm->slot[k].l4 != l4 ||
	    lm->slot[k].support != out->support) {
		derive_labels(c, l4, port, out);
		lm->slot[k].server = out->server;
		lm->slot[k].port = port;
		lm->slot[k].l4 = l4;
		lm->slot[k].support = out->support;
		lm->slot[k].used = 1;
		lm->slot[k].primary = out->primary;
		lm->slot[k].exact = out->exact;
		lm->slot[k].role_mismatch = out->role_mismatch;
		lm->slot[k].shared = out->shared;
		lm->slot[k].n = (uint8_t)out->n;
		lm->slot[k].other_l4 = out->other_l4;
		memcpy(lm->slot[k].rule, out->rule, (size_t)out->n * sizeof(out->rule[0]));
		return;
	}
	out->primary = lm->slot[k].primary;
	out->exact = lm->slot[k].exact;
	out->role_mismatch = lm->slot[k].role_mismatch;
	out->shared = lm->slot[k].shared;
	out->n = lm->slot[k].n;
	out->other_l4 = lm->slot[k].other_l4;
	memcpy(out->rule, lm->slot[k].rule, (size_t)out->n * sizeof(out->rule[0]));
}
