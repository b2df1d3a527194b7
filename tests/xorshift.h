/* xorshift.h: the unit tests' deterministic random cases (Marsaglia's
 * xorshift64: fast, full period over nonzero states, no library state). */
#ifndef LW_TEST_XORSHIFT_H
#define LW_TEST_XORSHIFT_H

#include <stdint.h>

static inline uint64_t xorshift64(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

#endif
