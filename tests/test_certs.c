/* test_certs.c: the per-server certificate table (output/certs.c).
 *
 * Proves: names match exactly, case-insensitively, "*." covering exactly
 * one label, the CN counting only without SANs; each finding is raised at
 * its boundary and not one second before (expired against the last flow,
 * expires_soon against the capture's end and --cert-warn-days, validity
 * not read: none); one server and port with two certificates is rotated,
 * two servers without a role are not a pool; the table goes on after a
 * finish (found again, not doubled); handshakes without a
 * certificate are counted (TLS 1.3 apart) and filed nowhere; the table
 * keeps CERTS_MAX entries and counts the rest.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "classify/rules.h"
#include "output/certs.h"
#include "output/record.h"

#define S 1000000ull     /* µs in a second */
#define T0 1700000000ll  /* a capture's time, s */

static struct flow_record rec(uint8_t last_octet, uint16_t port,
			      uint8_t fp, const char *sni)
{
	struct flow_record r;

	memset(&r, 0, sizeof(r));
	r.ipver = 4;
	r.l4 = 6;
	r.server_addr[0] = 198;
	r.server_addr[1] = 18;
	r.server_addr[3] = last_octet;
	r.server_port = port;
	r.first_us = (uint64_t)T0 * S;
	r.last_us = (uint64_t)(T0 + 10) * S;
	r.dpi = true;
	r.tls = true;
	r.tls_facts.cert = true;
	r.tls_facts.version = 0x0303;
	r.tls_facts.sha1[0] = fp;
	r.tls_facts.not_before = T0 - 86400;
	r.tls_facts.not_after = T0 + 365 * 86400;
	strcpy(r.tls_facts.subject, "CN=pool.lw.test");
	strcpy(r.tls_facts.issuer, "CN=ca");
	strcpy(r.tls_facts.names, "pool.lw.test,*.lw.test");
	if (sni) {
		strcpy(r.names, sni);
		r.name_at[REC_HOST] = 1;
	}
	return r;
}

/* The findings of the one entry made from r, at capture end end_s. */
static uint32_t findings_of(const struct flow_record *r, int64_t end_s,
			    unsigned days)
{
	struct certs *c = certs_new();
	struct certs_counts cc;
	uint32_t n, f;
	const struct cert_entry *e;

	certs_add(c, r);
	e = certs_finish(c, (uint64_t)end_s * S, days, &n, &cc);
	assert_int_equal(n, 1);
	f = e[0].findings;
	certs_free(c);
	return f;
}

static void test_names(void **state)
{
	struct inspect_tls t;

	(void)state;
	memset(&t, 0, sizeof(t));
	strcpy(t.subject, "C=JP, O=x, CN=cn.lw.test");
	strcpy(t.names, "pool.lw.test,*.fe.lw.test");
	assert_true(certs_name_matches(&t, "pool.lw.test"));
	assert_true(certs_name_matches(&t, "POOL.lw.TEST"));
	assert_true(certs_name_matches(&t, "a.fe.lw.test"));
	assert_false(certs_name_matches(&t, "fe.lw.test"));
	assert_false(certs_name_matches(&t, "a.b.fe.lw.test"));
	assert_false(certs_name_matches(&t, "pool.lw.test.evil"));
	assert_false(certs_name_matches(&t, "cn.lw.test"));   /* SANs rule */
	t.names[0] = '\0';
	assert_true(certs_name_matches(&t, "cn.lw.test"));
	assert_false(certs_name_matches(&t, "pool.lw.test"));
	strcpy(t.subject, "O=no cn");
	assert_false(certs_name_matches(&t, "cn.lw.test"));
}

/* An inventory's host name: an FQDN as an SNI; a short name against the
 * names' first labels (a wildcard covers any). */
static void test_host_names(void **state)
{
	struct inspect_tls t;
	struct flow_record r = rec(1, 443, 1, "pool.lw.test");

	(void)state;
	memset(&t, 0, sizeof(t));
	strcpy(t.subject, "CN=cn.lw.test");
	strcpy(t.names, "pool.lw.test,fe1.lw.test");
	assert_true(certs_host_matches(&t, "fe1.lw.test"));
	assert_true(certs_host_matches(&t, "FE1"));
	assert_false(certs_host_matches(&t, "fe2"));
	assert_false(certs_host_matches(&t, "fe"));
	assert_false(certs_host_matches(&t, "fe1.other.test"));
	strcpy(t.names, "*.lw.test");
	assert_true(certs_host_matches(&t, "fe2"));
	t.names[0] = '\0';
	assert_true(certs_host_matches(&t, "cn"));
	assert_false(certs_host_matches(&t, "pool"));
	/* the finding, on an entry: the name given, and matched or not */
	strcpy(r.tls_facts.names, "pool.lw.test,fe1.lw.test");
	strcpy(r.server_name, "fe1");
	assert_int_equal(findings_of(&r, T0 + 10, 30), 0);
	strcpy(r.server_name, "fe2.lw.test");
	assert_int_equal(findings_of(&r, T0 + 10, 30), 1u << CERT_NAME_MISMATCH);
}

