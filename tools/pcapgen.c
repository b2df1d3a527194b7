/* pcapgen.c: writes the deterministic test captures of pcaps/.
 *
 *   pcapgen demo OUT.pcap [OUT.inventory]  the demo scene (+ its hosts)
 *   pcapgen rows RULES_FILE OUT.pcap       one flow per rule port and L4
 *   pcapgen linktypes OUTDIR               one exchange per link type
 *   pcapgen flags OUT.pcap [OUT.inventory] each audit flag raised and not
 *   pcapgen bench OUT.pcap [PACKETS [FLOWS [WINDOW [GAP_US [PREFILL]]]]]
 *                                          a large Lync-like mix (bench/)
 *   pcapgen flood OUT.pcap [N]             N packets, N distinct 5-tuples
 *
 * Frames are built layer by layer (link, IPv4/IPv6, TCP/UDP with correct
 * checksums) around the application messages of payloads.c.  Time starts
 * at 2026-01-05T09:00:00Z and only moves forward by fixed steps; the only
 * randomness is a fixed-seed generator, so two runs write identical bytes.
 * Every address is in 198.18.0.0/15 or 2001:db8::/32 and every MAC is
 * locally administered (02:00:...).  Any error exits with status 2 and a
 * message naming the file; a partly written capture is removed.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "payloads.h"
#include "classify/rules.h"

#define T0_SEC 1767603600u  /* 2026-01-05T09:00:00Z */
#define FILETIME_T0 ((uint64_t)(T0_SEC + 11644473600u) * 10000000u)
#define SNAPLEN 65535
#define HEADROOM 64         /* bytes kept before the IP header for L2 */
#define FRAME_MAX 2048
#define MSS4 1460           /* TCP MSS over IPv4 and IPv6 (1500 MTU) */
#define MSS6 1440

#define C2S 0               /* direction: client to server */
#define S2C 1

/* ---------------------------------------------------------------- model */

struct host {
	const char *name;
	const char *roles;    /* inventory roles, or NULL: not a Lync host */
	struct pl_addr a;
	uint8_t mac[6];
	uint8_t ttl;          /* initial TTL / hop limit: 128 Windows, 64 */
};

struct ep {
	const struct host *h;
	uint16_t port;        /* host order */
};

/* One capture being written. */
struct out {
	const char *path;
	pcap_t *pd;
	pcap_dumper_t *dump;
	int dlt;
	uint16_t vlan[2];     /* 802.1Q ids, outermost first (Ethernet) */
	int nvlan;            /* 0, 1 (802.1Q) or 2 (QinQ: 802.1ad + 802.1Q) */
	bool v6ext;           /* IPv6: Hop-by-Hop, Dest. Options, Fragment */
	const struct host *local; /* SLL/SLL2: the capturing host (by MAC) */
	uint64_t ts_us;       /* time of the next packet, from T0 */
	uint32_t gap_us;      /* clock step after each packet (40 us) */
	uint16_t ip_id;
	uint32_t frag_id;
	unsigned npkts;
	bool remove_on_error;  /* a regular file this run created by name */
	struct pl_rng rng;
};

/* One L4 segment to put on the wire. */
struct seg {
	const struct ep *src, *dst;
	uint8_t proto;        /* 6 or 17 */
	uint8_t flags;        /* TCP flags */
	uint32_t seq, ack;
	uint16_t win;
	const uint8_t *opt;   /* TCP options, a multiple of 4 bytes */
	size_t optlen;
	const uint8_t *data;
	size_t len;
};

/* --------------------------------------------------------------- errors */

static struct out *cleanup_out; /* its file is removed on a fatal error */

__attribute__((noreturn, format(printf, 2, 3)))
static void fatal(const char *path, const char *fmt, ...)
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

static void usage(void)
{
	fputs("usage: pcapgen demo OUT.pcap [OUT.inventory]\n"
	      "       pcapgen rows RULES_FILE OUT.pcap\n"
	      "       pcapgen linktypes OUTDIR\n"
	      "       pcapgen flags OUT.pcap [OUT.inventory]\n"
	      "       pcapgen bench OUT.pcap [PACKETS [FLOWS [WINDOW [GAP_US "
	      "[PREFILL]]]]]\n"
	      "       pcapgen flood OUT.pcap [N]\n", stderr);
	exit(2);
}

/* ---------------------------------------------------------------- hosts */

