/* test_flow.c: unit tests of the flow table (src/flow/flow.c).
 *
 * Packets are built by hand as the decoder would leave them.  Times are
 * microseconds; the idle-timeout boundary is inclusive (a flow idle for
 * exactly its timeout ends).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "flow/flow.h"

#define US(s) ((uint64_t)(s) * 1000000ULL)
#define T0 US(1700000000)

#define TCP_IDLE 120
#define TCP_CLOSED 15
#define UDP_IDLE 30

/* ------------------------------------------------------------ helpers */

#define REC_MAX 64

struct ended {
	uint64_t id, first_us, last_us;
	enum flow_end why;
	uint32_t pkts[2];
	uint64_t bytes[2];
	uint8_t state;
	struct flow_key key;
};

/* What on_end saw: the first REC_MAX ends in full, counts and a digest of
 * all of them. */
struct rec {
	struct ended e[REC_MAX];
	size_t n;
	uint64_t by_why[4];
	uint64_t digest;
};

static uint64_t fold(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
	return h * 0x100000001b3ULL;
}

static void on_end_rec(struct flow *f, enum flow_end why, void *ctx)
{
	struct rec *r = ctx;
	struct ended *e = &r->e[r->n < REC_MAX ? r->n : REC_MAX - 1];

	*e = (struct ended){ .id = f->id, .first_us = f->first_us,
			     .last_us = f->last_us, .why = why,
			     .pkts = { f->pkts[0], f->pkts[1] },
			     .bytes = { f->bytes[0], f->bytes[1] },
			     .state = f->state, .key = f->key };
	if (r->n < REC_MAX)
		r->n++;
	r->by_why[why]++;
	r->digest = fold(r->digest, f->id);
	r->digest = fold(r->digest, why);
	r->digest = fold(r->digest, f->last_us - f->first_us);
	r->digest = fold(r->digest, f->pkts[0] * 65537ULL + f->pkts[1]);
	r->digest = fold(r->digest, f->bytes[0] ^ (f->bytes[1] << 20));
	r->digest = fold(r->digest, f->state);
}

static struct flow_table *table(struct rec *r, uint32_t max_flows,
				uint64_t seed)
{
	struct flow_table_cfg cfg = {
		.max_flows = max_flows, .tcp_idle_s = TCP_IDLE,
		.tcp_closed_s = TCP_CLOSED, .udp_idle_s = UDP_IDLE,
		.seed = seed,
	};
	struct flow_table *t;

	memset(r, 0, sizeof(*r));
	t = flow_table_new(&cfg, on_end_rec, r);
	assert_non_null(t);
	return t;
}

/* A decoded packet; addresses as text ("10.0.0.1" or "2001:db8::1"). */
static struct pkt mkpkt(const char *src, uint16_t sport, const char *dst,
			uint16_t dport, uint8_t l4, uint8_t flags,
			uint64_t ts_us, uint32_t len)
{
	struct pkt p;
	int af = strchr(src, ':') ? AF_INET6 : AF_INET;

	memset(&p, 0, sizeof(p));
	p.ts_us = ts_us;
	p.wire_len = p.cap_len = len;
	p.ipver = af == AF_INET6 ? 6 : 4;
	p.addr_len = af == AF_INET6 ? 16 : 4;
	p.l4 = l4;
	p.tcp_flags = l4 == L4_TCP ? flags : 0;
	assert_int_equal(inet_pton(af, src, p.src), 1);
	assert_int_equal(inet_pton(af, dst, p.dst), 1);
	p.sport = sport;
	p.dport = dport;
	return p;
}

/* The same packet in the other direction, at ts_us with len and flags. */
static struct pkt reply(const struct pkt *q, uint8_t flags, uint64_t ts_us,
			uint32_t len)
{
	struct pkt p = *q;

	memcpy(p.src, q->dst, 16);
	memcpy(p.dst, q->src, 16);
	p.sport = q->dport;
	p.dport = q->sport;
	p.tcp_flags = q->l4 == L4_TCP ? flags : 0;
	p.ts_us = ts_us;
	p.wire_len = p.cap_len = len;
	return p;
}

/* Updates and checks that the packet gave direction `dir` and `created`. */
static struct flow *upd(struct flow_table *t, const struct pkt *p,
			int want_dir, bool want_created)
{
	int dir = -1;
	bool created = !want_created;
	struct flow *f = flow_table_update(t, p, &dir, &created);

	assert_non_null(f);
	assert_int_equal(dir, want_dir);
	assert_int_equal(created, want_created);
	return f;
}

