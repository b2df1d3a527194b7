/* jsonw.c: JSON text into a memory buffer (RFC 8259). */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "util/escape.h"
#include "util/jsonw.h"

void jw_init(struct jsonw *w)
{
	memset(w, 0, sizeof(*w));
	w->first[0] = true;
}

void jw_free(struct jsonw *w)
{
	free(w->buf);
	memset(w, 0, sizeof(*w));
}

void jw_reset(struct jsonw *w)
{
	w->len = 0;
	w->depth = 0;
	w->first[0] = true;
	w->after_key = false;
	w->oom = false;
}

/* Grows the buffer so that n more bytes (and a newline) fit; false when
 * out of memory (then w->oom). */
static bool grow(struct jsonw *w, size_t n)
{
	size_t ncap = w->cap ? w->cap * 2 : 4096;
	char *nb;

	if (w->oom)
		return false;
	while (ncap - w->len < n + 2)
		ncap *= 2;
	nb = realloc(w->buf, ncap);
	if (nb == NULL) {
		w->oom = true;
		return false;
	}
	w->buf = nb;
	w->cap = ncap;
	return true;
}

/* put's way when the room is short: grows, then copies. */
static void put_slow(struct jsonw *w, const char *s, size_t n)
{
	if (!grow(w, n))
		return;
	memcpy(w->buf + w->len, s, n);
	w->len += n;
}

char *jw_room_slow(struct jsonw *w, size_t n)
{
	if (w->oom || (w->cap - w->len < n + 2 && !grow(w, n)))
		return NULL;
	return w->buf + w->len;
}

/* Copies n bytes; up to 16 with two overlapping loads and stores each of
 * 8 or 4 bytes (no call: most pieces of a record are that short). */
static inline void copy(char *d, const char *s, size_t n)
{
	uint64_t a, b;
	uint32_t x, y;

	if (n > 16) {
		memcpy(d, s, n);
	} else if (n >= 8) {
		memcpy(&a, s, 8);
		memcpy(&b, s + n - 8, 8);
		memcpy(d, &a, 8);
		memcpy(d + n - 8, &b, 8);
	} else if (n >= 4) {
		memcpy(&x, s, 4);
		memcpy(&y, s + n - 4, 4);
		memcpy(d, &x, 4);
		memcpy(d + n - 4, &y, 4);
	} else {
		for (size_t i = 0; i < n; i++)
			d[i] = s[i];
	}
}

/* Appends n bytes; the common case is a copy into room already there. */
static inline void put(struct jsonw *w, const char *s, size_t n)
{
	if (w->cap - w->len >= n + 2 && !w->oom) {
		copy(w->buf + w->len, s, n);
		w->len += n;
		return;
	}
	put_slow(w, s, n);
}

static void putc1(struct jsonw *w, char c)
{
	put(w, &c, 1);
}

/* Writes the comma that separates values, unless a key precedes. */
static void sep(struct jsonw *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (!w->first[w->depth])
		putc1(w, ',');
	w->first[w->depth] = false;
}

static void open_(struct jsonw *w, char c)
{
	sep(w);
	putc1(w, c);
	if (w->depth + 1 < JW_DEPTH)
		w->depth++;
	w->first[w->depth] = true;
}

static void close_(struct jsonw *w, char c)
{
	if (w->depth > 0)
		w->depth--;
	putc1(w, c);
}

void jw_obj_begin(struct jsonw *w) { open_(w, '{'); }
void jw_obj_end(struct jsonw *w) { close_(w, '}'); }
void jw_arr_begin(struct jsonw *w) { open_(w, '['); }
void jw_arr_end(struct jsonw *w) { close_(w, ']'); }

/* Bytes that leave the fast path: '"', '\\', the controls, DEL and every
 * byte >= 0x80 (checked as UTF-8 one character at a time). */
static inline bool needs_escape(unsigned char c)
{
	return c < 0x20 || c >= 0x7f || c == '"' || c == '\\';
}

