/* test_audit.c: unit tests of the verdict from evidence (src/audit).
 *
 * Each case builds the labels of a flow from the shipped rules, sets what
 * the own wire checks and nDPI said, and checks the decision: outcome,
 * evidence source, flags, verdict; and that the reason names the evidence.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "audit/audit.h"
#include "util/jsonw.h"
#include "shipped.h"

static struct ruleset rs;

static int setup(void **state)
{
	(void)state;
	return load_shipped_rules(&rs, NULL);
}

static int teardown(void **state)
{
	(void)state;
	ruleset_free(&rs);
	return 0;
}

static uint32_t rule_by_id(const char *id)
{
	for (int i = 0; i < rs.nrules; i++)
		if (strcmp(rs.rules[i].id, id) == 0)
			return (uint32_t)i;
	fail_msg("no rule %s", id);
	return 0;
}

/* A TCP flow from 198.19.1.1:50000 to 198.18.1.1:port whose own checks
 * settled on proto (WIRE_NONE: undecided) after `pkts` payloads. */
static void flow_with(struct flow *f, uint8_t l4, uint16_t port,
		      enum wire_proto proto, uint8_t detail, uint16_t pkts,
		      uint32_t excluded)
{
	memset(f, 0, sizeof(*f));
	f->key.l4 = l4;
	f->key.ipver = 4;
	f->key.a[0] = 198; f->key.a[1] = 18; f->key.a[2] = 1; f->key.a[3] = 1;
	f->key.b[0] = 198; f->key.b[1] = 19; f->key.b[2] = 1; f->key.b[3] = 1;
	f->key.pa = port;
	f->key.pb = 50000;
	f->server_dir = DIR_BA;            /* a serves */
	f->wire_done = (uint8_t)(pkts ? 1 | (proto != WIRE_NONE) << 1 : 0);
	f->wire_proto = (uint8_t)proto;
	f->wire_detail = detail;
	f->wire_client = -1;
	f->wire_pkts = pkts;
	f->wire_excluded = excluded;
}

static void labels_of(struct label_set *ls, const char *const *ids,
		      bool primary, bool exact, uint8_t support)
{
	memset(ls, 0, sizeof(*ls));
	ls->other_l4 = -1;
	ls->shared = true;
	for (int i = 0; ids[i]; i++) {
		ls->rule[ls->n++] = rule_by_id(ids[i]);
		ls->shared = ls->shared && rs.rules[ls->rule[ls->n - 1]].shared;
	}
	ls->primary = primary;
	ls->exact = exact;
	ls->support = support;
}

static struct inspect_view ndpi(enum seen_app seen, const char *name)
{
	struct inspect_view iv = { .app_proto = name, .seen = seen,
				   .confirmed = seen > SEEN_UNKNOWN };
	return iv;
}

static const struct auditor aud = { .rs = &rs, .lang = LANG_EN };

/* Cleartext SIP between servers on a SIP port: nDPI 4.2 says HTTP with
 * DPI confidence; the own SIP check decides, nothing is flagged. */
static void test_sip_read_as_http(void **state)
{
	static const char *const ids[] = { "srv-46", "srv-49", NULL };
	struct flow f;
	struct label_set ls;
	struct audit_result ar;
	struct inspect_view iv = ndpi(SEEN_HTTP, "http");

	(void)state;
	flow_with(&f, L4_TCP, 5070, WIRE_SIP, WD_SIP_REQUEST, 2, 0);
	labels_of(&ls, ids, true, true, SUPPORT_PORT);
	audit_flow(&aud, &f, &ls, &iv, &ar);
	assert_int_equal(ar.outcome, APP_CONFIRMED);
	assert_int_equal(ar.by, EV_WIRE);
	assert_int_equal(ar.flags, 0);
	assert_int_equal(ar.verdict, VERDICT_OK);
	assert_string_equal(audit_evidence_app(&ar), "sip");
	assert_non_null(strstr(ar.reason, "SIP"));
}

