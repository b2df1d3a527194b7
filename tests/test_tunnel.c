/* test_tunnel.c: GRE and ERSPAN decapsulation in decode.c.  Mirror
 * sessions from remote switches arrive as Ethernet/IP/GRE[/ERSPAN] around
 * the mirrored frame: the decoder must hand on the inner TCP/UDP packet,
 * with the inner addresses and VLAN ids, never read past the capture, and
 * refuse what it does not know. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <pcap/dlt.h>

#include "capture/decode.h"

struct buf {
	uint8_t b[512];
	size_t n;
};

static void put(struct buf *f, const void *p, size_t n)
{
	if (n == 0)
		return;
	memcpy(f->b + f->n, p, n);
	f->n += n;
}

static void put16(struct buf *f, uint16_t v)
{
	uint8_t x[2] = { (uint8_t)(v >> 8), (uint8_t)v };
	put(f, x, 2);
}

static void ether(struct buf *f, uint16_t type)
{
	static const uint8_t macs[12] = { 2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2 };
	put(f, macs, 12);
	put16(f, type);
}

/* An IPv4 header of protocol `proto` and `payload` bytes after it, from
 * 198.18.net.1 to 198.18.net.2. */
static void ipv4(struct buf *f, uint8_t proto, size_t payload, uint8_t net)
{
	uint8_t h[20] = { 0x45, 0, 0, 0, 0, 0, 0, 0, 64, proto, 0, 0,
			  198, 18, net, 1, 198, 18, net, 2 };
	size_t tot = 20 + payload;

	h[2] = (uint8_t)(tot >> 8);
	h[3] = (uint8_t)tot;
	put(f, h, 20);
}

static void tcp(struct buf *f, uint16_t sport, uint16_t dport)
{
	uint8_t h[20] = { 0 };

	h[0] = (uint8_t)(sport >> 8); h[1] = (uint8_t)sport;
	h[2] = (uint8_t)(dport >> 8); h[3] = (uint8_t)dport;
	h[12] = 5 << 4;
	h[13] = 0x02; /* SYN */
	put(f, h, 20);
}

/* The inner frame: Ethernet [VLAN 42] IPv4 TCP 50000 -> 5061, 20.1 -> 20.2. */
static size_t inner_frame(struct buf *f, bool vlan)
{
	size_t start = f->n;

	if (vlan) {
		ether(f, 0x8100);
		put16(f, 42);
		put16(f, 0x0800);
	} else {
		ether(f, 0x0800);
	}
	ipv4(f, 6, 20, 20);
	tcp(f, 50000, 5061);
	return f->n - start;
}

/* Outer Ethernet/IPv4/GRE with flags and protocol, then `inner` bytes. */
static void outer(struct buf *f, uint16_t flags, uint16_t proto,
		  const uint8_t *extra, size_t nextra, size_t inner)
{
	size_t opt = ((flags & 0x8000) ? 4u : 0u) + ((flags & 0x2000) ? 4u : 0u) +
		     ((flags & 0x1000) ? 4u : 0u);
	static const uint8_t zeros[12];

	ether(f, 0x0800);
	ipv4(f, 47, 4 + opt + nextra + inner, 10);
	put16(f, flags);
	put16(f, proto);
	put(f, zeros, opt);
	put(f, extra, nextra);
}

/* Decodes f from a buffer of exactly its length (ASan sees over-reads). */
static enum decode_status decode(const struct buf *f, size_t len, struct pkt *p)
{
	uint8_t *copy = malloc(len ? len : 1);
	enum decode_status st;

	memcpy(copy, f->b, len);
	st = decode_packet(DLT_EN10MB, copy, (uint32_t)len, (uint32_t)f->n, p);
	free(copy);
	return st;
}

static void expect_inner(const struct pkt *p, int tunnels)
{
	static const uint8_t s[4] = { 198, 18, 20, 1 }, d[4] = { 198, 18, 20, 2 };

	assert_int_equal(p->l4, L4_TCP);
	assert_int_equal(p->sport, 50000);
	assert_int_equal(p->dport, 5061);
	assert_memory_equal(p->src, s, 4);
	assert_memory_equal(p->dst, d, 4);
	assert_int_equal(p->tunnels, tunnels);
}

