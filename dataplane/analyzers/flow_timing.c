/* Flow timing: flows that stay open for long while carrying little
 * (flow.long_lived_low_byte) and traffic that repeats like a metronome
 * (flow.beacon), both across repeated connections of one host pair and
 * inside one long flow (keepalives of a tunnel).
 *
 * Long-lived flows are reported while still open, at the packet that
 * crosses the thresholds, since a tunnel may never close while we watch
 * (detection.md section 7.1); a flow that ends or is still open at the
 * end of the input without having been reported is checked once more.
 *
 * Beacons across connections: a per-worker table of host pairs
 * (originator, responder, protocol), bounded by beacon_max_pairs with the
 * least recently used pair replaced when full. Only answered connections
 * count (failed SYNs and unanswered datagrams are not a beacon's
 * heartbeat, rita #29). The decoder's pair hash sends every connection of
 * a pair to the same worker, so a pair's result depends only on its own
 * packets as long as the table has room.
 *
 * Beacons inside a flow: bursts of originator payload, a new burst
 * starting after 500 ms of originator silence. Scored from the first
 * moment enough events exist, again after every 8th further event, and
 * at the end of the flow; reported once per flow.
 *
 * Both beacon kinds need beacon_min_events intervals (events + 1, at most
 * the ring) spanning beacon_min_span, a score of beacon_min_score and a
 * timing part of BEACON_MIN_TS_SCORE. Times are the packets' own (never
 * the worker's clock), durations at flow end are last - first packet. */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzers/analyzer.h"
#include "analyzers/beacon.h"
#include "config.h"
#include "scan/app_id.h"

#define NS_PER_S 1000000000ull
#define NS_PER_MS 1000000ull

#define INFLOW_EVENTS 32
#define INFLOW_GAP_NS (500 * NS_PER_MS)
#define INFLOW_SCORE_EVERY 8

#define PAIR_RING BEACON_MAX_EVENTS
/* With a full ring a pair is rescored every 8th connection only: a busy
 * pair that is no beacon would otherwise pay a full scoring per flow. */
#define PAIR_RESCORE_EVERY 8
#define PAIR_MIN_BUCKETS 16
/* A beacon must be regular in time, whatever its sizes: with few events
 * the size, histogram and persistence parts come out near 1 for random
 * arrivals too (exponential gaps: timing part about 0.5), so a score over
 * the threshold with a timing part below this is not reported. Measured:
 * random-time, same-size pairs of 9 events pass 0.8 a quarter of the
 * time without this gate, 8 % with it; 5 s +- 1 s beacons pass 84 %. */
#define BEACON_MIN_TS_SCORE 0.7

struct ft_flow {
	uint64_t last_orig_payload_ns;
	/* Event start, ms after the flow's first packet (49 days fit). */
	uint32_t ev_ms[INFLOW_EVENTS];
	uint32_t ev_bytes[INFLOW_EVENTS];
	uint32_t n_events;          /* events seen, the ring keeps 32 */
	uint32_t scored_at;         /* n_events at the last scoring */
	uint8_t long_lived_done;
	uint8_t inflow_done;
	uint8_t resp_answered;      /* responder sent something but a RST */
};

struct pair {
	struct ip_addr orig, resp;
	uint8_t proto;
	uint8_t head;               /* next ring slot */
	uint8_t len;                /* ring slots filled */
	uint32_t chain;             /* next pair of the bucket, index + 1 */
	uint32_t lru_prev, lru_next; /* index + 1; prev is more recent */
	uint32_t conns;             /* answered connections seen */
	uint32_t reported_at;       /* conns at the last finding, 0 = none */
	uint64_t start_ns[PAIR_RING];
	uint32_t bytes[PAIR_RING];  /* originator IP bytes, saturated */
};