static void test_validity(void **state)
{
	struct flow_record r = rec(1, 443, 1, "pool.lw.test");
	int64_t end = T0 + 10;

	(void)state;
	assert_int_equal(findings_of(&r, end, 30), 0);
	r.tls_facts.not_after = T0 + 10;          /* the last flow's second */
	assert_int_equal(findings_of(&r, end, 0), 0);
	r.tls_facts.not_after = T0 + 9;
	assert_int_equal(findings_of(&r, end, 30), 1u << CERT_EXPIRED);
	r.tls_facts.not_after = end + 30 * 86400;   /* exactly 30 days on */
	assert_int_equal(findings_of(&r, end, 30), 0);
	r.tls_facts.not_after = end + 30 * 86400 - 1;
	assert_int_equal(findings_of(&r, end, 30), 1u << CERT_EXPIRES_SOON);
	assert_int_equal(findings_of(&r, end, 29), 0);
	r.tls_facts.not_after = 0;                  /* validity not read */
	r.tls_facts.not_before = 0;
	assert_int_equal(findings_of(&r, end, 30), 0);
	r.tls_facts.not_after = T0 + 365 * 86400;
	r.tls_facts.not_before = T0;                /* the first flow's second */
	assert_int_equal(findings_of(&r, end, 30), 0);
	r.tls_facts.not_before = T0 + 1;
	assert_int_equal(findings_of(&r, end, 30), 1u << CERT_NOT_YET_VALID);
}

static void test_other_findings(void **state)
{
	struct flow_record r = rec(1, 443, 1, "pool.lw.test");
	int64_t end = T0 + 10;

	(void)state;
	strcpy(r.tls_facts.issuer, r.tls_facts.subject);
	assert_int_equal(findings_of(&r, end, 30), 1u << CERT_SELF_SIGNED);
	r = rec(1, 443, 1, "other.test");
	assert_int_equal(findings_of(&r, end, 30), 1u << CERT_NAME_MISMATCH);
	r = rec(1, 443, 1, NULL);                   /* no SNI: no evidence */
	assert_int_equal(findings_of(&r, end, 30), 0);
	r.tls_facts.version = 0x0302;
	assert_int_equal(findings_of(&r, end, 30), 1u << CERT_OBSOLETE_TLS);
	r.tls_facts.version = 0x0303;
	r.tls_facts.weak_cipher = 1;
	assert_int_equal(findings_of(&r, end, 30), 1u << CERT_WEAK_CIPHER);
}

static void test_rotation_and_counts(void **state)
{
	struct certs *c = certs_new();
	struct flow_record a = rec(1, 443, 1, "pool.lw.test");
	struct flow_record b = rec(1, 443, 2, "pool.lw.test");
	struct flow_record other = rec(2, 443, 3, "pool.lw.test");
	struct flow_record none = rec(1, 443, 1, "pool.lw.test");
	struct flow_record t13 = none;
	struct certs_counts cc;
	const struct cert_entry *e;
	uint32_t n;

	(void)state;
	none.tls_facts.cert = false;
	t13.tls_facts.cert = false;
	t13.tls_facts.version = 0x0304;
	certs_add(c, &a);
	certs_add(c, &a);
	certs_add(c, &b);
	certs_add(c, &other);
	certs_add(c, &none);
	certs_add(c, &t13);
	e = certs_finish(c, (uint64_t)(T0 + 10) * S, 30, &n, &cc);
	assert_int_equal(n, 3);
	assert_int_equal(cc.handshakes, 6);
	assert_int_equal(cc.with_cert, 4);
	assert_int_equal(cc.no_cert, 1);
	assert_int_equal(cc.tls13, 1);
	assert_int_equal(e[0].flows, 2);            /* sorted: .1 fp 1, fp 2, .2 */
	assert_int_equal(e[0].findings, 1u << CERT_ROTATED);
	assert_int_equal(e[1].findings, 1u << CERT_ROTATED);
	assert_int_equal(e[2].findings, 0);         /* no role: no pool */
	certs_add(c, &other);                       /* after a finish: found */
	certs_add(c, &b);
	e = certs_finish(c, (uint64_t)(T0 + 10) * S, 30, &n, &cc);
	assert_int_equal(n, 3);
	assert_int_equal(e[1].flows, 2);
	assert_int_equal(e[2].flows, 2);
	assert_int_equal(e[0].rotated_with, 1);
	certs_free(c);
}