static struct flow_table_stats stats(const struct flow_table *t)
{
	struct flow_table_stats s;

	flow_table_get_stats(t, &s);
	return s;
}

/* A UDP flow numbered i: 10.<i>.x.y:40000 -> 192.168.0.1:53. */
static struct pkt nth_udp(uint32_t i, uint64_t ts_us)
{
	struct pkt p = mkpkt("10.0.0.0", 40000, "192.168.0.1", 53, L4_UDP, 0,
			     ts_us, 80);

	p.src[1] = (uint8_t)(i >> 16);
	p.src[2] = (uint8_t)(i >> 8);
	p.src[3] = (uint8_t)i;
	return p;
}

/* -------------------------------------------------------------- tests */

static void test_sizeof_flow(void **state)
{
	(void)state;
	printf("sizeof(struct flow) = %zu, sizeof(struct flow_key) = %zu\n",
	       sizeof(struct flow), sizeof(struct flow_key));
	assert_true(sizeof(struct flow) <= 200);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(flow_end_name(END_TIMEOUT), "timeout");
	assert_string_equal(flow_end_name(END_FORCED), "forced");
	assert_string_equal(flow_end_name(END_SHUTDOWN), "shutdown");
	assert_string_equal(flow_end_name(END_EVICTED), "evicted");
	assert_string_equal(flow_state_name(FLOW_NEW), "new");
	assert_string_equal(flow_state_name(FLOW_ESTABLISHED), "established");
	assert_string_equal(flow_state_name(FLOW_CLOSED), "closed");
	assert_string_equal(side_by_name(SIDE_PORT), "port");
	assert_string_equal(side_by_name(SIDE_RULE), "rule");
	assert_string_equal(side_by_name(SIDE_INVENTORY), "inventory");
	assert_string_equal(side_by_name(SIDE_HANDSHAKE), "handshake");
}

/* Client 10.0.0.2:50000 -> server 10.0.0.1:443; a is the server. */
static void test_tcp_both_directions(void **state)
{
	struct rec r;
	struct flow_table *t = table(&r, 16, 1);
	struct pkt syn = mkpkt("10.0.0.2", 50000, "10.0.0.1", 443, L4_TCP,
			       TCPF_SYN, T0, 74);
	struct pkt synack = reply(&syn, TCPF_SYN | TCPF_ACK, T0 + 100, 74);
	struct pkt ack = reply(&synack, TCPF_ACK, T0 + 200, 66);
	struct flow *f;
	(void)state;

	f = upd(t, &syn, DIR_BA, true);
	assert_int_equal(f->id, 1);
	assert_int_equal(f->state, FLOW_NEW);
	assert_int_equal(f->key.pa, 443);
	assert_int_equal(f->key.pb, 50000);
	assert_memory_equal(f->key.a, syn.dst, 16);
	assert_memory_equal(f->key.b, syn.src, 16);
	assert_int_equal(f->key.l4, L4_TCP);
	assert_int_equal(f->key.ipver, 4);
	assert_int_equal(f->server_dir, DIR_AB);
	assert_int_equal(f->side_by, 0);
	assert_null(f->insp);
	assert_ptr_equal(upd(t, &synack, DIR_AB, false), f);
	assert_int_equal(f->state, FLOW_ESTABLISHED);
	assert_ptr_equal(upd(t, &ack, DIR_BA, false), f);

	assert_int_equal(f->pkts[DIR_BA], 2);
	assert_int_equal(f->pkts[DIR_AB], 1);
	assert_int_equal(f->bytes[DIR_BA], 74 + 66);
	assert_int_equal(f->bytes[DIR_AB], 74);
	assert_int_equal(f->tcp_seen[DIR_BA], TCPF_SYN | TCPF_ACK);
	assert_int_equal(f->tcp_seen[DIR_AB], TCPF_SYN | TCPF_ACK);
	assert_int_equal(f->first_us, T0);
	assert_int_equal(f->last_us, T0 + 200);
	assert_int_equal(stats(t).active, 1);
	assert_int_equal(stats(t).created, 1);
	flow_table_free(t);
	assert_int_equal(r.n, 0); /* free ends nothing */
}

