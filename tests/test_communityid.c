/* test_communityid.c: the Community ID v1 hash.
 *
 * Proves: the one-block SHA-1 gives FIPS 180's digests (empty message,
 * "abc", a 55-byte message, the longest one block holds), by both the
 * portable code and the SHA extensions' path (when the CPU has them),
 * and the two agree on 100,000 random messages; so do eight messages at
 * once in AVX2 lanes (when the CPU has AVX2), and communityid_many gives
 * communityid's IDs for any number of keys, also by the AVX2 lanes on a
 * CPU with the SHA extensions (communityid_many_x8: the text made from
 * the lanes' words, on 2,000 batches of random keys); the flow hash
 * gives the specification's published examples, and orders by port when
 * the addresses are equal; and it agrees with nDPI's independent
 * implementation on 20,000 random IPv4 and IPv6 flows of both L4 protocols.
 * (With equal addresses nDPI 4.2 orders the ports by their byte-swapped
 * value, unlike the specification, so that case is checked against a
 * digest computed by hand: Python's hashlib over the spec's layout.)
 * The base64 of a digest is RFC 4648's, checked against a six-bits-at-
 * a-time reference on 100,000 random digests.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include <ndpi/ndpi_api.h>

#include "output/communityid.h"
#include "xorshift.h"

static void hex(const uint8_t *d, char *out)
{
	for (int i = 0; i < 20; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
}

typedef void (*sha1_fn)(const uint8_t *msg, size_t len, uint8_t out[20]);

/* FIPS 180's one-block digests through fn. */
static void fips_vectors(sha1_fn fn)
{
	uint8_t d[20];
	char h[41];
	const char *m55 = "0123456789012345678901234567890123456789012345678901234";

	fn((const uint8_t *)"", 0, d);
	hex(d, h);
	assert_string_equal(h, "da39a3ee5e6b4b0d3255bfef95601890afd80709");
	fn((const uint8_t *)"abc", 3, d);
	hex(d, h);
	assert_string_equal(h, "a9993e364706816aba3e25717850c26c9cd0d89d");
	assert_int_equal(strlen(m55), 55);
	fn((const uint8_t *)m55, 55, d);
	hex(d, h);
	/* sha1sum of the same 55 bytes */
	assert_string_equal(h, "9f3a4ce7f66b1b74c34da2c5d732c39f81e0f8df");
}

static void test_sha1(void **state)
{
	(void)state;
	fips_vectors(communityid_sha1_short);
	fips_vectors(communityid_sha1_portable);
}

/* The SHA extensions' path: FIPS 180's digests, and the portable code's
 * on 100,000 random messages of every length a block holds.  Skipped,
 * saying so, on a CPU without them (and under valgrind, which hides
 * them). */
static void test_sha1_ni(void **state)
{
	uint64_t seed = 0x5a11u;
	uint8_t m[55], d1[20], d2[20];

	(void)state;
	if (!communityid_sha_ni()) {
		fprintf(stderr, "test_sha1_ni: this CPU has no SHA extensions: "
			"only the portable code is checked\n");
		skip();
	}
	fips_vectors(communityid_sha1_ni);
	for (int i = 0; i < 100000; i++) {
		size_t len = (size_t)(xorshift64(&seed) % 56);

		for (size_t j = 0; j < len; j++)
			m[j] = (uint8_t)xorshift64(&seed);
		communityid_sha1_portable(m, len, d1);
		communityid_sha1_ni(m, len, d2);
		assert_memory_equal(d1, d2, 20);
	}
}

/* Puts k's endpoints in canonical order (a <= b by address, then port),
 * as flow.c builds keys. */
static void canonical(struct flow_key *k)
{
	int c = memcmp(k->a, k->b, 16);

	if (c > 0 || (c == 0 && k->pa > k->pb)) {
		uint8_t t[16];
		uint16_t tp = k->pa;

		memcpy(t, k->a, 16);
		memcpy(k->a, k->b, 16);
		memcpy(k->b, t, 16);
		k->pa = k->pb;
		k->pb = tp;
	}
}

static void key(struct flow_key *k, int ipver, uint8_t l4, const char *s,
		uint16_t sp, const char *d, uint16_t dp)
{
	int af = ipver == 4 ? AF_INET : AF_INET6;

	memset(k, 0, sizeof(*k));
	assert_int_equal(inet_pton(af, s, k->a), 1);
	assert_int_equal(inet_pton(af, d, k->b), 1);
	k->pa = sp;
	k->pb = dp;
	k->l4 = l4;
	k->ipver = (uint8_t)ipver;
	canonical(k);
}

/* The specification's examples (seed 0), each in both directions; and
 * equal addresses, where the lower port goes first. */
