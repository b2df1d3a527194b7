/* flood.c: the flood scene (bench/run.sh): one 5-tuple per packet. */
#include <stdio.h>
#include <string.h>

#include "build.h"
#include "scenes.h"


/* N packets, each its own 5-tuple (a bijection of the packet number onto
 * source address and port), 1 us apart: every other one a TCP SYN to
 * 5061 or 443 of a Front End, the others a UDP datagram of 16 opaque
 * bytes sweeping the ports 1-65535 of another; sources in 198.18.128.0/17
 * and 198.19.0.0/16, one in eight from 2001:db8:ff::/64. */
int scene_flood(int argc, char **argv)
{
	static struct out o;
	uint64_t n = argc > 1 ? num_arg("N", argv[1], 1, 1u << 30) : 2000000;
	struct host c, fe[2][2];
	struct tcp_conv t;
	uint8_t data[16];

	host_init(&fe[0][0], "fe1", NULL, "198.18.10.11", 0xc612000b, 128);
	host_init(&fe[0][1], "fe2", NULL, "198.18.10.12", 0xc612000c, 128);
	host_init(&fe[1][0], "fe1", NULL, "2001:db8:10::11", 0xc612000b, 128);
	host_init(&fe[1][1], "fe2", NULL, "2001:db8:10::12", 0xc612000c, 128);
	memset(&c, 0, sizeof(c));
	c.name = "flood";
	c.ttl = 64;
	c.mac[0] = 0x02;
	out_open(&o, argv[0], DLT_EN10MB, 0x666c6f6f);
	o.gap_us = 1;
	for (uint64_t i = 0; i < n; i++) {
		uint32_t h = mix30((uint32_t)i);  /* 16 + 14 bits */
		bool v6 = (i >> 1) % 8 == 7, udp = i % 2;
		const struct host *srv = &fe[v6][udp];

		memset(c.a.b, 0, sizeof(c.a.b));
		c.a.family = v6 ? 6 : 4;
		if (v6) {
			static const uint8_t pfx[6] = { 0x20, 0x01, 0x0d, 0xb8,
							0, 0xff };
			memcpy(c.a.b, pfx, sizeof(pfx));
			c.a.b[14] = (uint8_t)(h >> 8);
			c.a.b[15] = (uint8_t)h;
		} else {
			c.a.b[0] = 198;
			c.a.b[1] = (uint8_t)(h & 0x8000 ? 19 : 18);
			c.a.b[2] = (uint8_t)((h >> 8 & 0x7f) |
					     (h & 0x8000 ? 0 : 0x80));
			c.a.b[3] = (uint8_t)h;
		}
		c.mac[4] = (uint8_t)(h >> 8);
		c.mac[5] = (uint8_t)h;
		t.ep[C2S] = (struct ep){ &c, (uint16_t)(49152 + (h >> 16)) };
		t.ep[S2C] = (struct ep){ srv, (uint16_t)(udp ? 1 + (i / 2) % 65535
							       : (i / 2) % 2 ? 443 : 5061) };
		if (udp) {
			pl_rng_fill(&o.rng, data, sizeof(data));
			udp_send(&o, &t.ep[C2S], &t.ep[S2C], data, sizeof(data));
		} else {
			t.next[C2S] = pl_rng_u32(&o.rng);
			t.next[S2C] = 0;
			t.mss = v6 ? MSS6 : MSS4;
			tcp_seg(&o, &t, C2S, TH_SYN, NULL, 0);
		}
	}
	out_close(&o);
	fprintf(stderr, "%s: %u packets\n", argv[0], o.npkts);
	return 0;
}

