/* test_classify.c: which endpoint is the server (handshake, inventory,
 * rules, lower port), especially in captures joined mid-stream; the labels
 * (exact before range, fallback rows, other-L4 ports, role narrowing and
 * role mismatch); and the Community ID against the specification's vectors. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify/classify.h"
#include "classify/inventory.h"
#include "classify/portmatch.h"
#include "classify/rules.h"
#include "shipped.h"

static struct ruleset rs;
static struct portmatch *pm;
static struct inventory *inv;

static const char inventory_text[] =
	"198.18.10.11  front-end      fe1\n"
	"198.18.10.20  director       dir1\n"
	"198.19.1.101  client         cl1\n"
	"198.19.1.102  client         cl2\n";

static int setup(void **state)
{
	(void)state;
	if (load_shipped_rules(&rs, NULL) || (pm = portmatch_build(&rs, stderr)) == NULL)
		return -1;
	inv = inventory_new(&rs);
	return inventory_load_buffer(inv, "t.inv", inventory_text,
				     strlen(inventory_text), stderr) ? -1 : 0;
}

static int teardown(void **state)
{
	(void)state;
	inventory_free(inv);
	portmatch_free(pm);
	ruleset_free(&rs);
	return 0;
}

static void v4(uint8_t *a, const char *s)
{
	unsigned x[4];

	memset(a, 0, 16);
	assert_int_equal(sscanf(s, "%u.%u.%u.%u", &x[0], &x[1], &x[2], &x[3]), 4);
	for (int i = 0; i < 4; i++)
		a[i] = (uint8_t)x[i];
}

/* A packet src:sport -> dst:dport and the flow it creates (key in
 * canonical order), as the flow table would build them. */
static void make(struct flow *f, struct pkt *p, int *dir, uint8_t l4,
		 const char *src, uint16_t sport, const char *dst, uint16_t dport,
		 uint8_t tcp_flags)
{
	uint8_t s[16], d[16];
	bool src_first;

	memset(f, 0, sizeof(*f));
	memset(p, 0, sizeof(*p));
	v4(s, src);
	v4(d, dst);
	src_first = memcmp(s, d, 16) < 0 || (memcmp(s, d, 16) == 0 && sport < dport);
	memcpy(f->key.a, src_first ? s : d, 16);
	memcpy(f->key.b, src_first ? d : s, 16);
	f->key.pa = src_first ? sport : dport;
	f->key.pb = src_first ? dport : sport;
	f->key.l4 = l4;
	f->key.ipver = 4;
	p->l4 = l4;
	p->ipver = 4;
	p->tcp_flags = tcp_flags;
	memcpy(p->src, s, 16);
	memcpy(p->dst, d, 16);
	p->sport = sport;
	p->dport = dport;
	*dir = src_first ? DIR_AB : DIR_BA;
}

/* Classifies the first packet of a new flow; returns the server port. */
static uint16_t first_packet(const struct classifier *c, struct flow *f,
			     uint8_t l4, const char *src, uint16_t sport,
			     const char *dst, uint16_t dport, uint8_t flags)
{
	struct pkt p;
	int dir;

	make(f, &p, &dir, l4, src, sport, dst, dport, flags);
	classify_packet(c, f, &p, dir, true);
	return flow_server_port(f);
}

static bool has_label(const struct label_set *ls, const char *id)
{
	for (int i = 0; i < ls->n; i++)
		if (strcmp(rs.rules[ls->rule[i]].id, id) == 0)
			return true;
	return false;
}

static void test_handshake(void **state)
{
	struct classifier c = { .rs = &rs, .pm = pm };
	struct flow f;

	(void)state;
	/* SYN to 8000: the target serves, whatever the ports rank. */
	assert_int_equal(first_packet(&c, &f, L4_TCP, "198.19.1.1", 5061,
				      "198.18.1.1", 8000, TCPF_SYN), 8000);
	assert_int_equal(f.side_by, SIDE_HANDSHAKE);
	/* A capture that starts at the SYN-ACK: its sender serves. */
	assert_int_equal(first_packet(&c, &f, L4_TCP, "198.18.1.1", 50000,
				      "198.19.1.1", 443, TCPF_SYN | TCPF_ACK), 50000);
	assert_int_equal(f.side_by, SIDE_HANDSHAKE);
}

