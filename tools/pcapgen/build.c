/* build.c: hosts, frames (link layer, IPv4/IPv6, TCP/UDP with correct
 * checksums) and the capture writer of pcapgen (see build.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "build.h"

#define SNAPLEN 65535
#define HEADROOM 64         /* bytes kept before the IP header for L2 */
#define FRAME_MAX 65536   /* the jumbo scene's datagrams and headers */

/* --------------------------------------------------------------- errors */

static struct out *cleanup_out; /* its file is removed on a fatal error */

void fatal(const char *path, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "pcapgen: %s: ", path);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (cleanup_out != NULL) {
		if (cleanup_out->dump != NULL)
			pcap_dump_close(cleanup_out->dump);
		if (cleanup_out->remove_on_error)
			unlink(cleanup_out->path);
	}
	exit(2);
}

/* ---------------------------------------------------------------- hosts */

void host_init(struct host *h, const char *name, const char *roles,
	       const char *addr, uint32_t mac_id, uint8_t ttl)
{
	memset(h, 0, sizeof(*h));
	h->name = name;
	h->roles = roles;
	h->ttl = ttl;
	if (inet_pton(AF_INET, addr, h->a.b) == 1)
		h->a.family = 4;
	else if (inet_pton(AF_INET6, addr, h->a.b) == 1)
		h->a.family = 6;
	else
		fatal(name, "bad address %s", addr);
	h->mac[0] = 0x02;
	for (int i = 0; i < 4; i++)
		h->mac[2 + i] = (uint8_t)(mac_id >> (24 - 8 * i));
}

void hosts_init(struct host *h, const struct host_def *defs, int n)
{
	for (int i = 0; i < n; i++)
		host_init(&h[i], defs[i].name, defs[i].roles, defs[i].addr,
			  defs[i].mac, defs[i].ttl);
}

const char *host_addr_text(const struct host *h, char *buf, size_t n)
{
	inet_ntop(h->a.family == 4 ? AF_INET : AF_INET6, h->a.b, buf,
		  (socklen_t)n);
	return buf;
}

/* ------------------------------------------------------------- checksum */

static uint32_t sum16(const uint8_t *p, size_t n, uint32_t acc)
{
	for (; n >= 2; p += 2, n -= 2)
		acc += (uint32_t)(p[0] << 8 | p[1]);
	if (n == 1)
		acc += (uint32_t)p[0] << 8;
	return acc;
}

static uint16_t fold(uint32_t acc)
{
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint16_t)~acc;
}

void put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v & 0xffff);
}

/* Checksum of an L4 segment with the pseudo-header of RFC 793 / RFC 8200
 * 8.1. */
static uint16_t l4_checksum(const struct pl_addr *src,
			    const struct pl_addr *dst, uint8_t proto,
			    const uint8_t *l4, size_t len)
{
	size_t alen = src->family == 4 ? 4 : 16;
	uint32_t acc = 0;

	acc = sum16(src->b, alen, acc);
	acc = sum16(dst->b, alen, acc);
	acc += proto;
	acc += (uint32_t)(len >> 16) + (uint32_t)(len & 0xffff);
	acc = sum16(l4, len, acc);
	return fold(acc);
}

/* ------------------------------------------------------------------- L4 */

/* Writes the TCP or UDP header and payload at p; returns its length. */
static size_t put_l4(uint8_t *p, const struct seg *s)
{
	size_t hl = s->proto == 6 ? 20 + s->optlen : 8;
	size_t len = hl + s->len;
	uint16_t ck;

	put16(p, s->src->port);
	put16(p + 2, s->dst->port);
	if (s->proto == 6) {
		put32(p + 4, s->seq);
		put32(p + 8, s->ack);
		p[12] = (uint8_t)((hl / 4) << 4);
		p[13] = s->flags;
		put16(p + 14, s->win);
		put16(p + 16, 0);
		put16(p + 18, 0);          /* urgent pointer */
		if (s->optlen > 0)
			memcpy(p + 20, s->opt, s->optlen);
	} else {
		put16(p + 4, (unsigned)len);
		put16(p + 6, 0);
	}
	if (s->len > 0)
		memcpy(p + hl, s->data, s->len);
	ck = l4_checksum(&s->src->h->a, &s->dst->h->a, s->proto, p, len);
	if (s->proto == 17 && ck == 0)
		ck = 0xffff;               /* RFC 768: 0 means "none" */
	put16(p + (s->proto == 6 ? 16 : 6), ck);
	return len;
}

/* ------------------------------------------------------------------- L3 */

/* IPv4 header (RFC 791), DF set, no options, correct header checksum. */
static size_t put_ipv4(uint8_t *p, struct out *o, const struct seg *s,
		       size_t l4len)
{
	p[0] = 0x45;
	p[1] = 0;
	put16(p + 2, (unsigned)(20 + l4len));
	put16(p + 4, o->ip_id++);
	put16(p + 6, 0x4000);              /* DF */
	p[8] = s->src->h->ttl;
	p[9] = s->proto;
	put16(p + 10, 0);
	memcpy(p + 12, s->src->h->a.b, 4);
	memcpy(p + 16, s->dst->h->a.b, 4);
	put16(p + 10, fold(sum16(p, 20, 0)));
	return 20;
}

