/* SPDX-License-Identifier: BSD-3-Clause */
/* Private to the flow_timing analyzer (flow_timing.c, beacon_inflow.c,
 * beacon_pairs.c): time units, the text of its findings, and the gates a
 * beacon of either kind must pass before it is reported. Kept in one place
 * so that in-flow and cross-connection beacons read and rank alike. */
#ifndef TW_FLOW_TIMING_REPORT_H
#define TW_FLOW_TIMING_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyzers/flow_timing/beacon.h"
#include "config/config.h"
#include "flow/flow.h"
#include "findings/findings.h"

#define NS_PER_S 1000000000ull
#define NS_PER_MS 1000000ull

/* A beacon must be regular in time, whatever its sizes: with few events
 * the size, histogram and persistence parts come out near 1 for random
 * arrivals too (exponential gaps: timing part about 0.5), so a score over
 * the threshold with a timing part below this is not reported. Measured:
 * random-time, same-size pairs of 9 events pass 0.8 a quarter of the
 * time without this gate, 8 % with it; 5 s +- 1 s beacons pass 84 %. */
#define BEACON_MIN_TS_SCORE 0.7

/* Counters and sizes kept in 32 bits stop at the top instead of wrapping. */
static inline uint32_t saturate_u32(uint64_t v)
{
	return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

/* "1.2.3.4:443", "[2001:db8::1]:443", or the bare address without ports. */
const char *timing_format_peer(const struct flow *f, char *buf, size_t len);

/* "5.0 s" from a second up, "200 ms" below. */
const char *timing_format_interval(double ms, char *buf, size_t len);

/* Events a series needs before it is scored: beacon_min_events intervals,
 * at most the caller's ring. */
uint32_t timing_beacon_needed_events(const struct tw_config *cfg, uint32_t ring);

/* Score and timing part both high enough to report. */
bool timing_beacon_reportable(const struct tw_config *cfg,
			  const struct beacon_result *r);

/* Severity from the evidence model: info for local peers and protocols
 * with a grammar of their own, low for a tunnel-capable carrier, rising
 * to when_rare in the manager for a peer no other host talks to. */
void timing_grade_shape(struct finding *fd, const struct flow *f,
		    enum severity when_rare);

/* What a beacon rises to at a rare peer: medium for a strong score. */
enum severity timing_beacon_rare_severity(const struct tw_config *cfg,
				      const struct beacon_result *r);

/* The detail keys both beacon kinds carry; count_key names the series. */
void timing_beacon_add_detail(struct finding *fd, const struct beacon_result *r,
			  const char *count_key, uint32_t count,
			  const char *app, const char *scope);

#endif
