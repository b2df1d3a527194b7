/* ndpifmt.c: nDPI's short formats without stdio (see ndpifmt.h). */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include "inspect/ndpifmt.h"

/* The output so far: n counts every byte of the text, buf receives those
 * that fit before its last byte (kept for the NUL). */
struct fmt_out {
	char *buf;
	size_t len;
	size_t n;
};

static void put(struct fmt_out *o, char c)
{
	if (o->n + 1 < o->len)
		o->buf[o->n] = c;
	o->n++;
}

static void put_str(struct fmt_out *o, const char *s)
{
	if (s == NULL)
		s = "(null)";
	while (*s)
		put(o, *s++);
}

static void put_dec(struct fmt_out *o, unsigned v)
{
	char tmp[10];
	unsigned k = 0;

	do {
		tmp[k++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (k)
		put(o, tmp[--k]);
}

/* v in hex (upper: A-F), at least `width` digits, zero-padded. */
static void put_hex(struct fmt_out *o, unsigned v, bool upper, unsigned width)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[16];
	unsigned k = 0;

	do {
		tmp[k++] = digits[v & 15];
		v >>= 4;
	} while (v);
	while (k < width)
		tmp[k++] = '0';
	while (k)
		put(o, tmp[--k]);
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

int ndpifmt_try(char *buf, size_t len, const char *fmt, va_list ap)
{
	struct fmt_out o = { buf, len, 0 };
	unsigned width;
	char c;

	while ((c = *fmt++) != '\0') {
		if (c != '%') {
			put(&o, c);
			continue;
		}
		switch (directive(&fmt, &width)) {
		case 's':
			put_str(&o, va_arg(ap, const char *));
			break;
		case 'u':
			put_dec(&o, va_arg(ap, unsigned));
			break;
		case 'x':
			put_hex(&o, va_arg(ap, unsigned), false, width);
			break;
		case 'X':
			put_hex(&o, va_arg(ap, unsigned), true, width);
			break;
		default:
			return -1;
		}
	}
	if (len)
		buf[o.n < len ? o.n : len - 1] = '\0';
	return (int)o.n;
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
		n = ndpifmt_try(s, maxlen, fmt, ap);
	if (n < 0)
		n = __vsnprintf_chk(s, maxlen, flag, slen, fmt, again);
	va_end(again);
	va_end(ap);
	return n;
}
/* NOLINTEND(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp) */
#endif
