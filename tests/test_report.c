/* test_report.c: what the audit report gathers (output/report.h).
 *
 * Proves: the bounded table keeps at most `max` entries and counts the
 * rest, and finds every entry after it grew; the allow-list puts every
 * documented flow in exactly one row (client /24, server, protocol, the
 * port or the range of its first label, that row), leaves violations and
 * unexpected-app notices out, and writes the CSV in a stable order; the
 * coverage counts each label; the report keeps its own copy of the rows,
 * so its CSV is whole after the ruleset it read is freed (a live reload).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "output/report.h"
#include "shipped.h"

static void test_rtab_bound(void **state)
{
	struct rtab t = { .keylen = sizeof(uint32_t), .entlen = 16, .max = 1000 };
	uint32_t k;

	(void)state;
	for (k = 0; k < 1000; k++) {
		uint32_t *e = rtab_get(&t, &k);

		assert_non_null(e);
		assert_int_equal(*e, k);
	}
	for (k = 0; k < 1000; k++)
		assert_non_null(rtab_find(&t, &k));
	assert_null(rtab_get(&t, &k));          /* the 1001st */
	assert_int_equal(t.dropped, 1);
	assert_int_equal(t.n, 1000);
	assert_null(rtab_find(&t, &k));
	rtab_free(&t);
}

/* A flow record from 198.19.<net>.<host> to 198.18.10.11:port. */
static void record(struct flow_record *r, const struct ruleset *rs,
		   const char *rule, int net, int host, uint8_t l4,
		   uint16_t port, enum verdict v, uint32_t flags)
{
	memset(r, 0, sizeof(*r));
	r->ipver = 4;
	r->l4 = l4;
	memcpy(r->client_addr, (uint8_t[]){ 198, 19, (uint8_t)net, (uint8_t)host }, 4);
	memcpy(r->server_addr, (uint8_t[]){ 198, 18, 10, 11 }, 4);
	r->client_port = 50000;
	r->server_port = port;
	r->first_us = 1000000;
	r->last_us = 2000000;
	r->bytes_toserver = 100;
	r->rs = rs;
	r->labels[0] = (uint32_t)rules_rule_find(rs, rule);
	r->nlabels = 1;
	r->audit.verdict = v;
	r->audit.flags = flags;
	r->audit.judged = true;
}

static char *csv_of(const struct report_data *d)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(allow_write_csv(f, d), 0);
	fclose(f);
	return buf;
}

static void test_allowlist(void **state)
{
	struct ruleset rs;
	struct report_data d;
	struct flow_record r;
	char *csv;
	int i;

	(void)state;
	assert_int_equal(load_shipped_rules(&rs, NULL), 0);
	assert_int_equal(report_data_init(&d, &rs, LANG_EN), 0);
	record(&r, &rs, "srv-03", 1, 5, L4_TCP, 5061, VERDICT_OK, 0);
	report_data_add(&d, &r);
	record(&r, &rs, "srv-03", 1, 6, L4_TCP, 5061, VERDICT_NOTICE,
	       1u << FLAG_UNVERIFIED);
	report_data_add(&d, &r);                /* same /24: the same row */
	record(&r, &rs, "srv-03", 2, 5, L4_TCP, 5061, VERDICT_OK, 0);
	report_data_add(&d, &r);                /* another /24 */
	record(&r, &rs, "srv-39", 1, 5, L4_UDP, 50000, VERDICT_OK, 0);
	report_data_add(&d, &r);                /* a range row */
	record(&r, &rs, "srv-03", 3, 5, L4_TCP, 5061, VERDICT_VIOLATION,
	       1u << FLAG_APP_MISMATCH);
	report_data_add(&d, &r);                /* not allowed */
	record(&r, &rs, "srv-03", 4, 5, L4_TCP, 5061, VERDICT_NOTICE,
	       1u << FLAG_UNEXPECTED_APP);
	report_data_add(&d, &r);                /* not what the row says */
	assert_int_equal(d.allow.n, 3);
	assert_int_equal(d.flows_total, 6);
	i = rules_rule_find(&rs, "srv-03");
	assert_int_equal(d.rules.flows[d.rules.cur[i]], 5);
	ruleset_free(&rs);                      /* a reload freed it */
	csv = csv_of(&d);
	assert_string_equal(csv,
		"source,destination,destination_role,proto,port,rule,table,flows,bytes,first_seen,last_seen\n"
		"198.19.1.0/24,198.18.10.11,front-end,TCP,5061,srv-03,server,2,200,1970-01-01T00:00:01.000000Z,1970-01-01T00:00:02.000000Z\n"
		"198.19.1.0/24,198.18.10.11,all-servers,UDP,49152-57500,srv-39,server,1,100,1970-01-01T00:00:01.000000Z,1970-01-01T00:00:02.000000Z\n"
		"198.19.2.0/24,198.18.10.11,front-end,TCP,5061,srv-03,server,1,100,1970-01-01T00:00:01.000000Z,1970-01-01T00:00:02.000000Z\n");
	free(csv);
	assert_int_equal(d.viol.n, 1);          /* (app-mismatch, server, port) */
	report_data_free(&d);
}

/* A record of a reloaded set counts under the same row (by id). */
static void test_reload_keeps_counts(void **state)
{
	struct ruleset a, b;
	struct report_data d;
	struct flow_record r;
	int i;

	(void)state;
	assert_int_equal(load_shipped_rules(&a, NULL), 0);
	assert_int_equal(load_shipped_rules(&b, NULL), 0);
	assert_true(a.serial != b.serial);
	assert_int_equal(report_data_init(&d, &a, LANG_JA), 0);
	record(&r, &a, "srv-03", 1, 5, L4_TCP, 5061, VERDICT_OK, 0);
	report_data_add(&d, &r);
	ruleset_free(&a);
	record(&r, &b, "srv-03", 1, 5, L4_TCP, 5061, VERDICT_OK, 0);
	report_data_add(&d, &r);
	i = rules_rule_find(&b, "srv-03");
	assert_int_equal(d.rules.flows[d.rules.cur[i]], 2);
	assert_int_equal(d.rules.ncur, b.nrules);
	assert_int_equal(d.allow.n, 1);
	ruleset_free(&b);
	report_data_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rtab_bound),
		cmocka_unit_test(test_allowlist),
		cmocka_unit_test(test_reload_keeps_counts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
