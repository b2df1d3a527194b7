/* test_portmatch.c: the port matcher against a brute-force scan of the
 * rules: every port of both protocols for the shipped rules and for
 * overlapping synthetic ranges; range edges lo-1/lo/hi/hi+1 of every row;
 * exact rules listed before range rules; 10,000 synthetic rules; the cap
 * on entries, reported at the file:line of the rule that crosses it. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/pkt.h"
#include "classify/portmatch.h"
#include "classify/rules.h"
#include "shipped.h"

static const char role_text[] =
	"[role r]\nname.en = r\nname.ja = r\n";

static void load_shipped(struct ruleset *rs)
{
	assert_int_equal(load_shipped_rules(rs, NULL), 0);
}

/* Appends a rule "[rule ID]" with the given l4 and port text. */
static void add_rule(char **buf, size_t *len, int id, const char *l4,
		     const char *ports, int fallback)
{
	char tmp[512];
	int n = snprintf(tmp, sizeof(tmp),
		"[rule s%d]\ntable = server\nrole = r\nrole.en =\nrole.ja =\n"
		"service.en =\nservice.ja =\nl4 = %s\nport = %s\nprotocol.en =\n"
		"protocol.ja =\napp = media\nfallback = %s\nnote.en =\nnote.ja =\n",
		id, l4, ports, fallback ? "yes" : "no");

	/* grow in 1 MiB steps: the 10,000-rule test appends 4 MB */
	if (*len == 0 || (*len + (size_t)n + 1) / (1u << 20) != *len / (1u << 20))
		*buf = realloc(*buf, (*len + (size_t)n + 1) / (1u << 20) * (1u << 20) +
			       (1u << 20));
	memcpy(*buf + *len, tmp, (size_t)n + 1);
	*len += (size_t)n;
}

static bool in_list(const uint32_t *l, uint32_t n, uint32_t r)
{
	for (uint32_t i = 0; i < n; i++)
		if (l[i] == r)
			return true;
	return false;
}

/* Checks one lookup against rule_covers over all rules: the same set, each
 * rule once, exact-port rules in `exact`, rule order kept in each list. */
static void check_port(const struct ruleset *rs, const struct portmatch *pm,
		       uint8_t l4, uint16_t port)
{
	struct pm_result m;
	unsigned bit = l4 == L4_TCP ? RULE_L4_TCP : RULE_L4_UDP;
	uint32_t want = 0;

	portmatch_lookup(pm, l4, port, &m);
	for (int i = 0; i < rs->nrules; i++) {
		bool cov = rule_covers(&rs->rules[i], bit, port);

		want += cov;
		if (cov != (in_list(m.exact, m.nexact, (uint32_t)i) ||
			    in_list(m.range, m.nrange, (uint32_t)i)))
			fail_msg("port %u/%u rule %s: covered %d", port, l4,
				 rs->rules[i].id, cov);
	}
	/* each covering rule once, in one of the two lists */
	assert_int_equal(m.nexact + m.nrange, want);
	for (uint32_t i = 0; i < m.nrange; i++)
		assert_false(in_list(m.exact, m.nexact, m.range[i]));
	for (uint32_t i = 1; i < m.nexact; i++)
		assert_true(m.exact[i - 1] < m.exact[i]);
	for (uint32_t i = 1; i < m.nrange; i++)
		assert_true(m.range[i - 1] < m.range[i]);
	for (uint32_t i = 0; i < m.nexact; i++)
		assert_true(rule_covers(&rs->rules[m.exact[i]], bit, port));
}

static void check_all_ports(const struct ruleset *rs)
{
	struct portmatch *pm = portmatch_build(rs, stderr);

	assert_non_null(pm);
	for (uint32_t port = 0; port <= 65535; port++) {
		check_port(rs, pm, L4_TCP, (uint16_t)port);
		check_port(rs, pm, L4_UDP, (uint16_t)port);
	}
	portmatch_free(pm);
}

static void test_shipped_every_port(void **state)
{
	struct ruleset rs;

	(void)state;
	load_shipped(&rs);
	check_all_ports(&rs);
	ruleset_free(&rs);
}

/* Every row of the vendor's tables: found at lo and hi of each item, and
 * at lo-1 / hi+1 only when another of its items covers those. */