#ifndef __SSE2__
/* Whether any of the 8 bytes of x may need it: a byte below 0x20, a '"',
 * a '\\' (exact tests: "has a byte less than n" and "has a zero byte" of
 * x xor the character), or a byte >= 0x7f (x | x + 1 per byte: a carry
 * can mark the next byte too, a false positive the byte loop settles). */
static inline bool word_needs_escape(uint64_t x)
{
	const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
	uint64_t q = x ^ (ones * '"'), b = x ^ (ones * '\\');

	return (((x - ones * 0x20) & ~x) | ((q - ones) & ~q) |
		((b - ones) & ~b) | x | (x + ones)) & high;
}
#endif

#ifdef __SSE2__
/* Bit i set: byte i of the 16 at s needs it ('"', '\\', a byte below
 * 0x20 or from 0x7f on: signed, those from 0x80 on are negative). */
static inline unsigned escape_mask16(__m128i x)
{
	__m128i c = _mm_cmplt_epi8(x, _mm_set1_epi8(0x20));

	c = _mm_or_si128(c, _mm_cmpeq_epi8(x, _mm_set1_epi8(0x7f)));
	c = _mm_or_si128(c, _mm_cmpeq_epi8(x, _mm_set1_epi8('"')));
	c = _mm_or_si128(c, _mm_cmpeq_epi8(x, _mm_set1_epi8('\\')));
	return (unsigned)_mm_movemask_epi8(c);
}

static inline __m128i load16(const char *p)
{
	return _mm_loadu_si128((const __m128i *)(const void *)p);
}

/* Length of the prefix of s[0..n) that needs no escape: 16 bytes a
 * step, the last 16 (or, below 16, the first and the last 8; below 8,
 * the first and the last 4) read overlapping; no byte outside s[0..n) is
 * read. */
static size_t plain_prefix(const char *s, size_t n)
{
	size_t i = 0;
	unsigned m;

	if (n < 4) {
		while (i < n && !needs_escape((unsigned char)s[i]))
			i++;
		return i;
	}
	if (n < 8) {
		uint32_t a, b;

		memcpy(&a, s, 4);
		memcpy(&b, s + n - 4, 4);
		m = escape_mask16(_mm_set_epi32(0, 0, (int)b, (int)a)) & 0xff;
		if (m & 0xf)
			return (size_t)__builtin_ctz(m);
		return m ? n - 4 + (size_t)__builtin_ctz(m >> 4) : n;
	}
	if (n < 16) {
		uint64_t a, b;

		memcpy(&a, s, 8);
		memcpy(&b, s + n - 8, 8);
		m = escape_mask16(_mm_set_epi64x((long long)b, (long long)a));
		if (m & 0xff)
			return (size_t)__builtin_ctz(m);
		return m ? n - 8 + (size_t)__builtin_ctz(m >> 8) : n;
	}
	for (; i + 16 <= n; i += 16) {
		m = escape_mask16(load16(s + i));
		if (m)
			return i + (size_t)__builtin_ctz(m);
	}
	if (i == n)
		return n;
	/* the last 16 bytes; those before i are known plain */
	m = escape_mask16(load16(s + n - 16));
	m >>= i - (n - 16);
	return m ? i + (size_t)__builtin_ctz(m) : n;
}
#else
/* Length of the prefix of s[0..n) that needs no escape, 8 bytes a step. */
static size_t plain_prefix(const char *s, size_t n)
{
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		uint64_t x;

		memcpy(&x, s + i, 8);
		if (word_needs_escape(x))
			break;
	}
	while (i < n && !needs_escape((unsigned char)s[i]))
		i++;
	return i;
}
#endif

bool jw_plain(const char *s, size_t n)
{
	return plain_prefix(s, n) == n;
}

/* Writes \u followed by the 4 hex digits of v (v <= 0xffff) at d. */
static char *put_u(char *d, uint32_t v)
{
	static const char hex[] = "0123456789abcdef";

	d[0] = '\\';
	d[1] = 'u';
	d[2] = hex[v >> 12 & 15];
	d[3] = hex[v >> 8 & 15];
	d[4] = hex[v >> 4 & 15];
	d[5] = hex[v & 15];
	return d + 6;
}

