/* SPDX-License-Identifier: BSD-3-Clause */
/* A worker's payload inspection: in-order bytes of each direction go to
 * Hyperscan first, then to the analyzers that still want them; inspection
 * of a flow ends at the byte limit or when every analyzer let go of it. */
#include <string.h>

#include "engine/worker_int.h"

#include "config/config.h"
#include "flow/tcp_stream.h"
#include "scan/hs_scan.h"
#include "decode/decode.h"

/* What a Hyperscan match callback is about: on the scanning call's
 * stack, as in Hyperscan's examples, not parked on the worker. */
struct scan_ctx {
	struct worker *w;
	struct flow *flow;
	enum flow_dir_id dir;
};

/* Non-zero stops the stream: an analyzer ended scanning of the flow
 * (an_scan_done: app_id, once a label leaves nothing to match). */
static int on_scan_match(void *ctx, uint32_t id, uint64_t end)
{
	const struct scan_ctx *sc = ctx;
	struct worker *w = sc->w;

	for (uint32_t m = w->match_mask; m; m &= m - 1) {
		unsigned i = (unsigned)__builtin_ctz(m);
		const struct analyzer *a = analyzers[i];
		struct an_ctx c;

		if (id < a->match_lo || id > a->match_hi)
			continue;
		c = worker_an_ctx(w, i);
		a->on_match(&c, sc->flow, flow_an_state(w, sc->flow, i),
			    sc->dir, id, end);
	}
	return sc->flow->scan_ended;
}

void scan_close(struct worker *w, struct flow *f, enum flow_dir_id dir)
{
	struct flow_stream *st = &f->side[dir].stream;
	struct scan_ctx sc = { w, f, dir };

	if (!st->hs_stream)
		return;
	hs_scanner_close(w->scanner, st, on_scan_match, &sc);
}

/* Restarts of a mid-stream direction's scan, at most. */
#define MIDSTREAM_RESYNCS 8

/* A direction picked up mid-stream (flow_table.c) may start inside a
 * message, where the app patterns, anchored at a stream's first byte,
 * cannot match. Messages of the line protocols start after a newline (a
 * request or status line, a JSON-RPC or Stratum object): until the flow
 * has a label, the scan starts a new Hyperscan stream after each newline,
 * MIDSTREAM_RESYNCS times at most. Unanchored patterns (stratum.hs) lose
 * nothing: no message they match spans a newline. */
static void scan_resync(struct worker *w, struct scan_ctx *sc,
			struct flow_stream *st, const uint8_t *data,
			uint32_t len)
{
	uint32_t off = 0;

	if (st->line_end) {
		st->line_end = 0;
		st->resyncs++;
		scan_close(w, sc->flow, sc->dir);
	}
	while (off < len) {
		const uint8_t *nl = memchr(data + off, '\n', len - off);
		uint32_t end = nl ? (uint32_t)(nl - data) + 1 : len;

		hs_scanner_feed(w->scanner, st, data + off, end - off,
				on_scan_match, sc, &w->ctr);
		off = end;
		if (!nl || st->scan_stopped || st->scan_failed)
			return;
		if (sc->flow->app || st->resyncs >= MIDSTREAM_RESYNCS) {
			if (off < len)
				hs_scanner_feed(w->scanner, st, data + off,
						len - off, on_scan_match, sc,
						&w->ctr);
			return;
		}
		if (off == len) {
			st->line_end = 1;   /* the next chunk starts a line */
			return;
		}
		st->resyncs++;
		scan_close(w, sc->flow, sc->dir);
	}
}

/* In-order bytes of one direction: scan first, so that analyzers see the
 * payload with every match up to its end already delivered. */
