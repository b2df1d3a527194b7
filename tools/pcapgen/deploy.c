/* deploy.c: the deploy scene: a deployment-scale capture of a Lync 2013
 * site with its inventory and the known answer for every flow.
 *
 *   pcapgen deploy OUT.pcap OUT.inventory OUT.answers [FLOWS]
 *
 * FLOWS flows (default 20,000) of the classes of deploy_classes[], in
 * their proportions: SIP/TLS and MTLS, PSOM, HTTPS (40% of the TLS
 * connections and 30% of the cleartext SIP ones captured mid-stream: no
 * handshake, only records or messages, about a third of all TCP flows;
 * full handshakes carry certificates, mutual between servers), cleartext
 * SIP over TCP between servers and gateways with requests in both
 * directions, STUN to the Edge, media (client to server, gateway to
 * Mediation, and peer-to-peer between clients after ICE checks), the
 * Windows services, what an audit must catch, and ordinary traffic of
 * hosts that are not Lync servers.  Some connections are still open at
 * the end.  About 2,000 + FLOWS/50 flows are in progress at once (each
 * packet comes from one of them picked at random), one packet every
 * 20 us; 100,000 flows make about 3.2 million packets.
 *
 * The answers file has one line per flow, tab-separated: client_ip
 * client_port server_ip server_port proto verdict flags rule class, where
 * verdict, flags and rule are what the product brief (docs/product.md,
 * "Verdicts") says the flow must get with the inventory: flags a comma
 * list or -, rule the id of the row the flow is meant to carry (or - when
 * no Lync row is meant), class the name of its class below.  The server
 * side is the documented one; for peer-to-peer media it is the receiver
 * of the flow's first packet.  As in the other scenes, the vendor's port
 * numbers are written here as the scene's data (the C of src/ never
 * holds them).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deploy.h"
#include "scenes.h"

static const struct host_def deploy_defs[D_N] = {
	[D_POOL]   = { "pool01", "front-end-lb", "198.18.10.10", 0xc6120a0a, 128 },
	[D_FE1]    = { "fe1", "front-end,cms", "198.18.10.11", 0xc6120a0b, 128 },
	[D_FE2]    = { "fe2", "front-end", "198.18.10.12", 0xc6120a0c, 128 },
	[D_FE3]    = { "fe3", "front-end", "198.18.10.13", 0xc6120a0d, 128 },
	[D_FE4]    = { "fe4", "front-end", "198.18.10.14", 0xc6120a0e, 128 },
	[D_DIRVIP] = { "dirpool", "director-lb", "198.18.10.19", 0xc6120a13, 128 },
	[D_DIR1]   = { "dir1", "director", "198.18.10.20", 0xc6120a14, 128 },
	[D_DIR2]   = { "dir2", "director", "198.18.10.21", 0xc6120a15, 128 },
	[D_MED1]   = { "med1", "mediation", "198.18.10.30", 0xc6120a1e, 128 },
	[D_MED2]   = { "med2", "mediation", "198.18.10.31", 0xc6120a1f, 128 },
	[D_EDGE]   = { "edge1-int", "edge", "198.18.10.60", 0xc6120a3c, 128 },
	[D_PCHAT]  = { "pchat1", "persistent-chat", "198.18.10.40", 0xc6120a28, 128 },
	[D_OWA]    = { "owa1", "office-web-apps", "198.18.10.50", 0xc6120a32, 128 },
	[D_RP]     = { "rp1", "reverse-proxy", "198.18.40.10", 0xc612280a, 128 },
	[D_GW1]    = { "gw1", "pstn-gateway", "198.18.20.5", 0xc6121405, 64 },
	[D_GW2]    = { "gw2", "pstn-gateway", "198.18.20.6", 0xc6121406, 64 },
	[D_RTR]    = { "dhcp1", NULL, "198.18.30.67", 0xc6121e43, 128 },
	[D_DNS]    = { "dns1", NULL, "198.18.30.53", 0xc6121e35, 128 },
	[D_WEB1]   = { "intranet1", NULL, "198.18.30.80", 0xc6121e50, 64 },
	[D_WEB2]   = { "intranet2", NULL, "198.18.30.81", 0xc6121e51, 64 },
	[D_INET1]  = { "www1", NULL, "198.18.200.10", 0xc612c80a, 64 },
	[D_INET2]  = { "www2", NULL, "198.18.200.20", 0xc612c814, 64 },
	[D_INET3]  = { "www3", NULL, "198.18.201.30", 0xc612c91e, 64 },
	[D_INET4]  = { "cdn1", NULL, "198.18.202.40", 0xc612ca28, 64 },
	[D_RDP]    = { "jump1", NULL, "198.18.30.33", 0xc6121e21, 128 },
	[D_SQL]    = { "sql1", NULL, "198.18.30.14", 0xc6121e0e, 128 },
	[D_SSH]    = { "ssh1", NULL, "198.18.30.22", 0xc6121e16, 64 },
};

#define CL { H_CLIENT }, 1
#define P1(port, rule) { { port, rule } }, 1

static const struct deploy_class deploy_classes[] = {
	/* SIP over TLS, MTLS, PSOM, HTTPS: ok */
	{ "sip-tls-client-pool", 90, K_TLS, false, CL, { D_POOL }, 1,
	  P1(5061, "hlb-01"), 0, 0, "ok", "-", TS_SIGNIN },
	{ "sip-tls-client-fe", 55, K_TLS, false, CL,
	  { D_FE1, D_FE2, D_FE3, D_FE4 }, 4, P1(5061, "srv-03"), 0, 0,
	  "ok", "-", TS_SIGNIN },
	{ "sip-tls-client-dir", 25, K_TLS, false, CL, { D_DIR1, D_DIR2 }, 2,
	  P1(5061, "srv-45"), 0, 0, "ok", "-", TS_SIGNIN },
	{ "sip-tls-client-dirpool", 10, K_TLS, false, CL, { D_DIRVIP }, 1,
	  P1(5061, "hlb-19"), 0, 0, "ok", "-", TS_SIGNIN },
	{ "mtls-fe-fe", 45, K_TLS, false, { D_FE1, D_FE2, D_FE3 }, 3,
	  { D_FE2, D_FE3, D_FE4 }, 3, P1(5061, "srv-03"), 0, 0, "ok", "-",
	  TS_MTLS },
	{ "mtls-fe-dir", 15, K_TLS, false, { D_FE1, D_FE2, D_FE3 }, 3,
	  { D_DIR1, D_DIR2 }, 2, P1(5061, "srv-45"), 0, 0, "ok", "-",
	  TS_MTLS },
	{ "psom-client-fe", 40, K_TLS, false, CL,
	  { D_FE1, D_FE2, D_FE3, D_FE4 }, 4, P1(8057, "srv-07"), 0, 0,
	  "ok", "-", TS_PSOM },
	{ "https-client-pool", 45, K_TLS, false, CL, { D_POOL }, 1,
	  P1(443, "hlb-06"), 0, 0, "ok", "-", TS_WEB },
	{ "https-client-fe", 20, K_TLS, false, CL, { D_FE1, D_FE2 }, 2,
	  P1(443, "srv-12"), 0, 0, "ok", "-", TS_WEB },
	{ "https-owa", 25, K_TLS, false, { H_CLIENT, D_FE1, D_FE2 }, 3,
	  { D_OWA }, 1, P1(443, "srv-40"), 0, 0, "ok", "-", TS_WEB },
	{ "https-fe-dir-444", 10, K_TLS, false, { D_FE1, D_FE2, D_FE3 }, 3,
	  { D_DIR1, D_DIR2 }, 2, P1(444, "srv-42"), 0, 0, "ok", "-", TS_WEB },
	{ "https-dir-fe-444", 10, K_TLS, false, { D_DIR1, D_DIR2 }, 2,
	  { D_FE1, D_FE2, D_FE3, D_FE4 }, 4, P1(444, "srv-04"), 0, 0, "ok",
	  "-", TS_WEB },
	{ "https-fe-fe-4443", 5, K_TLS, false, { D_FE1, D_FE2 }, 2,
	  { D_FE3, D_FE4 }, 2, P1(4443, "srv-14"), 0, 0, "ok", "-", TS_WEB },
	{ "https-rp-pool-4443", 10, K_TLS, false, { D_RP }, 1, { D_POOL }, 1,
	  P1(4443, "hlb-07"), 0, 0, "ok", "-", TS_WEB },
	{ "mtls-fe-pchat", 10, K_TLS, false, { D_FE1, D_FE2 }, 2,
	  { D_PCHAT }, 1, P1(5041, "srv-50"), 0, 0, "ok", "-", TS_MTLS },
	{ "https-client-pchat", 5, K_TLS, false, CL, { D_PCHAT }, 1,
	  P1(443, "srv-52"), 0, 0, "ok", "-", TS_WEB },
	{ "tls-gw-med-5067", 10, K_TLS, false, { D_GW1, D_GW2 }, 2,
	  { D_MED1, D_MED2 }, 2, P1(5067, "srv-47"), 0, 0, "ok", "-",
	  TS_MTLS },
	{ "mtls-fe-med-5070", 10, K_TLS, false, { D_FE1, D_FE2, D_FE3 }, 3,
	  { D_MED1, D_MED2 }, 2, P1(5070, "srv-49"), 0, 0, "ok", "-",
	  TS_MTLS },
	/* cleartext SIP over TCP between servers and gateways: ok */
	{ "sip-gw-med", 40, K_SIP, false, { D_GW1, D_GW2 }, 2,
	  { D_MED1, D_MED2 }, 2, P1(5068, "srv-48"), 0, 0, "ok", "-", 0 },
	{ "sip-fe-med", 30, K_SIP, false, { D_FE1, D_FE2, D_FE3 }, 3,
	  { D_MED1, D_MED2 }, 2, P1(5070, "srv-46"), 0, 0, "ok", "-", 0 },
	{ "sip-fe-apps", 30, K_SIP, false, { D_FE1, D_FE2, D_FE3 }, 3,
	  { D_FE2, D_FE3, D_FE4 }, 3,
	  { { 5062, "srv-06" }, { 5063, "srv-09" }, { 5064, "srv-20" },
	    { 5065, "srv-27" }, { 5071, "srv-33" }, { 5072, "srv-21" },
	    { 5073, "srv-29" }, { 5075, "srv-30" }, { 5076, "srv-31" } }, 9,
	  0, 0, "ok", "-", 0 },
	{ "sip-static-route-5060", 10, K_SIP_OPTIONS, false,
	  { D_DIR1, D_DIR2 }, 2, { D_FE1, D_FE2 }, 2, P1(5060, "srv-02"),
	  0, 0, "notice", "optional-port", 0 },
	/* media and STUN: ok */
	{ "stun-client-edge", 40, K_STUN, true, CL, { D_EDGE }, 1,
	  P1(3478, "cli-05"), 0, 0, "ok", "-", 0 },
	{ "media-client-fe-audio", 50, K_MEDIA_SRV, true, CL,
	  { D_FE1, D_FE2, D_FE3, D_FE4 }, 4, P1(0, "srv-39"), 49152, 57500,
	  "ok", "-", 0 },
	{ "media-client-fe-video", 15, K_MEDIA_SRV, true, CL,
	  { D_FE1, D_FE2, D_FE3, D_FE4 }, 4, P1(0, "srv-10"), 57501, 65535,
	  "ok", "-", 0 },
	{ "media-gw-med", 20, K_MEDIA_GW, true, { D_GW1, D_GW2 }, 2,
	  { D_MED1, D_MED2 }, 2, P1(0, "srv-39"), 49152, 57500, "ok", "-",
	  0 },
	{ "media-p2p", 80, K_MEDIA_P2P, true, CL, { H_PEER }, 1,
	  P1(0, "cli-08"), 0, 0, "ok", "-", 0 },
	/* Windows services and provisioning: ok */
	{ "dcerpc-fe-fe", 10, K_DCERPC, false, { D_FE2, D_FE3, D_FE4 }, 3,
	  { D_FE1 }, 1, P1(135, "srv-05"), 0, 0, "ok", "-", 0 },
	{ "smb-fe-cms", 10, K_SMB, false, { D_FE2, D_FE3, D_FE4 }, 3,
	  { D_FE1 }, 1, P1(445, "srv-37"), 0, 0, "ok", "-", 0 },
	{ "sqlbrowser-fe", 10, K_SQLB, true, { D_FE2, D_DIR1, D_MED1 }, 3,
	  { D_FE1, D_FE3 }, 2, P1(1434, "srv-01"), 0, 0, "ok", "-", 0 },
	{ "dhcp-phone", 5, K_DHCP, true, CL, { D_RTR }, 1,
	  P1(67, "cli-12"), 0, 0, "ok", "-", 0 },
	{ "http-cert-client-pool", 5, K_HTTP, false, CL, { D_POOL }, 1,
	  P1(8080, "hlb-05"), 0, 0, "ok", "-", 0 },
	{ "http-client-fe", 5, K_HTTP, false, CL, { D_FE3, D_FE4 }, 2,
	  P1(80, "srv-11"), 0, 0, "ok", "-", 0 },
	/* what the audit must catch */
	{ "http-on-tls-port", 6, K_HTTP_443, false, CL, { D_FE1, D_FE2 }, 2,
	  P1(443, "srv-12"), 0, 0, "violation", "app-mismatch", 0 },
	{ "sip-clear-on-tls-port", 6, K_SIP_CLEAR, false, CL,
	  { D_FE3, D_FE4 }, 2, P1(5061, "srv-03"), 0, 0, "violation",
	  "app-mismatch", 0 },
	{ "rtp-on-stun-port", 6, K_RTP_BARE, true, CL, { D_EDGE }, 1,
	  P1(3478, "cli-05"), 0, 0, "violation", "app-mismatch", 0 },
	{ "sip-udp-on-tcp-port", 5, K_SIP_UDP, true, CL, { D_FE1, D_FE2 }, 2,
	  P1(5061, "-"), 0, 0, "violation", "wrong-transport", 0 },
	{ "rdp-to-lync-server", 3, K_RDP, false, CL, { D_FE2, D_MED1 }, 2,
	  P1(3389, "-"), 0, 0, "violation", "undocumented-port", 0 },
	{ "ssh-to-lync-server", 3, K_SSH, false, CL, { D_FE3, D_DIR2 }, 2,
	  P1(22, "-"), 0, 0, "violation", "undocumented-port", 0 },
	{ "opaque-to-lync-server", 2, K_OPAQUE, false, CL, { D_DIR1 }, 1,
	  P1(8443, "-"), 0, 0, "violation", "undocumented-port", 0 },
	{ "psom-to-director", 5, K_TLS, false, CL, { D_DIR1, D_DIR2 }, 2,
	  P1(8057, "srv-07"), 0, 0, "violation", "role-mismatch", TS_PSOM },
	/* ordinary traffic of hosts that are not Lync servers */
	{ "https-internet", 90, K_TLS, false, CL,
	  { D_INET1, D_INET2, D_INET3, D_INET4 }, 4, P1(443, "-"), 0, 0,
	  "ok", "-", TS_WEB },
	{ "http-intranet", 40, K_HTTP, false, CL, { D_WEB1, D_WEB2 }, 2,
	  P1(80, "-"), 0, 0, "ok", "-", 0 },
	{ "dns", 60, K_DNS, true, CL, { D_DNS }, 1, P1(53, "-"), 0, 0,
	  "unclassified", "-", 0 },
	{ "rdp-intranet", 6, K_RDP, false, CL, { D_RDP, H_PEER }, 2,
	  P1(3389, "-"), 0, 0, "notice", "-", 0 },
	{ "tds-intranet", 8, K_TDS, false, CL, { D_SQL }, 1, P1(1433, "-"),
	  0, 0, "notice", "-", 0 },
	{ "http-8000-client", 6, K_HTTP, false, CL, { H_PEER }, 1,
	  P1(8000, "-"), 0, 0, "notice", "-", 0 },
	{ "ssh-intranet", 5, K_SSH, false, CL, { D_SSH }, 1, P1(22, "-"),
	  0, 0, "unclassified", "-", 0 },
};

