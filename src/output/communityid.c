/* communityid.c: Community ID v1 with a one-block SHA-1 and base64.
 *
 * The hashed message is at most 40 bytes (IPv6), so SHA-1 needs a single
 * 64-byte block: no streaming state, no allocation, no printf.  nDPI has
 * the same hash (ndpi_flowv4_flow_hash), at about five times the cost per
 * record; the unit test checks the two agree.
 */
#include <string.h>

#include "output/communityid.h"

static uint32_t rol32(uint32_t x, unsigned n)
{
	return (x << n) | (x >> (32u - n));
}

static uint32_t load_be32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
	       ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

static void store_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

void communityid_sha1_short(const uint8_t *msg, size_t len, uint8_t out[20])
{
	uint8_t block[64] = { 0 };
	uint32_t w[80];
	uint32_t h[5] = { 0x67452301u, 0xefcdab89u, 0x98badcfeu, 0x10325476u,
			  0xc3d2e1f0u };
	uint32_t a, b, c, d, e;
	uint64_t bits = (uint64_t)len * 8;

	if (len > 55)           /* callers hash at most 40 bytes */
		len = 55;
	memcpy(block, msg, len);
	block[len] = 0x80;
	for (int i = 0; i < 8; i++)
		block[63 - i] = (uint8_t)(bits >> (8 * i));
	for (int i = 0; i < 16; i++)
		w[i] = load_be32(block + (size_t)4 * (size_t)i);
	for (int i = 16; i < 80; i++)
		w[i] = rol32(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
	a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
#define ROUND(f, k, i) do {                                          \
		uint32_t t = rol32(a, 5) + (f) + e + (k) + w[i];     \
		e = d, d = c, c = rol32(b, 30), b = a, a = t;        \
	} while (0)
	for (int i = 0; i < 20; i++)
		ROUND((b & c) | (~b & d), 0x5a827999u, i);
	for (int i = 20; i < 40; i++)
		ROUND(b ^ c ^ d, 0x6ed9eba1u, i);
	for (int i = 40; i < 60; i++)
		ROUND((b & c) | (b & d) | (c & d), 0x8f1bbcdcu, i);
	for (int i = 60; i < 80; i++)
		ROUND(b ^ c ^ d, 0xca62c1d6u, i);
#undef ROUND
	h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e;
	for (int i = 0; i < 5; i++)
		store_be32(out + (size_t)4 * (size_t)i, h[i]);
}

/* Standard base64 (RFC 4648) of 20 bytes: 28 characters, one '='. */
static void base64_20(const uint8_t in[20], char *out)
{
	static const char tab[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	int i = 0, o = 0;

	for (; i + 3 <= 20; i += 3) {
		uint32_t v = ((uint32_t)in[i] << 16) | ((uint32_t)in[i + 1] << 8) |
			     in[i + 2];
		out[o++] = tab[v >> 18];
		out[o++] = tab[(v >> 12) & 63];
		out[o++] = tab[(v >> 6) & 63];
		out[o++] = tab[v & 63];
	}
	/* two bytes left */
	{
		uint32_t v = ((uint32_t)in[18] << 16) | ((uint32_t)in[19] << 8);
		out[o++] = tab[v >> 18];
		out[o++] = tab[(v >> 12) & 63];
		out[o++] = tab[(v >> 6) & 63];
		out[o++] = '=';
	}
	out[o] = '\0';
}

void communityid(const struct flow_key *k, uint16_t seed,
		 char buf[COMMUNITY_ID_LEN])
{
	uint8_t msg[40], digest[20];
	size_t alen = k->ipver == 4 ? 4 : 16, n = 0;

	msg[n++] = (uint8_t)(seed >> 8);
	msg[n++] = (uint8_t)seed;
	memcpy(msg + n, k->a, alen);
	n += alen;
	memcpy(msg + n, k->b, alen);
	n += alen;
	msg[n++] = k->l4;
	msg[n++] = 0;
	msg[n++] = (uint8_t)(k->pa >> 8);
	msg[n++] = (uint8_t)k->pa;
	msg[n++] = (uint8_t)(k->pb >> 8);
	msg[n++] = (uint8_t)k->pb;
	communityid_sha1_short(msg, n, digest);
	buf[0] = '1';
	buf[1] = ':';
	base64_20(digest, buf + 2);
}
