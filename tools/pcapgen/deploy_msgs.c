/* deploy_msgs.c: what the deploy scene's flows carry: cleartext SIP
 * between servers, TLS with its handshake or mid-stream, ICE checks, RTP
 * and RTCP, TDS, DHCP and the other classes' dialogs (see deploy.c). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "deploy.h"
#include "tlscert.h"

/* ------------------------------------------------------------- messages */

/* Names a flow's SIP dialog: From/To/URI from the hosts, unique ids. */
struct sip_names {
	char from[64], to[64], uri[96], call_id[48], branch[32];
};

static void sip_names(struct sip_names *n, const struct ep *c,
		      const struct ep *s, uint64_t i, char tag)
{
	snprintf(n->from, sizeof(n->from), "<sip:%s.contoso.test>", c->h->name);
	snprintf(n->to, sizeof(n->to), "<sip:%s.contoso.test>", s->h->name);
	snprintf(n->uri, sizeof(n->uri), "sip:%s.contoso.test:%u;transport=tcp",
		 s->h->name, s->port);
	snprintf(n->call_id, sizeof(n->call_id), "%c%08" PRIx64 "c0a8e1f2", tag,
		 i);
	snprintf(n->branch, sizeof(n->branch), "z9hG4bK%c%08" PRIx64, tag, i);
}

/* One SIP message of transaction k in direction dir (of the flow). */
static void sip_push(struct deploy *d, int dir, const struct sip_call *k,
		     const char *method, int status, const char *reason,
		     const char *cseq, const char *body, const char *extra)
{
	struct script *s = &d->s;

	push(&d->o, s, dir, sip_build(ROOM(s), k, method, status, reason,
				      cseq, body, extra),
	     method != NULL ? method : "SIP response");
}

/* A transaction of k whose requests go in direction dir: the request,
 * then 200 OK (INVITE: 100, 200 with SDP, ACK). */
static void sip_transaction(struct deploy *d, int dir, const struct sip_call *k,
			    const char *method)
{
	char sdp[1024];

	if (strcmp(method, "INVITE") != 0) {
		sip_push(d, dir, k, method, 0, NULL, method, NULL,
			 strcmp(method, "OPTIONS") == 0 ?
			 "Accept: application/sdp\r\n" : NULL);
		sip_push(d, !dir, k, NULL, 200, "OK", method, NULL, NULL);
		return;
	}
	if (pl_sdp_audio(sdp, sizeof(sdp), &k->c->h->a, 49852, 2201) == 0)
		fatal(d->o.path, "SDP does not fit");
	sip_push(d, dir, k, "INVITE", 0, NULL, "INVITE", sdp,
		 "Supported: ms-early-media\r\n");
	sip_push(d, !dir, k, NULL, 100, "Trying", "INVITE", NULL, NULL);
	if (pl_sdp_audio(sdp, sizeof(sdp), &k->s->h->a, 51234, 7812) == 0)
		fatal(d->o.path, "SDP does not fit");
	sip_push(d, !dir, k, NULL, 200, "OK", "INVITE", sdp, NULL);
	sip_push(d, dir, k, "ACK", 0, NULL, "ACK", NULL, NULL);
}

/* Cleartext SIP between two servers (or a gateway and a server) on one
 * connection: OPTIONS both ways, sometimes an RFC 5626 double-CRLF ping
 * and its CRLF pong, a call set up from either side and its BYE. */