/* Fills h from text; MAC 02:00:<mac_id as 4 bytes>. */
static void host_init(struct host *h, const char *name, const char *roles,
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

static const char *host_addr_text(const struct host *h, char *buf, size_t n)
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

static void put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
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
static void out_open(struct out *o, const char *path, int dlt, uint64_t seed)
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

static void out_close(struct out *o)
{
	if (pcap_dump_flush(o->dump) != 0 ||
	    ferror(pcap_dump_file(o->dump)))
		fatal(o->path, "write error: %s", strerror(errno));
	pcap_dump_close(o->dump);
	o->dump = NULL;
	pcap_close(o->pd);
	cleanup_out = NULL;
}

static void out_wait(struct out *o, uint64_t us)
{
	o->ts_us += us;
}

/* Writes one packet at the current time, then advances the clock by a
 * small fixed step (o->gap_us). */
static void emit(struct out *o, const struct seg *s)
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

/* ------------------------------------------------------------------ UDP */

static void udp_send(struct out *o, const struct ep *src, const struct ep *dst,
		     const uint8_t *data, size_t len)
{
	struct seg s = { .src = src, .dst = dst, .proto = 17,
			 .data = data, .len = len };
	emit(o, &s);
}

/* ----------------------------------------------------------- a "script" */

/* Messages of one conversation, in order, with their bytes. */
#define SCRIPT_MAX 24
#define SCRIPT_BYTES 65536

struct msg {
	int dir;                           /* C2S or S2C */
	const uint8_t *data;
	size_t len;
};

struct script {
	struct msg m[SCRIPT_MAX];
	int n;
	size_t used;
	uint8_t data[SCRIPT_BYTES];
};

/* The free space of a script, as the (buf, cap) arguments of a builder. */
#define ROOM(s) ((s)->data + (s)->used), (sizeof((s)->data) - (s)->used)

/* Appends the message a builder just wrote at ROOM(s); len 0 (it did not
 * fit) is fatal. */
static void push(struct out *o, struct script *s, int dir, size_t len,
		 const char *what)
{
	if (len == 0 || s->n == SCRIPT_MAX)
		fatal(o->path, "%s does not fit in a script", what);
	s->m[s->n].dir = dir;
	s->m[s->n].data = s->data + s->used;
	s->m[s->n].len = len;
	s->n++;
	s->used += len;
}

static void script_reset(struct script *s)
{
	s->n = 0;
	s->used = 0;
}

/* Sends each message of the script as one datagram, the client's from c
 * to s, with a short turn-around between them. */
static void udp_exchange(struct out *o, const struct ep *c,
			 const struct ep *srv, const struct script *sc)
{
	for (int i = 0; i < sc->n; i++) {
		const struct msg *m = &sc->m[i];
		if (m->dir == C2S)
			udp_send(o, c, srv, m->data, m->len);
		else
			udp_send(o, srv, c, m->data, m->len);
		out_wait(o, 600);
	}
}

/* ------------------------------------------------------------------ TCP */

struct tcp_conv {
	struct ep ep[2];                   /* [C2S] client, [S2C] server */
	uint32_t next[2];                  /* next sequence number to send */
	size_t mss;
};

/* SYN options as Windows sends them: MSS, NOP, WS 8, NOP, NOP, SACK_PERM */
static void syn_options(uint8_t opt[12], size_t mss)
{
	static const uint8_t tmpl[12] = { 2, 4, 0, 0, 1, 3, 3, 8, 1, 1, 4, 2 };

	memcpy(opt, tmpl, 12);
	put16(opt + 2, (unsigned)mss);
}

/* Sends one segment in direction dir with coherent seq/ack: ack is the
 * peer's next sequence number; SYN and FIN take one sequence number. */
static void tcp_seg(struct out *o, struct tcp_conv *t, int dir, uint8_t flags,
		    const uint8_t *data, size_t len)
{
	uint8_t opt[12];
	struct seg s = { .src = &t->ep[dir], .dst = &t->ep[!dir], .proto = 6,
			 .flags = flags, .seq = t->next[dir],
			 .data = data, .len = len };

	s.ack = (flags & 0x10) ? t->next[!dir] : 0;
	s.win = (flags & 0x02) ? 8192 : 2053;  /* x256 after WS 8 */
	if (flags & 0x02) {
		syn_options(opt, t->mss);
		s.opt = opt;
		s.optlen = sizeof(opt);
	}
	emit(o, &s);
	t->next[dir] += (uint32_t)len + ((flags & 0x03) ? 1 : 0);
}

#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_PSH 0x08
#define TH_ACK 0x10

/* SYN, SYN-ACK, ACK with random initial sequence numbers. */
static void tcp_open(struct out *o, struct tcp_conv *t, const struct ep *c,
		     const struct ep *srv)
{
	t->ep[C2S] = *c;
	t->ep[S2C] = *srv;
	t->next[C2S] = pl_rng_u32(&o->rng);
	t->next[S2C] = pl_rng_u32(&o->rng);
	t->mss = c->h->a.family == 4 ? MSS4 : MSS6;
	tcp_seg(o, t, C2S, TH_SYN, NULL, 0);
	out_wait(o, 350);
	tcp_seg(o, t, S2C, TH_SYN | TH_ACK, NULL, 0);
	out_wait(o, 350);
	tcp_seg(o, t, C2S, TH_ACK, NULL, 0);
	out_wait(o, 500);
}

/* Sends a message in MSS-sized segments, PSH on the last; a message of
 * several segments is acknowledged by the receiver. */
static void tcp_send(struct out *o, struct tcp_conv *t, int dir,
		     const uint8_t *data, size_t len)
{
	size_t off = 0;

	while (off < len) {
		size_t n = len - off > t->mss ? t->mss : len - off;
		uint8_t fl = TH_ACK | (off + n == len ? TH_PSH : 0);
		tcp_seg(o, t, dir, fl, data + off, n);
		off += n;
	}
	if (len > t->mss) {
		out_wait(o, 200);
		tcp_seg(o, t, !dir, TH_ACK, NULL, 0);
	}
	out_wait(o, 900);
}

/* FIN/ACK from `first`, FIN/ACK back, last ACK. */
static void tcp_close(struct out *o, struct tcp_conv *t, int first)
{
	tcp_seg(o, t, first, TH_FIN | TH_ACK, NULL, 0);
	out_wait(o, 300);
	tcp_seg(o, t, !first, TH_FIN | TH_ACK, NULL, 0);
	out_wait(o, 300);
	tcp_seg(o, t, first, TH_ACK, NULL, 0);
	out_wait(o, 2000);
}

static void tcp_play(struct out *o, struct tcp_conv *t,
		     const struct script *sc)
{
	for (int i = 0; i < sc->n; i++)
		tcp_send(o, t, sc->m[i].dir, sc->m[i].data, sc->m[i].len);
}

/* A whole connection: handshake, the script, FIN/ACK both ways (the
 * client closes). */
static void tcp_conversation(struct out *o, const struct ep *c,
			     const struct ep *srv, const struct script *sc)
{
	struct tcp_conv t;

	tcp_open(o, &t, c, srv);
	tcp_play(o, &t, sc);
	tcp_close(o, &t, C2S);
}

/* ------------------------------------------------- scripted app dialogs */

/* TLS handshake (both hellos, both finishes), then application data
 * records of the given cleartext sizes, alternating client, server. */
static void script_tls(struct out *o, struct script *s, const char *sni,
		       const size_t *app, int napp)
{
	push(o, s, C2S, pl_tls_client_hello(ROOM(s), sni, &o->rng),
	     "ClientHello");
	push(o, s, S2C, pl_tls_server_hello(ROOM(s), &o->rng), "ServerHello");
	push(o, s, C2S, pl_tls_client_finish(ROOM(s), &o->rng),
	     "client Finished");
	push(o, s, S2C, pl_tls_server_finish(ROOM(s), &o->rng),
	     "server Finished");
	for (int i = 0; i < napp; i++)
		push(o, s, i % 2 == 0 ? C2S : S2C,
		     pl_tls_app_data(ROOM(s), app[i], &o->rng), "app data");
}

/* A TLS connection carrying SIP sign-in: REGISTER, 401, REGISTER, 200,
 * SUBSCRIBE, 200 (sizes as Lync 2013 writes them). */
static const size_t tls_signin[] = { 905, 742, 1620, 1340, 1105, 2870 };
static const size_t tls_psom[] = { 610, 420, 1800, 3900 };
static const size_t tls_web[] = { 520, 2400 };
static const size_t tls_mtls[] = { 1210, 530 };

static void tls_flow(struct out *o, const struct ep *c, const struct ep *srv,
		     const char *sni, const size_t *app, int napp)
{
	static struct script s;

	script_reset(&s);
	script_tls(o, &s, sni, app, napp);
	tcp_conversation(o, c, srv, &s);
}

#define TLS_FLOW(o, c, s, sni, app) \
	tls_flow(o, c, s, sni, app, (int)(sizeof(app) / sizeof(app[0])))

/* SIP request and its responses over one transport. */
struct sip_call {
	const char *transport;       /* "TCP" or "UDP" */
	const struct ep *c, *s;      /* UAC and UAS */
	const char *from, *to, *call_id, *branch, *uri;
	const char *ua, *server;     /* User-Agent of the UAC, Server of the UAS */
	const char *contact;         /* Contact of requests, or NULL */
};

/* One message of the SIP transaction k: a request when `method` is set,
 * else a response with `status`; `cseq_method` is the method of the
 * transaction (the request's own for a request).  Responses other than
 * 100 and the ACK of a 2xx carry the UAS's To tag. */
static size_t sip_build(uint8_t *buf, size_t cap, const struct sip_call *k,
			const char *method, int status, const char *reason,
			const char *cseq_method, const char *body,
			const char *extra)
{
	char via[64];
	bool ack = method != NULL && strcmp(method, "ACK") == 0;
	bool tagged = (method == NULL && status != 100) || ack;
	struct pl_sip m = {
		.method = method, .uri = k->uri, .status = status,
		.reason = reason, .transport = k->transport,
		.via_host = via, .via_port = k->c->port,
		.branch = ack ? "z9hG4bK7d0a1e" : k->branch,
		.from = k->from, .from_tag = "9a4c2e71", .to = k->to,
		.to_tag = tagged ? "4f21b7c3" : NULL,
		.call_id = k->call_id, .cseq = 1, .cseq_method = cseq_method,
		.user_agent = method != NULL ? k->ua : k->server,
		.contact = method != NULL ? k->contact : NULL,
		.extra = extra,
		.content_type = body != NULL ? "application/sdp" : NULL,
		.body = body,
	};

	if (k->c->h->a.family == 6) {
		via[0] = '[';
		host_addr_text(k->c->h, via + 1, sizeof(via) - 2);
		strcat(via, "]");
	} else {
		host_addr_text(k->c->h, via, sizeof(via));
	}
	return pl_sip_message(buf, cap, &m);
}

/* OPTIONS and its 200 OK. */
static void script_sip_options(struct out *o, struct script *s,
			       const struct sip_call *k)
{
	push(o, s, C2S, sip_build(ROOM(s), k, "OPTIONS", 0, NULL, "OPTIONS",
				  NULL, "Accept: application/sdp\r\n"),
	     "OPTIONS");
	push(o, s, S2C, sip_build(ROOM(s), k, NULL, 200, "OK", "OPTIONS",
				  NULL, "Allow: INVITE, ACK, CANCEL, BYE, "
				  "OPTIONS, REGISTER\r\n"), "200 OK");
}

/* REGISTER and its 200 OK (RFC 3261 10). */
static void script_sip_register(struct out *o, struct script *s,
				const struct sip_call *k)
{
	push(o, s, C2S, sip_build(ROOM(s), k, "REGISTER", 0, NULL, "REGISTER",
				  NULL, "Expires: 3600\r\n"), "REGISTER");
	push(o, s, S2C, sip_build(ROOM(s), k, NULL, 200, "OK", "REGISTER",
				  NULL, "Expires: 3600\r\n"), "200 OK");
}

/* INVITE with an SDP offer, 100 Trying, 200 OK with the answer, ACK. */
static void script_sip_invite(struct out *o, struct script *s,
			      const struct sip_call *k, uint16_t c_rtp,
			      uint16_t s_rtp)
{
	char offer[1024], answer[1024];

	if (pl_sdp_audio(offer, sizeof(offer), &k->c->h->a, c_rtp, 2201) == 0 ||
	    pl_sdp_audio(answer, sizeof(answer), &k->s->h->a, s_rtp, 7812) == 0)
		fatal(o->path, "SDP does not fit");
	push(o, s, C2S, sip_build(ROOM(s), k, "INVITE", 0, NULL, "INVITE",
				  offer, "Supported: ms-early-media\r\n"),
	     "INVITE");
	push(o, s, S2C, sip_build(ROOM(s), k, NULL, 100, "Trying", "INVITE",
				  NULL, NULL), "100");
	push(o, s, S2C, sip_build(ROOM(s), k, NULL, 200, "OK", "INVITE",
				  answer, NULL), "200 OK");
	push(o, s, C2S, sip_build(ROOM(s), k, "ACK", 0, NULL, "ACK", NULL,
				  NULL), "ACK");
}

/* One RTP stream's state. */
struct rtp_stream {
	const struct ep *src, *dst;
	struct pl_rtp h;
	size_t plen;                       /* payload bytes per packet */
	uint32_t step;                     /* timestamp units per packet */
	uint32_t sent;
};

/* An RTCP compound SR of stream st, from and to the RTCP ports (+1). */
static void rtcp_send(struct out *o, const struct rtp_stream *st)
{
	struct ep from = { st->src->h, (uint16_t)(st->src->port + 1) };
	struct ep to = { st->dst->h, (uint16_t)(st->dst->port + 1) };
	uint64_t us = o->ts_us % 1000000u;
	struct pl_rtcp_sr sr = {
		.ssrc = st->h.ssrc,
		.ntp_sec = T0_SEC + 2208988800u + (uint32_t)(o->ts_us / 1000000u),
		.ntp_frac = (uint32_t)((us << 32) / 1000000u),
		.rtp_ts = st->h.ts, .packets = st->sent,
		.octets = (uint32_t)(st->sent * st->plen),
		.cname = st->src->h->name };
	uint8_t buf[256];
	size_t len = pl_rtcp_sr(buf, sizeof(buf), &sr);

	if (len == 0)
		fatal(o->path, "RTCP does not fit");
	udp_send(o, &from, &to, buf, len);
	out_wait(o, 500);
}

static void rtp_send(struct out *o, struct rtp_stream *st)
{
	uint8_t buf[512];
	size_t len = pl_rtp(buf, sizeof(buf), &st->h, st->plen, &o->rng);

	if (len == 0)
		fatal(o->path, "RTP does not fit");
	udp_send(o, st->src, st->dst, buf, len);
	st->h.marker = false;
	st->h.seq++;
	st->h.ts += st->step;
	st->sent++;
}

/* Bidirectional RTP between a and b: n packets each way, 20 ms apart
 * (PCMU for pt 0, else 16 kHz SIREN-sized), with an RTCP compound SR
 * from each side (on port + 1) after the first and the last packets. */
static void rtp_call(struct out *o, const struct ep *a, const struct ep *b,
		     uint8_t pt, int n)
{
	struct rtp_stream st[2] = { { .src = a, .dst = b },
				    { .src = b, .dst = a } };

	for (int d = 0; d < 2; d++) {
		st[d].plen = pt == 0 ? 160 : 40;
		st[d].step = pt == 0 ? 160 : 320;
		st[d].h.pt = pt;
		st[d].h.marker = true;
		st[d].h.seq = (uint16_t)pl_rng_u32(&o->rng);
		st[d].h.ts = pl_rng_u32(&o->rng);
		st[d].h.ssrc = pl_rng_u32(&o->rng);
	}
	for (int i = 0; i < n; i++) {
		rtp_send(o, &st[0]);
		out_wait(o, 3100);
		rtp_send(o, &st[1]);
		out_wait(o, 16800);
		if (i == 0 || i == n - 1) {
			rtcp_send(o, &st[0]);
			rtcp_send(o, &st[1]);
		}
	}
}

/* STUN binding transactions per STUN flow.  nDPI 4.2 reports STUN after
 * three messages it accepts, and it accepts requests only (its message-type
 * test rejects 0x0101, the success response), so three requests. */
#define STUN_CHECKS 3

/* STUN_CHECKS binding transactions (request, success response), as an
 * ICE agent re-checks; the response maps the client's own address (no NAT
 * inside). */
static void stun_binding(struct out *o, const struct ep *c,
			 const struct ep *srv, bool ms)
{
	static struct script s;
	uint8_t txid[12];

	script_reset(&s);
	for (int i = 0; i < STUN_CHECKS; i++) {
		pl_rng_fill(&o->rng, txid, sizeof(txid));
		push(o, &s, C2S, pl_stun_binding_request(ROOM(&s), txid, ms),
		     "STUN request");
		push(o, &s, S2C, pl_stun_binding_response(ROOM(&s), txid,
			&c->h->a, c->port), "STUN response");
	}
	udp_exchange(o, c, srv, &s);
}

/* ------------------------------------------------------------ demo scene */

enum demo_host {
	H_POOL, H_FE1, H_FE1_6, H_FE2, H_FE2_6, H_DIR, H_MED, H_PCHAT, H_OWA,
	H_EDGE, H_GW, H_CL1, H_CL2, H_CL3, H_PHONE, H_DNS, H_WEB, H_SSH,
	H_DHCP, H_N
};

struct host_def {
	const char *name, *roles, *addr;
	uint32_t mac;
	uint8_t ttl;
};

/* The demo site.  Roles NULL: not a Lync host (infrastructure). */
static const struct host_def demo_defs[H_N] = {
	[H_POOL]  = { "pool01", "front-end-lb", "198.18.10.10", 0xc612000a, 128 },
	[H_FE1]   = { "fe1", "front-end,cms", "198.18.10.11", 0xc612000b, 128 },
	[H_FE1_6] = { "fe1", "front-end,cms", "2001:db8:10::11", 0xc612000b, 128 },
	[H_FE2]   = { "fe2", "front-end", "198.18.10.12", 0xc612000c, 128 },
	[H_FE2_6] = { "fe2", "front-end", "2001:db8:10::12", 0xc612000c, 128 },
	[H_DIR]   = { "dir1", "director", "198.18.10.20", 0xc6120014, 128 },
	[H_MED]   = { "med1", "mediation", "198.18.10.30", 0xc612001e, 128 },
	[H_PCHAT] = { "pchat1", "persistent-chat", "198.18.10.40", 0xc6120028, 128 },
	[H_OWA]   = { "owa1", "office-web-apps", "198.18.10.50", 0xc6120032, 128 },
	[H_EDGE]  = { "edge1-int", "edge", "198.18.10.60", 0xc612003c, 128 },
	[H_GW]    = { "gw1", "pstn-gateway", "198.18.20.5", 0xc6121405, 64 },
	[H_CL1]   = { "client1", "client", "198.19.1.101", 0xc6130165, 128 },
	[H_CL2]   = { "client2", "client", "198.19.1.102", 0xc6130166, 128 },
	[H_CL3]   = { "client3", "client", "2001:db8:1::103", 0xc6130167, 128 },
	[H_PHONE] = { "phone1", "phone", "198.19.2.50", 0xc6130232, 64 },
	[H_DNS]   = { "dns1", NULL, "198.18.30.53", 0xc6121e35, 128 },
	[H_WEB]   = { "web1", NULL, "198.18.30.80", 0xc6121e50, 64 },
	[H_SSH]   = { "ssh1", NULL, "198.18.30.22", 0xc6121e16, 64 },
	[H_DHCP]  = { "rtr-voice", NULL, "198.19.2.1", 0xc6130201, 255 },
};

struct demo {
	struct out o;
	struct host h[H_N];
	uint16_t eph[H_N];                 /* next ephemeral port per host */
	struct script s;
};

/* The next ephemeral source port of host i (Windows: 49152-65535). */
static struct ep demo_eph(struct demo *d, enum demo_host i)
{
	struct ep e = { &d->h[i], d->eph[i]++ };
	return e;
}

static struct ep demo_ep(struct demo *d, enum demo_host i, uint16_t port)
{
	struct ep e = { &d->h[i], port };
	return e;
}

/* The phone gets its address and the Lync options (43, 120) from the
 * voice VLAN's router: DISCOVER, OFFER, REQUEST, ACK, all broadcast. */
static void demo_dhcp(struct demo *d)
{
	static const enum pl_dhcp_type seq[4] = { PL_DHCPDISCOVER,
		PL_DHCPOFFER, PL_DHCPREQUEST, PL_DHCPACK };
	struct host any = d->h[H_PHONE], bcast = d->h[H_DHCP];
	struct pl_dhcp m = { .xid = 0x3903f326, .broadcast = true,
			     .hostname = "CX600-0042", .lease_s = 86400,
			     .netmask = { 255, 255, 255, 0 },
			     .router = { 198, 19, 2, 1 },
			     .dns = { 198, 18, 30, 53 },
			     .domain = "contoso.test",
			     .sip_server = "pool01.contoso.test",
			     .web_fqdn = "pool01.contoso.test" };
	uint8_t buf[1024];

	memset(any.a.b, 0, 4);
	memset(bcast.a.b, 255, 4);
	memset(bcast.mac, 0xff, 6);
	memcpy(m.chaddr, d->h[H_PHONE].mac, 6);
	for (int i = 0; i < 4; i++) {
		bool server = seq[i] == PL_DHCPOFFER || seq[i] == PL_DHCPACK;
		struct ep from = server ? demo_ep(d, H_DHCP, 67)
					: (struct ep){ &any, 68 };
		struct ep to = { &bcast, (uint16_t)(server ? 68 : 67) };
		size_t len;

		m.type = seq[i];
		memcpy(m.yiaddr, server ? d->h[H_PHONE].a.b : any.a.b, 4);
		memcpy(m.requested, i == 2 ? d->h[H_PHONE].a.b : any.a.b, 4);
		memcpy(m.server_id, i >= 1 ? d->h[H_DHCP].a.b : any.a.b, 4);
		len = pl_dhcp(buf, sizeof(buf), &m);
		if (len == 0)
			fatal(d->o.path, "DHCP does not fit");
		udp_send(&d->o, &from, &to, buf, len);
		out_wait(&d->o, 4000);
	}
}

/* The phone: DHCP, then the root certificate over HTTP on 8080 of the
 * pool VIP, then sign-in over TLS. */
static void demo_phone(struct demo *d)
{
	struct out *o = &d->o;
	struct ep c, srv;

	demo_dhcp(d);
	c = demo_eph(d, H_PHONE);
	srv = demo_ep(d, H_POOL, 8080);
	script_reset(&d->s);
	push(o, &d->s, C2S, pl_http_get(ROOM(&d->s), "pool01.contoso.test:8080",
		"/CertProv/CertProvisioningService.svc/mex",
		"Microsoft Lync Phone Edition"), "GET");
	push(o, &d->s, S2C, pl_http_response(ROOM(&d->s), 200, "OK",
		"application/soap+xml; charset=utf-8",
		"<wsdl:definitions name=\"CertProvisioningService\"/>"),
	     "200");
	tcp_conversation(o, &c, &srv, &d->s);
	c = demo_eph(d, H_PHONE);
	srv = demo_ep(d, H_POOL, 5061);
	TLS_FLOW(o, &c, &srv, "pool01.contoso.test", tls_signin);
}

static void demo_dns(struct demo *d, enum demo_host cl, const char *name,
		     enum pl_dns_type type, enum demo_host answer,
		     uint16_t srv_port, const char *target)
{
	struct out *o = &d->o;
	struct ep c = demo_eph(d, cl), srv = demo_ep(d, H_DNS, 53);
	struct pl_dns q = { .id = (uint16_t)pl_rng_u32(&o->rng), .name = name,
			    .type = type, .addr = d->h[answer].a,
			    .srv_port = srv_port, .srv_target = target,
			    .ttl = 3600 };

	script_reset(&d->s);
	push(o, &d->s, C2S, pl_dns_query(ROOM(&d->s), &q), "DNS query");
	push(o, &d->s, S2C, pl_dns_response(ROOM(&d->s), &q), "DNS answer");
	udp_exchange(o, &c, &srv, &d->s);
}

/* Sign-in: DNS SRV lookup, TLS to 5061 on the pool VIP, a Director, a
 * Front End directly, and over IPv6.  client1's connection to the VIP
 * stays open until the end of the capture (a registered client keeps it). */
static void demo_signin(struct demo *d, struct tcp_conv *keep)
{
	struct out *o = &d->o;
	struct ep c, srv;

	demo_dns(d, H_CL1, "_sipinternaltls._tcp.contoso.test", PL_DNS_SRV,
		 H_POOL, 5061, "pool01.contoso.test");
	demo_dns(d, H_CL1, "pool01.contoso.test", PL_DNS_A, H_POOL, 0, NULL);
	c = demo_eph(d, H_CL1);
	srv = demo_ep(d, H_POOL, 5061);
	script_reset(&d->s);
	script_tls(o, &d->s, "pool01.contoso.test", tls_signin, 6);
	tcp_open(o, keep, &c, &srv);
	tcp_play(o, keep, &d->s);

	c = demo_eph(d, H_CL2);
	srv = demo_ep(d, H_DIR, 5061);
	TLS_FLOW(o, &c, &srv, "dir1.contoso.test", tls_mtls);
	c = demo_eph(d, H_CL2);
	srv = demo_ep(d, H_FE1, 5061);
	TLS_FLOW(o, &c, &srv, "fe1.contoso.test", tls_signin);
	c = demo_eph(d, H_CL3);
	srv = demo_ep(d, H_FE2_6, 5061);
	TLS_FLOW(o, &c, &srv, "pool01.contoso.test", tls_signin);
}

/* Windows services between servers: a DCOM activation bind to 135, SMB2
 * to the CMS's 445, the SQL Browser of fe1's local instances. */
static void demo_windows(struct demo *d)
{
	static const struct pl_sql_instance inst[2] = {
		{ "RTCLOCAL", "11.0.2100.60", 49361 },
		{ "LYNCLOCAL", "11.0.2100.60", 49362 } };
	struct out *o = &d->o;
	struct ep c = demo_eph(d, H_FE2), srv = demo_ep(d, H_FE1, 135);

	script_reset(&d->s);
	push(o, &d->s, C2S, pl_dcerpc_bind(ROOM(&d->s), 2,
		"000001a0-0000-0000-c000-000000000046", 0, 0), "bind");
	push(o, &d->s, S2C, pl_dcerpc_bind_ack(ROOM(&d->s), 2, 0x0001c8f3,
					       "135"), "bind_ack");
	tcp_conversation(o, &c, &srv, &d->s);

	c = demo_eph(d, H_FE2);
	srv = demo_ep(d, H_FE1, 445);
	script_reset(&d->s);
	push(o, &d->s, C2S, pl_smb2_negotiate_request(ROOM(&d->s), &o->rng),
	     "NEGOTIATE");
	push(o, &d->s, S2C, pl_smb2_negotiate_response(ROOM(&d->s),
		FILETIME_T0 + o->ts_us * 10, &o->rng), "NEGOTIATE response");
	tcp_conversation(o, &c, &srv, &d->s);

	c = demo_eph(d, H_DIR);
	srv = demo_ep(d, H_FE1, 1434);
	script_reset(&d->s);
	push(o, &d->s, C2S, pl_sqlbrowser_request(ROOM(&d->s)), "CLNT_UCAST_EX");
	push(o, &d->s, S2C, pl_sqlbrowser_response(ROOM(&d->s), "FE1", inst, 2),
	     "SVR_RESP");
	udp_exchange(o, &c, &srv, &d->s);
}

/* Server to server: MTLS SIP between pool members, 444 both ways between
 * the pool and the Director, Persistent Chat, the Windows services, and
 * a cleartext OPTIONS to 5060 (the optional static-route port). */
static void demo_servers(struct demo *d)
{
	struct out *o = &d->o;
	struct ep c, srv;
	struct sip_call k;

	c = demo_eph(d, H_FE2);
	srv = demo_ep(d, H_FE1, 5061);
	TLS_FLOW(o, &c, &srv, "fe1.contoso.test", tls_mtls);
	c = demo_eph(d, H_FE1);
	srv = demo_ep(d, H_DIR, 444);
	TLS_FLOW(o, &c, &srv, "dir1.contoso.test", tls_web);
	c = demo_eph(d, H_DIR);
	srv = demo_ep(d, H_FE1, 444);
	TLS_FLOW(o, &c, &srv, "fe1.contoso.test", tls_web);
	demo_windows(d);
	c = demo_eph(d, H_FE1);
	srv = demo_ep(d, H_PCHAT, 5041);
	TLS_FLOW(o, &c, &srv, "pchat1.contoso.test", tls_mtls);

	c = demo_eph(d, H_DIR);
	srv = demo_ep(d, H_FE1, 5060);
	k = (struct sip_call){
		.transport = "TCP", .c = &c, .s = &srv,
		.from = "<sip:dir1.contoso.test>", .to = "<sip:fe1.contoso.test>",
		.call_id = "5f0e2d1c3b4a", .branch = "z9hG4bK1e2f3a",
		.uri = "sip:fe1.contoso.test:5060;transport=tcp",
		.ua = "RTCC/5.0.0.0", .server = "RTCC/5.0.0.0" };
	script_reset(&d->s);
	script_sip_options(o, &d->s, &k);
	tcp_conversation(o, &c, &srv, &d->s);
}

/* A meeting: PSOM over TLS to 8057, STUN to the Edge's internal 3478,
 * audio between the clients and the A/V conferencing server of fe1. */
static void demo_meeting(struct demo *d)
{
	struct out *o = &d->o;
	struct ep c, srv;

	c = demo_eph(d, H_CL1);
	srv = demo_ep(d, H_FE1, 8057);
	TLS_FLOW(o, &c, &srv, "fe1.contoso.test", tls_psom);
	c = demo_eph(d, H_CL2);
	TLS_FLOW(o, &c, &srv, "fe1.contoso.test", tls_psom);
	c = demo_eph(d, H_CL3);
	srv = demo_ep(d, H_FE2_6, 8057);
	TLS_FLOW(o, &c, &srv, "fe2.contoso.test", tls_psom);

	c = demo_ep(d, H_CL1, 50020);
	srv = demo_ep(d, H_EDGE, 3478);
	stun_binding(o, &c, &srv, true);
	c = demo_ep(d, H_CL2, 50040);
	stun_binding(o, &c, &srv, true);

	c = demo_ep(d, H_CL1, 50020);
	srv = demo_ep(d, H_FE1, 49852);
	rtp_call(o, &c, &srv, 111, 25);
	c = demo_ep(d, H_CL2, 50040);
	srv = demo_ep(d, H_FE1, 49910);
	rtp_call(o, &c, &srv, 111, 25);
}

/* PSTN: an outbound call from the pool to the Mediation Server on 5070,
 * the gateway's TLS connection to 5067, an inbound call on 5068, and the
 * gateway's audio. */
static void demo_pstn(struct demo *d)
{
	struct out *o = &d->o;
	struct ep c, srv;
	struct sip_call k;

	c = demo_eph(d, H_FE1);
	srv = demo_ep(d, H_MED, 5070);
	k = (struct sip_call){
		.transport = "TCP", .c = &c, .s = &srv,
		.from = "<sip:alice@contoso.test>",
		.to = "<sip:+15550100@contoso.test;user=phone>",
		.call_id = "0d3b6e0f1a2b4c5d9e8f", .branch = "z9hG4bK5f1c0a",
		.uri = "sip:+15550100@med1.contoso.test:5070;user=phone",
		.ua = "RTCC/5.0.0.0 OCS", .server = "RTCC/5.0.0.0 MediationServer" };
	script_reset(&d->s);
	script_sip_invite(o, &d->s, &k, 49852, 49410);
	tcp_conversation(o, &c, &srv, &d->s);

	c = demo_eph(d, H_GW);
	srv = demo_ep(d, H_MED, 5067);
	TLS_FLOW(o, &c, &srv, "med1.contoso.test", tls_mtls);

	c = demo_eph(d, H_GW);
	srv = demo_ep(d, H_MED, 5068);
	k = (struct sip_call){
		.transport = "TCP", .c = &c, .s = &srv,
		.from = "<sip:+15550123@198.18.20.5;user=phone>",
		.to = "<sip:+15550200@med1.contoso.test;user=phone>",
		.call_id = "6a1f0b9c2d3e4f50a1b2@198.18.20.5",
		.branch = "z9hG4bK2a9e44",
		.uri = "sip:+15550200@med1.contoso.test:5068;user=phone",
		.ua = "Gateway/7.20A", .server = "RTCC/5.0.0.0 MediationServer" };
	script_reset(&d->s);
	script_sip_invite(o, &d->s, &k, 6000, 49420);
	tcp_conversation(o, &c, &srv, &d->s);

	c = demo_ep(d, H_GW, 6000);
	srv = demo_ep(d, H_MED, 49420);
	rtp_call(o, &c, &srv, 0, 20);
}

/* Web: the pool's web services through the VIP, Office Web Apps from the
 * pool and from a client. */
static void demo_web(struct demo *d)
{
	struct out *o = &d->o;
	struct ep c, srv;

	c = demo_eph(d, H_CL2);
	srv = demo_ep(d, H_POOL, 443);
	TLS_FLOW(o, &c, &srv, "pool01.contoso.test", tls_web);
	c = demo_eph(d, H_FE1);
	srv = demo_ep(d, H_OWA, 443);
	TLS_FLOW(o, &c, &srv, "owa.contoso.test", tls_web);
	c = demo_eph(d, H_CL1);
	TLS_FLOW(o, &c, &srv, "owa.contoso.test", tls_web);
}

/* Ordinary traffic that is not Lync's: DNS, HTTP to 8000, SSH. */
static void demo_other(struct demo *d)
{
	struct out *o = &d->o;
	struct ep c, srv;

	demo_dns(d, H_CL2, "intranet.contoso.test", PL_DNS_A, H_WEB, 0, NULL);
	c = demo_eph(d, H_CL2);
	srv = demo_ep(d, H_WEB, 8000);
	script_reset(&d->s);
	push(o, &d->s, C2S, pl_http_get(ROOM(&d->s), "intranet.contoso.test:8000",
		"/status", "Mozilla/5.0 (Windows NT 6.3; Win64; x64)"), "GET");
	push(o, &d->s, S2C, pl_http_response(ROOM(&d->s), 200, "OK",
		"text/plain", "ok\n"), "200");
	tcp_conversation(o, &c, &srv, &d->s);

	c = demo_eph(d, H_CL1);
	srv = demo_ep(d, H_SSH, 22);
	script_reset(&d->s);
	push(o, &d->s, S2C, pl_ssh_banner(ROOM(&d->s), "OpenSSH_9.6p1"),
	     "SSH banner");
	push(o, &d->s, C2S, pl_ssh_banner(ROOM(&d->s), "OpenSSH_for_Windows_8.1"),
	     "SSH banner");
	push(o, &d->s, S2C, pl_ssh_kexinit(ROOM(&d->s), &o->rng), "KEXINIT");
	push(o, &d->s, C2S, pl_ssh_kexinit(ROOM(&d->s), &o->rng), "KEXINIT");
	tcp_conversation(o, &c, &srv, &d->s);
}

/* What an auditor should catch: cleartext HTTP on 443 of a Front End,
 * SIP over UDP to 5061 (documented for TCP only), RDP to a Front End
 * (3389: no rule). */
static void demo_audit(struct demo *d)
{
	struct out *o = &d->o;
	struct ep c, srv;
	struct sip_call k;

	c = demo_eph(d, H_CL3);
	srv = demo_ep(d, H_FE1_6, 443);
	script_reset(&d->s);
	push(o, &d->s, C2S, pl_http_get(ROOM(&d->s), "fe1.contoso.test:443",
		"/meet/", "Mozilla/5.0 (Windows NT 6.3; Win64; x64)"), "GET");
	push(o, &d->s, S2C, pl_http_response(ROOM(&d->s), 400, "Bad Request",
		"text/html", "<h1>Bad Request</h1>"), "400");
	tcp_conversation(o, &c, &srv, &d->s);

	c = demo_eph(d, H_CL2);
	srv = demo_ep(d, H_FE1, 5061);
	k = (struct sip_call){
		.transport = "UDP", .c = &c, .s = &srv,
		.from = "<sip:bob@contoso.test>", .to = "<sip:fe1.contoso.test>",
		.call_id = "77c1e0a2b3d4", .branch = "z9hG4bK0c3d55",
		.uri = "sip:fe1.contoso.test:5061",
		.ua = "UCCAPI/15.0.4481.1000 OC/15.0.4481.1000" };
	script_reset(&d->s);
	push(o, &d->s, C2S, sip_build(ROOM(&d->s), &k, "OPTIONS", 0, NULL,
				      "OPTIONS", NULL, NULL), "OPTIONS");
	udp_exchange(o, &c, &srv, &d->s);

	c = demo_eph(d, H_CL1);
	srv = demo_ep(d, H_FE2, 3389);
	script_reset(&d->s);
	push(o, &d->s, C2S, pl_rdp_connect_request(ROOM(&d->s), "admin"),
	     "X.224 CR");
	push(o, &d->s, S2C, pl_rdp_connect_confirm(ROOM(&d->s)), "X.224 CC");
	push(o, &d->s, C2S, pl_tls_client_hello(ROOM(&d->s), NULL, &o->rng),
	     "ClientHello");
	push(o, &d->s, S2C, pl_tls_server_hello(ROOM(&d->s), &o->rng),
	     "ServerHello");
	tcp_conversation(o, &c, &srv, &d->s);
}

/* client1's registration: a keep-alive (CRLFCRLF, RFC 5626 4.4.1) inside
 * TLS, and the connection stays open past the end of the capture. */
static void demo_keepalive(struct demo *d, struct tcp_conv *keep)
{
	uint8_t rec[64];
	size_t len = pl_tls_app_data(rec, sizeof(rec), 4, &d->o.rng);

	if (len == 0)
		fatal(d->o.path, "keep-alive does not fit");
	tcp_send(&d->o, keep, C2S, rec, len);
}

/* Writes an inventory file of hosts h[0..n): `header` (comment lines),
 * one `ADDRESS ROLES NAME` line per host with roles, then the hosts
 * without roles as comments. */
static void write_inventory(const char *path, const char *header,
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

static void demo_write_inventory(const struct demo *d, const char *path)
{
	write_inventory(path,
		"# demo.inventory: the hosts of pcaps/demo.pcap (written by\n"
		"# tools/pcapgen; see pcaps/README).  ADDRESS ROLE[,ROLE] NAME\n",
		d->h, H_N);
}

static int scene_demo(const char *pcap_path, const char *inv_path)
{
	static struct demo d;
	struct tcp_conv keep;

	for (int i = 0; i < H_N; i++) {
		const struct host_def *hd = &demo_defs[i];
		host_init(&d.h[i], hd->name, hd->roles, hd->addr, hd->mac,
			  hd->ttl);
		d.eph[i] = (uint16_t)(49700 + 37 * i);
	}
	out_open(&d.o, pcap_path, DLT_EN10MB, 0x4c796e63);
	demo_phone(&d);
	demo_signin(&d, &keep);
	out_wait(&d.o, 150000);
	demo_servers(&d);
	out_wait(&d.o, 150000);
	demo_meeting(&d);
	out_wait(&d.o, 150000);
	demo_pstn(&d);
	demo_web(&d);
	demo_other(&d);
	out_wait(&d.o, 150000);
	demo_audit(&d);
	demo_keepalive(&d, &keep);
	out_close(&d.o);
	if (inv_path != NULL)
		demo_write_inventory(&d, inv_path);
	fprintf(stderr, "%s: %u packets\n", pcap_path, d.o.npkts);
	return 0;
}

/* ------------------------------------------------------- linktypes scene */

/* The exchange every link-type file carries: a TLS handshake from a client
 * to 5061 and a STUN binding to 3478, over IPv4 and IPv6 (only IPv6 in
 * the extension-header file). */
static void linktype_exchange(struct out *o, const struct host *h, bool v4)
{
	static struct script s;
	const struct host *c = &h[v4 ? 0 : 2], *srv = &h[v4 ? 1 : 3];
	struct ep ce = { c, 50100 }, se = { srv, 5061 };
	struct ep cu = { c, 50020 }, su = { srv, 3478 };

	script_reset(&s);
	script_tls(o, &s, "pool01.contoso.test", tls_mtls, 2);
	tcp_conversation(o, &ce, &se, &s);
	stun_binding(o, &cu, &su, false);
}

struct linktype_file {
	const char *name;
	int dlt;
	int nvlan;
	bool v6ext;
};

static void linktype_write(const char *dir, const struct linktype_file *f,
			   const struct host *h)
{
	char path[4096];
	struct out o;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, f->name) >=
	    sizeof(path))
		fatal(dir, "path too long");
	out_open(&o, path, f->dlt, 0x6c696e6b);
	o.nvlan = f->nvlan;
	o.vlan[0] = f->nvlan == 2 ? 100 : 30;
	o.vlan[1] = 30;
	o.v6ext = f->v6ext;
	o.local = &h[0];
	if (!f->v6ext)
		linktype_exchange(&o, h, true);
	linktype_exchange(&o, h, false);
	out_close(&o);
	fprintf(stderr, "%s: %u packets\n", path, o.npkts);
}

