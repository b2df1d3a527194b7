/* test_escape.c: esc_text(), the text-line escaping of foreign strings.
 *
 * Proves: the Host (28 backspaces, "ok", ESC[8m) comes out as
 * visible \xNN and cannot rewrite a line; C1 controls (U+009B, the one-byte
 * CSI), DEL, invalid UTF-8 (stray bytes, overlong, surrogates, past
 * U+10FFFF, cut sequences) and the invisible bidi characters are escaped;
 * valid UTF-8 (Japanese) and a backslash-free ASCII name pass untouched;
 * the cap cuts at a character boundary with "...", never inside an escape.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "util/escape.h"

static const char *esc(const char *s)
{
	static char buf[ESC_TEXT_MAX];

	return esc_text(buf, sizeof(buf), s);
}

static void test_passes(void **state)
{
	(void)state;
	assert_string_equal(esc("fe1.contoso.test"), "fe1.contoso.test");
	assert_string_equal(esc("フロントエンド"), "フロントエンド");
	assert_string_equal(esc(""), "");
	assert_string_equal(esc(NULL), "");
	assert_string_equal(esc("\xc2\xa0\xf0\x9f\x98\x80"), "\xc2\xa0\xf0\x9f\x98\x80");
}

static void test_controls(void **state)
{
	char host[64] = "a";

	(void)state;
	for (int i = 0; i < 28; i++)
		strcat(host, "\b");
	strcat(host, "ok\x1b[8m");
	assert_null(strchr(esc(host), '\b'));
	assert_null(strchr(esc(host), '\x1b'));
	assert_non_null(strstr(esc(host), "\\x08\\x08ok\\x1b[8m"));
	assert_string_equal(esc("\x7f\r\n\t"), "\\x7f\\x0d\\x0a\\x09");
	assert_string_equal(esc("\xc2\x9b" "31m"), "\\xc2\\x9b31m");     /* U+009B */
	assert_string_equal(esc("\xe2\x80\xae" "txt"), "\\xe2\\x80\\xaetxt"); /* RLO */
	assert_string_equal(esc("a\\b"), "a\\\\b");
}

static void test_invalid_utf8(void **state)
{
	(void)state;
	assert_string_equal(esc("\xff"), "\\xff");
	assert_string_equal(esc("\x80x"), "\\x80x");
	assert_string_equal(esc("\xc0\xaf"), "\\xc0\\xaf");          /* overlong '/' */
	assert_string_equal(esc("\xed\xa0\x80"), "\\xed\\xa0\\x80"); /* surrogate */
	assert_string_equal(esc("\xf4\x90\x80\x80"), "\\xf4\\x90\\x80\\x80");
	assert_string_equal(esc("\xe3\x81"), "\\xe3\\x81");          /* cut */
	assert_string_equal(esc("\xe3\x81" "a"), "\\xe3\\x81a");
}

static void test_cap(void **state)
{
	char buf[12];

	(void)state;
	assert_string_equal(esc_text(buf, sizeof(buf), "0123456789a"), "0123456789a");
	assert_string_equal(esc_text(buf, sizeof(buf), "0123456789ab"), "01234567...");
	/* an escape is never cut: \x1b needs 4 bytes, 3 are left */
	assert_string_equal(esc_text(buf, sizeof(buf), "01234\x1b" "xxxxxx"), "01234...");
	/* nor a character */
	assert_string_equal(esc_text(buf, sizeof(buf), "0123456日本"), "0123456...");
	assert_string_equal(esc_text(buf, 3, "abc"), "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_passes),
		cmocka_unit_test(test_controls),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_cap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