static void msgs_sip(struct deploy *d, const struct dflow *f, uint64_t i,
		     uint32_t g)
{
	struct sip_names na, nb;
	const struct ep *a = &f->t.ep[C2S], *b = &f->t.ep[S2C];
	struct sip_call ka = { .transport = "TCP", .c = a, .s = b,
		.ua = "RTCC/5.0.0.0", .server = "RTCC/5.0.0.0" };
	struct sip_call kb = ka;
	struct script *s = &d->s;

	sip_names(&na, a, b, i, 'a');
	sip_names(&nb, b, a, i, 'b');
	ka.from = na.from, ka.to = na.to, ka.uri = na.uri;
	ka.call_id = na.call_id, ka.branch = na.branch;
	kb.c = b, kb.s = a;
	kb.from = nb.from, kb.to = nb.to, kb.uri = nb.uri;
	kb.call_id = nb.call_id, kb.branch = nb.branch;
	sip_transaction(d, C2S, &ka, "OPTIONS");
	if (g % 3 == 0) {
		memcpy(s->data + s->used, "\r\n\r\n", 4);
		push(&d->o, s, C2S, 4, "ping");
		memcpy(s->data + s->used, "\r\n", 2);
		push(&d->o, s, S2C, 2, "pong");
	}
	sip_transaction(d, S2C, &kb, "OPTIONS");
	if (g % 7 < 3) {                   /* presence, call control, IM */
		static const char *const other[] = { "NOTIFY", "INFO",
			"SUBSCRIBE", "MESSAGE", "SERVICE" };
		bool from_a = (g >> 6) % 2 == 0;
		sip_transaction(d, from_a ? C2S : S2C, from_a ? &ka : &kb,
				other[(g >> 7) % 5]);
	}
	if (g % 5 < 3) {
		bool from_a = (g >> 4) % 2 == 0;
		sip_transaction(d, from_a ? C2S : S2C, from_a ? &ka : &kb,
				"INVITE");
		sip_transaction(d, from_a ? S2C : C2S, from_a ? &ka : &kb,
				"BYE");
	}
}

/* TLS records captured mid-stream: 3 to 9 messages, each of 1 to 3
 * application_data records, from either side first. */
/* An application_data record of TLS 1.0 or 1.1 (version 0x0301 or
 * 0x0302) with a CBC cipher and HMAC-SHA1: `plain` bytes + 20 of MAC,
 * padded to the 16-byte block (TLS 1.1: an explicit 16-byte IV first). */
static size_t tls_cbc_record(uint8_t *buf, size_t cap, uint16_t version,
			     size_t plain, struct pl_rng *rng)
{
	size_t body = ((plain + 20) / 16 + 1) * 16 + (version > 0x0301 ? 16 : 0);

	if (cap < 5 + body)
		return 0;
	buf[0] = 23;
	put16(buf + 1, version);
	put16(buf + 3, (unsigned)body);
	pl_rng_fill(rng, buf + 5, body);
	return 5 + body;
}

/* TLS records captured mid-stream: 3 to 9 messages, each of 1 to 3
 * application_data records, from either side first; TLS 1.2 (AES-GCM)
 * on most connections, TLS 1.0 or 1.1 (CBC) on a quarter of them, as
 * Lync 2013 servers of the time negotiated. */
static void msgs_tls_mid(struct deploy *d, uint32_t g)
{
	struct script *s = &d->s;
	struct pl_rng *r = &d->o.rng;
	int n = 3 + (int)(g % 7), dir = (int)((g >> 3) % 2);
	uint32_t vv = pl_rng_u32(r) % 20;
	uint16_t version = vv < 4 ? 0x0301 : vv == 4 ? 0x0302 : 0x0303;

	for (int k = 0; k < n; k++, dir = !dir) {
		size_t len = 0;
		int recs = 1 + (int)(pl_rng_u32(r) % 3);
		for (int j = 0; j < recs; j++) {
			uint32_t v = pl_rng_u32(r);
			size_t plain = v % 8 == 0 ? 1500 + v % 3000 : 20 + v % 1400;
			size_t rl = version == 0x0303 ?
				pl_tls_app_data(ROOM_AT(s, len), plain, r) :
				tls_cbc_record(ROOM_AT(s, len), version, plain, r);
			if (rl == 0)
				fatal(d->o.path, "TLS records do not fit");
			len += rl;
		}
		push(&d->o, s, dir, len, "TLS records");
	}
}

static const size_t *const tls_sizes[] = { tls_signin, tls_mtls, tls_psom,
					    tls_web };
static const int tls_nsizes[] = { NELEM(tls_signin), NELEM(tls_mtls),
				  NELEM(tls_psom), NELEM(tls_web) };

/* A full TLS 1.2 handshake: ClientHello; ServerHello, Certificate,
 * ServerKeyExchange, (mutual: CertificateRequest,) ServerHelloDone; the
 * client's flight (mutual: with its Certificate and CertificateVerify);
 * the server's ChangeCipherSpec and Finished. */
