/* SPDX-License-Identifier: BSD-3-Clause */
/* Registered domain of a DNS name (the public suffix plus one label:
 * "a.b.example.co.uk" -> "example.co.uk") from libpsl with Debian's
 * publicsuffix list, behind a per-worker cache: a libpsl lookup costs
 * thousands of instructions, and a tunnel or a busy client repeats the
 * same suffixes. One per worker, not shared. */
#ifndef TW_DNS_REGDOM_H
#define TW_DNS_REGDOM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DNS_REGDOM_TEXT_MAX 256   /* a name's text, NUL included */

struct dns_regdom;

/* entries: cache slots (rounded up to a power of two). NULL on failure. */
struct dns_regdom *dns_regdom_create(uint32_t entries);
void dns_regdom_destroy(struct dns_regdom *r);
/* lower: a lower-case dotted name of len bytes (NUL-terminated). Returns
 * where inside lower its registered domain starts: lower itself when the
 * whole name is one, or is a public suffix, or has a single label. */
const char *dns_regdom_find(struct dns_regdom *r, const char *lower,
			    size_t len);

/* Whether domain (a registered domain as dns_regdom_find returns it) sits
 * under a suffix of the public suffix list itself, not under the list's
 * catch-all rule: "example.edu" yes, "test.txt" no. A libpsl lookup:
 * call it rarely. */
bool dns_regdom_listed(const struct dns_regdom *r, const char *domain);

#endif
