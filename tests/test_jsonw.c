/* test_jsonw.c: the JSON writer.
 *
 * Proves: strings are escaped exactly as RFC 8259 asks (quote, backslash,
 * controls as \u00XX; bytes >= 0x80 as they are), checked against a
 * byte-by-byte reference on 200,000 random strings whose bytes favour the
 * ones to escape, at every alignment of the 8-byte scan; commas and nesting
 * are placed right; literal-key macros write what jw_key writes.
 */
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

static size_t reference(const unsigned char *s, char *out)
{
	size_t n = 0;

	out[n++] = '"';
	for (; *s; s++) {
		if (*s == '"' || *s == '\\') {
			out[n++] = '\\';
			out[n++] = (char)*s;
		} else if (*s < 0x20) {
			n += (size_t)sprintf(out + n, "\\u%04x", *s);
		} else {
			out[n++] = (char)*s;
		}
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
						 0x80, 0xe3, 0xff, 'a' };
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_structure),
		cmocka_unit_test(test_growth),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