#define NCLASSES NELEM(deploy_classes)

static void deploy_class_table(struct deploy *d)
{
	struct pl_rng r;
	unsigned total = 0, n = 0;

	for (int k = 0; k < NCLASSES; k++)
		total += deploy_classes[k].weight;
	for (int k = 0; k < NCLASSES; k++) {
		unsigned w = deploy_classes[k].weight * KIND_TABLE / total;
		for (unsigned j = 0; j < (w > 0 ? w : 1) && n < KIND_TABLE; j++)
			d->class_of[n++] = (uint8_t)k;
	}
	for (unsigned k = 0; n < KIND_TABLE; k = (k + 1) % NCLASSES)
		d->class_of[n++] = (uint8_t)k;   /* rounding: the first ones */
	pl_rng_seed(&r, 0x6465706c);
	for (int i = KIND_TABLE - 1; i > 0; i--) {
		int j = (int)(pl_rng_u32(&r) % (uint32_t)(i + 1));
		uint8_t t = d->class_of[i];
		d->class_of[i] = d->class_of[j];
		d->class_of[j] = t;
	}
}

/* A client of 198.19.0.0/16 from 16 bits; MAC 02:00:c6:13:hi:lo. */
static void client_host(struct host *h, uint32_t bits, const char *name)
{
	memset(h, 0, sizeof(*h));
	h->name = name;
	h->roles = "client";
	h->ttl = 128;
	h->a.family = 4;
	h->a.b[0] = 198;
	h->a.b[1] = 19;
	h->a.b[2] = (uint8_t)(bits >> 8);
	h->a.b[3] = (uint8_t)bits;
	if (h->a.b[2] == 255 || bits % 65536 == 0) /* the router's, .0.0 */
		h->a.b[2] = 254;
	h->mac[0] = 0x02;
	h->mac[2] = 0xc6;
	h->mac[3] = 0x13;
	h->mac[4] = h->a.b[2];
	h->mac[5] = h->a.b[3];
}

