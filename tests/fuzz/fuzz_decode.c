/* fuzz_decode.c: one captured frame through decode_packet().
 *
 * Input: byte 0 picks the link type (the supported ones, and a few that
 * must come back UNSUPPORTED); byte 1 sets the wire length against the
 * captured length (the high bit: longer by the low 7 bits, else shorter by
 * them, so wirelen < caplen is tried too); the rest is the frame.  The
 * frame stays in libFuzzer's exactly sized buffer, so a read past caplen
 * is an AddressSanitizer report.
 *
 * Checked on DECODE_OK: every pointer and length of struct pkt lies inside
 * the bytes the decoder may read (the smaller of caplen and wire length).
 * The payload then goes through the wire checks (src/inspect/wire) as a
 * few payloads of both sides: whole, cut in two at a point the input
 * picks, retransmitted, with and without TCP sequence numbers; the result
 * must be in range and its sentence fit any buffer.  It also goes through
 * the media measurement (src/inspect/media.c) a few times each way: the
 * streams stay within the cap and the state is freed.
 *
 * The fast path (decode_packet_fast) against the general one
 * (decode_packet_general), on every input read as an Ethernet frame and
 * as the link type byte 0 picks: when the fast path takes a frame, the
 * general path must say DECODE_OK and set every field of struct pkt the
 * same; when it declines, the frame must be outside its scope (not IPv4
 * without options in Ethernet II, a fragment, not TCP or UDP) or the
 * general path must not say DECODE_OK.  decode_packet must equal the
 * general path in status and, on DECODE_OK, in every field.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <pcap/dlt.h>

#include "capture/decode.h"
#include "fuzz.h"
#include "capture/pkt.h"
#include "inspect/media.h"
#include "inspect/wire/wire.h"

#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif

static const int dlts[] = {
	DLT_EN10MB, DLT_LINUX_SLL, DLT_LINUX_SLL2, DLT_RAW, DLT_IPV4,
	DLT_IPV6, DLT_NULL, DLT_LOOP,
	/* unsupported: must be refused, never read */
	DLT_IEEE802_11, DLT_PPP, DLT_IEEE802_11_RADIO, -1, 65535,
};
#define NDLTS (sizeof(dlts) / sizeof(dlts[0]))

/* True when [p, p + n) lies inside [lo, hi). */
static int inside(const uint8_t *p, size_t n, const uint8_t *lo,
		  const uint8_t *hi)
{
	return p >= lo && p <= hi && n <= (size_t)(hi - p);
}

static void check_ok(const struct pkt *p, const uint8_t *frame, size_t avail)
{
	const uint8_t *end = frame + avail;

	FUZZ_CHECK(p->ipver == 4 || p->ipver == 6);
	FUZZ_CHECK(p->addr_len == (p->ipver == 4 ? 4 : 16));
	FUZZ_CHECK(p->l4 == L4_TCP || p->l4 == L4_UDP);
	FUZZ_CHECK(p->l4 == L4_TCP || p->tcp_flags == 0);
	FUZZ_CHECK(p->nvlan <= PKT_MAX_VLAN);
	FUZZ_CHECK(inside(p->l3, p->l3_len, frame, end));
	FUZZ_CHECK(p->l3_len <= p->ip_len);
	FUZZ_CHECK(inside(p->payload, p->payload_len, p->l3, p->l3 + p->l3_len));
}

static void check_wire(const struct wire_state *w)
{
	struct wire_result r;
	char small[6], big[160];

	wire_get(w, &r);
	FUZZ_CHECK(r.proto < WIRE_N && r.decided <= 1);
	FUZZ_CHECK(r.client_side >= -1 && r.client_side <= 1);
	FUZZ_CHECK(r.detail < WD_N);
	FUZZ_CHECK(r.decided || r.proto == WIRE_NONE);
	FUZZ_CHECK(!(r.excluded & (1u << r.proto)) || r.proto == WIRE_NONE);
	FUZZ_CHECK(wire_proto_name((enum wire_proto)r.proto) != NULL);
	wire_detail(&r, small, sizeof(small));
	FUZZ_CHECK(memchr(small, 0, sizeof(small)) != NULL);
	wire_detail(&r, big, sizeof(big));
	FUZZ_CHECK(memchr(big, 0, sizeof(big)) != NULL);
}

/* The payload through the wire checks: side 0 whole; side 1 in two pieces
 * cut at `cut` (the input's last byte, mod its length + 1), the second piece sent twice; both again
 * as if a lost segment came before them. */
static void wire(const struct pkt *p, uint8_t cut)
{
	const uint8_t *b = p->payload;
	uint32_t n = p->payload_len, k = n ? cut % (n + 1) : 0;
	uint32_t seq = p->seq;
	struct wire_state w;

	wire_init(&w, p->l4, (p->tcp_flags & TCPF_SYN) != 0);
	(void)wire_feed(&w, 0, b, n);
	(void)wire_feed_seq(&w, 1, seq, b, k);
	(void)wire_feed_seq(&w, 1, seq + k, b + k, n - k);
	(void)wire_feed_seq(&w, 1, seq + k, b + k, n - k);
	(void)wire_feed_seq(&w, 1, seq + n + 1000, b, n);
	(void)wire_feed(&w, 0, b + k, n - k);
	check_wire(&w);
	FUZZ_CHECK(!w.decided || wire_feed(&w, 0, b, n));
}