/* Joined mid-stream (no SYN): rules and ports decide, and a Windows
 * client's ephemeral source port is never taken for a media port. */
static void test_midstream(void **state)
{
	struct classifier c = { .rs = &rs, .pm = pm };
	struct label_set ls;
	struct flow f;

	(void)state;
	assert_int_equal(first_packet(&c, &f, L4_TCP, "198.19.1.1", 50000,
				      "198.18.1.1", 8000, TCPF_ACK), 8000);
	assert_int_equal(f.side_by, SIDE_PORT);
	classify_labels(&c, &f, &ls);
	assert_false(has_label(&ls, "srv-28")); /* app sharing media range */
	assert_false(has_label(&ls, "srv-39"));
	/* Same, seen from the server's packet first. */
	assert_int_equal(first_packet(&c, &f, L4_TCP, "198.18.1.1", 8000,
				      "198.19.1.1", 50000, TCPF_ACK), 8000);
	/* A documented exact port wins over a lower undocumented one. */
	assert_int_equal(first_packet(&c, &f, L4_TCP, "198.19.1.1", 3000,
				      "198.18.1.1", 5061, TCPF_ACK), 5061);
	assert_int_equal(f.side_by, SIDE_RULE);
	/* UDP: a system port beats a media range (DNS from a Windows client). */
	assert_int_equal(first_packet(&c, &f, L4_UDP, "198.19.1.1", 50107,
				      "198.18.30.53", 53, 0), 53);
	/* UDP between two undocumented ports: the first sender is the client,
	 * whichever port is lower and whether or not a port falls inside a
	 * server media range (peer-to-peer media between clients). */
	assert_int_equal(first_packet(&c, &f, L4_UDP, "198.19.1.1", 40000,
				      "198.18.1.1", 50500, 0), 50500);
	assert_int_equal(f.side_by, SIDE_FIRST);
	assert_int_equal(first_packet(&c, &f, L4_UDP, "198.19.1.1", 50006,
				      "198.19.1.2", 40000, 0), 40000);
	assert_int_equal(f.side_by, SIDE_FIRST);
	assert_int_equal(first_packet(&c, &f, L4_UDP, "198.19.1.2", 52000,
				      "198.19.1.1", 50006, 0), 50006);
	/* The bytes say otherwise (52000 sent a STUN success response, so
	 * the endpoint on 50006 is the client). */
	classify_wire_side(&f, f.key.pa == 50006 ? 0 : 1);
	assert_int_equal(flow_server_port(&f), 52000);
	assert_int_equal(f.side_by, SIDE_WIRE);
	/* ... but never against a TCP handshake. */
	assert_int_equal(first_packet(&c, &f, L4_TCP, "198.19.1.1", 1111,
				      "198.18.1.1", 1433, TCPF_SYN), 1433);
	classify_wire_side(&f, f.key.pa == 1433 ? 0 : 1);
	assert_int_equal(flow_server_port(&f), 1433);
	assert_int_equal(f.side_by, SIDE_HANDSHAKE);
	/* TCP mid-stream between undocumented ports: the lower port, until
	 * the bytes say (the TDS client on 1111 sent the pre-login). */
	assert_int_equal(first_packet(&c, &f, L4_TCP, "198.19.1.1", 1111,
				      "198.18.1.1", 1433, TCPF_ACK), 1111);
	classify_wire_side(&f, f.key.pa == 1111 ? 0 : 1);
	assert_int_equal(flow_server_port(&f), 1433);
	/* UDP to 5061 (documented for TCP) from an ephemeral port inside a
	 * media range: 5061 is still the server's port. */
	assert_int_equal(first_packet(&c, &f, L4_UDP, "198.19.1.1", 57739,
				      "198.18.1.1", 5061, 0), 5061);
	/* Exact ports on both sides (DHCP 67/68): the lower one. */
	assert_int_equal(first_packet(&c, &f, L4_UDP, "198.19.1.1", 68,
				      "198.18.1.1", 67, 0), 67);
}

