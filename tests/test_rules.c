/* test_rules.c: the rule-file parser: a valid file, every error class with
 * its file:line, roll-back of a bad file, role implication, ids and role
 * keys found by hash, and the shipped lync2013.rules (row counts per
 * table). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify/rules.h"
#include "shipped.h"

static const char roles_ok[] =
	"[role all-servers]\n"
	"name.en = All servers\n"
	"name.ja = すべてのサーバー\n"
	"\n"
	"[role front-end]\n"
	"name.en = Front End Server\n"
	"name.ja = フロントエンド サーバー\n"
	"implies = all-servers\n"
	"learn = 5061/tcp 444/tcp\n"
	"[role fe-med]\n"
	"name.en = x\n"
	"name.ja = x\n"
	"implies = front-end\n";

/* A complete rule with one key replaced: "KEY = VALUE" lines in `extra`
 * are appended, keys named in `drop` are left out. */
static char *rule_text(const char *id, const char *drop, const char *extra)
{
	static const char *const lines[] = {
		"table = server", "role = front-end", "role.en = Front End Servers",
		"role.ja = フロントエンド サーバー", "service.en = S", "service.ja = S",
		"l4 = tcp", "port = 5061", "protocol.en = TCP (TLS)",
		"protocol.ja = TCP (TLS)", "app = tls", "note.en = n", "note.ja = n",
	};
	char *buf = calloc(1, 4096);
	size_t n = sizeof(lines) / sizeof(lines[0]);

	snprintf(buf, 4096, "[rule %s]\n", id);
	for (size_t i = 0; i < n; i++) {
		size_t klen = strcspn(lines[i], " ");
		if (drop && strlen(drop) == klen && strncmp(drop, lines[i], klen) == 0)
			continue;
		strcat(buf, lines[i]);
		strcat(buf, "\n");
	}
	if (extra)
		strcat(buf, extra);
	return buf;
}

/* Loads roles_ok + text; returns the error count, messages in *msgs. */
static int load(struct ruleset *rs, const char *text, char **msgs)
{
	size_t len = 0;
	FILE *f = open_memstream(msgs, &len);
	char *all = malloc(strlen(roles_ok) + strlen(text) + 1);
	int n;

	strcpy(all, roles_ok);
	strcat(all, text);
	n = rules_load_buffer(rs, "t.rules", all, strlen(all), f);
	fclose(f);
	free(all);
	return n;
}

/* Expects exactly one problem whose message contains `want`. */
static void expect_error(const char *text, const char *want)
{
	struct ruleset rs;
	char *msgs = NULL;
	int n;

	ruleset_init(&rs);
	n = load(&rs, text, &msgs);
	if (n != 1 || strstr(msgs, want) == NULL)
		fail_msg("want 1 error containing '%s', got %d:\n%s", want, n, msgs);
	assert_int_equal(rs.nrules, 0); /* rolled back */
	assert_int_equal(rs.nroles, 0);
	free(msgs);
	ruleset_free(&rs);
}

static void test_valid_rule(void **state)
{
	struct ruleset rs;
	char *msgs = NULL, *t = rule_text("r1", "port", "port = 67,68 , 49152-57500\n"
					  "status = optional\nfallback = yes\n"
					  "shared = yes\n");
	char buf[64];

	(void)state;
	ruleset_init(&rs);
	assert_int_equal(load(&rs, t, &msgs), 0);
	assert_int_equal(rs.nrules, 1);
	assert_string_equal(rs.rules[0].id, "r1");
	assert_int_equal(rs.rules[0].table, TABLE_SERVER);
	assert_int_equal(rs.rules[0].l4, RULE_L4_TCP);
	assert_int_equal(rs.rules[0].app, APP_TLS);
	assert_int_equal(rs.rules[0].status, STATUS_OPTIONAL);
	assert_true(rs.rules[0].fallback);
	assert_true(rs.rules[0].shared);
	assert_int_equal(rs.rules[0].line, 14); /* header line after 13 role lines */
	assert_string_equal(rs.roles[rs.rules[0].role].key, "front-end");
	assert_string_equal(rs.rules[0].text[TEXT_ROLE][LANG_JA],
			    "フロントエンド サーバー");
	rule_ports_format(&rs.rules[0], buf, sizeof(buf));
	assert_string_equal(buf, "67,68,49152-57500");
	assert_true(rule_covers(&rs.rules[0], RULE_L4_TCP, 68));
	assert_true(rule_covers(&rs.rules[0], RULE_L4_TCP, 57500));
	assert_false(rule_covers(&rs.rules[0], RULE_L4_TCP, 57501));
	assert_false(rule_covers(&rs.rules[0], RULE_L4_UDP, 68));
	assert_int_equal(rs.roles[1].nlearn, 2);
	assert_int_equal(rs.roles[1].learn[1].port, 444);
	free(t);
	free(msgs);
	ruleset_free(&rs);
}

