/* test_alert.c: the alert lines and their rate limits, read back from an
 * open_memstream: first alert written, repeats within the interval held
 * back and counted, the next line after it carries the count; keys apart;
 * flush; replacement of the least recently alerted key when the table is
 * full; the max_lines window; clock steps; facility names. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1 /* open_memstream */
#endif
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "audit/alert.h"

struct sink {
	FILE *f;
	char *buf;
	size_t len;
	size_t seen;    /* bytes already returned by next_lines */
};

static const uint8_t srv_a[16] = { 10, 0, 0, 5 };
static const uint8_t srv_b[16] = { 10, 0, 0, 6 };
static const uint8_t srv_v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };

static struct alerter *new_alerter(struct sink *s, double interval,
				   size_t max_keys, unsigned max_lines)
{
	struct alert_cfg cfg = {
		.interval_s = interval, .max_keys = max_keys,
		.max_lines = max_lines, .seed = 42,
	};
	struct alerter *a;

	memset(s, 0, sizeof(*s));
	s->f = open_memstream(&s->buf, &s->len);
	assert_non_null(s->f);
	cfg.stream = s->f;
	a = alert_new(&cfg);
	assert_non_null(a);
	return a;
}

/* What was written since the last call (alert.c flushes every line). */
static const char *next_lines(struct sink *s)
{
	static char out[8192];
	size_t n;

	fflush(s->f);
	n = s->len - s->seen;
	assert_true(n < sizeof(out));
	memcpy(out, s->buf + s->seen, n);
	out[n] = '\0';
	s->seen = s->len;
	return out;
}

static void done(struct alerter *a, struct sink *s)
{
	alert_free(a);
	fclose(s->f);
	free(s->buf);
}

static void undoc(struct alerter *a, double t, const uint8_t *srv, uint16_t port)
{
	alert_violation(a, t, 0, "undocumented-port", 4, srv, port, 6,
			"TCP 4444 is in no rule");
}

static void test_first_alert_written(void **state)
{
	struct sink s;
	struct alerter *a = new_alerter(&s, 60, 16, 0);
	struct alert_stats st;

	(void)state;
	undoc(a, 1000.0, srv_a, 4444);
	assert_string_equal(next_lines(&s), "lyncwatch: ALERT undocumented-port TCP "
			    "10.0.0.5:4444: TCP 4444 is in no rule\n");
	alert_violation(a, 1000.0, 2, "app-mismatch", 6, srv_v6, 5061, 6,
			"cleartext SIP on a TLS port");
	assert_string_equal(next_lines(&s), "lyncwatch: ALERT app-mismatch TCP "
			    "[2001:db8::1]:5061: cleartext SIP on a TLS port\n");
	alert_violation(a, 1000.0, 1, "wrong-transport", 4, srv_a, 5061, 17, "x");
	assert_string_equal(next_lines(&s), "lyncwatch: ALERT wrong-transport UDP "
			    "10.0.0.5:5061: x\n");
	alert_get_stats(a, &st);
	assert_int_equal(st.emitted, 3);
	assert_int_equal(st.suppressed, 0);
	assert_int_equal(st.keys, 3);
	done(a, &s);
}

