/* SPDX-License-Identifier: BSD-3-Clause */
/* flow.beacon inside one flow: the keepalives of a long tunnel flow are a
 * beacon even when the pair never reconnects. Scored from the first moment
 * enough events exist, again after every INFLOW_SCORE_EVERY further
 * events, and at the end of the flow; reported once per flow. Event times
 * are the packets' own, never the worker's clock. */
#include "analyzers/flow_timing/beacon_inflow.h"
#include "analyzers/flow_timing/flow_timing_report.h"
#include "scan/app_id.h"

/* Originator silence that ends a burst. */
#define INFLOW_GAP_NS (500 * NS_PER_MS)
/* Rescoring every event would cost a full scoring per burst of every
 * long flow; every 8th still catches a beacon soon after it settles. */
#define INFLOW_SCORE_EVERY 8

static void inflow_emit(struct an_ctx *c, const struct flow *f,
			const struct timing_flow *st,
			const struct beacon_result *r, uint64_t first_event_ns)
{
	const char *app = app_label(f);
	char peer[80], every[24], mad[24];
	struct finding fd;

	finding_init(&fd, f, FK_FLOW_BEACON, SEV_INFO);
	timing_grade_shape(&fd, f, timing_beacon_rare_severity(c->cfg, r));
	fd.first_ns = first_event_ns;
	finding_summary(&fd, "in-flow beacon to %s (%s) every %s (+/-%s), score %.2f, %u events",
			timing_format_peer(f, peer, sizeof(peer)), app,
			timing_format_interval(r->interval_median_ms, every,
					   sizeof(every)),
			timing_format_interval(r->interval_mad_ms, mad, sizeof(mad)),
			r->score, st->n_events);
	timing_beacon_add_detail(&fd, r, "events", st->n_events, app, "in-flow");
	an_emit(c, &fd);
}

void inflow_beacon_evaluate(struct an_ctx *c, const struct flow *f,
			    struct timing_flow *st)
{
	const struct tw_config *cfg = c->cfg;
	uint32_t len = st->n_events < INFLOW_EVENTS ? st->n_events :
						      INFLOW_EVENTS;
	uint32_t first = st->n_events - len;
	uint64_t ts[INFLOW_EVENTS];
	uint32_t bytes[INFLOW_EVENTS];
	struct beacon_result r;

	if (st->inflow_done || st->scored_at == st->n_events ||
	    len < timing_beacon_needed_events(cfg, INFLOW_EVENTS))
		return;
	st->scored_at = st->n_events;
	for (uint32_t i = 0; i < len; i++) {
		uint32_t slot = (first + i) % INFLOW_EVENTS;

		ts[i] = f->first_ns + (uint64_t)st->ev_ms[slot] * NS_PER_MS;
		bytes[i] = st->ev_bytes[slot];
	}
	/* The ring is in time order: oldest first. */
	if (ts[len - 1] - ts[0] < cfg->flowtiming.beacon_min_span_ns)
		return;
	if (beacon_score(ts, bytes, len, &r) != 0 ||
	    !timing_beacon_reportable(cfg, &r))
		return;
	st->inflow_done = 1;
	inflow_emit(c, f, st, &r, ts[0]);
}

/* A packet stamped earlier than the last one joins its burst too. */
static bool inflow_joins_burst(const struct timing_flow *st, uint64_t now)
{
	uint64_t last = st->last_orig_payload_ns;

	return st->n_events > 0 && (now < last || now - last < INFLOW_GAP_NS);
}

static void inflow_grow_burst(struct timing_flow *st, uint64_t now,
			      uint32_t payload)
{
	uint32_t slot = (st->n_events - 1) % INFLOW_EVENTS;

	st->ev_bytes[slot] =
		saturate_u32((uint64_t)st->ev_bytes[slot] + payload);
	if (now > st->last_orig_payload_ns)
		st->last_orig_payload_ns = now;
}

static void inflow_start_event(const struct flow *f, struct timing_flow *st,
			       uint64_t now, uint32_t payload)
{
	uint32_t slot = st->n_events % INFLOW_EVENTS;

	st->ev_ms[slot] = now > f->first_ns ?
		saturate_u32((now - f->first_ns) / NS_PER_MS) : 0;
	st->ev_bytes[slot] = payload;
	if (st->n_events < UINT32_MAX)
		st->n_events++;
	st->last_orig_payload_ns = now;
}

void inflow_beacon_on_orig_payload(struct an_ctx *c, const struct flow *f,
				   struct timing_flow *st, uint64_t now,
				   uint32_t payload)
{
	uint32_t need;

	if (inflow_joins_burst(st, now)) {
		inflow_grow_burst(st, now, payload);
		return;
	}
	/* A new event starts: the previous ones are complete. */
	need = timing_beacon_needed_events(c->cfg, INFLOW_EVENTS);
	if (st->n_events >= need &&
	    (st->n_events - need) % INFLOW_SCORE_EVERY == 0)
		inflow_beacon_evaluate(c, f, st);
	inflow_start_event(f, st, now, payload);
}