static void test_role_implies(void **state)
{
	struct ruleset rs;
	char *msgs = NULL;
	int all, fe, med;

	(void)state;
	ruleset_init(&rs);
	assert_int_equal(load(&rs, "", &msgs), 0);
	all = rules_role_find(&rs, "all-servers");
	fe = rules_role_find(&rs, "front-end");
	med = rules_role_find(&rs, "fe-med");
	assert_true(rules_role_covers(&rs, med, fe));
	assert_true(rules_role_covers(&rs, med, all)); /* transitive */
	assert_false(rules_role_covers(&rs, fe, med));
	assert_int_equal(rules_role_find(&rs, "nope"), -1);
	free(msgs);
	ruleset_free(&rs);
}

/* Nine roles that each imply the eight others, and one that nothing
 * implies: a walk that does not remember where it has been takes 8^n
 * steps to answer "no" (a hang with an inventory).  Cycles are allowed. */
static void test_role_implies_cycles(void **state)
{
	char text[4096] = "", line[256];
	struct ruleset rs;
	int r0, r8, x;

	(void)state;
	for (int i = 0; i < 9; i++) {
		snprintf(line, sizeof(line), "[role r%d]\nname.en = r\nname.ja = r\n"
			 "implies = ", i);
		strcat(text, line);
		for (int k = 0, n = 0; k < 9; k++) {
			if (k == i)
				continue;
			snprintf(line, sizeof(line), "%sr%d", n++ ? ", " : "", k);
			strcat(text, line);
		}
		strcat(text, "\n");
	}
	strcat(text, "[role x]\nname.en = x\nname.ja = x\n");
	ruleset_init(&rs);
	assert_int_equal(rules_load_buffer(&rs, "c.rules", text, strlen(text),
					   stderr), 0);
	r0 = rules_role_find(&rs, "r0");
	r8 = rules_role_find(&rs, "r8");
	x = rules_role_find(&rs, "x");
	assert_true(rules_role_covers(&rs, r0, r8));
	assert_true(rules_role_covers(&rs, r8, r0));
	assert_false(rules_role_covers(&rs, r0, x)); /* at once */
	assert_false(rules_role_covers(&rs, x, r0));
	ruleset_free(&rs);
}

/* RULES_MAX_ROLES over all files; the role past it is an error. */
static void test_too_many_roles(void **state)
{
	size_t cap = (RULES_MAX_ROLES + 1) * 48, len = 0;
	char *text = malloc(cap), *msgs = NULL;
	struct ruleset rs;
	FILE *f;

	(void)state;
	for (int i = 0; i <= RULES_MAX_ROLES; i++)
		len += (size_t)snprintf(text + len, cap - len,
					"[role r%d]\nname.en = r\nname.ja = r\n", i);
	ruleset_init(&rs);
	f = open_memstream(&msgs, &len);
	assert_int_equal(rules_load_buffer(&rs, "m.rules", text, strlen(text), f), 1);
	fclose(f);
	assert_non_null(strstr(msgs, "m.rules:3073: too many roles (at most 1024"));
	assert_int_equal(rs.nroles, 0);
	free(msgs);
	free(text);
	ruleset_free(&rs);
}