static void test_repeats_suppressed_then_counted(void **state)
{
	struct sink s;
	struct alerter *a = new_alerter(&s, 60, 16, 0);
	struct alert_stats st;

	(void)state;
	undoc(a, 1000.0, srv_a, 4444);
	next_lines(&s);
	for (int i = 1; i <= 5; i++)
		undoc(a, 1000.0 + i * 10, srv_a, 4444);       /* up to 1050 */
	undoc(a, 1059.9, srv_a, 4444);
	assert_string_equal(next_lines(&s), "");
	alert_get_stats(a, &st);
	assert_int_equal(st.emitted, 1);
	assert_int_equal(st.suppressed, 6);
	undoc(a, 1060.0, srv_a, 4444);                        /* interval over */
	assert_string_equal(next_lines(&s), "lyncwatch: ALERT undocumented-port TCP "
			    "10.0.0.5:4444: TCP 4444 is in no rule (6 similar suppressed)\n");
	undoc(a, 1061.0, srv_a, 4444);                        /* a new interval */
	assert_string_equal(next_lines(&s), "");
	undoc(a, 1200.0, srv_a, 4444);
	assert_string_equal(next_lines(&s), "lyncwatch: ALERT undocumented-port TCP "
			    "10.0.0.5:4444: TCP 4444 is in no rule (1 similar suppressed)\n");
	undoc(a, 1300.0, srv_a, 4444);                        /* nothing held */
	assert_string_equal(next_lines(&s), "lyncwatch: ALERT undocumented-port TCP "
			    "10.0.0.5:4444: TCP 4444 is in no rule\n");
	alert_get_stats(a, &st);
	assert_int_equal(st.emitted, 4);
	assert_int_equal(st.suppressed, 7);
	assert_int_equal(st.keys, 1);
	done(a, &s);
}

/* Each part of the key keeps its own interval. */
static void test_keys_independent(void **state)
{
	struct sink s;
	struct alerter *a = new_alerter(&s, 60, 16, 0);
	struct alert_stats st;
	uint8_t v4_in_v6[16] = { 10, 0, 0, 5 };

	(void)state;
	undoc(a, 0, srv_a, 4444);
	undoc(a, 1, srv_b, 4444);                             /* other server */
	undoc(a, 2, srv_a, 4445);                             /* other port */
	alert_violation(a, 3, 0, "undocumented-port", 4, srv_a, 4444, 17, "u");
	alert_violation(a, 4, 3, "role-mismatch", 4, srv_a, 4444, 6, "r");
	alert_violation(a, 5, 0, "undocumented-port", 6, v4_in_v6, 4444, 6, "6");
	assert_string_equal(next_lines(&s),
		"lyncwatch: ALERT undocumented-port TCP 10.0.0.5:4444: TCP 4444 is in no rule\n"
		"lyncwatch: ALERT undocumented-port TCP 10.0.0.6:4444: TCP 4444 is in no rule\n"
		"lyncwatch: ALERT undocumented-port TCP 10.0.0.5:4445: TCP 4444 is in no rule\n"
		"lyncwatch: ALERT undocumented-port UDP 10.0.0.5:4444: u\n"
		"lyncwatch: ALERT role-mismatch TCP 10.0.0.5:4444: r\n"
		"lyncwatch: ALERT undocumented-port TCP [a00:5::]:4444: 6\n");
	undoc(a, 10, srv_b, 4444);
	undoc(a, 11, srv_b, 4444);
	undoc(a, 12, srv_a, 4444);
	assert_string_equal(next_lines(&s), "");
	undoc(a, 61, srv_b, 4444);
	assert_string_equal(next_lines(&s), "lyncwatch: ALERT undocumented-port TCP "
			    "10.0.0.6:4444: TCP 4444 is in no rule (2 similar suppressed)\n");
	alert_get_stats(a, &st);
	assert_int_equal(st.keys, 6);
	assert_int_equal(st.suppressed, 3);
	done(a, &s);
}

