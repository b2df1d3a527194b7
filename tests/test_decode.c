/* test_decode.c: decode_packet() on frames built field by field.
 *
 * Every decode runs on a heap copy of exactly caplen bytes, so under
 * AddressSanitizer any read past the captured bytes aborts the test.
 * One file, past 800 lines: one test program per module (the decoder),
 * its frame builders shared by every layer's cases.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <pcap/dlt.h>

#include "capture/decode.h"
#include "capture/pkt.h"

#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif

enum {
	ET_IPV4 = 0x0800, ET_ARP = 0x0806, ET_8021Q = 0x8100,
	ET_IPV6 = 0x86dd, ET_8021AD = 0x88a8, ET_QINQ = 0x9100,
};

enum {
	P_HOPOPTS = 0, P_ICMP = 1, P_TCP = 6, P_UDP = 17, P_ROUTING = 43,
	P_FRAGMENT = 44, P_ESP = 50, P_AH = 51, P_ICMPV6 = 58, P_NONE = 59,
	P_DSTOPTS = 60,
};

static const uint8_t SRC4[4] = { 192, 0, 2, 1 };
static const uint8_t DST4[4] = { 198, 51, 100, 2 };
static const uint8_t SRC6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
static const uint8_t DST6[16] = { 0x20, 0x01, 0x0d, 0xb8, [14] = 0xab, 2 };

#define SPORT 50123
#define DPORT 5061
#define PAYLOAD_LEN 10

/* ------------------------------------------------------- frame builder */

/* A frame under construction; offsets are 0 until that layer is written. */
struct frame {
	uint8_t b[1024];
	size_t len;
	size_t l3, l4, payload;  /* offsets of the IP, L4 headers, payload */
	int ipver;
	int is_udp;
};

static void put8(struct frame *f, unsigned int v)
{
	assert_true(f->len < sizeof(f->b));
	f->b[f->len++] = (uint8_t)v;
}

static void put16(struct frame *f, unsigned int v)
{
	put8(f, v >> 8);
	put8(f, v & 0xff);
}

static void put32(struct frame *f, uint32_t v)
{
	put16(f, v >> 16);
	put16(f, v & 0xffff);
}

static void put_le32(struct frame *f, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		put8(f, (v >> (8 * i)) & 0xff);
}

static void put_bytes(struct frame *f, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		put8(f, p[i]);
}

static void fill(struct frame *f, unsigned int v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		put8(f, v);
}

/* Overwrites a big-endian 16-bit field at offset off. */
static void set16(struct frame *f, size_t off, unsigned int v)
{
	f->b[off] = (uint8_t)(v >> 8);
	f->b[off + 1] = (uint8_t)(v & 0xff);
}

static void eth(struct frame *f, unsigned int type)
{
	static const uint8_t macs[12] = {
		0x02, 0, 0, 0, 0, 0x01, 0x02, 0, 0, 0, 0, 0x02,
	};

	put_bytes(f, macs, sizeof(macs));
	put16(f, type);
}

/* One VLAN tag after a tag protocol id: TCI, then the next ethertype. */
static void tag(struct frame *f, unsigned int tci, unsigned int next)
{
	put16(f, tci);
	put16(f, next);
}

static void sll(struct frame *f, unsigned int proto)
{
	put16(f, 0);            /* packet type: to us */
	put16(f, 1);            /* ARPHRD_ETHER */
	put16(f, 6);
	fill(f, 0x02, 8);
	put16(f, proto);
}

static void sll2(struct frame *f, unsigned int proto)
{
	put16(f, proto);
	put16(f, 0);            /* reserved */
	put32(f, 3);            /* interface index */
	put16(f, 1);            /* ARPHRD_ETHER */
	put8(f, 0);
	put8(f, 6);
	fill(f, 0x02, 8);
}

/* IPv4 header with ihl 32-bit words (options are NOPs); total length is
 * set by finish(). */
static void ipv4(struct frame *f, unsigned int proto, unsigned int ihl,
		 unsigned int frag)
{
	f->l3 = f->len;
	f->ipver = 4;
	put8(f, 0x40 | ihl);
	put8(f, 0);
	put16(f, 0);            /* total length */
	put16(f, 0x1234);
	put16(f, frag);
	put8(f, 64);
	put8(f, proto);
	put16(f, 0);
	put_bytes(f, SRC4, 4);
	put_bytes(f, DST4, 4);
	fill(f, 0x01, ihl > 5 ? (ihl - 5) * 4 : 0);
}

/* IPv6 fixed header; payload length is set by finish(). */
static void ipv6(struct frame *f, unsigned int nh)
{
	f->l3 = f->len;
	f->ipver = 6;
	put32(f, 0x60000000);
	put16(f, 0);            /* payload length */
	put8(f, nh);
	put8(f, 64);
	put_bytes(f, SRC6, 16);
	put_bytes(f, DST6, 16);
}

/* Hop-by-hop, routing or destination options: (units + 1) * 8 bytes, or an
 * AH: (units + 2) * 4 bytes.  The body is padding. */
static void ext(struct frame *f, unsigned int type, unsigned int next,
		unsigned int units)
{
	size_t len = type == P_AH ? (units + 2) * 4 : (units + 1) * 8;

	put8(f, next);
	put8(f, units);
	fill(f, 0, len - 2);
}