static void test_inventory_side(void **state)
{
	struct classifier c = { .rs = &rs, .pm = pm, .inv = inv };
	struct flow f;

	(void)state;
	/* Mid-stream UDP between a client and fe1 on two high ports: fe1. */
	assert_int_equal(first_packet(&c, &f, L4_UDP, "198.18.10.11", 50020,
				      "198.19.1.101", 50040, 0), 50020);
	assert_int_equal(f.side_by, SIDE_INVENTORY);
	/* Two inventory servers: the inventory does not decide, rules do. */
	assert_int_equal(first_packet(&c, &f, L4_TCP, "198.18.10.20", 50000,
				      "198.18.10.11", 444, TCPF_ACK), 444);
	assert_int_equal(f.side_by, SIDE_RULE);
	/* fe1's own query to a DNS server: the system port serves, not the
	 * inventory server. */
	assert_int_equal(first_packet(&c, &f, L4_UDP, "198.18.10.11", 52000,
				      "198.18.30.53", 53, 0), 53);
	assert_int_equal(f.side_by, SIDE_PORT);
}

/* Without an inventory: a host seen serving a Lync-specific port serves
 * the UDP flows between high ports it takes part in, whoever sends first;
 * two such hosts leave it to the first packet. */
static void test_host_side(void **state)
{
	struct hosts *h = hosts_new();
	struct classifier c = { .rs = &rs, .pm = pm, .hosts = h };
	struct flow f;
	struct label_set ls;
	uint8_t fe[16] = { 198, 18, 10, 11 }, med[16] = { 198, 18, 10, 30 };

	(void)state;
	assert_non_null(h);
	assert_int_equal(first_packet(&c, &f, L4_UDP, "198.18.10.11", 50500,
				      "198.19.1.1", 50020, 0), 50020);
	assert_int_equal(f.side_by, SIDE_FIRST);
	hosts_mark(h, 4, fe, L4_TCP, 5061, 0, 1);
	assert_non_null(hosts_find(h, 4, fe));
	assert_null(hosts_find(h, 4, med));
	assert_int_equal(first_packet(&c, &f, L4_UDP, "198.18.10.11", 50500,
				      "198.19.1.1", 50020, 0), 50500);
	assert_int_equal(f.side_by, SIDE_HOST);
	/* ... and its media range rows label the flow (support "host"). */
	classify_labels(&c, &f, &ls);
	assert_int_equal(ls.support, SUPPORT_HOST);
	assert_true(has_label(&ls, "srv-39"));
	/* Two inferred servers: the first sender is the client. */
	hosts_mark(h, 4, med, L4_TCP, 5070, 0, 2);
	assert_int_equal(first_packet(&c, &f, L4_UDP, "198.18.10.30", 50600,
				      "198.18.10.11", 50500, 0), 50500);
	assert_int_equal(f.side_by, SIDE_FIRST);
	hosts_free(h);
}

/* Address i of a family: IPv4 198.18.x.y, IPv6 2001:db8::/96 + i. */
static void host_addr(int ipver, unsigned i, uint8_t a[16])
{
	memset(a, 0, 16);
	if (ipver == 4) {
		a[0] = 198;
		a[1] = 18;
		a[2] = (uint8_t)(i >> 8);
		a[3] = (uint8_t)i;
		return;
	}
	a[0] = 0x20;
	a[1] = 0x01;
	a[2] = 0x0d;
	a[3] = 0xb8;
	a[12] = (uint8_t)(i >> 24);
	a[13] = (uint8_t)(i >> 16);
	a[14] = (uint8_t)(i >> 8);
	a[15] = (uint8_t)i;
}

/* hosts_wait_fn of the test: another engine's marks below the bound,
 * made while the caller waits (the addresses 3000..3999, then ctx's). */
static void mark_while_waiting(void *ctx, uint64_t bound)
{
	struct hosts *h = ctx;
	uint8_t a[16];

	(void)bound;
	for (unsigned i = 3000; i < 4000; i++) {
		host_addr(4, i, a);
		hosts_mark(h, 4, a, L4_TCP, 5061, 0, 9);
	}
}

/* The hosts table with thousands of entries (probe paths that collide):
 * every marked address is found, IPv4 and IPv6 apart, none that was not
 * marked; a mark made while a lookup waits (another engine reaching the
 * bound) is found by that lookup; the sorted list holds each once. */
