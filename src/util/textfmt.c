/* textfmt.c: addresses, times and sentences without printf. */
#include <stdarg.h>
#include <string.h>

#include "util/textfmt.h"

/* Decimal digits of v into b (at least `width`, zero padded); returns the
 * count.  b holds 20 bytes. */
static size_t put_dec(char *b, uint64_t v, int width)
{
	char t[20];
	int n = 0;

	do {
		t[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v && n < 20);
	while (n < width && n < 20)
		t[n++] = '0';
	for (int i = 0; i < n; i++)
		b[i] = t[n - 1 - i];
	return (size_t)n;
}

/* Each octet's decimal digits, no leading zeros, NUL-padded to 3, and
 * their count. */
#define OCT(n) { (char)((n) >= 100 ? '0' + (n) / 100 : (n) >= 10 ? '0' + (n) / 10 : '0' + (n)), \
		 (char)((n) >= 100 ? '0' + (n) / 10 % 10 : (n) >= 10 ? '0' + (n) % 10 : 0), \
		 (char)((n) >= 100 ? '0' + (n) % 10 : 0), \
		 (char)((n) >= 100 ? 3 : (n) >= 10 ? 2 : 1) }
#define OCT4(n) OCT(n), OCT((n) + 1), OCT((n) + 2), OCT((n) + 3)
#define OCT16(n) OCT4(n), OCT4((n) + 4), OCT4((n) + 8), OCT4((n) + 12)
#define OCT64(n) OCT16(n), OCT16((n) + 16), OCT16((n) + 32), OCT16((n) + 48)
static const char octets[256][4] = {
	OCT64(0), OCT64(64), OCT64(128), OCT64(192)
};
#undef OCT
#undef OCT4
#undef OCT16
#undef OCT64

/* One octet in decimal, no leading zeros; returns the end.  Writes 4
 * bytes (the room of an address's text always has them). */
static char *put_octet(char *p, unsigned v)
{
	memcpy(p, octets[v & 255], 4);
	return p + octets[v & 255][3];
}

static char *put_ipv4(char *p, const uint8_t *a)
{
	p = put_octet(p, a[0]);
	*p++ = '.';
	p = put_octet(p, a[1]);
	*p++ = '.';
	p = put_octet(p, a[2]);
	*p++ = '.';
	return put_octet(p, a[3]);
}

/* Each byte's two lower-case hex digits. */
#define HEXC(v) (char)((v) < 10 ? '0' + (v) : 'a' + (v) - 10)
#define HX(n) { HEXC((n) >> 4), HEXC((n) & 15) }
#define HX4(n) HX(n), HX((n) + 1), HX((n) + 2), HX((n) + 3)
#define HX16(n) HX4(n), HX4((n) + 4), HX4((n) + 8), HX4((n) + 12)
#define HX64(n) HX16(n), HX16((n) + 16), HX16((n) + 32), HX16((n) + 48)
/* (cppcheck takes HEXC's comparisons of the constant it is given for
 * tests of a variable, hence the suppression.) */
const char textfmt_hexpairs[256][2] = {
	// cppcheck-suppress comparisonError
	HX64(0), HX64(64), HX64(128), HX64(192)
};
#undef HEXC
#undef HX
#undef HX4
#undef HX16
#undef HX64

/* A 16-bit group in lower-case hex without leading zeros: its four
 * digits stored at once from the first significant one (4 bytes
 * written). */
static char *put_hex16(char *p, unsigned v)
{
	char t[4];
	size_t n = (size_t)(35 - __builtin_clz(v | 1)) >> 2;  /* digits */
	uint32_t w;

	memcpy(t, textfmt_hexpairs[v >> 8 & 255], 2);
	memcpy(t + 2, textfmt_hexpairs[v & 255], 2);
	memcpy(&w, t, 4);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	w >>= 8 * (4 - n);              /* the first digit in the low byte */
#else
	w <<= 8 * (4 - n);
#endif
	memcpy(p, &w, 4);
	return p + n;
}

/* The first longest run of set bits of m (8 bits), as start and length
 * (0 when m is 0). */
static void longest_run(unsigned m, int *start, int *len)
{
	*start = -1;
	*len = 0;
	while (m) {
		int s = __builtin_ctz(m);
		int n = __builtin_ctz(~(m >> s));

		if (n > *len) {
			*start = s;
			*len = n;
		}
		m &= ~(((1u << n) - 1) << s);
	}
}

