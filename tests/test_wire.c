/* test_wire.c: the wire checks (src/inspect/wire) on real packets from the
 * shared third-party captures (../shared/pcaps, skipped with a message when
 * absent) and on synthesized bytes: positives, near-misses and every
 * truncation of each positive.  One file, past 800 lines: one test program
 * for the wire stage, its capture loader and byte builders shared by every
 * protocol family's cases.
 *
 * Every payload is fed from a heap copy of exactly its length, so under
 * AddressSanitizer a read past it aborts the test.  WIRE_VERBOSE=1 prints
 * what the checks say of every flow of every shared capture.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <pcap/pcap.h>

#include "capture/decode.h"
#include "capture/pkt.h"
#include "inspect/wire/wire.h"

/* ------------------------------------------------------ feeding helpers */

/* Feeds n bytes from an exactly sized heap copy. */
static bool feed_copy(struct wire_state *w, int side, bool has_seq,
		      uint32_t seq, const void *b, size_t n)
{
	uint8_t *p = malloc(n ? n : 1);
	bool done;

	assert_non_null(p);
	if (n)
		memcpy(p, b, n);
	done = has_seq ? wire_feed_seq(w, side, seq, p, (uint32_t)n)
		       : wire_feed(w, side, p, (uint32_t)n);
	free(p);
	return done;
}

/* One payload into a fresh state; its result. */
static struct wire_result one(uint8_t l4, bool start, int side,
			      const void *b, size_t n)
{
	struct wire_state w;
	struct wire_result r;

	wire_init(&w, l4, start);
	feed_copy(&w, side, false, 0, b, n);
	wire_get(&w, &r);
	return r;
}

#define S(lit) (lit), (sizeof(lit) - 1)

/* ------------------------------------------------ replay of a capture */

#define MAX_FLOWS 160

struct tflow {
	uint8_t l4, alen;
	uint8_t a[16], b[16];    /* side 0: the first packet's sender */
	uint16_t pa, pb;
	struct wire_state w;
	uint32_t npay;
};

struct replay {
	struct tflow f[MAX_FLOWS];
	int n;
};

/* Which payloads to feed: all, or (mid-stream cut) no TLS handshake. */
enum cut { CUT_NONE, CUT_TLS_HANDSHAKE };

static const char *shared_dir(void)
{
	static char path[4096];
	const char *top = getenv("top_srcdir");

	snprintf(path, sizeof(path), "%s/../shared/pcaps", top ? top : LW_SRCDIR);
	return path;
}

static bool have_shared(void)
{
	struct stat st;

	if (stat(shared_dir(), &st) == 0 && S_ISDIR(st.st_mode))
		return true;
	print_message("skipped: no %s (the third-party captures are not here)\n",
		      shared_dir());
	return false;
}

static struct tflow *lookup(struct replay *r, const struct pkt *p, int *side)
{
	for (int i = 0; i < r->n; i++) {
		struct tflow *f = &r->f[i];

		if (f->l4 != p->l4 || f->alen != p->addr_len)
			continue;
		if (f->pa == p->sport && f->pb == p->dport &&
		    !memcmp(f->a, p->src, 16) && !memcmp(f->b, p->dst, 16)) {
			*side = 0;
			return f;
		}
		if (f->pa == p->dport && f->pb == p->sport &&
		    !memcmp(f->a, p->dst, 16) && !memcmp(f->b, p->src, 16)) {
			*side = 1;
			return f;
		}
	}
	return NULL;
}

static struct tflow *add(struct replay *r, const struct pkt *p, enum cut cut)
{
	struct tflow *f;

	assert_true(r->n < MAX_FLOWS);
	f = &r->f[r->n++];
	memset(f, 0, sizeof(*f));
	f->l4 = p->l4;
	f->alen = p->addr_len;
	memcpy(f->a, p->src, 16);
	memcpy(f->b, p->dst, 16);
	f->pa = p->sport;
	f->pb = p->dport;
	wire_init(&f->w, p->l4, p->l4 == L4_TCP && (p->tcp_flags & TCPF_SYN) &&
		  cut == CUT_NONE);
	return f;
}

static bool tls_handshake(const struct pkt *p)
{
	return p->l4 == L4_TCP && p->payload_len > 0 &&
	       (p->payload[0] == 0x16 || p->payload[0] == 0x14);
}

static void replay(const char *name, struct replay *r, enum cut cut)
{
	char path[4200], err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	pcap_t *pc;

	snprintf(path, sizeof(path), "%s/%s", shared_dir(), name);
	pc = pcap_open_offline(path, err);
	if (pc == NULL)
		fail_msg("%s: %s", path, err);
	r->n = 0;
	while (pcap_next_ex(pc, &h, &data) == 1) {
		struct pkt p;
		struct tflow *f;
		int side;

		if (decode_packet(pcap_datalink(pc), data, h->caplen, h->len,
				  &p) != DECODE_OK)
			continue;
		f = lookup(r, &p, &side);
		if (f == NULL) {
			f = add(r, &p, cut);
			side = 0;
		}
		if (p.payload_len == 0 || (cut == CUT_TLS_HANDSHAKE && tls_handshake(&p)))
			continue;
		f->npay++;
		if (p.l4 == L4_TCP)
			feed_copy(&f->w, side, true, p.seq, p.payload, p.payload_len);
		else
			feed_copy(&f->w, side, false, 0, p.payload, p.payload_len);
	}
	pcap_close(pc);
}

static void endpoint(const struct tflow *f, int side, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	inet_ntop(f->alen == 4 ? AF_INET : AF_INET6, side ? f->b : f->a, a,
		  sizeof(a));
	snprintf(buf, len, "%s:%u", a, side ? f->pb : f->pa);
}

static void show(const char *name, const struct replay *r)
{
	if (getenv("WIRE_VERBOSE") == NULL)
		return;
	for (int i = 0; i < r->n; i++) {
		const struct tflow *f = &r->f[i];
		struct wire_result res;
		char a[80], b[80], d[160], c[80] = "?";

		if (f->npay == 0)
			continue;
		wire_get(&f->w, &res);
		wire_detail(&res, d, sizeof(d));
		endpoint(f, 0, a, sizeof(a));
		endpoint(f, 1, b, sizeof(b));
		if (res.client_side >= 0)
			endpoint(f, res.client_side, c, sizeof(c));
		printf("%s %s %s > %s: %s%s \"%s\" client %s (%u pkts)\n", name,
		       f->l4 == L4_TCP ? "TCP" : "UDP", a, b,
		       wire_proto_name((enum wire_proto)res.proto),
		       res.decided ? "" : " (undecided)", d, c, res.packets);
	}
}

/* The flow with an endpoint "addr:port" (or ":port" for any address). */
static const struct tflow *flow_at(const struct replay *r, uint8_t l4,
				   const char *ep)
{
	for (int i = 0; i < r->n; i++) {
		const struct tflow *f = &r->f[i];
		char a[80], b[80];

		if (f->l4 != l4 || f->npay == 0)
			continue;
		endpoint(f, 0, a, sizeof(a));
		endpoint(f, 1, b, sizeof(b));
		if (ep[0] == ':' ? (strstr(a, ep) && !strcmp(strstr(a, ep), ep)) ||
				   (strstr(b, ep) && !strcmp(strstr(b, ep), ep))
				 : !strcmp(a, ep) || !strcmp(b, ep))
			return f;
	}
	fail_msg("no flow at %s", ep);
	return NULL;
}

/* The flow at `ep` is `proto` with `detail`, its client `client` ("" for
 * unknown, NULL: not checked). */
static void expect(const struct replay *r, uint8_t l4, const char *ep,
		   enum wire_proto proto, int detail, const char *client)
{
	const struct tflow *f = flow_at(r, l4, ep);
	struct wire_result res;
	char c[80] = "";

	wire_get(&f->w, &res);
	if (res.client_side >= 0)
		endpoint(f, res.client_side, c, sizeof(c));
	if (res.proto != proto || !res.decided)
		fail_msg("%s: %s, expected %s", ep,
			 wire_proto_name((enum wire_proto)res.proto),
			 wire_proto_name(proto));
	if (detail >= 0 && res.detail != detail)
		fail_msg("%s: detail %u, expected %d", ep, res.detail, detail);
	if (client && strcmp(c, client) != 0)
		fail_msg("%s: client \"%s\", expected \"%s\"", ep, c, client);
}