/* The rotation and pool counts against the pairwise definition, on a
 * random table: servers drawn from 6 addresses (one of them also as IPv6
 * with the same first bytes), 3 ports, 2 protocols; roles from three and
 * none; fingerprints from 5 on three of the servers, one each on the
 * others, so that pairs share them across servers. */
static void test_pairs_against_definition(void **state)
{
	static struct rule rules[3];
	static struct role roles[3] = { { .key = "fe" }, { .key = "edge" },
					{ .key = "med" } };
	struct ruleset rs = { .rules = rules, .nrules = 3, .roles = roles,
			      .nroles = 3 };
	struct certs *c = certs_new();
	struct certs_counts cc;
	const struct cert_entry *e;
	uint32_t n, x = 7, rot = 0, pool = 0;
	(void)state;

	for (int i = 0; i < 3; i++)
		rules[i] = (struct rule){ .table = TABLE_SERVER, .role = i };
	for (int i = 0; i < 3000; i++) {
		struct flow_record r;
		uint32_t v;

		x = x * 1103515245u + 12345u;
		v = x >> 8;
		/* servers .4 to .6 keep one fingerprint each: not rotated */
		r = rec((uint8_t)(1 + v % 6), (uint16_t)(443 + (v >> 3) % 3),
			(uint8_t)(v % 6 < 3 ? 1 + (v >> 5) % 5 : 1 + v % 6), NULL);
		r.l4 = (v >> 8) & 1 ? 6 : 17;
		if ((v >> 9) % 7 == 0)
			r.ipver = 6;
		r.rs = &rs;
		r.audit.support = SUPPORT_INVENTORY;
		r.nlabels = (v >> 12) % 4 != 3;
		r.labels[0] = (v >> 14) % 3;
		certs_add(c, &r);
	}
	e = certs_finish(c, (uint64_t)(T0 + 10) * S, 30, &n, &cc);
	assert_true(n > 100);
	for (uint32_t i = 0; i < n; i++) {
		uint32_t rw = 0, po = 0;

		for (uint32_t j = 0; j < n; j++) {
			const struct cert_entry *a = &e[i], *b = &e[j];
			bool server = a->port == b->port && a->l4 == b->l4 &&
				      a->ipver == b->ipver &&
				      !memcmp(a->addr, b->addr, 16);

			if (i == j || !memcmp(a->t.sha1, b->t.sha1, 20))
				continue;
			if (server)
				rw++;
			else if (a->role[0] && a->port == b->port &&
				 a->l4 == b->l4 && !strcmp(a->role, b->role))
				po++;
		}
		assert_int_equal(e[i].rotated_with, rw);
		assert_int_equal(e[i].pool_others, po);
		assert_int_equal(!!(e[i].findings & (1u << CERT_ROTATED)), rw > 0);
		assert_int_equal(!!(e[i].findings & (1u << CERT_POOL_DIFFERS)), po > 0);
		rot += rw > 0;
		pool += po > 0;
	}
	assert_true(rot > 0 && rot < n);   /* both kinds, and not every entry */
	assert_true(pool > 0 && pool < n);
	certs_free(c);
}

static void test_cap(void **state)
{
	struct certs *c = certs_new();
	struct certs_counts cc;
	uint32_t n;

	(void)state;
	for (uint32_t i = 0; i < CERTS_MAX + 10; i++) {
		struct flow_record r = rec(1, 443, 0, NULL);

		memcpy(r.tls_facts.sha1 + 4, &i, sizeof(i));
		certs_add(c, &r);
	}
	assert_non_null(certs_finish(c, (uint64_t)(T0 + 10) * S, 30, &n, &cc));
	assert_int_equal(n, CERTS_MAX);
	assert_int_equal(cc.not_kept, 10);
	assert_int_equal(cc.with_cert, CERTS_MAX + 10);
	certs_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_host_names),
		cmocka_unit_test(test_validity),
		cmocka_unit_test(test_other_findings),
		cmocka_unit_test(test_rotation_and_counts),
		cmocka_unit_test(test_pairs_against_definition),
		cmocka_unit_test(test_cap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