static int scene_linktypes(const char *dir)
{
	static const struct linktype_file files[] = {
		{ "linktype-sll.pcap", DLT_LINUX_SLL, 0, false },
		{ "linktype-sll2.pcap", DLT_LINUX_SLL2, 0, false },
		{ "linktype-raw.pcap", DLT_RAW, 0, false },
		{ "linktype-null.pcap", DLT_NULL, 0, false },
		{ "linktype-vlan.pcap", DLT_EN10MB, 1, false },
		{ "linktype-qinq.pcap", DLT_EN10MB, 2, false },
		{ "linktype-ipv6ext.pcap", DLT_EN10MB, 0, true },
	};
	struct host h[4];

	host_init(&h[0], "client1", "client", "198.19.1.101", 0xc6130165, 128);
	host_init(&h[1], "fe1", "front-end", "198.18.10.11", 0xc612000b, 128);
	host_init(&h[2], "client1", "client", "2001:db8:1::101", 0xc6130165, 128);
	host_init(&h[3], "fe1", "front-end", "2001:db8:10::11", 0xc612000b, 128);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		linktype_write(dir, &files[i], h);
	return 0;
}

/* ------------------------------------------------------------ rows scene */

struct rows {
	struct out o;
	struct script s;
	unsigned tcp_sport;                /* 49152 + counter */
	unsigned udp_sport;                /* 20000 + counter */
	unsigned nflows;
};

