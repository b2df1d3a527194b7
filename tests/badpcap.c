/* badpcap.c: writes the malformed captures of the bad-input catalogue
 * (tests/e2e_badinput.sh) into the directory named on the command line.
 *
 * Usage: badpcap DIR.  Every file is a little-endian pcap (2.4, micro-
 * seconds) unless its name says otherwise.  Most start with the same good
 * TCP flow (four packets: handshake and one segment with data, client
 * 198.19.1.101:50100 to server 198.18.10.11:5061) so that a test can check
 * that what was read before the problem is still reported.  Timestamps
 * start at 2026-01-05T09:00:00Z and move 1 ms a packet.  Addresses are
 * documentation ranges only.  IPv4 header checksums are right; TCP and UDP
 * checksums are left 0 (lyncwatch does not check them).
 *
 * The files (N: packet number, 1-based):
 *   trunc-file-header.pcap    10 bytes of the 24-byte file header
 *   trunc-record-header.pcap  good flow; packet 5's record header cut at 8
 *   trunc-packet.pcap         good flow; packet 5 holds 20 of its 60 bytes
 *   caplen-over-snaplen.pcap  snaplen 64; good flow; packet 5: caplen 200;
 *                             packet 6 a good UDP packet
 *   caplen-huge.pcap          good flow; packet 5: caplen 300000 (more than
 *                             any link type allows)
 *   caplen-over-wire.pcap     good flow, then: caplen 64 > wire length 54
 *                             (the segment's data is not on the wire), and
 *                             caplen 54 > wire length 30 (the IP header is
 *                             not)
 *   zero-length.pcap          caplen 0/len 0, caplen 0/len 60, good flow
 *   linktype-ieee80211.pcap   DLT_IEEE802_11 (105), two frames
 *   ipv4-bad-ihl.pcap         good flow; IHL 4; IHL 0
 *   ipv4-bad-totlen.pcap      good flow; total length 10 < IHL; total
 *                             length 1500 in a 64-byte frame (TCP header
 *                             whole: a short capture); 1500 with only the
 *                             IP header captured
 *   tcp-bad-doff.pcap         good flow; data offset 4; data offset 15 in a
 *                             40-byte datagram; data offset 15 (60 bytes)
 *                             in a 100-byte datagram captured to 74 bytes
 *   ipv6-ext-chain.pcap       9 destination options headers (over the
 *                             limit of 8); 8 (a UDP flow); hop-by-hop
 *                             after another header
 *   ipv4-fragments.pcap       a UDP datagram in three fragments, out of
 *                             order (1, 0, 2) and fragment 1 again with
 *                             other bytes (overlap); a first TCP fragment of
 *                             8 bytes (too short for the TCP header); a TCP
 *                             fragment at offset 8 bytes overlapping it
 *   empty.pcap                the file header and no packet
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TS0 1767603600u /* 2026-01-05T09:00:00Z */
#define SNAPLEN 65535u
#define DLT_EN10MB 1u
#define DLT_IEEE802_11 105u
#define ETHERTYPE_IPV4 0x0800u
#define ETHERTYPE_IPV6 0x86ddu
#define IPP_TCP 6u
#define IPP_UDP 17u
#define IPP_DSTOPTS 60u
#define IPP_HOPOPTS 0u

static const uint8_t client4[4] = { 198, 19, 1, 101 };
static const uint8_t server4[4] = { 198, 18, 10, 11 };
static const uint8_t client6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 0x03 };
static const uint8_t server6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x10, [15] = 0x11 };

/* A packet under construction. */
struct pkt {
	uint8_t b[2048];
	size_t len;
	size_t l3;              /* offset of the IP header */
};

/* An open output file and the time of its next packet. */
struct out {
	FILE *f;
	const char *path;
	uint32_t usec;          /* since TS0 */
	int err;
};

/* ------------------------------------------------------------ bytes */

static void put8(struct pkt *p, unsigned v)
{
	if (p->len < sizeof(p->b))
		p->b[p->len++] = (uint8_t)v;
}

static void put16(struct pkt *p, unsigned v)
{
	put8(p, (v >> 8) & 0xffu);
	put8(p, v & 0xffu);
}