/* TLS captured mid-stream: nDPI names something else (Z39.50 and the
 * like); the own record-layer check confirms TLS: ok. */
static void test_midstream_tls(void **state)
{
	static const char *const ids[] = { "srv-07", NULL };
	struct flow f;
	struct label_set ls;
	struct audit_result ar;
	struct inspect_view iv = ndpi(SEEN_OTHER, "z3950");

	(void)state;
	flow_with(&f, L4_TCP, 8057, WIRE_TLS, WD_TLS_APPDATA_MID, 4, 0);
	labels_of(&ls, ids, true, true, SUPPORT_PORT);
	audit_flow(&aud, &f, &ls, &iv, &ar);
	assert_int_equal(ar.outcome, APP_CONFIRMED);
	assert_int_equal(ar.verdict, VERDICT_OK);
	/* Undecided own checks: nDPI's other answer alone is no violation. */
	flow_with(&f, L4_TCP, 8057, WIRE_NONE, WD_TLS_UNCONFIRMED, 2, 0);
	audit_flow(&aud, &f, &ls, &iv, &ar);
	assert_int_equal(ar.outcome, APP_UNVERIFIED);
	assert_int_equal(ar.flags, 1u << FLAG_UNVERIFIED);
	assert_int_equal(ar.verdict, VERDICT_NOTICE);
	/* Every own check of TLS failed and nDPI names another: mismatch. */
	flow_with(&f, L4_TCP, 8057, WIRE_NONE, WD_ALL_EXCLUDED, 8,
		  1u << WIRE_TLS);
	audit_flow(&aud, &f, &ls, &iv, &ar);
	assert_int_equal(ar.outcome, APP_CONTRADICTED);
	assert_int_equal(ar.by, EV_BOTH);
	assert_int_equal(ar.flags, 1u << FLAG_APP_MISMATCH);
}

/* Cleartext SIP or HTTP on a TLS port: the own check found another
 * protocol, whatever nDPI says. */
static void test_cleartext_on_tls_port(void **state)
{
	static const char *const ids[] = { "srv-03", NULL };
	struct flow f;
	struct label_set ls;
	struct audit_result ar;

	(void)state;
	flow_with(&f, L4_TCP, 5061, WIRE_SIP, WD_SIP_REQUEST, 1, 0);
	labels_of(&ls, ids, true, true, SUPPORT_PORT);
	audit_flow(&aud, &f, &ls, NULL, &ar);
	assert_int_equal(ar.outcome, APP_CONTRADICTED);
	assert_int_equal(ar.by, EV_WIRE);
	assert_int_equal(ar.verdict, VERDICT_VIOLATION);
	assert_non_null(strstr(ar.reason, "but the bytes show"));
	flow_with(&f, L4_TCP, 5061, WIRE_HTTP, WD_HTTP_REQUEST, 1, 0);
	audit_flow(&aud, &f, &ls, NULL, &ar);
	assert_int_equal(ar.flags, 1u << FLAG_APP_MISMATCH);
}

/* Bare RTP to the Edge's STUN port (a known server): app-mismatch; STUN
 * there is ok.  By the port alone (3478 is shared), not judged. */
static void test_rtp_on_stun_port(void **state)
{
	static const char *const ids[] = { "cli-05", NULL };
	struct flow f;
	struct label_set ls;
	struct audit_result ar;
	uint32_t r = rule_by_id("cli-05");

	(void)state;
	assert_int_equal(rs.rules[r].app, APP_STUN);
	flow_with(&f, L4_UDP, 3478, WIRE_RTP, WD_RTP, 3, 0);
	labels_of(&ls, ids, true, true, SUPPORT_HOST);
	audit_flow(&aud, &f, &ls, NULL, &ar);
	assert_int_equal(ar.flags, 1u << FLAG_APP_MISMATCH);
	flow_with(&f, L4_UDP, 3478, WIRE_STUN, WD_STUN, 1, 0);
	audit_flow(&aud, &f, &ls, NULL, &ar);
	assert_int_equal(ar.verdict, VERDICT_OK);
	flow_with(&f, L4_UDP, 3478, WIRE_RTP, WD_RTP, 3, 0);
	labels_of(&ls, ids, true, true, SUPPORT_PORT);
	audit_flow(&aud, &f, &ls, NULL, &ar);
	assert_false(ar.judged);
	assert_int_equal(ar.verdict, VERDICT_UNCLASSIFIED);
	assert_non_null(strstr(ar.reason, "not judged"));
}