/* RFC 5952, written as glibc's inet_ntop writes it: the first longest run
 * of two or more zero groups as "::", and an embedded IPv4 address in
 * ::ffff:a.b.c.d and in the old ::a.b.c.d (six zero groups).  Writes up
 * to 3 bytes past the text (46 bytes of room hold them). */
static char *put_ipv6(char *p, const uint8_t *a)
{
	unsigned g[8], zero = 0;
	int best, best_len;

	for (size_t i = 0; i < 8; i++) {
		g[i] = (unsigned)a[2 * i] << 8 | a[2 * i + 1];
		zero |= (unsigned)(g[i] == 0) << i;
	}
	longest_run(zero, &best, &best_len);
	if (best_len < 2)
		best = -1;
	for (int i = 0; i < 8; i++) {
		if (i == best) {
			*p++ = ':';
			i += best_len - 1;
			continue;
		}
		if (i > 0)
			*p++ = ':';
		if (i == 6 && best == 0 &&
		    (best_len == 6 || (best_len == 5 && g[5] == 0xffff)))
			return put_ipv4(p, a + 12);
		p = put_hex16(p, g[i]);
	}
	if (best >= 0 && best + best_len == 8)
		*p++ = ':';
	return p;
}

size_t textfmt_addr(const uint8_t *addr, int ipver, char *buf, size_t len)
{
	char t[64], *p;

	if (len == 0)
		return 0;
	p = ipver == 6 ? put_ipv6(t, addr) : put_ipv4(t, addr);
	if ((size_t)(p - t) > len - 1)
		p = t + len - 1;
	memcpy(buf, t, (size_t)(p - t));
	buf[p - t] = '\0';
	return (size_t)(p - t);
}

/* The proleptic Gregorian date of day `days` since 1970-01-01, by eras of
 * 400 years (146097 days), each starting on a 1 March so that the leap day
 * is the era year's last. */