/* Builds one encapsulation; checks the whole frame decodes to the inner
 * packet and every shorter capture is TRUNCATED, never an over-read. */
static void check_encap(uint16_t flags, uint16_t proto, const uint8_t *extra,
			size_t nextra, bool vlan)
{
	struct buf in = { .n = 0 }, f = { .n = 0 };
	struct pkt p;

	inner_frame(&in, vlan);
	outer(&f, flags, proto, extra, nextra, in.n);
	put(&f, in.b, in.n);
	assert_int_equal(decode(&f, f.n, &p), DECODE_OK);
	expect_inner(&p, 1);
	if (vlan) {
		assert_int_equal(p.nvlan, 1);
		assert_int_equal(p.vlan[0], 42);
	}
	for (size_t len = 34; len < f.n; len++)
		assert_int_equal(decode(&f, len, &p), DECODE_TRUNCATED);
}

static void test_gre_ipv4(void **state)
{
	struct buf f = { .n = 0 };
	struct pkt p;

	(void)state;
	ether(&f, 0x0800);
	ipv4(&f, 47, 4 + 40, 10);
	put16(&f, 0);
	put16(&f, 0x0800);
	ipv4(&f, 6, 20, 20);
	tcp(&f, 50000, 5061);
	assert_int_equal(decode(&f, f.n, &p), DECODE_OK);
	expect_inner(&p, 1);
	for (size_t len = 34; len < f.n; len++)
		assert_int_equal(decode(&f, len, &p), DECODE_TRUNCATED);
}

static void test_gre_bridging_with_key_and_seq(void **state)
{
	(void)state;
	check_encap(0x2000 | 0x1000 | 0x8000, 0x6558, NULL, 0, false);
	check_encap(0x2000, 0x6558, NULL, 0, true);
}

static void test_erspan(void **state)
{
	uint8_t e2[8] = { 0x10, 0x00, 0x00, 0x07, 0, 0, 0, 0 };
	uint8_t e3[12] = { 0x20, 0x00, 0x00, 0x07 }, e3o[20] = { 0x20 };

	(void)state;
	check_encap(0x0000, 0x88be, NULL, 0, false);      /* type I */
	check_encap(0x1000, 0x88be, e2, sizeof(e2), true); /* type II */
	check_encap(0x1000, 0x22eb, e3, sizeof(e3), false); /* type III */
	e3o[11] = 0x01;                                     /* O: subheader */
	check_encap(0x1000, 0x22eb, e3o, sizeof(e3o), true);
}

static void test_refused(void **state)
{
	struct buf in = { .n = 0 }, f = { .n = 0 };
	struct pkt p;

	(void)state;
	inner_frame(&in, false);
	outer(&f, 0x0001, 0x880b, NULL, 0, in.n); /* version 1: PPTP */
	put(&f, in.b, in.n);
	assert_int_equal(decode(&f, f.n, &p), DECODE_UNSUPPORTED);
	f.n = 0;
	outer(&f, 0x4000, 0x0800, NULL, 0, in.n); /* routing present */
	put(&f, in.b, in.n);
	assert_int_equal(decode(&f, f.n, &p), DECODE_UNSUPPORTED);
	f.n = 0;
	outer(&f, 0, 0x1234, NULL, 0, in.n);      /* unknown payload */
	put(&f, in.b, in.n);
	assert_int_equal(decode(&f, f.n, &p), DECODE_UNSUPPORTED);
}

/* GRE in GRE in GRE: the third layer is past DECODE_MAX_TUNNELS. */
static void test_depth_limit(void **state)
{
	struct buf f = { .n = 0 };
	struct pkt p;
	int layers = DECODE_MAX_TUNNELS + 1;

	(void)state;
	ether(&f, 0x0800);
	for (int i = 0; i < layers; i++) {
		ipv4(&f, 47, (size_t)(layers - i) * 24 + 20, (uint8_t)i);
		put16(&f, 0);
		put16(&f, 0x0800);
	}
	ipv4(&f, 6, 20, 20);
	tcp(&f, 50000, 5061);
	assert_int_equal(decode(&f, f.n, &p), DECODE_UNSUPPORTED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gre_ipv4),
		cmocka_unit_test(test_gre_bridging_with_key_and_seq),
		cmocka_unit_test(test_erspan),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_depth_limit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