/* Opaque bytes for "unspecified" rows. */
static size_t opaque(uint8_t *buf, size_t cap, size_t n, struct pl_rng *rng)
{
	if (n > cap)
		return 0;
	pl_rng_fill(rng, buf, n);
	return n;
}

/* RTP and STUN over TCP are framed with a 16-bit length (RFC 4571 2, as
 * ICE-TCP uses it, RFC 6544 3): the message is built at ROOM_AT(s, 2) and
 * this writes the prefix at `start`.  Returns the framed length, 0 when the
 * message did not fit. */
#define ROOM_AT(s, off) ((s)->data + (s)->used + (off)), \
	(sizeof((s)->data) - (s)->used - (off))

static size_t rfc4571(uint8_t *start, size_t n)
{
	if (n == 0 || n > 65535)
		return 0;
	put16(start, (unsigned)n);
	return n + 2;
}

/* Binding transactions as in stun_binding, framed on TCP. */
static void rows_stun(struct rows *r, bool tcp, const struct ep *c)
{
	struct out *o = &r->o;
	struct script *s = &r->s;
	uint8_t txid[12];

	for (int i = 0; i < STUN_CHECKS; i++) {
		pl_rng_fill(&o->rng, txid, sizeof(txid));
		push(o, s, C2S, tcp ? rfc4571(s->data + s->used,
			pl_stun_binding_request(ROOM_AT(s, 2), txid, false))
			: pl_stun_binding_request(ROOM(s), txid, false),
		     "STUN request");
		push(o, s, S2C, tcp ? rfc4571(s->data + s->used,
			pl_stun_binding_response(ROOM_AT(s, 2), txid, &c->h->a,
						 c->port))
			: pl_stun_binding_response(ROOM(s), txid, &c->h->a,
						   c->port), "STUN response");
	}
}

static void rows_media(struct rows *r, bool tcp)
{
	struct out *o = &r->o;
	struct script *s = &r->s;
	struct pl_rtp h[2] = {
		{ 0, true, 1000, 160000, 0x11110000u + r->nflows },
		{ 0, true, 5000, 320000, 0x22220000u + r->nflows } };

	for (int i = 0; i < 6; i++) {
		for (int d = 0; d < 2; d++) {
			size_t n = tcp ? rfc4571(s->data + s->used,
					pl_rtp(ROOM_AT(s, 2), &h[d], 160, &o->rng))
				       : pl_rtp(ROOM(s), &h[d], 160, &o->rng);
			push(o, s, d, n, "RTP");
			h[d].marker = false;
			h[d].seq++;
			h[d].ts += 160;
		}
	}
}

static void rows_tls(struct rows *r, const struct rule *ru)
{
	struct out *o = &r->o;
	struct script *s = &r->s;
	char sni[128];

	snprintf(sni, sizeof(sni), "%s.rows.contoso.test", ru->id);
	for (char *p = sni; *p != '\0'; p++)
		if (*p == '_')
			*p = '-';
	push(o, s, C2S, pl_tls_client_hello(ROOM(s), sni, &o->rng),
	     "ClientHello");
	push(o, s, S2C, pl_tls_server_hello(ROOM(s), &o->rng), "ServerHello");
}