static void frag6(struct frame *f, unsigned int next, unsigned int offset,
		  int more)
{
	put8(f, next);
	put8(f, 0);
	put16(f, (offset << 3) | (more ? 1u : 0u));
	put32(f, 0xdeadbeef);
}

/* TCP header of doff 32-bit words (options are NOPs). */
static void tcp(struct frame *f, unsigned int flags, unsigned int doff)
{
	f->l4 = f->len;
	put16(f, SPORT);
	put16(f, DPORT);
	put32(f, 1000);
	put32(f, 2000);
	put8(f, doff << 4);
	put8(f, flags);
	put16(f, 65535);
	put16(f, 0);
	put16(f, 0);
	fill(f, 0x01, doff > 5 ? (doff - 5) * 4 : 0);
}

/* UDP header; length is set by finish(). */
static void udp(struct frame *f)
{
	f->l4 = f->len;
	f->is_udp = 1;
	put16(f, SPORT);
	put16(f, DPORT);
	put16(f, 0);
	put16(f, 0);
}

static void payload(struct frame *f, size_t n)
{
	f->payload = f->len;
	for (size_t i = 0; i < n; i++)
		put8(f, 'a' + (unsigned int)(i % 26));
}

/* Sets the IP and UDP length fields to cover everything written so far. */
static void finish(struct frame *f)
{
	if (f->ipver == 4)
		set16(f, f->l3 + 2, (unsigned int)(f->len - f->l3));
	else if (f->ipver == 6)
		set16(f, f->l3 + 4, (unsigned int)(f->len - f->l3 - 40));
	if (f->is_udp)
		set16(f, f->l4 + 4, (unsigned int)(f->len - f->l4));
}

/* IP header of version v, then a TCP (SYN|ACK) or UDP header and payload. */
static void ip_l4(struct frame *f, int v, unsigned int proto)
{
	if (v == 4)
		ipv4(f, proto, 5, 0);
	else
		ipv6(f, proto);
	if (proto == P_TCP)
		tcp(f, TCPF_SYN | TCPF_ACK, 5);
	else
		udp(f);
	payload(f, PAYLOAD_LEN);
	finish(f);
}

/* -------------------------------------------------------------- runner */

struct result {
	enum decode_status st;
	struct pkt p;            /* l3 and payload are NULLed: buffer is gone */
	ptrdiff_t l3_off;        /* offsets into the frame, -1 when NULL */
	ptrdiff_t payload_off;
};

/* Pointers left by a DECODE_OK stay within the captured bytes. */
static void check_bounds(const struct pkt *p, const uint8_t *buf,
			 size_t caplen)
{
	assert_non_null(p->l3);
	assert_non_null(p->payload);
	assert_true(p->l3 >= buf && p->payload >= p->l3);
	assert_true(p->l3_len <= (size_t)(buf + caplen - p->l3));
	assert_true(p->payload_len <= (size_t)(buf + caplen - p->payload));
	assert_true(p->l3_len <= p->ip_len);
}

/* Decodes the first caplen bytes of f from an exactly caplen-byte heap
 * copy.  ASan lets malloc(0)[0] be read, so caplen 0 decodes from the end
 * of a 1-byte block instead. */
static struct result run_len(int dlt, const struct frame *f, size_t caplen,
			     size_t wirelen)
{
	struct result r;
	uint8_t *mem = malloc(caplen > 0 ? caplen : 1);
	uint8_t *buf;

	assert_non_null(mem);
	buf = caplen > 0 ? mem : mem + 1;
	memcpy(buf, f->b, caplen);
	memset(&r.p, 0xa5, sizeof(r.p));
	r.st = decode_packet(dlt, buf, (uint32_t)caplen, (uint32_t)wirelen,
			     &r.p);
	assert_true((unsigned int)r.st < DECODE_NSTATUS);
	if (r.st == DECODE_OK)
		check_bounds(&r.p, buf, caplen);
	r.l3_off = r.p.l3 ? r.p.l3 - buf : -1;
	r.payload_off = r.p.payload ? r.p.payload - buf : -1;
	r.p.l3 = NULL;
	r.p.payload = NULL;
	free(mem);
	return r;
}

static struct result run(int dlt, const struct frame *f)
{
	return run_len(dlt, f, f->len, f->len);
}

static enum decode_status status(int dlt, const struct frame *f)
{
	return run(dlt, f).st;
}

/* Every field of a DECODE_OK result for frame f (addresses SRC/DST, ports
 * SPORT/DPORT, TCP flags SYN|ACK) decoded with caplen bytes captured. */
static void check_pkt(const struct frame *f, const struct result *r,
		      unsigned int proto, size_t caplen)
{
	static const uint8_t zero[12];
	const struct pkt *p = &r->p;

	assert_int_equal(r->st, DECODE_OK);
	assert_int_equal(p->ipver, f->ipver);
	assert_int_equal(p->l4, proto);
	assert_int_equal(p->sport, SPORT);
	assert_int_equal(p->dport, DPORT);
	if (f->ipver == 4) {
		assert_int_equal(p->addr_len, 4);
		assert_memory_equal(p->src, SRC4, 4);
		assert_memory_equal(p->dst, DST4, 4);
		assert_memory_equal(p->src + 4, zero, 12);
		assert_memory_equal(p->dst + 4, zero, 12);
	} else {
		assert_int_equal(p->addr_len, 16);
		assert_memory_equal(p->src, SRC6, 16);
		assert_memory_equal(p->dst, DST6, 16);
	}
	assert_int_equal(p->tcp_flags,
			 proto == P_TCP ? (TCPF_SYN | TCPF_ACK) : 0);
	assert_int_equal(r->l3_off, f->l3);
	assert_int_equal(p->ip_len, f->len - f->l3);
	assert_int_equal(p->l3_len, caplen - f->l3);
	assert_int_equal(r->payload_off, f->payload);
	assert_int_equal(p->payload_len, caplen - f->payload);
	assert_int_equal(p->cap_len, caplen);
}