/* A client's port for a kind: TCP and most UDP from 49152 up (Windows'
 * ephemeral range); media from one of three bands of the client media
 * range 1024-65535: 10000-26383, 30000-46383 and 49152-65535 (the last
 * overlaps the servers' media ranges, as the clients' ports do; below
 * 10000 lie ports that rows name exactly, 3478, 5061, 8057, ..., where
 * a client's media port would make the answer ambiguous). */
static uint16_t client_port(uint32_t bits14, uint32_t band, bool media)
{
	static const uint16_t base[3] = { 10000, 30000, 49152 };

	return (uint16_t)((media ? base[band % 3] : 49152) + bits14);
}

/* The next source port of server host i (49152-65535, then 20000 up). */
static uint16_t server_eph(struct deploy *d, int i)
{
	uint16_t p = d->eph[i]++;

	if (d->eph[i] == 0)
		d->eph[i] = 20000;
	return p;
}

/* ---------------------------------------------------------- flow steps */

/* Keeps the messages of d->s in f's own buffer. */
static void dflow_take(struct deploy *d, struct dflow *f)
{
	const struct script *s = &d->s;

	if (f->cap < s->used) {
		free(f->buf);
		f->cap = s->used + 4096;
		f->buf = malloc(f->cap);
		if (f->buf == NULL)
			fatal(d->o.path, "out of memory");
	}
	if (s->used > 0)
		memcpy(f->buf, s->data, s->used);
	for (int k = 0; k < s->n; k++) {
		if (s->m[k].len > UINT16_MAX)
			fatal(d->o.path, "a message of %zu bytes", s->m[k].len);
		f->m[k] = (struct dmsg){
			.off = (uint32_t)(s->m[k].data - s->data),
			.len = (uint16_t)s->m[k].len, .dir = (uint8_t)s->m[k].dir };
	}
	f->nm = (uint8_t)s->n;
}

