/* SPDX-License-Identifier: BSD-3-Clause */
/* Per-flow state of the flow_timing analyzer, shared by its rules
 * (flow_timing.c: long-lived flows and answered connections;
 * beacon_inflow.c: in-flow beacon events). One flat struct on purpose:
 * nesting the in-flow part would pad every flow's state by 8 bytes, and
 * the state is kept for every flow slot. Zeroed at flow start. */
#ifndef TW_FLOW_TIMING_STATE_H
#define TW_FLOW_TIMING_STATE_H

#include <stdint.h>

/* In-flow beacon events kept per flow: a ring, the oldest overwritten. */
#define INFLOW_EVENTS 32

struct timing_flow {
	/* in-flow beacon (beacon_inflow.c) */
	uint64_t last_orig_payload_ns;
	/* Event start, ms after the flow's first packet (49 days fit). */
	uint32_t ev_ms[INFLOW_EVENTS];
	uint32_t ev_bytes[INFLOW_EVENTS];
	uint32_t n_events;          /* events seen, the ring keeps 32 */
	uint32_t scored_at;         /* n_events at the last scoring */
	/* long-lived rule and answered-connection test (flow_timing.c) */
	uint8_t long_lived_done;
	uint8_t inflow_done;        /* in-flow beacon reported: once per flow */
	uint8_t resp_answered;      /* responder sent something but a RST */
};

#endif