/* Same address both sides: the lower port is endpoint a. */
static void test_udp_both_directions(void **state)
{
	struct rec r;
	struct flow_table *t = table(&r, 16, 1);
	struct pkt q = mkpkt("10.1.1.1", 5000, "10.1.1.1", 4000, L4_UDP, 0,
			     T0, 100);
	struct pkt a = reply(&q, 0, T0 + 1, 200);
	struct flow *f;
	(void)state;

	f = upd(t, &q, DIR_BA, true);
	assert_int_equal(f->state, FLOW_NEW);
	assert_int_equal(f->key.pa, 4000);
	assert_int_equal(f->key.pb, 5000);
	assert_ptr_equal(upd(t, &a, DIR_AB, false), f);
	assert_int_equal(f->state, FLOW_ESTABLISHED);
	assert_ptr_equal(upd(t, &q, DIR_BA, false), f);
	assert_int_equal(f->pkts[DIR_AB], 1);
	assert_int_equal(f->pkts[DIR_BA], 2);
	assert_int_equal(f->bytes[DIR_AB], 200);
	assert_int_equal(f->bytes[DIR_BA], 200);
	assert_int_equal(f->tcp_seen[0] | f->tcp_seen[1], 0);
	/* The last packet went back in time: last_us stays. */
	assert_int_equal(f->last_us, T0 + 1);
	flow_table_free(t);
}

static void test_ipv6(void **state)
{
	struct rec r;
	struct flow_table *t = table(&r, 16, 1);
	struct pkt q = mkpkt("2001:db8::20", 51000, "2001:db8::10", 5061,
			     L4_TCP, TCPF_SYN, T0, 94);
	struct pkt a = reply(&q, TCPF_SYN | TCPF_ACK, T0 + 5, 94);
	/* An IPv4 packet whose address bytes equal the IPv6 ones' first 4. */
	struct pkt v4 = mkpkt("32.1.13.184", 51000, "32.1.13.184", 5061,
			      L4_TCP, TCPF_SYN, T0 + 6, 60);
	struct flow *f;
	(void)state;

	f = upd(t, &q, DIR_BA, true);
	assert_int_equal(f->key.ipver, 6);
	assert_memory_equal(f->key.a, q.dst, 16);
	assert_int_equal(f->key.pa, 5061);
	assert_ptr_equal(upd(t, &a, DIR_AB, false), f);
	assert_int_equal(f->state, FLOW_ESTABLISHED);
	assert_int_equal(f->pkts[DIR_AB], 1);
	assert_int_equal(f->pkts[DIR_BA], 1);
	assert_ptr_not_equal(upd(t, &v4, DIR_BA, true), f);
	assert_int_equal(stats(t).active, 2);
	flow_table_free(t);
}

/* Only the first addr_len bytes of an address are part of the key. */
static void test_ipv4_ignores_tail_bytes(void **state)
{
	struct rec r;
	struct flow_table *t = table(&r, 16, 1);
	struct pkt p = mkpkt("10.0.0.1", 1, "10.0.0.2", 2, L4_UDP, 0, T0, 60);
	struct pkt dirty = p;
	struct flow *f;
	(void)state;

	memset(dirty.src + 4, 0xaa, 12);
	f = upd(t, &p, DIR_AB, true);
	assert_ptr_equal(upd(t, &dirty, DIR_AB, false), f);
	assert_int_equal(f->key.a[4] | f->key.b[15], 0);
	flow_table_free(t);
}

static void test_vlan_distinct(void **state)
{
	struct rec r;
	struct flow_table *t = table(&r, 16, 1);
	struct pkt p = mkpkt("10.0.0.2", 50000, "10.0.0.1", 80, L4_TCP,
			     TCPF_SYN, T0, 60);
	struct pkt v10 = p, v20 = p, qinq = p, back;
	struct flow *f0, *f10;
	(void)state;

	v10.nvlan = v20.nvlan = 1;
	v10.vlan[0] = 10;
	v20.vlan[0] = 20;
	qinq.nvlan = 2;
	qinq.vlan[0] = 10;
	qinq.vlan[1] = 7;
	f0 = upd(t, &p, DIR_BA, true);
	f10 = upd(t, &v10, DIR_BA, true);
	assert_ptr_not_equal(f0, f10);
	assert_int_equal(f10->key.vlan[0], 10);
	assert_int_equal(f10->nvlan, 1);
	upd(t, &v20, DIR_BA, true);
	upd(t, &qinq, DIR_BA, true);
	back = reply(&v10, TCPF_SYN | TCPF_ACK, T0 + 1, 60);
	assert_ptr_equal(upd(t, &back, DIR_AB, false), f10);
	assert_int_equal(stats(t).active, 4);
	flow_table_free(t);
}

