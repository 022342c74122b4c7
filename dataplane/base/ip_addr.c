/* SPDX-License-Identifier: BSD-3-Clause */
/* ip_addr as text (base/net.h). */
#include "base/net.h"

#include <arpa/inet.h>

/* On a buffer too small the result is the empty string (never NULL while
 * len > 0), so callers can print it unconditionally. */
const char *ip_addr_format(const struct ip_addr *a, char *buf, unsigned len)
{
	const char *s;

	if (!buf || len == 0)
		return NULL;
	if (ip_addr_is_v4(a))
		s = inet_ntop(AF_INET, a->b + 12, buf, len);
	else
		s = inet_ntop(AF_INET6, a->b, buf, len);
	if (!s)
		buf[0] = '\0';
	return buf;
}

int ip_addr_parse(const char *s, struct ip_addr *a)
{
	uint8_t v4[4];

	if (!s || !a)
		return -1;
	if (inet_pton(AF_INET, s, v4) == 1) {
		ip_addr_from_v4(a, v4);
		return 0;
	}
	if (inet_pton(AF_INET6, s, a->b) == 1)
		return 0;
	return -1;
}