/* Writes the character or byte at s[0..n) (n > 0) that plain_prefix
 * stopped at, at *d (advanced); returns the bytes of s consumed.  '"'
 * and '\\' as \" and \\; a control (esc_is_control: C0, DEL, C1,
 * invisible formatting) as \u escapes of its code point; a byte that
 * starts no valid UTF-8 sequence as \u00XX (its value); other UTF-8 as
 * it is.  At most 6 bytes per byte consumed. */
static size_t put_char(char **d, const unsigned char *s, size_t n)
{
	uint32_t cp = 0;
	size_t k = utf8_next(s, n, &cp);

	if (k == 1 && (cp == '"' || cp == '\\')) {
		(*d)[0] = '\\';
		(*d)[1] = (char)cp;
		*d += 2;
	} else if (k == 0) {
		*d = put_u(*d, s[0]);
		return 1;
	} else if (esc_is_control(cp)) {
		*d = put_u(*d, cp);     /* all below U+10000 */
	} else {
		memcpy(*d, s, k);
		*d += k;
	}
	return k;
}

/* Copies runs of plain bytes at once; escapes the others (RFC 8259), so
 * that the string is valid UTF-8 whatever the bytes given. */
char *jw_put_str(char *d, const char *s, size_t n)
{
	size_t i = 0;

	*d++ = '"';
	while (i < n) {
		size_t run = plain_prefix(s + i, n - i);

		copy(d, s + i, run);
		d += run;
		i += run;
		if (i == n)
			break;
		i += put_char(&d, (const unsigned char *)s + i, n - i);
	}
	*d++ = '"';
	return d;
}

/* Keys are the program's own literals: plain ASCII, nothing to escape. */
void jw_key(struct jsonw *w, const char *key)
{
	sep(w);
	putc1(w, '"');
	put(w, key, strlen(key));
	put(w, "\":", 2);
	w->after_key = true;
}

void jw_key_quoted_slow(struct jsonw *w, const char *quoted, size_t n)
{
	sep(w);
	put(w, quoted, n);
	w->after_key = true;
}

void jw_str(struct jsonw *w, const char *s)
{
	size_t n = strlen(s);
	char *d;

	sep(w);
	if ((d = jw_room(w, JW_STR_MAX(n))) != NULL)
		jw_commit(w, jw_put_str(d, s, n));
}

void jw_str_plain(struct jsonw *w, const char *s, size_t n)
{
	sep(w);
	putc1(w, '"');
	put(w, s, n);
	putc1(w, '"');
}

void jw_name(struct jsonw *w, const char *s)
{
	jw_str_plain(w, s, strlen(s));
}

const char jw_digit_pairs[201] =
	"00010203040506070809101112131415161718192021222324"
	"25262728293031323334353637383940414243444546474849"
	"50515253545556575859606162636465666768697071727374"
	"75767778798081828384858687888990919293949596979899";

/* The two digits of v < 100 at d. */
static inline void put_pair(char *d, size_t v)
{
	memcpy(d, jw_digit_pairs + 2 * v, 2);
}

/* Exactly 4 digits of x < 10,000 at d (x / 100 as (x * 5243) >> 19,
 * exact below 43,699). */
static inline char *put4(char *d, uint32_t x)
{
	uint32_t hi = (x * 5243) >> 19;

	put_pair(d, hi);
	put_pair(d + 2, x - hi * 100);
	return d + 4;
}

/* Exactly 8 digits of x < 10^8 at d. */
static inline char *put8(char *d, uint32_t x)
{
	uint32_t hi = x / 10000;

	put4(d, hi);
	return put4(d + 4, x - hi * 10000);
}

/* x < 10^8 without leading zeros at d. */
static inline char *put_upto8(char *d, uint32_t x)
{
	uint32_t hi;

	if (x < 10000)
		return jw_put_upto4(d, x);
	hi = x / 10000;
	d = jw_put_upto4(d, hi);
	return put4(d, x - hi * 10000);
}

/* jw_put_u64's way for v >= 10,000: in blocks of 8 digits (32-bit
 * arithmetic), the first without leading zeros. */
