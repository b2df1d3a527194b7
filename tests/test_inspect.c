/* test_inspect.c: unit tests of the nDPI glue (src/inspect/inspect.c).
 *
 * Conversations are built in memory: IPv4 + TCP/UDP headers around the
 * payloads of tools/payloads.c, with TCP sequence numbers that follow the
 * bytes sent, handed to inspect_packet() as the decoder would leave them.
 * Set INSPECT_VERBOSE=1 to print what nDPI said of every conversation.
 * One file, past 800 lines: one test program per module, and the
 * conversation builders at its top serve every case below.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ndpi/ndpi_api.h>

#include "inspect/inspect.h"
#include "payloads.h"

#define BUDGET 24
#define RISK_NONSTD_PORT 5     /* nDPI 4.2 NDPI_KNOWN_PROTOCOL_ON_NON_STANDARD_PORT */

/* ------------------------------------------------------------ conversations */

#define CLI 0                  /* sender: client */
#define SRV 1                  /* sender: server */

struct conv {
	struct flow f;
	uint8_t l4;
	uint8_t addr[2][4];        /* [CLI], [SRV] */
	uint16_t port[2];
	uint32_t next_seq[2];      /* TCP: next sequence number per sender */
	uint64_t ts_us;
};

static void conv_init(struct conv *c, uint8_t l4, uint16_t cport,
		      uint16_t sport)
{
	static const uint8_t cli[4] = { 10, 1, 2, 30 }, srv[4] = { 10, 1, 1, 10 };

	memset(c, 0, sizeof(*c));
	c->l4 = l4;
	memcpy(c->addr[CLI], cli, 4);
	memcpy(c->addr[SRV], srv, 4);
	c->port[CLI] = cport;
	c->port[SRV] = sport;
	c->next_seq[CLI] = 0x1000;
	c->next_seq[SRV] = 0x7000;
	c->ts_us = 1700000000ull * 1000000ull;
	/* key: a = server (10.1.1.10 < 10.1.2.30), so b = client, server_dir BA */
	memcpy(c->f.key.a, srv, 4);
	memcpy(c->f.key.b, cli, 4);
	c->f.key.pa = sport;
	c->f.key.pb = cport;
	c->f.key.l4 = l4;
	c->f.key.ipver = 4;
	c->f.server_dir = DIR_BA;
}

static void put16(uint8_t *b, uint16_t v)
{
	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
}

static void put32(uint8_t *b, uint32_t v)
{
	put16(b, (uint16_t)(v >> 16));
	put16(b + 2, (uint16_t)v);
}