static void test_show_all(void **state)
{
	static const char *const files[] = {
		"FAX-Call-t38-CA-TDM-SIP-FB-1.pcap", "dcerpc.pcap",
		"dhcp-fuzz.pcapng", "http_auth.pcap", "http_ipv6.pcap",
		"kerberos.pcap", "mssql_tds.pcap",
		"rtcp_multiple_pkts_in_the_same_datagram.pcap", "rtp.pcapng",
		"selfsigned.pcap", "sip.pcap", "sip_hello.pcapng",
		"skype_udp.pcap", "smb_deletefile.pcap", "smbv1.pcap",
		"stun.pcap", "stun_classic.pcap", "stun_msteams_unidir.pcapng",
		"tls_alert.pcap", "tls_port_80.pcapng",
	};
	static struct replay r;

	(void)state;
	if (!have_shared())
		return;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		replay(files[i], &r, CUT_NONE);
		show(files[i], &r);
	}
	replay("selfsigned.pcap", &r, CUT_TLS_HANDSHAKE);
	show("selfsigned.pcap(cut)", &r);
	replay("tls_port_80.pcapng", &r, CUT_TLS_HANDSHAKE);
	show("tls_port_80.pcapng(cut)", &r);
	replay("http_ipv6.pcap", &r, CUT_TLS_HANDSHAKE);
	show("http_ipv6.pcap(cut)", &r);
}


/* ---------------------------------------------- real captures, by family */

static struct replay R;

static bool load(const char *name, enum cut cut)
{
	if (!have_shared())
		return false;
	replay(name, &R, cut);
	return true;
}

static void test_real_sip(void **state)
{
	(void)state;
	if (!load("sip.pcap", CUT_NONE))
		return;
	expect(&R, L4_UDP, "212.242.33.35:5060", WIRE_SIP, WD_SIP_REQUEST,
	       "192.168.1.2:5060");
	expect(&R, L4_UDP, "200.68.120.81:5060", WIRE_SIP, WD_SIP_REQUEST,
	       "192.168.1.2:5060");
	expect(&R, L4_UDP, ":30000", WIRE_RTP, WD_RTP, "");
	expect(&R, L4_UDP, ":30001", WIRE_RTCP, WD_RTCP, "");
	load("sip_hello.pcapng", CUT_NONE);
	/* four "hello" datagrams each way first: not SIP, not "not SIP" */
	expect(&R, L4_UDP, ":5060", WIRE_SIP, WD_SIP_REQUEST, "172.29.38.91:5060");
	load("FAX-Call-t38-CA-TDM-SIP-FB-1.pcap", CUT_NONE);
	expect(&R, L4_UDP, "10.35.40.200:5060", WIRE_SIP, WD_SIP_REQUEST,
	       "10.35.40.25:5060");
	expect(&R, L4_UDP, ":2944", WIRE_NONE, WD_ALL_EXCLUDED, "");  /* Megaco */
}

static void test_real_http(void **state)
{
	(void)state;
	if (!load("http_auth.pcap", CUT_NONE))
		return;
	expect(&R, L4_TCP, ":80", WIRE_HTTP, WD_HTTP_REQUEST,
	       "192.168.0.4:54337");
}

static void test_real_tls(void **state)
{
	(void)state;
	if (!load("tls_port_80.pcapng", CUT_NONE))
		return;
	expect(&R, L4_TCP, ":80", WIRE_TLS, WD_TLS_CLIENT_HELLO,
	       "57.91.202.194:50541");
	load("selfsigned.pcap", CUT_NONE);
	expect(&R, L4_TCP, ":3001", WIRE_TLS, WD_TLS_CLIENT_HELLO,
	       "127.0.0.1:51607");
	load("http_ipv6.pcap", CUT_NONE);
	expect(&R, L4_TCP, ":37506", WIRE_TLS, WD_TLS_CLIENT_HELLO,
	       "2a00:d40:1:3:7aac:c0ff:fea7:d4c:37506");
	/* captured mid-stream: application data records only */
	expect(&R, L4_TCP, ":41776", WIRE_TLS, WD_TLS_APPDATA_MID, "");
	/* QUIC is none of these */
	expect(&R, L4_UDP, ":45931", WIRE_NONE, WD_ALL_EXCLUDED, "");
	load("tls_alert.pcap", CUT_NONE);
	expect(&R, L4_TCP, ":63158", WIRE_TLS, WD_TLS_CLIENT_HELLO,
	       "192.168.1.192:63158");
}

/* The handshake cut away: what is left is read mid-stream. */
static void test_real_tls_midstream(void **state)
{
	struct wire_result r;

	(void)state;
	if (!load("http_ipv6.pcap", CUT_TLS_HANDSHAKE))
		return;
	expect(&R, L4_TCP, ":41776", WIRE_TLS, WD_TLS_APPDATA_MID, "");
	for (int i = 0; i < R.n; i++) {
		wire_get(&R.f[i].w, &r);
		if (R.f[i].l4 == L4_TCP && R.f[i].npay > 1 && r.decided)
			assert_int_equal(r.proto, WIRE_TLS);
	}
	/* one record each way after the cut, each filling its segment
	 * exactly: the boundaries line up, it is TLS */
	load("selfsigned.pcap", CUT_TLS_HANDSHAKE);
	wire_get(&flow_at(&R, L4_TCP, ":3001")->w, &r);
	assert_true(r.decided);
	assert_int_equal(r.proto, WIRE_TLS);
	assert_int_equal(r.detail, WD_TLS_APPDATA_MID);
}

static void test_real_stun(void **state)
{
	(void)state;
	if (!load("stun.pcap", CUT_NONE))
		return;
	expect(&R, L4_UDP, "142.250.82.99:3478", WIRE_STUN, WD_STUN,
	       "192.168.12.169:49153");
	expect(&R, L4_TCP, ":42000", WIRE_STUN, WD_STUN, "10.77.110.51:41588");
	expect(&R, L4_TCP, "87.47.100.17:3478", WIRE_STUN, WD_STUN,
	       "54.1.57.155:37257");
	load("stun_classic.pcap", CUT_NONE);
	expect(&R, L4_UDP, ":55050", WIRE_STUN, WD_STUN_CLASSIC,
	       "172.16.63.224:55050");
	load("stun_msteams_unidir.pcapng", CUT_NONE);
	/* a success response from the server: the receiver is the client */
	expect(&R, L4_UDP, ":3479", WIRE_STUN, WD_STUN, "10.0.0.1:50006");
}

static void test_real_rtp(void **state)
{
	(void)state;
	if (!load("rtp.pcapng", CUT_NONE))
		return;
	expect(&R, L4_UDP, ":6000", WIRE_RTP, WD_RTP, "");
	expect(&R, L4_UDP, ":6008", WIRE_RTP, WD_RTP, "");
	expect(&R, L4_TCP, ":5000", WIRE_RTP, WD_RTP_TCP, "");
	/* two address-discovery datagrams, then RTP */
	expect(&R, L4_UDP, ":50003", WIRE_RTP, WD_RTP, "");
	load("rtcp_multiple_pkts_in_the_same_datagram.pcap", CUT_NONE);
	expect(&R, L4_UDP, ":31601", WIRE_RTCP, WD_RTCP, "");
}

static void test_real_smb_dcerpc(void **state)
{
	(void)state;
	if (!load("smb_deletefile.pcap", CUT_NONE))
		return;
	expect(&R, L4_TCP, ":445", WIRE_SMB, WD_SMB2, "192.168.1.118:56848");
	load("smbv1.pcap", CUT_NONE);
	expect(&R, L4_TCP, ":445", WIRE_SMB, WD_SMB1, "172.16.156.130:50927");
	load("dcerpc.pcap", CUT_NONE);
	expect(&R, L4_UDP, "192.168.1.20:49162", WIRE_DCERPC, WD_DCERPC_CL,
	       "192.168.1.20:49162");
	expect(&R, L4_UDP, "192.168.1.20:49161", WIRE_DCERPC, WD_DCERPC_CL,
	       "192.168.1.11:49155");
}

