/* SPDX-License-Identifier: BSD-3-Clause */
/* Ties a mining pool's name to a later connection of the same host
 * (issue 5): a DNS answer for a pool name (mining.pool_name with the
 * resolved "addrs" and "ttl") and a long-lived or beaconing flow of that
 * host to one of those addresses (flow.long_lived_low_byte, flow.beacon),
 * even over TLS or on an odd port, make a high mining.pool_name on that
 * connection. The two come from different host pairs, so possibly from
 * different workers in any order: the link is made in the manager, when
 * the second of the two arrives, whichever it is, so the result does not
 * depend on the interleaving. */
#ifndef TW_MINING_LINK_H
#define TW_MINING_LINK_H

#include <stdint.h>

#include "verdict/hosts.h"

typedef void (*mining_link_add_fn)(void *ctx, const struct finding *f,
				   int host_is_orig);

/* f was just added to hst (host side host_is_orig). Calls add for every
 * linked finding it makes. A connection is linked when it started at most
 * max(ttl, min_ttl_ns) after the answer was seen (addresses are
 * remembered that long, a resolver's TTL of 0 included). */
void mining_link(const struct host *hst, const struct finding *f,
		 int host_is_orig, uint64_t min_ttl_ns, mining_link_add_fn add,
		 void *ctx);

#endif