/* The extension header chain written when o->v6ext: Hop-by-Hop Options
 * (RFC 8200 4.3, PadN), Destination Options (4.6, PadN) and an atomic
 * Fragment header (4.5, offset 0, M 0; RFC 6946).  Returns its length. */
static size_t put_ipv6_ext(uint8_t *p, struct out *o, uint8_t proto)
{
	static const uint8_t padn[6] = { 0x01, 0x04, 0, 0, 0, 0 };

	p[0] = 60;                         /* next: Destination Options */
	p[1] = 0;
	memcpy(p + 2, padn, 6);
	p[8] = 44;                         /* next: Fragment */
	p[9] = 0;
	memcpy(p + 10, padn, 6);
	p[16] = proto;
	p[17] = 0;
	put16(p + 18, 0);                  /* offset 0, M 0 */
	put32(p + 20, o->frag_id++);
	return 24;
}

/* IPv6 header (RFC 8200 3); `ext` bytes of extension headers follow. */
static size_t put_ipv6(uint8_t *p, const struct seg *s, size_t ext,
		       size_t l4len, uint8_t next)
{
	put32(p, 0x60000000);
	put16(p + 4, (unsigned)(ext + l4len));
	p[6] = next;
	p[7] = s->src->h->ttl;
	memcpy(p + 8, s->src->h->a.b, 16);
	memcpy(p + 24, s->dst->h->a.b, 16);
	return 40;
}

/* Writes the IP datagram at p; returns its length. */
static size_t put_ip(uint8_t *p, struct out *o, const struct seg *s)
{
	size_t l4len, ext = 0;

	if (s->src->h->a.family == 4) {
		l4len = put_l4(p + 20, s);
		return put_ipv4(p, o, s, l4len) + l4len;
	}
	if (o->v6ext)
		ext = put_ipv6_ext(p + 40, o, s->proto);
	l4len = put_l4(p + 40 + ext, s);
	put_ipv6(p, s, ext, l4len, o->v6ext ? 0 : s->proto);
	return 40 + ext + l4len;
}

/* ------------------------------------------------------------------- L2 */

static uint16_t ethertype(const struct seg *s)
{
	return s->src->h->a.family == 4 ? 0x0800 : 0x86dd;
}

/* Ethernet II with 0, 1 or 2 VLAN tags (IEEE 802.1Q; QinQ: outer TPID
 * 0x88a8).  Writes backwards from `l3`; returns the new frame start. */
static uint8_t *put_eth(uint8_t *l3, const struct out *o, const struct seg *s)
{
	uint8_t *p = l3 - 14 - 4 * (size_t)o->nvlan;
	uint8_t *t = p + 12;

	memcpy(p, s->dst->h->mac, 6);
	memcpy(p + 6, s->src->h->mac, 6);
	for (int i = 0; i < o->nvlan; i++, t += 4) {
		bool outer = o->nvlan == 2 && i == 0;
		put16(t, outer ? 0x88a8 : 0x8100);
		put16(t + 2, o->vlan[i] & 0x0fff);
	}
	put16(t, ethertype(s));
	return p;
}

/* True when the capturing host (same MAC as o->local) sent the segment. */
static bool is_local(const struct out *o, const struct seg *s)
{
	return o->local != NULL &&
	       memcmp(s->src->h->mac, o->local->mac, 6) == 0;
}

/* Linux cooked capture v1 (LINKTYPE_LINUX_SLL): packet type, ARPHRD,
 * address length, source MAC padded to 8, protocol. */
static uint8_t *put_sll(uint8_t *l3, const struct out *o, const struct seg *s)
{
	uint8_t *p = l3 - 16;

	put16(p, is_local(o, s) ? 4 : 0);  /* OUTGOING : HOST */
	put16(p + 2, 1);                   /* ARPHRD_ETHER */
	put16(p + 4, 6);
	memcpy(p + 6, s->src->h->mac, 6);
	put16(p + 12, 0);
	put16(p + 14, ethertype(s));
	return p;
}

/* Linux cooked capture v2 (LINKTYPE_LINUX_SLL2): protocol, reserved,
 * interface index, ARPHRD, packet type, address length, address. */
static uint8_t *put_sll2(uint8_t *l3, const struct out *o,
			 const struct seg *s)
{
	uint8_t *p = l3 - 20;

	put16(p, ethertype(s));
	put16(p + 2, 0);
	put32(p + 4, 2);                   /* ifindex of "eth1" */
	put16(p + 8, 1);
	p[10] = is_local(o, s) ? 4 : 0;
	p[11] = 6;
	memcpy(p + 12, s->src->h->mac, 6);
	put16(p + 18, 0);
	return p;
}

/* BSD loopback (LINKTYPE_NULL): the address family as a 4-byte integer
 * in the byte order of the capturing host; written little-endian, with
 * AF_INET6 as on macOS (30). */