/* REGISTER rather than OPTIONS: nDPI 4.2 takes an OPTIONS request over
 * TCP for HTTP (OPTIONS is an HTTP method) unless the port is 5060. */
static void rows_sip(struct rows *r, bool tcp, const struct ep *c,
		     const struct ep *srv)
{
	struct sip_call k = {
		.transport = tcp ? "TCP" : "UDP", .c = c, .s = srv,
		.from = "<sip:rows@contoso.test>",
		.to = "<sip:rows@contoso.test>",
		.call_id = "rows-call-id", .branch = "z9hG4bKrows",
		.uri = "sip:contoso.test",
		.ua = "lyncwatch-pcapgen", .server = "RTC/5.0",
		.contact = tcp ? "<sip:rows@198.19.0.2;transport=tcp>"
			       : "<sip:rows@198.19.0.2;transport=udp>" };

	script_sip_register(&r->o, &r->s, &k);
}

static void rows_dhcp(struct rows *r, const struct ep *c,
		      const struct ep *srv)
{
	struct out *o = &r->o;
	struct script *s = &r->s;
	struct pl_dhcp m = { .type = PL_DHCPDISCOVER, .xid = r->nflows,
		.hostname = "rows", .lease_s = 3600,
		.netmask = { 255, 255, 255, 0 }, .domain = "contoso.test",
		.sip_server = "rows.contoso.test",
		.web_fqdn = "rows.contoso.test" };

	memcpy(m.chaddr, c->h->mac, 6);
	memcpy(m.server_id, srv->h->a.b, 4);
	push(o, s, C2S, pl_dhcp(ROOM(s), &m), "DISCOVER");
	m.type = PL_DHCPOFFER;
	memcpy(m.yiaddr, c->h->a.b, 4);
	push(o, s, S2C, pl_dhcp(ROOM(s), &m), "OFFER");
}

/* The messages for a rule's app: a request and its response (a few
 * transactions for STUN, a short RTP exchange for media). */
static void rows_script(struct rows *r, const struct rule *ru, bool tcp,
			const struct ep *c, const struct ep *srv)
{
	static const struct pl_sql_instance inst = {
		"RTCLOCAL", "11.0.2100.60", 49361 };
	struct out *o = &r->o;
	struct script *s = &r->s;

	script_reset(s);
	switch (ru->app) {
	case APP_TLS:
		rows_tls(r, ru);
		break;
	case APP_HTTP:
		push(o, s, C2S, pl_http_get(ROOM(s), "rows.contoso.test", "/",
					    "lyncwatch-pcapgen"), "GET");
		push(o, s, S2C, pl_http_response(ROOM(s), 200, "OK",
						 "text/plain", "ok\n"), "200");
		break;
	case APP_SIP:
		rows_sip(r, tcp, c, srv);
		break;
	case APP_STUN:
		rows_stun(r, tcp, c);
		break;
	case APP_DCERPC:
		push(o, s, C2S, pl_dcerpc_bind(ROOM(s), 1,
			"e1af8308-5d1f-11c9-91a4-08002b14a0fa", 3, 0), "bind");
		push(o, s, S2C, pl_dcerpc_bind_ack(ROOM(s), 1, 0x1234, "135"),
		     "bind_ack");
		break;
	case APP_SMB:
		push(o, s, C2S, pl_smb2_negotiate_request(ROOM(s), &o->rng),
		     "NEGOTIATE");
		push(o, s, S2C, pl_smb2_negotiate_response(ROOM(s),
			FILETIME_T0, &o->rng), "NEGOTIATE response");
		break;
	case APP_DHCP:
		rows_dhcp(r, c, srv);
		break;
	case APP_SQL_BROWSER:
		push(o, s, C2S, pl_sqlbrowser_request(ROOM(s)), "request");
		push(o, s, S2C, pl_sqlbrowser_response(ROOM(s), "ROWS", &inst,
						       1), "response");
		break;
	case APP_MEDIA:
		rows_media(r, tcp);
		break;
	default:
		push(o, s, C2S, opaque(ROOM(s), 24, &o->rng), "data");
		push(o, s, S2C, opaque(ROOM(s), 16, &o->rng), "data");
		break;
	}
}

/* One flow of rule number rn (1-based), its k-th: client 198.19.rn.(2+2k)
 * to server 198.18.rn.(1+2k). */
static void rows_flow(struct rows *r, const struct rule *ru, int rn, int k,
		      bool tcp, uint16_t port)
{
	struct host c, srv;
	char a[32];
	struct ep ce, se;

	if (k > 126)
		fatal(r->o.path, "rule %s: too many flows", ru->id);
	snprintf(a, sizeof(a), "198.18.%d.%d", rn, 1 + 2 * k);
	host_init(&srv, "server", NULL, a, 0xc6120000u | (uint32_t)rn << 8 |
		  (uint32_t)(1 + 2 * k), 128);
	snprintf(a, sizeof(a), "198.19.%d.%d", rn, 2 + 2 * k);
	host_init(&c, "client", NULL, a, 0xc6130000u | (uint32_t)rn << 8 |
		  (uint32_t)(2 + 2 * k), 128);
	if (r->tcp_sport > 65535 || r->udp_sport > 47999)
		fatal(r->o.path, "out of client ports");
	ce = (struct ep){ &c, (uint16_t)(tcp ? r->tcp_sport++ : r->udp_sport++) };
	se = (struct ep){ &srv, port };
	rows_script(r, ru, tcp, &ce, &se);
	if (tcp)
		tcp_conversation(&r->o, &ce, &se, &r->s);
	else
		udp_exchange(&r->o, &ce, &se, &r->s);
	r->nflows++;
	out_wait(&r->o, 10000);
}

/* Every port item of the rule, lo and (for a range) hi, for each of its
 * L4 protocols. */
static void rows_rule(struct rows *r, const struct rule *ru, int rn)
{
	int k = 0;

	for (unsigned bit = RULE_L4_TCP; bit <= RULE_L4_UDP; bit <<= 1) {
		if (!(ru->l4 & bit))
			continue;
		for (int i = 0; i < ru->nports; i++) {
			const struct port_range *p = &ru->ports[i];
			rows_flow(r, ru, rn, k++, bit == RULE_L4_TCP, p->lo);
			if (p->hi != p->lo)
				rows_flow(r, ru, rn, k++, bit == RULE_L4_TCP,
					  p->hi);
		}
	}
}

static int scene_rows(const char *rules_path, const char *pcap_path)
{
	static struct rows r;
	struct ruleset rs;

	ruleset_init(&rs);
	if (rules_load_file(&rs, rules_path, stderr) != 0 ||
	    rules_finish(&rs, stderr) != 0)
		fatal(rules_path, "rule file has errors");
	if (rs.nrules > 255)
		fatal(rules_path, "more than 255 rules: the address plan "
		      "198.18.R.x has no room");
	out_open(&r.o, pcap_path, DLT_EN10MB, 0x726f7773);
	r.tcp_sport = 49152;
	r.udp_sport = 20000;
	for (int i = 0; i < rs.nrules; i++)
		if (rs.rules[i].l4 != 0)
			rows_rule(&r, &rs.rules[i], i + 1);
	out_close(&r.o);
	fprintf(stderr, "%s: %u packets, %u flows\n", pcap_path, r.o.npkts, r.nflows);
	ruleset_free(&rs);
	return 0;
}

/* ----------------------------------------------------------- flags scene */

/* One positive flow (the flag is raised) and one near-twin negative (it is
 * not) for every audit flag, with pcaps/flags.inventory.  The table below
 * is the list of pcaps/README, in capture order; tests/e2e_audit.sh checks
 * each flow by server address, port and protocol. */

enum flags_host {
	F_FE1, F_FE2, F_DIR, F_EDGE, F_CL1, F_CL2, F_CL3, F_JUMP, F_N
};

static const struct host_def flags_defs[F_N] = {
	[F_FE1]  = { "fe1", "front-end", "198.18.50.11", 0xc612320b, 128 },
	[F_FE2]  = { "fe2", "front-end", "198.18.50.12", 0xc612320c, 128 },
	[F_DIR]  = { "dir1", "director", "198.18.50.20", 0xc6123214, 128 },
	[F_EDGE] = { "edge1-int", "edge", "198.18.50.60", 0xc612323c, 128 },
	[F_CL1]  = { "cl1", "client", "198.19.50.101", 0xc6133265, 128 },
	[F_CL2]  = { "cl2", "client", "198.19.50.102", 0xc6133266, 128 },
	[F_CL3]  = { "cl3", "client", "198.19.50.103", 0xc6133267, 128 },
	[F_JUMP] = { "jump1", NULL, "198.18.51.22", 0xc6123316, 64 },
};

enum flags_payload {
	FP_RDP,           /* X.224 Connection Request / Confirm */
	FP_SSH,           /* banners and KEXINIT both ways */
	FP_SIP_OPTIONS,   /* one OPTIONS request (UDP), or OPTIONS and 200 */
	FP_SIP_REGISTER,  /* REGISTER and 200, cleartext */
	FP_SIP_INVITE,    /* INVITE (SDP), 100, 200, ACK */
	FP_TLS,           /* full TLS 1.2 handshake, application data */
	FP_HTTP,          /* cleartext GET, and the 400 IIS gives on 443 */
	FP_STUN,          /* three Binding transactions (MS-VERSION) */
	FP_SQLBROWSER,    /* CLNT_UCAST_EX and SVR_RESP */
	FP_OPAQUE,        /* random bytes: neither TLS nor SIP */
	FP_DCERPC,        /* bind / bind_ack */
};

struct flags_flow {
	enum flags_host c, s;
	bool udp;
	uint16_t port;
	enum flags_payload what;
};

static const struct flags_flow flags_flows[] = {
	/* undocumented-port: + RDP and SSH to a Front End (no row covers
	 * 3389 or 22 for its role); - the same to a host outside the
	 * inventory (22: unclassified; 3389: only the clients' fallback
	 * rows cover it, so it is labelled and ok) */
	{ F_CL1, F_FE1, false, 3389, FP_RDP },
	{ F_CL1, F_FE1, false, 22, FP_SSH },
	{ F_CL1, F_JUMP, false, 22, FP_SSH },
	{ F_CL1, F_JUMP, false, 3389, FP_RDP },
	/* wrong-transport: + SIP over UDP to 5061; - TLS over TCP 5061 */
	{ F_CL1, F_FE1, true, 5061, FP_SIP_OPTIONS },
	{ F_CL1, F_FE1, false, 5061, FP_TLS },
	/* app-mismatch: + cleartext HTTP on 443 (twice: one violation group
	 * of two flows), cleartext SIP on 5061, SIP on the STUN port; - TLS
	 * on 443, STUN on 3478 */
	{ F_CL1, F_FE1, false, 443, FP_HTTP },
	{ F_CL2, F_FE1, false, 443, FP_HTTP },
	{ F_CL2, F_FE1, false, 5061, FP_SIP_REGISTER },
	{ F_CL2, F_EDGE, true, 3478, FP_SIP_OPTIONS },
	{ F_CL3, F_FE1, false, 443, FP_TLS },
	{ F_CL1, F_EDGE, true, 3478, FP_STUN },
	/* role-mismatch: + PSOM (8057) to a Director; - to a Front End */
	{ F_CL1, F_DIR, false, 8057, FP_TLS },
	{ F_CL1, F_FE1, false, 8057, FP_TLS },
	/* optional-port: + SIP on 5060 (optional), TLS on 8058 (legacy);
	 * - SIP on 5062 (required) */
	{ F_DIR, F_FE1, false, 5060, FP_SIP_OPTIONS },
	{ F_CL2, F_FE1, false, 8058, FP_TLS },
	{ F_DIR, F_FE1, false, 5062, FP_SIP_INVITE },
	/* unverified: + SQL Browser (no nDPI dissector), opaque bytes on
	 * 5061; - DCE/RPC on 135 (confirmed) */
	{ F_DIR, F_FE1, true, 1434, FP_SQLBROWSER },
	{ F_CL3, F_FE1, false, 5061, FP_OPAQUE },
	{ F_FE2, F_FE1, false, 135, FP_DCERPC },
};

#define FLAGS_NFLOWS (int)(sizeof(flags_flows) / sizeof(flags_flows[0]))

struct flags {
	struct out o;
	struct host h[F_N];
	uint16_t tcp_eph[F_N];   /* next TCP source port (49152-65535) */
	uint16_t udp_eph[F_N];   /* next UDP source port (20000-47999) */
	struct script s;
};