static void test_protocol_distinct(void **state)
{
	struct rec r;
	struct flow_table *t = table(&r, 16, 1);
	struct pkt tcp = mkpkt("10.0.0.2", 3478, "10.0.0.1", 3478, L4_TCP,
			       TCPF_SYN, T0, 60);
	struct pkt udp = mkpkt("10.0.0.2", 3478, "10.0.0.1", 3478, L4_UDP, 0,
			       T0, 60);
	(void)state;

	assert_ptr_not_equal(upd(t, &tcp, DIR_BA, true),
			     upd(t, &udp, DIR_BA, true));
	assert_int_equal(stats(t).active, 2);
	flow_table_free(t);
}

/* Inclusive boundary: idle for exactly udp_idle_s ends the flow. */
static void test_udp_timeout_boundary(void **state)
{
	struct rec r;
	struct flow_table *t = table(&r, 16, 1);
	struct pkt p = mkpkt("10.0.0.2", 5000, "10.0.0.1", 53, L4_UDP, 0,
			     T0, 60);
	struct pkt later = reply(&p, 0, T0 + US(5), 90);
	uint64_t last = T0 + US(5);
	(void)state;

	upd(t, &p, DIR_BA, true);
	upd(t, &later, DIR_AB, false);
	flow_table_expire(t, last + US(UDP_IDLE) - 1);
	assert_int_equal(r.n, 0);
	assert_int_equal(stats(t).active, 1);
	flow_table_expire(t, last + US(UDP_IDLE));
	assert_int_equal(r.n, 1);
	assert_int_equal(r.e[0].why, END_TIMEOUT);
	assert_int_equal(r.e[0].id, 1);
	assert_int_equal(r.e[0].last_us, last);
	assert_int_equal(r.e[0].pkts[DIR_AB], 1);
	assert_int_equal(r.e[0].pkts[DIR_BA], 1);
	assert_int_equal(stats(t).active, 0);
	assert_int_equal(stats(t).ended, 1);
	/* Time before last_us never expires anything. */
	upd(t, &p, DIR_BA, true);
	flow_table_expire(t, T0 - 1);
	assert_int_equal(stats(t).active, 1);
	flow_table_free(t);
}

/* A packet for a flow already idle past its timeout (expire not called)
 * ends the old flow and starts a new one. */
static void test_idle_flow_restarts_on_packet(void **state)
{
	struct rec r;
	struct flow_table *t = table(&r, 16, 1);
	struct pkt p = mkpkt("10.0.0.2", 5000, "10.0.0.1", 53, L4_UDP, 0,
			     T0, 60);
	struct pkt q = p;
	struct flow *f;
	(void)state;

	upd(t, &p, DIR_BA, true);
	q.ts_us = T0 + US(UDP_IDLE) - 1;
	upd(t, &q, DIR_BA, false);
	q.ts_us += US(UDP_IDLE);
	f = upd(t, &q, DIR_BA, true);
	assert_int_equal(f->id, 2);
	assert_int_equal(f->pkts[DIR_BA], 1);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.e[0].id, 1);
	assert_int_equal(r.e[0].why, END_TIMEOUT);
	assert_int_equal(r.e[0].pkts[DIR_BA], 2);
	flow_table_free(t);
}

/* An open TCP conversation 10.0.0.<host>:<port> -> 10.0.0.1:443. */
static struct flow *tcp_open(struct flow_table *t, int host, uint16_t port,
			     uint64_t ts_us)
{
	char src[32];
	struct pkt syn, synack;

	snprintf(src, sizeof(src), "10.0.0.%d", host);
	syn = mkpkt(src, port, "10.0.0.1", 443, L4_TCP, TCPF_SYN, ts_us, 60);
	synack = reply(&syn, TCPF_SYN | TCPF_ACK, ts_us, 60);
	upd(t, &syn, DIR_BA, true);
	return upd(t, &synack, DIR_AB, false);
}

/* Sends one TCP packet of that conversation in direction dir. */
static struct flow *tcp_send(struct flow_table *t, int host, uint16_t port,
			     int dir, uint8_t flags, uint64_t ts_us)
{
	char src[32];
	struct pkt c;

	snprintf(src, sizeof(src), "10.0.0.%d", host);
	c = mkpkt(src, port, "10.0.0.1", 443, L4_TCP, flags, ts_us, 60);
	if (dir == DIR_AB)
		c = reply(&c, flags, ts_us, 60);
	return upd(t, &c, dir, false);
}

