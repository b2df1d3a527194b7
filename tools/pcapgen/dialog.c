/* dialog.c: the application dialogs of pcapgen's scenes, built from the
 * messages of payloads.c: TLS, SIP, RTP/RTCP, STUN, HTTP, DNS and the
 * Windows services (see build.h). */
#include <stdio.h>
#include <string.h>

#include "build.h"

/* ------------------------------------------------------------------ TLS */

/* SIP sign-in: REGISTER, 401, REGISTER, 200, SUBSCRIBE, 200 (sizes as
 * Lync 2013 writes them); PSOM; a web page; MTLS between servers. */
const size_t tls_signin[6] = { 905, 742, 1620, 1340, 1105, 2870 };
const size_t tls_psom[4] = { 610, 420, 1800, 3900 };
const size_t tls_web[2] = { 520, 2400 };
const size_t tls_mtls[2] = { 1210, 530 };

void script_tls_hellos(struct out *o, struct script *s, const char *sni)
{
	push(o, s, C2S, pl_tls_client_hello(ROOM(s), sni, &o->rng),
	     "ClientHello");
	push(o, s, S2C, pl_tls_server_hello(ROOM(s), &o->rng), "ServerHello");
}

void script_tls_app(struct out *o, struct script *s, const size_t *app,
		    int napp)
{
	for (int i = 0; i < napp; i++)
		push(o, s, i % 2 == 0 ? C2S : S2C,
		     pl_tls_app_data(ROOM(s), app[i], &o->rng), "app data");
}

void script_tls(struct out *o, struct script *s, const char *sni,
		const size_t *app, int napp)
{
	script_tls_hellos(o, s, sni);
	push(o, s, C2S, pl_tls_client_finish(ROOM(s), &o->rng),
	     "client Finished");
	push(o, s, S2C, pl_tls_server_finish(ROOM(s), &o->rng),
	     "server Finished");
	script_tls_app(o, s, app, napp);
}

void tls_flow(struct out *o, const struct ep *c, const struct ep *srv,
	      const char *sni, const size_t *app, int napp)
{
	static struct script s;

	script_reset(&s);
	script_tls(o, &s, sni, app, napp);
	tcp_conversation(o, c, srv, &s);
}

/* ------------------------------------------------------------------ SIP */

size_t sip_build(uint8_t *buf, size_t cap, const struct sip_call *k,
		 const char *method, int status, const char *reason,
		 const char *cseq_method, const char *body, const char *extra)
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

void script_sip_request(struct out *o, struct script *s,
			const struct sip_call *k, const char *method)
{
	push(o, s, C2S, sip_build(ROOM(s), k, method, 0, NULL, method, NULL,
				  NULL), method);
}