static void test_flush(void **state)
{
	struct sink s;
	struct alerter *a = new_alerter(&s, 60, 16, 0);
	struct alert_stats st;

	(void)state;
	undoc(a, 100, srv_a, 4444);
	undoc(a, 101, srv_a, 4444);
	undoc(a, 102, srv_a, 4444);
	undoc(a, 130, srv_b, 4444);
	undoc(a, 131, srv_b, 4444);
	undoc(a, 140, srv_a, 80);                              /* nothing held */
	next_lines(&s);
	alert_flush(a, 150);                                   /* too early */
	assert_string_equal(next_lines(&s), "");
	alert_flush(a, 165);                                   /* a's interval over */
	assert_string_equal(next_lines(&s), "lyncwatch: ALERT undocumented-port TCP "
			    "10.0.0.5:4444: 2 similar suppressed in the last interval\n");
	undoc(a, 170, srv_a, 4444);            /* a new interval started at 165 */
	assert_string_equal(next_lines(&s), "");
	alert_flush(a, INFINITY);                              /* at exit: all */
	assert_string_equal(next_lines(&s),
		"lyncwatch: ALERT undocumented-port TCP 10.0.0.5:4444: "
		"1 similar suppressed in the last interval\n"
		"lyncwatch: ALERT undocumented-port TCP 10.0.0.6:4444: "
		"1 similar suppressed in the last interval\n");
	alert_flush(a, INFINITY);
	assert_string_equal(next_lines(&s), "");
	alert_get_stats(a, &st);
	assert_int_equal(st.summaries, 3);
	assert_int_equal(st.emitted, 3);
	assert_int_equal(st.suppressed, 4);
	done(a, &s);
}

/* Table of 3: a fourth key replaces the least recently alerted one, whose
 * held-back count is written first; the replaced key starts over. */
static void test_table_full(void **state)
{
	struct sink s;
	struct alerter *a = new_alerter(&s, 60, 3, 0);
	struct alert_stats st;

	(void)state;
	undoc(a, 0, srv_a, 1);
	undoc(a, 1, srv_a, 2);
	undoc(a, 2, srv_a, 3);
	undoc(a, 3, srv_a, 1);                 /* 1 is now the most recent */
	next_lines(&s);
	undoc(a, 4, srv_a, 4);                 /* replaces 2 */
	assert_string_equal(next_lines(&s), "lyncwatch: ALERT undocumented-port TCP "
			    "10.0.0.5:4: TCP 4444 is in no rule\n");
	alert_get_stats(a, &st);
	assert_int_equal(st.evicted, 1);
	assert_int_equal(st.keys, 3);
	undoc(a, 5, srv_a, 1);                 /* still known: held back */
	assert_string_equal(next_lines(&s), "");
	undoc(a, 6, srv_a, 2);                 /* forgotten: written; replaces 3 */
	assert_string_equal(next_lines(&s), "lyncwatch: ALERT undocumented-port TCP "
			    "10.0.0.5:2: TCP 4444 is in no rule\n");
	undoc(a, 7, srv_a, 5);                 /* replaces 4, then 1 (2 held) */
	undoc(a, 8, srv_a, 6);
	assert_string_equal(next_lines(&s),
		"lyncwatch: ALERT undocumented-port TCP 10.0.0.5:5: TCP 4444 is in no rule\n"
		"lyncwatch: ALERT undocumented-port TCP 10.0.0.5:1: "
		"2 similar suppressed in the last interval\n"
		"lyncwatch: ALERT undocumented-port TCP 10.0.0.5:6: TCP 4444 is in no rule\n");
	alert_get_stats(a, &st);
	assert_int_equal(st.evicted, 4);
	assert_int_equal(st.keys, 3);
	assert_int_equal(st.emitted, 7);
	assert_int_equal(st.summaries, 1);
	done(a, &s);
}

/* Many keys through a small table: the chains and the list stay sound. */
static void test_table_churn(void **state)
{
	struct sink s;
	struct alerter *a = new_alerter(&s, 60, 64, 0);
	struct alert_stats st;

	(void)state;
	for (int i = 0; i < 20000; i++)
		undoc(a, i * 0.001, srv_a, (uint16_t)(i % 100));
	alert_get_stats(a, &st);
	assert_int_equal(st.keys, 64);
	assert_int_equal(st.emitted + st.suppressed, 20000);
	/* every round of 100 ports over 64 slots forgets each port first */
	assert_int_equal(st.emitted, 20000);
	assert_int_equal(st.evicted, 20000 - 64);
	done(a, &s);
}

