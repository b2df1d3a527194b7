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
#include <cpuid.h>
#include <stdatomic.h>
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
	__m128i w[4], abcd = abcd0, e = e0, prev;  /* prev: set by block 0 */
	uint8_t block[64];
	uint32_t r[4];

	pad_block(msg, len, block);
	for (int i = 0; i < 4; i++)     /* big-endian words, the first on top */
		w[i] = _mm_shuffle_epi8(_mm_loadu_si128(
			(const __m128i *)(const void *)(block + (size_t)16 * (size_t)i)),
			rev);
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

/* The SHA extensions: CPUID leaf 7, EBX bit 29 (__builtin_cpu_supports
 * names "sha" in GCC only); SSSE3 and SSE4.1 for the shuffles.  Asked
 * once: under a hypervisor CPUID traps to it (tens of microseconds on this
 * project's machine, a third of a --no-dpi run when asked per record). */
bool communityid_sha_ni(void)
{
	static _Atomic int known = -1;          /* -1: not asked yet */
	int v = atomic_load_explicit(&known, memory_order_relaxed);
	unsigned a, b, c, d;

	if (v < 0) {
		v = __get_cpuid_count(7, 0, &a, &b, &c, &d) && (b >> 29 & 1) &&
		    __builtin_cpu_supports("sse4.1") &&
		    __builtin_cpu_supports("ssse3");
		atomic_store_explicit(&known, v, memory_order_relaxed);
	}
	return v;
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

#ifdef HAVE_SHA_NI
/* SHA-1 of eight one-block messages at once, one per 32-bit lane of AVX2
 * registers (for CPUs without the SHA extensions: most x86-64 servers
 * before 2019 have AVX2).  The same steps as the portable code, each a
 * vector operation over the eight messages; about 230 instructions a
 * digest.  blocks: eight padded blocks (pad_block). */
#define X8_TARGET __attribute__((target("avx2")))
#define X8_ROL(x, n) _mm256_or_si256(_mm256_slli_epi32((x), (n)),       \
				     _mm256_srli_epi32((x), 32 - (n)))
#define X8_W(t) w[(t) & 15]
#define X8_EXPAND(t) (X8_W(t) = X8_ROL(_mm256_xor_si256(                 \
		_mm256_xor_si256(X8_W((t) - 3), X8_W((t) - 8)),          \
		_mm256_xor_si256(X8_W((t) - 14), X8_W((t) - 16))), 1))
#define X8_F1(b, c, d) _mm256_xor_si256((d), _mm256_and_si256((b),      \
					_mm256_xor_si256((c), (d))))
#define X8_F2(b, c, d) _mm256_xor_si256(_mm256_xor_si256((b), (c)), (d))
#define X8_F3(b, c, d) _mm256_or_si256(_mm256_and_si256((b), (c)),      \
		_mm256_and_si256((d), _mm256_or_si256((b), (c))))
#define X8_STEP(a, b, c, d, e, f, k, wt) do {                           \
		(e) = _mm256_add_epi32(_mm256_add_epi32((e), X8_ROL((a), 5)), \
			_mm256_add_epi32(f((b), (c), (d)),              \
					 _mm256_add_epi32((k), (wt)))); \
		(b) = X8_ROL((b), 30);                                  \
	} while (0)
#define X8_FIVE(f, k, t, X) do {                                        \
		X8_STEP(a, b, c, d, e, f, k, X((t) + 0));               \
		X8_STEP(e, a, b, c, d, f, k, X((t) + 1));               \
		X8_STEP(d, e, a, b, c, f, k, X((t) + 2));               \
		X8_STEP(c, d, e, a, b, f, k, X((t) + 3));               \
		X8_STEP(b, c, d, e, a, f, k, X((t) + 4));               \
	} while (0)
#define X8_TWENTY(f, k, t) do {                                         \
		X8_FIVE(f, k, (t), X8_EXPAND);                          \
		X8_FIVE(f, k, (t) + 5, X8_EXPAND);                      \
		X8_FIVE(f, k, (t) + 10, X8_EXPAND);                     \
		X8_FIVE(f, k, (t) + 15, X8_EXPAND);                     \
	} while (0)