static void test_real_tds_dhcp(void **state)
{
	(void)state;
	if (!load("mssql_tds.pcap", CUT_NONE))
		return;
	for (int i = 0; i < R.n; i++) {
		char c[80] = "";
		struct wire_result r;

		wire_get(&R.f[i].w, &r);
		assert_int_equal(r.proto, WIRE_TDS);
		assert_true(r.client_side >= 0);
		endpoint(&R.f[i], r.client_side, c, sizeof(c));
		assert_non_null(strstr(c, "10.111.111.111:"));
	}
	expect(&R, L4_TCP, ":1111", WIRE_TDS, WD_TDS_REQUEST,
	       "10.111.111.111:1111");
	load("dhcp-fuzz.pcapng", CUT_NONE);
	/* BOOTP header and magic cookie intact, options fuzzed */
	expect(&R, L4_UDP, ":67", WIRE_DHCP, WD_DHCP_MALFORMED,
	       "192.168.155.104:68");
}

/* Kerberos, LDAP, SMB2 and DCE/RPC of a Windows domain: never TLS, SIP or
 * HTTP. */
static void test_real_kerberos(void **state)
{
	(void)state;
	if (!load("kerberos.pcap", CUT_NONE))
		return;
	for (int i = 0; i < R.n; i++) {
		struct wire_result r;

		wire_get(&R.f[i].w, &r);
		assert_true(r.proto != WIRE_TLS && r.proto != WIRE_SIP &&
			    r.proto != WIRE_HTTP);
	}
	expect(&R, L4_TCP, "172.16.8.201:49156", WIRE_SMB, WD_SMB2,
	       "172.16.8.201:49156");
	expect(&R, L4_TCP, "172.16.8.201:49165", WIRE_DCERPC, WD_DCERPC_CO,
	       "172.16.8.201:49165");
}


/* ----------------------------------------------------- synthesized bytes */

struct buf {
	uint8_t b[700];
	size_t n;
};

static void put8(struct buf *b, unsigned v)
{
	assert_true(b->n < sizeof(b->b));
	b->b[b->n++] = (uint8_t)v;
}

static void put16(struct buf *b, unsigned v)
{
	put8(b, v >> 8);
	put8(b, v & 0xff);
}

static void put16le(struct buf *b, unsigned v)
{
	put8(b, v & 0xff);
	put8(b, v >> 8);
}

static void put32(struct buf *b, uint32_t v)
{
	put16(b, v >> 16);
	put16(b, v & 0xffff);
}

static void putn(struct buf *b, unsigned v, size_t n)
{
	while (n--)
		put8(b, v);
}

static void putstr(struct buf *b, const char *s)
{
	while (*s)
		put8(b, (uint8_t)*s++);
}

/* Sets a big-endian 16-bit field at offset `at`. */
static void set16(struct buf *b, size_t at, unsigned v)
{
	b->b[at] = (uint8_t)(v >> 8);
	b->b[at + 1] = (uint8_t)v;
}

/* A message that must decide `proto` with `detail` and client `client`
 * (0, 1 or -1) when side `side` sends it alone; and no prefix shorter than
 * `min_is` may decide it. */
static void positive(uint8_t l4, bool start, int side, const struct buf *m,
		     enum wire_proto proto, int detail, int client,
		     size_t min_is)
{
	struct wire_result r = one(l4, start, side, m->b, m->n);

	if (!r.decided || r.proto != proto)
		fail_msg("expected %s (%d), got %s (detail %u)",
			 wire_proto_name(proto), detail,
			 wire_proto_name((enum wire_proto)r.proto), r.detail);
	assert_int_equal(r.detail, detail);
	assert_int_equal(r.client_side, client);
	for (size_t k = 0; k < m->n; k++) {
		r = one(l4, start, side, m->b, k);
		if (r.decided && r.proto == proto && k < min_is)
			fail_msg("%s decided on %zu of %zu bytes",
				 wire_proto_name(proto), k, m->n);
	}
}

/* Not `proto`: not decided as it. */
static void not_it(uint8_t l4, bool start, const struct buf *m,
		   enum wire_proto proto)
{
	struct wire_result r = one(l4, start, 0, m->b, m->n);

	if (r.decided && r.proto == proto)
		fail_msg("decided %s on a near-miss", wire_proto_name(proto));
}

/* Excluded: the check said "is not" (or another check decided first). */
static void excluded(uint8_t l4, bool start, const struct buf *m,
		     enum wire_proto proto)
{
	struct wire_result r = one(l4, start, 0, m->b, m->n);

	not_it(l4, start, m, proto);
	if (!(r.excluded & (1u << proto)) && !(r.decided && r.proto != proto))
		fail_msg("%s not excluded", wire_proto_name(proto));
}

/* --- TLS */

static void client_hello(struct buf *b)
{
	b->n = 0;
	put8(b, 0x16); put16(b, 0x0301); put16(b, 47);
	put8(b, 1); put8(b, 0); put16(b, 43);
	put16(b, 0x0303); putn(b, 0x11, 32); put8(b, 0);
	put16(b, 2); put16(b, 0x1301); put8(b, 1); put8(b, 0);
	put16(b, 0);
}

static void test_tls_hello(void **state)
{
	struct buf b;

	(void)state;
	client_hello(&b);
	positive(L4_TCP, true, 0, &b, WIRE_TLS, WD_TLS_CLIENT_HELLO, 0, 44);
	positive(L4_TCP, false, 1, &b, WIRE_TLS, WD_TLS_CLIENT_HELLO, 1, 44);
	/* no extensions at all: as [MS-TURN]'s pseudo-TLS ClientHello */
	b.n -= 2;
	b.b[4] -= 2;
	b.b[8] -= 2;
	positive(L4_TCP, true, 0, &b, WIRE_TLS, WD_TLS_HELLO_NOEXT, 0, 44);
	b.n = 0;
	put8(&b, 0x16); put16(&b, 0x0303); put16(&b, 44);
	put8(&b, 2); put8(&b, 0); put16(&b, 40);
	put16(&b, 0x0303); putn(&b, 0x22, 32); put8(&b, 0);
	put16(&b, 0x1301); put8(&b, 0); put16(&b, 0);
	positive(L4_TCP, true, 1, &b, WIRE_TLS, WD_TLS_SERVER_HELLO, 0, 44);
	/* SSL 2.0-compatible CLIENT-HELLO */
	b.n = 0;
	put16(&b, 0x8000 | 46); put8(&b, 1); put16(&b, 0x0301);
	put16(&b, 21); put16(&b, 0); put16(&b, 16);
	putn(&b, 0x33, 21); putn(&b, 0x44, 16);
	positive(L4_TCP, true, 0, &b, WIRE_TLS, WD_TLS_SSL2_HELLO, 0, 48);
}

static void test_tls_near_misses(void **state)
{
	struct buf b;

	(void)state;
	/* a TLS-looking first byte with a wrong length */
	client_hello(&b);
	set16(&b, 3, 0x5000);
	excluded(L4_TCP, true, &b, WIRE_TLS);
	client_hello(&b);
	set16(&b, 3, 0);
	excluded(L4_TCP, true, &b, WIRE_TLS);
	/* the handshake longer than its record */
	client_hello(&b);
	b.b[8] = 60;
	not_it(L4_TCP, true, &b, WIRE_TLS);
	/* wrong versions */
	client_hello(&b);
	b.b[1] = 2;
	excluded(L4_TCP, true, &b, WIRE_TLS);
	client_hello(&b);
	b.b[2] = 5;
	excluded(L4_TCP, true, &b, WIRE_TLS);
	client_hello(&b);
	b.b[0] = 0x18;
	excluded(L4_TCP, true, &b, WIRE_TLS);
	/* cleartext on a TLS port, mid-stream */
	b.n = 0;
	putstr(&b, "OPTIONS sip:a@b SIP/2.0\r\nVia: x\r\n\r\n");
	excluded(L4_TCP, false, &b, WIRE_TLS);
}