static void test_tcp_fin_fin_closes(void **state)
{
	struct rec r;
	struct flow_table *t = table(&r, 16, 1);
	struct flow *open, *fin;
	uint64_t last = T0 + US(2);
	(void)state;

	/* The older flow stays open; the newer one closes, so the closed
	 * flow is not the oldest TCP flow. */
	open = tcp_open(t, 2, 50000, T0);
	tcp_send(t, 2, 50000, DIR_BA, TCPF_ACK, last);
	fin = tcp_open(t, 3, 50001, T0 + US(1));
	tcp_send(t, 3, 50001, DIR_BA, TCPF_FIN | TCPF_ACK, T0 + US(1));
	assert_int_equal(fin->state, FLOW_ESTABLISHED); /* one FIN only */
	tcp_send(t, 3, 50001, DIR_AB, TCPF_FIN | TCPF_ACK, last);
	assert_int_equal(fin->state, FLOW_CLOSED);
	assert_int_equal(open->state, FLOW_ESTABLISHED);
	/* The final ACK still counts on the closed flow. */
	tcp_send(t, 3, 50001, DIR_BA, TCPF_ACK, last);
	assert_int_equal(fin->pkts[DIR_BA], 3);

	flow_table_expire(t, last + US(TCP_CLOSED) - 1);
	assert_int_equal(r.n, 0);
	flow_table_expire(t, last + US(TCP_CLOSED));
	assert_int_equal(r.n, 1);
	assert_int_equal(r.e[0].id, 2);
	assert_int_equal(r.e[0].why, END_TIMEOUT);
	assert_int_equal(r.e[0].state, FLOW_CLOSED);
	assert_int_equal(stats(t).active, 1);
	flow_table_expire(t, last + US(TCP_IDLE) - 1);
	assert_int_equal(r.n, 1);
	flow_table_expire(t, last + US(TCP_IDLE));
	assert_int_equal(r.n, 2);
	assert_int_equal(r.e[1].id, 1);
	assert_int_equal(r.e[1].state, FLOW_ESTABLISHED);
	flow_table_free(t);
}

static void test_tcp_rst_closes(void **state)
{
	struct rec r;
	struct flow_table *t = table(&r, 16, 1);
	struct pkt syn = mkpkt("10.0.0.9", 40000, "10.0.0.1", 443, L4_TCP,
			       TCPF_SYN, T0 + US(1), 60);
	struct pkt rst = reply(&syn, TCPF_RST | TCPF_ACK, T0 + US(1), 54);
	struct flow *f;
	(void)state;

	tcp_open(t, 2, 50000, T0 + US(1));
	upd(t, &syn, DIR_BA, true);
	f = upd(t, &rst, DIR_AB, false);
	assert_int_equal(f->state, FLOW_CLOSED); /* refused: RST in NEW */

	flow_table_expire(t, T0 + US(1 + TCP_CLOSED) - 1);
	assert_int_equal(r.n, 0);
	flow_table_expire(t, T0 + US(1 + TCP_CLOSED));
	assert_int_equal(r.n, 1);
	assert_int_equal(r.e[0].id, 2);
	assert_int_equal(r.e[0].why, END_TIMEOUT);
	assert_int_equal(stats(t).active, 1); /* the open flow, same age */
	flow_table_free(t);
}

static void test_syn_on_closed_restarts(void **state)
{
	struct rec r;
	struct flow_table *t = table(&r, 16, 1);
	struct flow *f;
	int dir;
	bool created;
	(void)state;

	tcp_open(t, 2, 50000, T0);
	f = tcp_send(t, 2, 50000, DIR_AB, TCPF_RST, T0 + 10);
	assert_int_equal(f->state, FLOW_CLOSED);
	/* A SYN/ACK or plain ACK stays on the closed flow. */
	tcp_send(t, 2, 50000, DIR_BA, TCPF_ACK, T0 + 20);
	tcp_send(t, 2, 50000, DIR_AB, TCPF_SYN | TCPF_ACK, T0 + 30);
	assert_int_equal(r.n, 0);

	{
		struct pkt syn = mkpkt("10.0.0.2", 50000, "10.0.0.1", 443,
				       L4_TCP, TCPF_SYN, T0 + 40, 60);

		f = flow_table_update(t, &syn, &dir, &created);
	}
	assert_non_null(f);
	assert_true(created);
	assert_int_equal(dir, DIR_BA);
	assert_int_equal(f->id, 2);
	assert_int_equal(f->state, FLOW_NEW);
	assert_int_equal(f->pkts[DIR_BA], 1);
	assert_int_equal(f->pkts[DIR_AB], 0);
	assert_int_equal(f->first_us, T0 + 40);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.e[0].id, 1);
	assert_int_equal(r.e[0].why, END_TIMEOUT);
	assert_int_equal(r.e[0].pkts[DIR_AB], 3);
	assert_int_equal(r.e[0].pkts[DIR_BA], 2);
	assert_int_equal(stats(t).active, 1);
	assert_int_equal(stats(t).created, 2);
	assert_int_equal(stats(t).evicted, 0);
	flow_table_free(t);
}

