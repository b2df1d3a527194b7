/* rawread.c: the physical limit of reading a capture file, for bench/run.sh.
 *
 *   rawread FILE          a libpcap read loop: pcap_next_ex and nothing else
 *   rawread -m hash FILE  the same loop, and each packet decoded to L4 and
 *                         its bidirectional 5-tuple (+ outer VLAN id) looked up
 *                         in (or added to) an open-addressing hash table
 *
 * Prints one line: "packets N bytes B flows F seconds S pps R" (flows is 0
 * in the plain mode; seconds is the read loop alone, without start-up).
 * The decoder is the smallest that handles what `pcapgen bench` and
 * `pcapgen flood` write (Ethernet with 802.1Q/802.1ad tags, raw IP, IPv4,
 * IPv6 with a few extension headers, TCP, UDP), bounds-checked against the
 * captured length; a packet it cannot read is counted and skipped.  The
 * table doubles at half load and never evicts: it is the cost of a lookup,
 * not of a flow table.  Exit status 2 on a usage or input error.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <pcap/pcap.h>

/* Canonical key: endpoint a is the smaller (address, port).  40 bytes, no
 * padding, compared with memcmp. */
struct rr_key {
	uint8_t a[16], b[16];
	uint16_t pa, pb;
	uint16_t vlan;
	uint8_t proto, used;     /* used: 1 in an occupied slot */
};

struct rr_slot {
	struct rr_key k;
	uint64_t pkts;
};

struct rr_table {
	struct rr_slot *s;
	uint64_t mask, n;
};

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* Skips the link header (and VLAN tags, the outermost id to *vlan) at *pp;
 * returns the ethertype of what follows, or 0 when it cannot be read. */
static uint16_t rr_link(int dlt, const uint8_t **pp, const uint8_t *end,
			uint16_t *vlan)
{
	const uint8_t *p = *pp;
	uint16_t type;

	if (dlt == DLT_RAW)
		return p < end ? ((p[0] >> 4) == 4 ? 0x0800 : 0x86dd) : 0;
	if (dlt != DLT_EN10MB || end - p < 14)
		return 0;
	type = be16(p + 12);
	p += 14;
	while (type == 0x8100 || type == 0x88a8 || type == 0x9100) {
		if (end - p < 4)
			return 0;
		if (*vlan == 0)
			*vlan = be16(p) & 0x0fff;
		type = be16(p + 2);
		p += 4;
	}
	*pp = p;
	return type;
}

/* Skips IPv6 extension headers (Hop-by-Hop, Routing, Fragment, Destination
 * Options); false on a later fragment or a header cut short. */
static bool rr_ipv6_ext(const uint8_t **pp, const uint8_t *end, uint8_t *proto)
{
	const uint8_t *p = *pp;

	for (int i = 0; i < 8 && (*proto == 0 || *proto == 60 ||
				  *proto == 43 || *proto == 44); i++) {
		size_t hl;

		if (end - p < 8 || (*proto == 44 && (be16(p + 2) & 0xfff8)))
			return false;
		hl = *proto == 44 ? 8 : ((size_t)p[1] + 1) * 8;
		if ((size_t)(end - p) < hl)
			return false;
		*proto = p[0];
		p += hl;
	}
	*pp = p;
	return true;
}

/* Fills k from one frame; false when it is not TCP/UDP or is cut short. */
static bool rr_decode(int dlt, const uint8_t *p, uint32_t len,
		      struct rr_key *k)
{
	const uint8_t *end = p + len, *src, *dst;
	uint16_t type, sp, dp;
	uint8_t proto;
	size_t alen;
	bool fwd;
	int c;

	memset(k, 0, sizeof(*k));
	type = rr_link(dlt, &p, end, &k->vlan);
	if (type == 0x0800) {
		size_t ihl;

		if (end - p < 20 || (ihl = (size_t)(p[0] & 0x0f) * 4) < 20 ||
		    (size_t)(end - p) < ihl || (be16(p + 6) & 0x1fff) != 0)
			return false;
		proto = p[9];
		src = p + 12;
		dst = p + 16;
		alen = 4;
		p += ihl;
	} else if (type == 0x86dd && end - p >= 40) {
		proto = p[6];
		src = p + 8;
		dst = p + 24;
		alen = 16;
		p += 40;
		if (!rr_ipv6_ext(&p, end, &proto))
			return false;
	} else {
		return false;
	}
	if ((proto != 6 && proto != 17) || end - p < 4)
		return false;
	sp = be16(p);
	dp = be16(p + 2);
	c = memcmp(src, dst, alen);
	fwd = c < 0 || (c == 0 && sp <= dp);
	memcpy(k->a, fwd ? src : dst, alen);
	memcpy(k->b, fwd ? dst : src, alen);
	k->pa = fwd ? sp : dp;
	k->pb = fwd ? dp : sp;
	k->proto = proto;
	k->used = 1;
	return true;
}