/* The clients' catch-all rows: media between clients is ok; RDP is a
 * notice that says what was seen (a violation in audit scope); bytes
 * nobody can read are not judged. */
static void test_catch_all_rows(void **state)
{
	static const char *const ids[] = { "cli-08", "cli-09", "cli-10", "cli-11", NULL };
	struct flow f;
	struct label_set ls;
	struct audit_result ar;

	(void)state;
	labels_of(&ls, ids, false, false, SUPPORT_PORT);
	flow_with(&f, L4_TCP, 50100, WIRE_RTP, WD_RTP_TCP, 3, 0);
	audit_flow(&aud, &f, &ls, NULL, &ar);
	assert_int_equal(ar.verdict, VERDICT_OK);
	flow_with(&f, L4_TCP, 50100, WIRE_MSNFTP, WD_MSNFTP, 1, 0);
	audit_flow(&aud, &f, &ls, NULL, &ar);
	assert_int_equal(ar.verdict, VERDICT_OK);
	flow_with(&f, L4_TCP, 3389, WIRE_RDP, WD_RDP_CR, 1, 0);
	audit_flow(&aud, &f, &ls, NULL, &ar);
	assert_int_equal(ar.flags, 1u << FLAG_UNEXPECTED_APP);
	assert_int_equal(ar.verdict, VERDICT_NOTICE);
	assert_non_null(strstr(ar.reason, "RDP"));
	flow_with(&f, L4_TCP, 8000, WIRE_HTTP, WD_HTTP_REQUEST, 1, 0);
	audit_flow(&aud, &f, &ls, NULL, &ar);
	assert_int_equal(ar.flags, 1u << FLAG_UNEXPECTED_APP);
	flow_with(&f, L4_TCP, 8000, WIRE_NONE, WD_NO_MATCH, 8, 0);
	audit_flow(&aud, &f, &ls, NULL, &ar);
	assert_int_equal(ar.verdict, VERDICT_UNCLASSIFIED);
	/* In audit scope (--audit-all): RDP is a violation. */
	{
		struct auditor all = aud;

		all.audit_all = true;
		flow_with(&f, L4_TCP, 3389, WIRE_RDP, WD_RDP_CR, 1, 0);
		audit_flow(&all, &f, &ls, NULL, &ar);
		assert_int_equal(ar.flags, 1u << FLAG_APP_MISMATCH);
	}
}

/* Shared ports by the port alone (internet HTTPS): labelled, not judged;
 * with a known server, judged. */
static void test_shared_port(void **state)
{
	static const char *const ids[] = { "srv-12", NULL };
	struct flow f;
	struct label_set ls;
	struct audit_result ar;

	(void)state;
	assert_true(rs.rules[rule_by_id("srv-12")].shared);
	flow_with(&f, L4_TCP, 443, WIRE_HTTP, WD_HTTP_REQUEST, 1, 0);
	labels_of(&ls, ids, true, true, SUPPORT_PORT);
	audit_flow(&aud, &f, &ls, NULL, &ar);
	assert_int_equal(ar.verdict, VERDICT_UNCLASSIFIED);
	ls.support = SUPPORT_HOST;
	audit_flow(&aud, &f, &ls, NULL, &ar);
	assert_int_equal(ar.flags, 1u << FLAG_APP_MISMATCH);
	flow_with(&f, L4_TCP, 443, WIRE_TLS, WD_TLS_CLIENT_HELLO, 1, 0);
	audit_flow(&aud, &f, &ls, NULL, &ar);
	assert_int_equal(ar.verdict, VERDICT_OK);
	assert_string_equal(audit_support_name((enum support)ar.support), "host");
}

