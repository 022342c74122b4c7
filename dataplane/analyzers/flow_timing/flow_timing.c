/* SPDX-License-Identifier: BSD-3-Clause */
/* Flow timing: flows that stay open for long while carrying little
 * (flow.long_lived_low_byte) and traffic that repeats like a metronome
 * (flow.beacon), both across repeated connections of one host pair
 * (beacon_pairs.c) and inside one long flow, the keepalives of a tunnel
 * (beacon_inflow.c). This file holds the analyzer glue and the long-lived
 * rule; flow_timing_report.c the text and gates the rules share.
 *
 * Long-lived flows are reported while still open, at the packet that
 * crosses the thresholds, since a tunnel may never close while we watch
 * (detection.md section 7.1); a flow that ends or is still open at the
 * end of the input without having been reported is checked once more.
 *
 * Beacons across connections count only answered connections (failed
 * SYNs and unanswered datagrams are not a beacon's heartbeat, rita #29).
 *
 * Both beacon kinds need beacon_min_events intervals (events + 1, at most
 * the ring) spanning beacon_min_span, a score of beacon_min_score and a
 * timing part of BEACON_MIN_TS_SCORE. Times are the packets' own (never
 * the worker's clock), durations at flow end are last - first packet. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "analyzers/analyzer.h"
#include "analyzers/flow_timing/beacon_inflow.h"
#include "analyzers/flow_timing/beacon_pairs.h"
#include "analyzers/flow_timing/flow_timing_report.h"
#include "analyzers/flow_timing/flow_timing_state.h"
#include "config/config.h"
#include "scan/app_id.h"
#include "decode/decode.h"

struct timing_worker {
	struct beacon_pairs pairs;
};

/* ---- formatting ---- */

static const char *proto_name(uint8_t proto, char *buf, size_t len)
{
	switch (proto) {
	case TW_PROTO_TCP:
		return "tcp";
	case TW_PROTO_UDP:
		return "udp";
	case TW_PROTO_ICMP:
		return "icmp";
	case TW_PROTO_ICMPV6:
		return "ipv6-icmp";
	default:
		snprintf(buf, len, "proto %u", proto);
		return buf;
	}
}

/* "3d04h", "2h03m", "12m05s", "45s": two units are enough for people. */
static const char *format_duration(uint64_t ns, char *buf, size_t len)
{
	uint64_t s = ns / NS_PER_S;

	if (s >= 86400)
		snprintf(buf, len, "%" PRIu64 "d%02uh", s / 86400,
			 (unsigned)(s % 86400 / 3600));
	else if (s >= 3600)
		snprintf(buf, len, "%" PRIu64 "h%02um", s / 3600,
			 (unsigned)(s % 3600 / 60));
	else if (s >= 60)
		snprintf(buf, len, "%" PRIu64 "m%02us", s / 60,
			 (unsigned)(s % 60));
	else
		snprintf(buf, len, "%" PRIu64 "s", s);
	return buf;
}

/* ---- flow.long_lived_low_byte ---- */

/* Average rate over dur_ns when the flow is long-lived and low-byte. */
static bool long_lived_low_byte(const struct tw_config *cfg, uint64_t dur_ns,
				uint64_t bytes, double *bps)
{
	if (dur_ns == 0 || dur_ns < cfg->flowtiming.long_lived_min_ns)
		return false;
	*bps = (double)bytes / ((double)dur_ns / (double)NS_PER_S);
	return *bps <= cfg->flowtiming.long_lived_max_bps;
}

static void long_lived_emit(struct an_ctx *c, const struct flow *f,
			    uint64_t dur_ns, double bps, bool open)
{
	const struct flow_side *orig = &f->side[FLOW_DIR_ORIG];
	const struct flow_side *resp = &f->side[FLOW_DIR_RESP];
	const char *app = app_label(f);
	char pbuf[16], peer[80], dur[32];
	struct finding fd;

	finding_init(&fd, f, FK_FLOW_LONG_LIVED_LOW_BYTE, SEV_INFO);
	timing_grade_shape(&fd, f, SEV_MEDIUM);
	fd.last_ns = f->first_ns + dur_ns;
	/* under 10 B/s one decimal, so a near-silent flow does not read 0 */
	finding_summary(&fd, "long-lived low-byte %s flow to %s (%s): %s, %.*f B/s",
			proto_name(f->proto, pbuf, sizeof(pbuf)),
			timing_format_peer(f, peer, sizeof(peer)), app,
			format_duration(dur_ns, dur, sizeof(dur)),
			bps < 9.95 ? 1 : 0, bps);
	finding_add_double(&fd, "duration_s",
			   (double)dur_ns / (double)NS_PER_S);
	finding_add_int(&fd, "bytes_orig", (int64_t)orig->bytes);
	finding_add_int(&fd, "bytes_resp", (int64_t)resp->bytes);
	finding_add_double(&fd, "bytes_per_sec", bps);
	finding_add_int(&fd, "packets", (int64_t)(orig->pkts + resp->pkts));
	finding_add_str(&fd, "app", app);
	finding_add_str(&fd, "state", open ? "open" : "closed");
	an_emit(c, &fd);
}

