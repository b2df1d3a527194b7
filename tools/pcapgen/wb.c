/* wb.c: the bounded writer the message builders write with (wb.h) and
 * the fixed-seed generator of payloads.h. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "wb.h"

/* ------------------------------------------------------- bounded writer */

struct wb wb_init(uint8_t *buf, size_t cap)
{
	struct wb w = { buf, cap, 0, false };
	return w;
}

static uint8_t *wb_room(struct wb *w, size_t n)
{
	if (w->err || n > w->cap - w->len) {
		w->err = true;
		return NULL;
	}
	w->len += n;
	return w->p + w->len - n;
}

void wb_bytes(struct wb *w, const void *src, size_t n)
{
	uint8_t *d = wb_room(w, n);
	if (d != NULL && n > 0)
		memcpy(d, src, n);
}

void wb_zero(struct wb *w, size_t n)
{
	uint8_t *d = wb_room(w, n);
	if (d != NULL)
		memset(d, 0, n);
}

void wb_rand(struct wb *w, size_t n, struct pl_rng *rng)
{
	uint8_t *d = wb_room(w, n);
	if (d != NULL)
		pl_rng_fill(rng, d, n);
}

void wb_u8(struct wb *w, unsigned v)
{
	uint8_t b = (uint8_t)v;
	wb_bytes(w, &b, 1);
}

static void wb_be(struct wb *w, uint64_t v, int n)
{
	uint8_t b[8];
	for (int i = 0; i < n; i++)
		b[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
	wb_bytes(w, b, (size_t)n);
}

void wb_le(struct wb *w, uint64_t v, int n)
{
	uint8_t b[8];
	for (int i = 0; i < n; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	wb_bytes(w, b, (size_t)n);
}

void wb_u16(struct wb *w, unsigned v) { wb_be(w, v, 2); }
void wb_u32(struct wb *w, uint32_t v) { wb_be(w, v, 4); }

void wb_str(struct wb *w, const char *s)
{
	wb_bytes(w, s, strlen(s));
}

__attribute__((format(printf, 2, 3)))
void wb_printf(struct wb *w, const char *fmt, ...)
{
	va_list ap;
	size_t room = w->err ? 0 : w->cap - w->len;
	int n;

	va_start(ap, fmt);
	n = vsnprintf((char *)w->p + w->len, room, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= room)
		w->err = true;
	else
		w->len += (size_t)n;
}

/* Writes a placeholder of n bytes for a big-endian length; returns its
 * offset for wb_patch_len. */
size_t wb_len_mark(struct wb *w, int n)
{
	size_t at = w->len;
	wb_zero(w, (size_t)n);
	return at;
}

/* Patches the n-byte big-endian length at `at` with the byte count that
 * follows it. */
void wb_patch_len(struct wb *w, size_t at, int n)
{
	if (w->err)
		return;
	size_t v = w->len - at - (size_t)n;
	if (n < 8 && v >> (8 * n) != 0) {
		w->err = true;
		return;
	}
	for (int i = 0; i < n; i++)
		w->p[at + (size_t)i] = (uint8_t)(v >> (8 * (n - 1 - i)));
}

size_t wb_done(const struct wb *w)
{
	return w->err ? 0 : w->len;
}

/* ----------------------------------------------------------- randomness */

void pl_rng_seed(struct pl_rng *r, uint64_t seed)
{
	r->s = seed;
}

static uint64_t rng_next(struct pl_rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

uint32_t pl_rng_u32(struct pl_rng *r)
{
	return (uint32_t)(rng_next(r) >> 32);
}

void pl_rng_fill(struct pl_rng *r, uint8_t *p, size_t n)
{
	while (n > 0) {
		uint64_t v = rng_next(r);
		for (int i = 0; i < 8 && n > 0; i++, n--)
			*p++ = (uint8_t)(v >> (8 * i));
	}
}