/* SIP over UDP to a port documented for TCP only: wrong-transport without
 * an inventory, unless the port is shared (QUIC on UDP 443). */
static void test_wrong_transport(void **state)
{
	struct flow f;
	struct label_set ls;
	struct audit_result ar;

	(void)state;
	flow_with(&f, L4_UDP, 5061, WIRE_SIP, WD_SIP_REQUEST, 1, 0);
	memset(&ls, 0, sizeof(ls));
	ls.other_l4 = (int)rule_by_id("srv-03");
	audit_flow(&aud, &f, &ls, NULL, &ar);
	assert_int_equal(ar.flags, 1u << FLAG_WRONG_TRANSPORT);
	assert_int_equal(ar.verdict, VERDICT_VIOLATION);
	assert_non_null(strstr(ar.reason, "documented only for TCP"));
	ls.other_l4 = (int)rule_by_id("srv-12");  /* 443 */
	audit_flow(&aud, &f, &ls, NULL, &ar);
	assert_int_equal(ar.flags, 0);
	assert_int_equal(ar.verdict, VERDICT_UNCLASSIFIED);
}

/* No payload: nothing to verify, no notice. */
static void test_no_payload(void **state)
{
	static const char *const ids[] = { "srv-03", NULL };
	struct flow f;
	struct label_set ls;
	struct audit_result ar;

	(void)state;
	flow_with(&f, L4_TCP, 5061, WIRE_NONE, 0, 0, 0);
	labels_of(&ls, ids, true, true, SUPPORT_PORT);
	audit_flow(&aud, &f, &ls, NULL, &ar);
	assert_int_equal(ar.outcome, APP_NO_PAYLOAD);
	assert_int_equal(ar.verdict, VERDICT_OK);
	assert_string_equal(audit_by_name((enum ev_by)ar.by), "none");
}

/* Audits f with and without the memo (language lang) and checks that
 * both word the same reason, flagged plain exactly when it needs no JSON
 * escape. */
static void same_with_memo(struct reason_memo *memo, int lang,
			   const struct flow *f, const struct label_set *ls,
			   const struct inspect_view *iv)
{
	struct auditor plain = { .rs = &rs, .lang = lang ? LANG_JA : LANG_EN };
	struct auditor memod = plain;
	struct audit_result a1, a2;

	memod.memo = memo;
	audit_flow(&plain, f, ls, iv, &a1);
	audit_flow(&memod, f, ls, iv, &a2);
	assert_string_equal(a2.reason, a1.reason);
	assert_int_equal(a1.reason_len, strlen(a1.reason));
	assert_int_equal(a2.reason_len, strlen(a2.reason));
	assert_int_equal(a1.reason_plain, jw_plain(a1.reason, strlen(a1.reason)));
	assert_int_equal(a2.reason_plain, a1.reason_plain);
}

/* The memo of reason sentences words each flow as the auditor without it
 * does, asked twice (the second time from the memo where it keeps one),
 * in both languages, with nDPI's words and without, ports, details and
 * arguments varied, and for the sentences that name the server's address
 * (role mismatch; a shared port not judged), which changes while the
 * memo's key does not.  Each says rightly whether its sentence is plain
 * JSON (English) or not (Japanese). */
