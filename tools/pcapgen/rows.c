/* rows.c: the rows scene (pcaps/rows.pcap): one flow to every port item
 * (lo and hi of a range) of every rule of a rule file, for each of its L4
 * protocols, carrying the application the rule implies. */
#include <stdio.h>
#include <string.h>

#include "build.h"
#include "scenes.h"
#include "classify/rules.h"

struct rows {
	struct out o;
	struct script s;
	unsigned tcp_sport;                /* 49152 + counter */
	unsigned udp_sport;                /* 20000 + counter */
	unsigned nflows;
};


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
	script_tls_hellos(o, s, sni);
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
		script_http(o, s, &(struct http_x){ "rows.contoso.test", "/",
			"lyncwatch-pcapgen", 200, "OK", "text/plain", "ok\n" });
		break;
	case APP_SIP:
		rows_sip(r, tcp, c, srv);
		break;
	case APP_STUN:
		script_stun(o, s, false, tcp, &c->h->a, c->port);
		break;
	case APP_DCERPC:
		script_dcerpc(o, s, 1, "e1af8308-5d1f-11c9-91a4-08002b14a0fa",
			      3, 0, 0x1234);
		break;
	case APP_SMB:
		script_smb2(o, s, FILETIME_T0);
		break;
	case APP_DHCP:
		rows_dhcp(r, c, srv);
		break;
	case APP_SQL_BROWSER:
		script_sqlbrowser(o, s, "ROWS", &inst, 1);
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
	conversation(&r->o, !tcp, &ce, &se, &r->s);
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

int scene_rows(const char *rules_path, const char *pcap_path)
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