/* ---------------------------------------------------------- link types */

struct link_case {
	int dlt;
	void (*hdr)(struct frame *f, int ipver);
	unsigned int versions;   /* bit 4 and/or bit 6 */
};

static void hdr_eth(struct frame *f, int v)
{
	eth(f, v == 4 ? ET_IPV4 : ET_IPV6);
}

static void hdr_sll(struct frame *f, int v)
{
	sll(f, v == 4 ? ET_IPV4 : ET_IPV6);
}

static void hdr_sll2(struct frame *f, int v)
{
	sll2(f, v == 4 ? ET_IPV4 : ET_IPV6);
}

static void hdr_none(struct frame *f, int v)
{
	(void)f;
	(void)v;
}

static void hdr_null_le(struct frame *f, int v)
{
	put_le32(f, v == 4 ? 2 : 24);
}

static void hdr_null_be(struct frame *f, int v)
{
	put32(f, v == 4 ? 2 : 30);
}

static void hdr_loop(struct frame *f, int v)
{
	put32(f, v == 4 ? 2 : 28);
}

#define V4 (1u << 4)
#define V6 (1u << 6)

static struct link_case link_en10mb = { DLT_EN10MB, hdr_eth, V4 | V6 };
static struct link_case link_sll = { DLT_LINUX_SLL, hdr_sll, V4 | V6 };
static struct link_case link_sll2 = { DLT_LINUX_SLL2, hdr_sll2, V4 | V6 };
static struct link_case link_raw = { DLT_RAW, hdr_none, V4 | V6 };
static struct link_case link_ipv4 = { DLT_IPV4, hdr_none, V4 };
static struct link_case link_ipv6 = { DLT_IPV6, hdr_none, V6 };
static struct link_case link_null_le = { DLT_NULL, hdr_null_le, V4 | V6 };
static struct link_case link_null_be = { DLT_NULL, hdr_null_be, V4 | V6 };
static struct link_case link_loop = { DLT_LOOP, hdr_loop, V4 | V6 };

/* A TCP and a UDP packet over IPv4 and/or IPv6 on one link type. */
static void test_link(void **state)
{
	const struct link_case *lc = *state;
	static const unsigned int protos[2] = { P_TCP, P_UDP };

	assert_true(decode_link_supported(lc->dlt));
	for (int v = 4; v <= 6; v += 2) {
		if (!(lc->versions & (1u << v)))
			continue;
		for (int i = 0; i < 2; i++) {
			struct frame f = { .len = 0 };
			struct result r;

			lc->hdr(&f, v);
			ip_l4(&f, v, protos[i]);
			r = run(lc->dlt, &f);
			check_pkt(&f, &r, protos[i], f.len);
			assert_int_equal(r.p.nvlan, 0);
			assert_int_equal(r.p.wire_len, f.len);
		}
	}
}

/* A stale struct is fully overwritten: no vlan, no address tail. */
static void test_zeroes_stale_fields(void **state)
{
	struct frame f = { .len = 0 };
	struct result r;

	(void)state;
	eth(&f, ET_IPV4);
	ip_l4(&f, 4, P_UDP);
	r = run(DLT_EN10MB, &f);    /* run() fills the pkt with 0xa5 first */
	check_pkt(&f, &r, P_UDP, f.len);
	assert_int_equal(r.p.nvlan, 0);
	assert_int_equal(r.p.vlan[0], 0);
	assert_int_equal(r.p.vlan[1], 0);
	assert_int_equal(r.p.tcp_flags, 0);
}

static void test_unsupported_dlt(void **state)
{
	struct frame f = { .len = 0 };

	(void)state;
	eth(&f, ET_IPV4);
	ip_l4(&f, 4, P_TCP);
	assert_int_equal(status(DLT_IEEE802_11, &f), DECODE_UNSUPPORTED);
	assert_int_equal(status(DLT_PPP, &f), DECODE_UNSUPPORTED);
	assert_int_equal(status(-1, &f), DECODE_UNSUPPORTED);
	assert_false(decode_link_supported(DLT_IEEE802_11));
	assert_false(decode_link_supported(DLT_PPP));
	assert_false(decode_link_supported(-1));
}

static void test_null_families(void **state)
{
	static const uint32_t v6[3] = { 24, 28, 30 };

	(void)state;
	for (int order = 0; order < 2; order++) {
		for (int i = 0; i < 3; i++) {
			struct frame f = { .len = 0 };
			struct result r;

			if (order == 0)
				put_le32(&f, v6[i]);
			else
				put32(&f, v6[i]);
			ip_l4(&f, 6, P_UDP);
			r = run(DLT_NULL, &f);
			check_pkt(&f, &r, P_UDP, f.len);
		}
	}
}