static void test_reason_memo(void **state)
{
	static const char *const ids[][2] = { { "srv-46", NULL }, { "srv-07", NULL },
					      { "srv-12", NULL } };
	static const uint8_t details[] = { WD_SIP_REQUEST, WD_TLS_APPDATA_MID,
					   WD_NO_MATCH, WD_TLS_UNCONFIRMED };
	static struct reason_memo memo;
	struct inspect_view iv = ndpi(SEEN_HTTP, "http");
	int checked = 0;

	(void)state;
	for (int lang = 0; lang < 2; lang++)
	for (int round = 0; round < 2; round++)
	for (int r = 0; r < 3; r++)
	for (size_t d = 0; d < sizeof(details); d++)
	for (int v = 0; v < 3; v++)
	for (int mis = 0; mis < 2; mis++)
	for (int host = 0; host < 2; host++) {
		struct flow f;
		struct label_set ls;

		flow_with(&f, L4_TCP, (uint16_t)(r == 2 ? 443 : r ? 8057 : 5070 + v % 2),
			  d < 2 ? WIRE_SIP + (enum wire_proto)d : WIRE_NONE,
			  details[d], (uint16_t)(2 + v), 0);
		f.key.a[3] = (uint8_t)(1 + host);  /* the server's address */
		f.wire_arg = (uint32_t)v;
		labels_of(&ls, ids[r], true, true,
			  mis ? SUPPORT_INVENTORY : SUPPORT_PORT);
		ls.role_mismatch = mis;
		same_with_memo(&memo, lang, &f, &ls, v == 2 ? &iv : NULL);
		checked++;
	}
	assert_int_equal(checked, 2 * 2 * 3 * 4 * 3 * 2 * 2);
}

/* The memo's templates: the host phrase, the port and the own checks'
 * detail put back into a kept sentence give what the auditor without a
 * memo words, for unlabelled flows (no rule; a rule of the other
 * transport only; the wrong transport), for inventory names that need a
 * JSON escape (a quote, Japanese) or are too long for the host phrase
 * (cut, on a character boundary), and for sentences too long to keep
 * (worded directly). */
static void test_reason_templates(void **state)
{
	static const char *const ids[] = { "srv-46", NULL };
	static struct reason_memo memo;
	static char longname[200];
	const char *names[] = { "", "fe1", "fe \"a\"", "サーバー", longname };
	struct inv_host h = { .ipver = 4 };
	int checked = 0;

	(void)state;
	memset(longname, 'n', sizeof(longname) - 4);
	memcpy(longname + sizeof(longname) - 13, "ｱｲｳ", 9);  /* cut inside */
	for (int lang = 0; lang < 2; lang++)
	for (int kind = 0; kind < 4; kind++)
	for (size_t nm = 0; nm < sizeof(names) / sizeof(names[0]); nm++)
	for (int port = 0; port < 3; port++)
	for (int round = 0; round < 2; round++) {
		struct flow f;
		struct label_set ls;

		flow_with(&f, kind == 3 ? L4_TCP : L4_UDP,
			  (uint16_t)(port == 0 ? 5061 : port == 1 ? 7 : 65535),
			  WIRE_NONE, WD_NO_MATCH, (uint16_t)(1 + port + round), 0);
		f.key.a[3] = (uint8_t)(7 + round);
		labels_of(&ls, ids, true, true, SUPPORT_INVENTORY);
		if (kind < 3)
			ls.n = 0;
		if (kind == 1)
			ls.other_l4 = (int)rule_by_id("srv-46");
		h.name = names[nm];
		h.namelen = strlen(names[nm]);
		ls.server = nm ? &h : NULL;
		ls.role_mismatch = kind == 3;
		same_with_memo(&memo, lang, &f, &ls, NULL);
		checked++;
	}
	assert_int_equal(checked, 2 * 4 * 5 * 3 * 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sip_read_as_http),
		cmocka_unit_test(test_midstream_tls),
		cmocka_unit_test(test_cleartext_on_tls_port),
		cmocka_unit_test(test_rtp_on_stun_port),
		cmocka_unit_test(test_catch_all_rows),
		cmocka_unit_test(test_shared_port),
		cmocka_unit_test(test_wrong_transport),
		cmocka_unit_test(test_no_payload),
		cmocka_unit_test(test_reason_memo),
		cmocka_unit_test(test_reason_templates),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
