/* test_stats.c: the summary counters and the summary model.
 *
 * Proves: stats_merge adds every counter of the STATS_SUMS list (each set
 * to a distinct value in the source) and merges traffic groups by their
 * key (table, role, service), not by their index: a source whose groups
 * lie in another order, or hold a group the destination lacks, lands in
 * the right rows; summary_build gives the text and JSON sinks one row per
 * group with flows, in group order, then the "(no rule)" row.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "output/stats.h"
#include "output/summary.h"
#include "shipped.h"

static struct ruleset rs;

static int setup(void **state)
{
	(void)state;
	return load_shipped_rules(&rs, NULL) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	ruleset_free(&rs);
	return 0;
}

/* The group of rule index r in s. */
static struct stats_group *group(struct stats *s, int r)
{
	return &s->groups[s->rule_group[r]];
}

/* Gives every STATS_SUMS counter of s a distinct value from *v. */
#define SET(name) s->name = (*v)++;
#define SET_ARRAY(name, k) for (size_t i = 0; i < (size_t)(k); i++) s->name[i] = (*v)++;
static void set_all(struct stats *s, uint64_t *v)
{
	STATS_SUMS(SET, SET_ARRAY)
}

#define CHECK(name) assert_int_equal(d->name, 2 * s->name);
#define CHECK_ARRAY(name, k) for (size_t i = 0; i < (size_t)(k); i++) assert_int_equal(d->name[i], 2 * s->name[i]);
static void check_doubled(const struct stats *d, const struct stats *s)
{
	STATS_SUMS(CHECK, CHECK_ARRAY)
}

static void test_merge_counters(void **state)
{
	struct stats a, b;
	uint64_t v = 1;

	(void)state;
	assert_int_equal(stats_init(&a, &rs), 0);
	assert_int_equal(stats_init(&b, &rs), 0);
	set_all(&b, &v);
	assert_int_equal(stats_merge(&a, &b), 0);
	assert_int_equal(stats_merge(&a, &b), 0);
	check_doubled(&a, &b);
	stats_free(&a);
	stats_free(&b);
}

static void test_merge_groups_by_key(void **state)
{
	struct stats a, b;
	struct stats_group tmp;
	int r0 = 0, r1 = rs.nrules - 1, g0, g1;

	(void)state;
	assert_int_equal(stats_init(&a, &rs), 0);
	assert_int_equal(stats_init(&b, &rs), 0);
	g0 = b.rule_group[r0];
	g1 = b.rule_group[r1];
	assert_int_not_equal(g0, g1);
	group(&b, r0)->flows = 3;
	group(&b, r1)->flows = 5;
	group(&b, r1)->bytes = 500;
	/* b's groups in another order than a's */
	tmp = b.groups[g0];
	b.groups[g0] = b.groups[g1];
	b.groups[g1] = tmp;
	b.rule_group[r0] = g1;
	b.rule_group[r1] = g0;
	assert_int_equal(stats_merge(&a, &b), 0);
	assert_int_equal(group(&a, r0)->flows, 3);
	assert_int_equal(group(&a, r1)->flows, 5);
	assert_int_equal(group(&a, r1)->bytes, 500);
	/* a group a lacks is added */
	a.ngroups = g0 < g1 ? g0 : g1;
	b.groups[g1].flows = 7;
	b.groups[g0].flows = 0;
	assert_int_equal(stats_merge(&a, &b), 0);
	assert_ptr_equal(a.groups[a.ngroups - 1].rule, b.groups[g1].rule);
	assert_int_equal(a.groups[a.ngroups - 1].flows, 7);
	stats_free(&a);
	stats_free(&b);
}

static void test_summary_rows(void **state)
{
	struct stats s;
	struct summary sm;
	struct run_info ri = { .flows_active_peak = 4, .max_flows = 10 };
	int r0 = 0, r1 = rs.nrules - 1;

	(void)state;
	assert_int_equal(stats_init(&s, &rs), 0);
	group(&s, r1)->flows = 2;
	group(&s, r0)->flows = 1;
	s.unlabelled_flows = 6;
	s.decode[DECODE_TRUNCATED] = 1;
	s.decode[DECODE_INVALID] = 2;
	assert_int_equal(summary_build(&sm, &s, &ri, LANG_EN), 0);
	assert_int_equal(sm.nrows, 3);
	assert_ptr_equal(sm.rows[0].role, rs.rules[r0].text[TEXT_ROLE][LANG_EN]);
	assert_int_equal(sm.rows[0].flows, 1);
	assert_int_equal(sm.rows[1].flows, 2);
	assert_true(sm.rows[2].no_rule);
	assert_int_equal(sm.rows[2].flows, 6);
	assert_int_equal(sm.decode_errors, 3);
	assert_int_equal(sm.peak_active, 4);
	assert_false(sm.dpi);
	summary_free(&sm);
	stats_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_merge_counters),
		cmocka_unit_test(test_merge_groups_by_key),
		cmocka_unit_test(test_summary_rows),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
