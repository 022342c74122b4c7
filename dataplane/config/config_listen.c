/* SPDX-License-Identifier: BSD-3-Clause */
/* metrics.listen's syntax (metrics.h), apart from the exposition so the
 * config loader checks it without linking the host table. */
#include "config/config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int metrics_listen_parse(const char *s, char *addr, unsigned *port)
{
	char host[64] = "127.0.0.1", buf4[4], buf6[16];
	const char *p = s, *colon;
	char *end;
	unsigned long v;

	if (port)
		*port = 0;
	if (!s[0])
		return 0;
	if (s[0] == '[') {
		const char *close = strchr(s, ']');

		if (!close || close[1] != ':' || (size_t)(close - s - 1) >= 46)
			return -1;
		memcpy(host, s + 1, (size_t)(close - s - 1));
		host[close - s - 1] = '\0';
		if (inet_pton(AF_INET6, host, buf6) != 1)
			return -1;
		p = close + 2;
	} else if ((colon = strrchr(s, ':'))) {
		if ((size_t)(colon - s) >= 16)
			return -1;
		memcpy(host, s, (size_t)(colon - s));
		host[colon - s] = '\0';
		if (inet_pton(AF_INET, host, buf4) != 1)
			return -1;
		p = colon + 1;
	}
	if (*p < '0' || *p > '9')
		return -1;
	v = strtoul(p, &end, 10);
	if (*end || v < 1 || v > 65535)
		return -1;
	if (addr)
		snprintf(addr, 46, "%s", host);
	if (port)
		*port = (unsigned)v;
	return 0;
}
