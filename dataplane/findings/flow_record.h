/* SPDX-License-Identifier: BSD-3-Clause */
/* One ended flow as the HTML report's timeline draws it: a record a
 * worker sends to the manager over the findings ring (WREC_FLOW_END) when
 * a flow ends, only with worker_options.flow_records. */
#ifndef TW_FLOW_RECORD_H
#define TW_FLOW_RECORD_H

#include <stdint.h>

#include "base/net.h"

/* Beacon events (in-flow bursts) a flow record carries at most. */
#define WORKER_FLOW_EVENTS 32

struct worker_flow_end {
	struct ip_addr orig, resp;
	uint16_t orig_port, resp_port;
	uint8_t proto;
	uint8_t open;          /* ended by the end of input: still open */
	uint16_t app;
	uint64_t first_ns, last_ns;
	uint64_t bytes;        /* both directions, IP bytes */
	uint64_t pkts;
	uint32_t n_events;     /* beacon events in ev_ms */
	uint32_t ev_ms[WORKER_FLOW_EVENTS]; /* ms after first_ns, oldest first */
};

#endif
