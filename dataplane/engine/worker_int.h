/* SPDX-License-Identifier: BSD-3-Clause */
/* A worker's state, internal to worker*.c: worker.c (creation, per-packet
 * dispatch, flow end, ticks, pattern swap) and worker_payload.c (payload
 * inspection and the Hyperscan glue) both work on it. */
#ifndef TW_WORKER_INT_H
#define TW_WORKER_INT_H

#include <stdint.h>

#include "analyzers/analyzer.h"
#include "base/counters.h"
#include "flow/flow.h"
#include "engine/worker.h"
#include "decode/decode.h"

struct defrag_table;

struct worker {
	struct worker_options opt;
	const struct tw_config *cfg;
	struct tw_counters ctr;
	struct worker_flow_stats fstats;
	struct flow_table *flows;
	struct reorder_pool *reorder;
	struct defrag_table *defrag;     /* NULL: defrag.max_datagrams 0 */
	struct hs_scanner *scanner;
	struct spsc_ring *findings;      /* producer: this worker */
	struct analyzer_layout layout;
	uint8_t *an_wstate;
	uint64_t now_ns;
	/* beacon events an analyzer offered for the flow being ended */
	uint32_t end_ev_ms[WORKER_FLOW_EVENTS];
	uint8_t end_n_ev;
	/* at most 16 analyzers (analyzers_layout()): 16-bit masks keep
	 * the worker's size (stats.memory) */
	uint16_t payload_mask;           /* analyzers_payload_mask() */
	uint16_t packet_mask;            /* analyzers_packet_mask() */
	uint16_t start_packet_mask;      /* analyzers_start_packet_mask() */
	uint16_t new_mask;               /* analyzers_new_mask() */
	uint16_t class_mask[3];          /* analyzers_class_mask(): TCP,
					    UDP, other flows */
	uint16_t door_mask;              /* analyzers_door_mask() */
	uint16_t inner_mask;             /* analyzers_inner_mask() */
	uint16_t match_mask;             /* analyzers_match_mask() */
	uint16_t end_mask;               /* analyzers_end_mask() */
	/* inner bytes of a framed door's chunk (worker_payload.c) */
	uint8_t unwrap_buf[4096];
};

static inline struct an_ctx worker_an_ctx(struct worker *w, unsigned i)
{
	struct an_ctx c = {
		.worker = w,
		.cfg = w->cfg,
		.wstate = w->an_wstate + w->layout.worker_off[i],
		.now_ns = w->now_ns,
		.index = i,
	};
	return c;
}

static inline void *flow_an_state(const struct worker *w, struct flow *f,
				  unsigned i)
{
	return f->an_state + w->layout.flow_off[i];
}

/* worker.c: a finding of the worker itself to the manager */
void worker_emit(struct worker *w, const struct finding *f);

/* worker_payload.c */
void scan_close(struct worker *w, struct flow *f, enum flow_dir_id dir);
void deliver_payload(void *ctx, struct flow *f, enum flow_dir_id dir,
		     const uint8_t *data, uint32_t len, bool gap);
void inspect_payload(struct worker *w, struct flow *f, enum flow_dir_id dir,
		     struct pkt_view *pv);

#endif