X8_TARGET
static void sha1_x8_blocks(const uint8_t blocks[8][64], uint32_t r[5][8])
{
	/* word t of lane i at blocks + 64 i + 4 t; bytes swapped to big
	 * endian within each word */
	const __m256i lanes = _mm256_setr_epi32(0, 16, 32, 48, 64, 80, 96, 112);
	const __m256i bswap = _mm256_setr_epi8(3, 2, 1, 0, 7, 6, 5, 4, 11, 10,
		9, 8, 15, 14, 13, 12, 3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8,
		15, 14, 13, 12);
	const __m256i h0 = _mm256_set1_epi32(0x67452301), h1 = _mm256_set1_epi32((int)0xefcdab89u),
		      h2 = _mm256_set1_epi32((int)0x98badcfeu), h3 = _mm256_set1_epi32(0x10325476),
		      h4 = _mm256_set1_epi32((int)0xc3d2e1f0u);
	const __m256i k1 = _mm256_set1_epi32(0x5a827999), k2 = _mm256_set1_epi32(0x6ed9eba1),
		      k3 = _mm256_set1_epi32((int)0x8f1bbcdcu), k4 = _mm256_set1_epi32((int)0xca62c1d6u);
	__m256i w[16], a = h0, b = h1, c = h2, d = h3, e = h4;

	for (int t = 0; t < 16; t++)
		w[t] = _mm256_shuffle_epi8(_mm256_i32gather_epi32(
			(const int *)(const void *)(blocks[0] + (size_t)4 * (size_t)t),
			lanes, 4),
			bswap);
	X8_FIVE(X8_F1, k1, 0, X8_W);
	X8_FIVE(X8_F1, k1, 5, X8_W);
	X8_FIVE(X8_F1, k1, 10, X8_W);
	X8_STEP(a, b, c, d, e, X8_F1, k1, X8_W(15));
	X8_STEP(e, a, b, c, d, X8_F1, k1, X8_EXPAND(16));
	X8_STEP(d, e, a, b, c, X8_F1, k1, X8_EXPAND(17));
	X8_STEP(c, d, e, a, b, X8_F1, k1, X8_EXPAND(18));
	X8_STEP(b, c, d, e, a, X8_F1, k1, X8_EXPAND(19));
	X8_TWENTY(X8_F2, k2, 20);
	X8_TWENTY(X8_F3, k3, 40);
	X8_TWENTY(X8_F2, k4, 60);
	_mm256_storeu_si256((__m256i *)(void *)r[0], _mm256_add_epi32(a, h0));
	_mm256_storeu_si256((__m256i *)(void *)r[1], _mm256_add_epi32(b, h1));
	_mm256_storeu_si256((__m256i *)(void *)r[2], _mm256_add_epi32(c, h2));
	_mm256_storeu_si256((__m256i *)(void *)r[3], _mm256_add_epi32(d, h3));
	_mm256_storeu_si256((__m256i *)(void *)r[4], _mm256_add_epi32(e, h4));
}
#undef X8_ROL
#undef X8_W
#undef X8_EXPAND
#undef X8_F1
#undef X8_F2
#undef X8_F3
#undef X8_STEP
#undef X8_FIVE
#undef X8_TWENTY

bool communityid_avx2(void)
{
	return __builtin_cpu_supports("avx2");
}
#else
bool communityid_avx2(void)
{
	return false;
}
#endif

void communityid_sha1_x8(const uint8_t *const msg[8], const size_t len[8],
			 uint8_t out[8][20])
{
#ifdef HAVE_SHA_NI
	uint8_t blocks[8][64];

	if (communityid_avx2()) {
		for (int i = 0; i < 8; i++)
			pad_block(msg[i], len[i], blocks[i]);
		uint32_t r[5][8];

		sha1_x8_blocks((const uint8_t (*)[64])blocks, r);
		for (int i = 0; i < 8; i++)
			for (int j = 0; j < 5; j++)
				store_be32(out[i] + (size_t)4 * (size_t)j, r[j][i]);
		return;
	}
#endif
	for (int i = 0; i < 8; i++)
		communityid_sha1_portable(msg[i], len[i], out[i]);
}

