/* fuzz_escape.c: arbitrary bytes as a name, through both escaping
 * functions: jw_str() (JSON) and esc_text() (a text line).
 *
 * Checked, with a UTF-8 validator of its own (not the one under test):
 * the JSON string is valid UTF-8, quoted, holds no raw control (C0, DEL,
 * C1) and only the escapes of RFC 8259, and \u escapes no surrogate; the
 * text holds no byte below 0x20, no 0x7f, no C1 control, only valid UTF-8,
 * and fits its buffer; a text that fits untouched reads back to the input.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "fuzz.h"
#include "util/escape.h"
#include "util/jsonw.h"

/* Length of the valid UTF-8 character at s (n > 0), or 0; *cp its code
 * point.  Written from RFC 3629's table, apart from util/escape.c. */
static size_t valid_char(const unsigned char *s, size_t n, uint32_t *cp)
{
	size_t len = s[0] < 0x80 ? 1 : s[0] >= 0xc2 && s[0] < 0xe0 ? 2 :
		     s[0] >= 0xe0 && s[0] < 0xf0 ? 3 : s[0] >= 0xf0 && s[0] < 0xf5 ? 4 : 0;
	uint32_t v = len == 1 ? s[0] : len == 2 ? s[0] & 0x1fu :
		     len == 3 ? s[0] & 0x0fu : s[0] & 0x07u;

	if (len == 0 || len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = v << 6 | (s[i] & 0x3fu);
	}
	if ((len == 3 && v < 0x800) || (len == 4 && (v < 0x10000 || v > 0x10ffff)) ||
	    (v >= 0xd800 && v < 0xe000))
		return 0;
	*cp = v;
	return len;
}

static bool is_hex(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* The JSON string s[0..n): "..." with valid escapes and valid UTF-8. */
static void check_json(const unsigned char *s, size_t n)
{
	size_t i = 1;

	FUZZ_CHECK(n >= 2 && s[0] == '"' && s[n - 1] == '"');
	while (i < n - 1) {
		uint32_t cp = 0;
		size_t k;

		if (s[i] == '\\') {
			FUZZ_CHECK(i + 1 < n - 1);
			if (s[i + 1] == 'u') {
				unsigned long v;
				char hex[5];

				FUZZ_CHECK(i + 6 <= n - 1);
				for (size_t j = 2; j < 6; j++)
					FUZZ_CHECK(is_hex(s[i + j]));
				memcpy(hex, s + i + 2, 4);
				hex[4] = '\0';
				v = strtoul(hex, NULL, 16);
				FUZZ_CHECK(v < 0xd800 || v > 0xdfff);
				i += 6;
			} else {
				FUZZ_CHECK(strchr("\"\\/bfnrt", s[i + 1]) != NULL);
				i += 2;
			}
			continue;
		}
		FUZZ_CHECK(s[i] != '"');
		k = valid_char(s + i, n - 1 - i, &cp);
		FUZZ_CHECK(k > 0);
		FUZZ_CHECK(cp >= 0x20 && !(cp >= 0x7f && cp <= 0x9f));
		i += k;
	}
	FUZZ_CHECK(i == n - 1);
}

/* The text t: no control byte, no C1, valid UTF-8, within cap. */
static void check_text(const char *t, size_t cap)
{
	const unsigned char *s = (const unsigned char *)t;
	size_t n = strlen(t), i = 0;

	FUZZ_CHECK(n < cap);
	while (i < n) {
		uint32_t cp = 0;
		size_t k = valid_char(s + i, n - i, &cp);

		FUZZ_CHECK(k > 0);
		FUZZ_CHECK(cp >= 0x20 && cp != 0x7f && !(cp >= 0x80 && cp <= 0x9f));
		i += k;
	}
}

static int ends_with_dots(const char *t)
{
	size_t n = strlen(t);

	return n >= 3 && strcmp(t + n - 3, "...") == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char text[ESC_TEXT_MAX], small[24];
	char *name = malloc(size + 1);
	struct jsonw w;

	if (name == NULL)
		return 0;
	memcpy(name, data, size);
	name[size] = '\0';          /* a C string: up to the first NUL */
	jw_init(&w);
	jw_str(&w, name);
	FUZZ_CHECK(!w.oom);
	check_json((const unsigned char *)w.buf, w.len);
	jw_free(&w);
	check_text(esc_text(text, sizeof(text), name), sizeof(text));
	check_text(esc_text(small, sizeof(small), name), sizeof(small));
	/* Escaping never shortens, so a text as long as the name, not cut
	 * (a cut text ends in "..."), escaped nothing: it is the name. */
	if (strlen(text) == strlen(name) && strchr(name, '\\') == NULL &&
	    !ends_with_dots(text))
		FUZZ_CHECK(strcmp(text, name) == 0);
	free(name);
	return 0;
}