/* Application data records, the handshake not seen. */
static void test_tls_midstream(void **state)
{
	struct wire_state w;
	struct wire_result r;
	struct buf b;

	(void)state;
	b.n = 0;
	put8(&b, 0x17); put16(&b, 0x0303); put16(&b, 32); putn(&b, 0xa5, 32);
	/* one segment holding exactly one record: both boundaries line up */
	wire_init(&w, L4_TCP, false);
	assert_true(feed_copy(&w, 0, false, 0, b.b, b.n));
	wire_get(&w, &r);
	assert_int_equal(r.proto, WIRE_TLS);
	assert_int_equal(r.detail, WD_TLS_APPDATA_MID);
	assert_int_equal(r.client_side, -1);
	/* the same record cut in two: the first part alone cannot tell, the
	 * second (its end where the length said) can */
	wire_init(&w, L4_TCP, false);
	assert_false(feed_copy(&w, 0, false, 0, b.b, 20));
	wire_get(&w, &r);
	assert_false(r.decided);
	assert_int_equal(r.detail, WD_TLS_UNCONFIRMED);
	/* ... and a segment that starts inside a record never decides */
	wire_init(&w, L4_TCP, false);
	assert_false(feed_copy(&w, 0, false, 0, b.b + 3, b.n - 3));
	wire_get(&w, &r);
	assert_false(r.decided);

	/* a record whose length does not line up: never TLS */
	b.n = 0;
	put8(&b, 0x17); put16(&b, 0x0303); put16(&b, 32); putn(&b, 0xa5, 40);
	wire_init(&w, L4_TCP, false);
	for (int i = 0; i < 2 * WIRE_BUDGET; i++)
		feed_copy(&w, i & 1, false, 0, b.b, b.n);
	wire_get(&w, &r);
	assert_false(r.decided && r.proto == WIRE_TLS);
}

/* Records of 3000, 100, 2000, 50 and 700 bytes cut into 1448-byte
 * segments that do not line up with them, fed with their sequence numbers;
 * then with one segment lost and one retransmitted. */
static void test_tls_spanning(void **state)
{
	static struct { uint8_t b[6000]; size_t n; } s;
	struct wire_state w;
	struct wire_result r;
	uint32_t seq0 = 0xfffff000u;  /* wraps */
	size_t mss = 1448;

	(void)state;
	s.n = 0;
	{
		static const unsigned lens[] = { 3000, 100, 2000, 50, 700 };

		for (size_t i = 0; i < 5; i++) {
			s.b[s.n++] = 0x17; s.b[s.n++] = 3; s.b[s.n++] = 3;
			s.b[s.n++] = (uint8_t)(lens[i] >> 8);
			s.b[s.n++] = (uint8_t)lens[i];
			for (unsigned k = 0; k < lens[i]; k++)
				s.b[s.n++] = (uint8_t)(k * 7 + 0x80);
		}
	}
	/* in order */
	wire_init(&w, L4_TCP, false);
	for (size_t o = 0; o < s.n && !w.decided; o += mss)
		feed_copy(&w, 0, true, seq0 + (uint32_t)o, s.b + o,
			  s.n - o < mss ? s.n - o : mss);
	wire_get(&w, &r);
	assert_int_equal(r.proto, WIRE_TLS);
	/* first segment lost, the second retransmitted */
	wire_init(&w, L4_TCP, false);
	for (size_t o = mss; o < s.n && !w.decided; o += mss) {
		size_t n = s.n - o < mss ? s.n - o : mss;

		feed_copy(&w, 0, true, seq0 + (uint32_t)o, s.b + o, n);
		if (o == mss)
			feed_copy(&w, 0, true, seq0 + (uint32_t)o, s.b + o, n);
	}
	wire_get(&w, &r);
	assert_int_equal(r.proto, WIRE_TLS);
	assert_int_equal(r.detail, WD_TLS_APPDATA_MID);
	/* without sequence numbers, a retransmission is resynchronised */
	wire_init(&w, L4_TCP, false);
	for (size_t o = 0; o < s.n && !w.decided; o += mss) {
		size_t n = s.n - o < mss ? s.n - o : mss;

		feed_copy(&w, 0, false, 0, s.b + o, n);
		if (o == 0)
			feed_copy(&w, 0, false, 0, s.b + o, n);
	}
	wire_get(&w, &r);
	assert_int_equal(r.proto, WIRE_TLS);
}

/* --- SIP and HTTP */

static void test_sip(void **state)
{
	static const char opt[] = "OPTIONS sip:fe01.contoso.com;transport=tcp SIP/2.0\r\n"
				  "Via: SIP/2.0/TCP 10.0.0.1:5060\r\nContent-Length: 0\r\n\r\n";
	struct buf b = { .n = 0 };
	struct wire_result r;
	struct wire_state w;
	size_t line = (size_t)(strchr(opt, '\n') - opt) + 1;

	(void)state;
	putstr(&b, opt);
	positive(L4_UDP, false, 0, &b, WIRE_SIP, WD_SIP_REQUEST, 0, line);
	positive(L4_TCP, true, 0, &b, WIRE_SIP, WD_SIP_REQUEST, 0, line);
	/* mid-stream, either end of a server connection may send requests */
	positive(L4_TCP, false, 1, &b, WIRE_SIP, WD_SIP_REQUEST, -1, line);
	r = one(L4_TCP, true, 0, b.b, b.n);
	assert_string_equal(wire_method_name(r.arg), "OPTIONS");
	b.n = 0;
	putstr(&b, "SIP/2.0 200 OK\r\nCSeq: 1 OPTIONS\r\n\r\n");
	positive(L4_UDP, false, 1, &b, WIRE_SIP, WD_SIP_STATUS, 0, 16);
	positive(L4_TCP, true, 1, &b, WIRE_SIP, WD_SIP_STATUS, -1, 16);
	assert_int_equal(one(L4_UDP, false, 1, b.b, b.n).arg, 200);
	b.n = 0;
	putstr(&b, "INVITE tel:+15551234 SIP/2.0\r\n\r\n");
	positive(L4_UDP, false, 0, &b, WIRE_SIP, WD_SIP_REQUEST, 0, 30);
	b.n = 0;
	putstr(&b, "\r\nBYE sip:u@contoso.com SIP/2.0\r\n\r\n");
	positive(L4_TCP, true, 0, &b, WIRE_SIP, WD_SIP_REQUEST, 0, 33);
	b.n = 0;
	putstr(&b, "SERVICE sips:u@contoso.com SIP/2.0\n\n");
	positive(L4_TCP, true, 0, &b, WIRE_SIP, WD_SIP_REQUEST, 0, 35);

	/* RFC 5626 keep-alives: cannot tell, SIP not excluded */
	wire_init(&w, L4_TCP, true);
	feed_copy(&w, 0, false, 0, "\r\n\r\n", 4);
	feed_copy(&w, 1, false, 0, "\r\n", 2);
	wire_get(&w, &r);
	assert_false(r.decided);
	assert_int_equal(r.detail, WD_SIP_KEEPALIVE);
	assert_false(r.excluded & (1u << WIRE_SIP));
	feed_copy(&w, 0, false, 0, opt, strlen(opt));
	wire_get(&w, &r);
	assert_int_equal(r.proto, WIRE_SIP);
	wire_init(&w, L4_UDP, false);
	feed_copy(&w, 0, false, 0, "\r\n\r\n", 4);
	wire_get(&w, &r);
	assert_false(r.decided);
}

static void test_sip_near_misses(void **state)
{
	static const char *const bad[] = {
		"OPTIONS sip:a@b SIP/2.1\r\n\r\n",
		"OPTIONS http://a/b SIP/2.0\r\n\r\n",
		"options sip:a@b SIP/2.0\r\n\r\n",
		"OPTIONS  sip:a@b SIP/2.0\r\n\r\n",
		"OPTIONS sip:a@b SIP/2.0 \r\n\r\n",
		"SIP/2.0 99 Too Low\r\n\r\n",
		"SIP/2.0 2000 OK\r\n\r\n",
		"SIP/2.0 200 OK\x01\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: a\r\n\r\n",
	};
	struct buf b;
	struct wire_result r;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		b.n = 0;
		putstr(&b, bad[i]);
		excluded(L4_UDP, false, &b, WIRE_SIP);
		excluded(L4_TCP, true, &b, WIRE_SIP);
	}
	/* an HTTP line on a SIP port is HTTP, not SIP */
	r = one(L4_TCP, true, 0, b.b, b.n);
	assert_int_equal(r.proto, WIRE_HTTP);
	assert_int_equal(r.detail, WD_HTTP_REQUEST);
	assert_string_equal(wire_method_name(r.arg), "GET");
	/* and SIP is not HTTP */
	b.n = 0;
	putstr(&b, "REGISTER sip:contoso.com SIP/2.0\r\n\r\n");
	assert_int_equal(one(L4_TCP, true, 0, b.b, b.n).proto, WIRE_SIP);
	excluded(L4_TCP, true, &b, WIRE_HTTP);
	/* binary mid-stream is not SIP */
	b.n = 0;
	putn(&b, 0x00, 80);
	excluded(L4_TCP, false, &b, WIRE_SIP);
}