static void tls_handshake(struct deploy *d, const struct dflow *f,
			  const char *sni, bool mutual)
{
	struct out *o = &d->o;
	struct script *s = &d->s;
	char cn[96];
	size_t n;

	push(o, s, C2S, pl_tls_client_hello(ROOM(s), sni, &o->rng),
	     "ClientHello");
	n = pl_tls_server_hello(ROOM(s), &o->rng);
	if (n > 0)
		n += pl_tls_server_flight(ROOM_AT(s, n), sni, mutual, &o->rng);
	push(o, s, S2C, n, "server hello flight");
	snprintf(cn, sizeof(cn), "%s.contoso.test", f->t.ep[C2S].h->name);
	push(o, s, C2S, mutual ? pl_tls_client_cert_flight(ROOM(s), cn, &o->rng)
			       : pl_tls_client_finish(ROOM(s), &o->rng),
	     "client Finished");
	push(o, s, S2C, pl_tls_server_finish(ROOM(s), &o->rng),
	     "server Finished");
}

static void msgs_tls(struct deploy *d, const struct dflow *f, bool mid,
		     uint32_t g)
{
	char sni[96];
	const struct host *srv = f->t.ep[S2C].h;

	if (mid) {
		msgs_tls_mid(d, g);
		return;
	}
	snprintf(sni, sizeof(sni), "%s.%s", srv->name,
		 srv->roles != NULL ? "contoso.test" : "example.net");
	tls_handshake(d, f, sni, f->c->tls == TS_MTLS);
	script_tls_app(&d->o, &d->s, tls_sizes[f->c->tls],
		       tls_nsizes[f->c->tls]);
}

/* TDS PRELOGIN (MS-TDS 2.2.6.5) from the client, and the server's answer
 * (a tabular result carrying the same option layout): VERSION,
 * ENCRYPTION, INSTOPT, THREADID, MARS, terminator. */
static size_t tds_prelogin(uint8_t *buf, size_t cap, bool server)
{
	static const uint8_t opts[] = {
		0x00, 0x00, 0x1a, 0x00, 0x06, 0x01, 0x00, 0x20, 0x00, 0x01,
		0x02, 0x00, 0x21, 0x00, 0x01, 0x03, 0x00, 0x22, 0x00, 0x04,
		0x04, 0x00, 0x26, 0x00, 0x01, 0xff };
	static const uint8_t cli[] = { 0x0b, 0x00, 0x08, 0x4a, 0x00, 0x00,
		0x02, 0x00, 0x00, 0x00, 0x11, 0x1c, 0x00 };
	static const uint8_t srv[] = { 0x0b, 0x00, 0x08, 0x4a, 0x00, 0x00,
		0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 };
	size_t len = 8 + sizeof(opts) + sizeof(cli);

	if (cap < len)
		return 0;
	buf[0] = server ? 0x04 : 0x12;     /* tabular result : PRELOGIN */
	buf[1] = 0x01;                     /* end of message */
	put16(buf + 2, (unsigned)len);
	put16(buf + 4, 0);                 /* SPID */
	buf[6] = 1;                        /* packet id */
	buf[7] = 0;                        /* window */
	memcpy(buf + 8, opts, sizeof(opts));
	memcpy(buf + 8 + sizeof(opts), server ? srv : cli, sizeof(cli));
	return len;
}

/* A DHCP REQUEST renewing the phone's lease, unicast, and the ACK. */
static void msgs_dhcp(struct deploy *d, const struct dflow *f, uint64_t i)
{
	struct script *s = &d->s;
	const struct host *ph = f->t.ep[C2S].h, *rtr = f->t.ep[S2C].h;
	struct pl_dhcp m = { .type = PL_DHCPREQUEST, .xid = (uint32_t)i,
		.hostname = "CX600", .lease_s = 86400,
		.netmask = { 255, 255, 0, 0 }, .router = { 198, 19, 255, 254 },
		.dns = { 198, 18, 30, 53 }, .domain = "contoso.test",
		.sip_server = "pool01.contoso.test",
		.web_fqdn = "pool01.contoso.test" };

	memcpy(m.chaddr, ph->mac, 6);
	memcpy(m.ciaddr, ph->a.b, 4);
	push(&d->o, s, C2S, pl_dhcp(ROOM(s), &m), "DHCPREQUEST");
	m.type = PL_DHCPACK;
	memcpy(m.yiaddr, ph->a.b, 4);
	memcpy(m.server_id, rtr->a.b, 4);
	push(&d->o, s, S2C, pl_dhcp(ROOM(s), &m), "DHCPACK");
}