/* max_flows 3, TCP and UDP mixed: the 4th flow evicts the least recently
 * seen one across both lists. */
static void test_evict_lru(void **state)
{
	struct rec r;
	struct flow_table *t = table(&r, 3, 1);
	struct pkt u1 = nth_udp(1, T0 + 1), u3 = nth_udp(3, T0 + 3);
	struct pkt u1b = nth_udp(1, T0 + 4), u4 = nth_udp(4, T0 + 5);
	struct flow_table_stats s;
	(void)state;

	upd(t, &u1, DIR_AB, true);             /* id 1, last T0+1 -> T0+4 */
	tcp_open(t, 2, 50000, T0 + 2);         /* id 2, last T0+2 */
	upd(t, &u3, DIR_AB, true);             /* id 3, last T0+3 */
	upd(t, &u1b, DIR_AB, false);
	assert_int_equal(r.n, 0);
	assert_int_equal(upd(t, &u4, DIR_AB, true)->id, 4);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.e[0].id, 2);
	assert_int_equal(r.e[0].why, END_EVICTED);
	s = stats(t);
	assert_int_equal(s.evicted, 1);
	assert_int_equal(s.ended, 1);
	assert_int_equal(s.active, 3);
	assert_int_equal(s.peak_active, 3);
	assert_int_equal(s.created, 4);
	flow_table_free(t);
}

/* A full table ends a flow that is idle past its timeout as a timeout,
 * not an eviction. */
static void test_full_table_prefers_timeout(void **state)
{
	struct rec r;
	struct flow_table *t = table(&r, 2, 1);
	struct pkt u1 = nth_udp(1, T0), u2 = nth_udp(2, T0 + US(20));
	struct pkt u3 = nth_udp(3, T0 + US(UDP_IDLE));
	(void)state;

	upd(t, &u1, DIR_AB, true);
	upd(t, &u2, DIR_AB, true);
	upd(t, &u3, DIR_AB, true);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.e[0].id, 1);
	assert_int_equal(r.e[0].why, END_TIMEOUT);
	assert_int_equal(stats(t).evicted, 0);
	assert_int_equal(stats(t).active, 2);
	flow_table_free(t);
}

/* Flows on all three lists (UDP, open TCP, closed TCP), touched in packet
 * time order: flush ends them by last_us across the lists. */
static void test_flush_oldest_first(void **state)
{
	struct rec r;
	struct flow_table *t = table(&r, 16, 1);
	struct pkt u;
	static const uint64_t want[] = { 3, 1, 4, 2, 5 };
	(void)state;

	u = nth_udp(1, T0 + 10);
	upd(t, &u, DIR_AB, true);                         /* 1 */
	tcp_open(t, 2, 50000, T0 + 20);                   /* 2 */
	u = nth_udp(3, T0 + 30);
	upd(t, &u, DIR_AB, true);                         /* 3: last 30 */
	tcp_open(t, 4, 50000, T0 + 40);                   /* 4 */
	u = nth_udp(1, T0 + 50);
	upd(t, &u, DIR_AB, false);                        /* 1: last 50 */
	tcp_send(t, 4, 50000, DIR_AB, TCPF_RST, T0 + 60); /* 4: closed, 60 */
	tcp_send(t, 2, 50000, DIR_BA, TCPF_ACK, T0 + 70); /* 2: last 70 */
	u = nth_udp(5, T0 + 80);
	upd(t, &u, DIR_AB, true);                         /* 5: last 80 */

	flow_table_flush(t, END_SHUTDOWN);
	assert_int_equal(r.n, 5);
	for (size_t i = 0; i < r.n; i++) {
		assert_int_equal(r.e[i].id, want[i]);
		assert_int_equal(r.e[i].why, END_SHUTDOWN);
	}
	assert_int_equal(r.e[2].state, FLOW_CLOSED);
	assert_int_equal(stats(t).active, 0);
	assert_int_equal(stats(t).ended, 5);
	/* The table is usable after a flush. */
	u = nth_udp(1, T0 + 90);
	assert_int_equal(upd(t, &u, DIR_AB, true)->id, 6);
	flow_table_free(t);
}

