/* SPDX-License-Identifier: BSD-3-Clause */
/* The basic network types every layer shares: an address, the IP protocol
 * numbers and TCP flags, and address comparisons. No layer's header is
 * needed for them (decode.h is the decoder's, not everyone's). */
#ifndef TW_BASE_NET_H
#define TW_BASE_NET_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* An IPv4 address is stored as an IPv4-mapped IPv6 address
 * (::ffff:a.b.c.d) so that keys and host tables have one shape. */
struct ip_addr {
	uint8_t b[16];
};

enum {
	TW_PROTO_ICMP = 1,
	TW_PROTO_TCP = 6,
	TW_PROTO_UDP = 17,
	TW_PROTO_ICMPV6 = 58,
};

enum {
	TW_TCP_FIN = 0x01,
	TW_TCP_SYN = 0x02,
	TW_TCP_RST = 0x04,
	TW_TCP_PSH = 0x08,
	TW_TCP_ACK = 0x10,
};

static const uint8_t ip_v4_mapped_prefix[12] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
};

static inline bool ip_addr_is_v4(const struct ip_addr *a)
{
	return memcmp(a->b, ip_v4_mapped_prefix,
		      sizeof(ip_v4_mapped_prefix)) == 0;
}

static inline void ip_addr_from_v4(struct ip_addr *a, const uint8_t v4[4])
{
	memcpy(a->b, ip_v4_mapped_prefix, sizeof(ip_v4_mapped_prefix));
	memcpy(a->b + 12, v4, 4);
}

static inline int ip_addr_cmp(const struct ip_addr *a,
			      const struct ip_addr *b)
{
	return memcmp(a->b, b->b, sizeof(a->b));
}

/* Writes the printable form (dotted quad for IPv4-mapped) into buf. */
const char *ip_addr_format(const struct ip_addr *a, char *buf, unsigned len);
/* Parses "1.2.3.4" or an IPv6 text address; 0 on success, -1 otherwise. */
int ip_addr_parse(const char *s, struct ip_addr *a);

#endif
