/* communityid.h: the Community ID flow hash, version 1, of a flow.
 *
 * The Community ID (https://github.com/corelight/community-id-spec) names a
 * flow the same way in Zeek, Suricata, nDPI and here:
 *   "1:" base64(SHA-1(seed, saddr, daddr, proto, 0, sport, dport))
 * with the endpoints in ascending (address, port) order.  The flow key is
 * already in that order, so the hash is a function of the key alone.
 */
#ifndef LW_COMMUNITYID_H
#define LW_COMMUNITYID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flow/flow.h"

/* "1:" + 28 characters of base64 + NUL. */
#define COMMUNITY_ID_LEN 31

/* SHA-1 (FIPS 180-4) of a message of at most 55 bytes: one block; with
 * the CPU's SHA extensions when it has them. */
void communityid_sha1_short(const uint8_t *msg, size_t len, uint8_t out[20]);

/* The two ways, for tests: the portable code, and the SHA extensions'
 * (call it only when communityid_sha_ni() is true; elsewhere than x86-64
 * it is the portable code). */
void communityid_sha1_portable(const uint8_t *msg, size_t len, uint8_t out[20]);
void communityid_sha1_ni(const uint8_t *msg, size_t len, uint8_t out[20]);
bool communityid_sha_ni(void);

/* Writes the Community ID (seed `seed`) of the flow key k into buf, which
 * holds COMMUNITY_ID_LEN bytes. */
void communityid(const struct flow_key *k, uint16_t seed,
		 char buf[COMMUNITY_ID_LEN]);

/* The Community IDs of the n keys k[] into buf[]: with eight digests at a
 * time in the lanes of AVX2 registers when the CPU has AVX2 but not the
 * SHA extensions and n >= COMMUNITYID_MANY_MIN, else one by one. */
#define COMMUNITYID_MANY_MIN 3
void communityid_many(const struct flow_key *const *k, int n, uint16_t seed,
		      char (*buf)[COMMUNITY_ID_LEN]);

/* Standard base64 (RFC 4648) of 20 bytes: 28 characters, the last '=',
 * and a NUL. */
void communityid_base64_20(const uint8_t in[20], char out[29]);

/* For tests: communityid_many's eight lanes of AVX2 whatever the SHA
 * extensions (one by one on a CPU without AVX2). */
void communityid_many_x8(const struct flow_key *const *k, int n,
			 uint16_t seed, char (*buf)[COMMUNITY_ID_LEN]);

/* Whether communityid_many does better than one by one here. */
bool communityid_batches(void);

/* For tests: eight one-block SHA-1s at once (AVX2; the portable code on
 * a CPU without it), and whether the CPU has AVX2. */
void communityid_sha1_x8(const uint8_t *const msg[8], const size_t len[8],
			 uint8_t out[8][20]);
bool communityid_avx2(void);

#endif