static void test_hosts_table(void **state)
{
	struct hosts *h = hosts_new();
	struct host_seen *all;
	uint8_t a[16];
	uint32_t n;

	(void)state;
	assert_non_null(h);
	for (unsigned i = 0; i < 3000; i += 2) {
		host_addr(4, i, a);
		hosts_mark(h, 4, a, L4_TCP, 5061, 0, i);
		host_addr(6, i, a);
		hosts_mark(h, 6, a, L4_TCP, 5061, 0, i);
	}
	for (unsigned i = 0; i < 3000; i++) {
		host_addr(4, i, a);
		assert_true((hosts_find(h, 4, a) != NULL) == (i % 2 == 0));
		assert_null(hosts_find(h, 6, a));       /* the v4 bytes as v6 */
		host_addr(6, i, a);
		assert_true((hosts_find(h, 6, a) != NULL) == (i % 2 == 0));
	}
	host_addr(4, 2, a);
	hosts_mark(h, 4, a, L4_TCP, 5070, 0, 1);       /* known: kept first */
	assert_int_equal(hosts_find(h, 4, a)->port, 5061);
	/* A view at the clock 11 (bound 12): a miss waits, looks again. */
	hosts_view(11, 12, mark_while_waiting, h);
	host_addr(4, 3999, a);
	assert_non_null(hosts_find(h, 4, a));
	host_addr(4, 4001, a);
	assert_null(hosts_find(h, 4, a));
	hosts_view(0, 0, NULL, NULL);
	all = hosts_sorted(h, &n);
	assert_int_equal(n, 3000 + 1000);
	for (uint32_t i = 1; i < n; i++)
		assert_true(all[i - 1].ipver < all[i].ipver ||
			    (all[i - 1].ipver == all[i].ipver &&
			     memcmp(all[i - 1].addr, all[i].addr, 16) < 0));
	free(all);
	hosts_free(h);
}

static void no_wait(void *ctx, uint64_t bound)
{
	(void)ctx;
	(void)bound;
}

/* hosts_marked_below, the test that lets an engine say a packet cannot
 * mark: true only for a host marked at a clock below pos (a mark at pos
 * itself may still be replaced by one of the same clock); an earlier
 * mark, made later by an engine behind, keeps it true; marks without a
 * view (live) are at clock 0; no table, or no mark: false. */
static void test_hosts_marked_below(void **state)
{
	struct hosts *h = hosts_new();
	uint8_t a[16], b[16];

	(void)state;
	assert_non_null(h);
	host_addr(4, 7, a);
	host_addr(6, 7, b);
	assert_false(hosts_marked_below(h, 4, a, 100));
	assert_false(hosts_marked_below(NULL, 4, a, 100));
	hosts_view(50, 50, no_wait, NULL);
	hosts_mark(h, 4, a, L4_TCP, 5061, 0, 1);
	assert_true(hosts_marked_below(h, 4, a, 51));
	assert_false(hosts_marked_below(h, 4, a, 50));
	assert_false(hosts_marked_below(h, 4, a, 10));
	assert_false(hosts_marked_below(h, 6, a, 51));  /* the v4 bytes as v6 */
	hosts_view(20, 20, no_wait, NULL);
	hosts_mark(h, 4, a, L4_TCP, 5070, 0, 1);       /* earlier: replaces */
	assert_true(hosts_marked_below(h, 4, a, 21));
	assert_true(hosts_marked_below(h, 4, a, 51));
	hosts_view(0, 0, NULL, NULL);
	hosts_mark(h, 6, b, L4_TCP, 5061, 0, 1);
	assert_true(hosts_marked_below(h, 6, b, 1));
	assert_false(hosts_marked_below(h, 6, b, 0));
	hosts_free(h);
}