static void test_error_classes(void **state)
{
	struct { const char *id, *drop, *extra, *want; } cases[] = {
		{ "a", NULL, "colour = red\n", "t.rules:28: unknown key 'colour'" },
		{ "a", "port", "port = 0\n", "bad port '0'" },
		{ "a", "port", "port = 70000\n", "bad port '70000'" },
		{ "a", "port", "port = 5x\n", "bad port '5x'" },
		{ "a", "port", "port = 6000-5000\n", "reversed port range 6000-5000" },
		{ "a", "port", "port = 1,2,3,4,5\n", "too many port items" },
		{ "a", "l4", "l4 = sctp\n", "bad l4 'sctp'" },
		{ "a", "app", "app = ftp\n", "bad app 'ftp' (want one of:" },
		{ "a", "table", "table = edge\n", "bad table 'edge'" },
		{ "a", "status", "status = maybe\n", "bad status 'maybe'" },
		{ "a", NULL, "fallback = perhaps\n", "bad fallback 'perhaps'" },
		{ "a", NULL, "shared = 1\n", "bad shared '1' (want yes or no)" },
		{ "a", "note.ja", NULL, "t.rules:14: rule a: missing translation 'note.ja'" },
		{ "a", "table", NULL, "t.rules:14: rule a: missing key 'table'" },
		{ "a", "role", "role = pbx\n", "t.rules:14: rule a: unknown role 'pbx'" },
		{ "a", NULL, "app = tls\n", "key 'app' given twice" },
		{ "bad id!", NULL, NULL, "bad rule id 'bad id!'" },
		{ "a", "port", "port = none\n", "l4 none goes with port none" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *t = rule_text(cases[i].id, cases[i].drop, cases[i].extra);
		expect_error(t, cases[i].want);
		free(t);
	}
}

static void test_structural_errors(void **state)
{
	char *a = rule_text("dup", NULL, NULL), *b = rule_text("dup", NULL, NULL);
	char *both = malloc(strlen(a) + strlen(b) + 1);

	(void)state;
	strcpy(both, a);
	strcat(both, b);
	expect_error(both, "t.rules:28: duplicate rule id 'dup'");
	expect_error("table = server\n", "t.rules:14: unknown key 'table' in [role]");
	expect_error("[rule x\n", "t.rules:14: section header without ']'");
	expect_error("[zone x]\n", "unknown section 'zone'");
	expect_error("[rule]\n", "bad section header");
	expect_error("[role front-end]\nname.en=a\nname.ja=b\n",
		     "t.rules:14: duplicate role 'front-end'");
	expect_error("[role r]\nname.en=a\n", "role r: missing key 'name.ja'");
	expect_error("[role r]\nname.en=a\nname.ja=b\nimplies = ghost\n",
		     "role r: implies unknown role 'ghost'");
	expect_error("[role r]\nname.en=a\nname.ja=b\nlearn = 5061\n",
		     "bad port '5061' (want PORT/tcp or PORT/udp)");
	expect_error("[role r]\nname.en=a\nname.ja=b\nno equals here\n",
		     "t.rules:17: expected 'key = value'");
	free(a);
	free(b);
	free(both);
}

/* Every problem of a file is reported, not only the first. */
static void test_all_errors_reported(void **state)
{
	struct ruleset rs;
	char *msgs = NULL;

	(void)state;
	char *t = rule_text("a", "port", "port = 0\nl4 = x\napp = y\n");
	size_t len = 0;
	FILE *f;

	ruleset_init(&rs);
	assert_int_equal(load(&rs, t, &msgs), 3);
	assert_non_null(strstr(msgs, "t.rules:27: bad port '0'"));
	assert_non_null(strstr(msgs, "t.rules:28: key 'l4' given twice"));
	assert_non_null(strstr(msgs, "t.rules:29: key 'app' given twice"));
	free(msgs);
	free(t);
	/* a key before any section */
	f = open_memstream(&msgs, &len);
	assert_int_equal(rules_load_buffer(&rs, "k.rules", "\n# c\nl4 = tcp\n", 14, f), 1);
	fclose(f);
	assert_string_equal(msgs, "k.rules:3: key 'l4' outside a [rule] or [role] section\n");
	free(msgs);
	ruleset_free(&rs);
}

/* A bad second file leaves the first one loaded, untouched. */
static void test_rollback_keeps_earlier_file(void **state)
{
	struct ruleset rs;
	char *t = rule_text("good", NULL, NULL);
	char *msgs = NULL;

	(void)state;
	ruleset_init(&rs);
	assert_int_equal(load(&rs, t, &msgs), 0);
	free(msgs);
	assert_true(rules_load_buffer(&rs, "bad.rules", "[rule x]\nport=0\n", 16,
				      NULL) > 0);
	assert_int_equal(rs.nrules, 1);
	assert_int_equal(rs.nfiles, 1);
	assert_string_equal(rs.rules[0].id, "good");
	/* a later file may use the earlier file's roles */
	free(t);
	t = rule_text("site", NULL, NULL);
	assert_int_equal(rules_load_buffer(&rs, "site.rules", t, strlen(t), stderr), 0);
	assert_int_equal(rs.nrules, 2);
	assert_int_equal(rs.rules[1].file, 1);
	free(t);
	ruleset_free(&rs);
}

/* n rules "PREFIX0".."PREFIXn-1", then `tail` (NULL: nothing). */
static char *many_rules(const char *prefix, int n, const char *tail)
{
	size_t cap = (size_t)n * 512 + 4096, len = 0;
	char *buf = malloc(cap), id[64];

	buf[0] = '\0';
	for (int i = 0; i < n; i++) {
		char *t;

		snprintf(id, sizeof(id), "%s%d", prefix, i);
		t = rule_text(id, NULL, NULL);
		memcpy(buf + len, t, strlen(t) + 1);
		len += strlen(t);
		free(t);
	}
	if (tail)
		strcat(buf + len, tail);
	return buf;
}

/* Ids and role keys are found through hashes: across files, past their
 * growth, and after a roll-back (which must forget the rolled-back ids). */
static void test_name_index(void **state)
{
	struct ruleset rs;
	char *msgs = NULL, *t;

	(void)state;
	ruleset_init(&rs);
	t = many_rules("a", 300, NULL);
	assert_int_equal(load(&rs, t, &msgs), 0);
	free(msgs);
	free(t);
	t = rule_text("a150", NULL, NULL);
	assert_int_equal(rules_load_buffer(&rs, "b.rules", t, strlen(t), NULL), 1);
	free(t);
	/* a file rolled back: its ids and roles are not taken afterwards */
	t = many_rules("c", 200, "[role late]\nname.en = l\nname.ja = l\n"
		       "[rule bad]\nport = 0\n");
	assert_true(rules_load_buffer(&rs, "c.rules", t, strlen(t), NULL) > 0);
	assert_int_equal(rs.nrules, 300);
	assert_int_equal(rules_rule_find(&rs, "c0"), -1);
	assert_int_equal(rules_role_find(&rs, "late"), -1);
	free(t);
	t = many_rules("c", 200, "[role late]\nname.en = l\nname.ja = l\n");
	assert_int_equal(rules_load_buffer(&rs, "d.rules", t, strlen(t), stderr), 0);
	free(t);
	assert_int_equal(rs.nrules, 500);
	assert_int_equal(rules_rule_find(&rs, "a0"), 0);
	assert_int_equal(rules_rule_find(&rs, "a299"), 299);
	assert_int_equal(rules_rule_find(&rs, "c199"), 499);
	assert_int_equal(rules_rule_find(&rs, "c200"), -1);
	assert_int_equal(rules_role_find(&rs, "late"), rs.nroles - 1);
	assert_int_equal(rules_role_find(&rs, "front-end"), 1);
	assert_int_equal(rs.unknown_roles, 0);
	ruleset_free(&rs);
}

/* Roles named and declared nowhere are counted (--check-rules uses it). */
static void test_unknown_roles_counted(void **state)
{
	struct ruleset rs;
	char *t = rule_text("x", "role", "role = nowhere\n");

	(void)state;
	ruleset_init(&rs);
	strcat(t, "[role y]\nname.en = y\nname.ja = y\nimplies = gone\n");
	assert_int_equal(rules_load_buffer(&rs, "u.rules", t, strlen(t), NULL), 2);
	assert_int_equal(rs.unknown_roles, 2);
	assert_int_equal(rs.nrules, 0);
	free(t);
	ruleset_free(&rs);
}

static void test_missing_file(void **state)
{
	struct ruleset rs;
	char *msgs = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&msgs, &len);

	(void)state;
	ruleset_init(&rs);
	assert_int_equal(rules_load_file(&rs, "/nonexistent/x.rules", f), 1);
	fclose(f);
	assert_non_null(strstr(msgs, "/nonexistent/x.rules: cannot open"));
	free(msgs);
	ruleset_free(&rs);
}

/* The shipped file: every table's row count as on the vendor's page. */
static void test_shipped_rules(void **state)
{
	struct ruleset rs;
	int per[TABLE_N] = { 0 };

	(void)state;
	assert_int_equal(load_shipped_rules(&rs, NULL), 0);
	assert_int_equal(rules_finish(&rs, stderr), 0);
	for (int i = 0; i < rs.nrules; i++)
		per[rs.rules[i].table]++;
	assert_int_equal(per[TABLE_SERVER], 52);
	assert_int_equal(per[TABLE_HLB], 20);
	assert_int_equal(per[TABLE_DNSLB], 7);
	assert_int_equal(per[TABLE_CLIENT], 12);
	ruleset_free(&rs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_rule),
		cmocka_unit_test(test_role_implies),
		cmocka_unit_test(test_role_implies_cycles),
		cmocka_unit_test(test_too_many_roles),
		cmocka_unit_test(test_error_classes),
		cmocka_unit_test(test_structural_errors),
		cmocka_unit_test(test_all_errors_reported),
		cmocka_unit_test(test_rollback_keeps_earlier_file),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_name_index),
		cmocka_unit_test(test_unknown_roles_counted),
		cmocka_unit_test(test_shipped_rules),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