static void civil_from_days(uint64_t days, uint64_t *y, unsigned *m,
			    unsigned *d)
{
	uint64_t z = days + 719468;           /* days since 0000-03-01 */
	uint64_t era = z / 146097;
	uint64_t doe = z - era * 146097;      /* [0, 146096] */
	uint64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	uint64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	uint64_t mp = (5 * doy + 2) / 153;    /* March = 0 */

	*d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	*m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

/* Two decimal digits of v < 100; returns the end. */
static char *put2(char *p, unsigned v)
{
	p[0] = (char)('0' + v / 10);
	p[1] = (char)('0' + v % 10);
	return p + 2;
}

size_t textfmt_time(uint64_t ts_us, char *buf, size_t len)
{
	char t[64], *p = t;
	uint64_t sec = ts_us / 1000000, y;
	unsigned mo, d, sod = (unsigned)(sec % 86400);
	unsigned us = (unsigned)(ts_us % 1000000);
	size_t n;

	if (len == 0)
		return 0;
	civil_from_days(sec / 86400, &y, &mo, &d);
	if (y < 10000) {
		p = put2(p, (unsigned)y / 100);
		p = put2(p, (unsigned)y % 100);
	} else {
		p += put_dec(p, y, 4);
	}
	*p++ = '-';
	p = put2(p, mo);
	*p++ = '-';
	p = put2(p, d);
	*p++ = 'T';
	p = put2(p, sod / 3600);
	*p++ = ':';
	p = put2(p, sod / 60 % 60);
	*p++ = ':';
	p = put2(p, sod % 60);
	*p++ = '.';
	p = put2(p, us / 10000);
	p = put2(p, us / 100 % 100);
	p = put2(p, us % 100);
	*p++ = 'Z';
	n = (size_t)(p - t);
	if (n > len - 1)
		n = len - 1;
	memcpy(buf, t, n);
	buf[n] = '\0';
	return n;
}

char *textfmt_put_addr(char *d, const uint8_t *addr, int ipver)
{
	return ipver == 6 ? put_ipv6(d, addr) : put_ipv4(d, addr);
}

/* textfmt_put_time's text from slot k's text up to the second and the
 * microseconds us. */
static inline char *put_time_kept(const struct textfmt_tcache *c,
				  unsigned k, uint32_t us, char *d)
{
	static const char pairs[] =
		"00010203040506070809101112131415161718192021222324"
		"25262728293031323334353637383940414243444546474849"
		"50515253545556575859606162636465666768697071727374"
		"75767778798081828384858687888990919293949596979899";
	size_t n = c->len[k];
	uint32_t hi, mid;

	if (n == 20)                    /* years 0..9999: one fixed copy */
		memcpy(d, c->text[k], 20);
	else
		memcpy(d, c->text[k], n);
	d += n;
	hi = us / 10000;                /* the microseconds, two digits a step */
	us -= hi * 10000;
	mid = us / 100;
	us -= mid * 100;
	memcpy(d, pairs + (size_t)2 * hi, 2);
	memcpy(d + 2, pairs + (size_t)2 * mid, 2);
	memcpy(d + 4, pairs + (size_t)2 * us, 2);
	d[6] = 'Z';
	return d + 7;
}

/* textfmt_put_time when c misses the second: slot k refilled with its
 * text up to the second first (apart, so that a hit saves no registers
 * for a call). */
__attribute__((noinline))
static char *put_time_refill(struct textfmt_tcache *c, uint64_t ts_us,
			     char *d)
{
	uint64_t sec = ts_us / 1000000;
	unsigned k = (unsigned)(sec % TEXTFMT_TCACHE_SLOTS);
	size_t n = textfmt_time(sec * 1000000, c->text[k], TEXTFMT_TIME_MAX);

	c->sec[k] = sec;
	c->len[k] = (uint8_t)(n - 7);  /* without "uuuuuuZ" */
	return put_time_kept(c, k, (uint32_t)(ts_us - sec * 1000000), d);
}

char *textfmt_put_time(struct textfmt_tcache *c, uint64_t ts_us, char *d)
{
	uint64_t sec = ts_us / 1000000;
	unsigned k = (unsigned)(sec % TEXTFMT_TCACHE_SLOTS);

	if (c->sec[k] != sec || c->len[k] == 0)
		return put_time_refill(c, ts_us, d);
	return put_time_kept(c, k, (uint32_t)(ts_us - sec * 1000000), d);
}

/* Appends n bytes of s at *pos, within cap (room for the NUL kept);
 * returns false once full. */
static int put(char *buf, size_t cap, size_t *pos, const char *s, size_t n)
{
	size_t room = cap - 1 - *pos;

	if (n > room) {
		/* cut before a UTF-8 continuation byte, not inside a character */
		while (room > 0 && ((unsigned char)s[room] & 0xc0) == 0x80)
			room--;
		memcpy(buf + *pos, s, room);
		*pos += room;
		return 0;
	}
	memcpy(buf + *pos, s, n);
	*pos += n;
	return 1;
}

size_t textfmt(char *buf, size_t len, const char *tmpl, ...)
{
	va_list ap;
	size_t pos = 0;
	const char *s = tmpl;

	if (len == 0)
		return 0;
	va_start(ap, tmpl);
	while (*s) {
		const char *run = s, *pct = strchr(s, '%');
		char num[20];
		int ok = 1;

		s = pct ? pct : s + strlen(s);
		if (s > run)
			ok = put(buf, len, &pos, run, (size_t)(s - run));
		if (!ok || *s == '\0')
			break;
		s++;                          /* the '%' */
		if (*s == 's') {
			const char *a = va_arg(ap, const char *);
			if (a == NULL)
				a = "(null)";
			ok = put(buf, len, &pos, a, strlen(a));
		} else if (*s == 'u') {
			ok = put(buf, len, &pos, num,
				 put_dec(num, va_arg(ap, unsigned), 1));
		} else if (*s == '%') {
			ok = put(buf, len, &pos, "%", 1);
		} else {
			/* Not ours: the argument's type is unknown, so nothing
			 * more can be read.  Say so where it happened. */
			char bad[] = "{bad conversion %?}";

			if (*s != '\0')
				bad[sizeof(bad) - 3] = *s;
			put(buf, len, &pos, bad, sizeof(bad) - 1);
			break;
		}
		if (!ok)
			break;
		s++;
	}
	va_end(ap);
	buf[pos] = '\0';
	return pos;
}