static void test_spec_examples(void **state)
{
	static const struct {
		uint8_t l4;
		const char *a, *b;
		uint16_t pa, pb;
		const char *want;
	} v[] = {
		{ 6, "128.232.110.120", "66.35.250.204", 34855, 80,
		  "1:LQU9qZlK+B5F3KDmev6m5PMibrg=" },
		{ 17, "192.168.1.52", "8.8.8.8", 54585, 53,
		  "1:d/FP5EW3wiY1vCndhwleRRKHowQ=" },
		{ 6, "105.12.169.30", "105.12.169.30", 10321, 6876,
		  "1:Q+ro0ZduDTAKg5NcIQTPDY5a7a0=" },
	};
	struct flow_key k;
	char buf[COMMUNITY_ID_LEN];

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		key(&k, 4, v[i].l4, v[i].a, v[i].pa, v[i].b, v[i].pb);
		communityid(&k, 0, buf);
		assert_string_equal(buf, v[i].want);
		key(&k, 4, v[i].l4, v[i].b, v[i].pb, v[i].a, v[i].pa);
		communityid(&k, 0, buf);
		assert_string_equal(buf, v[i].want);
	}
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t next32(void)
{
	return (uint32_t)(xorshift64(&rng) >> 11);
}

/* nDPI's hash of k (it orders the endpoints itself). */
static void ndpi_cid(const struct flow_key *k, uint16_t seed, char *out,
		     size_t len)
{
	u_char b[64];
	int rc;

	if (k->ipver == 4) {
		uint32_t a = ((uint32_t)k->a[0] << 24) | ((uint32_t)k->a[1] << 16) |
			     ((uint32_t)k->a[2] << 8) | k->a[3];
		uint32_t c = ((uint32_t)k->b[0] << 24) | ((uint32_t)k->b[1] << 16) |
			     ((uint32_t)k->b[2] << 8) | k->b[3];
		rc = ndpi_flowv4_flow_hash(k->l4, a, c, k->pa, k->pb, 0, 0,
					   b, sizeof(b));
	} else {
		struct ndpi_in6_addr a, c;

		memcpy(&a, k->a, 16);
		memcpy(&c, k->b, 16);
		rc = ndpi_flowv6_flow_hash(k->l4, &a, &c, k->pa, k->pb, 0, 0,
					   b, sizeof(b));
	}
	assert_int_equal(rc, 0);
	snprintf(out, len, "%s", (const char *)b);
	(void)seed;
}

static void test_agrees_with_ndpi(void **state)
{
	(void)state;
	for (int i = 0; i < 20000; i++) {
		struct flow_key k;
		char mine[COMMUNITY_ID_LEN], theirs[64];
		int alen;

		memset(&k, 0, sizeof(k));
		k.ipver = (i & 1) ? 6 : 4;
		k.l4 = (i & 2) ? 17 : 6;
		alen = k.ipver == 4 ? 4 : 16;
		for (int j = 0; j < alen; j++) {
			k.a[j] = (uint8_t)next32();
			k.b[j] = (uint8_t)next32();
		}
		k.pa = (uint16_t)next32();
		k.pb = (uint16_t)next32();
		canonical(&k);
		communityid(&k, 0, mine);
		ndpi_cid(&k, 0, theirs, sizeof(theirs));
		assert_string_equal(mine, theirs);
	}
}

/* Eight digests at once (AVX2 lanes): FIPS 180's in every lane, and
 * the portable code's on random messages of every length a block holds,
 * lanes of different lengths side by side; skipped, saying so, without
 * AVX2.  communityid_many gives communityid's IDs for every count of
 * keys, batches of eight and a part batch included, whatever the CPU. */
