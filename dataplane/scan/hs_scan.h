/* SPDX-License-Identifier: BSD-3-Clause */
/* Per-worker scanning: one scratch, a preallocated pool of stream states,
 * one stream per flow direction over the inspected bytes. */
#ifndef TW_HS_SCAN_H
#define TW_HS_SCAN_H

#include <stddef.h>
#include <stdint.h>

#include "base/counters.h"
#include "flow/flow.h"

struct hs_db;
struct hs_scanner;

/* Called for each match; id is the pattern id, end the offset in the
 * direction's byte stream just past the match. Returns non-zero when no
 * pattern can matter in the rest of this stream: scanning it stops there
 * (counted) and its state goes back to the pool. */
typedef int (*scan_match_fn)(void *ctx, uint32_t id, uint64_t end);

struct hs_scanner *hs_scanner_create(const struct hs_db *db,
				     uint32_t max_streams, char *err,
				     size_t errlen);
void hs_scanner_destroy(struct hs_scanner *s);
size_t hs_scanner_memory(const struct hs_scanner *s);

/* Scans data as the next bytes of st's stream, opening the stream on first
 * use; a stream a match callback stopped is not scanned again. Returns 0,
 * or -1 when no stream could be had (pool exhausted, counted)
 * or Hyperscan failed (counted). */
int hs_scanner_feed(struct hs_scanner *s, struct flow_stream *st,
		    const uint8_t *data, uint32_t len, scan_match_fn fn,
		    void *ctx, struct tw_counters *ctr);

/* Closes st's stream (end-of-data matches are reported) and returns its
 * state to the pool. Safe on a stream that was never opened. */
void hs_scanner_close(struct hs_scanner *s, struct flow_stream *st,
		      scan_match_fn fn, void *ctx);

#endif
