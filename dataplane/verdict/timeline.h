/* SPDX-License-Identifier: BSD-3-Clause */
/* The manager's memory of flows for the HTML report's timelines: one
 * conversation per (originator, responder, protocol, responder port), each
 * with a few of its flows as bars and histograms of its flow starts and
 * of the beacon events inside its flows (the ticks). Bounded (report.max_conversations,
 * report.bars_per_lane) and independent of the order flows arrive in, so
 * the report is the same with any number of workers:
 *  - the bars kept are the top bars_per_lane by a fixed order (longest
 *    first), whatever came first;
 *  - the histogram's bin width is the smallest power of two nanoseconds
 *    that fits the conversation's starts in TL_HIST_BINS bins: bins merge
 *    exactly when it doubles;
 *  - when the table is full, conversations are sampled by a hash of their
 *    key (keep those whose hash has `level` low zero bits, level raised
 *    until they fit): a conversation dropped once never passes again, so
 *    the ones kept have all their flows. */
#ifndef TW_TIMELINE_H
#define TW_TIMELINE_H

#include <stddef.h>
#include <stdint.h>

#include "base/net.h"

struct worker_flow_end;

#define TL_HIST_BINS 64
#define TL_MAX_BARS 64

struct tl_bar {
	uint64_t first_ns, last_ns;
	uint64_t bytes;            /* top bit: still open at the end */
};
#define TL_BAR_OPEN (1ULL << 63)

/* Times in TL_HIST_BINS bins of 2^shift ns from min>>shift. */
struct tl_hist {
	uint64_t min, max;
	uint64_t n;                /* times added */
	uint8_t shift;
	uint32_t bins[TL_HIST_BINS];
};

struct tl_conv {
	struct ip_addr orig, resp;
	uint16_t resp_port;
	uint8_t proto;
	uint8_t n_bars;
	uint16_t app;              /* the label of its largest flow */
	uint8_t pad[2];
	uint64_t hash;
	uint64_t flows, open_flows, bytes, pkts;
	uint64_t first_ns, last_ns;    /* first packet, last packet */
	uint64_t app_bytes;            /* bytes of the flow that set app */
	struct tl_hist starts;         /* flow starts */
	struct tl_hist events;         /* beacon events inside its flows */
	uint32_t bucket_next;          /* index+1 */
	struct tl_bar *bars;
};

struct timeline;

struct timeline *timeline_create(uint32_t max_conversations,
				 uint32_t bars_per_lane);
void timeline_destroy(struct timeline *tl);
void timeline_add(struct timeline *tl, const struct worker_flow_end *fe);

/* The conversations host took part in (either side), at most max, in no
 * particular order; returns how many were written. */
unsigned timeline_host_convs(const struct timeline *tl,
			     const struct ip_addr *host,
			     const struct tl_conv **out, unsigned max);
/* Every flow seen, kept or not; first and last packet time of the run
 * (0, 0 without flows). */
uint64_t timeline_flows(const struct timeline *tl);
void timeline_span(const struct timeline *tl, uint64_t *first_ns,
		   uint64_t *last_ns);
/* Flows of the conversations dropped by sampling (table full). */
uint64_t timeline_sampled_out(const struct timeline *tl);
size_t timeline_memory(const struct timeline *tl);

#endif