/* Sends the next TCP segment of message f->mi. */
static void dflow_tcp_msg(struct deploy *d, struct dflow *f)
{
	const struct dmsg *m = &f->m[f->mi];
	size_t left = (size_t)m->len - f->off;
	size_t n = left > f->t.mss ? f->t.mss : left;
	bool last = f->off + n == m->len;

	tcp_seg(&d->o, &f->t, m->dir, (uint8_t)(TH_ACK | (last ? TH_PSH : 0)),
		f->buf + m->off + f->off, n);
	f->off = (uint16_t)(f->off + n);
	if (last) {
		f->ack_due = m->len > f->t.mss;
		f->ack_dir = (uint8_t)!m->dir;
		f->mi++;
		f->off = 0;
	}
}

/* Sends f's next packet; false when it has none left. */
static bool dflow_send(struct deploy *d, struct dflow *f)
{
	static const uint8_t hs_dir[3] = { C2S, S2C, C2S };
	static const uint8_t hs_fl[3] = { TH_SYN, TH_SYN | TH_ACK, TH_ACK };
	static const uint8_t fin_fl[3] = { TH_FIN | TH_ACK, TH_FIN | TH_ACK,
					   TH_ACK };
	const struct dmsg *m;

	if (!f->c->udp && f->hs < 3) {
		tcp_seg(&d->o, &f->t, hs_dir[f->hs], hs_fl[f->hs], NULL, 0);
		f->hs++;
	} else if (f->ack_due) {
		tcp_seg(&d->o, &f->t, f->ack_dir, TH_ACK, NULL, 0);
		f->ack_due = false;
	} else if (f->mi < f->nm && !f->c->udp) {
		dflow_tcp_msg(d, f);
	} else if (f->mi < f->nm) {
		m = &f->m[f->mi++];
		udp_send(&d->o, &f->t.ep[m->dir], &f->t.ep[!m->dir],
			 f->buf + m->off, m->len);
	} else if (f->rtp_left > 0) {
		media_send(d, f);
	} else if (f->fin > 0) {
		int k = 3 - f->fin--;
		tcp_seg(&d->o, &f->t, hs_dir[k], fin_fl[k], NULL, 0);
	} else {
		return false;
	}
	return true;
}

