/* SPDX-License-Identifier: BSD-3-Clause */
/* In-order TCP payload per direction: retransmissions dropped, a small
 * reordering window (a per-worker pool of segment copies), gaps marked, and
 * only the first `limit` bytes of each direction delivered. */
#ifndef TW_TCP_STREAM_H
#define TW_TCP_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/counters.h"
#include "flow/flow.h"
#include "decode/decode.h"

/* Receives in-order bytes; gap is true when bytes before data were lost. */
typedef void (*stream_deliver_fn)(void *ctx, struct flow *f,
				  enum flow_dir_id dir, const uint8_t *data,
				  uint32_t len, bool gap);

struct reorder_pool;

struct reorder_pool *reorder_pool_create(uint32_t slots, uint32_t slot_bytes);
void reorder_pool_destroy(struct reorder_pool *p);
size_t reorder_pool_memory(const struct reorder_pool *p);

/* Feeds one TCP segment (pv) of direction dir. Sets pv->retransmit when it
 * carried no new byte. Delivers what became in order, up to limit bytes per
 * direction; past the limit only next_seq is tracked. */
void tcp_stream_segment(struct reorder_pool *pool, struct flow *f,
			enum flow_dir_id dir, struct pkt_view *pv,
			uint32_t limit, stream_deliver_fn deliver, void *ctx,
			struct tw_counters *ctr);

/* Returns the flow's held segments to the pool (flow end). Held bytes are
 * delivered first, after a gap, so nothing inspected is silently lost. */
void tcp_stream_flush(struct reorder_pool *pool, struct flow *f,
		      uint32_t limit, stream_deliver_fn deliver, void *ctx,
		      struct tw_counters *ctr);

#endif
