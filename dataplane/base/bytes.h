/* SPDX-License-Identifier: BSD-3-Clause */
/* Eight bytes at a time: an unaligned load in host order, and the
 * byte-lane constants of the word-at-a-time scans (flow key hashing,
 * HTTP header lines, fully encrypted first payloads). */
#ifndef TW_BYTES_H
#define TW_BYTES_H

#include <stdint.h>
#include <string.h>

#define BYTES_ONES 0x0101010101010101ULL   /* 0x01 in every byte */
#define BYTES_HIGHS 0x8080808080808080ULL  /* the high bit of every byte */

static inline uint64_t load64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

#endif