struct ft_worker {
	struct pair *pairs;         /* NULL: cross-connection beacons off */
	uint32_t *bucket;           /* first pair of each chain, index + 1 */
	uint32_t bucket_mask;
	uint32_t cap, used;
	uint32_t lru_head, lru_tail; /* most / least recently used, index + 1 */
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

static bool proto_has_ports(uint8_t proto)
{
	return proto == TW_PROTO_TCP || proto == TW_PROTO_UDP;
}

/* "1.2.3.4:443", "[2001:db8::1]:443", or the bare address without ports. */
static const char *format_peer(const struct flow *f, char *buf, size_t len)
{
	char addr[64];

	ip_addr_format(&f->resp_addr, addr, sizeof(addr));
	if (!proto_has_ports(f->proto))
		snprintf(buf, len, "%s", addr);
	else if (ip_addr_is_v4(&f->resp_addr))
		snprintf(buf, len, "%s:%u", addr, f->resp_port);
	else
		snprintf(buf, len, "[%s]:%u", addr, f->resp_port);
	return buf;
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

/* "5.0 s" from a second up, "200 ms" below: sub-second beacons exist. */
static const char *format_interval(double ms, char *buf, size_t len)
{
	if (ms >= 1000.0)
		snprintf(buf, len, "%.1f s", ms / 1000.0);
	else
		snprintf(buf, len, "%.0f ms", ms);
	return buf;
}

static uint32_t saturate_u32(uint64_t v)
{
	return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
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
	enum severity sev = app_is_tunnel_like(f) ? SEV_MEDIUM : SEV_LOW;
	const struct flow_side *orig = &f->side[FLOW_DIR_ORIG];
	const struct flow_side *resp = &f->side[FLOW_DIR_RESP];
	const char *app = app_label(f);
	char pbuf[16], peer[80], dur[32];
	struct finding fd;

	finding_init(&fd, f, "flow.long_lived_low_byte", sev);
	fd.last_ns = f->first_ns + dur_ns;
	/* under 10 B/s one decimal, so a near-silent flow does not read 0 */
	finding_summary(&fd, "long-lived low-byte %s flow to %s (%s): %s, %.*f B/s",
			proto_name(f->proto, pbuf, sizeof(pbuf)),
			format_peer(f, peer, sizeof(peer)), app,
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
				  struct ft_flow *st, uint64_t now)
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
				 struct ft_flow *st, enum flow_end_reason why)
{
	uint64_t dur_ns = flow_duration_ns(f);
	double bps;

	if (st->long_lived_done ||
	    !long_lived_low_byte(c->cfg, dur_ns, flow_total_bytes(f), &bps))
		return;
	st->long_lived_done = 1;
	long_lived_emit(c, f, dur_ns, bps, why == FLOW_END_INPUT);
}

/* ---- flow.beacon: shared ---- */

static bool beacon_reportable(const struct tw_config *cfg,
			      const struct beacon_result *r)
{
	return r->score >= cfg->flowtiming.beacon_min_score &&
	       r->ts_score >= BEACON_MIN_TS_SCORE;
}

static uint32_t beacon_needed_events(const struct tw_config *cfg,
				     uint32_t ring)
{
	uint64_t need = (uint64_t)cfg->flowtiming.beacon_min_events + 1;

	return need > ring ? ring : (uint32_t)need;
}

static enum severity beacon_severity(const struct tw_config *cfg,
				     const struct beacon_result *r,
				     bool needs_tunnel_like,
				     const struct flow *f)
{
	if (r->score < cfg->flowtiming.beacon_strong_score)
		return SEV_LOW;
	if (needs_tunnel_like && !app_is_tunnel_like(f))
		return SEV_LOW;
	return SEV_MEDIUM;
}

static void beacon_add_detail(struct finding *fd, const struct beacon_result *r,
			      const char *count_key, uint32_t count,
			      const char *app, const char *scope)
{
	finding_add_double(fd, "score", r->score);
	finding_add_int(fd, count_key, count);
	finding_add_double(fd, "interval_median_s",
			   r->interval_median_ms / 1000.0);
	finding_add_double(fd, "interval_mad_s", r->interval_mad_ms / 1000.0);
	finding_add_double(fd, "ts_score", r->ts_score);
	finding_add_double(fd, "size_score", r->size_score);
	finding_add_double(fd, "hist_score", r->hist_score);
	finding_add_double(fd, "dur_score", r->dur_score);
	finding_add_str(fd, "app", app);
	finding_add_str(fd, "scope", scope);
}

/* ---- flow.beacon inside one flow ---- */

static void inflow_emit(struct an_ctx *c, const struct flow *f,
			const struct ft_flow *st, const struct beacon_result *r,
			uint64_t first_event_ns)
{
	const char *app = app_label(f);
	char peer[80], every[24], mad[24];
	struct finding fd;

	finding_init(&fd, f, "flow.beacon",
		     beacon_severity(c->cfg, r, true, f));
	fd.first_ns = first_event_ns;
	finding_summary(&fd, "in-flow beacon to %s (%s) every %s (+/-%s), score %.2f, %u events",
			format_peer(f, peer, sizeof(peer)), app,
			format_interval(r->interval_median_ms, every,
					sizeof(every)),
			format_interval(r->interval_mad_ms, mad, sizeof(mad)),
			r->score, st->n_events);
	beacon_add_detail(&fd, r, "events", st->n_events, app, "in-flow");
	an_emit(c, &fd);
}

/* Scores the events in the ring (all complete when called). */
static void inflow_evaluate(struct an_ctx *c, const struct flow *f,
			    struct ft_flow *st)
{
	const struct tw_config *cfg = c->cfg;
	uint32_t len = st->n_events < INFLOW_EVENTS ? st->n_events :
						      INFLOW_EVENTS;
	uint32_t first = st->n_events - len;
	uint64_t ts[INFLOW_EVENTS];
	uint32_t bytes[INFLOW_EVENTS];
	struct beacon_result r;

	if (st->inflow_done || st->scored_at == st->n_events ||
	    len < beacon_needed_events(cfg, INFLOW_EVENTS))
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
	    !beacon_reportable(cfg, &r))
		return;
	st->inflow_done = 1;
	inflow_emit(c, f, st, &r, ts[0]);
}

static void inflow_on_orig_payload(struct an_ctx *c, const struct flow *f,
				   struct ft_flow *st, uint64_t now,
				   uint32_t payload)
{
	uint64_t last = st->last_orig_payload_ns;
	uint32_t need, slot;

	/* A packet stamped earlier than the last one joins its burst. */
	if (st->n_events > 0 && (now < last || now - last < INFLOW_GAP_NS)) {
		slot = (st->n_events - 1) % INFLOW_EVENTS;
		st->ev_bytes[slot] =
			saturate_u32((uint64_t)st->ev_bytes[slot] + payload);
		if (now > st->last_orig_payload_ns)
			st->last_orig_payload_ns = now;
		return;
	}
	/* A new event starts: the previous ones are complete. */
	need = beacon_needed_events(c->cfg, INFLOW_EVENTS);
	if (st->n_events >= need &&
	    (st->n_events - need) % INFLOW_SCORE_EVERY == 0)
		inflow_evaluate(c, f, st);

	slot = st->n_events % INFLOW_EVENTS;
	st->ev_ms[slot] = now > f->first_ns ?
		saturate_u32((now - f->first_ns) / NS_PER_MS) : 0;
	st->ev_bytes[slot] = payload;
	if (st->n_events < UINT32_MAX)
		st->n_events++;
	st->last_orig_payload_ns = now;
}

/* ---- flow.beacon across connections: the pair table ---- */

/* Fixed (runs repeat) and a word at a time: it runs once per flow end.
 * Only the chains' shape depends on it, never a result. */
static uint32_t pair_hash(const struct ip_addr *orig,
			  const struct ip_addr *resp, uint8_t proto)
{
	uint64_t w[4], h = proto;

	_Static_assert(sizeof(orig->b) == 16, "IPv6-sized addresses");
	memcpy(w, orig->b, 16);
	memcpy(w + 2, resp->b, 16);
	for (unsigned i = 0; i < 4; i++) {
		h = (h ^ w[i]) * 0x9e3779b97f4a7c15ull;
		h ^= h >> 29;
	}
	return (uint32_t)(h ^ (h >> 32));
}

static bool pair_matches(const struct pair *p, const struct flow *f)
{
	return p->proto == f->proto &&
	       memcmp(&p->orig, &f->orig_addr, sizeof(p->orig)) == 0 &&
	       memcmp(&p->resp, &f->resp_addr, sizeof(p->resp)) == 0;
}

static struct pair *pair_at(struct ft_worker *w, uint32_t idx1)
{
	return &w->pairs[idx1 - 1];
}

static void lru_unlink(struct ft_worker *w, uint32_t idx1)
{
	struct pair *p = pair_at(w, idx1);

	if (p->lru_prev)
		pair_at(w, p->lru_prev)->lru_next = p->lru_next;
	else
		w->lru_head = p->lru_next;
	if (p->lru_next)
		pair_at(w, p->lru_next)->lru_prev = p->lru_prev;
	else
		w->lru_tail = p->lru_prev;
	p->lru_prev = p->lru_next = 0;
}

static void lru_push_front(struct ft_worker *w, uint32_t idx1)
{
	struct pair *p = pair_at(w, idx1);

	p->lru_prev = 0;
	p->lru_next = w->lru_head;
	if (w->lru_head)
		pair_at(w, w->lru_head)->lru_prev = idx1;
	w->lru_head = idx1;
	if (!w->lru_tail)
		w->lru_tail = idx1;
}

static void chain_unlink(struct ft_worker *w, uint32_t idx1)
{
	struct pair *p = pair_at(w, idx1);
	uint32_t *link = &w->bucket[pair_hash(&p->orig, &p->resp, p->proto) &
				    w->bucket_mask];

	while (*link && *link != idx1)
		link = &pair_at(w, *link)->chain;
	if (*link)
		*link = p->chain;
	p->chain = 0;
}

/* A fresh slot, or the least recently used pair's slot when full. */
static uint32_t pair_take_slot(struct ft_worker *w)
{
	uint32_t idx1;

	if (w->used < w->cap)
		return ++w->used;
	idx1 = w->lru_tail;
	lru_unlink(w, idx1);
	chain_unlink(w, idx1);
	return idx1;
}

static struct pair *pair_get(struct ft_worker *w, const struct flow *f)
{
	uint32_t b = pair_hash(&f->orig_addr, &f->resp_addr, f->proto) &
		     w->bucket_mask;
	struct pair *p;
	uint32_t idx1;

