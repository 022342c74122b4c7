/* SPDX-License-Identifier: BSD-3-Clause */
/* Address scope: which peers can be an egress destination at all. A flow
 * to a multicast group, a broadcast address, a link-local, loopback or
 * unspecified address never leaves the site, so its shape (long-lived,
 * periodic: HSRP, VRRP, IGMP, mDNS, LAN discovery) is never a tunnel's. */
#ifndef TW_IP_SCOPE_H
#define TW_IP_SCOPE_H

#include <stdbool.h>
#include <stdint.h>

#include "base/net.h"

static inline bool ip_v4_is_local_scope(const uint8_t *a)
{
	return a[0] == 0 ||                          /* 0.0.0.0/8 */
	       a[0] == 127 ||                        /* loopback */
	       (a[0] == 169 && a[1] == 254) ||       /* link-local */
	       (a[0] >= 224 && a[0] <= 239) ||       /* multicast */
	       (a[0] == 255 && a[1] == 255 && a[2] == 255 && a[3] == 255);
}

static inline bool ip_v6_is_local_scope(const uint8_t *a)
{
	static const uint8_t zero[15];
	bool low_zero = true;

	for (unsigned i = 0; i < 15; i++)
		if (a[i] != zero[i])
			low_zero = false;
	return (low_zero && a[15] <= 1) ||            /* :: and ::1 */
	       a[0] == 0xff ||                        /* multicast */
	       (a[0] == 0xfe && (a[1] & 0xc0) == 0x80); /* fe80::/10 */
}

/* RFC 1918, shared address space (RFC 6598) and unique local IPv6: a
 * site's own machines, often reached by a number (a gateway, a NAS, the
 * media address a SIP server hands out) rather than by a name. */
static inline bool ip_addr_is_private(const struct ip_addr *a)
{
	const uint8_t *v4 = &a->b[12];

	if (!ip_addr_is_v4(a))
		return (a->b[0] & 0xfe) == 0xfc;
	return v4[0] == 10 || (v4[0] == 172 && (v4[1] & 0xf0) == 16) ||
	       (v4[0] == 192 && v4[1] == 168) ||
	       (v4[0] == 100 && (v4[1] & 0xc0) == 64);
}

/* True for an address that is never an egress destination. */
static inline bool ip_addr_is_local_scope(const struct ip_addr *a)
{
	if (ip_addr_is_v4(a))
		return ip_v4_is_local_scope(&a->b[12]);
	return ip_v6_is_local_scope(a->b);
}

#endif
