/* classify.c: server side by handshake, rules or port; labels by rules. */
#include "classify.h"

enum rank {
	RANK_NONE,
	RANK_RANGE,        /* a non-fallback range (UDP only) */
	RANK_SYSTEM_PORT,  /* below 1024 */
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
	if (port < SYSTEM_PORT_LIMIT)
		return RANK_SYSTEM_PORT;
	if (l4 == L4_UDP)
		for (uint32_t i = 0; i < m.nrange; i++)
			if (!c->rs->rules[m.range[i]].fallback)
				return RANK_RANGE;
	return RANK_NONE;
}

/* Server side from the rules, else the lower port. */
static void side_from_ports(const struct classifier *c, struct flow *f)
{
	enum rank ra = port_rank(c, f->key.l4, f->key.pa);
	enum rank rb = port_rank(c, f->key.l4, f->key.pb);
	enum rank best = ra > rb ? ra : rb;

	if (ra != rb)
		f->server_dir = rb > ra ? DIR_AB : DIR_BA;
	else
		f->server_dir = f->key.pb < f->key.pa ? DIR_AB : DIR_BA;
	f->side_by = (best == RANK_NONE || best == RANK_SYSTEM_PORT) ?
		     SIDE_PORT : SIDE_RULE;
}

void classify_packet(const struct classifier *c, struct flow *f,
		     const struct pkt *p, int dir, bool created)
{
	uint8_t syn = p->tcp_flags & (TCPF_SYN | TCPF_ACK);

	if (p->l4 == L4_TCP && f->side_by != SIDE_HANDSHAKE &&
	    (syn == TCPF_SYN || syn == (TCPF_SYN | TCPF_ACK))) {
		/* SYN goes to the server; SYN-ACK comes from it.  DIR_AB means
		 * a -> b, and server_dir DIR_AB means b is the server. */
		int to_server = syn == TCPF_SYN ? dir : 1 - dir;
		f->server_dir = (uint8_t)to_server;
		f->side_by = SIDE_HANDSHAKE;
		return;
	}
	if (created)
		side_from_ports(c, f);
}

static bool has_primary(const struct classifier *c, const struct pm_result *m)
{
	for (uint32_t i = 0; i < m->nexact; i++)
		if (!c->rs->rules[m->exact[i]].fallback)
			return true;
	for (uint32_t i = 0; i < m->nrange; i++)
		if (!c->rs->rules[m->range[i]].fallback)
			return true;
	return false;
}

static int add_list(const struct classifier *c, const uint32_t *list,
		    uint32_t n, bool fallback, uint32_t *out, int k, int max)
{
	for (uint32_t i = 0; i < n && k < max; i++)
		if (c->rs->rules[list[i]].fallback == fallback)
			out[k++] = list[i];
	return k;
}

int classify_labels(const struct classifier *c, const struct flow *f,
		    uint32_t *out, int max)
{
	struct pm_result m;
	bool fb;
	int k;

	portmatch_lookup(c->pm, f->key.l4, flow_server_port(f), &m);
	fb = !has_primary(c, &m);
	k = add_list(c, m.exact, m.nexact, fb, out, 0, max);
	return add_list(c, m.range, m.nrange, fb, out, k, max);
}
