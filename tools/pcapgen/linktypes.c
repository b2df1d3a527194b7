/* linktypes.c: the linktypes scene (pcaps/linktype-*.pcap): the same TLS
 * and STUN exchange under every link type and encapsulation lyncwatch
 * decodes (Linux cooked v1/v2, raw IP, BSD loopback, 802.1Q, QinQ, IPv6
 * extension headers). */
#include <stdio.h>

#include "build.h"
#include "scenes.h"

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
	script_tls(o, &s, "pool01.contoso.test", tls_mtls, NELEM(tls_mtls));
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

int scene_linktypes(const char *dir)
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