static void scan_and_analyze(struct worker *w, struct flow *f,
			     enum flow_dir_id dir, const uint8_t *data,
			     uint32_t len, bool gap)
{
	struct flow_stream *st = &f->side[dir].stream;

	if (!st->scan_failed && !f->scan_ended) {
		struct scan_ctx sc = { w, f, dir };

		if (__builtin_expect(f->midstream, 0) && !f->app &&
		    st->resyncs < MIDSTREAM_RESYNCS)
			scan_resync(w, &sc, st, data, len);
		else
			hs_scanner_feed(w->scanner, st, data, len,
					on_scan_match, &sc, &w->ctr);
	}
	/* only the analyzers still wanting payload: one that let go of the
	 * flow costs it nothing more */
	for (uint32_t m = f->payload_wanted; m; m &= m - 1) {
		unsigned i = (unsigned)__builtin_ctz(m);
		const struct analyzer *a = analyzers[i];
		struct an_ctx c;

		if (!a->on_payload)
			continue;
		c = worker_an_ctx(w, i);
		a->on_payload(&c, f, flow_an_state(w, f, i), dir, data, len,
			      gap);
	}
}

/* Where in data a tunnel's door opens, len when it does not. */
static uint32_t find_door(struct worker *w, struct flow *f,
			  enum flow_dir_id dir, const uint8_t *data,
			  uint32_t len)
{
	for (uint32_t m = f->payload_wanted & w->door_mask; m; m &= m - 1) {
		unsigned i = (unsigned)__builtin_ctz(m);
		struct an_ctx c = worker_an_ctx(w, i);
		uint32_t at = analyzers[i]->find_door(&c, f,
						      flow_an_state(w, f, i),
						      dir, data, len);

		if (at != UINT32_MAX)
			return at;
	}
	return UINT32_MAX;
}

/* A tunnel's door opened: both directions start over as a new stream.
 * Their Hyperscan streams are closed (the app patterns are anchored at a
 * stream's first byte, so a fresh stream makes them look at the inner
 * protocol's opening), offsets count from the inner start, and the
 * analyzers of stream contents start again with their bits set. */
static void inner_stream_start(struct worker *w, struct flow *f)
{
	for (int d = FLOW_DIR_ORIG; d <= FLOW_DIR_RESP; d++) {
		struct flow_stream *st = &f->side[d].stream;

		scan_close(w, f, (enum flow_dir_id)d);
		st->scan_stopped = 0;
		st->inspected = 0;
		st->done = 0;
	}
	f->scan_ended = 0;    /* the inner stream is labelled afresh */
	for (uint32_t m = w->inner_mask; m; m &= m - 1) {
		unsigned i = (unsigned)__builtin_ctz(m);
		struct an_ctx c = worker_an_ctx(w, i);

		f->payload_wanted |= (1u << i) & w->payload_mask;
		f->packets_wanted |= (1u << i) & w->packet_mask;
		analyzers[i]->on_inner_stream(&c, f, flow_an_state(w, f, i));
	}
	counter_inc(&w->ctr, TW_CTR_SCAN_INNER_STREAMS);
}

/* A framed inner stream (WebSocket, httptunnel body): the door's
 * analyzer removes the framing, the inner bytes are scanned and analysed
 * as the stream. Only flows behind such a door come here. */
static void deliver_framed(struct worker *w, struct flow *f,
			   enum flow_dir_id dir, const uint8_t *data,
			   uint32_t len, bool gap)
{
	unsigned i = (unsigned)__builtin_ctz(w->door_mask);
	struct an_ctx c = worker_an_ctx(w, i);
	void *st = flow_an_state(w, f, i);

	do {
		uint32_t n = len < sizeof(w->unwrap_buf) ?
				     len : (uint32_t)sizeof(w->unwrap_buf);
		uint32_t out = analyzers[i]->unwrap(&c, f, st, dir, data, n,
						    gap, w->unwrap_buf);

		if (out || gap)
			scan_and_analyze(w, f, dir, w->unwrap_buf, out, gap);
		gap = false;
		data += n;
		len -= n;
	} while (len);
}

static void deliver_inner(struct worker *w, struct flow *f,
			  enum flow_dir_id dir, const uint8_t *data,
			  uint32_t len, bool gap)
{
	if (f->framing)
		deliver_framed(w, f, dir, data, len, gap);
	else
		scan_and_analyze(w, f, dir, data, len, gap);
}

