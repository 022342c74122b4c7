/* SPDX-License-Identifier: BSD-3-Clause */
/* flow.beacon across connections: a per-worker table of host pairs
 * (originator, responder, protocol), each with a ring of its recent
 * connections' start times and sizes. Bounded by beacon_max_pairs, the
 * least recently used pair replaced when full. The decoder's pair hash
 * sends every connection of a pair to the same worker, so a pair's result
 * depends only on its own packets as long as the table has room. Private
 * to the flow_timing analyzer. */
#ifndef TW_BEACON_PAIRS_H
#define TW_BEACON_PAIRS_H

#include <stdint.h>

#include "analyzers/analyzer.h"
#include "base/index_list.h"

struct beacon_pair;
struct pair_ring;

struct beacon_pairs {
	struct beacon_pair *pairs;  /* NULL: cross-connection beacons off */
	struct pair_ring *rings;    /* one per pair past its inline events */
	uint32_t *bucket;           /* first pair of each chain, index + 1 */
	uint32_t bucket_mask;
	uint32_t cap, used;
	struct ilist lru;            /* most recently used first */
	uint32_t rings_used;        /* rings ever handed out */
	uint32_t ring_free;         /* free rings' chain, index + 1 */
};

/* Allocates room for max_pairs pairs; 0 leaves the table off. Returns 0
 * or -ENOMEM (the table is then off and holds nothing). */
int beacon_pairs_init(struct beacon_pairs *t, uint32_t max_pairs);
void beacon_pairs_fini(struct beacon_pairs *t);

/* Adds an answered connection f (at its end) to its pair's ring and
 * reports the pair when it now scores as a beacon. No-op when off. */
void beacon_pairs_record(struct an_ctx *c, struct beacon_pairs *t,
			 const struct flow *f);

#endif
