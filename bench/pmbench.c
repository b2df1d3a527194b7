/* pmbench.c: the port matcher's lookup cost against the number of rules.
 *
 *   pmbench RULES_FILE       timed: nanoseconds per lookup
 *   pmbench -c RULES_FILE    one pass of each case (64 lookups for the
 *                            linear scan) for `valgrind --tool=callgrind
 *                            --instr-atstart=no`: only the lookups are
 *                            instrumented, one dump per case, named
 *                            "rules=N query=Q"
 *
 * Loads RULES_FILE (the shipped rules), then the same plus 1,000 and plus
 * 10,000 synthetic rules (half single ports, half ranges of 2..512 ports,
 * TCP, UDP or both, from a fixed-seed generator), builds the matcher of
 * each set and times portmatch_lookup() on three query sets: ports that
 * rules name exactly, ports inside a range rule, and uniform random ports.
 * A lookup of an exact port is a direct index (its cost must not move);
 * a range lookup is a binary search over the elementary intervals (its
 * cost may grow with log(intervals), nothing more).  For contrast, the
 * largest set is also searched by a linear scan of every rule (what the
 * matcher exists to avoid).
 *
 * One line per (set, query): "pmbench rules=N query=Q ns=T mlps=M
 * hits=H", T nanoseconds per lookup, M million lookups per second, H the
 * rules returned per lookup on average.  Exit status 2 on an error.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "capture/pkt.h"
#include "classify/portmatch.h"
#include "classify/rules.h"

#if defined(__has_include) && !defined(__CPPCHECK__)
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#endif
#endif
#ifndef CALLGRIND_DUMP_STATS_AT
#define CALLGRIND_START_INSTRUMENTATION
#define CALLGRIND_STOP_INSTRUMENTATION
#define CALLGRIND_ZERO_STATS
#define CALLGRIND_DUMP_STATS_AT(name) ((void)(name))
#endif

#define NQUERY 65536u                /* queries per set, cycled */
#define MIN_SECONDS 0.15             /* each measurement runs at least this */

struct query {
	uint8_t l4;                  /* L4_TCP or L4_UDP */
	uint16_t port;
};

static uint64_t rng_state = 0x706d62656e6368ull;

static uint32_t rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return (uint32_t)((z ^ (z >> 31)) >> 32);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Appends n synthetic rules to the rule-file text in buf (NUL-terminated,
 * grown as needed); returns buf, or NULL when out of memory. */
static char *synth_rules(int n)
{
	static const char *const l4s[] = { "tcp", "udp", "tcp,udp" };
	size_t cap = 256 + (size_t)n * 512, len = 0;
	char *buf = malloc(cap);

	if (buf == NULL)
		return NULL;
	len += (size_t)snprintf(buf, cap,
		"[role bench-role]\nname.en = Bench\nname.ja = Bench\n\n");
	for (int i = 0; i < n; i++) {
		unsigned lo = 1 + rnd() % 65535;
		char port[16];

		if (i % 2 == 1) {
			lo = 1 + rnd() % 65000;
			snprintf(port, sizeof(port), "%u-%u", lo, lo + 1 + rnd() % 511);
		} else {
			snprintf(port, sizeof(port), "%u", lo);
		}
		len += (size_t)snprintf(buf + len, cap - len,
			"[rule bench-%d]\ntable = server\nrole = bench-role\n"
			"role.en = Bench\nrole.ja = Bench\nservice.en = Synthetic\n"
			"service.ja = Synthetic\nl4 = %s\nport = %s\n"
			"protocol.en = TCP\nprotocol.ja = TCP\napp = unspecified\n"
			"note.en = synthetic rule %d\nnote.ja =\n\n",
			i, l4s[rnd() % 3], port, i);
	}
	return buf;
}

/* Loads the rules file and n synthetic rules into rs; 0 or -1. */
static int load(struct ruleset *rs, const char *path, int n)
{
	ruleset_init(rs);
	if (rules_load_file(rs, path, stderr) != 0)
		return -1;
	if (n > 0) {
		char *text = synth_rules(n);
		int errs;

		if (text == NULL)
			return -1;
		errs = rules_load_buffer(rs, "synthetic", text, strlen(text),
					 stderr);
		free(text);
		if (errs != 0)
			return -1;
	}
	return rules_finish(rs, stderr) == 0 ? 0 : -1;
}

/* A query for a port of rule r (a single port, or one inside a range). */
static struct query query_of(const struct rule *r, bool want_range)
{
	struct query q = { r->l4 & RULE_L4_TCP ? L4_TCP : L4_UDP, 0 };

	for (int k = 0; k < r->nports; k++) {
		const struct port_range *p = &r->ports[k];

		if ((p->lo != p->hi) == want_range) {
			q.port = (uint16_t)(p->lo + rnd() % (p->hi - p->lo + 1u));
			return q;
		}
	}
	return q;
}

/* Fills q[0..NQUERY) with ports of exact rules, of range rules, or at
 * random (kind 0, 1, 2); returns -1 when the set has no such rule. */