/* ICE connectivity checks of a peer-to-peer call: each side checks the
 * other (MS-ICE2 binding requests with MS-VERSION), the initiator first. */
static void msgs_ice_both(struct deploy *d, const struct dflow *f)
{
	struct script *s = &d->s;
	uint8_t txid[12];

	for (int k = 0; k < 4; k++) {
		int dir = k % 2 == 0 ? C2S : S2C;
		const struct ep *from = &f->t.ep[dir];
		pl_rng_fill(&d->o.rng, txid, sizeof(txid));
		push(&d->o, s, dir, pl_stun_binding_request(ROOM(s), txid,
			true), "STUN request");
		push(&d->o, s, !dir, pl_stun_binding_response(ROOM(s), txid,
			&from->h->a, from->port), "STUN response");
	}
}

/* The other kinds' messages (media gets its RTP as it is sent). */
static void msgs_other(struct deploy *d, const struct dflow *f, uint64_t i,
		       uint32_t g)
{
	static const struct pl_sql_instance inst = {
		"RTCLOCAL", "11.0.2100.60", 49361 };
	struct out *o = &d->o;
	struct script *s = &d->s;
	const struct ep *c = &f->t.ep[C2S], *srv = &f->t.ep[S2C];
	char host[96], name[64];
	struct pl_dns q = { .id = (uint16_t)g, .name = name, .type = PL_DNS_A,
			    .addr = d->h[D_INET1 + g % 4].a, .ttl = 300 };
	struct sip_names n;
	struct sip_call k = { .transport = f->c->udp ? "UDP" : "TCP",
		.c = c, .s = srv, .ua = "UCCAPI/15.0.4481.1000 OC/15.0.4481.1000",
		.server = "RTC/5.0" };

	snprintf(host, sizeof(host), "%s.contoso.test:%u", srv->h->name,
		 srv->port);
	sip_names(&n, c, srv, i, 'c');
	k.from = n.from, k.to = n.to, k.uri = n.uri;
	k.call_id = n.call_id, k.branch = n.branch;
	switch (f->c->kind) {
	case K_SIP_OPTIONS:
		script_sip_options(o, s, &k);
		break;
	case K_SIP_CLEAR:
		script_sip_register(o, s, &k);
		break;
	case K_SIP_UDP:                    /* Timer A retransmissions */
		for (int r = 0; r < 3; r++)
			script_sip_request(o, s, &k, "OPTIONS");
		break;
	case K_HTTP:
		script_http(o, s, &(struct http_x){ host,
			srv->port == 8080 ?
			"/CertProv/CertProvisioningService.svc/mex" : "/status",
			srv->port == 8080 ? "Microsoft Lync Phone Edition"
					  : UA_BROWSER, 200, "OK", "text/plain",
			"ok\n" });
		break;
	case K_HTTP_443:
		script_http_meet(o, s, host);
		break;
	case K_STUN:
	case K_MEDIA_SRV:
		script_stun(o, s, true, false, &c->h->a, c->port);
		break;
	case K_MEDIA_P2P:
		msgs_ice_both(d, f);
		break;
	case K_DCERPC:
		script_dcerpc(o, s, 2, "000001a0-0000-0000-c000-000000000046",
			      0, 0, 0x0001c8f3);
		break;
	case K_SMB:
		script_smb2(o, s, FILETIME_T0 + o->ts_us * 10);
		break;
	case K_SQLB:
		script_sqlbrowser(o, s, "FE1", &inst, 1);
		break;
	case K_DHCP:
		msgs_dhcp(d, f, i);
		break;
	case K_DNS:
		snprintf(name, sizeof(name), "host%u.example.net", g % 5000);
		script_dns(o, s, &q);
		break;
	case K_RDP:
		script_rdp(o, s, "admin");
		script_tls_hellos(o, s, NULL);
		break;
	case K_SSH:
		script_ssh(o, s, "OpenSSH_for_Windows_8.1", "PuTTY_Release_0.81");
		break;
	case K_TDS:
		push(o, s, C2S, tds_prelogin(ROOM(s), false), "PRELOGIN");
		push(o, s, S2C, tds_prelogin(ROOM(s), true), "PRELOGIN response");
		break;
	case K_OPAQUE:
		push(o, s, C2S, opaque(ROOM(s), 180, &o->rng), "data");
		push(o, s, S2C, opaque(ROOM(s), 64, &o->rng), "data");
		break;
	default:                           /* K_RTP_BARE, K_MEDIA_GW */
		break;
	}
}

