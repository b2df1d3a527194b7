/* test_jsonw.c: the JSON writer.
 *
 * Proves: strings are escaped exactly as RFC 8259 asks (quote, backslash,
 * controls as \u00XX) and come out valid UTF-8 (valid UTF-8 as it is; a
 * byte that starts no valid sequence as \u00XX; DEL, C1 controls and the
 * invisible formatting characters as \uXXXX), checked against a
 * byte-by-byte reference on 200,000 random strings whose bytes favour the
 * ones to escape and the pieces of UTF-8, at every alignment of the 8-byte
 * scan; commas and nesting are placed right; literal-key macros write what
 * jw_key writes; numbers (jw_double's own formatting, jw_i64) are
 * byte for byte what printf's "%.*f" and "%" PRId64 write, on exact ties
 * (0.125, 2.5), values near ties, negative zero, huge values, NaN and
 * infinities, and 400,000 random values of every magnitude; the direct
 * writers (jw_room, jw_put_*) write what the calls write, unsigned
 * numbers as PRIu64 at every digit count, within their stated maxima
 * (JW_STR_MAX for the worst strings, JW_NUM_MAX for UINT64_MAX and
 * INT64_MIN), and jw_room leaves the room it promised.
 */
#include <inttypes.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "util/jsonw.h"
#include "xorshift.h"

/* The UTF-8 character at s (NUL-terminated), by RFC 3629's table: its
 * length, or 0 when s[0] starts none. */
static size_t ref_char(const unsigned char *s, uint32_t *cp)
{
	size_t len = s[0] < 0x80 ? 1 : s[0] >= 0xc2 && s[0] < 0xe0 ? 2 :
		     s[0] >= 0xe0 && s[0] < 0xf0 ? 3 : s[0] >= 0xf0 && s[0] < 0xf5 ? 4 : 0;
	uint32_t v = len == 1 ? s[0] : len == 2 ? s[0] & 0x1fu :
		     len == 3 ? s[0] & 0x0fu : s[0] & 0x07u;

	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = v << 6 | (s[i] & 0x3fu);
	}
	if (len == 0 || (len == 3 && v < 0x800) ||
	    (len == 4 && (v < 0x10000 || v > 0x10ffff)) || (v >= 0xd800 && v < 0xe000))
		return 0;
	*cp = v;
	return len;
}

static int ref_control(uint32_t c)
{
	return c < 0x20 || (c >= 0x7f && c <= 0x9f) || (c >= 0x200b && c <= 0x200f) ||
	       (c >= 0x2028 && c <= 0x202e) || (c >= 0x2060 && c <= 0x2069) ||
	       c == 0xfeff;
}

static size_t reference(const unsigned char *s, char *out)
{
	size_t n = 0;

	out[n++] = '"';
	while (*s) {
		uint32_t cp = 0;
		size_t k = ref_char(s, &cp);

		if (*s == '"' || *s == '\\') {
			out[n++] = '\\';
			out[n++] = (char)*s;
		} else if (k == 0) {
			n += (size_t)sprintf(out + n, "\\u%04x", *s);
			k = 1;
		} else if (ref_control(cp)) {
			n += (size_t)sprintf(out + n, "\\u%04x", cp);
		} else {
			memcpy(out + n, s, k);
			n += k;
		}
		s += k;
	}
	out[n++] = '"';
	out[n] = '\0';
	return n;
}

static uint64_t rng = 0x13198a2e03707344ull;

static unsigned next(void)
{
	return (unsigned)(xorshift64(&rng) >> 32);
}

static void test_escaping(void **state)
{
	static const unsigned char special[] = { '"', '\\', 0x1f, 0x01, '\n',
						 0x20, 0x21, 0x5b, 0x5d, 0x7f,
						 0x80, 0xe3, 0xff, 'a', 0xc2, 0x9b,
						 0x85, 0xa9, 0xe2, 0xae, 0xbf,
						 0xef, 0xbb, 0xf0, 0x9f, 0xed };
	struct jsonw w;
	unsigned char s[80];
	char ref[80 * 6 + 3];

	(void)state;
	jw_init(&w);
	for (int i = 0; i < 200000; i++) {
		size_t len = next() % 40, off = next() % 8, rlen;

		for (size_t j = 0; j < len; j++) {
			unsigned r = next();
			s[off + j] = (r & 3) ? (unsigned char)(' ' + r % 90) :
				     special[(r >> 2) % sizeof(special)];
			if (s[off + j] == 0)
				s[off + j] = 'z';
		}
		s[off + len] = '\0';
		jw_reset(&w);
		jw_str(&w, (const char *)s + off);
		rlen = reference(s + off, ref);
		assert_int_equal(w.len, rlen);
		assert_memory_equal(w.buf, ref, rlen);
	}
	jw_free(&w);
}