char *jw_put_u64_long(char *d, uint64_t v)
{
	uint64_t hi;

	if (v < 100000000)
		return put_upto8(d, (uint32_t)v);
	hi = v / 100000000;
	if (hi < 100000000) {
		d = put_upto8(d, (uint32_t)hi);
	} else {                        /* 17 to 20 digits */
		d = put_upto8(d, (uint32_t)(hi / 100000000));
		d = put8(d, (uint32_t)(hi % 100000000));
	}
	return put8(d, (uint32_t)(v - hi * 100000000));
}

char *jw_put_i64(char *d, int64_t v)
{
	if (v >= 0)
		return jw_put_u64(d, (uint64_t)v);
	*d++ = '-';
	return jw_put_u64(d, (uint64_t)0 - (uint64_t)v);
}

/* A value of at most `max` bytes, written by `expr` (at d_) at the end
 * of w after its separator. */
#define PUT_VALUE(w, max, expr) do {                                    \
		char *d_;                                                \
		sep(w);                                                  \
		if ((d_ = jw_room((w), (max))) != NULL)                  \
			jw_commit((w), expr);                            \
	} while (0)

void jw_u64(struct jsonw *w, uint64_t v)
{
	PUT_VALUE(w, JW_NUM_MAX, jw_put_u64(d_, v));
}

void jw_raw(struct jsonw *w, const char *json, size_t len)
{
	sep(w);
	put(w, json, len);
}

void jw_raw_slow(struct jsonw *w, const char *json, size_t len)
{
	jw_raw(w, json, len);
}

void jw_raw_obj(struct jsonw *w, const char *json, size_t len,
		const char *members, size_t n)
{
	sep(w);
	if (len < 2 || json[len - 1] != '}') {
		put(w, json, len);
		return;
	}
	put(w, json, len - 1);
	if (len > 2)
		put(w, ",", 1);
	put(w, members, n);
	put(w, "}", 1);
}

void jw_i64(struct jsonw *w, int64_t v)
{
	PUT_VALUE(w, JW_NUM_MAX, jw_put_i64(d_, v));
}

/* |x| below this takes the fast path of jw_double: ulp(x) <= 2^-22 there,
 * so the product's rounding error (half an ulp) is far below TIE_MARGIN:
 * outside the margin the rounded product rounds as the exact one would. */
#define FAST_LIMIT 2147483648.0
#define TIE_MARGIN 1e-6

/* '.' and the `decimals` (1..9) digits of fr < 10^decimals, zero padded,
 * at p, two at a time from the end; returns the end. */
static char *put_fraction(char *p, uint64_t fr, int decimals)
{
	char *e = p + 1 + decimals;
	size_t f = (size_t)fr;

	*p = '.';
	for (int k = decimals; k >= 2; k -= 2, f /= 100) {
		e -= 2;
		put_pair(e, f % 100);
	}
	if (decimals & 1)
		e[-1] = (char)('0' + f);
	return p + 1 + decimals;
}

/* v with `decimals` (0..9) digits after the point, rounded as printf's
 * "%.*f" does (to nearest from the exact binary value, ties to even),
 * without printf, into b (24 bytes at least); returns the length, or 0
 * when v is out of the fast path's reach (not finite, or too large):
 * printf writes those. */
static size_t fmt_fixed(char *b, double v, int decimals)
{
	static const double p10[] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6,
				      1e7, 1e8, 1e9 };
	static const uint64_t p10u[] = { 1, 10, 100, 1000, 10000, 100000,
					 1000000, 10000000, 100000000,
					 1000000000 };
	bool neg = signbit(v) != 0;
	double x = neg ? -v : v, frac;
	uint64_t n;
	size_t len = 0;
	char *p;

	if (decimals < 0 || decimals > 9 || !(x < FAST_LIMIT))
		return 0;       /* also NaN: every comparison is false */
	x *= p10[decimals];
	if (!(x < FAST_LIMIT))
		return 0;
	n = (uint64_t)x;
	frac = x - (double)n;
	if (frac > 0.5 - TIE_MARGIN && frac < 0.5 + TIE_MARGIN) {
		/* Near a tie: the exact product is x + fma(v, p, -x) (the
		 * rounding error of a product is a double); the sign of
		 * (frac - 0.5) + that error says on which side it lies, and
		 * an exact tie goes to the even neighbour, as printf does. */
		double err = (frac - 0.5) + fma(neg ? -v : v, p10[decimals], -x);

		n += err > 0 || (err == 0 && (n & 1));
	} else {
		n += frac > 0.5;
	}
	if (neg)
		b[len++] = '-';
	p = jw_put_u64(b + len, n / p10u[decimals]);
	if (decimals > 0)
		p = put_fraction(p, n % p10u[decimals], decimals);
	return (size_t)(p - b);
}

