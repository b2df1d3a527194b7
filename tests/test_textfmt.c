/* test_textfmt.c: the printf-free formatting of records.
 *
 * Proves: times equal gmtime_r + strftime (the reference they replace) on
 * the calendar's edges (epoch, leap days, centuries, 2038, pcap's 32-bit
 * end) and on 1,000,000 random instants up to year 2514, microseconds
 * zero-padded; address text equals inet_ntop on 200,000 random IPv4 and
 * 300,000 IPv6 addresses (zero runs everywhere, embedded IPv4 forms);
 * the mini printf substitutes %s, %u, %%, and cuts long results at the
 * buffer, never inside a UTF-8 character; any other conversion (%d, a
 * width, a length) is named in the result at the point it occurs and
 * formatting stops there, never silently; the cached time writer
 * (textfmt_put_time) writes what textfmt_time writes across second, day,
 * month, year and century boundaries, with the instants of one cache
 * going back and forth between seconds, for years past 9999, and under
 * other time zones (the text is UTC whatever TZ says); textfmt_put_addr
 * writes what textfmt_addr does.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include "util/textfmt.h"
#include "xorshift.h"

static void reference_time(uint64_t ts_us, char *buf, size_t len)
{
	time_t sec = (time_t)(ts_us / 1000000);
	struct tm tm;
	char day[40];

	gmtime_r(&sec, &tm);
	strftime(day, sizeof(day), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, len, "%s.%06uZ", day, (unsigned)(ts_us % 1000000));
}

static void check_time(uint64_t ts_us)
{
	char mine[64], ref[64];
	size_t n = textfmt_time(ts_us, mine, sizeof(mine));

	reference_time(ts_us, ref, sizeof(ref));
	assert_string_equal(mine, ref);
	assert_int_equal(n, strlen(ref));
}

static uint64_t rng = 0x243f6a8885a308d3ull;

static uint64_t next64(void)
{
	return xorshift64(&rng);
}

static void test_time(void **state)
{
	static const uint64_t edges_s[] = {
		0, 59, 86399, 86400, 68169599 /* 1972-02-28T23:59:59 */,
		68256000 /* 1972-03-01 */, 951782400 /* 2000-02-29 */,
		951868800 /* 2000-03-01 */, 978220800 /* 2000-12-31 */,
		2147483647, 2147483648, 4102444800 /* 2100-01-01 */,
		4107542400 /* 2100-03-01: no leap day */, 4294967295,
		1767603600 /* the demo's day */,
	};
	char b[TEXTFMT_TIME_LEN], small[8];

	(void)state;
	for (size_t i = 0; i < sizeof(edges_s) / sizeof(edges_s[0]); i++) {
		check_time(edges_s[i] * 1000000);
		check_time(edges_s[i] * 1000000 + 999999);
		check_time(edges_s[i] * 1000000 + 7);
	}
	for (int i = 0; i < 1000000; i++)
		check_time(next64() % (17179869184ull * 1000000)); /* 2^34 s */
	assert_int_equal(textfmt_time(0, b, sizeof(b)), TEXTFMT_TIME_LEN - 1);
	assert_string_equal(b, "1970-01-01T00:00:00.000000Z");
	assert_int_equal(textfmt_time(0, small, sizeof(small)), 7);
	assert_string_equal(small, "1970-01");
}

static void test_addr(void **state)
{
	char mine[64], ref[64];
	uint8_t a[16];

	(void)state;
	for (int i = 0; i < 200000; i++) {
		uint32_t v = (uint32_t)next64();
		if (i < 4)
			v = i == 0 ? 0 : i == 1 ? 0xffffffffu : i == 2 ? 0x0a000001u : 0x64090a63u;
		memcpy(a, &v, 4);
		assert_non_null(inet_ntop(AF_INET, a, ref, sizeof(ref)));
		assert_int_equal(textfmt_addr(a, 4, mine, sizeof(mine)), strlen(ref));
		assert_string_equal(mine, ref);
	}
	/* IPv6: random groups, most of them zero so that runs of zeros of
	 * every length and place occur, and the IPv4-embedding forms */
	for (int i = 0; i < 300000; i++) {
		uint64_t r = next64(), r2 = next64();
		for (int g = 0; g < 8; g++) {
			unsigned v = (r >> (8 * g)) & 3 ? 0 :
				     (unsigned)(r2 >> (8 * g)) & 0xffff;
			if (((r2 >> 60) & 3) == 0)
				v = (r2 >> (4 * g)) & 1 ? 0xf : 0;
			a[2 * g] = (uint8_t)(v >> 8);
			a[2 * g + 1] = (uint8_t)v;
		}
		if (i % 5 == 1) {                 /* ::ffff:a.b.c.d and ::a.b.c.d */
			memset(a, 0, 10);
			a[10] = a[11] = (i % 10 == 1) ? 0xff : 0;
		}
		assert_non_null(inet_ntop(AF_INET6, a, ref, sizeof(ref)));
		assert_int_equal(textfmt_addr(a, 6, mine, sizeof(mine)), strlen(ref));
		assert_string_equal(mine, ref);
	}
	assert_int_equal(inet_pton(AF_INET6, "2001:db8::1:0:0:1", a), 1);
	textfmt_addr(a, 6, mine, sizeof(mine));
	assert_string_equal(mine, "2001:db8::1:0:0:1");
	memset(a, 0, 16);
	textfmt_addr(a, 6, mine, sizeof(mine));
	assert_string_equal(mine, "::");
	a[15] = 1;
	textfmt_addr(a, 6, mine, sizeof(mine));
	assert_string_equal(mine, "::1");
	memset(a, 255, 4);
	assert_int_equal(textfmt_addr(a, 4, mine, 8), 7);
	assert_string_equal(mine, "255.255");
}