/* Unknown families, and DLT_LOOP read in network order only. */
static void test_null_not_ip(void **state)
{
	struct frame f = { .len = 0 };

	(void)state;
	put_le32(&f, 7);
	ip_l4(&f, 4, P_UDP);
	assert_int_equal(status(DLT_NULL, &f), DECODE_NOT_IP);
	assert_int_equal(status(DLT_LOOP, &f), DECODE_NOT_IP);

	f = (struct frame){ .len = 0 };
	put_le32(&f, 2);
	ip_l4(&f, 4, P_UDP);
	assert_int_equal(status(DLT_NULL, &f), DECODE_OK);
	assert_int_equal(status(DLT_LOOP, &f), DECODE_NOT_IP);
}

static void test_raw_bad_version(void **state)
{
	struct frame f = { .len = 0 };

	(void)state;
	ip_l4(&f, 4, P_TCP);
	f.b[0] = 0x55;
	assert_int_equal(status(DLT_RAW, &f), DECODE_INVALID);
	assert_int_equal(run_len(DLT_RAW, &f, 0, f.len).st, DECODE_TRUNCATED);
	/* LINKTYPE_IPV4/IPV6 carry only their own version */
	f.b[0] = 0x65;
	assert_int_equal(status(DLT_IPV4, &f), DECODE_INVALID);
	f = (struct frame){ .len = 0 };
	ip_l4(&f, 6, P_TCP);
	assert_int_equal(status(DLT_IPV4, &f), DECODE_INVALID);
	assert_int_equal(status(DLT_IPV6, &f), DECODE_OK);
}

/* ---------------------------------------------------------------- VLAN */

static void test_vlan_8021q(void **state)
{
	struct frame f = { .len = 0 };
	struct result r;

	(void)state;
	eth(&f, ET_8021Q);
	tag(&f, 0xa000 | 100, ET_IPV4);     /* PCP 5 is not part of the id */
	ip_l4(&f, 4, P_TCP);
	r = run(DLT_EN10MB, &f);
	check_pkt(&f, &r, P_TCP, f.len);
	assert_int_equal(r.p.nvlan, 1);
	assert_int_equal(r.p.vlan[0], 100);
	assert_int_equal(r.p.vlan[1], 0);
}

static void test_vlan_qinq(void **state)
{
	static const unsigned int outer[2] = { ET_8021AD, ET_QINQ };

	(void)state;
	for (int i = 0; i < 2; i++) {
		struct frame f = { .len = 0 };
		struct result r;

		eth(&f, outer[i]);
		tag(&f, 10, ET_8021Q);
		tag(&f, 0x1000 | 4094, ET_IPV6);    /* DEI set */
		ip_l4(&f, 6, P_UDP);
		r = run(DLT_EN10MB, &f);
		check_pkt(&f, &r, P_UDP, f.len);
		assert_int_equal(r.p.nvlan, 2);
		assert_int_equal(r.p.vlan[0], 10);
		assert_int_equal(r.p.vlan[1], 4094);
	}
}

/* Ethernet with ntags tags (ids 1..ntags) around IPv4/TCP. */
static void vlan_stack(struct frame *f, int ntags)
{
	eth(f, ntags > 0 ? ET_8021AD : ET_IPV4);
	for (int i = 1; i <= ntags; i++)
		tag(f, (unsigned int)i, i < ntags ? ET_8021Q : ET_IPV4);
	ip_l4(f, 4, P_TCP);
}

static void test_vlan_limit(void **state)
{
	struct frame f = { .len = 0 };
	struct result r;

	(void)state;
	vlan_stack(&f, 4);
	r = run(DLT_EN10MB, &f);
	check_pkt(&f, &r, P_TCP, f.len);
	assert_int_equal(r.p.nvlan, 2);
	assert_int_equal(r.p.vlan[0], 1);
	assert_int_equal(r.p.vlan[1], 2);

	f = (struct frame){ .len = 0 };
	vlan_stack(&f, 5);
	assert_int_equal(status(DLT_EN10MB, &f), DECODE_INVALID);
}

static void test_vlan_in_sll(void **state)
{
	struct frame f = { .len = 0 };
	struct result r;

	(void)state;
	sll(&f, ET_8021Q);
	tag(&f, 7, ET_IPV4);
	ip_l4(&f, 4, P_UDP);
	r = run(DLT_LINUX_SLL, &f);
	check_pkt(&f, &r, P_UDP, f.len);
	assert_int_equal(r.p.nvlan, 1);
	assert_int_equal(r.p.vlan[0], 7);
}

/* -------------------------------------------------------------- not IP */

