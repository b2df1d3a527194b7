/* hash.h: the mixing function of lyncwatch's small tables.
 *
 * Two hashes serve every table.  The flow table keys arrive from the
 * network at packet rate and are hashed with keyed SipHash-1-3 (in
 * flow/flow.c, its only user).  Every other table (learned hosts, alert
 * keys, violation groups) hashes a few 64-bit words with hash_mix64,
 * chained through hash_words, seeded where an attacker could choose keys.
 */
#ifndef LW_HASH_H
#define LW_HASH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* splitmix64's finaliser: a bijection of 64-bit words that spreads every
 * input bit over the output. */
static inline uint64_t hash_mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* A 64-bit word from 8 bytes, in host order (for hashing only). */
static inline uint64_t hash_load64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

#endif