static void put32(struct pkt *p, uint32_t v)
{
	put16(p, (unsigned)(v >> 16));
	put16(p, (unsigned)(v & 0xffffu));
}

static void put_bytes(struct pkt *p, const uint8_t *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		put8(p, s[i]);
}

static void fill(struct pkt *p, unsigned v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		put8(p, v);
}

static void set16(struct pkt *p, size_t off, unsigned v)
{
	p->b[off] = (uint8_t)((v >> 8) & 0xffu);
	p->b[off + 1] = (uint8_t)(v & 0xffu);
}

/* ------------------------------------------------------------ layers */

static void ether(struct pkt *p, unsigned type)
{
	static const uint8_t macs[12] = {
		0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01,
	};

	put_bytes(p, macs, sizeof(macs));
	put16(p, type);
}

/* IPv4 header without options; the total length and checksum are set by
 * ipv4_finish(). */
static void ipv4(struct pkt *p, const uint8_t *src, const uint8_t *dst,
		 unsigned proto, unsigned frag)
{
	p->l3 = p->len;
	put8(p, 0x45);
	put8(p, 0);
	put16(p, 0);            /* total length */
	put16(p, 0x1234);       /* identification */
	put16(p, frag);
	put8(p, 64);
	put8(p, proto);
	put16(p, 0);            /* checksum */
	put_bytes(p, src, 4);
	put_bytes(p, dst, 4);
}

