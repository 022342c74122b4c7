/* SPDX-License-Identifier: BSD-3-Clause */
/* DNS wire bits for tests: see dns_build.h. */
#include "dns_build.h"

#include <string.h>

uint32_t db_name(uint8_t *p, const char *dotted)
{
	uint32_t n = 0;

	while (*dotted) {
		const char *dot = strchr(dotted, '.');
		size_t len = dot ? (size_t)(dot - dotted) : strlen(dotted);

		p[n++] = (uint8_t)len;
		memcpy(p + n, dotted, len);
		n += (uint32_t)len;
		dotted += len + (dot ? 1 : 0);
	}
	p[n++] = 0;
	return n;
}