/* The payload as RTP/RTCP of one flow, three times each way, the second
 * time 20 ms later. */
static void media(const struct pkt *p)
{
	struct flow f;
	struct pkt q = *p;
	struct media_limits l = { 1.0, 30.0, 100.0 };
	struct media_summary ms;
	uint64_t nomem = 0;

	memset(&f, 0, sizeof(f));
	for (int i = 0; i < 6; i++) {
		q.ts_us = 1000000u + (uint64_t)(i / 2) * 20000u;
		media_packet(&f, &q, i & 1, NULL, &nomem);
	}
	media_summarize(&f, &l, &ms);
	FUZZ_CHECK(ms.n <= MEDIA_MAX_STREAMS);
	for (int i = 0; i < ms.n; i++)
		/* a TCP segment may hold several RFC 4571 frames (2 + 12
		 * bytes at least): each counts */
		FUZZ_CHECK(ms.s[i].packets <= 6 * (p->payload_len / 14 + 1) &&
			   ms.s[i].mos >= 0 && ms.s[i].mos <= 5);
	media_free(&f, NULL);
	FUZZ_CHECK(f.media == NULL);
}

/* Every field of two decoded packets (the pointers by address). */
static void same_pkt(const struct pkt *a, const struct pkt *b)
{
	FUZZ_CHECK(a->ts_us == b->ts_us);
	FUZZ_CHECK(a->wire_len == b->wire_len && a->cap_len == b->cap_len);
	FUZZ_CHECK(a->nvlan == b->nvlan);
	FUZZ_CHECK(memcmp(a->vlan, b->vlan, sizeof(a->vlan)) == 0);
	FUZZ_CHECK(a->ipver == b->ipver && a->l4 == b->l4);
	FUZZ_CHECK(a->tcp_flags == b->tcp_flags && a->addr_len == b->addr_len);
	FUZZ_CHECK(memcmp(a->src, b->src, sizeof(a->src)) == 0);
	FUZZ_CHECK(memcmp(a->dst, b->dst, sizeof(a->dst)) == 0);
	FUZZ_CHECK(a->sport == b->sport && a->dport == b->dport);
	FUZZ_CHECK(a->seq == b->seq);
	FUZZ_CHECK(a->l3 == b->l3 && a->l3_len == b->l3_len);
	FUZZ_CHECK(a->payload == b->payload && a->payload_len == b->payload_len);
	FUZZ_CHECK(a->ip_len == b->ip_len && a->tunnels == b->tunnels);
}

/* Whether an Ethernet frame is one the fast path must take when the
 * general path decodes it: IPv4 without options, neither a fragment nor
 * a first fragment, TCP or UDP (the lengths are the general path's to
 * judge). */
static bool fast_scope(const uint8_t *f, uint32_t avail)
{
	return avail >= 34 && f[12] == 0x08 && f[13] == 0x00 &&
	       f[14] == 0x45 && (f[20] & 0x3f) == 0 && f[21] == 0 &&
	       (f[23] == L4_TCP || f[23] == L4_UDP);
}

/* Both paths on one frame of link type dlt; returns the general status. */
static enum decode_status both_paths(int dlt, const uint8_t *f,
				     uint32_t caplen, uint32_t wirelen)
{
	struct pkt g, q, d;
	enum decode_status st = decode_packet_general(dlt, f, caplen, wirelen, &g);
	enum decode_status sd = decode_packet(dlt, f, caplen, wirelen, &d);
	bool fast;

	FUZZ_CHECK(sd == st);
	if (st == DECODE_OK)
		same_pkt(&d, &g);
	if (dlt != DLT_EN10MB)
		return st;
	fast = decode_packet_fast(f, caplen, wirelen, &q);
	if (fast) {
		FUZZ_CHECK(st == DECODE_OK);
		same_pkt(&q, &g);
	} else {
		FUZZ_CHECK(st != DECODE_OK ||
			   !fast_scope(f, caplen < wirelen ? caplen : wirelen));
	}
	return st;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pkt p;
	enum decode_status st;
	uint32_t caplen, wirelen;
	uint8_t mode;
	int dlt;

	if (size < 2 || size - 2 > UINT32_MAX)
		return 0;
	dlt = dlts[data[0] % NDLTS];
	mode = data[1];
	caplen = (uint32_t)(size - 2);
	if (mode & 0x80)
		wirelen = caplen + (mode & 0x7fu);
	else
		wirelen = caplen > (mode & 0x7fu) ? caplen - (mode & 0x7fu) : 0;
	(void)both_paths(DLT_EN10MB, data + 2, caplen, wirelen);
	(void)both_paths(dlt, data + 2, caplen, wirelen);
	st = decode_packet(dlt, data + 2, caplen, wirelen, &p);
	FUZZ_CHECK((unsigned)st < DECODE_NSTATUS);
	FUZZ_CHECK(decode_status_name(st) != NULL);
	FUZZ_CHECK(p.cap_len == caplen && p.wire_len == wirelen);
	if (!decode_link_supported(dlt))
		FUZZ_CHECK(st == DECODE_UNSUPPORTED);
	if (st == DECODE_OK) {
		check_ok(&p, data + 2, caplen < wirelen ? caplen : wirelen);
		wire(&p, data[size - 1]);
		media(&p);
	}
	return 0;
}
