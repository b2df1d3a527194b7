/* test_eve.c: the flow event's kept texts (output/eve_flow.c).
 *
 * Proves: a flow event names what the slow ways name, record after
 * record, whatever its memos hold from the records before: the table
 * names (state, reason, verdict, flags, evidence app and by, server side)
 * are the name functions' for every value, past their enums and the
 * tables kept too, in random order; IPv6
 * addresses are textfmt_addr's for 20,000 random addresses drawn from a
 * small pool (memo hits) and from the whole space (misses and slot
 * collisions), IPv4 ones too; the timestamp, start and end are
 * textfmt_time's for times around second, minute, day and year
 * boundaries, the end equal to the timestamp.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "audit/audit.h"
#include "output/eve.h"
#include "util/textfmt.h"
#include "xorshift.h"

/* Whether the record built in e holds `"key":"value"`. */
static void has(const struct eve *e, const char *key, const char *value)
{
	static char json[1 << 16];
	char want[256];
	size_t n = (size_t)snprintf(want, sizeof(want), "\"%s\":\"%s\"", key,
				    value);

	assert_true(n < sizeof(want));
	assert_true(e->jw.len < sizeof(json));
	memcpy(json, e->jw.buf, e->jw.len);
	json[e->jw.len] = '\0';
	if (strstr(json, want) == NULL)
		fail_msg("%s not in %s", want, json);
}

/* Whether the record built in e holds the text want. */
static void has_raw(const struct eve *e, const char *want)
{
	static char json[1 << 16];

	assert_true(e->jw.len < sizeof(json));
	memcpy(json, e->jw.buf, e->jw.len);
	json[e->jw.len] = '\0';
	if (strstr(json, want) == NULL)
		fail_msg("%s not in %s", want, json);
}

/* A record of no rule (no labels), its key from its addresses. */
static void record(struct flow_record *r, uint64_t id, int ipver)
{
	memset(r, 0, sizeof(*r));
	r->id = id;
	r->ipver = (uint8_t)ipver;
	r->l4 = L4_TCP;
	r->key.ipver = (uint8_t)ipver;
	r->key.l4 = L4_TCP;
	r->audit.reason_plain = true;
}

static void random_addr(uint8_t a[16], int ipver, uint64_t *seed,
			const uint8_t pool[8][16])
{
	uint64_t x = xorshift64(seed);

	if (x & 1) {                    /* a recurring address */
		memcpy(a, pool[x >> 1 & 7], 16);
	} else {
		for (int i = 0; i < 16; i++)
			a[i] = (uint8_t)xorshift64(seed);
		if (x & 2) {            /* runs of zero groups (RFC 5952) */
			size_t at = (x >> 8 & 7) * 2, n = (x >> 12 & 7) * 2;

			memset(a + at, 0, n < 16 - at ? n : 16 - at);
		}
	}
	if (ipver == 4)
		memset(a + 4, 0, 12);
}

static void test_addresses(void **state)
{
	uint64_t seed = 0xadd7e55ull;
	uint8_t pool[8][16];
	struct flow_record r;
	struct eve e;

	(void)state;
	for (int i = 0; i < 8; i++)
		for (int j = 0; j < 16; j++)
			pool[i][j] = (uint8_t)xorshift64(&seed);
	eve_init(&e, LANG_EN, false);
	for (uint64_t k = 0; k < 20000; k++) {
		int v = k % 5 ? 6 : 4;
		char a[64];

		record(&r, k, v);
		random_addr(r.client_addr, v, &seed, (const uint8_t (*)[16])pool);
		random_addr(r.server_addr, v, &seed, (const uint8_t (*)[16])pool);
		memcpy(r.key.a, r.client_addr, 16);
		memcpy(r.key.b, r.server_addr, 16);
		eve_flow(&e, &r);
		assert_false(e.jw.oom);
		textfmt_addr(r.client_addr, v, a, sizeof(a));
		has(&e, "src_ip", a);
		textfmt_addr(r.server_addr, v, a, sizeof(a));
		has(&e, "dest_ip", a);
	}
	eve_free(&e);
}

static void test_names(void **state)
{
	uint64_t seed = 0x4a3e5ull;
	struct flow_record r;
	struct eve e;

	(void)state;
	eve_init(&e, LANG_EN, false);
	for (uint64_t k = 0; k < 5000; k++) {
		uint64_t x = xorshift64(&seed);

		char flags[512], *f = flags;

		record(&r, k, 4);
		r.state = (uint8_t)(x % 8);        /* 3..7: past the enum and */
		r.why = (uint8_t)(x >> 4 & 15);    /* the tables kept */
		r.side_by = (uint8_t)(x >> 8 & 15);
		r.audit.flags = (uint32_t)(x >> 40) & ((1u << FLAG_N) - 1) &
				(uint32_t)(x >> 20);
		r.audit.verdict = (enum verdict)((x >> 12) % VERDICT_N);
		r.audit.by = (uint8_t)(x >> 16 & 3);
		r.audit.wire.proto = (uint8_t)(x >> 20 & 31) % (WIRE_N + 1);
		r.audit.seen = (uint8_t)(x >> 28 & 15);
		r.audit.support = (uint8_t)(x >> 32 & 3) % 3;
		r.nlabels = 0;
		eve_flow(&e, &r);
		has(&e, "state", flow_state_name((enum flow_state)r.state));
		has(&e, "reason", r.why == END_EVICTED ? "evicted" :
		    flow_end_name((enum flow_end)r.why));
		has(&e, "server_side_by", side_by_name((enum side_by)r.side_by));
		has(&e, "verdict", verdict_name(r.audit.verdict));
		has(&e, "app", audit_evidence_app(&r.audit));
		has(&e, "by", audit_by_name((enum ev_by)r.audit.by));
		f += sprintf(f, "\"flags\":[");
		for (int b = 0; b < FLAG_N; b++)
			if (r.audit.flags >> b & 1)
				f += sprintf(f, "%s\"%s\"", f[-1] == '[' ? "" : ",",
					     audit_flag_name(b));
		sprintf(f, "]");
		has_raw(&e, flags);
	}
	eve_free(&e);
}

static void test_times(void **state)
{
	/* 2026-12-31T23:59:59, 2024-02-29T00:00:00, 1999-12-31T23:59:58 */
	static const uint64_t edges[] = { 1798761599, 1709164800, 946684798 };
	uint64_t seed = 0x7173ull;
	struct flow_record r;
	struct eve e;

	(void)state;
	eve_init(&e, LANG_EN, false);
	for (uint64_t k = 0; k < 20000; k++) {
		uint64_t x = xorshift64(&seed);
		uint64_t base = edges[x % 3] * 1000000;
		char t[TEXTFMT_TIME_LEN];

		record(&r, k, 4);
		/* within 3 s of the edge; the start up to a minute before */
		r.last_us = base - 1500000 + (x >> 8) % 3000000;
		r.first_us = r.last_us - (x >> 32) % (k & 1 ? 61000000 : 3000);
		eve_flow(&e, &r);
		textfmt_time(r.last_us, t, sizeof(t));
		has(&e, "timestamp", t);
		has(&e, "end", t);
		textfmt_time(r.first_us, t, sizeof(t));
		has(&e, "start", t);
	}
	eve_free(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_addresses),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_times),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