/* ---------------------------------------------------------- flow starts */

/* The client side of a flow of class f->c (h, g: its hashes). */
static void dflow_client(struct deploy *d, struct dflow *f, uint32_t h,
			 uint32_t g)
{
	const struct deploy_class *c = f->c;
	uint8_t src = c->src[(g >> 3) % c->nsrc];
	bool media = c->kind == K_MEDIA_P2P || c->kind == K_MEDIA_SRV ||
		     c->kind == K_RTP_BARE;

	if (src != H_CLIENT) {
		f->t.ep[C2S] = (struct ep){ &d->h[src], 0 };
		if (c->kind != K_MEDIA_GW) {
			f->t.ep[C2S].port = server_eph(d, src);
			return;
		}
		f->t.ep[C2S].port = d->rtp_port[src]++;  /* 6000-39999 */
		if (d->rtp_port[src] == 40000)
			d->rtp_port[src] = 6000;
		return;
	}
	if (c->kind == K_DHCP) {         /* port 68: the host is unique */
		client_host(&f->cl, d->nphones++ * 7919u, "phone");
		f->t.ep[C2S] = (struct ep){ &f->cl, 68 };
		return;
	}
	client_host(&f->cl, h, "client");
	f->t.ep[C2S] = (struct ep){ &f->cl, client_port(h >> 16, g >> 12,
							media) };
}

