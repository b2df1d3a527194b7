/* communityid.c: Community ID v1 with a one-block SHA-1 and base64.
 *
 * The hashed message is at most 40 bytes (IPv6), so SHA-1 needs a single
 * 64-byte block: no streaming state, no allocation, no printf.  The 80
 * steps are written out five at a time with the working variables renamed
 * rather than moved, and the schedule is a 16-word ring (FIPS 180-4
 * section 6.1.3): about 1,550 instructions a digest, 2,370 before.  On an
 * x86-64 CPU with the SHA extensions (__builtin_cpu_supports("sha"), asked
 * at each digest: a load and a test) the block goes through sha1rnds4 and
 * its companions instead, about 90 instructions.  nDPI has the same hash
 * (ndpi_flowv4_flow_hash), at about five times the cost per record; the
 * unit test checks the two agree, and both paths against FIPS 180.
 */
#include <string.h>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define HAVE_SHA_NI 1
#endif

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

/* The message schedule kept as 16 words: W[t] for t >= 16 replaces
 * W[t - 16] in place (FIPS 180-4 section 6.1.3, the alternate method). */
#define W(t) w[(t) & 15]
#define EXPAND(t) (W(t) = rol32(W((t) - 3) ^ W((t) - 8) ^ W((t) - 14) ^ \
				W((t) - 16), 1))
#define F1(b, c, d) ((d) ^ ((b) & ((c) ^ (d))))        /* Ch */
#define F2(b, c, d) ((b) ^ (c) ^ (d))                  /* Parity */
#define F3(b, c, d) (((b) & (c)) | ((d) & ((b) | (c)))) /* Maj */
/* One step with the variables renamed instead of moved: the caller passes
 * them rotated, five steps make a cycle. */
#define STEP(a, b, c, d, e, f, k, wt) do {                              \
		(e) += rol32((a), 5) + f((b), (c), (d)) + (k) + (wt);   \
		(b) = rol32((b), 30);                                   \
	} while (0)
#define FIVE(f, k, t, X) do {                                           \
		STEP(a, b, c, d, e, f, k, X((t) + 0));                  \
		STEP(e, a, b, c, d, f, k, X((t) + 1));                  \
		STEP(d, e, a, b, c, f, k, X((t) + 2));                  \
		STEP(c, d, e, a, b, f, k, X((t) + 3));                  \
		STEP(b, c, d, e, a, f, k, X((t) + 4));                  \
	} while (0)

/* The one padded block of a message of at most 55 bytes (longer ones are
 * cut: callers hash at most 40). */
static void pad_block(const uint8_t *msg, size_t len, uint8_t block[64])
{
	uint64_t bits;

	if (len > 55)
		len = 55;
	bits = (uint64_t)len * 8;
	memset(block, 0, 64);
	memcpy(block, msg, len);
	block[len] = 0x80;
	for (int i = 0; i < 8; i++)
		block[63 - i] = (uint8_t)(bits >> (8 * i));
}

void communityid_sha1_portable(const uint8_t *msg, size_t len, uint8_t out[20])
{
	uint8_t block[64];
	uint32_t w[16];
	uint32_t a = 0x67452301u, b = 0xefcdab89u, c = 0x98badcfeu,
		 d = 0x10325476u, e = 0xc3d2e1f0u;

	pad_block(msg, len, block);
	for (int i = 0; i < 16; i++)
		w[i] = load_be32(block + (size_t)4 * (size_t)i);
	FIVE(F1, 0x5a827999u, 0, W);
	FIVE(F1, 0x5a827999u, 5, W);
	FIVE(F1, 0x5a827999u, 10, W);
	STEP(a, b, c, d, e, F1, 0x5a827999u, W(15));
	STEP(e, a, b, c, d, F1, 0x5a827999u, EXPAND(16));
	STEP(d, e, a, b, c, F1, 0x5a827999u, EXPAND(17));
	STEP(c, d, e, a, b, F1, 0x5a827999u, EXPAND(18));
	STEP(b, c, d, e, a, F1, 0x5a827999u, EXPAND(19));
	FIVE(F2, 0x6ed9eba1u, 20, EXPAND);     /* constant indexes: w in */
	FIVE(F2, 0x6ed9eba1u, 25, EXPAND);     /* registers, no loop */
	FIVE(F2, 0x6ed9eba1u, 30, EXPAND);
	FIVE(F2, 0x6ed9eba1u, 35, EXPAND);
	FIVE(F3, 0x8f1bbcdcu, 40, EXPAND);
	FIVE(F3, 0x8f1bbcdcu, 45, EXPAND);
	FIVE(F3, 0x8f1bbcdcu, 50, EXPAND);
	FIVE(F3, 0x8f1bbcdcu, 55, EXPAND);
	FIVE(F2, 0xca62c1d6u, 60, EXPAND);
	FIVE(F2, 0xca62c1d6u, 65, EXPAND);
	FIVE(F2, 0xca62c1d6u, 70, EXPAND);
	FIVE(F2, 0xca62c1d6u, 75, EXPAND);
	store_be32(out, 0x67452301u + a);
	store_be32(out + 4, 0xefcdab89u + b);
	store_be32(out + 8, 0x98badcfeu + c);
	store_be32(out + 12, 0x10325476u + d);
	store_be32(out + 16, 0xc3d2e1f0u + e);
}
#undef W
#undef EXPAND
#undef F1
#undef F2
#undef F3
#undef STEP
#undef FIVE