static void test_not_ip(void **state)
{
	struct frame f = { .len = 0 };
	struct result r;

	(void)state;
	eth(&f, ET_ARP);
	fill(&f, 0, 28);
	assert_int_equal(status(DLT_EN10MB, &f), DECODE_NOT_IP);

	f = (struct frame){ .len = 0 };
	eth(&f, 46);                        /* 802.3 length, LLC follows */
	fill(&f, 0x42, 46);
	assert_int_equal(status(DLT_EN10MB, &f), DECODE_NOT_IP);

	f = (struct frame){ .len = 0 };
	eth(&f, ET_8021Q);
	tag(&f, 33, ET_ARP);
	fill(&f, 0, 28);
	r = run(DLT_EN10MB, &f);
	assert_int_equal(r.st, DECODE_NOT_IP);
	assert_int_equal(r.p.vlan[0], 33);

	f = (struct frame){ .len = 0 };
	sll(&f, 0x0004);                    /* ETH_P_802_2 */
	fill(&f, 0x42, 20);
	assert_int_equal(status(DLT_LINUX_SLL, &f), DECODE_NOT_IP);
	f = (struct frame){ .len = 0 };
	sll2(&f, ET_ARP);
	fill(&f, 0, 28);
	assert_int_equal(status(DLT_LINUX_SLL2, &f), DECODE_NOT_IP);
}

static void test_other_l4(void **state)
{
	struct frame f = { .len = 0 };
	struct result r;

	(void)state;
	eth(&f, ET_IPV4);
	ipv4(&f, P_ICMP, 5, 0);
	put8(&f, 8);                        /* echo request */
	fill(&f, 0, 7);
	finish(&f);
	r = run(DLT_EN10MB, &f);
	assert_int_equal(r.st, DECODE_OTHER_L4);
	assert_int_equal(r.p.l4, P_ICMP);
	assert_int_equal(r.p.ipver, 4);
	assert_memory_equal(r.p.src, SRC4, 4);
	assert_memory_equal(r.p.dst, DST4, 4);

	f = (struct frame){ .len = 0 };
	eth(&f, ET_IPV6);
	ipv6(&f, P_ICMPV6);
	put8(&f, 128);
	fill(&f, 0, 7);
	finish(&f);
	r = run(DLT_EN10MB, &f);
	assert_int_equal(r.st, DECODE_OTHER_L4);
	assert_int_equal(r.p.l4, P_ICMPV6);
	assert_memory_equal(r.p.dst, DST6, 16);
}

/* ---------------------------------------------------------- truncation */

/* Eth + IPv4 (one option word) + TCP (12 option bytes) + payload. */
static void build_eth_ipv4_tcp(struct frame *f)
{
	eth(f, ET_IPV4);
	ipv4(f, P_TCP, 6, 0);
	tcp(f, TCPF_SYN | TCPF_ACK, 8);
	payload(f, 20);
	finish(f);
}

/* Eth + IPv6 + hop-by-hop (8) + destination options (16) + UDP + payload. */
static void build_eth_ipv6_udp(struct frame *f)
{
	eth(f, ET_IPV6);
	ipv6(f, P_HOPOPTS);
	ext(f, P_HOPOPTS, P_DSTOPTS, 0);
	ext(f, P_DSTOPTS, P_UDP, 1);
	udp(f);
	payload(f, 12);
	finish(f);
}

/* Every cut of caplen (and, separately, of the wire length): TRUNCATED
 * until the L4 header is whole, then OK with the captured payload. */
static void sweep(const struct frame *f, unsigned int proto)
{
	for (size_t cut = 0; cut <= f->len; cut++) {
		struct result cap = run_len(DLT_EN10MB, f, cut, f->len);
		struct result wire = run_len(DLT_EN10MB, f, f->len, cut);

		if (cut < f->payload) {
			assert_int_equal(cap.st, DECODE_TRUNCATED);
			assert_int_equal(wire.st, DECODE_TRUNCATED);
			continue;
		}
		check_pkt(f, &cap, proto, cut);
		assert_int_equal(cap.p.wire_len, f->len);
		assert_int_equal(wire.st, DECODE_OK);
		assert_int_equal(wire.p.payload_len, cut - f->payload);
	}
}

static void test_truncation_ipv4_tcp(void **state)
{
	struct frame f = { .len = 0 };

	(void)state;
	build_eth_ipv4_tcp(&f);
	assert_int_equal(f.payload, 14 + 24 + 32);
	sweep(&f, P_TCP);
}

static void test_truncation_ipv6_udp(void **state)
{
	struct frame f = { .len = 0 };

	(void)state;
	build_eth_ipv6_udp(&f);
	assert_int_equal(f.payload, 14 + 40 + 8 + 16 + 8);
	sweep(&f, P_UDP);
}

/* ---------------------------------------------------------------- IPv4 */

static void test_ipv4_bad_ihl(void **state)
{
	struct frame f = { .len = 0 };

	(void)state;
	eth(&f, ET_IPV4);
	ip_l4(&f, 4, P_TCP);
	for (unsigned int ihl = 0; ihl < 5; ihl++) {
		f.b[f.l3] = (uint8_t)(0x40 | ihl);
		assert_int_equal(status(DLT_EN10MB, &f), DECODE_INVALID);
	}
	f.b[f.l3] = 0x65;                   /* version 6 under 0x0800 */
	assert_int_equal(status(DLT_EN10MB, &f), DECODE_INVALID);
}

static void test_ipv4_total_length(void **state)
{
	struct frame f = { .len = 0 };

	(void)state;
	eth(&f, ET_IPV4);
	ipv4(&f, P_TCP, 6, 0);
	tcp(&f, TCPF_ACK, 5);
	finish(&f);
	set16(&f, f.l3 + 2, 23);            /* < IHL * 4 = 24 */
	assert_int_equal(status(DLT_EN10MB, &f), DECODE_INVALID);
	set16(&f, f.l3 + 2, 24 + 19);       /* no room for the TCP header */
	assert_int_equal(status(DLT_EN10MB, &f), DECODE_INVALID);
	set16(&f, f.l3 + 2, 24 + 20);
	assert_int_equal(status(DLT_EN10MB, &f), DECODE_OK);
}