void communityid_sha1_short(const uint8_t *msg, size_t len, uint8_t out[20])
{
#ifdef HAVE_SHA_NI
	if (communityid_sha_ni()) {
		communityid_sha1_ni(msg, len, out);
		return;
	}
#endif
	communityid_sha1_portable(msg, len, out);
}

/* The base64 alphabet (RFC 4648) as a constant expression, and the two
 * characters of every 12 bits (8 KiB): two lookups per 3 bytes. */
#define B64(v) (char)((v) < 26 ? 'A' + (v) : (v) < 52 ? 'a' + (v) - 26 : \
		      (v) < 62 ? '0' + (v) - 52 : (v) == 62 ? '+' : '/')
#define B64P(n) { B64((n) >> 6), B64((n) & 63) }
#define B64P4(n) B64P(n), B64P((n) + 1), B64P((n) + 2), B64P((n) + 3)
#define B64P16(n) B64P4(n), B64P4((n) + 4), B64P4((n) + 8), B64P4((n) + 12)
#define B64P64(n) B64P16(n), B64P16((n) + 16), B64P16((n) + 32), B64P16((n) + 48)
#define B64P256(n) B64P64(n), B64P64((n) + 64), B64P64((n) + 128), B64P64((n) + 192)
#define B64P1024(n) B64P256(n), B64P256((n) + 256), B64P256((n) + 512), \
		     B64P256((n) + 768)
/* (cppcheck takes B64's comparisons of the constant it is given for
 * tests of a variable, hence the suppression.) */
static const char b64_pairs[4096][2] = {
	// cppcheck-suppress comparisonError
	B64P1024(0), B64P1024(1024), B64P1024(2048), B64P1024(3072)
};
#undef B64
#undef B64P
#undef B64P4
#undef B64P16
#undef B64P64
#undef B64P256
#undef B64P1024

/* The 8 characters of the 48 bits on top of x, by four 12-bit lookups,
 * stored at once. */
static inline void base64_48(uint64_t x, char *out)
{
	uint16_t c[4];

	memcpy(&c[0], b64_pairs[x >> 52], 2);
	memcpy(&c[1], b64_pairs[x >> 40 & 4095], 2);
	memcpy(&c[2], b64_pairs[x >> 28 & 4095], 2);
	memcpy(&c[3], b64_pairs[x >> 16 & 4095], 2);
	memcpy(out, c, 8);
}

/* The 8 characters of the 6 bytes at in (8 bytes readable there). */
static inline void base64_6(const uint8_t *in, char *out)
{
	uint64_t x;

	memcpy(&x, in, 8);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	x = __builtin_bswap64(x);       /* the 6 bytes on top */
#endif
	base64_48(x, out);
}

void communityid_base64_20(const uint8_t in[20], char out[29])
{
	uint32_t v = ((uint32_t)in[18] << 16) | ((uint32_t)in[19] << 8);

	base64_6(in, out);
	base64_6(in + 6, out + 8);
	base64_6(in + 12, out + 16);
	memcpy(out + 24, b64_pairs[v >> 12], 2);   /* two bytes left */
	out[26] = b64_pairs[v & 4095][0];
	out[27] = '=';
	out[28] = '\0';
}

/* The hashed message of key k (seed): at most 40 bytes; its length. */
static size_t cid_message(const struct flow_key *k, uint16_t seed,
			  uint8_t *msg)
{
	size_t n;

	msg[0] = (uint8_t)(seed >> 8);
	msg[1] = (uint8_t)seed;
	if (k->ipver == 4) {
		memcpy(msg + 2, k->a, 4);
		memcpy(msg + 6, k->b, 4);
		n = 10;
	} else {
		memcpy(msg + 2, k->a, 16);
		memcpy(msg + 18, k->b, 16);
		n = 34;
	}
	msg[n] = k->l4;
	msg[n + 1] = 0;
	msg[n + 2] = (uint8_t)(k->pa >> 8);
	msg[n + 3] = (uint8_t)k->pa;
	msg[n + 4] = (uint8_t)(k->pb >> 8);
	msg[n + 5] = (uint8_t)k->pb;
	return n + 6;
}

