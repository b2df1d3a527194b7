/* marks.c: the marks scene (tests/e2e_workers_eq.sh): media flows whose
 * records need a host mark made by another flow the packet before. */
#include <stdio.h>
#include <string.h>

#include "build.h"
#include "scenes.h"

#define MARKS_MAX 64
#define EPISODE_US 3000000u

/* N episodes, 3 s apart, each with a server of its own (198.18.70.10
 * up): a media flow from a client to the server's 49852 (two datagrams,
 * one more 0.5 s later); at 1.2 s a TCP connection to the server's 8057
 * that gets as far as the TLS hellos (PSOM: a Lync-specific port, which
 * marks the server in the hosts table); at 2.2 s, the very next packet,
 * a datagram of another flow: with --udp-timeout 1 the sweep before it
 * ends the media flow, whose labels' support rests on that mark.  With
 * N engines, the engine that ends the media flow is often not the one
 * that marks, which has just made the mark or is about to. */
int scene_marks(int argc, char **argv)
{
	static struct out o;
	static struct host srv[MARKS_MAX];
	static char names[MARKS_MAX][16], addrs[MARKS_MAX][24];
	static struct script sc;
	struct host cl[2];
	struct ep m[2], c, s, f[2];
	struct tcp_conv t;
	uint8_t data[172];
	unsigned n = argc > 1 ? (unsigned)num_arg("N", argv[1], 1, MARKS_MAX) : 16;

	host_init(&cl[0], "cl1", NULL, "198.18.71.1", 0x4701, 128);
	host_init(&cl[1], "cl2", NULL, "198.18.71.2", 0x4702, 128);
	f[0] = (struct ep){ &cl[0], 53000 };
	f[1] = (struct ep){ &cl[1], 53000 };
	out_open(&o, argv[0], DLT_EN10MB, 0x6d61726b);
	o.gap_us = 50;
	memset(data, 0, sizeof(data));
	data[0] = 0x80;                /* RTP version 2, PCMU */
	for (unsigned i = 0; i < n; i++) {
		uint64_t base = (uint64_t)i * EPISODE_US;

		snprintf(names[i], sizeof(names[i]), "srv%u", i);
		snprintf(addrs[i], sizeof(addrs[i]), "198.18.70.%u", 10 + i);
		host_init(&srv[i], names[i], NULL, addrs[i], 0x4600 + i, 128);
		m[0] = (struct ep){ &cl[i % 2], (uint16_t)(50000 + 2 * i) };
		m[1] = (struct ep){ &srv[i], 49852 };
		if (o.ts_us < base)
			out_wait(&o, base - o.ts_us);
		udp_send(&o, &m[0], &m[1], data, sizeof(data));
		udp_send(&o, &m[1], &m[0], data, sizeof(data));
		out_wait(&o, base + 500000 - o.ts_us);
		udp_send(&o, &m[0], &m[1], data, sizeof(data));
		out_wait(&o, base + 1200000 - o.ts_us);
		c = (struct ep){ &cl[i % 2], (uint16_t)(52000 + i) };
		s = (struct ep){ &srv[i], 8057 };
		tcp_open(&o, &t, &c, &s);
		script_reset(&sc);
		script_tls_hellos(&o, &sc, "pool.contoso.test");
		tcp_play(&o, &t, &sc);
		out_wait(&o, base + 2200000 - o.ts_us);
		udp_send(&o, &f[0], &f[1], data, 20);
	}
	out_close(&o);
	fprintf(stderr, "%s: %u packets\n", argv[0], o.npkts);
	return 0;
}