/* fmt_fixed, or printf's "%.*f" for what it leaves: up to 309 integer
 * digits (DBL_MAX), a sign, a point and the decimals (at most 40 are
 * written), within JW_DOUBLE_MAX. */
__attribute__((noinline))
static char *put_double_slow(char *d, double v, int decimals)
{
	size_t n = fmt_fixed(d, v, decimals);
	int k;

	if (n > 0)
		return d + n;
	if (decimals > 40)
		decimals = 40;
	k = snprintf(d, JW_DOUBLE_MAX, "%.*f", decimals, v);
	if (k < 0)
		return d;
	return d + (k < JW_DOUBLE_MAX ? k : JW_DOUBLE_MAX - 1);
}

/* The common case first, with no call but jw_put_u64's for a long
 * integer part: 1 to 3 decimals, |v| * 10^decimals below FAST_LIMIT, the
 * product not near a tie (those and the rest: put_double_slow, which is
 * fmt_fixed's exact way).  The same rounding as fmt_fixed's outside the
 * tie margin. */
char *jw_put_double(char *d, double v, int decimals)
{
	static const double p10[4] = { 1e0, 1e1, 1e2, 1e3 };
	double x = fabs(v), frac;
	uint64_t n, ip;

	if (decimals < 1 || decimals > 3 || !(x < FAST_LIMIT / 1000))
		return put_double_slow(d, v, decimals);   /* also NaN */
	x *= p10[decimals];
	n = (uint64_t)(int64_t)x;       /* x < 2^31: the signed conversions */
	frac = x - (double)(int64_t)n;  /* are single instructions */
	if (frac > 0.5 - TIE_MARGIN && frac < 0.5 + TIE_MARGIN)
		return put_double_slow(d, v, decimals);
	n += frac > 0.5;
	if (signbit(v))
		*d++ = '-';
	switch (decimals) {             /* constant divisors: multiplications */
	case 1:
		ip = n / 10;
		d = jw_put_u64(d, ip);
		d[0] = '.';
		d[1] = (char)('0' + (n - ip * 10));
		return d + 2;
	case 2:
		ip = n / 100;
		d = jw_put_u64(d, ip);
		d[0] = '.';
		put_pair(d + 1, (size_t)(n - ip * 100));
		return d + 3;
	default:
		ip = n / 1000;
		d = jw_put_u64(d, ip);
		n -= ip * 1000;
		d[0] = '.';
		d[1] = (char)('0' + n / 100);
		put_pair(d + 2, (size_t)(n % 100));
		return d + 4;
	}
}

void jw_double(struct jsonw *w, double v, int decimals)
{
	PUT_VALUE(w, JW_DOUBLE_MAX, jw_put_double(d_, v, decimals));
}

void jw_bool(struct jsonw *w, bool v)
{
	sep(w);
	put(w, v ? "true" : "false", v ? 4 : 5);
}

void jw_null(struct jsonw *w)
{
	sep(w);
	put(w, "null", 4);
}

void jw_kstr(struct jsonw *w, const char *key, const char *s)
{
	jw_key(w, key);
	jw_str(w, s);
}

void jw_ku64(struct jsonw *w, const char *key, uint64_t v)
{
	jw_key(w, key);
	jw_u64(w, v);
}

int jw_write_line(struct jsonw *w, FILE *f)
{
	putc1(w, '\n');
	if (w->oom)
		return -1;
	if (fwrite(w->buf, 1, w->len, f) != w->len || ferror(f))
		return -1;
	return 0;
}