static void test_http(void **state)
{
	struct buf b = { .n = 0 };

	(void)state;
	putstr(&b, "POST /RgsClients/Service.svc HTTP/1.1\r\nHost: a\r\n\r\n");
	positive(L4_TCP, true, 0, &b, WIRE_HTTP, WD_HTTP_REQUEST, 0, 39);
	b.n = 0;
	putstr(&b, "HTTP/1.1 401 Unauthorized\r\n\r\n");
	positive(L4_TCP, true, 1, &b, WIRE_HTTP, WD_HTTP_STATUS, 0, 27);
	assert_int_equal(one(L4_TCP, true, 1, b.b, b.n).arg, 401);
	b.n = 0;
	putstr(&b, "HTTP/1.0 200\r\n");
	positive(L4_TCP, false, 1, &b, WIRE_HTTP, WD_HTTP_STATUS, 0, 14);
	static const char *const bad[] = {
		"HTTP/1.1 2000 OK\r\n", "HTTP/1.1 20 OK\r\n", "HTTP/1.2 200 OK\r\n",
		"GET / HTTP/3.0\r\n", "GET /\r\n", "GET / HTTP/1.1", "GET  / HTTP/1.1\r\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		b.n = 0;
		putstr(&b, bad[i]);
		excluded(L4_TCP, true, &b, WIRE_HTTP);
	}
}

/* --- STUN */

static void stun_hdr(struct buf *b, unsigned type, unsigned len, bool cookie)
{
	b->n = 0;
	put16(b, type);
	put16(b, len);
	if (cookie)
		put32(b, 0x2112A442u);
	else
		putn(b, 0x5a, 4);
	putn(b, 0x77, 12);
}

static void test_stun(void **state)
{
	struct buf b, f;
	struct wire_state w;
	struct wire_result r;

	(void)state;
	stun_hdr(&b, 0x0001, 8, true);
	put16(&b, 0x8022); put16(&b, 3); putstr(&b, "abc"); put8(&b, 0);
	positive(L4_UDP, false, 0, &b, WIRE_STUN, WD_STUN, 0, b.n);
	b.b[0] = 0x01;  /* success response, from side 1 */
	positive(L4_UDP, false, 1, &b, WIRE_STUN, WD_STUN, 0, b.n);
	b.b[1] = 0x11;  /* Data indication: no client */
	b.b[0] = 0x00;
	b.b[1] = 0x17;
	positive(L4_UDP, false, 1, &b, WIRE_STUN, WD_STUN, -1, b.n);
	/* RFC 4571 framing over TCP */
	b.b[0] = 0; b.b[1] = 1;
	f.n = 0;
	put16(&f, (unsigned)b.n);
	memcpy(f.b + 2, b.b, b.n);
	f.n += b.n;
	positive(L4_TCP, true, 0, &f, WIRE_STUN, WD_STUN, 0, f.n);
	assert_true(one(L4_TCP, true, 0, f.b, f.n).arg & (1u << 16));
	positive(L4_TCP, true, 0, &b, WIRE_STUN, WD_STUN, 0, b.n);
	/* classic RFC 3489 */
	stun_hdr(&b, 0x0001, 8, false);
	put16(&b, 0x0003); put16(&b, 4); put32(&b, 0);
	positive(L4_UDP, false, 0, &b, WIRE_STUN, WD_STUN_CLASSIC, 0, b.n);
	/* MS-TURN: its own Allocate, its magic cookie attribute */
	stun_hdr(&b, 0x0003, 8, false);
	put16(&b, 0x000F); put16(&b, 4); put32(&b, 0x72C64BC6u);
	positive(L4_UDP, false, 0, &b, WIRE_STUN, WD_MSTURN, 0, b.n);
	/* ... over TCP behind its own framing header */
	f.n = 0;
	put8(&f, 2); put8(&f, 0); put16(&f, (unsigned)b.n);
	memcpy(f.b + 4, b.b, b.n);
	f.n += b.n;
	positive(L4_TCP, true, 0, &f, WIRE_STUN, WD_MSTURN, 0, f.n);
	assert_true(one(L4_TCP, true, 0, f.b, f.n).arg & (1u << 17));
	f.b[1] = 1;
	excluded(L4_TCP, true, &f, WIRE_STUN);
	stun_hdr(&b, 0x0001, 8, true);
	put16(&b, 0x8008); put16(&b, 4); put32(&b, 6);
	positive(L4_UDP, false, 0, &b, WIRE_STUN, WD_MSTURN, 0, b.n);
	/* TURN ChannelData: the second message of a channel decides */
	b.n = 0;
	put16(&b, 0x4001); put16(&b, 5); putn(&b, 0xee, 5); putn(&b, 0, 3);
	wire_init(&w, L4_UDP, false);
	assert_false(feed_copy(&w, 0, false, 0, b.b, b.n));
	assert_true(feed_copy(&w, 1, false, 0, b.b, b.n - 3));
	wire_get(&w, &r);
	assert_int_equal(r.proto, WIRE_STUN);
	assert_int_equal(r.detail, WD_TURN_CHANNELDATA);
	assert_int_equal(r.arg, 0x4001);
}

static void test_stun_near_misses(void **state)
{
	struct buf b;

	(void)state;
	stun_hdr(&b, 0x0001, 12, true);      /* length says more */
	put16(&b, 0x8022); put16(&b, 4); putstr(&b, "abcd");
	excluded(L4_UDP, false, &b, WIRE_STUN);
	stun_hdr(&b, 0x0001, 6, true);       /* length not a multiple of 4 */
	put16(&b, 0x8022); put16(&b, 2); putstr(&b, "ab");
	excluded(L4_UDP, false, &b, WIRE_STUN);
	stun_hdr(&b, 0x0001, 8, true);       /* attribute overruns */
	put16(&b, 0x8022); put16(&b, 8); putstr(&b, "abcd");
	excluded(L4_UDP, false, &b, WIRE_STUN);
	stun_hdr(&b, 0x0005, 0, false);      /* no cookie, unknown type */
	excluded(L4_UDP, false, &b, WIRE_STUN);
	stun_hdr(&b, 0x8001, 0, true);       /* top bits set */
	excluded(L4_UDP, false, &b, WIRE_STUN);
	b.n = 0;                            /* ChannelData too long */
	put16(&b, 0x4001); put16(&b, 20); putn(&b, 0xee, 8);
	excluded(L4_UDP, false, &b, WIRE_STUN);
}

/* --- RTP and RTCP */

static void rtp_pkt(struct buf *b, unsigned seq, uint32_t ssrc)
{
	b->n = 0;
	put8(b, 0x80); put8(b, 0); put16(b, seq); put32(b, seq * 160u);
	put32(b, ssrc); putn(b, 0xd5, 20);
}

static struct wire_result rtp_run(uint8_t l4, const unsigned *seq,
				  const uint32_t *ssrc, size_t n)
{
	struct wire_state w;
	struct wire_result r;
	struct buf b;

	wire_init(&w, l4, false);
	for (size_t i = 0; i < n; i++) {
		rtp_pkt(&b, seq[i], ssrc[i]);
		feed_copy(&w, 0, false, 0, b.b, b.n);
	}
	wire_get(&w, &r);
	return r;
}