static void test_ipv4_options(void **state)
{
	struct frame f = { .len = 0 };
	struct result r;

	(void)state;
	eth(&f, ET_IPV4);
	ipv4(&f, P_TCP, 15, 0);
	tcp(&f, TCPF_SYN | TCPF_ACK, 5);
	payload(&f, 3);
	finish(&f);
	r = run(DLT_EN10MB, &f);
	check_pkt(&f, &r, P_TCP, f.len);
	assert_int_equal(r.payload_off, 14 + 60 + 20);
}

/* Ethernet padding after a short datagram is not payload. */
static void test_ipv4_padding(void **state)
{
	struct frame f = { .len = 0 };
	struct result r;

	(void)state;
	eth(&f, ET_IPV4);
	ip_l4(&f, 4, P_UDP);
	fill(&f, 0, 6);
	r = run(DLT_EN10MB, &f);
	assert_int_equal(r.st, DECODE_OK);
	assert_int_equal(r.p.payload_len, PAYLOAD_LEN);
	assert_int_equal(r.p.l3_len, r.p.ip_len);
	assert_int_equal(r.p.ip_len, 20 + 8 + PAYLOAD_LEN);
}

static void test_ipv4_fragments(void **state)
{
	struct frame f = { .len = 0 };
	struct result r;

	(void)state;
	eth(&f, ET_IPV4);
	ip_l4(&f, 4, P_UDP);
	set16(&f, f.l3 + 6, 0x2000);        /* MF, offset 0: first fragment */
	r = run(DLT_EN10MB, &f);
	check_pkt(&f, &r, P_UDP, f.len);
	/* The UDP length of a first fragment covers the whole datagram. */
	set16(&f, f.l4 + 4, 8 + 1400);
	r = run(DLT_EN10MB, &f);
	check_pkt(&f, &r, P_UDP, f.len);
	set16(&f, f.l3 + 6, 0x0000);        /* not a fragment: the IP cuts it */
	assert_int_equal(status(DLT_EN10MB, &f), DECODE_INVALID);
	set16(&f, f.l4 + 4, 8 + PAYLOAD_LEN);
	set16(&f, f.l3 + 6, 0x4000);        /* DF */
	assert_int_equal(status(DLT_EN10MB, &f), DECODE_OK);
	set16(&f, f.l3 + 6, 0x20b9);        /* MF, offset 185 */
	r = run(DLT_EN10MB, &f);
	assert_int_equal(r.st, DECODE_FRAGMENT);
	assert_int_equal(r.p.ipver, 4);
	assert_memory_equal(r.p.src, SRC4, 4);
	set16(&f, f.l3 + 6, 0x0001);        /* last fragment */
	assert_int_equal(status(DLT_EN10MB, &f), DECODE_FRAGMENT);
}

/* ---------------------------------------------------------------- IPv6 */

/* IPv6 with n extension headers (hop-by-hop first, then routing, AH and
 * destination options in turn) before UDP. */
static void build_ext_chain(struct frame *f, unsigned int n)
{
	static const unsigned int kinds[3] = { P_ROUTING, P_AH, P_DSTOPTS };
	unsigned int type = n > 0 ? P_HOPOPTS : P_UDP;

	eth(f, ET_IPV6);
	ipv6(f, type);
	for (unsigned int i = 0; i < n; i++) {
		unsigned int next = i + 1 < n ? kinds[i % 3] : P_UDP;

		ext(f, type, next, type == P_AH ? 2 : 1);
		type = next;
	}
	udp(f);
	payload(f, PAYLOAD_LEN);
	finish(f);
}

static void test_ipv6_ext_limit(void **state)
{
	struct frame f = { .len = 0 };
	struct result r;

	(void)state;
	build_ext_chain(&f, DECODE_MAX_EXT_HDRS);
	r = run(DLT_EN10MB, &f);
	check_pkt(&f, &r, P_UDP, f.len);

	f = (struct frame){ .len = 0 };
	build_ext_chain(&f, DECODE_MAX_EXT_HDRS + 1);
	assert_int_equal(status(DLT_EN10MB, &f), DECODE_INVALID);
}

/* Bytes after the datagram (a trailer, an FCS) are not payload. */
static void test_ipv6_trailer(void **state)
{
	struct frame f = { .len = 0 };
	struct result r;

	(void)state;
	eth(&f, ET_IPV6);
	ip_l4(&f, 6, P_TCP);
	fill(&f, 0xee, 4);
	r = run(DLT_EN10MB, &f);
	assert_int_equal(r.st, DECODE_OK);
	assert_int_equal(r.p.payload_len, PAYLOAD_LEN);
	assert_int_equal(r.p.ip_len, 40 + 20 + PAYLOAD_LEN);
	assert_int_equal(r.p.l3_len, r.p.ip_len);
}