	for (idx1 = w->bucket[b]; idx1; idx1 = pair_at(w, idx1)->chain) {
		if (pair_matches(pair_at(w, idx1), f)) {
			lru_unlink(w, idx1);
			lru_push_front(w, idx1);
			return pair_at(w, idx1);
		}
	}
	idx1 = pair_take_slot(w);
	p = pair_at(w, idx1);
	/* the rings are written before they are read (len counts them) */
	memset(p, 0, offsetof(struct pair, start_ns));
	p->orig = f->orig_addr;
	p->resp = f->resp_addr;
	p->proto = f->proto;
	p->chain = w->bucket[b];
	w->bucket[b] = idx1;
	lru_push_front(w, idx1);
	return p;
}

/* A connection that got an answer: a TCP handshake, or any responder
 * packet other than a RST (a refused SYN is a failed attempt). */
static bool flow_was_answered(const struct flow *f, const struct ft_flow *st)
{
	if (f->proto == TW_PROTO_TCP)
		return f->handshake_seen || (f->responded && st->resp_answered);
	return f->responded;
}

static void pair_emit(struct an_ctx *c, const struct flow *f,
		      const struct pair *p, const struct beacon_result *r,
		      uint64_t first_ns)
{
	const char *app = app_label(f);
	char addr[64], every[24], mad[24];
	struct finding fd;

	finding_init(&fd, f, "flow.beacon",
		     beacon_severity(c->cfg, r, false, f));
	fd.first_ns = first_ns;
	finding_summary(&fd, "beacon to %s every %s (+/-%s), score %.2f, %u connections",
			ip_addr_format(&f->resp_addr, addr, sizeof(addr)),
			format_interval(r->interval_median_ms, every,
					sizeof(every)),
			format_interval(r->interval_mad_ms, mad, sizeof(mad)),
			r->score, p->conns);
	beacon_add_detail(&fd, r, "connections", p->conns, app,
			  "connections");
	an_emit(c, &fd);
}

static void pair_evaluate(struct an_ctx *c, const struct flow *f,
			  struct pair *p)
{
	const struct tw_config *cfg = c->cfg;
	uint64_t lo = UINT64_MAX, hi = 0;
	struct beacon_result r;

