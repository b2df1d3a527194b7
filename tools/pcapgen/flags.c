/* flags.c: the flags scene (pcaps/flags.pcap and flags.inventory). */
#include <stdio.h>

#include "build.h"
#include "scenes.h"

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
			script_sip_request(o, &g->s, &k, "OPTIONS");
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
		script_rdp(o, s, "admin");
		break;
	case FP_SSH:
		script_ssh(o, s, "OpenSSH_for_Windows_8.1", "PuTTY_Release_0.81");
		break;
	case FP_SIP_OPTIONS:
	case FP_SIP_REGISTER:
	case FP_SIP_INVITE:
		flags_sip(g, n, c, srv, fl->what, fl->udp);
		break;
	case FP_TLS:
		script_tls(o, s, sni, tls_psom, NELEM(tls_psom));
		break;
	case FP_HTTP:
		script_http_meet(o, s, sni);
		break;
	case FP_SQLBROWSER:
		script_sqlbrowser(o, s, "FE1", &inst, 1);
		break;
	case FP_OPAQUE:
		push(o, s, C2S, opaque(ROOM(s), 180, &o->rng), "data");
		push(o, s, S2C, opaque(ROOM(s), 64, &o->rng), "data");
		push(o, s, C2S, opaque(ROOM(s), 300, &o->rng), "data");
		break;
	case FP_DCERPC:
		script_dcerpc(o, s, 3, "000001a0-0000-0000-c000-000000000046",
			      0, 0, 0x0002a4f1);
		break;
	case FP_STUN:
		break;                     /* stun_binding() sends its own */
	}
}

int scene_flags(const char *pcap_path, const char *inv_path)
{
	static struct flags g;

	hosts_init(g.h, flags_defs, F_N);
	for (int i = 0; i < F_N; i++) {
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
			conversation(&g.o, fl->udp, &c, &srv, &g.s);
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