/* SIP dialog of flow n between c and srv. */
static void flags_sip(struct flags *g, int n, const struct ep *c,
		      const struct ep *srv, enum flags_payload what, bool udp)
{
	struct out *o = &g->o;
	char from[64], to[64], uri[96], call_id[32], branch[32], contact[96];
	char a[INET6_ADDRSTRLEN];
	struct sip_call k;

	snprintf(from, sizeof(from), "<sip:%s@contoso.test>", c->h->name);
	snprintf(to, sizeof(to), "<sip:%s.contoso.test>", srv->h->name);
	snprintf(uri, sizeof(uri), "sip:%s.contoso.test:%u;transport=%s",
		 srv->h->name, srv->port, udp ? "udp" : "tcp");
	snprintf(call_id, sizeof(call_id), "flags-%02d-5e1d0c", n);
	snprintf(branch, sizeof(branch), "z9hG4bKflags%02d", n);
	snprintf(contact, sizeof(contact), "<sip:%s@%s:%u;transport=%s>",
		 c->h->name, host_addr_text(c->h, a, sizeof(a)), c->port,
		 udp ? "udp" : "tcp");
	k = (struct sip_call){
		.transport = udp ? "UDP" : "TCP", .c = c, .s = srv,
		.from = from, .to = to, .call_id = call_id, .branch = branch,
		.uri = uri, .ua = "UCCAPI/15.0.4481.1000 OC/15.0.4481.1000",
		.server = "RTC/5.0", .contact = contact };
	switch (what) {
	case FP_SIP_OPTIONS:
		if (udp)
			push(o, &g->s, C2S, sip_build(ROOM(&g->s), &k, "OPTIONS",
				0, NULL, "OPTIONS", NULL, NULL), "OPTIONS");
		else
			script_sip_options(o, &g->s, &k);
		break;
	case FP_SIP_REGISTER:
		script_sip_register(o, &g->s, &k);
		break;
	default:
		script_sip_invite(o, &g->s, &k, 20480, 50220);
		break;
	}
}

/* The messages of flow n. */
static void flags_script(struct flags *g, int n, const struct flags_flow *fl,
			 const struct ep *c, const struct ep *srv)
{
	static const struct pl_sql_instance inst = {
		"RTCLOCAL", "11.0.2100.60", 49361 };
	struct out *o = &g->o;
	struct script *s = &g->s;
	char sni[64];

	script_reset(s);
	snprintf(sni, sizeof(sni), "%s.contoso.test", srv->h->name);
	switch (fl->what) {
	case FP_RDP:
		push(o, s, C2S, pl_rdp_connect_request(ROOM(s), "admin"),
		     "X.224 CR");
		push(o, s, S2C, pl_rdp_connect_confirm(ROOM(s)), "X.224 CC");
		break;
	case FP_SSH:
		push(o, s, S2C, pl_ssh_banner(ROOM(s), "OpenSSH_for_Windows_8.1"),
		     "SSH banner");
		push(o, s, C2S, pl_ssh_banner(ROOM(s), "PuTTY_Release_0.81"),
		     "SSH banner");
		push(o, s, S2C, pl_ssh_kexinit(ROOM(s), &o->rng), "KEXINIT");
		push(o, s, C2S, pl_ssh_kexinit(ROOM(s), &o->rng), "KEXINIT");
		break;
	case FP_SIP_OPTIONS:
	case FP_SIP_REGISTER:
	case FP_SIP_INVITE:
		flags_sip(g, n, c, srv, fl->what, fl->udp);
		break;
	case FP_TLS:
		script_tls(o, s, sni, tls_psom, 4);
		break;
	case FP_HTTP:
		push(o, s, C2S, pl_http_get(ROOM(s), sni, "/meet/",
			"Mozilla/5.0 (Windows NT 6.3; Win64; x64)"), "GET");
		push(o, s, S2C, pl_http_response(ROOM(s), 400, "Bad Request",
			"text/html", "<h1>Bad Request</h1>"), "400");
		break;
	case FP_SQLBROWSER:
		push(o, s, C2S, pl_sqlbrowser_request(ROOM(s)), "CLNT_UCAST_EX");
		push(o, s, S2C, pl_sqlbrowser_response(ROOM(s), "FE1", &inst, 1),
		     "SVR_RESP");
		break;
	case FP_OPAQUE:
		push(o, s, C2S, opaque(ROOM(s), 180, &o->rng), "data");
		push(o, s, S2C, opaque(ROOM(s), 64, &o->rng), "data");
		push(o, s, C2S, opaque(ROOM(s), 300, &o->rng), "data");
		break;
	case FP_DCERPC:
		push(o, s, C2S, pl_dcerpc_bind(ROOM(s), 3,
			"000001a0-0000-0000-c000-000000000046", 0, 0), "bind");
		push(o, s, S2C, pl_dcerpc_bind_ack(ROOM(s), 3, 0x0002a4f1,
						   "135"), "bind_ack");
		break;
	case FP_STUN:
		break;                     /* stun_binding() sends its own */
	}
}

static int scene_flags(const char *pcap_path, const char *inv_path)
{
	static struct flags g;

	for (int i = 0; i < F_N; i++) {
		const struct host_def *hd = &flags_defs[i];
		host_init(&g.h[i], hd->name, hd->roles, hd->addr, hd->mac,
			  hd->ttl);
		g.tcp_eph[i] = (uint16_t)(50100 + 100 * i);
		g.udp_eph[i] = (uint16_t)(20100 + 100 * i);
	}
	out_open(&g.o, pcap_path, DLT_EN10MB, 0x666c6167);
	for (int n = 0; n < FLAGS_NFLOWS; n++) {
		const struct flags_flow *fl = &flags_flows[n];
		struct ep c = { &g.h[fl->c], fl->udp ? g.udp_eph[fl->c]++
						    : g.tcp_eph[fl->c]++ };
		struct ep srv = { &g.h[fl->s], fl->port };

		if (fl->what == FP_STUN) {
			stun_binding(&g.o, &c, &srv, true);
		} else {
			flags_script(&g, n + 1, fl, &c, &srv);
			if (fl->udp)
				udp_exchange(&g.o, &c, &srv, &g.s);
			else
				tcp_conversation(&g.o, &c, &srv, &g.s);
		}
		out_wait(&g.o, 20000);
	}
	out_close(&g.o);
	if (inv_path != NULL)
		write_inventory(inv_path,
			"# flags.inventory: the hosts of pcaps/flags.pcap (written by\n"
			"# tools/pcapgen; see pcaps/README).  ADDRESS ROLE[,ROLE] NAME\n",
			g.h, F_N);
	fprintf(stderr, "%s: %u packets, %d flows\n", pcap_path, g.o.npkts,
		FLAGS_NFLOWS);
	return 0;
}

/* ----------------------------------------------------------- bench scene */

/* A large Lync-like capture for bench/run.sh: FLOWS flows, PACKETS packets
 * in all, WINDOW flows in progress at once (each packet comes from a
 * flow picked at random among them; a finished flow's slot takes the next
 * flow), one packet every GAP_US microseconds.  Optionally PREFILL
 * one-packet TCP SYN flows come first (1 us apart, from 198.18.128.0/17),
 * so that the same main part can be measured against a fuller table.
 *
 * The mix, per 100 flows (packets per flow in brackets): SIP over TLS to
 * 5061 (12), TLS to 444/8057/5041/4443 (12), HTTPS (10), HTTP (8), SIP over
 * TCP (8), STUN to 3478 (6), DNS (2), DCE/RPC (8), SMB (8), SQL Browser
 * (2), RTP media in the documented ranges (20 flows: the packets left
 * over, at least 2 each), RTCP (2); undocumented: SSH (10), RDP (8), SYNs
 * answered by RST (2), opaque UDP (1), cleartext HTTP on 443 (8).  About
 * one flow in seven is IPv6; one in four is 802.1Q-tagged (VLAN 30 for
 * media, 20 for the rest).  Every flow has its own client endpoint (a
 * bijection of the flow number onto 198.19.0.0/16 or 2001:db8:1::/112
 * and ports 49152-65535), so flows never share a 5-tuple.  The hosts of
 * the servers are listed in bench/bench.inventory. */

enum bench_kind {
	BK_SIP_TLS, BK_SRV_TLS, BK_HTTPS, BK_HTTP, BK_SIP_TCP, BK_STUN,
	BK_RTP, BK_RTCP, BK_DNS, BK_DCERPC, BK_SMB, BK_SQLB, BK_SSH, BK_RDP,
	BK_SCAN, BK_UDP_ODD, BK_HTTP_443, BK_N
};

enum bench_host {
	BH_POOL, BH_FE1, BH_FE2, BH_FE3, BH_FE4, BH_DIR, BH_MED, BH_PCHAT,
	BH_OWA, BH_EDGE, BH_DNS, BH_WEB, BH_N
};

/* Servers: IPv4 198.18.<net>.<id>, IPv6 2001:db8:<net>::<id>. */
static const struct { const char *name; uint8_t net, id; } bench_hosts[BH_N] = {
	[BH_POOL] = { "pool01", 10, 10 }, [BH_FE1] = { "fe1", 10, 11 },
	[BH_FE2] = { "fe2", 10, 12 }, [BH_FE3] = { "fe3", 10, 13 },
	[BH_FE4] = { "fe4", 10, 14 }, [BH_DIR] = { "dir1", 10, 20 },
	[BH_MED] = { "med1", 10, 30 }, [BH_PCHAT] = { "pchat1", 10, 40 },
	[BH_OWA] = { "owa1", 10, 50 }, [BH_EDGE] = { "edge1-int", 10, 60 },
	[BH_DNS] = { "dns1", 30, 53 }, [BH_WEB] = { "web1", 30, 80 },
};

/* A server endpoint a kind may use. */
struct bench_dst {
	uint8_t host;                      /* enum bench_host */
	uint16_t port;                     /* 0: a media port (below) */
};

#define BENCH_MAX_DST 6

struct bench_kind_def {
	uint8_t weight;                    /* flows per 100 */
	bool udp;
	uint8_t ndst;
	struct bench_dst dst[BENCH_MAX_DST];
};

static const struct bench_kind_def bench_kinds[BK_N] = {
	[BK_SIP_TLS] = { 12, false, 4, { { BH_POOL, 5061 }, { BH_FE1, 5061 },
		{ BH_FE2, 5061 }, { BH_DIR, 5061 } } },
	[BK_SRV_TLS] = { 4, false, 5, { { BH_FE1, 444 }, { BH_FE3, 8057 },
		{ BH_FE4, 8057 }, { BH_PCHAT, 5041 }, { BH_POOL, 4443 } } },
	[BK_HTTPS] = { 10, false, 4, { { BH_POOL, 443 }, { BH_FE2, 443 },
		{ BH_OWA, 443 }, { BH_DIR, 443 } } },
	[BK_HTTP] = { 3, false, 3, { { BH_POOL, 8080 }, { BH_FE1, 80 },
		{ BH_WEB, 80 } } },
	[BK_SIP_TCP] = { 4, false, 4, { { BH_MED, 5070 }, { BH_FE1, 5062 },
		{ BH_FE2, 5068 }, { BH_FE3, 5060 } } },
	[BK_STUN] = { 10, true, 1, { { BH_EDGE, 3478 } } },
	[BK_RTP] = { 20, true, 4, { { BH_FE1, 0 }, { BH_FE2, 0 },
		{ BH_MED, 0 }, { BH_FE3, 0 } } },
	[BK_RTCP] = { 4, true, 2, { { BH_FE1, 0 }, { BH_MED, 0 } } },
	[BK_DNS] = { 15, true, 1, { { BH_DNS, 53 } } },
	[BK_DCERPC] = { 1, false, 2, { { BH_FE1, 135 }, { BH_FE2, 135 } } },
	[BK_SMB] = { 1, false, 1, { { BH_FE1, 445 } } },
	[BK_SQLB] = { 1, true, 2, { { BH_FE1, 1434 }, { BH_FE4, 1434 } } },
	[BK_SSH] = { 3, false, 3, { { BH_FE1, 22 }, { BH_FE2, 22 },
		{ BH_WEB, 22 } } },
	[BK_RDP] = { 2, false, 2, { { BH_FE3, 3389 }, { BH_FE4, 3389 } } },
	[BK_SCAN] = { 3, false, 5, { { BH_FE1, 3306 }, { BH_FE2, 1433 },
		{ BH_FE3, 8443 }, { BH_FE4, 9000 }, { BH_DIR, 25 } } },
	[BK_UDP_ODD] = { 5, true, 5, { { BH_FE1, 162 }, { BH_FE2, 514 },
		{ BH_FE3, 2049 }, { BH_FE4, 5000 }, { BH_DIR, 9999 } } },
	[BK_HTTP_443] = { 2, false, 2, { { BH_FE1, 443 }, { BH_FE2, 443 } } },
};