static void test_labels(void **state)
{
	struct classifier c = { .rs = &rs, .pm = pm };
	struct label_set ls;
	struct flow f;

	(void)state;
	first_packet(&c, &f, L4_TCP, "198.19.1.1", 50000, "198.18.1.1", 5061, TCPF_SYN);
	classify_labels(&c, &f, &ls);
	assert_true(ls.primary);
	assert_true(has_label(&ls, "srv-03"));
	assert_true(has_label(&ls, "srv-45"));
	assert_true(has_label(&ls, "hlb-01"));
	assert_true(has_label(&ls, "cli-06"));
	assert_int_equal(ls.other_l4, -1);
	/* A port only the clients' own rows cover: fallback labels. */
	first_packet(&c, &f, L4_TCP, "198.19.1.1", 50000, "198.18.1.1", 8000, TCPF_SYN);
	classify_labels(&c, &f, &ls);
	assert_false(ls.primary);
	assert_true(has_label(&ls, "cli-10"));
	/* UDP 5061: no fallback labels; the TCP row is named instead. */
	first_packet(&c, &f, L4_UDP, "198.19.1.1", 40000, "198.18.1.1", 5061, 0);
	classify_labels(&c, &f, &ls);
	assert_int_equal(ls.n, 0);
	assert_true(ls.other_l4 >= 0);
	assert_string_equal(rs.rules[ls.other_l4].id, "srv-03");
	/* Exact rows come before range rows. */
	first_packet(&c, &f, L4_UDP, "198.19.1.1", 40000, "198.18.1.1", 1434, 0);
	classify_labels(&c, &f, &ls);
	assert_string_equal(rs.rules[ls.rule[0]].id, "srv-01");
	/* Strict fallback (--audit-all): only for a server the inventory knows. */
	c.strict_fallback = true;
	first_packet(&c, &f, L4_TCP, "198.19.1.1", 50000, "198.18.1.1", 8000, TCPF_SYN);
	classify_labels(&c, &f, &ls);
	assert_int_equal(ls.n, 0);
}

static void test_role_narrowing(void **state)
{
	struct classifier c = { .rs = &rs, .pm = pm, .inv = inv };
	struct label_set ls;
	struct flow f;

	(void)state;
	/* fe1 on 5061: Front End and client rows, not Director or HLB rows. */
	first_packet(&c, &f, L4_TCP, "198.19.1.101", 50000, "198.18.10.11", 5061, TCPF_SYN);
	classify_labels(&c, &f, &ls);
	assert_true(has_label(&ls, "srv-03"));
	assert_true(has_label(&ls, "cli-06"));
	assert_false(has_label(&ls, "srv-45"));
	assert_false(has_label(&ls, "hlb-01"));
	assert_false(ls.role_mismatch);
	assert_non_null(ls.server);
	assert_null(ls.client);         /* not looked up: the server has one */
	/* A server without an entry: the client's is looked up. */
	first_packet(&c, &f, L4_UDP, "198.18.10.11", 50000, "203.0.113.9", 3478, 0);
	classify_labels(&c, &f, &ls);
	assert_null(ls.server);
	assert_non_null(ls.client);
	/* dir1 serving PSOM 8057, a Front End row: role mismatch, all rows shown. */
	first_packet(&c, &f, L4_TCP, "198.19.1.101", 50000, "198.18.10.20", 8057, TCPF_SYN);
	classify_labels(&c, &f, &ls);
	assert_true(ls.role_mismatch);
	assert_true(has_label(&ls, "srv-07"));
	/* A client serving a high TCP port (peer to peer): the clients' rows. */
	first_packet(&c, &f, L4_TCP, "198.19.1.101", 50000, "198.19.1.102", 50010, TCPF_SYN);
	classify_labels(&c, &f, &ls);
	assert_false(ls.role_mismatch);
	assert_true(has_label(&ls, "cli-11"));
	assert_false(has_label(&ls, "srv-28"));
	/* fe1 on an undocumented high port: nothing labels it. */
	first_packet(&c, &f, L4_TCP, "198.19.1.101", 50000, "198.18.10.11", 3389, TCPF_SYN);
	classify_labels(&c, &f, &ls);
	assert_int_equal(ls.n, 0);
	assert_false(ls.role_mismatch);
}

static void expect_same(const struct label_set *a, const struct label_set *b)
{
	assert_int_equal(a->n, b->n);
	assert_memory_equal(a->rule, b->rule, (size_t)a->n * sizeof(a->rule[0]));
	assert_int_equal(a->primary, b->primary);
	assert_int_equal(a->exact, b->exact);
	assert_int_equal(a->role_mismatch, b->role_mismatch);
	assert_int_equal(a->shared, b->shared);
	assert_int_equal(a->support, b->support);
	assert_int_equal(a->other_l4, b->other_l4);
}