/* ---------------------------------------------------------------- media */

/* RTP of kind k: payload type, payload bytes, packets in all. */
void media_plan(struct deploy *d, struct dflow *f, uint32_t g)
{
	uint8_t pt = 114;                  /* Lync RTAudio wideband */
	uint16_t plen = 73, n = (uint16_t)(40 + g % 160);
	uint32_t rate = 16000;

	switch (f->c->kind) {
	case K_MEDIA_GW:
		pt = 0, plen = 160, rate = 8000;   /* G.711 from the gateway */
		break;
	case K_MEDIA_SRV:
		if (f->t.ep[S2C].port > 57500)
			pt = 122, plen = 900, n = (uint16_t)(80 + g % 220),
			rate = 90000;      /* video */
		break;
	case K_RTP_BARE:
		n = (uint16_t)(10 + g % 20);
		break;
	case K_MEDIA_P2P:
		break;
	default:
		return;
	}
	f->rtp_left = n;
	f->rtp_plen = plen;
	f->rtp_rate = rate;
	f->rtp_dir = f->c->kind == K_MEDIA_GW ? (uint8_t)((g >> 9) % 2) : C2S;
	for (int dir = 0; dir < 2; dir++)
		f->rtp[dir] = (struct pl_rtp){ .pt = pt, .marker = true,
			.seq = (uint16_t)pl_rng_u32(&d->o.rng),
			.ts = pl_rng_u32(&d->o.rng),
			.ssrc = pl_rng_u32(&d->o.rng) };
}

/* The next media packet: RTP, or every 40th of a direction an RTCP
 * compound SR on the same ports (rtcp-mux, RFC 5761).  The RTP clock
 * follows the capture's: the scene interleaves 100,000 flows, so a
 * stream's packets are as far apart as the schedule puts them, and a
 * timestamp stepped by a fixed frame would be jitter (90 ms and more
 * for G.711, as tshark measures it) that the answers do not mean. */
void media_send(struct deploy *d, struct dflow *f)
{
	struct out *o = &d->o;
	int dir = f->rtp_dir;
	struct pl_rtp *h = &f->rtp[dir];
	uint8_t buf[1200];
	size_t len;

	if (f->rtp_sent[dir] % 40 == 39) {
		struct pl_rtcp_sr sr = { .ssrc = h->ssrc,
			.ntp_sec = T0_SEC + 2208988800u +
				   (uint32_t)(o->ts_us / 1000000u),
			.rtp_ts = h->ts, .packets = f->rtp_sent[dir],
			.octets = (uint32_t)f->rtp_sent[dir] * f->rtp_plen,
			.cname = f->t.ep[dir].h->name };
		len = pl_rtcp_sr(buf, sizeof(buf), &sr);
	} else {
		if (f->rtp_sent[dir] == 0) {
			f->rtp_ts0[dir] = h->ts;
			f->rtp_t0[dir] = o->ts_us;
		}
		h->ts = f->rtp_ts0[dir] + (uint32_t)((o->ts_us - f->rtp_t0[dir]) *
						     f->rtp_rate / 1000000u);
		len = pl_rtp(buf, sizeof(buf), h, f->rtp_plen, &o->rng);
		h->marker = false;
		h->seq++;
	}
	if (len == 0)
		fatal(o->path, "media does not fit");
	udp_send(o, &f->t.ep[dir], &f->t.ep[!dir], buf, len);
	f->rtp_sent[dir]++;
	f->rtp_left--;
	if (f->c->kind != K_RTP_BARE)
		f->rtp_dir = (uint8_t)!dir;
}

void deploy_msgs(struct deploy *d, const struct dflow *f, uint64_t i,
		 uint32_t g, bool mid)
{
	if (f->c->kind == K_TLS)
		msgs_tls(d, f, mid, g);
	else if (f->c->kind == K_SIP)
		msgs_sip(d, f, i, g);
	else
		msgs_other(d, f, i, g);
}
