/* SPDX-License-Identifier: BSD-3-Clause */
/* flow.beacon inside one flow (keepalives of a tunnel): bursts of
 * originator payload, a new burst starting after 500 ms of
 * originator silence. Private to the flow_timing analyzer; the events live
 * in its per-flow state (flow_timing_state.h). */
#ifndef TW_BEACON_INFLOW_H
#define TW_BEACON_INFLOW_H

#include <stdint.h>

#include "analyzers/analyzer.h"
#include "analyzers/flow_timing/flow_timing_state.h"

/* An originator packet with payload (not a retransmission) at time now:
 * it joins the current burst or starts the next event, scoring the
 * complete ones when their count calls for it. */
void inflow_beacon_on_orig_payload(struct an_ctx *c, const struct flow *f,
				   struct timing_flow *st, uint64_t now,
				   uint32_t payload);

/* Scores the events in the ring, all taken as complete (the flow's end),
 * and reports a beacon once. */
void inflow_beacon_evaluate(struct an_ctx *c, const struct flow *f,
			    struct timing_flow *st);

#endif