static void test_rtp(void **state)
{
	static const unsigned seq[] = { 65534, 65535, 0, 1, 2, 3 };
	static const uint32_t same[] = { 7, 7, 7, 7, 7, 7 };
	static const uint32_t changing[] = { 1, 2, 3, 4, 5, 6 };
	static const unsigned jump[] = { 1, 30000, 60000, 100, 20000, 40000 };
	struct wire_result r;
	struct buf b, f;

	(void)state;
	r = rtp_run(L4_UDP, seq, same, 2);
	assert_int_equal(r.proto, WIRE_RTP);
	assert_int_equal(r.detail, WD_RTP);
	assert_int_equal(r.arg, 7);
	r = rtp_run(L4_UDP, seq, same, 1);
	assert_false(r.decided);
	assert_int_equal(r.detail, WD_RTP_UNCONFIRMED);
	/* a changing SSRC, sequence numbers that jump */
	r = rtp_run(L4_UDP, seq, changing, 6);
	assert_true(r.excluded & (1u << WIRE_RTP));
	assert_false(r.decided && r.proto == WIRE_RTP);
	r = rtp_run(L4_UDP, jump, same, 6);
	assert_false(r.decided && r.proto == WIRE_RTP);
	/* version 1, a header longer than the packet */
	rtp_pkt(&b, 1, 7);
	b.b[0] = 0x40;
	not_it(L4_UDP, false, &b, WIRE_RTP);
	rtp_pkt(&b, 1, 7);
	b.b[0] = 0x8f;  /* 15 CSRCs */
	not_it(L4_UDP, false, &b, WIRE_RTP);
	/* RFC 4571 over TCP: two framed packets in one segment */
	f.n = 0;
	rtp_pkt(&b, 10, 9);
	put16(&f, (unsigned)b.n); memcpy(f.b + f.n, b.b, b.n); f.n += b.n;
	rtp_pkt(&b, 11, 9);
	put16(&f, (unsigned)b.n); memcpy(f.b + f.n, b.b, b.n); f.n += b.n;
	positive(L4_TCP, true, 0, &f, WIRE_RTP, WD_RTP_TCP, -1, f.n);
	/* RTP to a STUN port: RTP, STUN excluded */
	r = rtp_run(L4_UDP, seq, same, 2);
	assert_true(r.excluded & (1u << WIRE_STUN));
}

static void test_rtcp(void **state)
{
	struct buf b;
	struct wire_state w;
	struct wire_result r;

	(void)state;
	b.n = 0;                               /* RR + BYE */
	put8(&b, 0x80); put8(&b, 201); put16(&b, 1); put32(&b, 0x1234);
	put8(&b, 0x81); put8(&b, 203); put16(&b, 1); put32(&b, 0x1234);
	/* the RR alone is a compound packet too */
	positive(L4_UDP, false, 0, &b, WIRE_RTCP, WD_RTCP, -1, 8);
	assert_int_equal(one(L4_UDP, false, 0, b.b, b.n).arg, 201 | 2 << 8);
	b.n = 0;                               /* SR, one report block */
	put8(&b, 0x81); put8(&b, 200); put16(&b, 12); put32(&b, 0x1234);
	putn(&b, 0x42, 44);
	positive(L4_UDP, false, 0, &b, WIRE_RTCP, WD_RTCP, -1, b.n);
	b.b[3] = 6;                            /* too short for its block */
	not_it(L4_UDP, false, &b, WIRE_RTCP);
	b.b[3] = 13;                           /* longer than the datagram */
	not_it(L4_UDP, false, &b, WIRE_RTCP);
	/* SRTCP: encrypted after the sender SSRC, index and tag after */
	b.n = 0;
	put8(&b, 0x80); put8(&b, 201); put16(&b, 7); put32(&b, 0x99);
	putn(&b, 0x00, 24); put32(&b, 0x80000001u); putn(&b, 0x3c, 10);
	wire_init(&w, L4_UDP, false);
	assert_false(feed_copy(&w, 0, false, 0, b.b, b.n));
	assert_true(feed_copy(&w, 0, false, 0, b.b, b.n));
	wire_get(&w, &r);
	assert_int_equal(r.proto, WIRE_RTCP);
	assert_int_equal(r.detail, WD_SRTCP);
}

/* --- DCE/RPC, SMB, DHCP, SQL Browser, TDS, MSNFTP, RDP, SSH, DNS */

static void test_dcerpc(void **state)
{
	struct buf b;

	(void)state;
	b.n = 0;
	put8(&b, 5); put8(&b, 0); put8(&b, 11); put8(&b, 3);
	put8(&b, 0x10); put8(&b, 0); put8(&b, 0); put8(&b, 0);
	put16le(&b, 72); put16le(&b, 0); put32(&b, 1); putn(&b, 0, 56);
	positive(L4_TCP, true, 0, &b, WIRE_DCERPC, WD_DCERPC_CO, 0, 16);
	b.b[2] = 12;                           /* bind_ack */
	positive(L4_TCP, true, 1, &b, WIRE_DCERPC, WD_DCERPC_CO, 0, 16);
	b.b[0] = 4;
	excluded(L4_TCP, true, &b, WIRE_DCERPC);
	b.b[0] = 5; b.b[8] = 8;                /* fragment shorter than header */
	excluded(L4_TCP, true, &b, WIRE_DCERPC);
	b.b[8] = 72; b.b[4] = 0x22;            /* data representation */
	excluded(L4_TCP, true, &b, WIRE_DCERPC);
	/* connectionless request */
	b.n = 0;
	put8(&b, 4); put8(&b, 0); put8(&b, 0x20); put8(&b, 0);
	put8(&b, 0x10); put8(&b, 0); put8(&b, 0);
	putn(&b, 0x31, 74 - 7); put16le(&b, 4); put16le(&b, 0); put8(&b, 0);
	put8(&b, 0); put32(&b, 0xdeadbeef);
	positive(L4_UDP, false, 0, &b, WIRE_DCERPC, WD_DCERPC_CL, 0, b.n);
	b.b[74] = 5;
	excluded(L4_UDP, false, &b, WIRE_DCERPC);
}

static void test_smb(void **state)
{
	struct buf b;

	(void)state;
	b.n = 0;
	put32(&b, 35); put8(&b, 0xff); putstr(&b, "SMB"); put8(&b, 0x72);
	put32(&b, 0); put8(&b, 0x18); putn(&b, 0, 26);
	positive(L4_TCP, true, 0, &b, WIRE_SMB, WD_SMB1, 0, 14);
	b.b[13] = 0x98;                        /* reply */
	positive(L4_TCP, true, 1, &b, WIRE_SMB, WD_SMB1, 0, 14);
	b.n = 0;
	put32(&b, 68); put8(&b, 0xfe); putstr(&b, "SMB"); put16le(&b, 64);
	putn(&b, 0, 6); put16le(&b, 5); put16le(&b, 1); put8(&b, 1);
	putn(&b, 0, 3); putn(&b, 0, 44); putn(&b, 0, 4);
	positive(L4_TCP, true, 1, &b, WIRE_SMB, WD_SMB2, 0, 24);
	b.b[7] = 'C';                          /* \xfeSMC */
	excluded(L4_TCP, true, &b, WIRE_SMB);
	b.b[7] = 'B'; b.b[0] = 0x01;           /* session message type */
	excluded(L4_TCP, true, &b, WIRE_SMB);
	b.n = 0;                               /* NetBIOS session request */
	put32(&b, 0x81000044u);
	for (int i = 0; i < 2; i++) {
		put8(&b, 32); putn(&b, 'E', 31); put8(&b, 'A'); put8(&b, 0);
	}
	positive(L4_TCP, true, 0, &b, WIRE_SMB, WD_NBSS_REQUEST, 0, b.n);
}

static void dhcp_msg(struct buf *b, unsigned op, unsigned type)
{
	b->n = 0;
	put8(b, op); put8(b, 1); put8(b, 6); put8(b, 0);
	putn(b, 0, 232); put32(b, 0x63825363u);
	put8(b, 53); put8(b, 1); put8(b, type); put8(b, 255);
}

static void test_dhcp(void **state)
{
	struct buf b;

	(void)state;
	dhcp_msg(&b, 1, 1);
	positive(L4_UDP, false, 0, &b, WIRE_DHCP, WD_DHCP, 0, 240);
	dhcp_msg(&b, 2, 2);
	positive(L4_UDP, false, 1, &b, WIRE_DHCP, WD_DHCP, 0, 240);
	b.n -= 1;                              /* no End */
	positive(L4_UDP, false, 1, &b, WIRE_DHCP, WD_DHCP_MALFORMED, 0, 240);
	dhcp_msg(&b, 3, 1);
	excluded(L4_UDP, false, &b, WIRE_DHCP);
	dhcp_msg(&b, 1, 1);
	b.b[239] = 0x64;                       /* magic cookie */
	excluded(L4_UDP, false, &b, WIRE_DHCP);
}