static void test_many_flows_bounded(void **state)
{
	struct rec r;
	struct flow_table *t = table(&r, 1000, 7);
	struct flow_table_stats s;
	(void)state;

	for (uint32_t i = 0; i < 100000; i++) {
		struct pkt p = nth_udp(i, T0 + i);

		upd(t, &p, DIR_AB, true);
		if (stats(t).active > 1000)
			fail_msg("active %llu after flow %u",
				 (unsigned long long)stats(t).active, i);
	}
	s = stats(t);
	assert_int_equal(s.active, 1000);
	assert_int_equal(s.peak_active, 1000);
	assert_int_equal(s.created, 100000);
	assert_int_equal(s.evicted, 99000);
	assert_int_equal(r.by_why[END_EVICTED], 99000);
	assert_int_equal(r.e[0].id, 1); /* evicted in creation order */
	assert_int_equal(r.e[1].id, 2);
	flow_table_flush(t, END_SHUTDOWN);
	assert_int_equal(stats(t).ended, 100000);
	flow_table_free(t);
}

/* The chains double as flows arrive (4,096 at first, here up to 2^17):
 * 100,000 flows alive at once, each found again after every doubling,
 * ended exactly once, and the table empty and usable afterwards. */
static void test_chains_grow(void **state)
{
	struct rec r;
	struct flow_table *t = table(&r, 100000, 3);
	const uint32_t n = 100000;
	(void)state;

	for (uint32_t i = 0; i < n; i++) {
		struct pkt p = nth_udp(i, T0 + i);

		upd(t, &p, DIR_AB, true);
		if (i == 4096 || i == 70000 || i == n - 1)
			for (uint32_t j = 0; j <= i; j += 97) {
				struct pkt q = nth_udp(j, T0 + i);
				struct pkt b = reply(&q, 0, T0 + i, 80);

				assert_int_equal(upd(t, &b, DIR_BA, false)->id, j + 1);
			}
	}
	assert_int_equal(stats(t).active, n);
	assert_int_equal(stats(t).evicted, 0);
	for (uint32_t j = 0; j < n; j += 1) {
		struct pkt q = nth_udp(j, T0 + n);

		assert_int_equal(upd(t, &q, DIR_AB, false)->id, j + 1);
	}
	flow_table_flush(t, END_SHUTDOWN);
	assert_int_equal(stats(t).active, 0);
	assert_int_equal(r.by_why[END_SHUTDOWN], n);
	{
		struct pkt q = nth_udp(5, T0 + n + 1);

		assert_int_equal(upd(t, &q, DIR_AB, true)->id, n + 1);
	}
	flow_table_free(t);
}

/* The offline reader hashes a packet once for the engine: the table's
 * hash is the low half of flow_pkt_hash with the table's seed, the same
 * for both directions, IPv4 and IPv6; another seed gives another hash. */
static void test_pkt_hash_is_table_hash(void **state)
{
	struct rec r;
	const uint64_t seed = 0x1234567890abcdefULL;
	struct flow_table *t = table(&r, 100, seed);
	struct pkt p4 = mkpkt("10.0.0.1", 40000, "10.0.0.2", 443, L4_TCP,
			      TCPF_SYN, T0, 60);
	struct pkt p6 = mkpkt("2001:db8::1", 5000, "2001:db8::2", 5001,
			      L4_UDP, 0, T0, 100);
	struct pkt b4 = reply(&p4, TCPF_SYN | TCPF_ACK, T0, 60);
	(void)state;

	assert_int_equal(flow_table_hash(t, &p4), (uint32_t)flow_pkt_hash(&p4, seed));
	assert_int_equal(flow_table_hash(t, &b4), (uint32_t)flow_pkt_hash(&p4, seed));
	assert_int_equal(flow_table_hash(t, &p6), (uint32_t)flow_pkt_hash(&p6, seed));
	assert_int_not_equal(flow_pkt_hash(&p4, seed), flow_pkt_hash(&p4, seed + 1));
	assert_ptr_equal(flow_table_peek(t, flow_table_hash(t, &p4)), NULL);
	{
		struct flow *f = upd(t, &p4, DIR_AB, true);

		assert_ptr_equal(flow_table_update_hashed(t, &b4,
			(uint32_t)flow_pkt_hash(&b4, seed), NULL, NULL), f);
		assert_ptr_equal(flow_table_peek(t, flow_table_hash(t, &b4)), f);
	}
	flow_table_free(t);
}

