/* bench.c: the bench scene (bench/run.sh): a large Lync-like mix. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build.h"
#include "scenes.h"

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

	switch (k) {
	case BK_SIP_TLS:
	case BK_SRV_TLS:
		script_tls(o, s, k == BK_SIP_TLS ? "pool01.contoso.test"
						 : "fe1.contoso.test", tls_short,
			   NELEM(tls_short));
		break;
	case BK_HTTPS:
		script_tls_hellos(o, s, "pool01.contoso.test");
		script_tls_app(o, s, tls_page, NELEM(tls_page));
		break;
	case BK_HTTP:
		script_http(o, s, &(struct http_x){ "pool01.contoso.test:8080",
			"/CertProv/CertProvisioningService.svc/mex",
			"Microsoft Lync Phone Edition", 200, "OK", "text/plain",
			"ok\n" });
		break;
	case BK_SIP_TCP:                   /* REGISTER: see rows_sip() */
		script_sip_register(o, s, &sip);
		break;
	case BK_STUN:
		script_stun(o, s, true, false, &c.h->a, 50020);
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
		script_dns(o, s, &q);
		break;
	case BK_DCERPC:
		script_dcerpc(o, s, 2, "000001a0-0000-0000-c000-000000000046",
			      0, 0, 0x0001c8f3);
		break;
	case BK_SMB:
		script_smb2(o, s, FILETIME_T0);
		break;
	case BK_SQLB:
		script_sqlbrowser(o, s, "FE1", &inst, 1);
		break;
	case BK_SSH:
		script_ssh(o, s, "OpenSSH_for_Windows_8.1", "PuTTY_Release_0.81");
		break;
	case BK_RDP:
		script_rdp(o, s, "admin");
		break;
	case BK_UDP_ODD:
		push(o, s, C2S, opaque(ROOM(s), 48, &o->rng), "data");
		break;
	case BK_HTTP_443:
		script_http_meet(o, s, "fe1.contoso.test:443");
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
	uint32_t h = mix30((uint32_t)i), g = mix30((uint32_t)i ^ 0x15555555u);
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
		uint32_t h = mix30((uint32_t)i);  /* 15 + 15 bits */
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
/* argv: OUT.pcap [PACKETS [FLOWS [WINDOW [GAP_US [PREFILL]]]]] */
int scene_bench(int argc, char **argv)
{
	static struct bench b;
	uint64_t packets = 5000000, window, prefill = 0;
	uint32_t gap = 20;
	const char *path = argv[0];

	b.nflows = 500000;
	if (argc > 1)
		packets = num_arg("PACKETS", argv[1], 1, 4000000000u);
	if (argc > 2)
		b.nflows = num_arg("FLOWS", argv[2], 100, 1u << 30);
	window = b.nflows / 5;
	if (argc > 3)
		window = num_arg("WINDOW", argv[3], 1, 1u << 30);
	if (argc > 4)
		gap = (uint32_t)num_arg("GAP_US", argv[4], 1, 1000000);
	if (argc > 5)
		prefill = num_arg("PREFILL", argv[5], 0, 1u << 29);
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
