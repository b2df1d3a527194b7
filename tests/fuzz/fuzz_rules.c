/* fuzz_rules.c: the rule loader through the port matcher build.
 *
 * The input is loaded twice, as a program loads rule files:
 *  - alone (--rules FILE), then once more as a second file (every id and
 *    role is then a duplicate, so the roll-back runs);
 *  - on top of the shipped rules (--rules-add FILE), so that a site file
 *    using their roles gets as far as the matcher; rolled back after.
 * Each set that loads goes through rules_finish() and the matcher build as
 * a run does it: built with the real cap, then with a cap the input picks
 * (its last byte: the exact count, or one below it), which must fail
 * exactly when the entries exceed it, naming the file:line of a rule
 * header.  Every lookup at the bounds of every port item of the input's
 * rules is checked against rule_covers() over all rules: the matcher
 * must return exactly the covering rules, exact rows before range rows,
 * each once.  The loaded rules are also listed (text and JSON, both
 * languages) to /dev/null.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "output/output.h"
#include "capture/pkt.h"
#include "classify/portmatch.h"
#include "classify/rules.h"

static bool listed(const uint32_t *list, uint32_t n, uint32_t r)
{
	for (uint32_t i = 0; i < n; i++)
		if (list[i] == r)
			return true;
	return false;
}

/* True when a rule's port items name `port` as a single port. */
static bool exact_on(const struct rule *r, uint16_t port)
{
	for (int i = 0; i < r->nports; i++)
		if (r->ports[i].lo == port && r->ports[i].hi == port)
			return true;
	return false;
}

static void check_port(const struct ruleset *rs, const struct portmatch *pm,
		       uint8_t l4, unsigned bit, uint32_t port)
{
	struct pm_result res;
	uint32_t n = 0;

	if (port == 0 || port > 65535)
		return;
	portmatch_lookup(pm, l4, (uint16_t)port, &res);
	for (uint32_t i = 0; i < res.nexact; i++) {
		FUZZ_CHECK(res.exact[i] < (uint32_t)rs->nrules);
		FUZZ_CHECK(i == 0 || res.exact[i - 1] < res.exact[i]);
		FUZZ_CHECK(exact_on(&rs->rules[res.exact[i]], (uint16_t)port));
	}
	for (uint32_t i = 0; i < res.nrange; i++) {
		FUZZ_CHECK(res.range[i] < (uint32_t)rs->nrules);
		FUZZ_CHECK(i == 0 || res.range[i - 1] < res.range[i]);
		FUZZ_CHECK(!listed(res.exact, res.nexact, res.range[i]));
	}
	for (int i = 0; i < rs->nrules; i++) {
		const struct rule *r = &rs->rules[i];

		if (!rule_covers(r, bit, (uint16_t)port))
			continue;
		n++;
		FUZZ_CHECK(listed(res.exact, res.nexact, (uint32_t)i) ||
			   listed(res.range, res.nrange, (uint32_t)i));
	}
	FUZZ_CHECK(n == res.nexact + res.nrange);
}

/* Lookups at the bounds of the port items of rules first.. (the rules
 * before them are the shipped ones, checked by the unit tests). */
static void check_lookups(const struct ruleset *rs, const struct portmatch *pm,
			  int first)
{
	for (int i = first; i < rs->nrules; i++) {
		const struct rule *r = &rs->rules[i];

		for (int k = 0; k < r->nports; k++) {
			uint32_t lo = r->ports[k].lo, hi = r->ports[k].hi;

			FUZZ_CHECK(lo >= 1 && lo <= hi);
			for (int p = 0; p < 2; p++) {
				uint8_t l4 = p ? L4_UDP : L4_TCP;
				unsigned bit = p ? RULE_L4_UDP : RULE_L4_TCP;

				check_port(rs, pm, l4, bit, lo - 1);
				check_port(rs, pm, l4, bit, lo);
				check_port(rs, pm, l4, bit, hi);
				check_port(rs, pm, l4, bit, hi + 1);
			}
		}
	}
}

/* A build under cap `max`: fails exactly when the entries exceed it, with
 * one message naming the file:line of a rule's header. */
