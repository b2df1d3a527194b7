/* ndpifmt.c: nDPI's short formats without stdio (see ndpifmt.h). */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "inspect/ndpifmt.h"

/* Writes v in decimal at d; returns the digits written (1..10).  Two
 * digits per division: nDPI's numbers (cipher and extension codes) have
 * four or five. */
static size_t put_dec(char *d, unsigned v)
{
	static const char pairs[] =
		"00010203040506070809101112131415161718192021222324"
		"25262728293031323334353637383940414243444546474849"
		"50515253545556575859606162636465666768697071727374"
		"75767778798081828384858687888990919293949596979899";
	size_t n = v < 10 ? 1 : v < 100 ? 2 : v < 1000 ? 3 : v < 10000 ? 4 :
		   v < 100000 ? 5 : v < 1000000 ? 6 : v < 10000000 ? 7 :
		   v < 100000000 ? 8 : v < 1000000000 ? 9 : 10;
	char *p = d + n;

	while (v >= 100) {
		size_t k = (size_t)(v % 100) * 2;

		v /= 100;
		*--p = pairs[k + 1];
		*--p = pairs[k];
	}
	if (v >= 10) {
		*--p = pairs[(size_t)v * 2 + 1];
		*--p = pairs[(size_t)v * 2];
	} else {
		*--p = (char)('0' + v);
	}
	return n;
}

/* Writes v in hex (upper: A-F) at d, at least `width` digits, zero-padded;
 * returns the digits written (1..9 for width <= 9). */
static size_t put_hex(char *d, unsigned v, bool upper, unsigned width)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	size_t n = 1;

	for (unsigned t = v >> 4; t; t >>= 4)
		n++;
	if (n < width)
		n = width;
	for (size_t i = n; i > 0; i--, v >>= 4)
		d[i - 1] = digits[v & 15];
	return n;
}

/* Reads the directive after a '%' at *p: its conversion and width (the
 * "0N" of %0Nx); advances *p past it.  Returns 0 for one not written here. */
static char directive(const char **p, unsigned *width)
{
	const char *s = *p;
	char c;

	*width = 0;
	if (s[0] == '0' && s[1] >= '1' && s[1] <= '9') {
		*width = (unsigned)(s[1] - '0');
		s += 2;
	}
	c = *s;
	if (c == 'x' || c == 'X' || ((c == 's' || c == 'u') && *width == 0)) {
		*p = s + 1;
		return c;
	}
	return 0;
}

/* Room a number needs in the text: 10 decimal digits, 9 hex at most. */
#define NUM_ROOM 10

/* "%02x" or "%02X" of a byte into buf[len >= 3]: the MD5 digits of each
 * JA3 and JA3S, half of nDPI's calls.  Returns 2, or -1 for a larger v. */
static int hex_byte(char *buf, char conv, unsigned v)
{
	const char *digits = conv == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";

	if (v > 255)
		return -1;
	buf[0] = digits[v >> 4];
	buf[1] = digits[v & 15];
	buf[2] = '\0';
	return 2;
}

/* "%s%u" of a separator ("" or "-") and a number into buf[len > NDPIFMT_MAX]:
 * each cipher, extension and curve of each JA3 and JA3S, most of nDPI's
 * other calls.  Returns -1 for a separator longer than the room. */
static int sep_num(char *buf, const char *sep, unsigned v)
{
	size_t n = 0;

	if (sep == NULL)
		sep = "(null)";
	for (; *sep; sep++) {
		if (n == NDPIFMT_MAX - NUM_ROOM)
			return -1;
		buf[n++] = *sep;
	}
	n += put_dec(buf + n, v);
	buf[n] = '\0';
	return (int)n;
}

/* Any format of the directives above.  The text is built in buf itself
 * when buf is longer than any text written here (nDPI's JA3 buffers),
 * else in a local copy. */
static int format_v(char *buf, size_t len, const char *fmt, va_list ap)
{
	char local[NDPIFMT_MAX];
	char *out = len > NDPIFMT_MAX ? buf : local;
	size_t n = 0;
	unsigned width;
	const char *s;
	char c;

	while ((c = *fmt++) != '\0') {
		if (c != '%') {
			if (n == NDPIFMT_MAX)
				return -1;
			out[n++] = c;
			continue;
		}
		c = directive(&fmt, &width);
		if (c == 's') {
			if ((s = va_arg(ap, const char *)) == NULL)
				s = "(null)";
			for (; *s; s++) {
				if (n == NDPIFMT_MAX)
					return -1;
				out[n++] = *s;
			}
		} else if (c == 0 || NDPIFMT_MAX - n < NUM_ROOM) {
			return -1;
		} else if (c == 'u') {
			n += put_dec(out + n, va_arg(ap, unsigned));
		} else {
			n += put_hex(out + n, va_arg(ap, unsigned), c == 'X', width);
		}
	}
	if (out == buf) {
		buf[n] = '\0';
	} else if (len) {
		size_t k = n < len ? n : len - 1;

		memcpy(buf, out, k);
		buf[k] = '\0';
	}
	return (int)n;
}

/* ndpifmt_try(), inlined into __snprintf_chk: nDPI's two shapes per
 * number first, without the general loop's set-up. */
static inline __attribute__((always_inline)) int
try_v(char *buf, size_t len, const char *fmt, va_list ap)
{
	if (fmt[0] == '%' && fmt[1] == '0' && fmt[2] == '2' &&
	    (fmt[3] == 'x' || fmt[3] == 'X') && fmt[4] == '\0' && len >= 3)
		return hex_byte(buf, fmt[3], va_arg(ap, unsigned));
	if (fmt[0] == '%' && fmt[1] == 's' && fmt[2] == '%' && fmt[3] == 'u' &&
	    fmt[4] == '\0' && len > NDPIFMT_MAX) {
		const char *sep = va_arg(ap, const char *);

		return sep_num(buf, sep, va_arg(ap, unsigned));
	}
	return format_v(buf, len, fmt, ap);
}

int ndpifmt_try(char *buf, size_t len, const char *fmt, va_list ap)
{
	return try_v(buf, len, fmt, ap);
}

#ifdef __GLIBC__
/* glibc's fortified snprintf, which nDPI's calls name (C reserves the
 * names: these are the ones glibc exports, GLIBC_2.3.4). */
/* NOLINTBEGIN(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp) */
int __vsnprintf_chk(char *restrict s, size_t maxlen, int flag, size_t slen,
		    const char *restrict fmt, va_list ap)
	__attribute__((format(printf, 5, 0)));
int __snprintf_chk(char *restrict s, size_t maxlen, int flag, size_t slen,
		   const char *restrict fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* slen is the size of the object s points into: a maxlen beyond it is
 * glibc's to report (__chk_fail). */
int __snprintf_chk(char *restrict s, size_t maxlen, int flag, size_t slen,
		   const char *restrict fmt, ...)
{
	va_list ap, again;
	int n = -1;

	va_start(ap, fmt);
	va_copy(again, ap);
	if (maxlen <= slen)
		n = try_v(s, maxlen, fmt, ap);
	if (n < 0)
		n = __vsnprintf_chk(s, maxlen, flag, slen, fmt, again);
	va_end(again);
	va_end(ap);
	return n;
}
/* NOLINTEND(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp) */
#endif