/* The server side of flow i of class c. */
static void dflow_server(struct deploy *d, struct dflow *f, uint64_t i,
			 uint32_t g)
{
	const struct deploy_class *c = f->c;
	uint32_t k = (g >> 5) % c->ndst;
	uint8_t dst = c->dst[k];
	const struct deploy_port *p = &c->p[(g >> 8) % c->np];
	uint16_t port = p->port;

	if (dst != H_PEER && &d->h[dst] == f->t.ep[C2S].h)
		dst = c->dst[(k + 1) % c->ndst];   /* not to itself */

	if (dst == H_PEER) {
		uint32_t e = mix30((uint32_t)i ^ 0x2aaaaaaau);
		client_host(&f->peer, e, "peer");
		if (memcmp(f->peer.a.b, f->cl.a.b, 4) == 0)
			f->peer.a.b[3] ^= 1;
		f->peer.mac[5] = f->peer.a.b[3];
		f->t.ep[S2C] = (struct ep){ &f->peer, port != 0 ? port :
			client_port(e >> 16, (g >> 14) + 1, true) };
		return;
	}
	if (port == 0)
		port = (uint16_t)(c->lo + (g >> 16) % (uint32_t)(c->hi - c->lo + 1));
	f->t.ep[S2C] = (struct ep){ &d->h[dst], port };
}