static void ipv4_checksum(struct pkt *p)
{
	uint32_t sum = 0;
	size_t hlen = (size_t)(p->b[p->l3] & 0x0fu) * 4;

	set16(p, p->l3 + 10, 0);
	for (size_t i = 0; i + 1 < hlen && p->l3 + i + 1 < p->len; i += 2)
		sum += (uint32_t)(p->b[p->l3 + i] << 8 | p->b[p->l3 + i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffffu) + (sum >> 16);
	set16(p, p->l3 + 10, ~sum & 0xffffu);
}

/* Sets the total length to the bytes written since the IP header. */
static void ipv4_finish(struct pkt *p)
{
	set16(p, p->l3 + 2, (unsigned)(p->len - p->l3));
	ipv4_checksum(p);
}

static void ipv6(struct pkt *p, const uint8_t *src, const uint8_t *dst,
		 unsigned next)
{
	p->l3 = p->len;
	put32(p, 0x60000000u);
	put16(p, 0);            /* payload length */
	put8(p, next);
	put8(p, 64);
	put_bytes(p, src, 16);
	put_bytes(p, dst, 16);
}

static void ipv6_finish(struct pkt *p)
{
	set16(p, p->l3 + 4, (unsigned)(p->len - p->l3 - 40));
}

/* An 8-byte extension header (destination or hop-by-hop options: PadN). */
static void ext8(struct pkt *p, unsigned next)
{
	put8(p, next);
	put8(p, 0);
	put8(p, 1);             /* PadN */
	put8(p, 4);
	fill(p, 0, 4);
}

static void tcp(struct pkt *p, unsigned sport, unsigned dport,
		uint32_t seq, uint32_t ack, unsigned flags, unsigned doff)
{
	put16(p, sport);
	put16(p, dport);
	put32(p, seq);
	put32(p, ack);
	put8(p, doff << 4);
	put8(p, flags);
	put16(p, 8192);
	put16(p, 0);            /* checksum */
	put16(p, 0);
}

/* UDP header with the given length field (0: the bytes that follow, set by
 * udp_finish()). */
static void udp(struct pkt *p, unsigned sport, unsigned dport, unsigned ulen)
{
	put16(p, sport);
	put16(p, dport);
	put16(p, ulen);
	put16(p, 0);
}

/* ------------------------------------------------------------ file */

static void le32(uint8_t *b, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		b[i] = (uint8_t)(v >> (8 * i));
}

static void write_bytes(struct out *o, const void *b, size_t n)
{
	if (fwrite(b, 1, n, o->f) != n)
		o->err = errno ? errno : EIO;
}

static int out_open(struct out *o, const char *dir, const char *name)
{
	static char path[4096];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	o->path = path;
	o->usec = 0;
	o->err = 0;
	o->f = fopen(path, "wb");
	if (o->f == NULL) {
		fprintf(stderr, "badpcap: %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

static int out_close(struct out *o)
{
	if (fclose(o->f) != 0 && o->err == 0)
		o->err = errno ? errno : EIO;
	if (o->err)
		fprintf(stderr, "badpcap: %s: %s\n", o->path, strerror(o->err));
	return o->err ? -1 : 0;
}

static void file_header(struct out *o, uint32_t snaplen, uint32_t linktype)
{
	uint8_t h[24];

	le32(h, 0xa1b2c3d4u);
	h[4] = 2; h[5] = 0;     /* version 2.4 */
	h[6] = 4; h[7] = 0;
	memset(h + 8, 0, 8);    /* thiszone, sigfigs */
	le32(h + 16, snaplen);
	le32(h + 20, linktype);
	write_bytes(o, h, sizeof(h));
}

/* A record header with these lengths; the next packet time. */
static void record_header(struct out *o, uint32_t caplen, uint32_t len)
{
	uint8_t h[16];

	le32(h, TS0 + o->usec / 1000000u);
	le32(h + 4, o->usec % 1000000u);
	le32(h + 8, caplen);
	le32(h + 12, len);
	write_bytes(o, h, sizeof(h));
	o->usec += 1000;
}

/* A whole packet: caplen bytes of p, wire length len. */
static void record(struct out *o, const struct pkt *p, size_t caplen,
		   size_t len)
{
	record_header(o, (uint32_t)caplen, (uint32_t)len);
	write_bytes(o, p->b, caplen);
}

static void record_all(struct out *o, const struct pkt *p)
{
	record(o, p, p->len, p->len);
}

/* ------------------------------------------------------------ packets */

/* One segment of the good flow; to_server picks the direction. */
static void good_segment(struct pkt *p, int to_server, unsigned flags,
			 size_t payload)
{
	memset(p, 0, sizeof(*p));
	ether(p, ETHERTYPE_IPV4);
	if (to_server) {
		ipv4(p, client4, server4, IPP_TCP, 0x4000);
		tcp(p, 50100, 5061, 1000, flags & 0x10u ? 5001u : 0u, flags, 5);
	} else {
		ipv4(p, server4, client4, IPP_TCP, 0x4000);
		tcp(p, 5061, 50100, 5000, 1001, flags, 5);
	}
	fill(p, 0x16, payload); /* bytes of a TLS record, as far as nDPI cares */
	ipv4_finish(p);
}

/* The good TCP flow: SYN, SYN-ACK, ACK, and 10 bytes of data. */
static void good_flow(struct out *o)
{
	struct pkt p;

	good_segment(&p, 1, 0x02, 0);
	record_all(o, &p);
	good_segment(&p, 0, 0x12, 0);
	record_all(o, &p);
	good_segment(&p, 1, 0x10, 0);
	record_all(o, &p);
	good_segment(&p, 1, 0x18, 10);
	record_all(o, &p);
}

/* A UDP packet client:50020 -> server:3478 with n bytes of payload. */
static void udp_packet(struct pkt *p, size_t n)
{
	memset(p, 0, sizeof(*p));
	ether(p, ETHERTYPE_IPV4);
	ipv4(p, client4, server4, IPP_UDP, 0);
	udp(p, 50020, 3478, (unsigned)(8 + n));
	fill(p, 0x00, n);
	ipv4_finish(p);
}

/* ------------------------------------------------------------ files */

static void trunc_file_header(struct out *o)
{
	uint8_t h[10] = { 0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0 };

	write_bytes(o, h, sizeof(h));
}

static void trunc_record_header(struct out *o)
{
	uint8_t h[8] = { 0 };

	file_header(o, SNAPLEN, DLT_EN10MB);
	good_flow(o);
	le32(h, TS0 + 1);
	write_bytes(o, h, sizeof(h));
}

static void trunc_packet(struct out *o)
{
	struct pkt p;

	file_header(o, SNAPLEN, DLT_EN10MB);
	good_flow(o);
	udp_packet(&p, 18);     /* 60 bytes */
	record_header(o, (uint32_t)p.len, (uint32_t)p.len);
	write_bytes(o, p.b, 20);
}

static void caplen_over_snaplen(struct out *o)
{
	struct pkt p;

	file_header(o, 64, DLT_EN10MB);
	good_flow(o);
	udp_packet(&p, 200 - 42);
	record_all(o, &p);      /* caplen 200 > snaplen 64 */
	udp_packet(&p, 12);
	record_all(o, &p);
}

static void caplen_huge(struct out *o)
{
	struct pkt p;

	file_header(o, SNAPLEN, DLT_EN10MB);
	good_flow(o);
	udp_packet(&p, 12);
	record_header(o, 300000, 300000);
	write_bytes(o, p.b, p.len);
}

static void caplen_over_wire(struct out *o)
{
	struct pkt p;

	file_header(o, SNAPLEN, DLT_EN10MB);
	good_flow(o);
	good_segment(&p, 0, 0x18, 10);
	record(o, &p, p.len, p.len - 10);       /* the data is not on the wire */
	good_segment(&p, 1, 0x10, 0);
	record(o, &p, p.len, 30);               /* nor the IP header */
}

static void zero_length(struct out *o)
{
	file_header(o, SNAPLEN, DLT_EN10MB);
	record_header(o, 0, 0);
	record_header(o, 0, 60);
	good_flow(o);
}

static void linktype_ieee80211(struct out *o)
{
	struct pkt p;

	memset(&p, 0, sizeof(p));
	put16(&p, 0x0801);      /* data frame, to DS */
	put16(&p, 0);
	fill(&p, 0x02, 18);     /* three addresses */
	put16(&p, 0);           /* sequence */
	put_bytes(&p, (const uint8_t *)"\xaa\xaa\x03\0\0\0\x08\0", 8);
	fill(&p, 0x45, 20);
	file_header(o, SNAPLEN, DLT_IEEE802_11);
	record_all(o, &p);
	record_all(o, &p);
}

static void ipv4_bad_ihl(struct out *o)
{
	struct pkt p;

	file_header(o, SNAPLEN, DLT_EN10MB);
	good_flow(o);
	good_segment(&p, 1, 0x10, 0);
	p.b[p.l3] = 0x44;
	ipv4_checksum(&p);
	record_all(o, &p);
	p.b[p.l3] = 0x40;
	record_all(o, &p);
}

static void ipv4_bad_totlen(struct out *o)
{
	struct pkt p;

	file_header(o, SNAPLEN, DLT_EN10MB);
	good_flow(o);
	good_segment(&p, 1, 0x10, 0);
	set16(&p, p.l3 + 2, 10);                /* less than the header */
	ipv4_checksum(&p);
	record_all(o, &p);
	good_segment(&p, 1, 0x18, 10);
	set16(&p, p.l3 + 2, 1500);              /* more than the frame */
	ipv4_checksum(&p);
	record_all(o, &p);
	record(o, &p, 14 + 20, 14 + 20);        /* only the IP header */
}

static void tcp_bad_doff(struct out *o)
{
	struct pkt p;

	file_header(o, SNAPLEN, DLT_EN10MB);
	good_flow(o);
	good_segment(&p, 1, 0x10, 0);
	p.b[p.l3 + 20 + 12] = 4 << 4;           /* 16 bytes */
	record_all(o, &p);
	p.b[p.l3 + 20 + 12] = 15 << 4;          /* 60 bytes in 20 */
	record_all(o, &p);
	good_segment(&p, 1, 0x18, 60);          /* datagram of 100 bytes */
	p.b[p.l3 + 20 + 12] = 15 << 4;
	record(o, &p, 14 + 60, p.len);          /* captured to 74 bytes */
}

static void ipv6_chain(struct pkt *p, unsigned n, int hop_late)
{
	memset(p, 0, sizeof(*p));
	ether(p, ETHERTYPE_IPV6);
	ipv6(p, client6, server6, hop_late ? IPP_DSTOPTS : n ? IPP_DSTOPTS : IPP_UDP);
	for (unsigned i = 0; i < n; i++) {
		unsigned next = i + 1 < n ? IPP_DSTOPTS : IPP_UDP;

		if (hop_late && i == 0)
			next = IPP_HOPOPTS;
		ext8(p, next);
	}
	udp(p, 50020, 3478, 8 + 12);
	fill(p, 0, 12);
	ipv6_finish(p);
}

static void ipv6_ext_chain(struct out *o)
{
	struct pkt p;

	file_header(o, SNAPLEN, DLT_EN10MB);
	ipv6_chain(&p, 9, 0);
	record_all(o, &p);
	ipv6_chain(&p, 8, 0);
	record_all(o, &p);
	ipv6_chain(&p, 2, 1);
	record_all(o, &p);
}

/* Fragment `off` (8-byte units) of a UDP datagram of 8 + 40 bytes: the
 * first holds the UDP header and 8 bytes, the others 16 bytes each of
 * `fillv`; mf: more fragments follow. */
static void udp_fragment(struct pkt *p, unsigned off, int mf, unsigned fillv)
{
	memset(p, 0, sizeof(*p));
	ether(p, ETHERTYPE_IPV4);
	ipv4(p, client4, server4, IPP_UDP, off | (mf ? 0x2000u : 0u));
	if (off == 0) {
		udp(p, 50020, 3478, 8 + 40);
		fill(p, fillv, 8);
	} else {
		fill(p, fillv, 16);
	}
	ipv4_finish(p);
}

static void ipv4_fragments(struct out *o)
{
	struct pkt p;

	file_header(o, SNAPLEN, DLT_EN10MB);
	udp_fragment(&p, 2, 1, 0xbb);           /* bytes 16-31, first to come */
	record_all(o, &p);
	udp_fragment(&p, 0, 1, 0xaa);           /* the first fragment */
	record_all(o, &p);
	udp_fragment(&p, 4, 0, 0xcc);           /* bytes 32-47, the last */
	record_all(o, &p);
	udp_fragment(&p, 2, 1, 0xdd);           /* 16-31 again, other bytes */
	record_all(o, &p);
	/* A first TCP fragment of 8 bytes: ports and sequence only. */
	memset(&p, 0, sizeof(p));
	ether(&p, ETHERTYPE_IPV4);
	ipv4(&p, client4, server4, IPP_TCP, 0x2000);
	tcp(&p, 50100, 80, 1, 0, 0x02, 5);
	p.len -= 12;
	ipv4_finish(&p);
	record_all(o, &p);
	/* Offset 1 (8 bytes): the rest of that TCP header, overlapping. */
	memset(&p, 0, sizeof(p));
	ether(&p, ETHERTYPE_IPV4);
	ipv4(&p, client4, server4, IPP_TCP, 1);
	fill(&p, 0x50, 12);
	ipv4_finish(&p);
	record_all(o, &p);
}

static void empty(struct out *o)
{
	file_header(o, SNAPLEN, DLT_EN10MB);
}

static const struct {
	const char *name;
	void (*write)(struct out *o);
} files[] = {
	{ "trunc-file-header.pcap", trunc_file_header },
	{ "trunc-record-header.pcap", trunc_record_header },
	{ "trunc-packet.pcap", trunc_packet },
	{ "caplen-over-snaplen.pcap", caplen_over_snaplen },
	{ "caplen-huge.pcap", caplen_huge },
	{ "caplen-over-wire.pcap", caplen_over_wire },
	{ "zero-length.pcap", zero_length },
	{ "linktype-ieee80211.pcap", linktype_ieee80211 },
	{ "ipv4-bad-ihl.pcap", ipv4_bad_ihl },
	{ "ipv4-bad-totlen.pcap", ipv4_bad_totlen },
	{ "tcp-bad-doff.pcap", tcp_bad_doff },
	{ "ipv6-ext-chain.pcap", ipv6_ext_chain },
	{ "ipv4-fragments.pcap", ipv4_fragments },
	{ "empty.pcap", empty },
};

int main(int argc, char **argv)
{
	int status = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: badpcap DIR\n");
		return 2;
	}
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		struct out o;

		if (out_open(&o, argv[1], files[i].name) != 0) {
			status = 1;
			continue;
		}
		files[i].write(&o);
		if (out_close(&o) != 0)
			status = 1;
	}
	return status;
}