/* 64-bit multiply-xorshift over the key's five words. */
static uint64_t rr_hash(const struct rr_key *k)
{
	uint64_t w[5], h = 0x9e3779b97f4a7c15ull;

	memcpy(w, k, sizeof(w));
	for (int i = 0; i < 5; i++) {
		h ^= w[i];
		h *= 0xbf58476d1ce4e5b9ull;
		h ^= h >> 31;
	}
	return h;
}

static bool rr_init(struct rr_table *t, uint64_t nslots)
{
	t->s = calloc(nslots, sizeof(*t->s));
	t->mask = nslots - 1;
	t->n = 0;
	return t->s != NULL;
}

static struct rr_slot *rr_probe(struct rr_table *t, const struct rr_key *k)
{
	uint64_t i = rr_hash(k) & t->mask;

	while (t->s[i].k.used && memcmp(&t->s[i].k, k, sizeof(*k)) != 0)
		i = (i + 1) & t->mask;
	return &t->s[i];
}

static bool rr_grow(struct rr_table *t)
{
	struct rr_table nt;

	if (!rr_init(&nt, (t->mask + 1) * 2))
		return false;
	for (uint64_t i = 0; i <= t->mask; i++)
		if (t->s[i].k.used)
			*rr_probe(&nt, &t->s[i].k) = t->s[i];
	nt.n = t->n;
	free(t->s);
	*t = nt;
	return true;
}

/* Finds or adds the flow of k; false when out of memory. */
static bool rr_update(struct rr_table *t, const struct rr_key *k)
{
	struct rr_slot *s = rr_probe(t, k);

	if (!s->k.used) {
		if (2 * (t->n + 1) > t->mask + 1) {
			if (!rr_grow(t))
				return false;
			s = rr_probe(t, k);
		}
		s->k = *k;
		t->n++;
	}
	s->pkts++;
	return true;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void usage(void)
{
	fputs("usage: rawread [-m read|hash] FILE\n", stderr);
	exit(2);
}

int main(int argc, char **argv)
{
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	struct rr_table t = { 0 };
	struct rr_key k;
	uint64_t pkts = 0, bytes = 0;
	bool hash = false, oom = false;
	double t0, secs;
	pcap_t *p;
	int c, rc, dlt;

	while ((c = getopt(argc, argv, "m:")) != -1) {
		if (c != 'm' || (strcmp(optarg, "hash") != 0 &&
				 strcmp(optarg, "read") != 0))
			usage();
		hash = strcmp(optarg, "hash") == 0;
	}
	if (optind != argc - 1)
		usage();
	p = pcap_open_offline(argv[optind], err);
	if (p == NULL) {
		fprintf(stderr, "rawread: %s\n", err);
		return 2;
	}
	dlt = pcap_datalink(p);
	if (hash && !rr_init(&t, 1u << 16)) {
		fprintf(stderr, "rawread: out of memory\n");
		pcap_close(p);
		return 2;
	}
	t0 = now_s();
	if (!hash) {
		while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
			pkts++;
			bytes += h->caplen;
		}
	} else {
		while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
			pkts++;
			bytes += h->caplen;
			if (rr_decode(dlt, data, h->caplen, &k) &&
			    !rr_update(&t, &k)) {
				fprintf(stderr, "rawread: out of memory\n");
				oom = true;
				break;
			}
		}
	}
	secs = now_s() - t0;
	if (oom || rc != PCAP_ERROR_BREAK) {
		if (!oom)
			fprintf(stderr, "rawread: %s: %s\n", argv[optind],
				pcap_geterr(p));
		pcap_close(p);
		free(t.s);
		return 2;
	}
	printf("packets %llu bytes %llu flows %llu seconds %.3f pps %.0f\n",
	       (unsigned long long)pkts, (unsigned long long)bytes,
	       (unsigned long long)t.n, secs, secs > 0 ? (double)pkts / secs : 0);
	pcap_close(p);
	free(t.s);
	return 0;
}
