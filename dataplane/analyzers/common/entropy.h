/* SPDX-License-Identifier: BSD-3-Clause */
/* Shannon entropy of a byte string, in bits per byte. Shared by the ICMP
 * payload and DNS label classifiers; small enough to live inline. */
#ifndef TW_ENTROPY_H
#define TW_ENTROPY_H

#include <math.h>
#include <stdint.h>

/* 0 for an empty or constant string; at most log2(min(n, 256)). */
static inline double shannon_entropy(const uint8_t *p, uint32_t n)
{
	uint16_t count[256] = { 0 };
	double h = 0.0;

	if (n == 0)
		return 0.0;
	if (n > UINT16_MAX)
		n = UINT16_MAX;
	for (uint32_t i = 0; i < n; i++)
		count[p[i]]++;
	for (unsigned b = 0; b < 256; b++) {
		double q;

		if (!count[b])
			continue;
		q = (double)count[b] / (double)n;
		h -= q * log2(q);
	}
	return h;
}

/* The largest entropy n bytes can have: with fewer than 256 bytes not
 * every value can occur, so short random strings score below 8. */
static inline double shannon_entropy_max(uint32_t n)
{
	if (n <= 1)
		return 0.0;
	return log2(n < 256 ? (double)n : 256.0);
}

#endif