static void check_cap(const struct ruleset *rs, uint64_t entries, uint32_t max)
{
	char *msg = NULL, path[4096];
	size_t len = 0;
	FILE *f = open_memstream(&msg, &len);
	struct portmatch *pm;
	int line = 0, n = 0;
	bool named = false;

	if (f == NULL)
		return;
	pm = portmatch_build_max(rs, max, f);
	fclose(f);
	FUZZ_CHECK((pm != NULL) == (entries <= max));
	if (pm == NULL) {
		FUZZ_CHECK(sscanf(msg, "%4095[^:]:%d: rule %n", path, &line, &n) == 2 &&
			   n > 0);
		for (int i = 0; i < rs->nrules && !named; i++)
			named = rs->rules[i].line == line &&
				strcmp(rs->files[rs->rules[i].file], path) == 0 &&
				strncmp(msg + n, rs->rules[i].id,
					strlen(rs->rules[i].id)) == 0;
		FUZZ_CHECK(named);
	}
	portmatch_free(pm);
	free(msg);
}

static void check_matcher(const struct ruleset *rs, int first, uint8_t pick)
{
	struct portmatch *pm = portmatch_build(rs, fuzz_devnull());
	uint64_t entries;

	if (pm == NULL)
		return;
	entries = portmatch_entries(pm);
	FUZZ_CHECK(entries <= PORTMATCH_MAX_ENTRIES);
	FUZZ_CHECK(portmatch_bytes(pm) >= entries * sizeof(uint32_t));
	check_lookups(rs, pm, first);
	portmatch_free(pm);
	if (entries > 0 && (pick & 1))
		check_cap(rs, entries, (uint32_t)(entries - 1 - pick % entries));
	else
		check_cap(rs, entries, (uint32_t)entries);
}

static void check_rules(const struct ruleset *rs)
{
	char buf[64];

	for (int i = 0; i < rs->nrules; i++) {
		const struct rule *r = &rs->rules[i];

		FUZZ_CHECK(r->role >= 0 && r->role < rs->nroles);
		FUZZ_CHECK(r->nports <= RULE_MAX_PORTS);
		FUZZ_CHECK((r->l4 == 0) == (r->nports == 0));
		for (int t = 0; t < TEXT_N; t++)
			for (int l = 0; l < LANG_N; l++)
				FUZZ_CHECK(r->text[t][l] != NULL);
		rule_ports_format(r, buf, sizeof(buf));
	}
	for (int i = 0; i < rs->nroles; i++)
		for (int k = 0; k < rs->nroles; k++)
			(void)rules_role_covers(rs, i, k);
}

/* After a load: what a run does with the set. */
static void check_loaded(struct ruleset *rs, int first, uint8_t pick)
{
	check_rules(rs);
	if (rules_finish(rs, fuzz_devnull()) == 0) {
		check_matcher(rs, first, pick);
		output_rules(fuzz_devnull(), rs, LANG_EN, false);
		output_rules(fuzz_devnull(), rs, LANG_JA, true);
	}
}

/* The input as a site file on top of the shipped rules (kept loaded). */
static void on_shipped(const char *buf, size_t size, uint8_t pick)
{
	static struct ruleset shipped;
	static bool loaded;
	struct ruleset_mark mark;
	int nrules;

	if (!loaded) {
		fuzz_load_rules(&shipped);
		loaded = true;
	}
	mark = ruleset_get_mark(&shipped);
	nrules = shipped.nrules;
	if (rules_load_buffer(&shipped, "site.rules", buf, size,
			      fuzz_devnull()) == 0) {
		check_loaded(&shipped, nrules, pick);
		ruleset_rollback(&shipped, mark);
	}
	FUZZ_CHECK(shipped.nrules == nrules && shipped.nfiles == 1);
	FUZZ_CHECK(rules_rule_find(&shipped, shipped.rules[nrules - 1].id) ==
		   nrules - 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ruleset rs;
	const char *buf = (const char *)data;
	uint8_t pick = size ? data[size - 1] : 0;
	int nrules, nroles;

	ruleset_init(&rs);
	if (rules_load_buffer(&rs, "fuzz.rules", buf, size, fuzz_devnull()) == 0) {
		nrules = rs.nrules;
		nroles = rs.nroles;
		if (rules_load_buffer(&rs, "again.rules", buf, size,
				      fuzz_devnull()) != 0) {
			FUZZ_CHECK(rs.nrules == nrules && rs.nroles == nroles);
			FUZZ_CHECK(rs.nfiles == 1);
		}
		check_loaded(&rs, 0, pick);
	} else {
		FUZZ_CHECK(rs.nrules == 0 && rs.nroles == 0 && rs.nfiles == 0);
	}
	ruleset_free(&rs);
	on_shipped(buf, size, pick);
	return 0;
}
