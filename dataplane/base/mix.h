/* SPDX-License-Identifier: BSD-3-Clause */
/* The splitmix64 finaliser, for hashes that must spread every input bit
 * (the host-pair hash that picks a worker, flow ids). */
#ifndef TW_MIX_H
#define TW_MIX_H

#include <stdint.h>

static inline uint64_t mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

#endif