/* "1:" and the base64 of a digest. */
static void cid_text(const uint8_t digest[20], char buf[COMMUNITY_ID_LEN])
{
	buf[0] = '1';
	buf[1] = ':';
	communityid_base64_20(digest, buf + 2);
}

void communityid(const struct flow_key *k, uint16_t seed,
		 char buf[COMMUNITY_ID_LEN])
{
	uint8_t msg[40], digest[20];
	size_t n = cid_message(k, seed, msg);

	communityid_sha1_short(msg, n, digest);
	cid_text(digest, buf);
}

bool communityid_batches(void)
{
#ifdef HAVE_SHA_NI
	return !communityid_sha_ni() && communityid_avx2();
#else
	return false;
#endif
}

#ifdef HAVE_SHA_NI
/* The padded block of key k's message (cid_message's, at most 40 bytes:
 * its bit length fits the last two bytes), written in place. */
static void cid_block(const struct flow_key *k, uint16_t seed,
		      uint8_t block[64])
{
	size_t n;

	memset(block, 0, 64);
	n = cid_message(k, seed, block);
	block[n] = 0x80;
	block[62] = (uint8_t)(n * 8 >> 8);
	block[63] = (uint8_t)(n * 8);
}

/* "1:" and the base64 of lane i's digest, from its five words (the
 * digest's bytes in big-endian words, SHA-1's h0..h4): the same text as
 * cid_text of the digest's bytes. */
static void cid_text_lane(const uint32_t r[5][8], int i,
			  char buf[COMMUNITY_ID_LEN])
{
	uint64_t g0 = (uint64_t)r[0][i] << 32 | r[1][i],   /* bytes 0..7 */
		 g1 = (uint64_t)r[1][i] << 32 | r[2][i],   /* bytes 4..11 */
		 g2 = (uint64_t)r[3][i] << 32 | r[4][i];   /* bytes 12..19 */
	uint32_t v = (r[4][i] & 0xffffu) << 8;          /* bytes 18, 19 */

	buf[0] = '1';
	buf[1] = ':';
	base64_48(g0, buf + 2);                    /* bytes 0..5 */
	base64_48(g1 << 16, buf + 10);             /* bytes 6..11 */
	base64_48(g2, buf + 18);                   /* bytes 12..17 */
	memcpy(buf + 26, b64_pairs[v >> 12], 2);
	buf[28] = b64_pairs[v & 4095][0];
	buf[29] = '=';
	buf[30] = '\0';
}

/* communityid_many's way: eight keys at a time in the lanes of AVX2. */
static void many_x8(const struct flow_key *const *k, int n, uint16_t seed,
		    char (*buf)[COMMUNITY_ID_LEN])
{
	uint8_t blocks[8][64];
	uint32_t r[5][8];

	for (int at = 0; at < n; at += 8) {
		int m = n - at < 8 ? n - at : 8;

		for (int i = 0; i < 8; i++)     /* idle lanes repeat the first */
			cid_block(k[at + (i < m ? i : 0)], seed, blocks[i]);
		sha1_x8_blocks((const uint8_t (*)[64])blocks, r);
		for (int i = 0; i < m; i++)
			cid_text_lane((const uint32_t (*)[8])r, i, buf[at + i]);
	}
}
#endif

void communityid_many_x8(const struct flow_key *const *k, int n,
			 uint16_t seed, char (*buf)[COMMUNITY_ID_LEN])
{
#ifdef HAVE_SHA_NI
	if (communityid_avx2()) {
		many_x8(k, n, seed, buf);
		return;
	}
#endif
	for (int i = 0; i < n; i++)
		communityid(k[i], seed, buf[i]);
}

void communityid_many(const struct flow_key *const *k, int n, uint16_t seed,
		      char (*buf)[COMMUNITY_ID_LEN])
{
#ifdef HAVE_SHA_NI
	if (n >= COMMUNITYID_MANY_MIN && communityid_batches()) {
		many_x8(k, n, seed, buf);
		return;
	}
#endif
	for (int i = 0; i < n; i++)
		communityid(k[i], seed, buf[i]);
}
