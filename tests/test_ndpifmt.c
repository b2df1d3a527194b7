/* test_ndpifmt.c: nDPI's short formats written without stdio.
 *
 * Proves: every format nDPI 4.2 prints per handshake (and the other
 * combinations of %s, %u, %x, %X, %0Nx, %0NX with literal text) gives the
 * bytes and the return value of glibc's vsnprintf, over both sides of
 * every power of ten (and of sixteen up to 65536) and 5,000 random
 * numbers of every size, strings empty, long and NULL, and every buffer
 * size from 0 to past the text (truncation and the NUL); any other
 * directive (%d, a plain width, a precision, a length, %%, %c, a trailing
 * %) is refused and __snprintf_chk then formats through glibc, with the
 * same result; and
 * the program's __snprintf_chk is the one a shared library's call binds to
 * (libndpi's), and nDPI's own formatting through it still reads right.
 */
#include <dlfcn.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <ndpi/ndpi_api.h>

#include "inspect/ndpifmt.h"
#include "xorshift.h"

int __snprintf_chk(char *restrict s, size_t maxlen, int flag, size_t slen,
		   const char *restrict fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* The formats under test are data, and some cut their text on purpose. */
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
#pragma GCC diagnostic ignored "-Wformat-truncation"

#define BUF 256

/* Formats with up to three arguments, each a string (S) or a number (N). */
enum kind { N, S };
static const struct case_fmt {
	const char *fmt;
	int nargs;
	enum kind k[3];
} fmts[] = {
	/* nDPI 4.2, protocols/tls.c */
	{ "%u,", 1, { N } }, { "%s%u", 2, { S, N } }, { ",", 0, { N } },
	{ "%02x", 1, { N } }, { "%02X", 1, { N } }, { "%s%04X", 2, { S, N } },
	{ "%s%s=%s", 3, { S, S, S } }, { "%s%s", 2, { S, S } },
	{ "%s", 1, { S } }, { ",%s", 1, { S } },
	{ "%u.%u.%u", 3, { N, N, N } }, { "TLS (%04X)", 1, { N } },
	/* the rest of what is written here */
	{ "%x", 1, { N } }, { "%X", 1, { N } }, { "%09x", 1, { N } },
	{ "a%ub%sc%Xd", 3, { N, S, N } }, { "", 0, { N } },
};

static const char *const strs[] = {
	"", "-", ", ", "CN", "contoso-CA",
	"a string longer than the buffers of the smaller sizes tried here",
	NULL,
};

static uint64_t rng = 0x9e3779b97f4a7c15ull;

struct arg { const char *s; unsigned n; };

static int call3(int (*f)(char *, size_t, const char *, va_list), char *buf,
		 size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = f(buf, len, fmt, ap);
	va_end(ap);
	return n;
}

static int ref_v(char *buf, size_t len, const char *fmt, va_list ap)
{
	return vsnprintf(buf, len, fmt, ap);
}

/* Passes a[0..2] as the format's kinds ask (extra arguments are ignored by
 * both sides). */
static int run(int (*f)(char *, size_t, const char *, va_list), char *buf,
	       size_t len, const struct case_fmt *c, const struct arg *a)
{
	enum kind k0 = c->k[0], k1 = c->k[1], k2 = c->k[2];

	if (k0 == N && k1 == S && k2 == N)
		return call3(f, buf, len, c->fmt, a[0].n, a[1].s, a[2].n);
	if (k0 == S && k1 == N)
		return call3(f, buf, len, c->fmt, a[0].s, a[1].n);
	if (k0 == S && k1 == S)
		return call3(f, buf, len, c->fmt, a[0].s, a[1].s, a[2].s);
	if (k0 == S)
		return call3(f, buf, len, c->fmt, a[0].s);
	return call3(f, buf, len, c->fmt, a[0].n, a[1].n, a[2].n);
}

/* The same, through __snprintf_chk (which falls back to glibc). */
static int run_chk(char *buf, size_t len, const struct case_fmt *c,
		   const struct arg *a)
{
	enum kind k0 = c->k[0], k1 = c->k[1], k2 = c->k[2];

	if (k0 == N && k1 == S && k2 == N)
		return __snprintf_chk(buf, len, 1, len, c->fmt, a[0].n, a[1].s,
				      a[2].n);
	if (k0 == S && k1 == N)
		return __snprintf_chk(buf, len, 1, len, c->fmt, a[0].s, a[1].n);
	if (k0 == S && k1 == S)
		return __snprintf_chk(buf, len, 1, len, c->fmt, a[0].s, a[1].s,
				      a[2].s);
	if (k0 == S)
		return __snprintf_chk(buf, len, 1, len, c->fmt, a[0].s);
	return __snprintf_chk(buf, len, 1, len, c->fmt, a[0].n, a[1].n,
			      a[2].n);
}

/* Every buffer size: same bytes (those written, up to the NUL), same
 * return value, the bytes past what may be written untouched; written
 * here unless refused (then at most a prefix) and formatted by glibc. */
static void check(const struct case_fmt *c, const struct arg *a)
{
	char mine[BUF + 8], ref[BUF + 8];
	int want = run(ref_v, ref, sizeof(ref), c, a);

	assert_true(want >= 0 && want < BUF);
	for (size_t len = 0; len <= (size_t)want + 3; len++) {
		int got;

		if (len == (size_t)want + 3)
			len = BUF;     /* and a buffer longer than NDPIFMT_MAX */

		memset(mine, 0x55, sizeof(mine));
		memset(ref, 0x55, sizeof(ref));
		got = run(ndpifmt_try, mine, len, c, a);
		assert_int_equal(run(ref_v, ref, len, c, a), want);
		if (got < 0) {
			/* near the end of the room, or a byte's two digits
			 * asked of a larger number */
			assert_true(want > NDPIFMT_MAX - 10 ||
				    ((!strcmp(c->fmt, "%02x") ||
				      !strcmp(c->fmt, "%02X")) && a[0].n > 255));
			/* at most a prefix of the text, no NUL */
			for (size_t i = 0; i < sizeof(mine); i++)
				assert_true(mine[i] == 0x55 ||
					    (i < (size_t)want && i + 1 < len &&
					     mine[i] == ref[i]));
		} else {
			assert_int_equal(got, want);
			assert_memory_equal(mine, ref, sizeof(mine));
		}
		memset(mine, 0x55, sizeof(mine));
		assert_int_equal(run_chk(mine, len, c, a), want);
		assert_memory_equal(mine, ref, sizeof(mine));
	}
}

static void test_same_as_glibc(void **state)
{
	static const unsigned edges[] = {
		0, 1, 9, 10, 15, 16, 99, 100, 255, 256, 999, 1000, 4095, 4096,
		9999, 10000, 65535, 65536, 99999, 100000, 999999, 1000000,
		9999999, 10000000, 99999999, 100000000, 999999999,
		1000000000, INT_MAX, UINT_MAX };
	const size_t nf = sizeof(fmts) / sizeof(fmts[0]);
	const size_t ns = sizeof(strs) / sizeof(strs[0]);
	const size_t ne = sizeof(edges) / sizeof(edges[0]);

	(void)state;
	for (size_t f = 0; f < nf; f++) {
		for (size_t i = 0; i < ne * ns; i++) {
			struct arg a[3] = {
				{ strs[i % ns], edges[i % ne] },
				{ strs[(i / ns) % ns], edges[(i * 7) % ne] },
				{ strs[(i * 3) % ns], edges[(i / ne) % ne] },
			};
			check(&fmts[f], a);
		}
		for (int i = 0; i < 5000; i++) {
			uint64_t r = xorshift64(&rng);
			/* every magnitude, not mostly ten digits */
			struct arg a[3] = {
				{ strs[r % ns], (unsigned)r >> (r >> 59) },
				{ strs[(r >> 8) % ns], (unsigned)(r >> 32) },
				{ strs[(r >> 16) % ns],
				  (unsigned)(r >> 24) >> ((r >> 53) & 31) },
			};
			check(&fmts[f], a);
		}
	}
}

static void test_other_formats_go_to_glibc(void **state)
{
	static const char *const others[] = {
		"%d", "%5u", "%.3u", "%%", "%hu", "%c", "%i", "x%", "%0u",
		"%00x", "%-2x", "%u%d",
	};
	char mine[64], ref[64];

	(void)state;
	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
		const char *f = others[i];
		int want;

		assert_int_equal(call3(ndpifmt_try, mine, sizeof(mine), f,
				       65, 66, 67), -1);
		want = call3(ref_v, ref, sizeof(ref), f, 65, 66, 67);
		memset(mine, 0, sizeof(mine));
		/* the fallback is glibc's own: same text, same length */
		assert_int_equal(__snprintf_chk(mine, sizeof(mine), 1,
						sizeof(mine), f, 65, 66, 67),
				 want);
		assert_string_equal(mine, ref);
	}
}

static void test_chk_path(void **state)
{
	char b[16];
	const char *dash = "-";

	(void)state;
	assert_int_equal(__snprintf_chk(b, sizeof(b), 1, sizeof(b), "%s%u",
					dash, 771u), 4);
	assert_string_equal(b, "-771");
	assert_int_equal(__snprintf_chk(b, 3, 1, sizeof(b), "%02x%02X", 10u,
					171u), 4);
	assert_string_equal(b, "0a");
}

static void test_shared_libraries_bind_here(void **state)
{
	char buf[32];
	uint8_t unknown = 0;

	(void)state;
	assert_ptr_equal(dlsym(RTLD_DEFAULT, "__snprintf_chk"),
			 (void *)__snprintf_chk);
	/* nDPI names an unknown version with snprintf("TLS (%04X)") */
	assert_non_null(ndpi_ssl_version2str(buf, (int)sizeof(buf), 0x0abc,
					     &unknown));
	assert_string_equal(buf, "TLS (0ABC)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_as_glibc),
		cmocka_unit_test(test_other_formats_go_to_glibc),
		cmocka_unit_test(test_chk_path),
		cmocka_unit_test(test_shared_libraries_bind_here),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