	if (p->len < beacon_needed_events(cfg, PAIR_RING))
		return;
	/* Report again only once the connections doubled. */
	if (p->reported_at && p->conns < 2 * (uint64_t)p->reported_at)
		return;
	if (p->len == PAIR_RING && p->conns % PAIR_RESCORE_EVERY != 0)
		return;
	/* Flows end out of start order: the ring is not sorted. */
	for (unsigned i = 0; i < p->len; i++) {
		if (p->start_ns[i] < lo)
			lo = p->start_ns[i];
		if (p->start_ns[i] > hi)
			hi = p->start_ns[i];
	}
	if (hi - lo < cfg->flowtiming.beacon_min_span_ns)
		return;
	if (beacon_score(p->start_ns, p->bytes, p->len, &r) != 0 ||
	    !beacon_reportable(cfg, &r))
		return;
	p->reported_at = p->conns;
	pair_emit(c, f, p, &r, lo);
}

static void pair_record(struct an_ctx *c, const struct flow *f,
			const struct ft_flow *st)
{
	struct ft_worker *w = c->wstate;
	struct pair *p;

	if (!w->pairs || !flow_was_answered(f, st))
		return;
	p = pair_get(w, f);
	p->start_ns[p->head] = f->first_ns;
	p->bytes[p->head] = saturate_u32(f->side[FLOW_DIR_ORIG].bytes);
	p->head = (uint8_t)((p->head + 1) % PAIR_RING);
	if (p->len < PAIR_RING)
		p->len++;
	if (p->conns < UINT32_MAX)
		p->conns++;
	pair_evaluate(c, f, p);
}

/* ---- analyzer callbacks ---- */

static uint32_t next_pow2(uint32_t v)
{
	uint32_t p = PAIR_MIN_BUCKETS;

	while (p < v && p < (1u << 31))
		p <<= 1;
	return p;
}

static int ft_worker_init(void *wstate, const struct tw_config *cfg)
{
	struct ft_worker *w = wstate;
	uint32_t nb;

	if (!cfg->flowtiming.enabled || cfg->flowtiming.beacon_max_pairs == 0)
		return 0;
	nb = next_pow2(cfg->flowtiming.beacon_max_pairs);
	w->pairs = calloc(cfg->flowtiming.beacon_max_pairs, sizeof(*w->pairs));
	w->bucket = calloc(nb, sizeof(*w->bucket));
	if (!w->pairs || !w->bucket) {
		free(w->pairs);
		free(w->bucket);
		w->pairs = NULL;
		w->bucket = NULL;
		return -ENOMEM;
	}
	w->bucket_mask = nb - 1;
	w->cap = cfg->flowtiming.beacon_max_pairs;
	return 0;
}

static void ft_worker_fini(void *wstate)
{
	struct ft_worker *w = wstate;

	free(w->pairs);
	free(w->bucket);
	memset(w, 0, sizeof(*w));
}

/* Switched off in the config: no call per packet at all. */
static void ft_on_flow_new(struct an_ctx *c, struct flow *f, void *state)
{
	(void)state;
	if (!c->cfg->flowtiming.enabled)
		an_packets_done(c, f);
}

static void ft_on_packet(struct an_ctx *c, struct flow *f, void *state,
			 const struct pkt_view *pv, enum flow_dir_id dir)
{
	struct ft_flow *st = state;

	/* The packet's own time, not the worker's clock: a pair's result must
	 * not depend on other flows' packets. */
	if (!c->cfg->flowtiming.enabled)
		return;
	if (dir == FLOW_DIR_RESP &&
	    !(pv->proto == TW_PROTO_TCP && (pv->tcp_flags & TW_TCP_RST)))
		st->resp_answered = 1;
	if (dir == FLOW_DIR_ORIG && pv->payload_wire_len > 0 &&
	    !pv->retransmit)
		inflow_on_orig_payload(c, f, st, pv->ts_ns,
				       pv->payload_wire_len);
	long_lived_check_open(c, f, st, pv->ts_ns);
}

static void ft_on_flow_end(struct an_ctx *c, struct flow *f, void *state,
			   enum flow_end_reason why)
{
	struct ft_flow *st = state;

	if (!c->cfg->flowtiming.enabled)
		return;
	long_lived_check_end(c, f, st, why);
	inflow_evaluate(c, f, st);
	pair_record(c, f, st);
}

const struct analyzer flow_timing_analyzer = {
	.name = "flow_timing",
	.flow_state_size = sizeof(struct ft_flow),
	.worker_state_size = sizeof(struct ft_worker),
	.match_lo = 0,
	.match_hi = 0,
	.worker_init = ft_worker_init,
	.worker_fini = ft_worker_fini,
	.on_flow_new = ft_on_flow_new,
	.on_packet = ft_on_packet,
	.on_flow_end = ft_on_flow_end,
};