static void test_shipped_row_edges(void **state)
{
	struct ruleset rs;
	struct portmatch *pm;
	int rows = 0;

	(void)state;
	load_shipped(&rs);
	pm = portmatch_build(&rs, stderr);
	for (int i = 0; i < rs.nrules; i++) {
		const struct rule *r = &rs.rules[i];

		for (int k = 0; k < r->nports; k++)
			for (int p = 0; p < 2; p++) {
				uint8_t l4 = p ? L4_UDP : L4_TCP;
				unsigned bit = p ? RULE_L4_UDP : RULE_L4_TCP;
				long edge[4] = { r->ports[k].lo - 1L, r->ports[k].lo,
						 r->ports[k].hi, r->ports[k].hi + 1L };

				for (int e = 0; e < 4; e++) {
					struct pm_result m;
					bool got;

					if (edge[e] < 0 || edge[e] > 65535)
						continue;
					portmatch_lookup(pm, l4, (uint16_t)edge[e], &m);
					got = in_list(m.exact, m.nexact, (uint32_t)i) ||
					      in_list(m.range, m.nrange, (uint32_t)i);
					assert_int_equal(got, rule_covers(r, bit,
									  (uint16_t)edge[e]));
					if (e == 1 || e == 2)
						assert_int_equal(got, (r->l4 & bit) != 0);
				}
			}
		rows += r->nports > 0;
	}
	assert_int_equal(rows, 90); /* 91 rows, one of them empty */
	portmatch_free(pm);
	ruleset_free(&rs);
}

static void test_exact_before_range(void **state)
{
	struct ruleset rs;
	struct portmatch *pm;
	struct pm_result m;
	bool saw_srv03 = false, saw_media = false;

	(void)state;
	load_shipped(&rs);
	pm = portmatch_build(&rs, stderr);
	portmatch_lookup(pm, L4_TCP, 5061, &m);
	for (uint32_t i = 0; i < m.nexact; i++)
		saw_srv03 |= strcmp(rs.rules[m.exact[i]].id, "srv-03") == 0;
	assert_true(saw_srv03);
	portmatch_lookup(pm, L4_UDP, 50000, &m);
	assert_int_equal(m.nexact, 0);
	for (uint32_t i = 0; i < m.nrange; i++)
		saw_media |= strcmp(rs.rules[m.range[i]].id, "srv-39") == 0;
	assert_true(saw_media);
	portmatch_lookup(pm, 1 /* ICMP */, 5061, &m);
	assert_int_equal(m.nexact + m.nrange, 0);
	portmatch_free(pm);
	ruleset_free(&rs);
}

/* Nested, touching, overlapping and one-port ranges, a rule with several
 * items, and items of one rule that overlap each other. */
static void test_overlapping_ranges(void **state)
{
	static const char *const items[] = {
		"1-65535", "1000-2000", "1500-2500", "2000-2000", "2001-2001",
		"2500-3000", "3000-3000", "65535", "1", "10,20-30,25-40",
		"100-200,150-160", "40000-50000", "45000-45010", "45010-46000",
		"80,70-90", "300-400,350",
	};
	struct ruleset rs;
	char *buf = NULL;
	size_t len = 0;

	(void)state;
	ruleset_init(&rs);
	add_rule(&buf, &len, 0, "tcp", "5", 0);
	for (size_t i = 0; i < sizeof(items) / sizeof(items[0]); i++)
		add_rule(&buf, &len, (int)i + 1, i % 3 ? "tcp" : "tcp,udp", items[i],
			 (int)(i % 4 == 0));
	buf = realloc(buf, len + sizeof(role_text));
	memmove(buf + sizeof(role_text) - 1, buf, len + 1);
	memcpy(buf, role_text, sizeof(role_text) - 1);
	assert_int_equal(rules_load_buffer(&rs, "o.rules", buf, strlen(buf), stderr), 0);
	check_all_ports(&rs);
	free(buf);
	ruleset_free(&rs);
}

/* 10,000 rules (exact ports and short ranges spread over the space): the
 * matcher still agrees with the brute force on a sample of ports. */