/* One packet of a kind's program: direction, TCP flags, payload. */
struct bench_step {
	const uint8_t *data;
	uint16_t len;
	uint8_t dir;                       /* C2S or S2C */
	uint8_t flags;                     /* TCP flags; 0 for UDP */
};

#define BENCH_MAX_STEPS 32
#define BENCH_MSS 1440                 /* fits IPv4 and IPv6 */

struct bench_prog {
	struct bench_step st[BENCH_MAX_STEPS];
	int n;
};

/* A flow in progress. */
struct bench_flow {
	struct host client;
	const struct host *server;
	struct tcp_conv t;                 /* endpoints (and TCP state) */
	uint32_t left;                     /* packets still to send */
	uint16_t step;                     /* next step of the program */
	uint8_t kind;
	uint16_t vlan;                     /* 0: untagged */
	struct pl_rtp rtp[2];              /* media: per direction */
};

struct bench {
	struct out o;
	struct host srv[2][BH_N];          /* [0] IPv4, [1] IPv6 */
	struct script sc[BK_N];
	struct bench_prog prog[BK_N];
	uint8_t kind_of[100];              /* flow number % 100 -> kind */
	struct bench_flow *slot;           /* the window */
	uint32_t nslot;
	uint64_t nflows, next_flow;        /* flows in all, next to start */
	uint64_t rtp_flows, rtp_base, rtp_extra; /* media lengths */
};

/* A bijection of 0 .. 2^30-1 (xorshift-multiply, every step invertible
 * modulo 2^30), to spread flow numbers over addresses and ports. */
static uint32_t bench_mix30(uint32_t x)
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

static void bench_add(struct out *o, struct bench_prog *pg, int dir,
		      uint8_t flags, const uint8_t *data, size_t len)
{
	if (pg->n == BENCH_MAX_STEPS || len > 0xffff)
		fatal(o->path, "bench: a flow program is too long");
	pg->st[pg->n++] = (struct bench_step){ data, (uint16_t)len,
					       (uint8_t)dir, flags };
}

/* The packets of tcp_conversation() for script sc, with a fixed MSS. */
static void bench_prog_tcp(struct out *o, struct bench_prog *pg,
			   const struct script *sc)
{
	bench_add(o, pg, C2S, TH_SYN, NULL, 0);
	bench_add(o, pg, S2C, TH_SYN | TH_ACK, NULL, 0);
	bench_add(o, pg, C2S, TH_ACK, NULL, 0);
	for (int i = 0; i < sc->n; i++) {
		const struct msg *m = &sc->m[i];

		for (size_t off = 0; off < m->len; off += BENCH_MSS) {
			size_t n = m->len - off > BENCH_MSS ? BENCH_MSS
							    : m->len - off;
			bench_add(o, pg, m->dir, (uint8_t)(TH_ACK |
				  (off + n == m->len ? TH_PSH : 0)),
				  m->data + off, n);
		}
		if (m->len > BENCH_MSS)
			bench_add(o, pg, !m->dir, TH_ACK, NULL, 0);
	}
	bench_add(o, pg, C2S, TH_FIN | TH_ACK, NULL, 0);
	bench_add(o, pg, S2C, TH_FIN | TH_ACK, NULL, 0);
	bench_add(o, pg, C2S, TH_ACK, NULL, 0);
}

static void bench_prog_udp(struct out *o, struct bench_prog *pg,
			   const struct script *sc)
{
	for (int i = 0; i < sc->n; i++)
		bench_add(o, pg, sc->m[i].dir, 0, sc->m[i].data, sc->m[i].len);
}

/* The messages of the Lync kinds: TLS, web, SIP, STUN, RTCP. */
static void bench_script_lync(struct bench *b, enum bench_kind k)
{
	static const size_t tls_short[] = { 905, 742 };
	static const size_t tls_page[] = { 520, 1300 };
	struct out *o = &b->o;
	struct script *s = &b->sc[k];
	struct ep c = { &b->srv[0][BH_DIR], 50100 },
		  srv = { &b->srv[0][BH_FE1], 5062 };
	struct sip_call sip = { .transport = "TCP", .c = &c, .s = &srv,
		.from = "<sip:dir1.contoso.test>", .to = "<sip:fe1.contoso.test>",
		.call_id = "b3e1c0a2d4f5", .branch = "z9hG4bKb3e1c0",
		.uri = "sip:fe1.contoso.test:5062;transport=tcp",
		.ua = "RTCC/5.0.0.0", .server = "RTCC/5.0.0.0" };
	struct pl_rtcp_sr sr = { .ssrc = 0x5a5a0001, .ntp_sec = 3976592400u,
		.rtp_ts = 160000, .packets = 50, .octets = 8000,
		.cname = "client" };
	uint8_t txid[12];

	switch (k) {
	case BK_SIP_TLS:
	case BK_SRV_TLS:
		script_tls(o, s, k == BK_SIP_TLS ? "pool01.contoso.test"
						 : "fe1.contoso.test", tls_short, 2);
		break;
	case BK_HTTPS:
		push(o, s, C2S, pl_tls_client_hello(ROOM(s), "pool01.contoso.test",
			&o->rng), "ClientHello");
		push(o, s, S2C, pl_tls_server_hello(ROOM(s), &o->rng),
		     "ServerHello");
		for (int i = 0; i < 2; i++)
			push(o, s, i == 0 ? C2S : S2C, pl_tls_app_data(ROOM(s),
				tls_page[i], &o->rng), "app data");
		break;
	case BK_HTTP:
		push(o, s, C2S, pl_http_get(ROOM(s), "pool01.contoso.test:8080",
			"/CertProv/CertProvisioningService.svc/mex",
			"Microsoft Lync Phone Edition"), "GET");
		push(o, s, S2C, pl_http_response(ROOM(s), 200, "OK",
			"text/plain", "ok\n"), "200");
		break;
	case BK_SIP_TCP:                   /* REGISTER: see rows_sip() */
		script_sip_register(o, s, &sip);
		break;
	case BK_STUN:
		for (int i = 0; i < STUN_CHECKS; i++) {
			pl_rng_fill(&o->rng, txid, sizeof(txid));
			push(o, s, C2S, pl_stun_binding_request(ROOM(s), txid,
				true), "STUN request");
			push(o, s, S2C, pl_stun_binding_response(ROOM(s), txid,
				&c.h->a, 50020), "STUN response");
		}
		break;
	default:                           /* BK_RTCP */
		push(o, s, C2S, pl_rtcp_sr(ROOM(s), &sr), "RTCP");
		sr.ssrc = 0x5a5a0002;
		sr.cname = "fe1";
		push(o, s, S2C, pl_rtcp_sr(ROOM(s), &sr), "RTCP");
		break;
	}
}

/* The messages of the other kinds: DNS, Windows services, undocumented. */
static void bench_script_other(struct bench *b, enum bench_kind k)
{
	static const struct pl_sql_instance inst = {
		"RTCLOCAL", "11.0.2100.60", 49361 };
	struct out *o = &b->o;
	struct script *s = &b->sc[k];
	struct pl_dns q = { .id = 0x4c57, .name = "pool01.contoso.test",
			    .type = PL_DNS_A, .addr = b->srv[0][BH_POOL].a,
			    .ttl = 3600 };

	switch (k) {
	case BK_DNS:
		push(o, s, C2S, pl_dns_query(ROOM(s), &q), "DNS query");
		push(o, s, S2C, pl_dns_response(ROOM(s), &q), "DNS answer");
		break;
	case BK_DCERPC:
		push(o, s, C2S, pl_dcerpc_bind(ROOM(s), 2,
			"000001a0-0000-0000-c000-000000000046", 0, 0), "bind");
		push(o, s, S2C, pl_dcerpc_bind_ack(ROOM(s), 2, 0x0001c8f3,
						   "135"), "bind_ack");
		break;
	case BK_SMB:
		push(o, s, C2S, pl_smb2_negotiate_request(ROOM(s), &o->rng),
		     "NEGOTIATE");
		push(o, s, S2C, pl_smb2_negotiate_response(ROOM(s), FILETIME_T0,
			&o->rng), "NEGOTIATE response");
		break;
	case BK_SQLB:
		push(o, s, C2S, pl_sqlbrowser_request(ROOM(s)), "CLNT_UCAST_EX");
		push(o, s, S2C, pl_sqlbrowser_response(ROOM(s), "FE1", &inst, 1),
		     "SVR_RESP");
		break;
	case BK_SSH:
		push(o, s, S2C, pl_ssh_banner(ROOM(s), "OpenSSH_for_Windows_8.1"),
		     "SSH banner");
		push(o, s, C2S, pl_ssh_banner(ROOM(s), "PuTTY_Release_0.81"),
		     "SSH banner");
		push(o, s, S2C, pl_ssh_kexinit(ROOM(s), &o->rng), "KEXINIT");
		push(o, s, C2S, pl_ssh_kexinit(ROOM(s), &o->rng), "KEXINIT");
		break;
	case BK_RDP:
		push(o, s, C2S, pl_rdp_connect_request(ROOM(s), "admin"),
		     "X.224 CR");
		push(o, s, S2C, pl_rdp_connect_confirm(ROOM(s)), "X.224 CC");
		break;
	case BK_UDP_ODD:
		push(o, s, C2S, opaque(ROOM(s), 48, &o->rng), "data");
		break;
	case BK_HTTP_443:
		push(o, s, C2S, pl_http_get(ROOM(s), "fe1.contoso.test:443",
			"/meet/", "Mozilla/5.0 (Windows NT 6.3; Win64; x64)"), "GET");
		push(o, s, S2C, pl_http_response(ROOM(s), 400, "Bad Request",
			"text/html", "<h1>Bad Request</h1>"), "400");
		break;
	default:                           /* BK_SCAN, BK_RTP: no messages */
		break;
	}
}

/* The messages of kind k (RTP has none: its packets are built as sent). */
static void bench_script(struct bench *b, enum bench_kind k)
{
	script_reset(&b->sc[k]);
	if (k <= BK_STUN || k == BK_RTCP)
		bench_script_lync(b, k);
	else
		bench_script_other(b, k);
}

/* Hosts, the programs of every kind, and the kind of each flow number. */
static void bench_init(struct bench *b)
{
	struct pl_rng r;
	int n = 0;

	for (int i = 0; i < BH_N; i++) {
		char a[64];
		uint32_t mac = 0xc6120000u | (uint32_t)bench_hosts[i].net << 8 |
			       bench_hosts[i].id;

		snprintf(a, sizeof(a), "198.18.%u.%u", bench_hosts[i].net,
			 bench_hosts[i].id);
		host_init(&b->srv[0][i], bench_hosts[i].name, NULL, a, mac, 128);
		snprintf(a, sizeof(a), "2001:db8:%u::%u", bench_hosts[i].net,
			 bench_hosts[i].id);
		host_init(&b->srv[1][i], bench_hosts[i].name, NULL, a, mac, 128);
	}
	for (int k = 0; k < BK_N; k++) {
		bench_script(b, (enum bench_kind)k);
		if (k == BK_SCAN) {
			bench_add(&b->o, &b->prog[k], C2S, TH_SYN, NULL, 0);
			bench_add(&b->o, &b->prog[k], S2C, TH_RST | TH_ACK,
				  NULL, 0);
		} else if (bench_kinds[k].udp) {
			bench_prog_udp(&b->o, &b->prog[k], &b->sc[k]);
		} else {
			bench_prog_tcp(&b->o, &b->prog[k], &b->sc[k]);
		}
		for (int w = 0; w < bench_kinds[k].weight; w++)
			b->kind_of[n++] = (uint8_t)k;
	}
	if (n != 100)
		fatal(b->o.path, "bench: the weights do not add up to 100");
	pl_rng_seed(&r, 0x6b696e64);
	for (int i = 99; i > 0; i--) {    /* Fisher-Yates, fixed seed */
		int j = (int)(pl_rng_u32(&r) % (uint32_t)(i + 1));
		uint8_t t = b->kind_of[i];
		b->kind_of[i] = b->kind_of[j];
		b->kind_of[j] = t;
	}
}

/* Counts the packets of every flow but the media ones, and spreads the
 * rest of `packets` over the media flows (at least 2 each). */
static void bench_plan(struct bench *b, uint64_t packets)
{
	uint64_t per[BK_N] = { 0 }, fixed = 0, media;

	for (int i = 0; i < 100; i++)
		per[b->kind_of[i]] += b->nflows / 100 +
			((uint64_t)i < b->nflows % 100 ? 1 : 0);
	for (int k = 0; k < BK_N; k++)
		if (k != BK_RTP)
			fixed += per[k] * (uint64_t)b->prog[k].n;
	b->rtp_flows = per[BK_RTP];
	if (b->rtp_flows == 0 || packets < fixed + 2 * b->rtp_flows)
		fatal(b->o.path, "bench: %" PRIu64 " flows need at least %"
		      PRIu64 " packets", b->nflows, fixed + 2 * b->rtp_flows);
	media = packets - fixed;
	b->rtp_base = media / b->rtp_flows;
	b->rtp_extra = media % b->rtp_flows;
}