static void test_ssrp(void **state)
{
	static const char resp[] = "ServerName;SQL01;InstanceName;RTC;"
				   "IsClustered;No;Version;15.0.2000.5;tcp;1433;;";
	struct buf b;

	(void)state;
	b.n = 0;
	put8(&b, 0x03);
	positive(L4_UDP, false, 0, &b, WIRE_SSRP, WD_SSRP_REQUEST, 0, 1);
	put8(&b, 0x00);
	excluded(L4_UDP, false, &b, WIRE_SSRP);
	b.n = 0;
	put8(&b, 0x04); putstr(&b, "RTCLOCAL"); put8(&b, 0);
	positive(L4_UDP, false, 0, &b, WIRE_SSRP, WD_SSRP_REQUEST, 0, b.n);
	b.n = 0;
	put8(&b, 0x05); put16le(&b, (unsigned)strlen(resp)); putstr(&b, resp);
	positive(L4_UDP, false, 1, &b, WIRE_SSRP, WD_SSRP_RESPONSE, 0, b.n);
	b.b[1]++;                              /* size one too many */
	excluded(L4_UDP, false, &b, WIRE_SSRP);
}

static void tds_hdr(struct buf *b, unsigned type, unsigned dlen)
{
	b->n = 0;
	put8(b, type); put8(b, 1); put16(b, dlen + 8); put16(b, 0);
	put8(b, 1); put8(b, 0);
}

static void test_tds(void **state)
{
	struct buf b;
	struct wire_state w;
	struct wire_result r;

	(void)state;
	tds_hdr(&b, 0x12, 39);
	put8(&b, 0); put16(&b, 26); put16(&b, 6);
	put8(&b, 1); put16(&b, 32); put16(&b, 1);
	put8(&b, 2); put16(&b, 33); put16(&b, 1);
	put8(&b, 3); put16(&b, 34); put16(&b, 4);
	put8(&b, 4); put16(&b, 38); put16(&b, 1);
	put8(&b, 0xff); putn(&b, 0, 13);
	positive(L4_TCP, true, 0, &b, WIRE_TDS, WD_TDS_PRELOGIN, 0, 34);
	b.b[7] = 1;                            /* window */
	excluded(L4_TCP, true, &b, WIRE_TDS);
	b.b[7] = 0; b.b[8 + 15] = 9;           /* unknown option token */
	not_it(L4_TCP, true, &b, WIRE_TDS);
	tds_hdr(&b, 0x10, 16);
	b.n = 8;
	put8(&b, 24); putn(&b, 0, 3); put16(&b, 0x0400); put16(&b, 0x0074);
	putn(&b, 0, 8);
	/* LOGIN7: length 24 little-endian, version 0x74000004 */
	b.b[8] = 16;
	positive(L4_TCP, true, 0, &b, WIRE_TDS, WD_TDS_LOGIN7, 0, 16);
	/* SQL batch of TDS 7.1 (UTF-16 text) */
	tds_hdr(&b, 0x01, 20);
	for (const char *s = "select 1;\r\n"; *s && b.n < 28; s++)
		put16le(&b, (uint8_t)*s);
	positive(L4_TCP, false, 0, &b, WIRE_TDS, WD_TDS_REQUEST, 0, 24);
	/* two well-formed headers, nothing else to go by */
	wire_init(&w, L4_TCP, false);
	tds_hdr(&b, 0x01, 8); putn(&b, 0xc3, 8);
	assert_false(feed_copy(&w, 0, false, 0, b.b, b.n));
	tds_hdr(&b, 0x04, 8); putn(&b, 0xc3, 8);
	assert_true(feed_copy(&w, 1, false, 0, b.b, b.n));
	wire_get(&w, &r);
	assert_int_equal(r.proto, WIRE_TDS);
	assert_int_equal(r.detail, WD_TDS_PACKETS);
	assert_int_equal(r.client_side, 0);
}

static void test_text_banners(void **state)
{
	struct buf b = { .n = 0 };

	(void)state;
	putstr(&b, "VER MSNFTP\r\n");
	positive(L4_TCP, true, 0, &b, WIRE_MSNFTP, WD_MSNFTP, 0, b.n);
	positive(L4_TCP, false, 0, &b, WIRE_MSNFTP, WD_MSNFTP, -1, b.n);
	b.n = 0;
	putstr(&b, "VER 1 MSNP18 CVR0\r\n");
	excluded(L4_TCP, true, &b, WIRE_MSNFTP);
	b.n = 0;
	putstr(&b, "SSH-2.0-OpenSSH_9.6 Ubuntu-3\r\n");
	positive(L4_TCP, true, 1, &b, WIRE_SSH, WD_SSH_BANNER, -1, b.n);
	b.n = 0;
	putstr(&b, "SSH-3.0-x\r\n");
	excluded(L4_TCP, true, &b, WIRE_SSH);
}

static void test_rdp(void **state)
{
	static const uint8_t cr[] = { 3, 0, 0, 19, 14, 0xe0, 0, 0, 0, 0, 0,
				      1, 0, 8, 0, 3, 0, 0, 0 };
	struct buf b;

	(void)state;
	memcpy(b.b, cr, sizeof(cr));
	b.n = sizeof(cr);
	positive(L4_TCP, true, 0, &b, WIRE_RDP, WD_RDP_CR, 0, b.n);
	b.b[5] = 0xd0; b.b[8] = 0x12;          /* connection confirm */
	positive(L4_TCP, true, 1, &b, WIRE_RDP, WD_RDP_CC, 0, b.n);
	b.b[3] = 20;                           /* TPKT length */
	excluded(L4_TCP, true, &b, WIRE_RDP);
	b.b[3] = 19; b.b[0] = 2;               /* TPKT version */
	excluded(L4_TCP, true, &b, WIRE_RDP);
}

static void dns_query(struct buf *b, unsigned flags, unsigned qd)
{
	b->n = 0;
	put16(b, 0x1234); put16(b, flags); put16(b, qd); put16(b, 0);
	put16(b, 0); put16(b, 0);
	put8(b, 7); putstr(b, "lyncdis"); put8(b, 7); putstr(b, "contoso");
	put8(b, 3); putstr(b, "com"); put8(b, 0); put16(b, 1); put16(b, 1);
}

static void test_dns(void **state)
{
	struct buf b, f;

	(void)state;
	dns_query(&b, 0x0100, 1);
	positive(L4_UDP, false, 0, &b, WIRE_DNS, WD_DNS_QUERY, 0, b.n);
	f.n = 0;
	put16(&f, (unsigned)b.n); memcpy(f.b + 2, b.b, b.n); f.n += b.n;
	positive(L4_TCP, true, 0, &f, WIRE_DNS, WD_DNS_QUERY, 0, f.n);
	dns_query(&b, 0x8183, 1);              /* NXDOMAIN */
	positive(L4_UDP, false, 1, &b, WIRE_DNS, WD_DNS_RESPONSE, 0, b.n);
	dns_query(&b, 0x0100, 2);
	excluded(L4_UDP, false, &b, WIRE_DNS);
	dns_query(&b, 0x0140, 1);              /* Z bit */
	excluded(L4_UDP, false, &b, WIRE_DNS);
	dns_query(&b, 0x0100, 1);
	b.b[12] = 64;                          /* label too long */
	excluded(L4_UDP, false, &b, WIRE_DNS);
}

/* --- the dispatcher */

