/* demo.c: the demo scene (pcaps/demo.pcap and demo.inventory): a small
 * Lync 2013 site's day in a few hundred packets: a phone's DHCP and
 * certificate download, sign-in, server-to-server traffic, a meeting, a
 * PSTN call, web services, ordinary traffic that is not Lync's, and what
 * an auditor should catch. */
#include <string.h>

#include "build.h"
#include "scenes.h"

enum demo_host {
	H_POOL, H_FE1, H_FE1_6, H_FE2, H_FE2_6, H_DIR, H_MED, H_PCHAT, H_OWA,
	H_EDGE, H_GW, H_CL1, H_CL2, H_CL3, H_PHONE, H_DNS, H_WEB, H_SSH,
	H_DHCP, H_N
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
	script_http(o, &d->s, &(struct http_x){ "pool01.contoso.test:8080",
		"/CertProv/CertProvisioningService.svc/mex",
		"Microsoft Lync Phone Edition", 200, "OK",
		"application/soap+xml; charset=utf-8",
		"<wsdl:definitions name=\"CertProvisioningService\"/>" });
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
	script_dns(o, &d->s, &q);
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
	script_tls(o, &d->s, "pool01.contoso.test", tls_signin,
		   NELEM(tls_signin));
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
	script_dcerpc(o, &d->s, 2, "000001a0-0000-0000-c000-000000000046",
		      0, 0, 0x0001c8f3);
	tcp_conversation(o, &c, &srv, &d->s);

	c = demo_eph(d, H_FE2);
	srv = demo_ep(d, H_FE1, 445);
	script_reset(&d->s);
	script_smb2(o, &d->s, FILETIME_T0 + o->ts_us * 10);
	tcp_conversation(o, &c, &srv, &d->s);

	c = demo_eph(d, H_DIR);
	srv = demo_ep(d, H_FE1, 1434);
	script_reset(&d->s);
	script_sqlbrowser(o, &d->s, "FE1", inst, 2);
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
	script_http(o, &d->s, &(struct http_x){ "intranet.contoso.test:8000",
		"/status", UA_BROWSER, 200, "OK", "text/plain", "ok\n" });
	tcp_conversation(o, &c, &srv, &d->s);

	c = demo_eph(d, H_CL1);
	srv = demo_ep(d, H_SSH, 22);
	script_reset(&d->s);
	script_ssh(o, &d->s, "OpenSSH_9.6p1", "OpenSSH_for_Windows_8.1");
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
	script_http_meet(o, &d->s, "fe1.contoso.test:443");
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
	script_sip_request(o, &d->s, &k, "OPTIONS");
	udp_exchange(o, &c, &srv, &d->s);

	c = demo_eph(d, H_CL1);
	srv = demo_ep(d, H_FE2, 3389);
	script_reset(&d->s);
	script_rdp(o, &d->s, "admin");
	script_tls_hellos(o, &d->s, NULL);
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

static void demo_write_inventory(const struct demo *d, const char *path)
{
	write_inventory(path,
		"# demo.inventory: the hosts of pcaps/demo.pcap (written by\n"
		"# tools/pcapgen; see pcaps/README).  ADDRESS ROLE[,ROLE] NAME\n",
		d->h, H_N);
}

int scene_demo(const char *pcap_path, const char *inv_path)
{
	static struct demo d;
	struct tcp_conv keep;

	hosts_init(d.h, demo_defs, H_N);
	for (int i = 0; i < H_N; i++)
		d.eph[i] = (uint16_t)(49700 + 37 * i);
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