#ifdef HAVE_SHA_NI
/* SHA-1 of one block with the SHA extensions.  A register holds four
 * words, the first in its top lane: ABCD (A on top), E (on top, the rest
 * zero) and four message blocks W[4j..4j+3].  sha1rnds4 runs four rounds
 * (its immediate: the round function and constant, 0..3 for rounds 0-19,
 * 20-39, 40-59, 60-79) given W + E on top; sha1nexte makes the E of the
 * next four rounds, rol(A of four rounds before, 30), and adds it to the
 * top word of the block; sha1msg1, xor and sha1msg2 extend the schedule
 * four words at a time (FIPS 180-4 section 6.1.2, step 1):
 * W[j] = msg2(msg1(W[j-4], W[j-3]) ^ W[j-2], W[j-1]), in blocks. */
#define NI_TARGET __attribute__((target("sha,sse4.1,ssse3")))
#define NI_BLOCK(j) do {                                                \
		if ((j) >= 4)                                           \
			w[(j) & 3] = _mm_sha1msg2_epu32(_mm_xor_si128(  \
				_mm_sha1msg1_epu32(w[(j) & 3],          \
						   w[((j) + 1) & 3]),   \
				w[((j) + 2) & 3]), w[((j) + 3) & 3]);   \
		e = (j) == 0 ? _mm_add_epi32(e, w[0]) :                 \
			       _mm_sha1nexte_epu32(prev, w[(j) & 3]);   \
		prev = abcd;                                            \
		abcd = _mm_sha1rnds4_epu32(abcd, e, (j) / 5);           \
	} while (0)
#define NI_FIVE(j) do {                                                 \
		NI_BLOCK(j); NI_BLOCK((j) + 1); NI_BLOCK((j) + 2);      \
		NI_BLOCK((j) + 3); NI_BLOCK((j) + 4);                   \
	} while (0)

NI_TARGET
void communityid_sha1_ni(const uint8_t *msg, size_t len, uint8_t out[20])
{
	const __m128i rev = _mm_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
					 12, 13, 14, 15);
	const __m128i abcd0 = _mm_set_epi32(0x67452301, (int)0xefcdab89u,
					    (int)0x98badcfeu, 0x10325476);
	const __m128i e0 = _mm_set_epi32((int)0xc3d2e1f0u, 0, 0, 0);
	__m128i w[4], abcd = abcd0, e = e0, prev = abcd0;
	uint8_t block[64];
	uint32_t r[4];

	pad_block(msg, len, block);
	for (int i = 0; i < 4; i++)     /* big-endian words, the first on top */
		w[i] = _mm_shuffle_epi8(_mm_loadu_si128(
			(const __m128i *)(const void *)(block + 16 * i)), rev);
	NI_FIVE(0);
	NI_FIVE(5);
	NI_FIVE(10);
	NI_FIVE(15);
	e = _mm_sha1nexte_epu32(prev, e0);
	abcd = _mm_add_epi32(abcd, abcd0);
	_mm_storeu_si128((__m128i *)(void *)r, abcd);
	store_be32(out, r[3]);
	store_be32(out + 4, r[2]);
	store_be32(out + 8, r[1]);
	store_be32(out + 12, r[0]);
	store_be32(out + 16, (uint32_t)_mm_extract_epi32(e, 3));
}
#undef NI_BLOCK
#undef NI_FIVE

bool communityid_sha_ni(void)
{
	return __builtin_cpu_supports("sha") && __builtin_cpu_supports("sse4.1") &&
	       __builtin_cpu_supports("ssse3");
}
#else
void communityid_sha1_ni(const uint8_t *msg, size_t len, uint8_t out[20])
{
	communityid_sha1_portable(msg, len, out);
}

bool communityid_sha_ni(void)
{
	return false;
}
#endif

void communityid_sha1_short(const uint8_t *msg, size_t len, uint8_t out[20])
{
	if (communityid_sha_ni())
		communityid_sha1_ni(msg, len, out);
	else
		communityid_sha1_portable(msg, len, out);
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