static void test_dispatch(void **state)
{
	struct wire_state w;
	struct wire_result r;
	uint8_t junk[64];
	char d[128];

	(void)state;
	assert_true(sizeof(struct wire_state) <= 96);
	assert_true(sizeof(struct wire_result) <= 16);
	print_message("sizeof(struct wire_state) = %zu\n", sizeof(struct wire_state));
	for (int p = 0; p < WIRE_N; p++)
		assert_non_null(wire_proto_name((enum wire_proto)p));
	assert_string_equal(wire_proto_name(WIRE_SSRP), "ssrp");
	/* nothing fed */
	wire_init(&w, L4_UDP, false);
	wire_get(&w, &r);
	assert_int_equal(r.detail, WD_NO_PAYLOAD);
	assert_int_equal(r.client_side, -1);
	/* every check says no: decided, none */
	memset(junk, 0x47, sizeof(junk));
	for (int i = 0; i < 3; i++)
		feed_copy(&w, i & 1, false, 0, junk, sizeof(junk));
	wire_get(&w, &r);
	assert_true(r.decided);
	assert_int_equal(r.proto, WIRE_NONE);
	assert_int_equal(r.detail, WD_ALL_EXCLUDED);
	assert_true(wire_feed(&w, 0, junk, sizeof(junk)));
	/* the budget ends feeding undecided */
	wire_init(&w, L4_TCP, false);
	memset(junk, 0xa7, sizeof(junk));
	bool done = false;
	int n;
	for (n = 0; n < 4 * WIRE_BUDGET && !done; n++)
		done = feed_copy(&w, n & 1, false, 0, junk, sizeof(junk));
	assert_true(done);
	assert_int_equal(n, 2 * WIRE_BUDGET);
	wire_get(&w, &r);
	assert_false(r.decided);
	assert_int_equal(r.detail, WD_MIDSTREAM);
	assert_int_equal(r.packets, 2 * WIRE_BUDGET);
	/* one side only: feeding ends once it has spent twice its budget */
	wire_init(&w, L4_TCP, false);
	done = false;
	for (n = 0; n < 4 * WIRE_BUDGET && !done; n++)
		done = feed_copy(&w, 0, false, 0, junk, sizeof(junk));
	assert_true(done);
	assert_int_equal(n, 2 * WIRE_BUDGET);
	/* tiny payloads */
	wire_init(&w, L4_TCP, true);
	feed_copy(&w, 0, false, 0, "\x01", 1);
	wire_get(&w, &r);
	assert_int_equal(r.detail, WD_TOO_SHORT);
	/* every detail formats */
	for (int c = 0; c < WD_N; c++) {
		r.detail = (uint8_t)c;
		r.arg = 0x0303;
		wire_detail(&r, d, sizeof(d));
		assert_true(strlen(d) > 0);
		wire_detail(&r, d, 4);
		assert_true(strlen(d) <= 3);
	}
	r.detail = WD_SIP_REQUEST;
	r.arg = 5;
	wire_detail(&r, d, sizeof(d));
	assert_string_equal(d, "SIP OPTIONS request");
	r.detail = WD_TLS_APPDATA_MID;
	wire_detail(&r, d, sizeof(d));
	assert_string_equal(d, "TLS application data (mid-stream)");
}

/* Random bytes at every length, both sides, both L4: no crash, no read
 * past the payload (ASan), nothing decided on one random payload but
 * NONE. */
static void test_random(void **state)
{
	uint64_t x = 0x9e3779b97f4a7c15ull;
	uint8_t p[300];

	(void)state;
	for (int round = 0; round < 2000; round++) {
		struct wire_state w;
		size_t n = (size_t)(round % 300);

		for (size_t i = 0; i < n; i++) {
			x ^= x << 13; x ^= x >> 7; x ^= x << 17;
			p[i] = (uint8_t)x;
		}
		wire_init(&w, (round & 1) ? L4_UDP : L4_TCP, (round & 2) != 0);
		for (int k = 0; k < 3; k++)
			feed_copy(&w, k & 1, (round & 4) != 0, (uint32_t)x, p, n);
	}
}

/* Every detail text is printable ASCII without '"' or '\\' (the JSON
 * sinks write it unescaped), whatever the code and argument. */
static void test_detail_plain(void **state)
{
	static const uint32_t args[] = { 0, 1, 199, 0x0303, 0x1ca00, 0x20001,
					 0xffffffffu };

	(void)state;
	for (unsigned d = 0; d < 256; d++)
		for (size_t i = 0; i < sizeof(args) / sizeof(args[0]); i++) {
			struct wire_result r = { .detail = (uint8_t)d,
						 .arg = args[i] };
			char buf[128];

			wire_detail(&r, buf, sizeof(buf));
			for (const char *p = buf; *p; p++)
				assert_true(*p >= 0x20 && *p < 0x7f &&
					    *p != '"' && *p != '\\');
		}
}

/* The texts with a number are snprintf's of their template, with any
 * argument, at every buffer length (cut as snprintf cuts).  (The
 * templates are the table's: not literals at the call.) */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
static void test_detail_numbers(void **state)
{
	static const struct { uint8_t code; const char *fmt; } t[] = {
		{ WD_NO_MATCH, "no check matched in %u payloads" },
		{ WD_TURN_CHANNELDATA, "TURN ChannelData (channel 0x%04x)" },
		{ WD_RTP, "RTP (SSRC 0x%08x)" },
		{ WD_RTP_TCP, "RTP over TCP, RFC 4571 framing (SSRC 0x%08x)" },
		{ WD_SMB1, "SMB1 command 0x%02x" },
		{ WD_SSRP_RESPONSE, "SQL Browser response (%u bytes)" },
		{ WD_DNS_QUERY, "DNS query type %u" },
		{ WD_SIP_STATUS, "SIP status %u" },
		{ WD_MIDSTREAM, "no aligned record or message start in %u "
				"segments (mid-stream)" },
		{ WD_ALL_EXCLUDED, "no protocol checked fits (%u payloads)" },
		{ WD_DCERPC_CO, "DCE/RPC packet type %u" },
		{ WD_DCERPC_CL, "DCE/RPC connectionless packet type %u" },
		{ WD_SMB2, "SMB2 command %u" },
		{ WD_DHCP, "DHCP message type %u" },
		{ WD_DHCP_MALFORMED, "DHCP message type %u, options run past "
				     "the datagram" },
		{ WD_SSRP_REQUEST, "SQL Browser request 0x%02x" },
		{ WD_HTTP_STATUS, "HTTP status %u" },
	};
	uint64_t x = 0x243f6a8885a308d3ull;

	(void)state;
	for (int k = 0; k < 3000; k++) {
		uint32_t arg;

		x ^= x << 13; x ^= x >> 7; x ^= x << 17;
		arg = (uint32_t)x >> (x >> 59);     /* every digit count */
		for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
			struct wire_result r = { .detail = t[i].code, .arg = arg };
			char got[128], want[128];
			size_t len = 1 + (size_t)(x >> 32) % sizeof(got);

			wire_detail(&r, got, sizeof(got));
			snprintf(want, sizeof(want), t[i].fmt, arg);
			assert_string_equal(got, want);
			memset(got, 'x', sizeof(got));
			wire_detail(&r, got, len);
			snprintf(want, len, t[i].fmt, arg);
			assert_string_equal(got, want);
		}
	}
}
#pragma GCC diagnostic pop

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_show_all),
		cmocka_unit_test(test_real_sip),
		cmocka_unit_test(test_real_http),
		cmocka_unit_test(test_real_tls),
		cmocka_unit_test(test_real_tls_midstream),
		cmocka_unit_test(test_real_stun),
		cmocka_unit_test(test_real_rtp),
		cmocka_unit_test(test_real_smb_dcerpc),
		cmocka_unit_test(test_real_tds_dhcp),
		cmocka_unit_test(test_real_kerberos),
		cmocka_unit_test(test_tls_hello),
		cmocka_unit_test(test_tls_near_misses),
		cmocka_unit_test(test_tls_midstream),
		cmocka_unit_test(test_tls_spanning),
		cmocka_unit_test(test_sip),
		cmocka_unit_test(test_sip_near_misses),
		cmocka_unit_test(test_http),
		cmocka_unit_test(test_stun),
		cmocka_unit_test(test_stun_near_misses),
		cmocka_unit_test(test_rtp),
		cmocka_unit_test(test_detail_numbers),
		cmocka_unit_test(test_rtcp),
		cmocka_unit_test(test_dcerpc),
		cmocka_unit_test(test_smb),
		cmocka_unit_test(test_dhcp),
		cmocka_unit_test(test_ssrp),
		cmocka_unit_test(test_tds),
		cmocka_unit_test(test_text_banners),
		cmocka_unit_test(test_rdp),
		cmocka_unit_test(test_dns),
		cmocka_unit_test(test_dispatch),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_detail_plain),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