static void long_lived_check_open(struct an_ctx *c, const struct flow *f,
				  struct timing_flow *st, uint64_t now)
{
	uint64_t dur_ns;
	double bps;

	if (st->long_lived_done || now <= f->first_ns)
		return;
	dur_ns = now - f->first_ns;
	if (!long_lived_low_byte(c->cfg, dur_ns, flow_total_bytes(f), &bps))
		return;
	st->long_lived_done = 1;
	long_lived_emit(c, f, dur_ns, bps, true);
}

/* Flows that ended quietly (no packet after the threshold), or that are
 * still open when the input ends. */
static void long_lived_check_end(struct an_ctx *c, const struct flow *f,
				 struct timing_flow *st, enum flow_end_reason why)
{
	uint64_t dur_ns = flow_duration_ns(f);
	double bps;

	if (st->long_lived_done ||
	    !long_lived_low_byte(c->cfg, dur_ns, flow_total_bytes(f), &bps))
		return;
	st->long_lived_done = 1;
	long_lived_emit(c, f, dur_ns, bps, why == FLOW_END_INPUT);
}

/* ---- flow.beacon across connections: which connections count ---- */

/* A connection that got an answer: a TCP handshake, or any responder
 * packet other than a RST (a refused SYN is a failed attempt). */
static bool flow_was_answered(const struct flow *f, const struct timing_flow *st)
{
	if (f->proto == TW_PROTO_TCP)
		return f->handshake_seen || (f->responded && st->resp_answered);
	return f->responded;
}

/* ---- analyzer callbacks ---- */

static int timing_worker_init(void *wstate, const struct tw_config *cfg)
{
	struct timing_worker *w = wstate;

	if (!cfg->flowtiming.enabled)
		return 0;
	return beacon_pairs_init(&w->pairs, cfg->flowtiming.beacon_max_pairs);
}

static void timing_worker_fini(void *wstate)
{
	struct timing_worker *w = wstate;

	beacon_pairs_fini(&w->pairs);
	memset(w, 0, sizeof(*w));
}

/* Switched off in the config: no call per packet at all. */
static void timing_on_flow_new(struct an_ctx *c, struct flow *f, void *state)
{
	(void)state;
	if (!c->cfg->flowtiming.enabled)
		an_packets_done(c, f);
}

static void timing_on_packet(struct an_ctx *c, struct flow *f, void *state,
			 const struct pkt_view *pv, enum flow_dir_id dir)
{
	struct timing_flow *st = state;

	/* The packet's own time, not the worker's clock: a pair's result must
	 * not depend on other flows' packets. */
	if (!c->cfg->flowtiming.enabled)
		return;
	if (dir == FLOW_DIR_RESP &&
	    !(pv->proto == TW_PROTO_TCP && (pv->tcp_flags & TW_TCP_RST)))
		st->resp_answered = 1;
	if (dir == FLOW_DIR_ORIG && pv->payload_wire_len > 0 &&
	    !pv->retransmit)
		inflow_beacon_on_orig_payload(c, f, st, pv->ts_ns,
					      pv->payload_wire_len);
	long_lived_check_open(c, f, st, pv->ts_ns);
}

/* The in-flow events still in the ring, oldest first, for the HTML
 * report's timeline. */
static void inflow_events_offer(struct an_ctx *c, const struct timing_flow *st)
{
	uint32_t ev[INFLOW_EVENTS];
	uint32_t len = st->n_events < INFLOW_EVENTS ? st->n_events :
						      INFLOW_EVENTS;
	uint32_t first = st->n_events - len;

	if (len < 2)
		return;
	for (uint32_t i = 0; i < len; i++)
		ev[i] = st->ev_ms[(first + i) % INFLOW_EVENTS];
	an_flow_events(c, ev, len);
}

static void timing_on_flow_end(struct an_ctx *c, struct flow *f, void *state,
			   enum flow_end_reason why)
{
	struct timing_flow *st = state;
	struct timing_worker *w = c->wstate;

	if (!c->cfg->flowtiming.enabled)
		return;
	long_lived_check_end(c, f, st, why);
	inflow_beacon_evaluate(c, f, st);
	inflow_events_offer(c, st);
	if (flow_was_answered(f, st))
		beacon_pairs_record(c, &w->pairs, f);
}

const struct analyzer flow_timing_analyzer = {
	.name = "flow_timing",
	.flow_state_size = sizeof(struct timing_flow),
	.worker_state_size = sizeof(struct timing_worker),
	.match_lo = 0,
	.match_hi = 0,
	.worker_init = timing_worker_init,
	.worker_fini = timing_worker_fini,
	.on_flow_new = timing_on_flow_new,
	.on_packet = timing_on_packet,
	.on_flow_end = timing_on_flow_end,
};
