/* SPDX-License-Identifier: BSD-3-Clause */
/* The list values of the config and their lookups: IP prefixes ("addr/len"
 * text -> struct ip_prefix, address in prefix list) and ports. Declared in
 * config.h because analyzers and hosts match against them per flow; kept
 * apart from loading because they run long after the file is read. */
#include "config/config.h"

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* IPv4 is stored IPv4-mapped (decode.h): ::ffff:a.b.c.d. */
static const uint8_t v4_mapped_head[12] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
};

/* Clears the bits past len: a prefix is stored as its network. */
static void addr_mask(struct ip_addr *a, unsigned len)
{
	for (unsigned i = 0; i < 16; i++) {
		unsigned bits = len > i * 8 ? len - i * 8 : 0;

		if (bits < 8)
			a->b[i] &= (uint8_t)(0xff00 >> bits);
	}
}

/* Digits only, no sign or spaces: inet_pton is as strict for the address. */
static int prefix_len_parse(const char *s, unsigned max, unsigned *len)
{
	unsigned v = 0;

	if (*s == '\0' || strlen(s) > 3)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (unsigned)(*s - '0');
	}
	if (v > max)
		return -1;
	*len = v;
	return 0;
}

int ip_prefix_parse(const char *s, struct ip_prefix *p)
{
	char text[INET6_ADDRSTRLEN + 8];
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	struct ip_addr a;
	unsigned len;
	uint8_t v4[4];

	if (alen == 0 || alen >= INET6_ADDRSTRLEN)
		return -1;
	memcpy(text, s, alen);
	text[alen] = '\0';

	memset(&a, 0, sizeof(a));
	if (inet_pton(AF_INET, text, v4) == 1) {
		memcpy(a.b, v4_mapped_head, sizeof(v4_mapped_head));
		memcpy(a.b + 12, v4, sizeof(v4));
		len = 32;
		if (slash && prefix_len_parse(slash + 1, 32, &len) < 0)
			return -1;
		len += 96;
	} else if (inet_pton(AF_INET6, text, a.b) == 1) {
		len = 128;
		if (slash && prefix_len_parse(slash + 1, 128, &len) < 0)
			return -1;
	} else {
		return -1;
	}
	/* "10.1.2.3/8" means 10.0.0.0/8: keep the network, drop host bits. */
	addr_mask(&a, len);
	p->addr = a;
	p->len = (uint8_t)len;
	return 0;
}

static bool prefix_match(const struct ip_prefix *p, const struct ip_addr *a)
{
	unsigned full = p->len / 8, rest = p->len % 8;
	uint8_t mask;

	if (memcmp(p->addr.b, a->b, full) != 0)
		return false;
	if (rest == 0)
		return true;
	mask = (uint8_t)(0xff00 >> rest);
	return (a->b[full] & mask) == p->addr.b[full];
}

bool prefix_list_contains(const struct prefix_list *l, const struct ip_addr *a)
{
	for (unsigned i = 0; i < l->n; i++)
		if (prefix_match(&l->p[i], a))
			return true;
	return false;
}

/* ---- ports ---- */

bool port_list_contains(const struct port_list *l, uint16_t port)
{
	for (unsigned i = 0; i < l->n; i++)
		if (l->p[i] == port)
			return true;
	return false;
}
