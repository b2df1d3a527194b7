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
 */
#include <stddef.h>
#include <stdint.h>

#include <pcap/dlt.h>

#include "capture/decode.h"
#include "fuzz.h"
#include "capture/pkt.h"

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
	st = decode_packet(dlt, data + 2, caplen, wirelen, &p);
	FUZZ_CHECK((unsigned)st < DECODE_NSTATUS);
	FUZZ_CHECK(decode_status_name(st) != NULL);
	FUZZ_CHECK(p.cap_len == caplen && p.wire_len == wirelen);
	if (!decode_link_supported(dlt))
		FUZZ_CHECK(st == DECODE_UNSUPPORTED);
	if (st == DECODE_OK)
		check_ok(&p, data + 2, caplen < wirelen ? caplen : wirelen);
	return 0;
}
