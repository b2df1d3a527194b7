/* jumbo.c: the jumbo scene (tests/e2e_workers_eq.sh): datagrams of up to
 * 60,000 bytes among small ones, so that the records of a round of 256
 * packets span megabytes of the file. */
#include <stdio.h>
#include <string.h>

#include "build.h"
#include "scenes.h"

#define JUMBO_FLOWS 12
#define JUMBO_MAX 60000

/* N datagrams over 12 UDP flows (every fourth over IPv6), each of 64 to
 * 60,000 bytes (one in three small), and a small reply after every
 * seventh; 50 us apart. */
int scene_jumbo(int argc, char **argv)
{
	static struct out o;
	static uint8_t data[JUMBO_MAX];
	static const struct host_def defs[4] = {
		{ "j4a", NULL, "198.18.60.1", 0x3c01, 64 },
		{ "j4b", NULL, "198.18.60.2", 0x3c02, 128 },
		{ "j6a", NULL, "2001:db8:60::1", 0x3c03, 64 },
		{ "j6b", NULL, "2001:db8:60::2", 0x3c04, 128 },
	};
	struct host h[4];
	struct ep a[JUMBO_FLOWS], b[JUMBO_FLOWS];
	uint64_t n = argc > 1 ? num_arg("N", argv[1], 1, 1u << 20) : 600;

	hosts_init(h, defs, 4);
	for (unsigned f = 0; f < JUMBO_FLOWS; f++) {
		unsigned v6 = f % 4 == 3 ? 2 : 0;

		a[f] = (struct ep){ &h[v6], (uint16_t)(50000 + f) };
		b[f] = (struct ep){ &h[v6 + 1], (uint16_t)(50020 + 2 * f) };
	}
	out_open(&o, argv[0], DLT_EN10MB, 0x6a756d62);
	o.gap_us = 50;
	for (uint64_t i = 0; i < n; i++) {
		unsigned f = pl_rng_u32(&o.rng) % JUMBO_FLOWS;
		uint32_t r = pl_rng_u32(&o.rng);
		size_t len = r % 3 == 0 ? 64 + r % 200 : 64 + r % (JUMBO_MAX - 64);

		pl_rng_fill(&o.rng, data, len);
		udp_send(&o, &a[f], &b[f], data, len);
		if (i % 7 == 6)
			udp_send(&o, &b[f], &a[f], data, 100);
	}
	out_close(&o);
	fprintf(stderr, "%s: %u packets\n", argv[0], o.npkts);
	return 0;
}