/* One answers line: the 5-tuple (client side first), the expected
 * verdict, flags, row and the class. */
static void dflow_answer(struct deploy *d, const struct dflow *f)
{
	const struct deploy_class *c = f->c;
	const struct deploy_port *p = c->p;
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];

	for (int k = 0; k < c->np; k++)
		if (c->p[k].port == f->t.ep[S2C].port)
			p = &c->p[k];
	fprintf(d->answers, "%s\t%u\t%s\t%u\t%s\t%s\t%s\t%s\t%s\n",
		host_addr_text(f->t.ep[C2S].h, a, sizeof(a)), f->t.ep[C2S].port,
		host_addr_text(f->t.ep[S2C].h, b, sizeof(b)), f->t.ep[S2C].port,
		c->udp ? "UDP" : "TCP", c->verdict, c->flags, p->rule, c->name);
}

/* Starts flow number i in slot f (its buffer is kept). */
static void dflow_start(struct deploy *d, struct dflow *f, uint64_t i)
{
	uint32_t h = mix30((uint32_t)i), g = mix30((uint32_t)i ^ 0x15555555u);
	uint8_t *buf = f->buf;
	size_t cap = f->cap;
	bool mid = false;

	memset(f, 0, sizeof(*f));
	f->buf = buf;
	f->cap = cap;
	f->c = &deploy_classes[d->class_of[i % KIND_TABLE]];
	dflow_client(d, f, h, g);
	dflow_server(d, f, i, g);
	f->t.mss = MSS4;
	script_reset(&d->s);
	if (f->c->kind == K_TLS)
		mid = (g >> 20) % 100 < 40;
	else if (f->c->kind == K_SIP)
		mid = (g >> 20) % 100 < 30;
	deploy_msgs(d, f, i, g, mid);
	dflow_take(d, f);
	if (mid && f->c->kind == K_SIP)    /* the capture starts anywhere */
		f->mi = (uint8_t)(pl_rng_u32(&d->o.rng) % 3);
	media_plan(d, f, g);
	if (!f->c->udp) {
		f->t.next[C2S] = pl_rng_u32(&d->o.rng);
		f->t.next[S2C] = pl_rng_u32(&d->o.rng);
		f->hs = mid ? 3 : 0;
		/* still open at the end: half the mid-stream ones, a
		 * quarter of the others */
		f->fin = pl_rng_u32(&d->o.rng) % 4 < (mid ? 2u : 1u) ? 0 : 3;
		d->ntcp++;
		d->nmid += mid;
	}
	dflow_answer(d, f);
}

/* --------------------------------------------------------------- files */

