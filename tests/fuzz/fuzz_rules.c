/* fuzz_rules.c: the rule-file parser and the port matcher.
 *
 * The input is loaded as a rule file, then once more as a second file
 * (every id and role is then a duplicate, so the roll-back runs).  When it
 * loads, rules_finish() and portmatch_build() run, and every lookup at the
 * bounds of every port item is checked against rule_covers(): the matcher
 * must return exactly the covering rules, exact rows before range rows,
 * each once.  The loaded rules are also listed (text and JSON, both
 * languages) to /dev/null.
 */
#include <stdbool.h>
#include <stdint.h>
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

static void check_matcher(const struct ruleset *rs)
{
	struct portmatch *pm = portmatch_build(rs, fuzz_devnull());

	if (pm == NULL)
		return;
	for (int i = 0; i < rs->nrules; i++) {
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
	portmatch_free(pm);
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ruleset rs;
	const char *buf = (const char *)data;
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
		check_rules(&rs);
		if (rules_finish(&rs, fuzz_devnull()) == 0) {
			check_matcher(&rs);
			output_rules(fuzz_devnull(), &rs, LANG_EN, false);
			output_rules(fuzz_devnull(), &rs, LANG_JA, true);
		}
	} else {
		FUZZ_CHECK(rs.nrules == 0 && rs.nroles == 0 && rs.nfiles == 0);
	}
	ruleset_free(&rs);
	return 0;
}