static void test_format(void **state)
{
	char b[64], tiny[12];
	/* "ポート" is three 3-byte characters */
	const char *ja = "\xe3\x83\x9d\xe3\x83\xbc\xe3\x83\x88";

	(void)state;
	assert_int_equal(textfmt(b, sizeof(b), "%s %u to %s: 100%%", "TCP", 5061u,
				 "fe1"), 21);
	assert_string_equal(b, "TCP 5061 to fe1: 100%");
	textfmt(b, sizeof(b), "%u|%u|%u", 0u, 4294967295u, 10u);
	assert_string_equal(b, "0|4294967295|10");
	textfmt(b, sizeof(b), "%s", "");
	assert_string_equal(b, "");
	/* cut at the buffer: 11 bytes and the NUL */
	assert_int_equal(textfmt(tiny, sizeof(tiny), "%s and more", "abcdefgh"), 11);
	assert_string_equal(tiny, "abcdefgh an");
	/* never inside a character: "abc" + 3 characters is 12 bytes, one
	 * more than fits, so the third character goes whole */
	assert_int_equal(textfmt(tiny, sizeof(tiny), "ab%s", ja), 11);
	assert_int_equal(textfmt(tiny, sizeof(tiny), "abc%s", ja), 9);
	assert_memory_equal(tiny, "abc\xe3\x83\x9d\xe3\x83\xbc", 10);
	assert_int_equal(textfmt(tiny, 1, "%s", "x"), 0);
	assert_string_equal(tiny, "");
}

/* What textfmt does not support shows in its result. */
static void test_unsupported(void **state)
{
	char b[64];

	(void)state;
	assert_int_equal(textfmt(b, sizeof(b), "port %d of %s", 5, "x"), 24);
	assert_string_equal(b, "port {bad conversion %d}");
	textfmt(b, sizeof(b), "%s=%5s.", "a", "b");
	assert_string_equal(b, "a={bad conversion %5}");
	textfmt(b, sizeof(b), "%lu", 7ul);
	assert_string_equal(b, "{bad conversion %l}");
	/* cut like any text when the buffer is short */
	textfmt(b, 8, "ab%d", 1);
	assert_string_equal(b, "ab{bad ");
}

/* One instant through the cache c against textfmt_time. */
static void check_cached(struct textfmt_tcache *c, uint64_t ts_us)
{
	char mine[TEXTFMT_TIME_MAX + 8], ref[64];
	size_t n = textfmt_time(ts_us, ref, sizeof(ref));
	char *e;

	memset(mine, 'x', sizeof(mine));
	e = textfmt_put_time(c, ts_us, mine);
	assert_int_equal(e - mine, n);
	assert_memory_equal(mine, ref, n);
	assert_int_equal(*e, 'x');
}

static void cached_walk(void)
{
	static const uint64_t edges_s[] = {
		0, 59, 86399, 951782399 /* 2000-02-28T23:59:59 */,
		951868799 /* 2000-02-29T23:59:59 */, 978307199 /* 2000-12-31 */,
		1767225599 /* 2025-12-31T23:59:59 */, 4102444799 /* 2099 */,
		253402300799ull /* 9999-12-31T23:59:59: then year 10000 */,
	};
	struct textfmt_tcache c;

	memset(&c, 0, sizeof(c));
	for (size_t i = 0; i < sizeof(edges_s) / sizeof(edges_s[0]); i++) {
		uint64_t t = edges_s[i] * 1000000;

		/* a record's end, start and timestamp around the boundary,
		 * in the order records give them */
		for (int k = 0; k < 40; k++) {
			uint64_t a = t + (uint64_t)(next64() % 3000000);
			uint64_t b = a > 1500000 ? a - (uint64_t)(next64() % 1500000) : a;

			check_cached(&c, a);
			check_cached(&c, b);
			check_cached(&c, a);
		}
		check_cached(&c, t + 999999);
		check_cached(&c, t + 1000000);
	}
	for (int i = 0; i < 200000; i++)
		check_cached(&c, next64() % (17179869184ull * 1000000));
}

static void test_time_cached(void **state)
{
	const char *tz = getenv("TZ");
	char *saved = tz ? strdup(tz) : NULL;
	static const char *zones[] = { "UTC", "Asia/Tokyo", "America/St_Johns",
				       "Pacific/Kiritimati" };
	uint8_t a[16] = { 0x20, 0x01, 0x0d, 0xb8 };
	char mine[64], ref[64];

	(void)state;
	for (size_t z = 0; z < sizeof(zones) / sizeof(zones[0]); z++) {
		setenv("TZ", zones[z], 1);
		tzset();
		cached_walk();
	}
	if (saved) {
		setenv("TZ", saved, 1);
		free(saved);
	} else {
		unsetenv("TZ");
	}
	tzset();
	for (int v = 4; v <= 6; v += 2) {
		size_t n = textfmt_addr(a, v, ref, sizeof(ref));

		assert_int_equal(textfmt_put_addr(mine, a, v) - mine, n);
		assert_memory_equal(mine, ref, n);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_time),
		cmocka_unit_test(test_time_cached),
		cmocka_unit_test(test_addr),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_unsupported),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