static void deploy_inventory(const struct deploy *d, const char *path)
{
	FILE *f = fopen(path, "w");
	char a[INET6_ADDRSTRLEN];

	if (f == NULL)
		fatal(path, "%s", strerror(errno));
	fputs("# deploy.inventory: the hosts of the deploy scene (written by\n"
	      "# tools/pcapgen deploy).  ADDRESS[/PREFIX] ROLE[,ROLE] NAME\n",
	      f);
	for (int i = 0; i < D_N; i++)
		if (d->h[i].roles != NULL)
			fprintf(f, "%-17s %-17s %s\n",
				host_addr_text(&d->h[i], a, sizeof(a)),
				d->h[i].roles, d->h[i].name);
	fprintf(f, "%-17s %-17s %s\n", "198.19.0.0/16", "client", "clients");
	fputs("# Not Lync hosts (no roles):\n", f);
	for (int i = 0; i < D_N; i++)
		if (d->h[i].roles == NULL)
			fprintf(f, "#   %-15s %s\n",
				host_addr_text(&d->h[i], a, sizeof(a)),
				d->h[i].name);
	if (ferror(f) | (fclose(f) != 0))
		fatal(path, "write error: %s", strerror(errno));
}

/* Every flow through a window of `window` flows in progress. */
static void deploy_run(struct deploy *d, uint32_t window)
{
	d->slot = calloc(window, sizeof(*d->slot));
	if (d->slot == NULL)
		fatal(d->o.path, "out of memory");
	for (d->nslot = 0; d->nslot < window; d->nslot++)
		dflow_start(d, &d->slot[d->nslot], d->next_flow++);
	while (d->nslot > 0) {
		uint32_t j = pl_rng_u32(&d->o.rng) % d->nslot;
		struct dflow *f = &d->slot[j];

		if (dflow_send(d, f))
			continue;
		if (d->next_flow < d->nflows) {
			dflow_start(d, f, d->next_flow++);
			continue;
		}
		free(f->buf);
		if (j != --d->nslot) {     /* the last slot moves to j */
			*f = d->slot[d->nslot];
			if (f->t.ep[C2S].h == &d->slot[d->nslot].cl)
				f->t.ep[C2S].h = &f->cl;
			if (f->t.ep[S2C].h == &d->slot[d->nslot].peer)
				f->t.ep[S2C].h = &f->peer;
		}
	}
	free(d->slot);
}

/* argv: OUT.pcap OUT.inventory OUT.answers [FLOWS] */
int scene_deploy(int argc, char **argv)
{
	static struct deploy d;
	uint32_t window;

	d.nflows = argc > 3 ? num_arg("FLOWS", argv[3], 100, 1u << 26) : 20000;
	window = (uint32_t)(d.nflows < 2000 ? d.nflows : 2000 + d.nflows / 50);
	hosts_init(d.h, deploy_defs, D_N);
	for (int i = 0; i < D_N; i++) {
		d.eph[i] = 49152;
		d.rtp_port[i] = 6000;
	}
	deploy_class_table(&d);
	out_open(&d.o, argv[0], DLT_EN10MB, 0x6465706c);
	d.answers = fopen(argv[2], "w");
	if (d.answers == NULL)
		fatal(argv[2], "%s", strerror(errno));
	fputs("#client_ip\tclient_port\tserver_ip\tserver_port\tproto\t"
	      "verdict\tflags\trule\tclass\n", d.answers);
	d.o.gap_us = 20;
	deploy_run(&d, window);
	out_close(&d.o);
	if (ferror(d.answers) | (fclose(d.answers) != 0))
		fatal(argv[2], "write error: %s", strerror(errno));
	deploy_inventory(&d, argv[1]);
	fprintf(stderr, "%s: %u packets, %" PRIu64 " flows, %" PRIu64
		" TCP of which %" PRIu64 " mid-stream\n", argv[0], d.o.npkts,
		d.nflows, d.ntcp, d.nmid);
	return 0;
}