/* The chunk that holds a door is cut there: the bytes before it end the
 * outer stream, those after start the inner one. tcp_stream.c adds the
 * whole chunk to stream.inspected after this returns, so the offset is
 * set to what makes that sum the inner bytes delivered (unsigned
 * arithmetic wraps by definition). */
void deliver_payload(void *ctx, struct flow *f, enum flow_dir_id dir,
		     const uint8_t *data, uint32_t len, bool gap)
{
	struct worker *w = ctx;
	uint32_t at = UINT32_MAX;

	if (f->payload_wanted & w->door_mask)
		at = find_door(w, f, dir, data, len);
	if (at == UINT32_MAX) {
		deliver_inner(w, f, dir, data, len, gap);
		return;
	}
	if (at)
		deliver_inner(w, f, dir, data, at, gap);
	inner_stream_start(w, f);
	if (at < len)
		deliver_inner(w, f, dir, data + at, len - at, false);
	f->side[dir].stream.inspected = 0u - at;
}

/* Datagrams have no order to restore: each payload is the next bytes of
 * its direction until the inspection limit. */
static void inspect_datagram(struct worker *w, struct flow *f,
			     enum flow_dir_id dir, const struct pkt_view *pv)
{
	struct flow_stream *st = &f->side[dir].stream;
	uint32_t limit = w->cfg->flow.inspect_bytes;
	uint32_t n = pv->payload_len;

	if (st->done || n == 0)
		return;
	if (n > limit - st->inspected)
		n = limit - st->inspected;
	st->inspected += n;
	counter_add(&w->ctr, TW_CTR_PAYLOAD_INSPECTED, n);
	if (st->inspected >= limit)
		st->done = 1;
	deliver_payload(w, f, dir, pv->payload, n, false);
}

/* Nobody wants more of this flow's payload: both directions are done and
 * their streams go back to the pool. */
static void inspection_end(struct worker *w, struct flow *f)
{
	for (int d = FLOW_DIR_ORIG; d <= FLOW_DIR_RESP; d++) {
		f->side[d].stream.done = 1;
		scan_close(w, f, (enum flow_dir_id)d);
	}
}

/* Bytes under sequence numbers already seen, but different: a segment
 * the IDS or the receiver does not keep (Ptacek and Newsham's insertion
 * and evasion). Reported once per flow direction, on the sender. */
static void report_tcp_overlap(struct worker *w, struct flow *f,
			       enum flow_dir_id dir)
{
	struct flow_stream *st = &f->side[dir].stream;
	struct finding fd;

	if (st->overlap_reported)
		return;
	st->overlap_reported = 1;
	finding_init(&fd, f, FK_EVASION_TCP_OVERLAP, SEV_MEDIUM);
	fd.host_is_orig = dir == FLOW_DIR_ORIG;
	finding_summary(&fd, "TCP segment resent with different bytes "
			"under the same sequence numbers");
	finding_add_str(&fd, "policy", "first copy inspected");
	worker_emit(w, &fd);
}

void inspect_payload(struct worker *w, struct flow *f, enum flow_dir_id dir,
		     struct pkt_view *pv)
{
	struct flow_stream *st = &f->side[dir].stream;

	if (!f->payload_wanted) {
		if (pv->proto == TW_PROTO_TCP) { /* retransmissions still flagged */
			tcp_stream_segment(w->reorder, f, dir, pv, 0,
					   deliver_payload, w, &w->ctr);
			if (pv->overlap_conflict)
				report_tcp_overlap(w, f, dir);
		}
		return;
	}
	if (pv->proto == TW_PROTO_TCP) {
		tcp_stream_segment(w->reorder, f, dir, pv,
				   w->cfg->flow.inspect_bytes, deliver_payload,
				   w, &w->ctr);
		if (pv->overlap_conflict)
			report_tcp_overlap(w, f, dir);
	} else
		inspect_datagram(w, f, dir, pv);
	/* inspection ends at the limit: the stream's state goes back to the
	 * pool now rather than at flow end */
	if (!f->payload_wanted)
		inspection_end(w, f);
	else if (st->done && st->hs_stream)
		scan_close(w, f, dir);
}
