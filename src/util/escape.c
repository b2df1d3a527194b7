/* escape.c: UTF-8 decoding and the text escaping of foreign strings. */
#include <string.h>

#include "util/escape.h"

size_t utf8_next(const unsigned char *s, size_t n, uint32_t *cp)
{
	static const uint32_t min[5] = { 0, 0, 0x80, 0x800, 0x10000 };
	unsigned char c = s[0];
	size_t len;
	uint32_t v;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		v = c & 0x1fu;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		v = c & 0x0fu;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		v = c & 0x07u;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = v << 6 | (s[i] & 0x3fu);
	}
	if (v < min[len] || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return len;
}

int esc_is_control(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) ||
	       (cp >= 0x200b && cp <= 0x200f) || (cp >= 0x2028 && cp <= 0x202e) ||
	       (cp >= 0x2060 && cp <= 0x2069) || cp == 0xfeff;
}

/* Appends the n bytes of piece when they fit with `reserve` bytes to
 * spare (the NUL, and "..." when the result will be cut); returns 0, or
 * -1 (nothing written) when they do not. */
static int add(char *buf, size_t cap, size_t *len, const char *piece,
	       size_t n, size_t reserve)
{
	if (*len + n + reserve > cap)
		return -1;
	memcpy(buf + *len, piece, n);
	*len += n;
	return 0;
}

/* The text of s[0..n) that add() takes: the character itself, or its
 * bytes as \xNN, or "\\"; *used is set to the bytes of s consumed. */
static size_t piece_of(const unsigned char *s, size_t n, char *out,
		       size_t *used)
{
	static const char hex[] = "0123456789abcdef";
	uint32_t cp = 0;
	size_t k = utf8_next(s, n, &cp), m = 0;

	if (k == 1 && cp == '\\') {
		*used = 1;
		out[0] = '\\';
		out[1] = '\\';
		return 2;
	}
	if (k > 0 && !esc_is_control(cp)) {
		*used = k;
		memcpy(out, s, k);
		return k;
	}
	*used = k ? k : 1;
	for (size_t i = 0; i < *used; i++) {
		out[m++] = '\\';
		out[m++] = 'x';
		out[m++] = hex[s[i] >> 4];
		out[m++] = hex[s[i] & 15];
	}
	return m;
}

/* Bytes of the escaped form of s[0..n), without the NUL. */
static size_t escaped_len(const unsigned char *s, size_t n)
{
	char piece[16];
	size_t total = 0;

	while (n > 0) {
		size_t used;

		total += piece_of(s, n, piece, &used);
		s += used;
		n -= used;
	}
	return total;
}

char *esc_text(char *buf, size_t cap, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t n = strlen((const char *)p), len = 0, reserve;
	char piece[16];

	if (cap < 4) {
		if (cap)
			buf[0] = '\0';
		return buf;
	}
	reserve = escaped_len(p, n) < cap ? 1 : 4;
	while (n > 0) {
		size_t used, m = piece_of(p, n, piece, &used);

		if (add(buf, cap, &len, piece, m, reserve) != 0) {
			memcpy(buf + len, "...", 3);
			len += 3;
			break;
		}
		p += used;
		n -= used;
	}
	buf[len] = '\0';
	return buf;
}