static uint8_t *put_null(uint8_t *l3, const struct seg *s)
{
	uint8_t *p = l3 - 4;
	uint32_t af = s->src->h->a.family == 4 ? 2 : 30;

	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(af >> (8 * i));
	return p;
}

static uint8_t *put_link(uint8_t *l3, const struct out *o,
			 const struct seg *s)
{
	switch (o->dlt) {
	case DLT_LINUX_SLL:
		return put_sll(l3, o, s);
	case DLT_LINUX_SLL2:
		return put_sll2(l3, o, s);
	case DLT_RAW:
		return l3;
	case DLT_NULL:
		return put_null(l3, s);
	default:
		return put_eth(l3, o, s);
	}
}

/* --------------------------------------------------------------- output */

/* Opens `path` for writing a capture of link type dlt; the generator's
 * PRNG starts from `seed`.  On a later fatal error the file is removed if
 * it is a regular file (never a device such as /dev/full, nor stdout). */
void out_open(struct out *o, const char *path, int dlt, uint64_t seed)
{
	struct stat st;

	memset(o, 0, sizeof(*o));
	o->path = path;
	o->dlt = dlt;
	o->ip_id = 0x1000;
	o->frag_id = 0x5000;
	o->gap_us = 40;
	pl_rng_seed(&o->rng, seed);
	o->pd = pcap_open_dead(dlt, SNAPLEN);
	if (o->pd == NULL)
		fatal(path, "pcap_open_dead failed");
	o->dump = pcap_dump_open(o->pd, path);
	if (o->dump == NULL)
		fatal(path, "cannot create: %s", strerror(errno));
	o->remove_on_error = strcmp(path, "-") != 0 &&
		fstat(fileno(pcap_dump_file(o->dump)), &st) == 0 &&
		S_ISREG(st.st_mode);
	cleanup_out = o;
}

void out_close(struct out *o)
{
	if (pcap_dump_flush(o->dump) != 0 ||
	    ferror(pcap_dump_file(o->dump)))
		fatal(o->path, "write error: %s", strerror(errno));
	pcap_dump_close(o->dump);
	o->dump = NULL;
	pcap_close(o->pd);
	cleanup_out = NULL;
}

void out_wait(struct out *o, uint64_t us)
{
	o->ts_us += us;
}

void emit(struct out *o, const struct seg *s)
{
	uint8_t frame[FRAME_MAX];
	uint8_t *l3 = frame + HEADROOM, *start;
	size_t max = FRAME_MAX - HEADROOM - 40 - 24 - 60;
	struct pcap_pkthdr ph;
	size_t l3len;

	if (s->len > max || s->optlen > 40)
		fatal(o->path, "segment of %zu bytes is too large", s->len);
	if (s->src->h->a.family != s->dst->h->a.family)
		fatal(o->path, "%s and %s: address families differ",
		      s->src->h->name, s->dst->h->name);
	l3len = put_ip(l3, o, s);
	start = put_link(l3, o, s);
	ph.ts.tv_sec = (time_t)(T0_SEC + o->ts_us / 1000000u);
	ph.ts.tv_usec = (suseconds_t)(o->ts_us % 1000000u);
	ph.caplen = ph.len = (uint32_t)(l3len + (size_t)(l3 - start));
	pcap_dump((u_char *)o->dump, &ph, start);
	o->npkts++;
	out_wait(o, o->gap_us);
}

void udp_send(struct out *o, const struct ep *src, const struct ep *dst,
	      const uint8_t *data, size_t len)
{
	struct seg s = { .src = src, .dst = dst, .proto = 17,
			 .data = data, .len = len };
	emit(o, &s);
}

/* ----------------------------------------------------------------- misc */

uint32_t mix30(uint32_t x)
{
	const uint32_t m = (1u << 30) - 1;

	x &= m;
	x ^= x >> 15;
	x = (x * 0x2c1b3c6du) & m;
	x ^= x >> 12;
	x = (x * 0x297a2d39u) & m;
	x ^= x >> 15;
	return x;
}

uint64_t num_arg(const char *what, const char *s, uint64_t lo, uint64_t hi)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
		fatal(what, "'%s' is not a number in %" PRIu64 "..%" PRIu64,
		      s, lo, hi);
	return v;
}

void write_inventory(const char *path, const char *header,
		     const struct host *h, int n)
{
	FILE *f = fopen(path, "w");
	char a[INET6_ADDRSTRLEN];

	if (f == NULL)
		fatal(path, "%s", strerror(errno));
	fputs(header, f);
	for (int i = 0; i < n; i++) {
		host_addr_text(&h[i], a, sizeof(a));
		if (h[i].roles != NULL)
			fprintf(f, "%-17s %-17s %s\n", a, h[i].roles, h[i].name);
	}
	fputs("# Not Lync hosts (no roles; flows to them are out of audit "
	      "scope):\n", f);
	for (int i = 0; i < n; i++)
		if (h[i].roles == NULL)
			fprintf(f, "#   %-15s %s\n",
				host_addr_text(&h[i], a, sizeof(a)), h[i].name);
	if (ferror(f) | (fclose(f) != 0))
		fatal(path, "write error: %s", strerror(errno));
}