void script_sip_options(struct out *o, struct script *s,
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
void script_sip_register(struct out *o, struct script *s,
			 const struct sip_call *k)
{
	push(o, s, C2S, sip_build(ROOM(s), k, "REGISTER", 0, NULL, "REGISTER",
				  NULL, "Expires: 3600\r\n"), "REGISTER");
	push(o, s, S2C, sip_build(ROOM(s), k, NULL, 200, "OK", "REGISTER",
				  NULL, "Expires: 3600\r\n"), "200 OK");
}

/* INVITE with an SDP offer, 100 Trying, 200 OK with the answer, ACK. */
void script_sip_invite(struct out *o, struct script *s,
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

/* ------------------------------------------------------------ RTP, RTCP */

void rtcp_send(struct out *o, const struct rtp_stream *st)
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

void rtp_send(struct out *o, struct rtp_stream *st)
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

void rtp_call(struct out *o, const struct ep *a, const struct ep *b,
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

/* ----------------------------------------------------------------- STUN */

size_t rfc4571(uint8_t *start, size_t n)
{
	if (n == 0 || n > 65535)
		return 0;
	put16(start, (unsigned)n);
	return n + 2;
}

void script_stun(struct out *o, struct script *s, bool ms, bool tcp,
		 const struct pl_addr *mapped, uint16_t port)
{
	uint8_t txid[12];

	for (int i = 0; i < STUN_CHECKS; i++) {
		pl_rng_fill(&o->rng, txid, sizeof(txid));
		push(o, s, C2S, tcp ? rfc4571(s->data + s->used,
			pl_stun_binding_request(ROOM_AT(s, 2), txid, ms))
			: pl_stun_binding_request(ROOM(s), txid, ms),
		     "STUN request");
		push(o, s, S2C, tcp ? rfc4571(s->data + s->used,
			pl_stun_binding_response(ROOM_AT(s, 2), txid, mapped,
						 port))
			: pl_stun_binding_response(ROOM(s), txid, mapped, port),
		     "STUN response");
	}
}

void stun_binding(struct out *o, const struct ep *c, const struct ep *srv,
		  bool ms)
{
	static struct script s;

	script_reset(&s);
	script_stun(o, &s, ms, false, &c->h->a, c->port);
	udp_exchange(o, c, srv, &s);
}

/* ---------------------------------------------------- other application */

size_t opaque(uint8_t *buf, size_t cap, size_t n, struct pl_rng *rng)
{
	if (n > cap)
		return 0;
	pl_rng_fill(rng, buf, n);
	return n;
}

void script_http(struct out *o, struct script *s, const struct http_x *x)
{
	push(o, s, C2S, pl_http_get(ROOM(s), x->host, x->path, x->ua), "GET");
	push(o, s, S2C, pl_http_response(ROOM(s), x->status, x->reason,
					 x->ctype, x->body), "HTTP response");
}

void script_http_meet(struct out *o, struct script *s, const char *host)
{
	script_http(o, s, &(struct http_x){ host, "/meet/", UA_BROWSER, 400,
		"Bad Request", "text/html", "<h1>Bad Request</h1>" });
}

void script_dns(struct out *o, struct script *s, const struct pl_dns *q)
{
	push(o, s, C2S, pl_dns_query(ROOM(s), q), "DNS query");
	push(o, s, S2C, pl_dns_response(ROOM(s), q), "DNS answer");
}

void script_dcerpc(struct out *o, struct script *s, uint32_t call_id,
		   const char *uuid, uint16_t ver_major, uint16_t ver_minor,
		   uint32_t assoc_group)
{
	push(o, s, C2S, pl_dcerpc_bind(ROOM(s), call_id, uuid, ver_major,
				       ver_minor), "bind");
	push(o, s, S2C, pl_dcerpc_bind_ack(ROOM(s), call_id, assoc_group,
					   "135"), "bind_ack");
}

void script_smb2(struct out *o, struct script *s, uint64_t filetime)
{
	push(o, s, C2S, pl_smb2_negotiate_request(ROOM(s), &o->rng),
	     "NEGOTIATE");
	push(o, s, S2C, pl_smb2_negotiate_response(ROOM(s), filetime, &o->rng),
	     "NEGOTIATE response");
}

void script_sqlbrowser(struct out *o, struct script *s, const char *server,
		       const struct pl_sql_instance *inst, int n)
{
	push(o, s, C2S, pl_sqlbrowser_request(ROOM(s)), "CLNT_UCAST_EX");
	push(o, s, S2C, pl_sqlbrowser_response(ROOM(s), server, inst, n),
	     "SVR_RESP");
}

void script_ssh(struct out *o, struct script *s, const char *server_sw,
		const char *client_sw)
{
	push(o, s, S2C, pl_ssh_banner(ROOM(s), server_sw), "SSH banner");
	push(o, s, C2S, pl_ssh_banner(ROOM(s), client_sw), "SSH banner");
	push(o, s, S2C, pl_ssh_kexinit(ROOM(s), &o->rng), "KEXINIT");
	push(o, s, C2S, pl_ssh_kexinit(ROOM(s), &o->rng), "KEXINIT");
}

void script_rdp(struct out *o, struct script *s, const char *user)
{
	push(o, s, C2S, pl_rdp_connect_request(ROOM(s), user), "X.224 CR");
	push(o, s, S2C, pl_rdp_connect_confirm(ROOM(s)), "X.224 CC");
}