static void test_sha1_x8(void **state)
{
	static const char *const vec[3] = { "", "abc",
		"0123456789012345678901234567890123456789012345678901234" };
	static const char *const want[3] = {
		"da39a3ee5e6b4b0d3255bfef95601890afd80709",
		"a9993e364706816aba3e25717850c26c9cd0d89d",
		"9f3a4ce7f66b1b74c34da2c5d732c39f81e0f8df" };
	uint64_t seed = 0x8a8e5u;
	uint8_t m[8][55], d[8][20], ref[20];
	const uint8_t *mp[8];
	size_t len[8];
	struct flow_key keys[21];
	const struct flow_key *kp[21] = { NULL };
	char many[21][COMMUNITY_ID_LEN], one[COMMUNITY_ID_LEN], h[41];

	(void)state;
	for (int n = 0; n <= 21; n++) {
		for (int i = 0; i < n; i++) {
			memset(&keys[i], 0, sizeof(keys[i]));
			keys[i].ipver = (i & 1) ? 6 : 4;
			keys[i].l4 = (i & 2) ? 17 : 6;
			for (int j = 0; j < 16; j++) {
				keys[i].a[j] = (uint8_t)next32();
				keys[i].b[j] = (uint8_t)next32();
			}
			keys[i].pa = (uint16_t)next32();
			keys[i].pb = (uint16_t)next32();
			kp[i] = &keys[i];
		}
		communityid_many(kp, n, 7, many);
		for (int i = 0; i < n; i++) {
			communityid(&keys[i], 7, one);
			assert_string_equal(many[i], one);
		}
		/* the AVX2 lanes even where the SHA extensions would be used */
		memset(many, 'x', sizeof(many));
		communityid_many_x8(kp, n, 7, many);
		for (int i = 0; i < n; i++) {
			communityid(&keys[i], 7, one);
			assert_string_equal(many[i], one);
		}
	}
	for (int round = 0; round < 2000; round++) {    /* random digests */
		for (int i = 0; i < 8; i++) {
			for (int j = 0; j < 16; j++) {
				keys[i].a[j] = (uint8_t)next32();
				keys[i].b[j] = (uint8_t)next32();
			}
			keys[i].ipver = (next32() & 1) ? 6 : 4;
			kp[i] = &keys[i];
		}
		communityid_many_x8(kp, 8, (uint16_t)round, many);
		for (int i = 0; i < 8; i++) {
			communityid(&keys[i], (uint16_t)round, one);
			assert_string_equal(many[i], one);
		}
	}
	if (!communityid_avx2()) {
		fprintf(stderr, "test_sha1_x8: this CPU has no AVX2: only the "
			"portable code is checked\n");
		skip();
	}
	for (int i = 0; i < 8; i++) {
		mp[i] = (const uint8_t *)vec[i % 3];
		len[i] = strlen(vec[i % 3]);
	}
	communityid_sha1_x8(mp, len, d);
	for (int i = 0; i < 8; i++) {
		hex(d[i], h);
		assert_string_equal(h, want[i % 3]);
	}
	for (int round = 0; round < 20000; round++) {
		for (int i = 0; i < 8; i++) {
			len[i] = (size_t)(xorshift64(&seed) % 56);
			for (size_t j = 0; j < len[i]; j++)
				m[i][j] = (uint8_t)xorshift64(&seed);
			mp[i] = m[i];
		}
		communityid_sha1_x8(mp, len, d);
		for (int i = 0; i < 8; i++) {
			communityid_sha1_portable(m[i], len[i], ref);
			assert_memory_equal(d[i], ref, 20);
		}
	}
}

/* A seed changes the hash (the seed is in the message). */
/* RFC 4648 base64 of n bytes, six bits at a time, '=' padded. */
static void ref_base64(const uint8_t *in, size_t n, char *out)
{
	static const char a[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t bits = 0, o = 0;
	uint32_t acc = 0;

	for (size_t i = 0; i < n; i++) {
		acc = acc << 8 | in[i];
		for (bits += 8; bits >= 6; bits -= 6)
			out[o++] = a[acc >> (bits - 6) & 63];
	}
	if (bits)
		out[o++] = a[acc << (6 - bits) & 63];
	while (o % 4)
		out[o++] = '=';
	out[o] = '\0';
}

/* communityid_base64_20 writes the reference's text for every byte
 * value at every position and for random digests. */
static void test_base64(void **state)
{
	uint64_t seed = 0xba5e64ull;
	uint8_t in[20];
	char got[29], want[40];

	(void)state;
	for (int pos = 0; pos < 20; pos++)
		for (int v = 0; v < 256; v++) {
			memset(in, pos & 1 ? 0xff : 0, sizeof(in));
			in[pos] = (uint8_t)v;
			communityid_base64_20(in, got);
			ref_base64(in, sizeof(in), want);
			assert_string_equal(got, want);
		}
	for (int k = 0; k < 100000; k++) {
		for (int i = 0; i < 20; i++)
			in[i] = (uint8_t)xorshift64(&seed);
		memset(got, 'x', sizeof(got));
		communityid_base64_20(in, got);
		ref_base64(in, sizeof(in), want);
		assert_string_equal(got, want);
	}
}

static void test_seed(void **state)
{
	struct flow_key k;
	char s0[COMMUNITY_ID_LEN], s1[COMMUNITY_ID_LEN];

	(void)state;
	key(&k, 4, 6, "128.232.110.120", 34855, "66.35.250.204", 80);
	communityid(&k, 0, s0);
	communityid(&k, 1, s1);
	assert_string_not_equal(s0, s1);
	assert_int_equal(strlen(s1), COMMUNITY_ID_LEN - 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sha1),
		cmocka_unit_test(test_sha1_ni),
		cmocka_unit_test(test_sha1_x8),
		cmocka_unit_test(test_spec_examples),
		cmocka_unit_test(test_agrees_with_ndpi),
		cmocka_unit_test(test_base64),
		cmocka_unit_test(test_seed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