static void test_ipv6_hopopts_not_first(void **state)
{
	struct frame f = { .len = 0 };

	(void)state;
	eth(&f, ET_IPV6);
	ipv6(&f, P_DSTOPTS);
	ext(&f, P_DSTOPTS, P_HOPOPTS, 0);
	ext(&f, P_HOPOPTS, P_UDP, 0);
	udp(&f);
	finish(&f);
	assert_int_equal(status(DLT_EN10MB, &f), DECODE_INVALID);
}

/* Extension headers that the payload length cannot hold, jumbograms. */
static void test_ipv6_lengths(void **state)
{
	struct frame f = { .len = 0 };

	(void)state;
	build_eth_ipv6_udp(&f);
	f.b[f.l3 + 40 + 8 + 1] = 20;        /* dstopts: 168 bytes */
	assert_int_equal(status(DLT_EN10MB, &f), DECODE_INVALID);

	f = (struct frame){ .len = 0 };
	build_eth_ipv6_udp(&f);
	set16(&f, f.l3 + 4, 0);             /* jumbogram */
	assert_int_equal(status(DLT_EN10MB, &f), DECODE_INVALID);
	set16(&f, f.l3 + 4, 8 + 16 + 4);    /* UDP header cut by the IP */
	assert_int_equal(status(DLT_EN10MB, &f), DECODE_INVALID);

	f.b[f.l3] = 0x45;                   /* version 4 under 0x86dd */
	assert_int_equal(status(DLT_EN10MB, &f), DECODE_INVALID);
}

static void test_ipv6_fragment(void **state)
{
	struct frame f = { .len = 0 };
	struct result r;

	(void)state;
	eth(&f, ET_IPV6);
	ipv6(&f, P_FRAGMENT);
	frag6(&f, P_UDP, 0, 1);
	udp(&f);
	payload(&f, PAYLOAD_LEN);
	finish(&f);
	r = run(DLT_EN10MB, &f);
	check_pkt(&f, &r, P_UDP, f.len);
	set16(&f, f.l4 + 4, 8 + 1400);      /* covers the whole datagram */
	r = run(DLT_EN10MB, &f);
	check_pkt(&f, &r, P_UDP, f.len);
	f.b[f.l3 + 40 + 3] &= 0xfe;         /* M 0: an atomic fragment */
	assert_int_equal(status(DLT_EN10MB, &f), DECODE_INVALID);

	f = (struct frame){ .len = 0 };
	eth(&f, ET_IPV6);
	ipv6(&f, P_FRAGMENT);
	frag6(&f, P_UDP, 181, 0);
	payload(&f, 40);
	finish(&f);
	r = run(DLT_EN10MB, &f);
	assert_int_equal(r.st, DECODE_FRAGMENT);
	assert_int_equal(r.p.ipver, 6);
	assert_memory_equal(r.p.src, SRC6, 16);
}

static void test_ipv6_no_next_and_esp(void **state)
{
	static const unsigned int last[2] = { P_NONE, P_ESP };

	(void)state;
	for (int i = 0; i < 2; i++) {
		struct frame f = { .len = 0 };
		struct result r;

		eth(&f, ET_IPV6);
		ipv6(&f, P_DSTOPTS);
		ext(&f, P_DSTOPTS, last[i], 0);
		fill(&f, 0x77, 16);
		finish(&f);
		r = run(DLT_EN10MB, &f);
		assert_int_equal(r.st, DECODE_OTHER_L4);
		assert_int_equal(r.p.l4, last[i]);
	}
}

/* ----------------------------------------------------------------- TCP */

static void test_tcp_data_offset(void **state)
{
	struct frame f = { .len = 0 };
	struct result r;

	(void)state;
	eth(&f, ET_IPV4);
	ip_l4(&f, 4, P_TCP);
	f.b[f.l4 + 12] = 4 << 4;
	assert_int_equal(status(DLT_EN10MB, &f), DECODE_INVALID);
	f.b[f.l4 + 12] = 0;
	assert_int_equal(status(DLT_EN10MB, &f), DECODE_INVALID);
	f.b[f.l4 + 12] = 15 << 4;           /* 60 > 20 + PAYLOAD_LEN */
	assert_int_equal(status(DLT_EN10MB, &f), DECODE_INVALID);
	f.b[f.l4 + 12] = 7 << 4;            /* 28 <= 30: options + 2 bytes */
	r = run(DLT_EN10MB, &f);
	assert_int_equal(r.st, DECODE_OK);
	assert_int_equal(r.p.payload_len, PAYLOAD_LEN - 8);
}

static void test_tcp_flags(void **state)
{
	struct frame f = { .len = 0 };
	struct result r;

	(void)state;
	eth(&f, ET_IPV4);
	ip_l4(&f, 4, P_TCP);
	f.b[f.l4 + 13] = 0xc0 | TCPF_FIN | TCPF_PSH | TCPF_ACK;
	r = run(DLT_EN10MB, &f);
	assert_int_equal(r.st, DECODE_OK);
	assert_int_equal(r.p.tcp_flags, 0xc0 | TCPF_FIN | TCPF_PSH | TCPF_ACK);
}

/* ----------------------------------------------------------------- UDP */