static void test_many_rules(void **state)
{
	struct ruleset rs;
	struct portmatch *pm;
	char *buf = NULL;
	size_t len = 0;
	uint32_t x = 12345;

	(void)state;
	ruleset_init(&rs);
	add_rule(&buf, &len, 0, "tcp", "5", 0);
	for (int i = 1; i < 10000; i++) {
		char ports[32];
		uint32_t lo;

		x = x * 1103515245u + 12345u;
		lo = 1 + (x >> 8) % 65000;
		if (i % 2)
			snprintf(ports, sizeof(ports), "%u", lo);
		else
			snprintf(ports, sizeof(ports), "%u-%u", lo, lo + (x >> 4) % 500);
		add_rule(&buf, &len, i, i % 3 ? "udp" : "tcp", ports, 0);
	}
	buf = realloc(buf, len + sizeof(role_text));
	memmove(buf + sizeof(role_text) - 1, buf, len + 1);
	memcpy(buf, role_text, sizeof(role_text) - 1);
	assert_int_equal(rules_load_buffer(&rs, "m.rules", buf, strlen(buf), stderr), 0);
	assert_int_equal(rs.nrules, 10000);
	pm = portmatch_build(&rs, stderr);
	assert_non_null(pm);
	for (uint32_t port = 0; port <= 65535; port += 97) {
		check_port(&rs, pm, L4_TCP, (uint16_t)port);
		check_port(&rs, pm, L4_UDP, (uint16_t)port);
	}
	portmatch_free(pm);
	free(buf);
	ruleset_free(&rs);
}

/* Rules whose four ranges partition 1-65535 at cut points that move with
 * the rule: 21,843 of them cut the ports into about 65,530 segments, and
 * every rule covers nearly all: about 65,530 entries each, so the cap
 * (2^24) is crossed near the 257th rule, and the old 32-bit counts would
 * have wrapped past the 65,537th. */
static void test_entry_cap(void **state)
{
	struct ruleset rs;
	char *buf = NULL, ports[64], *msgs = NULL;
	size_t len = 0, mlen = 0;
	FILE *f = open_memstream(&msgs, &mlen);
	int k, line;

	(void)state;
	ruleset_init(&rs);
	for (int i = 0; i < 21843; i++) {
		snprintf(ports, sizeof(ports), "1-%d,%d-%d,%d-%d,%d-65535", 2 + i,
			 3 + i, 21846 + i, 21847 + i, 43690 + i, 43691 + i);
		add_rule(&buf, &len, i, "tcp", ports, 0);
	}
	buf = realloc(buf, len + sizeof(role_text));
	memmove(buf + sizeof(role_text) - 1, buf, len + 1);
	memcpy(buf, role_text, sizeof(role_text) - 1);
	assert_int_equal(rules_load_buffer(&rs, "c.rules", buf, strlen(buf), stderr), 0);
	assert_null(portmatch_build(&rs, f));
	fclose(f);
	assert_int_equal(sscanf(msgs, "c.rules:%d: rule s%d: ", &line, &k), 2);
	assert_int_equal(line, 4 + 15 * k);           /* the rule's header */
	assert_int_equal(rs.rules[k].line, line);
	assert_in_range(k, 250, 260);
	assert_non_null(strstr(msgs, "more than 16777216 entries (64 MiB)"));
	assert_string_equal(strchr(msgs, '\n'), "\n"); /* one message */
	free(msgs);
	free(buf);
	ruleset_free(&rs);
}

/* A matcher's size is reported and bounded by its entries. */
static void test_bytes(void **state)
{
	struct ruleset rs;
	struct portmatch *pm;
	size_t n;

	(void)state;
	load_shipped(&rs);
	pm = portmatch_build(&rs, stderr);
	assert_non_null(pm);
	n = portmatch_bytes(pm);
	assert_true(n >= 2 * 65537 * sizeof(uint32_t));
	assert_true(n < 2 * 65537 * sizeof(uint32_t) + 64 * 1024);
	portmatch_free(pm);
	ruleset_free(&rs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shipped_every_port),
		cmocka_unit_test(test_shipped_row_edges),
		cmocka_unit_test(test_exact_before_range),
		cmocka_unit_test(test_overlapping_ranges),
		cmocka_unit_test(test_many_rules),
		cmocka_unit_test(test_entry_cap),
		cmocka_unit_test(test_bytes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