static void test_max_lines(void **state)
{
	struct sink s;
	struct alerter *a = new_alerter(&s, 60, 1024, 3);
	struct alert_stats st;

	(void)state;
	undoc(a, 0, srv_a, 1);
	undoc(a, 1, srv_a, 2);
	undoc(a, 2, srv_a, 3);
	next_lines(&s);
	for (uint16_t p = 4; p < 1004; p++)    /* a scan */
		undoc(a, 3, srv_a, p);
	assert_string_equal(next_lines(&s), "lyncwatch: ALERT rate limit: more than "
			    "3 lines in 60 s; counting the rest\n");
	alert_get_stats(a, &st);
	assert_int_equal(st.emitted, 3);
	assert_int_equal(st.rate_limited, 1000);
	assert_int_equal(st.suppressed, 1000);
	assert_int_equal(st.keys, 3);          /* held-back keys take no slot */
	alert_flush(a, 10);
	assert_string_equal(next_lines(&s), "lyncwatch: ALERT rate limit: 1000 "
			    "alerts not written in the last interval\n");
	undoc(a, 70, srv_a, 5000);             /* a new window */
	assert_string_equal(next_lines(&s), "lyncwatch: ALERT undocumented-port TCP "
			    "10.0.0.5:5000: TCP 4444 is in no rule\n");
	done(a, &s);
}

/* A known key held back by max_lines gets the count on its next line. */
static void test_max_lines_known_key(void **state)
{
	struct sink s;
	struct alerter *a = new_alerter(&s, 60, 16, 1);

	(void)state;
	undoc(a, 0, srv_a, 1);
	undoc(a, 61, srv_a, 2);                /* the window's one line */
	undoc(a, 62, srv_a, 1);                /* 1's interval over, window full */
	next_lines(&s);
	undoc(a, 130, srv_a, 1);
	assert_string_equal(next_lines(&s),
		"lyncwatch: ALERT rate limit: 1 alerts not written in the last interval\n"
		"lyncwatch: ALERT undocumented-port TCP 10.0.0.5:1: TCP 4444 is in "
		"no rule (1 similar suppressed)\n");
	done(a, &s);
}

static void test_interval_zero_and_clock_steps(void **state)
{
	struct sink s;
	struct alerter *a = new_alerter(&s, 0, 16, 0);
	struct alert_stats st;

	(void)state;
	undoc(a, 5, srv_a, 1);
	undoc(a, 5, srv_a, 1);
	alert_get_stats(a, &st);
	assert_int_equal(st.emitted, 2);
	done(a, &s);

	a = new_alerter(&s, 60, 16, 0);
	undoc(a, 1000, srv_a, 1);
	undoc(a, 990, srv_a, 1);               /* slightly out of order: held */
	undoc(a, 500, srv_a, 1);               /* a step back: a fresh start */
	alert_get_stats(a, &st);
	assert_int_equal(st.emitted, 2);
	assert_int_equal(st.suppressed, 1);
	done(a, &s);
}

/* Controls, escape sequences (an inventory name with ESC, a C1 CSI) and
 * invalid UTF-8 are written as \xNN; a long line is cut on a UTF-8
 * boundary, ends in "..." and keeps its count. */