static void test_udp_length(void **state)
{
	struct frame f = { .len = 0 };
	struct result r;

	(void)state;
	eth(&f, ET_IPV4);
	ip_l4(&f, 4, P_UDP);
	for (unsigned int len = 0; len < 8; len++) {
		set16(&f, f.l4 + 4, len);
		assert_int_equal(status(DLT_EN10MB, &f), DECODE_INVALID);
	}
	set16(&f, f.l4 + 4, 8 + PAYLOAD_LEN + 1);   /* past the IP payload */
	assert_int_equal(status(DLT_EN10MB, &f), DECODE_INVALID);
	set16(&f, f.l4 + 4, 8 + 4);                 /* IP payload is longer */
	r = run(DLT_EN10MB, &f);
	assert_int_equal(r.st, DECODE_OK);
	assert_int_equal(r.p.payload_len, 4);
	set16(&f, f.l4 + 4, 8);
	r = run(DLT_EN10MB, &f);
	assert_int_equal(r.st, DECODE_OK);
	assert_int_equal(r.p.payload_len, 0);
	assert_int_equal(r.payload_off, f.l4 + 8);
}

/* ---------------------------------------------------------------- misc */

static void test_status_names(void **state)
{
	(void)state;
	assert_string_equal(decode_status_name(DECODE_OK), "ok");
	assert_string_equal(decode_status_name(DECODE_FRAGMENT), "fragment");
	assert_string_equal(decode_status_name(DECODE_NOT_IP), "not-ip");
	assert_string_equal(decode_status_name(DECODE_OTHER_L4), "other-l4");
	assert_string_equal(decode_status_name(DECODE_TRUNCATED), "truncated");
	assert_string_equal(decode_status_name(DECODE_INVALID), "invalid");
	assert_string_equal(decode_status_name(DECODE_UNSUPPORTED),
			    "unsupported");
	assert_string_equal(decode_status_name(DECODE_NSTATUS), "unknown");
}

/* Random bytes over valid frames at random lengths: run_len() checks the
 * bounds of every OK result and ASan the reads. Deterministic LCG. */
static void test_mutations(void **state)
{
	static const int dlts[3] = { DLT_EN10MB, DLT_EN10MB, DLT_RAW };
	struct frame base[3] = { { .len = 0 }, { .len = 0 }, { .len = 0 } };
	uint32_t x = 12345;

	(void)state;
	build_eth_ipv4_tcp(&base[0]);
	build_eth_ipv6_udp(&base[1]);
	ipv6(&base[2], P_HOPOPTS);
	ext(&base[2], P_HOPOPTS, P_FRAGMENT, 0);
	frag6(&base[2], P_AH, 0, 1);
	ext(&base[2], P_AH, P_TCP, 2);
	tcp(&base[2], TCPF_ACK, 6);
	payload(&base[2], 5);
	finish(&base[2]);
	assert_int_equal(status(DLT_RAW, &base[2]), DECODE_OK);
	for (int i = 0; i < 30000; i++) {
		const int k = i % 3;
		struct frame f = base[k];
		size_t cut;

		for (int n = 0; n < 3; n++) {
			x = x * 1103515245u + 12345u;
			f.b[(x >> 8) % f.len] = (uint8_t)(x >> 24);
		}
		x = x * 1103515245u + 12345u;
		cut = (x >> 8) % (f.len + 1);
		(void)run_len(dlts[k], &f, cut, f.len);
	}
}

#define LINK_TEST(c) { "link_" #c, test_link, NULL, NULL, &link_##c }

int main(void)
{
	const struct CMUnitTest tests[] = {
		LINK_TEST(en10mb),
		LINK_TEST(sll),
		LINK_TEST(sll2),
		LINK_TEST(raw),
		LINK_TEST(ipv4),
		LINK_TEST(ipv6),
		LINK_TEST(null_le),
		LINK_TEST(null_be),
		LINK_TEST(loop),
		cmocka_unit_test(test_zeroes_stale_fields),
		cmocka_unit_test(test_unsupported_dlt),
		cmocka_unit_test(test_null_families),
		cmocka_unit_test(test_null_not_ip),
		cmocka_unit_test(test_raw_bad_version),
		cmocka_unit_test(test_vlan_8021q),
		cmocka_unit_test(test_vlan_qinq),
		cmocka_unit_test(test_vlan_limit),
		cmocka_unit_test(test_vlan_in_sll),
		cmocka_unit_test(test_not_ip),
		cmocka_unit_test(test_other_l4),
		cmocka_unit_test(test_truncation_ipv4_tcp),
		cmocka_unit_test(test_truncation_ipv6_udp),
		cmocka_unit_test(test_ipv4_bad_ihl),
		cmocka_unit_test(test_ipv4_total_length),
		cmocka_unit_test(test_ipv4_options),
		cmocka_unit_test(test_ipv4_padding),
		cmocka_unit_test(test_ipv4_fragments),
		cmocka_unit_test(test_ipv6_ext_limit),
		cmocka_unit_test(test_ipv6_trailer),
		cmocka_unit_test(test_ipv6_hopopts_not_first),
		cmocka_unit_test(test_ipv6_lengths),
		cmocka_unit_test(test_ipv6_fragment),
		cmocka_unit_test(test_ipv6_no_next_and_esp),
		cmocka_unit_test(test_tcp_data_offset),
		cmocka_unit_test(test_tcp_flags),
		cmocka_unit_test(test_udp_length),
		cmocka_unit_test(test_status_names),
		cmocka_unit_test(test_mutations),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