/* A pseudo-random mix of TCP and UDP packets, both directions, some time
 * going backwards, expiry now and then, and a small table.  Returns a
 * digest of everything observable. */
static uint64_t scenario(uint64_t seed, struct flow_table_stats *out)
{
	struct rec r;
	struct flow_table *t = table(&r, 64, seed);
	uint64_t x = 12345, now = T0, digest = 0;
	static const uint8_t flagset[] = { TCPF_SYN, TCPF_SYN | TCPF_ACK,
		TCPF_ACK, TCPF_ACK | TCPF_PSH, TCPF_FIN | TCPF_ACK, TCPF_RST };

	for (int i = 0; i < 50000; i++) {
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		uint32_t v = (uint32_t)(x >> 33);
		struct pkt p = nth_udp(v % 150, now);
		int dir;
		bool created;
		struct flow *f;

		p.l4 = (v >> 8) & 1 ? L4_TCP : L4_UDP;
		p.tcp_flags = p.l4 == L4_TCP ? flagset[(v >> 9) % 6] : 0;
		p.wire_len = 60 + (v >> 12) % 1400;
		if ((v >> 10) & 1)
			p = reply(&p, p.tcp_flags, p.ts_us, p.wire_len);
		if ((v >> 24) % 50 == 0 && p.ts_us > US(3))
			p.ts_us -= US(3);
		f = flow_table_update(t, &p, &dir, &created);
		assert_non_null(f);
		digest = fold(digest, f->id * 4 + (uint64_t)dir * 2 + created);
		digest = fold(digest, f->state);
		now += (v >> 14) % US(1);
		if (i % 100 == 0)
			flow_table_expire(t, now);
	}
	flow_table_flush(t, END_SHUTDOWN);
	flow_table_get_stats(t, out);
	assert_true(r.by_why[END_EVICTED] > 0);
	assert_true(r.by_why[END_TIMEOUT] > 0);
	flow_table_free(t);
	return fold(digest, r.digest);
}

static void test_seed_independent(void **state)
{
	struct flow_table_stats s1, s2, s3;
	uint64_t d1 = scenario(1, &s1);
	uint64_t d2 = scenario(0xdeadbeefcafef00dULL, &s2);
	uint64_t d3 = scenario(0, &s3);
	(void)state;

	assert_int_equal(d1, d2);
	assert_int_equal(d1, d3);
	assert_memory_equal(&s1, &s2, sizeof(s1));
	assert_memory_equal(&s1, &s3, sizeof(s1));
	assert_int_equal(s1.ended, s1.created);
}

static void test_bad_config(void **state)
{
	struct flow_table_cfg cfg = { .max_flows = 0, .udp_idle_s = 1 };
	(void)state;

	assert_null(flow_table_new(&cfg, NULL, NULL));
	assert_null(flow_table_new(NULL, NULL, NULL));
	flow_table_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sizeof_flow),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_tcp_both_directions),
		cmocka_unit_test(test_udp_both_directions),
		cmocka_unit_test(test_ipv6),
		cmocka_unit_test(test_ipv4_ignores_tail_bytes),
		cmocka_unit_test(test_vlan_distinct),
		cmocka_unit_test(test_protocol_distinct),
		cmocka_unit_test(test_udp_timeout_boundary),
		cmocka_unit_test(test_idle_flow_restarts_on_packet),
		cmocka_unit_test(test_tcp_fin_fin_closes),
		cmocka_unit_test(test_tcp_rst_closes),
		cmocka_unit_test(test_syn_on_closed_restarts),
		cmocka_unit_test(test_evict_lru),
		cmocka_unit_test(test_full_table_prefers_timeout),
		cmocka_unit_test(test_flush_oldest_first),
		cmocka_unit_test(test_many_flows_bounded),
		cmocka_unit_test(test_chains_grow),
		cmocka_unit_test(test_pkt_hash_is_table_hash),
		cmocka_unit_test(test_seed_independent),
		cmocka_unit_test(test_bad_config),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
