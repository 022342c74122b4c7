/* SPDX-License-Identifier: BSD-3-Clause */
/* Beacon scoring: how machine-regular a series of events is, in the manner
 * RITA scores beacons (four parts of 0.25 each: interval dispersion, size
 * dispersion, histogram evenness, persistence), re-implemented from its
 * description with sub-second timestamps. Pure math: no flow types, no
 * allocation; beacon.c documents each part. */
#ifndef TW_BEACON_H
#define TW_BEACON_H

#include <stdint.h>

/* Callers keep at most this many events per series. */
#define BEACON_MAX_EVENTS 64
/* Fewer non-zero intervals than this score 0. */
#define BEACON_MIN_INTERVALS 3
/* Intervals shorter than this count as zero and are dropped: events this
 * close are one beacon (parallel connections), not two. */
#define BEACON_ZERO_INTERVAL_NS 1000000ull

struct beacon_result {
	double score;              /* 0-1: mean of the four parts below */
	double ts_score;           /* interval skew and MAD */
	double size_score;         /* size skew and MAD */
	double hist_score;         /* events spread evenly over the span */
	double dur_score;          /* longest stretch without a silent bin */
	uint32_t n;                /* events given */
	uint32_t n_intervals;      /* non-zero intervals kept */
	double interval_median_ms;
	double interval_mad_ms;    /* median absolute deviation */
	double span_ms;            /* first to last event */
};

/* Scores n events: ts_ns[i] is the time of event i (any order), sizes[i]
 * its size in bytes. Fills r (all zero but n and span_ms when fewer than
 * BEACON_MIN_INTERVALS intervals remain). Returns 0, or -EINVAL when n
 * exceeds BEACON_MAX_EVENTS or an array is missing (r is then zeroed). */
int beacon_score(const uint64_t *ts_ns, const uint32_t *sizes, unsigned n,
		 struct beacon_result *r);

#endif
