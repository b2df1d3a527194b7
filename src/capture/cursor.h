/* cursor.h: bounds-checked readers over captured packet bytes.
 *
 * A cursor is a read position and the end of the bytes that may be read
 * (the smallest of caplen, wire length and the enclosing header's length).
 * Every reader checks that the whole span lies before `end` first; on
 * failure it returns false and leaves the cursor unchanged.  Multi-byte
 * readers convert from network byte order to host order.  Nothing here
 * casts a struct onto packet bytes.
 */
#ifndef LW_CURSOR_H
#define LW_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct cursor {
	const uint8_t *p;   /* next byte to read */
	const uint8_t *end; /* one past the last readable byte */
};

static inline struct cursor cur_make(const uint8_t *p, size_t len)
{
	struct cursor c = { p, p + len };
	return c;
}

static inline size_t cur_left(const struct cursor *c)
{
	return (size_t)(c->end - c->p);
}

/* True when n more bytes can be read; written so that it cannot overflow. */
static inline bool cur_has(const struct cursor *c, size_t n)
{
	return n <= cur_left(c);
}

static inline bool cur_skip(struct cursor *c, size_t n)
{
	if (!cur_has(c, n))
		return false;
	c->p += n;
	return true;
}

static inline bool cur_u8(struct cursor *c, uint8_t *v)
{
	if (!cur_has(c, 1))
		return false;
	*v = c->p[0];
	c->p += 1;
	return true;
}

static inline bool cur_be16(struct cursor *c, uint16_t *v)
{
	if (!cur_has(c, 2))
		return false;
	*v = (uint16_t)((c->p[0] << 8) | c->p[1]);
	c->p += 2;
	return true;
}

/* Little-endian 32 bits: BSD null/loopback's address family is written in
 * the capturing host's order, so the decoder tries both. */
static inline bool cur_le32(struct cursor *c, uint32_t *v)
{
	if (!cur_has(c, 4))
		return false;
	*v = (uint32_t)c->p[0] | ((uint32_t)c->p[1] << 8) |
	     ((uint32_t)c->p[2] << 16) | ((uint32_t)c->p[3] << 24);
	c->p += 4;
	return true;
}

static inline bool cur_be32(struct cursor *c, uint32_t *v)
{
	if (!cur_has(c, 4))
		return false;
	*v = ((uint32_t)c->p[0] << 24) | ((uint32_t)c->p[1] << 16) |
	     ((uint32_t)c->p[2] << 8) | (uint32_t)c->p[3];
	c->p += 4;
	return true;
}

/* Little-endian 16 bits (TDS, SMB, SQL Browser fields). */
static inline bool cur_le16(struct cursor *c, uint16_t *v)
{
	if (!cur_has(c, 2))
		return false;
	*v = (uint16_t)(c->p[0] | (c->p[1] << 8));
	c->p += 2;
	return true;
}

/* Big-endian 24 bits (NetBIOS session and TLS handshake lengths). */
static inline bool cur_be24(struct cursor *c, uint32_t *v)
{
	if (!cur_has(c, 3))
		return false;
	*v = ((uint32_t)c->p[0] << 16) | ((uint32_t)c->p[1] << 8) |
	     (uint32_t)c->p[2];
	c->p += 3;
	return true;
}

/* The byte `off` bytes ahead, without moving the cursor. */
static inline bool cur_peek(const struct cursor *c, size_t off, uint8_t *v)
{
	if (off >= cur_left(c))
		return false;
	*v = c->p[off];
	return true;
}

/* The big-endian 16 bits `off` bytes ahead, without moving the cursor. */
static inline bool cur_peek_be16(const struct cursor *c, size_t off,
				 uint16_t *v)
{
	if (off >= cur_left(c) || cur_left(c) - off < 2)
		return false;
	*v = (uint16_t)((c->p[off] << 8) | c->p[off + 1]);
	return true;
}

/* The offset (from the cursor, at least `from`) of the next byte equal to
 * b, in *at; false when there is none before the end.  The cursor does
 * not move. */
static inline bool cur_find(const struct cursor *c, size_t from, uint8_t b,
			    size_t *at)
{
	const uint8_t *q;

	if (from >= cur_left(c))
		return false;
	q = memchr(c->p + from, b, cur_left(c) - from);
	if (q == NULL)
		return false;
	*at = (size_t)(q - c->p);
	return true;
}

/* True, and the cursor moved past them, when the next n bytes equal s
 * (byte for byte); otherwise false and the cursor unchanged. */
static inline bool cur_match(struct cursor *c, const char *s, size_t n)
{
	if (!cur_has(c, n))
		return false;
	for (size_t i = 0; i < n; i++)
		if (c->p[i] != (uint8_t)s[i])
			return false;
	c->p += n;
	return true;
}

/* As cur_match, ASCII letters compared without regard to case. */
static inline bool cur_imatch(struct cursor *c, const char *s, size_t n)
{
	if (!cur_has(c, n))
		return false;
	for (size_t i = 0; i < n; i++) {
		uint8_t a = c->p[i], b = (uint8_t)s[i];

		if (a >= 'A' && a <= 'Z')
			a = (uint8_t)(a + 32);
		if (b >= 'A' && b <= 'Z')
			b = (uint8_t)(b + 32);
		if (a != b)
			return false;
	}
	c->p += n;
	return true;
}

/* Copies n bytes out; fails without copying when fewer remain. */
static inline bool cur_copy(struct cursor *c, void *dst, size_t n)
{
	if (!cur_has(c, n))
		return false;
	memcpy(dst, c->p, n);   /* a fixed n (an address) compiles to moves */
	c->p += n;
	return true;
}

/* Shrinks the readable span to at most n bytes from the current position
 * (e.g. to an IP datagram's total length).  Never grows it. */
static inline void cur_limit(struct cursor *c, size_t n)
{
	if (n < cur_left(c))
		c->end = c->p + n;
}

#endif
