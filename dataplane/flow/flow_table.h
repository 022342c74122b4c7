/* SPDX-License-Identifier: BSD-3-Clause */
/* Per-worker flow table: preallocated entries, chained hash on the
 * normalised 5-tuple, idle lists per timeout class ordered by last packet
 * time. Time is whatever the caller says it is (packet time offline). */
#ifndef TW_FLOW_TABLE_H
#define TW_FLOW_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "base/counters.h"
#include "flow/flow.h"
#include "flow/flow_key.h"
#include "decode/decode.h"

struct flow_table_config {
	uint32_t max_flows;
	uint32_t an_state_size;       /* per-flow analyzer state bytes */
	uint64_t tcp_idle_ns;
	uint64_t tcp_handshake_ns;
	uint64_t tcp_closed_ns;
	uint64_t udp_idle_ns;
	uint64_t other_idle_ns;
};

/* Called for every flow that leaves the table, before its entry is reused. */
typedef void (*flow_end_fn)(void *ctx, struct flow *f, enum flow_end_reason why);

struct flow_table;

struct flow_table *flow_table_create(const struct flow_table_config *cfg,
				     flow_end_fn on_end, void *ctx,
				     struct tw_counters *ctr);
void flow_table_destroy(struct flow_table *ft);

/* Finds the flow of pv, or creates it (evicting the oldest idle flow when
 * the table is full). A flow found but already past its timeout is ended
 * first and a new one created. *dir is the packet's direction relative to
 * the originator; *created tells whether the flow is new. */
struct flow *flow_table_lookup(struct flow_table *ft, const struct pkt_view *pv,
			       enum flow_dir_id *dir, int *created);
/* The same with hash = flow_view_hash(pv) computed beforehand, e.g. by
 * the offline reader on its own core. */
struct flow *flow_table_lookup_hashed(struct flow_table *ft,
				      const struct pkt_view *pv, uint32_t hash,
				      enum flow_dir_id *dir, int *created);
/* Starts loading the hash bucket of a packet that comes soon: the bucket
 * is the lookup's first cache miss. */
void flow_table_prefetch(const struct flow_table *ft, uint32_t hash);

/* Accounts the packet to the flow: counters, last time, TCP state,
 * sizes, idle-list position. */
void flow_table_update(struct flow_table *ft, struct flow *f,
		       enum flow_dir_id dir, const struct pkt_view *pv);

/* Ends every flow whose timeout has passed at now_ns. */
void flow_table_expire(struct flow_table *ft, uint64_t now_ns);

/* Ends every flow with FLOW_END_INPUT (end of input, shutdown). */
void flow_table_flush(struct flow_table *ft);

uint32_t flow_table_count(const struct flow_table *ft);
size_t flow_table_memory(const struct flow_table *ft);

/* Visits live flows (for the control socket); stops when fn returns non-0. */
int flow_table_foreach(struct flow_table *ft,
		       int (*fn)(void *ctx, const struct flow *f), void *ctx);

#endif