static void test_line_hygiene(void **state)
{
	struct sink s;
	struct alerter *a = new_alerter(&s, 60, 16, 0);
	char longtext[3000];
	const char *out;
	size_t n;

	(void)state;
	alert_violation(a, 0, 0, "undocumented-port", 4, srv_a, 1, 6,
			"two\nlines\r\x1b[31m");
	assert_string_equal(next_lines(&s), "lyncwatch: ALERT undocumented-port TCP "
			    "10.0.0.5:1: two\\x0alines\\x0d\\x1b[31m\n");
	alert_violation(a, 0, 0, "undocumented-port", 4, srv_a, 2, 6,
			"TCP 4444 to fe\x1b[8m\xc2\x9b" "2J\xff (10.0.0.5) is in no rule");
	assert_string_equal(next_lines(&s), "lyncwatch: ALERT undocumented-port TCP "
			    "10.0.0.5:2: TCP 4444 to fe\\x1b[8m\\xc2\\x9b2J\\xff "
			    "(10.0.0.5) is in no rule\n");
	/* 0, 1 and 2 ASCII bytes first: one of them cuts inside a character */
	for (uint16_t lead = 0; lead < 3; lead++) {
		uint16_t port = (uint16_t)(100 + lead);

		memset(longtext, 'x', lead);
		for (n = lead; n + 3 < sizeof(longtext); n += 3)
			memcpy(longtext + n, "\xe3\x83\x9d", 3);    /* katakana */
		longtext[n] = '\0';
		alert_violation(a, 0, 0, "undocumented-port", 4, srv_a, port, 6, longtext);
		alert_violation(a, 1, 0, "undocumented-port", 4, srv_a, port, 6, longtext);
		alert_violation(a, 100, 0, "undocumented-port", 4, srv_a, port, 6, longtext);
		out = next_lines(&s);
		out = strchr(out, '\n') + 1;  /* the second line */
		n = strlen(out);
		assert_true(n <= ALERT_LINE_MAX - 1 + strlen("lyncwatch: ") + 1);
		assert_true(n > ALERT_LINE_MAX - 8);
		assert_non_null(strstr(out, "\xe3\x83\x9d... (1 similar suppressed)\n"));
	}
	done(a, &s);
}

static void test_bad_config(void **state)
{
	struct alert_cfg cfg = { .interval_s = -1 };

	(void)state;
	assert_null(alert_new(&cfg));
	cfg.interval_s = NAN;
	assert_null(alert_new(&cfg));
	cfg.interval_s = 60;
	cfg.max_keys = (size_t)ALERT_MAX_KEYS + 1;
	assert_null(alert_new(&cfg));
	assert_null(alert_new(NULL));
}

static void test_facility_names(void **state)
{
	(void)state;
	assert_int_equal(alert_facility_from_name("daemon"), LOG_DAEMON);
	assert_int_equal(alert_facility_from_name("user"), LOG_USER);
	assert_int_equal(alert_facility_from_name("local0"), LOG_LOCAL0);
	assert_int_equal(alert_facility_from_name("LOCAL7"), LOG_LOCAL7);
	assert_int_equal(alert_facility_from_name("local8"), -1);
	assert_int_equal(alert_facility_from_name("kern"), -1);
	assert_int_equal(alert_facility_from_name(""), -1);
	assert_int_equal(alert_facility_from_name(NULL), -1);
}

/* Syslog is opened and closed without harm (no syslogd needed). */
static void test_syslog_sink(void **state)
{
	struct alert_cfg cfg = {
		.use_syslog = true, .facility = LOG_LOCAL3, .interval_s = 60,
	};
	struct alerter *a = alert_new(&cfg);
	struct alert_stats st;

	(void)state;
	assert_non_null(a);
	undoc(a, 0, srv_a, 4444);
	alert_get_stats(a, &st);
	assert_int_equal(st.emitted, 1);
	alert_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_alert_written),
		cmocka_unit_test(test_repeats_suppressed_then_counted),
		cmocka_unit_test(test_keys_independent),
		cmocka_unit_test(test_flush),
		cmocka_unit_test(test_table_full),
		cmocka_unit_test(test_table_churn),
		cmocka_unit_test(test_max_lines),
		cmocka_unit_test(test_max_lines_known_key),
		cmocka_unit_test(test_interval_zero_and_clock_steps),
		cmocka_unit_test(test_line_hygiene),
		cmocka_unit_test(test_bad_config),
		cmocka_unit_test(test_facility_names),
		cmocka_unit_test(test_syslog_sink),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