/* Makes every slot of lm hold its one used entry. */
static void poison(struct label_memo *lm)
{
	int used = -1;

	for (int k = 0; k < LABEL_MEMO_SLOTS; k++)
		if (lm->slot[k].used)
			used = k;
	assert_true(used >= 0);
	for (int k = 0; k < LABEL_MEMO_SLOTS; k++)
		lm->slot[k] = lm->slot[used];
}

/* Flow f's labels with and without the memo, after every slot of the
 * memo has been made to hold the entry that flow g leaves: an entry that
 * differs in any part of its key must not answer for f. */
static void expect_not_mistaken(struct classifier *memod, struct flow *g,
				struct flow *f)
{
	struct classifier plain = *memod;
	struct label_set a, b;

	plain.lm = NULL;
	memset(memod->lm, 0, sizeof(*memod->lm));
	classify_labels(memod, g, &b);
	poison(memod->lm);
	classify_labels(&plain, f, &a);
	classify_labels(memod, f, &b);
	expect_same(&a, &b);
}

/* The label memo answers only for its whole key: server entry, port, L4
 * and support (each one changed alone, against a memo filled with the
 * other flow's entry), and changes no label set over many flows. */
static void test_label_memo(void **state)
{
	static struct label_memo lm;
	struct hosts *h = hosts_new();
	struct classifier c = { .rs = &rs, .pm = pm, .inv = inv, .hosts = h,
				.lm = &lm };
	struct flow g, f;
	struct label_set a, b;
	uint8_t med[16] = { 198, 18, 10, 30 };

	(void)state;
	assert_non_null(h);
	first_packet(&c, &g, L4_TCP, "198.19.1.101", 50000, "198.18.10.11", 5061, TCPF_SYN);
	first_packet(&c, &f, L4_TCP, "198.19.1.101", 50000, "198.18.10.20", 5061, TCPF_SYN);
	expect_not_mistaken(&c, &g, &f);
	first_packet(&c, &f, L4_TCP, "198.19.1.101", 50000, "198.18.10.11", 5062, TCPF_SYN);
	expect_not_mistaken(&c, &g, &f);
	first_packet(&c, &g, L4_UDP, "198.19.1.101", 50000, "198.18.10.11", 3478, 0);
	first_packet(&c, &f, L4_TCP, "198.19.1.101", 50000, "198.18.10.11", 3478, TCPF_SYN);
	expect_not_mistaken(&c, &g, &f);
	/* Support alone: port for g (no hosts table), host for f. */
	c.hosts = NULL;
	assert_int_equal(first_packet(&c, &g, L4_UDP, "198.19.1.1", 50020,
				      "198.18.10.30", 50500, 0), 50500);
	f = g;
	hosts_mark(h, 4, med, L4_TCP, 5070, 0, 1);
	{
		struct classifier with_hosts = c;

		with_hosts.hosts = h;
		memset(&lm, 0, sizeof(lm));
		classify_labels(&c, &g, &b);
		assert_int_equal(b.support, SUPPORT_PORT);
		poison(&lm);
		classify_labels(&with_hosts, &f, &b);
		with_hosts.lm = NULL;
		classify_labels(&with_hosts, &f, &a);
		expect_same(&a, &b);
		assert_int_equal(b.support, SUPPORT_HOST);
	}
	hosts_free(h);
	/* Many flows, each asked twice, slots reused. */
	c.hosts = NULL;
	memset(&lm, 0, sizeof(lm));
	for (int round = 0; round < 2; round++)
		for (unsigned k = 0; k < 2 * LABEL_MEMO_SLOTS; k++) {
			struct classifier plain = c;

			plain.lm = NULL;
			first_packet(&c, &f, k & 1 ? L4_UDP : L4_TCP, "198.19.1.101",
				     60000, k & 2 ? "198.18.10.11" : "198.18.10.20",
				     (uint16_t)(400 + 29 * k), TCPF_SYN);
			classify_labels(&plain, &f, &a);
			classify_labels(&c, &f, &b);
			expect_same(&a, &b);
		}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_handshake),
		cmocka_unit_test(test_midstream),
		cmocka_unit_test(test_inventory_side),
		cmocka_unit_test(test_host_side),
		cmocka_unit_test(test_hosts_table),
		cmocka_unit_test(test_hosts_marked_below),
		cmocka_unit_test(test_labels),
		cmocka_unit_test(test_role_narrowing),
		cmocka_unit_test(test_label_memo),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