static int make_queries(const struct ruleset *rs, int kind, struct query *q)
{
	int *idx = malloc((size_t)rs->nrules * sizeof(int)), n = 0;

	if (idx == NULL)
		return -1;
	for (int i = 0; i < rs->nrules; i++) {
		const struct rule *r = &rs->rules[i];
		bool range = r->nports > 0 && r->ports[0].lo != r->ports[0].hi;

		if (r->nports > 0 && ((kind == 0 && !range) || (kind == 1 && range)))
			idx[n++] = i;
	}
	for (uint32_t i = 0; i < NQUERY; i++) {
		if (kind == 2) {
			q[i].l4 = rnd() % 2 ? L4_TCP : L4_UDP;
			q[i].port = (uint16_t)(1 + rnd() % 65535);
		} else if (n > 0) {
			q[i] = query_of(&rs->rules[idx[rnd() % (uint32_t)n]],
					kind == 1);
		}
	}
	free(idx);
	return kind == 2 || n > 0 ? 0 : -1;
}

static bool count_mode;               /* -c: one pass per case */

static void count_start(void)
{
	CALLGRIND_START_INSTRUMENTATION;
	CALLGRIND_ZERO_STATS;
}

/* Callgrind's dump of the case just run, named "rules=N query=Q". */
static void count_end(int nrules, const char *what)
{
	char name[96];

	snprintf(name, sizeof(name), "rules=%d query=%s", nrules, what);
	CALLGRIND_DUMP_STATS_AT(name);
	CALLGRIND_STOP_INSTRUMENTATION;
	(void)name;
}

/* Times lookups over q; prints one line. */
static void run_matcher(const struct portmatch *pm, int nrules, const char *what,
			const struct query *q)
{
	uint64_t n = 0, hits = 0;
	double t0 = now_s(), t;
	struct pm_result m;

	if (count_mode) {
		count_start();
		for (uint32_t i = 0; i < NQUERY; i++) {
			portmatch_lookup(pm, q[i].l4, q[i].port, &m);
			hits += m.nexact + m.nrange;
		}
		count_end(nrules, what);
		printf("pmbench rules=%d query=%s lookups=%u hits=%.2f\n", nrules,
		       what, NQUERY, (double)hits / NQUERY);
		return;
	}
	do {
		for (uint32_t i = 0; i < NQUERY; i++) {
			portmatch_lookup(pm, q[i].l4, q[i].port, &m);
			hits += m.nexact + m.nrange;
		}
		n += NQUERY;
	} while ((t = now_s() - t0) < MIN_SECONDS);
	printf("pmbench rules=%d query=%s ns=%.1f mlps=%.1f hits=%.2f\n",
	       nrules, what, t * 1e9 / (double)n, (double)n / t / 1e6,
	       (double)hits / (double)n);
}

/* The same queries answered by testing every rule. */
static void run_linear(const struct ruleset *rs, const char *what,
		       const struct query *q)
{
	uint32_t batch = count_mode ? 64 : 1024;
	uint64_t n = 0, hits = 0;
	double t0 = now_s(), t;

	if (count_mode)
		count_start();
	do {
		for (uint32_t i = 0; i < batch; i++) {
			unsigned bit = q[i].l4 == L4_TCP ? RULE_L4_TCP : RULE_L4_UDP;

			for (int r = 0; r < rs->nrules; r++)
				hits += rule_covers(&rs->rules[r], bit, q[i].port);
		}
		n += batch;
	} while ((t = now_s() - t0) < MIN_SECONDS && !count_mode);
	if (count_mode)
		count_end(rs->nrules, "range-linear-scan");
	if (count_mode)
		printf("pmbench rules=%d query=%s-linear-scan lookups=%" PRIu64
		       " hits=%.2f\n", rs->nrules, what, n,
		       (double)hits / (double)n);
	else
		printf("pmbench rules=%d query=%s-linear-scan ns=%.1f mlps=%.3f "
		       "hits=%.2f\n", rs->nrules, what, t * 1e9 / (double)n,
		       (double)n / t / 1e6, (double)hits / (double)n);
}

int main(int argc, char **argv)
{
	static const int extra[] = { 0, 1000, 10000 };
	static const char *const kinds[] = { "exact", "range", "random" };
	struct query *q = malloc(NQUERY * sizeof(*q));

	if (argc == 3 && strcmp(argv[1], "-c") == 0) {
		count_mode = true;
		argv++;
		argc--;
	}
	if (argc != 2 || q == NULL) {
		fprintf(stderr, "usage: pmbench [-c] RULES_FILE\n");
		free(q);
		return 2;
	}
	for (size_t s = 0; s < sizeof(extra) / sizeof(extra[0]); s++) {
		struct ruleset rs;
		struct portmatch *pm;

		if (load(&rs, argv[1], extra[s]) != 0 ||
		    (pm = portmatch_build(&rs, stderr)) == NULL) {
			fprintf(stderr, "pmbench: cannot build the matcher\n");
			free(q);
			return 2;
		}
		for (int k = 0; k < 3; k++) {
			if (make_queries(&rs, k, q) != 0)
				continue;
			run_matcher(pm, rs.nrules, kinds[k], q);
			if (s + 1 == sizeof(extra) / sizeof(extra[0]) && k == 1)
				run_linear(&rs, kinds[k], q);
		}
		portmatch_free(pm);
		ruleset_free(&rs);
	}
	free(q);
	return 0;
}