static void test_structure(void **state)
{
	struct jsonw w;

	(void)state;
	jw_init(&w);
	jw_obj_begin(&w);
	JW_KSTR(&w, "a", "x");
	JW_KU64(&w, "b", 18446744073709551615ull);
	JW_KEY(&w, "c");
	jw_arr_begin(&w);
	jw_u64(&w, 0);
	jw_null(&w);
	jw_bool(&w, true);
	jw_obj_begin(&w);
	jw_obj_end(&w);
	jw_arr_end(&w);
	jw_kstr(&w, "d", "y");
	jw_key(&w, "e");
	jw_raw(&w, "{\"z\":1}", 7);
	jw_obj_end(&w);
	assert_int_equal(w.len, strlen("{\"a\":\"x\",\"b\":18446744073709551615,"
				       "\"c\":[0,null,true,{}],\"d\":\"y\","
				       "\"e\":{\"z\":1}}"));
	assert_memory_equal(w.buf, "{\"a\":\"x\",\"b\":18446744073709551615,"
			    "\"c\":[0,null,true,{}],\"d\":\"y\",\"e\":{\"z\":1}}",
			    w.len);
	jw_free(&w);
}

/* A record larger than the first buffer grows it and loses nothing. */
static void test_growth(void **state)
{
	struct jsonw w;
	char big[10001];

	(void)state;
	memset(big, 'q', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	jw_init(&w);
	jw_arr_begin(&w);
	for (int i = 0; i < 5; i++)
		jw_str(&w, big);
	jw_arr_end(&w);
	assert_false(w.oom);
	assert_int_equal(w.len, 2 + 5 * 10002 + 4);
	jw_free(&w);
}

/* One number through jw_double / jw_i64 against snprintf. */
static void same_double(struct jsonw *w, double v, int dec)
{
	char ref[400];
	int n = snprintf(ref, sizeof(ref), "%.*f", dec, v);

	jw_reset(w);
	jw_double(w, v, dec);
	assert_int_equal(w->len, (size_t)n);
	assert_memory_equal(w->buf, ref, (size_t)n);
}

static void same_i64(struct jsonw *w, int64_t v)
{
	char ref[32];
	int n = snprintf(ref, sizeof(ref), "%" PRId64, v);

	jw_reset(w);
	jw_i64(w, v);
	assert_int_equal(w->len, (size_t)n);
	assert_memory_equal(w->buf, ref, (size_t)n);
}

static void test_numbers(void **state)
{
	static const double fixed[] = {
		0.0, -0.0, 0.125, 0.375, 2.5, 3.5, -2.5, 0.0005, 0.0015, 1.0005,
		-0.0001, 99.9995, 0.05, 0.15, 0.25, 1e-9, 123456.789, 4.35,
		2147483647.0, 2147483648.0, 1e300, -1e300, 4.9e-324,
	};
	uint64_t seed = 0x5eed5eed5eedull;
	struct jsonw w;

	(void)state;
	jw_init(&w);
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		for (int dec = 0; dec <= 9; dec++) {
			same_double(&w, fixed[i], dec);
			same_double(&w, nextafter(fixed[i], 1e308), dec);
			same_double(&w, nextafter(fixed[i], -1e308), dec);
		}
	same_double(&w, NAN, 3);
	same_double(&w, INFINITY, 1);
	same_double(&w, -INFINITY, 2);
	for (int k = 0; k < 20000; k++) {      /* halves of the last digit */
		same_double(&w, k / 2000.0, 3);
		same_double(&w, k * 0.0005, 3);
		same_double(&w, k / 20.0, 1);
		same_double(&w, -k * 0.05, 1);
	}
	same_double(&w, 0.5, 12);       /* past the fast path's 9 decimals */
	for (int i = 0; i < 400000; i++) {
		uint64_t r = xorshift64(&seed);
		/* a mantissa and an exponent spread over 1e-7 .. 1e12 */
		double v = (double)(r >> 11) / 9007199254740992.0 *
			   pow(10.0, (double)(int)(r % 20) - 7.0);
		int dec = (int)((r >> 5) % 4);

		if (r & 16)
			v = -v;
		if ((r & 0x300) == 0)   /* a value with few digits: ties */
			v = (double)(int64_t)(r >> 40) / 8.0;
		same_double(&w, v, dec);
	}
	same_i64(&w, 0);
	same_i64(&w, -1);
	same_i64(&w, INT64_MIN);
	same_i64(&w, INT64_MAX);
	for (int i = 0; i < 1000; i++)
		same_i64(&w, (int64_t)xorshift64(&seed));
	jw_free(&w);
}

/* The direct writers: the same bytes as the calls, within their maxima. */
static void test_direct(void **state)
{
	static const uint64_t edges[] = { 0, 9, 10, 99, 100, 999, 1000, 10000,
					  9999999999ull, 10000000000ull,
					  UINT64_MAX };
	uint64_t seed = 0xd1ec7ull;
	char b[JW_STR_MAX(64) + 8], ref[32];
	struct jsonw w;
	char *p;

	(void)state;
	for (size_t i = 0; i < sizeof(edges) / sizeof(edges[0]); i++) {
		for (int k = -1; k <= 1; k++) {
			uint64_t v = edges[i] + (uint64_t)(int64_t)k;

			memset(b, 'x', sizeof(b));
			p = jw_put_u64(b, v);
			snprintf(ref, sizeof(ref), "%" PRIu64, v);
			assert_int_equal(p - b, strlen(ref));
			assert_memory_equal(b, ref, strlen(ref));
			assert_true(p - b <= JW_NUM_MAX);
			assert_int_equal(*p, 'x');
		}
	}
	/* every digit count: 10^k - 1, 10^k, 10^k + 1 (the count's edges) */
	for (uint64_t p10 = 10; ; p10 *= 10) {
		for (int k = -1; k <= 1; k++) {
			uint64_t v = p10 + (uint64_t)(int64_t)k;

			p = jw_put_u64(b, v);
			snprintf(ref, sizeof(ref), "%" PRIu64, v);
			assert_int_equal(p - b, strlen(ref));
			assert_memory_equal(b, ref, strlen(ref));
		}
		if (p10 > UINT64_MAX / 10)
			break;
	}
	for (int i = 0; i < 100000; i++) {
		uint64_t v = xorshift64(&seed) >> (xorshift64(&seed) % 64);

		p = jw_put_u64(b, v);
		snprintf(ref, sizeof(ref), "%" PRIu64, v);
		assert_int_equal(p - b, strlen(ref));
		assert_memory_equal(b, ref, strlen(ref));
	}
	assert_true(jw_put_i64(b, INT64_MIN) - b <= JW_NUM_MAX);
	/* the worst string: every byte a 6-byte escape */
	memset(ref, 0x01, sizeof(ref));
	assert_int_equal(jw_put_str(b, ref, sizeof(ref)) - b,
			 JW_STR_MAX(sizeof(ref)));
	/* direct writing between calls: the same record as the calls */
	jw_init(&w);
	jw_obj_begin(&w);
	JW_KU64(&w, "a", 1);
	p = jw_room(&w, 4000);
	assert_non_null(p);
	assert_true(w.cap - w.len >= 4002);
	memcpy(p, ",\"b\":", 5);
	p = jw_put_str(p + 5, "x\"y", 3);
	jw_commit(&w, p);
	jw_resume(&w, 1, false);
	JW_KSTR(&w, "c", "z");
	jw_obj_end(&w);
	assert_int_equal(w.len, strlen("{\"a\":1,\"b\":\"x\\\"y\",\"c\":\"z\"}"));
	assert_memory_equal(w.buf, "{\"a\":1,\"b\":\"x\\\"y\",\"c\":\"z\"}", w.len);
	jw_free(&w);
}

/* jw_plain: true exactly when jw_str would write the bytes as they are,
 * and jw_str the reference's escapes, for each byte value at each
 * position of strings of 1 to 40 bytes (the byte loop, the two
 * overlapping 8-byte reads, the 16-byte steps and the overlapping
 * tail). */
static void test_plain(void **state)
{
	struct jsonw w;

	(void)state;
	jw_init(&w);
	for (size_t n = 1; n <= 40; n++)
		for (int c = 1; c < 256; c++)
			for (size_t at = 0; at < n; at++) {
				char s[41], ref[41 * 6 + 3];
				bool plain;
				size_t rlen;

				memset(s, 'a', n);
				s[n] = '\0';
				s[at] = (char)c;
				plain = jw_plain(s, n);
				jw_reset(&w);
				jw_str(&w, s);
				rlen = reference((const unsigned char *)s, ref);
				assert_int_equal(w.len, rlen);
				assert_memory_equal(w.buf, ref, rlen);
				assert_int_equal(plain, c >= 0x20 && c < 0x7f &&
						 c != '"' && c != '\\');
			}
	jw_free(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_structure),
		cmocka_unit_test(test_growth),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_direct),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