/* Starts flow number i in slot f. */
static void bench_start(struct bench *b, struct bench_flow *f, uint64_t i)
{
	uint32_t h = bench_mix30((uint32_t)i), g = bench_mix30((uint32_t)i ^ 0x15555555u);
	const struct bench_kind_def *kd;
	const struct bench_dst *d;
	bool v6 = g % 7 == 0;
	uint16_t host = (uint16_t)h, port;

	memset(f, 0, sizeof(*f));
	f->kind = b->kind_of[i % 100];
	kd = &bench_kinds[f->kind];
	d = &kd->dst[(g >> 3) % kd->ndst];
	f->client.name = "client";
	f->client.ttl = 128;
	f->client.a.family = v6 ? 6 : 4;
	if (v6) {
		static const uint8_t pfx[14] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1 };
		memcpy(f->client.a.b, pfx, sizeof(pfx));
		f->client.a.b[14] = (uint8_t)(host >> 8);
		f->client.a.b[15] = (uint8_t)host;
	} else {
		f->client.a.b[0] = 198;
		f->client.a.b[1] = 19;
		f->client.a.b[2] = (uint8_t)(host >> 8);
		f->client.a.b[3] = (uint8_t)host;
	}
	f->client.mac[0] = 0x02;
	f->client.mac[2] = 0xc6;
	f->client.mac[3] = 0x13;
	f->client.mac[4] = (uint8_t)(host >> 8);
	f->client.mac[5] = (uint8_t)host;
	f->server = &b->srv[v6][d->host];
	port = d->port;
	if (port == 0)                     /* media: both documented ranges */
		port = (uint16_t)((g >> 6) % 2 ? 57501 + (g >> 8) % 8035
					       : 49152 + (g >> 8) % 8349);
	if (f->kind == BK_RTCP)
		port |= 1;
	f->t.ep[C2S] = (struct ep){ &f->client, (uint16_t)(49152 + (h >> 16)) };
	f->t.ep[S2C] = (struct ep){ f->server, port };
	f->t.mss = v6 ? MSS6 : MSS4;
	f->vlan = (g >> 20) % 4 != 0 ? 0 :
		  (f->kind == BK_RTP || f->kind == BK_STUN || f->kind == BK_RTCP)
		  ? 30 : 20;
	if (f->kind == BK_RTP) {
		f->left = (uint32_t)(b->rtp_base + (b->rtp_extra > 0 ? 1 : 0));
		if (b->rtp_extra > 0)
			b->rtp_extra--;
		for (int dir = 0; dir < 2; dir++)
			f->rtp[dir] = (struct pl_rtp){ .pt = 111, .marker = true,
				.seq = (uint16_t)pl_rng_u32(&b->o.rng),
				.ts = pl_rng_u32(&b->o.rng),
				.ssrc = pl_rng_u32(&b->o.rng) };
	} else {
		f->left = (uint32_t)b->prog[f->kind].n;
		f->t.next[C2S] = pl_rng_u32(&b->o.rng);
		f->t.next[S2C] = pl_rng_u32(&b->o.rng);
	}
}

/* Sends the next packet of flow f; returns false when it has ended. */
static bool bench_send(struct bench *b, struct bench_flow *f)
{
	struct out *o = &b->o;
	const struct bench_step *st;

	o->nvlan = f->vlan != 0;
	o->vlan[0] = f->vlan;
	if (f->kind == BK_RTP) {
		int dir = f->step % 2;
		uint8_t buf[256];
		size_t len = pl_rtp(buf, sizeof(buf), &f->rtp[dir], 40, &o->rng);

		udp_send(o, &f->t.ep[dir], &f->t.ep[!dir], buf, len);
		f->rtp[dir].marker = false;
		f->rtp[dir].seq++;
		f->rtp[dir].ts += 320;
	} else {
		st = &b->prog[f->kind].st[f->step];
		if (bench_kinds[f->kind].udp)
			udp_send(o, &f->t.ep[st->dir], &f->t.ep[!st->dir],
				 st->data, st->len);
		else
			tcp_seg(o, &f->t, st->dir, st->flags, st->data, st->len);
	}
	f->step++;
	return --f->left > 0;
}

/* `n` one-packet flows: SYNs from 198.18.128.0/17, ports 32768-65535 (a
 * bijection of the flow number onto both) to 5061 and 443 of the pool. */
static void bench_prefill(struct bench *b, uint64_t n)
{
	struct out *o = &b->o;
	struct host c;
	struct tcp_conv t;

	memset(&c, 0, sizeof(c));
	c.name = "prefill";
	c.ttl = 128;
	c.a.family = 4;
	c.mac[0] = 0x02;
	c.mac[2] = 0xc6;
	c.mac[3] = 0x12;
	o->gap_us = 1;
	for (uint64_t i = 0; i < n; i++) {
		uint32_t h = bench_mix30((uint32_t)i);  /* 15 + 15 bits */
		c.a.b[0] = 198;
		c.a.b[1] = 18;
		c.a.b[2] = (uint8_t)(128 | (h >> 8 & 0x7f));
		c.a.b[3] = (uint8_t)h;
		c.mac[4] = c.a.b[2];
		c.mac[5] = c.a.b[3];
		t.ep[C2S] = (struct ep){ &c, (uint16_t)(32768 + (h >> 15)) };
		t.ep[S2C] = (struct ep){ &b->srv[0][BH_POOL],
					 (uint16_t)(i % 2 ? 443 : 5061) };
		t.next[C2S] = (uint32_t)i * 2654435761u;
		t.next[S2C] = 0;
		t.mss = MSS4;
		tcp_seg(o, &t, C2S, TH_SYN, NULL, 0);
	}
	o->ip_id = 0x1000;                 /* the main part as without prefill */
	out_wait(o, 1000);
}

static uint64_t bench_arg(const char *what, const char *s, uint64_t lo,
			  uint64_t hi)
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

/* argv: OUT.pcap [PACKETS [FLOWS [WINDOW [GAP_US [PREFILL]]]]] */
static int scene_bench(int argc, char **argv)
{
	static struct bench b;
	uint64_t packets = 5000000, window, prefill = 0;
	uint32_t gap = 20;
	const char *path = argv[0];

	b.nflows = 500000;
	if (argc > 1)
		packets = bench_arg("PACKETS", argv[1], 1, 4000000000u);
	if (argc > 2)
		b.nflows = bench_arg("FLOWS", argv[2], 100, 1u << 30);
	window = b.nflows / 5;
	if (argc > 3)
		window = bench_arg("WINDOW", argv[3], 1, 1u << 30);
	if (argc > 4)
		gap = (uint32_t)bench_arg("GAP_US", argv[4], 1, 1000000);
	if (argc > 5)
		prefill = bench_arg("PREFILL", argv[5], 0, 1u << 29);
	if (window > b.nflows)
		window = b.nflows;
	out_open(&b.o, path, DLT_EN10MB, 0x62656e63);
	bench_init(&b);
	bench_plan(&b, packets);
	b.slot = calloc(window, sizeof(*b.slot));
	if (b.slot == NULL)
		fatal(path, "out of memory");
	bench_prefill(&b, prefill);
	pl_rng_seed(&b.o.rng, 0x77696e64);
	b.o.gap_us = gap;
	for (b.nslot = 0; b.nslot < window; b.nslot++)
		bench_start(&b, &b.slot[b.nslot], b.next_flow++);
	while (b.nslot > 0) {
		uint32_t j = pl_rng_u32(&b.o.rng) % b.nslot;
		struct bench_flow *f = &b.slot[j];

		if (bench_send(&b, f))
			continue;
		if (b.next_flow < b.nflows) {
			bench_start(&b, f, b.next_flow++);
			continue;
		}
		if (j != --b.nslot) {          /* the last slot moves to j */
			*f = b.slot[b.nslot];
			f->t.ep[C2S].h = &f->client;
		}
	}
	out_close(&b.o);
	free(b.slot);
	fprintf(stderr, "%s: %u packets, %" PRIu64 " flows (+%" PRIu64
		" prefill)\n", path, b.o.npkts, b.nflows, prefill);
	return 0;
}

/* ----------------------------------------------------------- flood scene */

/* N packets, each its own 5-tuple (a bijection of the packet number onto
 * source address and port), 1 us apart: every other one a TCP SYN to
 * 5061 or 443 of a Front End, the others a UDP datagram of 16 opaque
 * bytes sweeping the ports 1-65535 of another; sources in 198.18.128.0/17
 * and 198.19.0.0/16, one in eight from 2001:db8:ff::/64. */
static int scene_flood(int argc, char **argv)
{
	static struct out o;
	uint64_t n = argc > 1 ? bench_arg("N", argv[1], 1, 1u << 30) : 2000000;
	struct host c, fe[2][2];
	struct tcp_conv t;
	uint8_t data[16];

	host_init(&fe[0][0], "fe1", NULL, "198.18.10.11", 0xc612000b, 128);
	host_init(&fe[0][1], "fe2", NULL, "198.18.10.12", 0xc612000c, 128);
	host_init(&fe[1][0], "fe1", NULL, "2001:db8:10::11", 0xc612000b, 128);
	host_init(&fe[1][1], "fe2", NULL, "2001:db8:10::12", 0xc612000c, 128);
	memset(&c, 0, sizeof(c));
	c.name = "flood";
	c.ttl = 64;
	c.mac[0] = 0x02;
	out_open(&o, argv[0], DLT_EN10MB, 0x666c6f6f);
	o.gap_us = 1;
	for (uint64_t i = 0; i < n; i++) {
		uint32_t h = bench_mix30((uint32_t)i);  /* 16 + 14 bits */
		bool v6 = (i >> 1) % 8 == 7, udp = i % 2;
		const struct host *srv = &fe[v6][udp];

		memset(c.a.b, 0, sizeof(c.a.b));
		c.a.family = v6 ? 6 : 4;
		if (v6) {
			static const uint8_t pfx[6] = { 0x20, 0x01, 0x0d, 0xb8,
							0, 0xff };
			memcpy(c.a.b, pfx, sizeof(pfx));
			c.a.b[14] = (uint8_t)(h >> 8);
			c.a.b[15] = (uint8_t)h;
		} else {
			c.a.b[0] = 198;
			c.a.b[1] = (uint8_t)(h & 0x8000 ? 19 : 18);
			c.a.b[2] = (uint8_t)((h >> 8 & 0x7f) |
					     (h & 0x8000 ? 0 : 0x80));
			c.a.b[3] = (uint8_t)h;
		}
		c.mac[4] = (uint8_t)(h >> 8);
		c.mac[5] = (uint8_t)h;
		t.ep[C2S] = (struct ep){ &c, (uint16_t)(49152 + (h >> 16)) };
		t.ep[S2C] = (struct ep){ srv, (uint16_t)(udp ? 1 + (i / 2) % 65535
							       : (i / 2) % 2 ? 443 : 5061) };
		if (udp) {
			pl_rng_fill(&o.rng, data, sizeof(data));
			udp_send(&o, &t.ep[C2S], &t.ep[S2C], data, sizeof(data));
		} else {
			t.next[C2S] = pl_rng_u32(&o.rng);
			t.next[S2C] = 0;
			t.mss = v6 ? MSS6 : MSS4;
			tcp_seg(&o, &t, C2S, TH_SYN, NULL, 0);
		}
	}
	out_close(&o);
	fprintf(stderr, "%s: %u packets\n", argv[0], o.npkts);
	return 0;
}

/* ------------------------------------------------------------------ main */

int main(int argc, char **argv)
{
	if (argc >= 3 && argc <= 4 && strcmp(argv[1], "demo") == 0)
		return scene_demo(argv[2], argc == 4 ? argv[3] : NULL);
	if (argc == 4 && strcmp(argv[1], "rows") == 0)
		return scene_rows(argv[2], argv[3]);
	if (argc == 3 && strcmp(argv[1], "linktypes") == 0)
		return scene_linktypes(argv[2]);
	if (argc >= 3 && argc <= 4 && strcmp(argv[1], "flags") == 0)
		return scene_flags(argv[2], argc == 4 ? argv[3] : NULL);
	if (argc >= 3 && argc <= 8 && strcmp(argv[1], "bench") == 0)
		return scene_bench(argc - 2, argv + 2);
	if (argc >= 3 && argc <= 4 && strcmp(argv[1], "flood") == 0)
		return scene_flood(argc - 2, argv + 2);
	usage();
}