static uint16_t ip_csum(const uint8_t *h, size_t n)
{
	uint32_t sum = 0;

	for (size_t i = 0; i < n; i += 2)
		sum += (uint32_t)(h[i] << 8 | h[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* IPv4 header + L4 header of one packet from `from`; returns the header
 * length.  ACK is set on every TCP packet but the first SYN. */
static size_t build_hdr(uint8_t *b, const struct conv *c, int from,
			uint8_t flags, size_t len)
{
	size_t l4h = c->l4 == L4_TCP ? 20 : 8;
	size_t tot = 20 + l4h + len;

	memset(b, 0, 20 + l4h);
	b[0] = 0x45;
	put16(b + 2, (uint16_t)tot);
	b[6] = 0x40;                                /* DF */
	b[8] = 64;
	b[9] = c->l4;
	memcpy(b + 12, c->addr[from], 4);
	memcpy(b + 16, c->addr[!from], 4);
	put16(b + 10, ip_csum(b, 20));
	put16(b + 20, c->port[from]);
	put16(b + 22, c->port[!from]);
	if (c->l4 == L4_UDP) {
		put16(b + 24, (uint16_t)(8 + len));
		return 28;
	}
	put32(b + 24, c->next_seq[from]);
	if (flags & TCPF_ACK)
		put32(b + 28, c->next_seq[!from]);
	b[32] = 0x50;
	b[33] = flags;
	put16(b + 34, 65535);
	return 40;
}

/* Sends one packet of `len` payload bytes from `from` through
 * inspect_packet(), as the decoder would describe it. */
static void send_flags(struct inspector *in, struct conv *c, int from,
		       uint8_t flags, const uint8_t *pl, size_t len)
{
	static uint8_t b[20000];
	struct pkt p;
	size_t h;

	assert_true(len + 40 <= sizeof(b));
	h = build_hdr(b, c, from, flags, len);
	if (len)
		memcpy(b + h, pl, len);
	memset(&p, 0, sizeof(p));
	c->ts_us += 2000;
	p.ts_us = c->ts_us;
	p.wire_len = p.cap_len = (uint32_t)(h + len);
	p.ipver = 4;
	p.addr_len = 4;
	p.l4 = c->l4;
	p.tcp_flags = c->l4 == L4_TCP ? flags : 0;
	memcpy(p.src, c->addr[from], 4);
	memcpy(p.dst, c->addr[!from], 4);
	p.sport = c->port[from];
	p.dport = c->port[!from];
	p.l3 = b;
	p.l3_len = p.ip_len = (uint32_t)(h + len);
	p.payload = b + h;
	p.payload_len = (uint32_t)len;
	inspect_packet(in, &c->f, &p, from == CLI ? DIR_BA : DIR_AB);
	c->next_seq[from] += (uint32_t)len + ((flags & TCPF_SYN) ? 1 : 0);
}

static void send_data(struct inspector *in, struct conv *c, int from,
		      const uint8_t *pl, size_t len)
{
	send_flags(in, c, from, c->l4 == L4_TCP ? TCPF_ACK | TCPF_PSH : 0, pl,
		   len);
}

/* SYN, SYN/ACK, ACK: no payload, so never fed to nDPI. */
static void handshake(struct inspector *in, struct conv *c)
{
	send_flags(in, c, CLI, TCPF_SYN, NULL, 0);
	send_flags(in, c, SRV, TCPF_SYN | TCPF_ACK, NULL, 0);
	send_flags(in, c, CLI, TCPF_ACK, NULL, 0);
}

static void show(const struct inspector *in, const char *what,
		 const struct inspect_view *v)
{
	struct inspect_stats st;

	if (getenv("INSPECT_VERBOSE") == NULL)
		return;
	inspect_get_stats(in, &st);
	printf("  %-22s fed=%llu %s\n", what, (unsigned long long)st.pkts_fed,
	       st.decided ? "decided" : "gave up");
	printf("  %-22s app_proto=%s master=%s guess=%s seen=%s confidence=%s "
	       "risks=0x%llx", what, v->app_proto ? v->app_proto : "(null)",
	       v->app_master ? v->app_master : "(null)",
	       v->guess ? v->guess : "(null)", inspect_seen_name(v->seen),
	       v->confidence ? v->confidence : "(null)",
	       (unsigned long long)v->risks);
	for (unsigned bit = 0; bit < 64; bit++)
		if ((v->risks >> bit & 1) && inspect_risk_name(bit))
			printf(" [%s]", inspect_risk_name(bit));
	printf("\n");
}

/* Ends the conversation and reads the verdict of nDPI. */
static void end_view(struct inspector *in, struct conv *c, const char *what,
		     struct inspect_view *v, char *buf)
{
	inspect_flow_end(in, &c->f);
	assert_null(c->f.insp);
	assert_true(c->f.insp_done);
	inspect_view(in, &c->f, v, buf, INSPECT_VIEW_BUFLEN);
	inspect_release(&c->f);          /* the view holds copies */
	show(in, what, v);
}

static void assert_seen(const struct inspect_view *v, enum seen_app seen,
			const char *app_proto)
{
	assert_string_equal(inspect_seen_name(v->seen), inspect_seen_name(seen));
	assert_true(v->confirmed);
	assert_string_equal(v->confidence, "DPI");
	if (app_proto)
		assert_string_equal(v->app_proto, app_proto);
}

static void assert_no_state(struct inspector *in)
{
	struct inspect_stats st;

	inspect_get_stats(in, &st);
	assert_int_equal(st.live_states, 0);
}

/* ------------------------------------------------------------ fixtures */

static int setup(void **state)
{
	*state = inspect_new(BUDGET);
	return *state ? 0 : -1;
}

static int teardown(void **state)
{
	struct inspector *in = *state;

	assert_no_state(in);
	inspect_free(in);
	return 0;
}

/* ------------------------------------------------------------ TLS */

/* ClientHello, ServerHello, second flights, some application data. */
static void tls_conv(struct inspector *in, struct conv *c, const char *sni)
{
	uint8_t b[4096];
	struct pl_rng r;

	pl_rng_seed(&r, 1);
	handshake(in, c);
	send_data(in, c, CLI, b, pl_tls_client_hello(b, sizeof(b), sni, &r));
	send_data(in, c, SRV, b, pl_tls_server_hello(b, sizeof(b), &r));
	send_data(in, c, CLI, b, pl_tls_client_finish(b, sizeof(b), &r));
	send_data(in, c, SRV, b, pl_tls_server_finish(b, sizeof(b), &r));
	for (int i = 0; i < 4; i++) {
		send_data(in, c, CLI, b, pl_tls_app_data(b, sizeof(b), 600, &r));
		send_data(in, c, SRV, b, pl_tls_app_data(b, sizeof(b), 900, &r));
	}
}

static void check_tls_on(void **state, uint16_t port, const char *what)
{
	struct inspector *in = *state;
	struct conv c;
	struct inspect_view v;
	char buf[INSPECT_VIEW_BUFLEN];

	conv_init(&c, L4_TCP, 50123, port);
	tls_conv(in, &c, "pool01.contoso.local");
	end_view(in, &c, what, &v, buf);
	assert_seen(&v, SEEN_TLS, "tls");
	assert_null(v.app_master);
	assert_null(v.guess);
}

static void test_tls_5061(void **state)
{
	check_tls_on(state, 5061, "tls tcp/5061");
}

static void test_tls_8057(void **state)
{
	check_tls_on(state, 8057, "tls tcp/8057");
}

static void test_tls_444(void **state)
{
	check_tls_on(state, 444, "tls tcp/444");
}

static void test_tls_4443(void **state)
{
	check_tls_on(state, 4443, "tls tcp/4443");
}

static void test_tls_443(void **state)
{
	check_tls_on(state, 443, "tls tcp/443");
}

/* The two hellos alone confirm TLS. */
static void test_tls_hellos_only(void **state)
{
	struct inspector *in = *state;
	struct conv c;
	struct inspect_view v;
	char buf[INSPECT_VIEW_BUFLEN];
	uint8_t b[4096];
	struct pl_rng r;

	pl_rng_seed(&r, 2);
	conv_init(&c, L4_TCP, 50124, 5061);
	handshake(in, &c);
	send_data(in, &c, CLI, b, pl_tls_client_hello(b, sizeof(b),
						       "pool01.contoso.local", &r));
	send_data(in, &c, SRV, b, pl_tls_server_hello(b, sizeof(b), &r));
	end_view(in, &c, "tls hellos 5061", &v, buf);
	assert_seen(&v, SEEN_TLS, "tls");
}

/* nDPI's "known protocol on non-standard port" is recorded, not judged. */
static void test_tls_risk_recorded(void **state)
{
	struct inspector *in = *state;
	struct conv c;
	struct inspect_view v;
	char buf[INSPECT_VIEW_BUFLEN];

	conv_init(&c, L4_TCP, 50123, 5061);
	tls_conv(in, &c, "pool01.contoso.local");
	end_view(in, &c, "tls risks", &v, buf);
	assert_seen(&v, SEEN_TLS, "tls");
	assert_true(v.risks >> RISK_NONSTD_PORT & 1);
	assert_string_equal(inspect_risk_name(RISK_NONSTD_PORT),
			    "Known Protocol on Non Standard Port");
	assert_null(inspect_risk_name(0));
	assert_null(inspect_risk_name(63));
}

/* An app nDPI names from the SNI is carried by TLS: SEEN_TLS. */
static void test_tls_sni_app(void **state)
{
	struct inspector *in = *state;
	struct conv c;
	struct inspect_view v;
	char buf[INSPECT_VIEW_BUFLEN];

	conv_init(&c, L4_TCP, 50123, 443);
	tls_conv(in, &c, "outlook.office365.com");
	end_view(in, &c, "tls sni office365", &v, buf);
	assert_seen(&v, SEEN_TLS, NULL);
	assert_string_equal(v.app_master, "tls");
	assert_true(strncmp(v.app_proto, "tls.", 4) == 0);
	assert_string_not_equal(v.app_proto, "tls.tls");
}

/* Joined mid-stream on 5061: only application data.  Whatever nDPI
 * guesses from the port (SIP), nothing is confirmed. */
static void test_tls_midstream_5061(void **state)
{
	struct inspector *in = *state;
	struct conv c;
	struct inspect_view v;
	char buf[INSPECT_VIEW_BUFLEN];
	uint8_t b[4096];
	struct pl_rng r;

	pl_rng_seed(&r, 7);
	conv_init(&c, L4_TCP, 50123, 5061);
	for (int i = 0; i < 6; i++) {
		send_data(in, &c, CLI, b, pl_tls_app_data(b, sizeof(b), 700, &r));
		send_data(in, &c, SRV, b, pl_tls_app_data(b, sizeof(b), 300, &r));
	}
	end_view(in, &c, "tls mid-stream 5061", &v, buf);
	assert_false(v.confirmed);
	assert_int_equal(v.seen, SEEN_UNKNOWN);
	assert_string_equal(v.app_proto, "failed");
	assert_null(v.app_master);
	assert_string_not_equal(v.confidence, "DPI");
}

/* ------------------------------------------------------------ SIP */

static void sip_options(struct inspector *in, struct conv *c,
			const char *transport)
{
	struct pl_sip m = {
		.method = "OPTIONS", .uri = "sip:pool01.contoso.local",
		.transport = transport, .via_host = "10.1.2.30",
		.via_port = c->port[CLI], .branch = "z9hG4bK776asdhds",
		.from = "<sip:fe01.contoso.local>", .from_tag = "1928301774",
		.to = "<sip:pool01.contoso.local>",
		.call_id = "a84b4c76e66710@10.1.2.30", .cseq = 1,
		.user_agent = "RTCC/5.0.0.0 OCS",
	};
	uint8_t b[2048];

	send_data(in, c, CLI, b, pl_sip_message(b, sizeof(b), &m));
	m.method = NULL;
	m.status = 200;
	m.reason = "OK";
	m.to_tag = "a6c85cf";
	m.cseq_method = "OPTIONS";
	send_data(in, c, SRV, b, pl_sip_message(b, sizeof(b), &m));
}

static void test_sip_tcp_5061(void **state)
{
	struct inspector *in = *state;
	struct conv c;
	struct inspect_view v;
	char buf[INSPECT_VIEW_BUFLEN];

	conv_init(&c, L4_TCP, 50200, 5061);
	handshake(in, &c);
	sip_options(in, &c, "TCP");
	end_view(in, &c, "sip tcp/5061", &v, buf);
	assert_seen(&v, SEEN_SIP, "sip");
	assert_null(v.tls_version);              /* not read from the union */
	assert_null(v.ja3);
	assert_null(v.ja3s);
}

static void test_sip_udp_5060(void **state)
{
	struct inspector *in = *state;
	struct conv c;
	struct inspect_view v;
	char buf[INSPECT_VIEW_BUFLEN];

	conv_init(&c, L4_UDP, 5060, 5060);
	sip_options(in, &c, "UDP");
	end_view(in, &c, "sip udp/5060", &v, buf);
	assert_seen(&v, SEEN_SIP, "sip");
}

/* ------------------------------------------------------------ STUN, media */

static void stun_conv(struct inspector *in, struct conv *c, bool ms_version)
{
	static const uint8_t tx[12] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };
	struct pl_addr mapped = { .family = 4, .b = { 192, 0, 2, 30 } };
	uint8_t b[512];

	send_data(in, c, CLI, b, pl_stun_binding_request(b, sizeof(b), tx,
							 ms_version));
	send_data(in, c, SRV, b, pl_stun_binding_response(b, sizeof(b), tx,
							  &mapped, 50000));
}

static void test_stun_udp_3478(void **state)
{
	struct inspector *in = *state;
	struct conv c;
	struct inspect_view v;
	char buf[INSPECT_VIEW_BUFLEN];

	conv_init(&c, L4_UDP, 50000, 3478);
	stun_conv(in, &c, false);
	end_view(in, &c, "stun udp/3478", &v, buf);
	assert_seen(&v, SEEN_STUN, "stun");
}

/* Lync's STUN with MS-VERSION: see the report for what nDPI 4.2 says. */
static void test_stun_ms_udp_3478(void **state)
{
	struct inspector *in = *state;
	struct conv c;
	struct inspect_view v;
	char buf[INSPECT_VIEW_BUFLEN];

	conv_init(&c, L4_UDP, 50000, 3478);
	stun_conv(in, &c, true);
	end_view(in, &c, "stun ms-version 3478", &v, buf);
	assert_true(v.confirmed);
	assert_true(v.seen == SEEN_STUN || v.seen == SEEN_MEDIA);
	assert_true(strncmp(v.app_proto, "stun", 4) == 0);
}

/* A Binding Request as Lync's ICE checks send it: IMPLEMENTATION-VERSION
 * (MS-ICE2 2.2.2.2, type 0x8070, value 2).  nDPI 4.2 names the flow
 * STUN.SkypeCall: media. */
static void test_stun_skypecall(void **state)
{
	struct inspector *in = *state;
	struct conv c;
	struct inspect_view v;
	char buf[INSPECT_VIEW_BUFLEN];
	uint8_t b[28] = { 0x00, 0x01, 0x00, 0x08, 0x21, 0x12, 0xa4, 0x42,
			  1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
			  0x80, 0x70, 0x00, 0x04, 0x00, 0x00, 0x00, 0x02 };

	conv_init(&c, L4_UDP, 50020, 3478);
	for (int i = 0; i < 3; i++) {
		b[19] = (uint8_t)i;
		send_data(in, &c, CLI, b, sizeof(b));
		b[0] = 0x01;                       /* Binding Success Response */
		send_data(in, &c, SRV, b, sizeof(b));
		b[0] = 0x00;
	}
	end_view(in, &c, "stun skypecall 3478", &v, buf);
	assert_seen(&v, SEEN_MEDIA, "stun.skypecall");
	assert_string_equal(v.app_master, "stun");
}

/* nDPI 4.2 has no STUN over TCP: inspected, not confirmed as STUN. */
static void test_stun_tcp_not_detected(void **state)
{
	struct inspector *in = *state;
	struct conv c;
	struct inspect_view v;
	char buf[INSPECT_VIEW_BUFLEN];

	conv_init(&c, L4_TCP, 50030, 443);
	handshake(in, &c);
	stun_conv(in, &c, true);
	end_view(in, &c, "stun tcp/443", &v, buf);
	assert_int_not_equal(v.seen, SEEN_STUN);
}

static void test_rtp_udp_50000(void **state)
{
	struct inspector *in = *state;
	struct conv c;
	struct inspect_view v;
	char buf[INSPECT_VIEW_BUFLEN];
	struct pl_rtp h[2] = {
		{ .pt = 0, .seq = 1000, .ts = 160000, .ssrc = 0x11223344 },
		{ .pt = 0, .seq = 5000, .ts = 960000, .ssrc = 0x55667788 },
	};
	struct pl_rng r;
	uint8_t b[512];

	pl_rng_seed(&r, 3);
	conv_init(&c, L4_UDP, 50010, 50000);
	for (int i = 0; i < 10; i++) {
		for (int s = CLI; s <= SRV; s++) {
			send_data(in, &c, s, b, pl_rtp(b, sizeof(b), &h[s], 160, &r));
			h[s].seq++;
			h[s].ts += 160;
		}
	}
	end_view(in, &c, "rtp udp/50000", &v, buf);
	assert_seen(&v, SEEN_MEDIA, NULL);
}

/* ------------------------------------------------------------ Windows */

static void test_dcerpc_135(void **state)
{
	struct inspector *in = *state;
	struct conv c;
	struct inspect_view v;
	char buf[INSPECT_VIEW_BUFLEN];
	uint8_t b[512];

	conv_init(&c, L4_TCP, 50300, 135);
	handshake(in, &c);
	send_data(in, &c, CLI, b, pl_dcerpc_bind(b, sizeof(b), 1,
		  "e1af8308-5d1f-11c9-91a4-08002b14a0fa", 3, 0));
	send_data(in, &c, SRV, b, pl_dcerpc_bind_ack(b, sizeof(b), 1, 0x1234,
						      "135"));
	end_view(in, &c, "dcerpc tcp/135", &v, buf);
	assert_seen(&v, SEEN_DCERPC, "dce_rpc");
}

static void test_smb2_445(void **state)
{
	struct inspector *in = *state;
	struct conv c;
	struct inspect_view v;
	char buf[INSPECT_VIEW_BUFLEN];
	struct pl_rng r;
	uint8_t b[1024];

	pl_rng_seed(&r, 4);
	conv_init(&c, L4_TCP, 50400, 445);
	handshake(in, &c);
	send_data(in, &c, CLI, b, pl_smb2_negotiate_request(b, sizeof(b), &r));
	send_data(in, &c, SRV, b, pl_smb2_negotiate_response(b, sizeof(b),
				  132000000000000000ull, &r));
	end_view(in, &c, "smb2 tcp/445", &v, buf);
	assert_seen(&v, SEEN_SMB, "netbios.smbv23");
	assert_string_equal(v.app_master, "netbios");
}

static void test_dhcp_67_68(void **state)
{
	struct inspector *in = *state;
	struct conv c;
	struct inspect_view v;
	char buf[INSPECT_VIEW_BUFLEN];
	struct pl_dhcp d = {
		.type = PL_DHCPINFORM, .xid = 0x3903f326,
		.chaddr = { 0x00, 0x15, 0x5d, 0x01, 0x02, 0x03 },
		.ciaddr = { 10, 1, 2, 30 }, .hostname = "phone01",
	};
	uint8_t b[1024];

	conv_init(&c, L4_UDP, 68, 67);
	send_data(in, &c, CLI, b, pl_dhcp(b, sizeof(b), &d));
	d.type = PL_DHCPACK;
	memcpy(d.server_id, c.addr[SRV], 4);
	d.sip_server = "pool01.contoso.local";
	d.web_fqdn = "webpool.contoso.local";
	d.domain = "contoso.local";
	send_data(in, &c, SRV, b, pl_dhcp(b, sizeof(b), &d));
	end_view(in, &c, "dhcp udp/67", &v, buf);
	assert_seen(&v, SEEN_DHCP, "dhcp");
}

/* ------------------------------------------------------------ HTTP */

static void check_http_on(void **state, uint16_t port, const char *what)
{
	struct inspector *in = *state;
	struct conv c;
	struct inspect_view v;
	char buf[INSPECT_VIEW_BUFLEN];
	uint8_t b[2048];

	conv_init(&c, L4_TCP, 50500, port);
	handshake(in, &c);
	send_data(in, &c, CLI, b, pl_http_get(b, sizeof(b),
		  "webpool.contoso.local", "/abs/handler",
		  "Microsoft Lync 2013"));
	send_data(in, &c, SRV, b, pl_http_response(b, sizeof(b), 200, "OK",
		  "text/plain", "hello"));
	end_view(in, &c, what, &v, buf);
	assert_seen(&v, SEEN_HTTP, NULL);
	assert_true(strcmp(v.app_proto, "http") == 0 ||
		    strcmp(v.app_master, "http") == 0);
}

static void test_http_80(void **state)
{
	check_http_on(state, 80, "http tcp/80");
}

static void test_http_443(void **state)
{
	check_http_on(state, 443, "http tcp/443");
}

/* ------------------------------------------------------------ others */

static void test_dns_other_clear(void **state)
{
	struct inspector *in = *state;
	struct conv c;
	struct inspect_view v;
	char buf[INSPECT_VIEW_BUFLEN];
	struct pl_dns q = {
		.id = 0x1234, .name = "_sipinternaltls._tcp.contoso.local",
		.type = PL_DNS_SRV, .srv_port = 5061,
		.srv_target = "pool01.contoso.local", .ttl = 3600,
	};
	uint8_t b[512];

	conv_init(&c, L4_UDP, 50600, 53);
	send_data(in, &c, CLI, b, pl_dns_query(b, sizeof(b), &q));
	send_data(in, &c, SRV, b, pl_dns_response(b, sizeof(b), &q));
	end_view(in, &c, "dns udp/53", &v, buf);
	assert_seen(&v, SEEN_OTHER_CLEAR, "dns");
}

static void test_ssh_other(void **state)
{
	struct inspector *in = *state;
	struct conv c;
	struct inspect_view v;
	char buf[INSPECT_VIEW_BUFLEN];
	struct pl_rng r;
	uint8_t b[2048];

	pl_rng_seed(&r, 5);
	conv_init(&c, L4_TCP, 50700, 5061);
	handshake(in, &c);
	send_data(in, &c, CLI, b, pl_ssh_banner(b, sizeof(b), "OpenSSH_8.9"));
	send_data(in, &c, SRV, b, pl_ssh_banner(b, sizeof(b), "OpenSSH_9.2"));
	send_data(in, &c, CLI, b, pl_ssh_kexinit(b, sizeof(b), &r));
	send_data(in, &c, SRV, b, pl_ssh_kexinit(b, sizeof(b), &r));
	end_view(in, &c, "ssh tcp/5061", &v, buf);
	assert_seen(&v, SEEN_OTHER, "ssh");
}

/* nDPI 4.2 has no SQL Browser dissector: inspected, not confirmed. */
static void test_sqlbrowser_1434(void **state)
{
	struct inspector *in = *state;
	struct conv c;
	struct inspect_view v;
	char buf[INSPECT_VIEW_BUFLEN];
	struct pl_sql_instance inst = { "RTC", "11.0.2100.60", 50001 };
	uint8_t b[512];

	conv_init(&c, L4_UDP, 50800, 1434);
	send_data(in, &c, CLI, b, pl_sqlbrowser_request(b, sizeof(b)));
	send_data(in, &c, SRV, b, pl_sqlbrowser_response(b, sizeof(b),
							  "SQL01", &inst, 1));
	end_view(in, &c, "sql browser udp/1434", &v, buf);
	assert_false(v.confirmed);
	assert_int_equal(v.seen, SEEN_UNKNOWN);
	assert_string_equal(v.app_proto, "failed");
}

/* ------------------------------------------------------------ life cycle */

/* 10,000 SYN-only flows: nothing allocated, nothing inspected. */
static void test_syn_flood_allocates_nothing(void **state)
{
	struct inspector *in = *state;
	struct inspect_stats st;
	struct inspect_view v;
	char buf[INSPECT_VIEW_BUFLEN];
	struct conv c;

	for (unsigned i = 0; i < 10000; i++) {
		conv_init(&c, L4_TCP, (uint16_t)(1024 + i), 5061);
		send_flags(in, &c, CLI, TCPF_SYN, NULL, 0);
		assert_null(c.f.insp);
		inspect_flow_end(in, &c.f);
	}
	inspect_get_stats(in, &st);
	assert_int_equal(st.live_states, 0);
	assert_int_equal(st.peak_states, 0);
	assert_int_equal(st.flows_inspected, 0);
	assert_int_equal(st.pkts_fed, 0);
	inspect_view(in, &c.f, &v, buf, sizeof(buf));
	assert_int_equal(v.seen, SEEN_NONE);
	assert_null(v.app_proto);
	assert_null(v.confidence);
}

/* A decided flow frees its state at once and ignores later packets. */
static void test_state_freed_when_decided(void **state)
{
	struct inspector *in = *state;
	struct inspect_stats st;
	struct conv c;
	uint8_t b[512];
	uint64_t fed;

	conv_init(&c, L4_TCP, 50300, 135);
	handshake(in, &c);
	send_data(in, &c, CLI, b, pl_dcerpc_bind(b, sizeof(b), 1,
		  "e1af8308-5d1f-11c9-91a4-08002b14a0fa", 3, 0));
	send_data(in, &c, SRV, b, pl_dcerpc_bind_ack(b, sizeof(b), 1, 0x1234,
						      "135"));
	assert_true(c.f.insp_done);
	assert_null(c.f.insp);
	inspect_get_stats(in, &st);
	assert_int_equal(st.flows_inspected, 1);
	assert_int_equal(st.decided, 1);
	assert_int_equal(st.gave_up, 0);
	assert_int_equal(st.live_states, 0);
	assert_int_equal(st.peak_states, 1);
	fed = st.pkts_fed;
	send_data(in, &c, CLI, b, 100);
	inspect_get_stats(in, &st);
	assert_int_equal(st.pkts_fed, fed);
	assert_int_equal(st.live_states, 0);
}

/* The metadata phase after a confirmation: `extra` more payload packets
 * (the synthetic handshakes carry no certificate, so nDPI would go on to
 * the budget), none with extra 0, and at most max_extra flows at once. */
static void hello_and_more(struct inspector *in, struct conv *c, int more)
{
	uint8_t b[4096];
	struct pl_rng r;

	pl_rng_seed(&r, 5);
	handshake(in, c);
	send_data(in, c, CLI, b, pl_tls_client_hello(b, sizeof(b),
						      "pool01.contoso.local", &r));
	for (int i = 0; i < more; i++)
		send_data(in, c, i & 1 ? CLI : SRV, b,
			  pl_tls_app_data(b, sizeof(b), 300, &r));
}

/* Ends c and copies what nDPI said of it that a stale state would change:
 * the app, the host, the JA3. */
static void view_text(struct inspector *in, struct conv *c, char *out,
		      size_t len)
{
	struct inspect_view v;
	char buf[INSPECT_VIEW_BUFLEN];

	inspect_flow_end(in, &c->f);
	inspect_view(in, &c->f, &v, buf, sizeof(buf));
	snprintf(out, len, "%s|%s|%s|%s", v.app_proto ? v.app_proto : "-",
		 v.host ? v.host : "-", v.ja3 ? v.ja3 : "-",
		 v.confidence ? v.confidence : "-");
	inspect_release(&c->f);
}

/* Freed states are zeroed before they serve again (STATE_SPARE kept):
 * 300 TLS flows live at once, ended, then 300 flows, SIP and TLS with
 * other names, in the blocks they left; each reads what a flow in a new
 * inspector reads (fails when a reused block keeps its old bytes). */
static void test_states_reused(void **state)
{
	struct inspector *in = *state, *fresh = inspect_new(BUDGET);
	struct conv *c = calloc(300, sizeof(*c));
	struct inspect_stats st;
	char sni[64], got[256], want_sip[256], want_tls[256];
	uint8_t b[4096];
	struct pl_rng r;

	assert_non_null(fresh);
	assert_non_null(c);
	conv_init(&c[0], L4_UDP, 5060, 5060);
	sip_options(fresh, &c[0], "UDP");
	view_text(fresh, &c[0], want_sip, sizeof(want_sip));
	conv_init(&c[0], L4_TCP, 40000, 443);
	tls_conv(fresh, &c[0], "new.contoso.local");
	view_text(fresh, &c[0], want_tls, sizeof(want_tls));
	inspect_free(fresh);
	for (int i = 0; i < 300; i++) {
		conv_init(&c[i], L4_TCP, (uint16_t)(40000 + i), 443);
		snprintf(sni, sizeof(sni), "old%d.example.org", i);
		pl_rng_seed(&r, (uint64_t)i + 7);
		handshake(in, &c[i]);
		send_data(in, &c[i], CLI, b, pl_tls_client_hello(b, sizeof(b),
							      sni, &r));
	}
	inspect_get_stats(in, &st);
	assert_int_equal(st.live_states, 300);
	for (int i = 0; i < 300; i++)
		view_text(in, &c[i], got, sizeof(got));
	for (int i = 0; i < 300; i++) {
		if (i & 1) {
			conv_init(&c[i], L4_UDP, 5060, 5060);
			sip_options(in, &c[i], "UDP");
		} else {
			conv_init(&c[i], L4_TCP, 40000, 443);
			tls_conv(in, &c[i], "new.contoso.local");
		}
		view_text(in, &c[i], got, sizeof(got));
		assert_string_equal(got, i & 1 ? want_sip : want_tls);
	}
	free(c);
}

/* The names nDPI read stay with the flow until inspect_release: the
 * view copies them out, so it outlives the release. */
static void check_names(struct inspector *in, struct conv *c, bool server_hello)
{
	struct inspect_view v;
	char buf[INSPECT_VIEW_BUFLEN];

	inspect_view(in, &c->f, &v, buf, sizeof(buf));
	assert_non_null(c->f.meta);
	inspect_release(&c->f);
	assert_null(c->f.meta);
	assert_non_null(v.host);
	assert_string_equal(v.host, "pool01.contoso.local");
	assert_non_null(v.ja3);
	assert_int_equal(strlen(v.ja3), 32);
	if (server_hello)
		assert_non_null(v.tls_version);
}

static void test_metadata_phase(void **state)
{
	struct inspector *in = *state;
	struct inspect_stats st;
	struct conv c1, c2;

	/* default: the hello confirms, 4 more packets, then decided */
	conv_init(&c1, L4_TCP, 50400, 5061);
	hello_and_more(in, &c1, INSPECT_DEFAULT_EXTRA - 1);
	assert_non_null(c1.f.insp);
	send_data(in, &c1, SRV, (uint8_t[64]){ 0x17, 3, 3, 0, 59 }, 64);
	assert_null(c1.f.insp);
	assert_true(c1.f.insp_done);
	inspect_get_stats(in, &st);
	assert_int_equal(st.pkts_fed, 1 + INSPECT_DEFAULT_EXTRA);
	assert_int_equal(st.decided, 1);
	assert_int_equal(st.confirmed, 1);
	assert_int_equal(st.extra_live, 0);
	check_names(in, &c1, false);

	/* extra 0: freed at the hello, which names the host already */
	inspect_set_extra(in, 0, INSPECT_DEFAULT_MAX_EXTRA);
	conv_init(&c1, L4_TCP, 50401, 5061);
	hello_and_more(in, &c1, 0);
	assert_null(c1.f.insp);
	assert_true(c1.f.insp_done);
	inspect_get_stats(in, &st);
	assert_int_equal(st.pkts_fed, 2 + INSPECT_DEFAULT_EXTRA);
	check_names(in, &c1, false);

	/* one flow in the phase at most: the second skips it, counted */
	inspect_set_extra(in, 4, 1);
	conv_init(&c1, L4_TCP, 50402, 5061);
	conv_init(&c2, L4_TCP, 50403, 5061);
	hello_and_more(in, &c1, 1);
	hello_and_more(in, &c2, 0);
	assert_non_null(c1.f.insp);
	assert_null(c2.f.insp);
	inspect_get_stats(in, &st);
	assert_int_equal(st.extra_cut, 1);
	assert_int_equal(st.extra_live, 1);
	assert_int_equal(st.confirmed, 3);
	inspect_flow_end(in, &c1.f);
	inspect_get_stats(in, &st);
	assert_int_equal(st.extra_live, 0);
	check_names(in, &c1, false);
	check_names(in, &c2, false);
}

/* A whole TLS conversation: the server's hello gives the version and its
 * JA3; a SIP flow (nDPI's per-protocol union holds other facts) gets no
 * TLS names. */
static void test_tls_names(void **state)
{
	struct inspector *in = *state;
	struct conv c;
	struct inspect_view v;
	char buf[INSPECT_VIEW_BUFLEN];

	conv_init(&c, L4_TCP, 50410, 5061);
	tls_conv(in, &c, "pool01.contoso.local");
	end_view(in, &c, "tls names", &v, buf);
	assert_string_equal(v.host, "pool01.contoso.local");
	assert_string_equal(v.tls_version, "TLSv1.2");
	assert_int_equal(strlen(v.ja3), 32);
	assert_int_equal(strlen(v.ja3s), 32);
	assert_null(c.f.meta);
}

/* An undecided flow keeps its state until inspect_flow_end frees it. */
static void test_flow_end_frees_undecided(void **state)
{
	struct inspector *in = *state;
	struct inspect_stats st;
	struct conv c;
	struct pl_rng r;
	uint8_t b[256];

	pl_rng_seed(&r, 9);
	conv_init(&c, L4_UDP, 40000, 40001);
	pl_rng_fill(&r, b, sizeof(b));
	send_data(in, &c, CLI, b, sizeof(b));
	assert_non_null(c.f.insp);
	inspect_get_stats(in, &st);
	assert_int_equal(st.live_states, 1);
	inspect_flow_end(in, &c.f);
	inspect_flow_end(in, &c.f);                 /* twice: harmless */
	assert_null(c.f.insp);
	inspect_get_stats(in, &st);
	assert_int_equal(st.live_states, 0);
	assert_int_equal(st.gave_up, 1);
	assert_int_equal(st.failed, 1);
}

/* Random bytes: fed exactly BUDGET packets, then given up. */
static void test_budget(void **state)
{
	struct inspector *in = *state;
	struct inspect_stats st;
	struct inspect_view v;
	char buf[INSPECT_VIEW_BUFLEN];
	struct conv c;
	struct pl_rng r;
	uint8_t b[300];

	pl_rng_seed(&r, 11);
	conv_init(&c, L4_TCP, 41000, 41001);
	handshake(in, &c);
	for (int i = 0; i < BUDGET + 10; i++) {
		pl_rng_fill(&r, b, sizeof(b));
		send_data(in, &c, i & 1, b, sizeof(b));
		assert_int_equal(c.f.insp_done, i + 1 >= BUDGET);
	}
	inspect_get_stats(in, &st);
	assert_int_equal(st.pkts_fed, BUDGET);
	assert_int_equal(st.gave_up, 1);
	assert_int_equal(st.live_states, 0);
	inspect_view(in, &c.f, &v, buf, sizeof(buf));
	assert_string_equal(v.app_proto, "failed");
	assert_int_equal(v.seen, SEEN_UNKNOWN);
}

/* A datagram captured short (snaplen) is not fed and allocates nothing. */
static void test_short_capture_not_fed(void **state)
{
	struct inspector *in = *state;
	struct inspect_stats st;
	struct conv c;
	struct pkt p;
	uint8_t b[100] = { 0x45 };

	conv_init(&c, L4_UDP, 40000, 40001);
	memset(&p, 0, sizeof(p));
	p.l3 = b;
	p.l3_len = sizeof(b);
	p.ip_len = 1500;
	p.payload = b + 28;
	p.payload_len = sizeof(b) - 28;
	inspect_packet(in, &c.f, &p, DIR_BA);
	assert_null(c.f.insp);
	inspect_get_stats(in, &st);
	assert_int_equal(st.short_skipped, 1);
	assert_int_equal(st.flows_inspected, 0);
}

/* At max_states, a new flow is not given a state until one is freed. */
static void test_max_states(void **state)
{
	struct inspector *in = *state;
	struct inspect_stats st;
	struct conv c1, c2;
	uint8_t b[64] = { 0 };

	inspect_set_max_states(in, 1);
	conv_init(&c1, L4_UDP, 40000, 40001);
	conv_init(&c2, L4_UDP, 40002, 40003);
	send_data(in, &c1, CLI, b, sizeof(b));
	send_data(in, &c2, CLI, b, sizeof(b));
	assert_non_null(c1.f.insp);
	assert_null(c2.f.insp);
	inspect_get_stats(in, &st);
	assert_int_equal(st.limited, 1);
	inspect_flow_end(in, &c1.f);
	send_data(in, &c2, CLI, b, sizeof(b));
	assert_non_null(c2.f.insp);
	inspect_flow_end(in, &c2.f);
	inspect_get_stats(in, &st);
	assert_int_equal(st.flows_inspected, 2);
	assert_int_equal(st.peak_states, 1);
}

/* nDPI is fed the IPv6 header as well: SIP over UDP/IPv6. */
static void test_sip_udp_ipv6(void **state)
{
	static const struct pl_sip m = {
		.method = "OPTIONS", .uri = "sip:pool01.contoso.local",
		.transport = "UDP", .via_host = "[2001:db8::30]",
		.via_port = 5060, .branch = "z9hG4bK776asdhds",
		.from = "<sip:fe01.contoso.local>", .from_tag = "1928301774",
		.to = "<sip:pool01.contoso.local>",
		.call_id = "a84b4c76e66710@2001:db8::30", .cseq = 1,
		.user_agent = "RTCC/5.0.0.0 OCS",
	};
	struct inspector *in = *state;
	struct inspect_view v;
	char buf[INSPECT_VIEW_BUFLEN];
	struct flow f;
	struct pkt p;
	uint8_t b[2048] = { 0x60 };
	size_t n = pl_sip_message(b + 48, sizeof(b) - 48, &m);

	assert_true(n > 0);
	put16(b + 4, (uint16_t)(8 + n));            /* payload length */
	b[6] = L4_UDP;
	b[7] = 64;
	b[8] = 0x20, b[9] = 0x01, b[10] = 0x0d, b[11] = 0xb8, b[23] = 0x30;
	b[24] = 0x20, b[25] = 0x01, b[26] = 0x0d, b[27] = 0xb8, b[39] = 0x10;
	put16(b + 40, 5060);
	put16(b + 42, 5060);
	put16(b + 44, (uint16_t)(8 + n));
	memset(&f, 0, sizeof(f));
	memset(&p, 0, sizeof(p));
	p.ipver = 6;
	p.l4 = L4_UDP;
	p.l3 = b;
	p.l3_len = p.ip_len = (uint32_t)(48 + n);
	p.payload = b + 48;
	p.payload_len = (uint32_t)n;
	inspect_packet(in, &f, &p, DIR_AB);
	inspect_flow_end(in, &f);
	inspect_view(in, &f, &v, buf, sizeof(buf));
	show(in, "sip udp/5060 ipv6", &v);
	assert_seen(&v, SEEN_SIP, "sip");
}

/* A NULL inspector (--no-dpi) ignores everything. */
static void test_null_inspector(void **state)
{
	struct inspect_stats st;
	struct inspect_view v;
	char buf[INSPECT_VIEW_BUFLEN];
	struct conv c;
	uint8_t b[64] = { 0 };

	(void)state;
	conv_init(&c, L4_UDP, 5060, 5060);
	send_data(NULL, &c, CLI, b, sizeof(b));
	inspect_flow_end(NULL, &c.f);
	assert_null(c.f.insp);
	assert_false(c.f.insp_done);
	inspect_view(NULL, &c.f, &v, buf, sizeof(buf));
	assert_int_equal(v.seen, SEEN_NONE);
	assert_null(v.app_proto);
	inspect_get_stats(NULL, &st);
	assert_int_equal(st.flows_inspected, 0);
	inspect_free(NULL);
}

static void test_new_rejects_bad_budget(void **state)
{
	(void)state;
	assert_null(inspect_new(0));
	assert_null(inspect_new(INSPECT_MAX_BUDGET + 1));
}

/* A view buffer too small for a name leaves that name NULL. */
static void test_view_small_buffer(void **state)
{
	struct inspector *in = *state;
	struct conv c;
	struct inspect_view v;
	char buf[4];

	conv_init(&c, L4_UDP, 5060, 5060);
	sip_options(in, &c, "UDP");
	inspect_flow_end(in, &c.f);
	inspect_view(in, &c.f, &v, buf, 3);
	assert_null(v.app_proto);
	assert_int_equal(v.seen, SEEN_SIP);
	inspect_view(in, &c.f, &v, buf, sizeof(buf));
	assert_string_equal(v.app_proto, "sip");
}

static void lower(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

/* The view's names of (app, master) pairs come from the inspector's memo:
 * over pairs that share its slots, in a random order, twice, each reads
 * what nDPI names it (fails when the memo's key drops app or master). */
static void test_view_names_memo(void **state)
{
	struct inspector *in = *state;
	struct ndpi_detection_module_struct *mod =
		ndpi_init_detection_module(ndpi_no_prefs);
	uint64_t r = 0x2545f4914f6cdd1dull;

	assert_non_null(mod);
	ndpi_finalize_initialization(mod);
	for (int i = 0; i < 4000; i++) {
		struct flow f;
		struct inspect_view v;
		char buf[INSPECT_VIEW_BUFLEN], want[INSPECT_VIEW_BUFLEN];
		ndpi_protocol pr = NDPI_PROTOCOL_NULL;

		r ^= r << 13, r ^= r >> 7, r ^= r << 17;
		memset(&f, 0, sizeof(f));
		f.app = (uint16_t)(1 + r % 40);         /* 1..40 */
		f.app_master = (uint16_t)((r >> 20) % 8 == 0 ? 0 :
					  1 + (r >> 24) % 40);
		f.app_confidence = NDPI_CONFIDENCE_DPI;
		f.insp_done = 1;
		inspect_view(in, &f, &v, buf, sizeof(buf));
		pr.app_protocol = f.app;
		pr.master_protocol = f.app_master;
		ndpi_protocol2name(mod, pr, want, sizeof(want));
		lower(want);
		assert_string_equal(v.app_proto, want);
		if (f.app_master == 0) {
			assert_null(v.app_master);
		} else {
			snprintf(want, sizeof(want), "%s",
				 ndpi_get_proto_name(mod, f.app_master));
			lower(want);
			assert_string_equal(v.app_master, want);
		}
	}
	ndpi_exit_detection_module(mod);
}

static void test_seen_names(void **state)
{
	(void)state;
	assert_string_equal(inspect_seen_name(SEEN_NONE), "none");
	assert_string_equal(inspect_seen_name(SEEN_MEDIA), "media");
	assert_string_equal(inspect_seen_name(SEEN_OTHER_CLEAR), "other-clear");
	assert_string_equal(inspect_seen_name(SEEN_OTHER), "other");
	assert_string_equal(inspect_seen_name((enum seen_app)99), "?");
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_tls_5061), T(test_tls_8057), T(test_tls_444),
		T(test_tls_4443), T(test_tls_443), T(test_tls_hellos_only), T(test_tls_risk_recorded), T(test_tls_sni_app),
		T(test_tls_midstream_5061),
		T(test_sip_tcp_5061), T(test_sip_udp_5060),
		T(test_stun_udp_3478), T(test_stun_ms_udp_3478),
		T(test_stun_skypecall), T(test_stun_tcp_not_detected),
		T(test_rtp_udp_50000),
		T(test_dcerpc_135), T(test_smb2_445), T(test_dhcp_67_68),
		T(test_http_80), T(test_http_443),
		T(test_dns_other_clear), T(test_ssh_other),
		T(test_sqlbrowser_1434),
		T(test_syn_flood_allocates_nothing),
		T(test_state_freed_when_decided),
		T(test_flow_end_frees_undecided), T(test_metadata_phase), T(test_tls_names),
		T(test_budget),
		T(test_short_capture_not_fed), T(test_max_states),
		T(test_sip_udp_ipv6),
		cmocka_unit_test(test_null_inspector),
		cmocka_unit_test(test_new_rejects_bad_budget),
		T(test_view_small_buffer),
		cmocka_unit_test(test_seen_names),
		T(test_view_names_memo),
		T(test_states_reused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
