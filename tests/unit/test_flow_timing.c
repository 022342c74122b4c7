/* SPDX-License-Identifier: BSD-3-Clause */
/* flow_timing analyzer: callbacks driven with hand-built flows and packet
 * views, findings captured by a stub an_emit. Links the real findings.c
 * and decode.c; app_label/app_carries_tunnels are stubbed here (not
 * app_id.c) so each test picks the label. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "an_stub.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analyzers/analyzer.h"
#include "analyzers/flow_timing/beacon.h"
#include "config/config.h"
#include "scan/app_id.h"
#include "decode/decode.h"

#define NS_PER_MS 1000000ull
#define NS_PER_S 1000000000ull
#define T0 1700000000000000000ull

extern const struct analyzer flow_timing_analyzer;

/* ---- stubs ---- */

#define MAX_FOUND 128

static bool stub_tunnel_like = true;

bool app_carries_tunnels(const struct flow *f)
{
	(void)f;
	return stub_tunnel_like;
}

/* ---- a tiny harness: one worker, flows built by hand ---- */

struct harness {
	struct tw_config cfg;
	void *wstate;
	struct an_ctx ctx;
};

struct tflow {
	struct flow f;
	void *st;
};

static uint64_t lcg_state;

static double lcg_uniform(void)
{
	lcg_state = lcg_state * 6364136223846793005ull + 1442695040888963407ull;
	return (double)(lcg_state >> 11) / 9007199254740992.0;
}

static void cfg_fill(struct tw_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->flowtiming.enabled = true;
	cfg->flowtiming.long_lived_min_ns = 600 * NS_PER_S;
	cfg->flowtiming.long_lived_max_bps = 512.0;
	cfg->flowtiming.beacon_min_events = 8;
	cfg->flowtiming.beacon_min_span_ns = 60 * NS_PER_S;
	cfg->flowtiming.beacon_min_score = 0.8;
	cfg->flowtiming.beacon_strong_score = 0.9;
	cfg->flowtiming.beacon_max_pairs = 1024;
}

static void harness_start(struct harness *h)
{
	const struct analyzer *a = &flow_timing_analyzer;

	h->wstate = calloc(1, a->worker_state_size);
	assert_non_null(h->wstate);
	assert_int_equal(a->worker_init(h->wstate, &h->cfg), 0);
	h->ctx.worker = NULL;
	h->ctx.cfg = &h->cfg;
	h->ctx.wstate = h->wstate;
	h->ctx.now_ns = 0;
	an_stub_reset();
	stub_app = "ssh";
	stub_tunnel_like = true;
}

static void harness_stop(struct harness *h)
{
	flow_timing_analyzer.worker_fini(h->wstate);
	free(h->wstate);
}

static void addr(struct ip_addr *a, const char *s)
{
	assert_int_equal(ip_addr_parse(s, a), 0);
}

static void tflow_open(struct tflow *t, const char *orig, const char *resp,
		       uint16_t sport, uint16_t dport, uint8_t proto,
		       uint64_t ts)
{
	static uint64_t next_id = 1;

	memset(&t->f, 0, sizeof(t->f));
	addr(&t->f.orig_addr, orig);
	addr(&t->f.resp_addr, resp);
	t->f.orig_port = sport;
	t->f.resp_port = dport;
	t->f.proto = proto;
	t->f.id = next_id++;
	t->f.first_ns = t->f.last_ns = ts;
	t->st = calloc(1, flow_timing_analyzer.flow_state_size);
	assert_non_null(t->st);
}

/* Accounts the packet as the flow table would, then calls on_packet. */
static void tflow_pkt(struct harness *h, struct tflow *t,
		      enum flow_dir_id dir, uint64_t ts, uint32_t payload,
		      uint8_t tcp_flags)
{
	struct flow *f = &t->f;
	struct pkt_view pv;
	uint32_t hdr = f->proto == TW_PROTO_TCP ? 40 : 28;

	memset(&pv, 0, sizeof(pv));
	pv.ts_ns = ts;
	pv.proto = f->proto;
	pv.tcp_flags = tcp_flags;
	pv.ip_len = hdr + payload;
	pv.payload_len = payload;
	pv.payload_wire_len = payload;
	f->side[dir].pkts++;
	f->side[dir].bytes += pv.ip_len;
	f->side[dir].payload_bytes += payload;
	if (ts > f->last_ns)
		f->last_ns = ts;
	if (dir == FLOW_DIR_RESP) {
		f->responded = 1;
		if ((tcp_flags & (TW_TCP_SYN | TW_TCP_ACK)) ==
		    (TW_TCP_SYN | TW_TCP_ACK))
			f->handshake_seen = 1;
	}
	h->ctx.now_ns = ts;
	flow_timing_analyzer.on_packet(&h->ctx, f, t->st, &pv, dir);
}

static void tflow_end(struct harness *h, struct tflow *t,
		      enum flow_end_reason why)
{
	flow_timing_analyzer.on_flow_end(&h->ctx, &t->f, t->st, why);
	free(t->st);
	t->st = NULL;
}

static unsigned count_kind(const char *kind)
{
	unsigned n = 0;

	for (unsigned i = 0; i < n_found; i++)
		n += strcmp(found[i].kind, kind) == 0;
	return n;
}

static const struct finding *nth_kind(const char *kind, unsigned nth)
{
	for (unsigned i = 0; i < n_found; i++)
		if (strcmp(found[i].kind, kind) == 0 && nth-- == 0)
			return &found[i];
	return NULL;
}

static bool summary_has(const struct finding *f, const char *text)
{
	return f && strstr(f->summary, text) != NULL;
}

static const struct finding_kv *detail(const struct finding *f,
				       const char *key)
{
	for (unsigned i = 0; i < f->n_detail; i++)
		if (strcmp(f->detail[i].key, key) == 0)
			return &f->detail[i];
	fail_msg("detail %s missing", key);
	return NULL;
}

/* A short TCP exchange like curl polling an API: handshake, request,
 * response, close. */
static void curl_like(struct harness *h, const char *orig, const char *resp,
		      uint16_t sport, uint64_t t, uint32_t req)
{
	struct tflow c;

	tflow_open(&c, orig, resp, sport, 443, TW_PROTO_TCP, t);
	tflow_pkt(h, &c, FLOW_DIR_ORIG, t, 0, TW_TCP_SYN);
	tflow_pkt(h, &c, FLOW_DIR_RESP, t + 20 * NS_PER_MS, 0,
		  TW_TCP_SYN | TW_TCP_ACK);
	tflow_pkt(h, &c, FLOW_DIR_ORIG, t + 40 * NS_PER_MS, req, TW_TCP_ACK);
	tflow_pkt(h, &c, FLOW_DIR_RESP, t + 90 * NS_PER_MS, 1200, TW_TCP_ACK);
	tflow_pkt(h, &c, FLOW_DIR_ORIG, t + 100 * NS_PER_MS, 0,
		  TW_TCP_FIN | TW_TCP_ACK);
	tflow_end(h, &c, FLOW_END_CLOSED);
}

/* ---- long-lived low-byte ---- */

static void test_long_lived_reported_once_while_open(void **state)
{
	struct harness h = { 0 };
	struct tflow t;
	const struct finding *f;
	uint64_t crossing = 0;

	(void)state;
	cfg_fill(&h.cfg);
	harness_start(&h);
	tflow_open(&t, "10.0.0.5", "198.51.100.7", 40000, 22, TW_PROTO_TCP,
		   T0);
	tflow_pkt(&h, &t, FLOW_DIR_ORIG, T0, 0, TW_TCP_SYN);
	tflow_pkt(&h, &t, FLOW_DIR_RESP, T0 + NS_PER_MS, 0,
		  TW_TCP_SYN | TW_TCP_ACK);
	/* a packet every 45 s for 30 minutes: ~2 B/s */
	for (uint64_t s = 45; s <= 1800; s += 45) {
		uint64_t ts = T0 + s * NS_PER_S;

		tflow_pkt(&h, &t, FLOW_DIR_ORIG, ts, 36, TW_TCP_ACK);
		if (!crossing && count_kind("flow.long_lived_low_byte"))
			crossing = ts;
	}
	assert_int_equal(count_kind("flow.long_lived_low_byte"), 1);
	/* the first packet at or past 600 s */
	assert_true(crossing == T0 + 630 * NS_PER_S);
	f = nth_kind("flow.long_lived_low_byte", 0);
	/* a shape on a tunnel-capable carrier: low, medium at a rare peer */
	assert_int_equal(f->severity, SEV_LOW);
	assert_int_equal(f->rare_severity, SEV_MEDIUM);
	assert_string_equal(detail(f, "shape_grade")->v.s, "tunnel-capable");
	assert_true(f->host_is_orig);
	assert_true(f->last_ns == crossing);
	assert_true(fabs(detail(f, "duration_s")->v.d - 630.0) < 1e-6);
	assert_true(detail(f, "bytes_per_sec")->v.d < 10.0);
	assert_string_equal(detail(f, "state")->v.s, "open");
	assert_string_equal(detail(f, "app")->v.s, "ssh");
	assert_int_equal(detail(f, "bytes_resp")->v.i, 40);
	assert_non_null(strstr(f->summary, "198.51.100.7:22 (ssh): 10m30s"));

	/* no second report, neither later nor at the end */
	tflow_end(&h, &t, FLOW_END_IDLE);
	assert_int_equal(count_kind("flow.long_lived_low_byte"), 1);
	harness_stop(&h);
}

static void test_long_lived_known_app_is_info(void **state)
{
	struct harness h = { 0 };
	struct tflow t;

	(void)state;
	cfg_fill(&h.cfg);
	harness_start(&h);
	stub_app = "tls";
	stub_tunnel_like = false;
	tflow_open(&t, "10.0.0.5", "203.0.113.9", 40001, 443, TW_PROTO_TCP,
		   T0);
	tflow_pkt(&h, &t, FLOW_DIR_ORIG, T0, 100, TW_TCP_ACK);
	tflow_pkt(&h, &t, FLOW_DIR_ORIG, T0 + 700 * NS_PER_S, 100, TW_TCP_ACK);
	assert_int_equal(count_kind("flow.long_lived_low_byte"), 1);
	assert_int_equal(nth_kind("flow.long_lived_low_byte", 0)->severity,
			 SEV_INFO);
	assert_int_equal(nth_kind("flow.long_lived_low_byte", 0)->rare_severity,
			 SEV_INFO);
	assert_string_equal(detail(nth_kind("flow.long_lived_low_byte", 0),
				   "shape_grade")->v.s, "known-protocol");
	tflow_end(&h, &t, FLOW_END_CLOSED);
	harness_stop(&h);
}

/* Switched off, the analyzer asks not to be called per packet at all. */
static void test_disabled_lets_go_of_packets(void **state)
{
	struct harness h = { 0 };
	struct tflow t;

	(void)state;
	cfg_fill(&h.cfg);
	harness_start(&h);
	tflow_open(&t, "10.0.0.5", "198.51.100.7", 40003, 443, TW_PROTO_TCP,
		   T0);
	flow_timing_analyzer.on_flow_new(&h.ctx, &t.f, t.st);
	assert_int_equal(n_packets_done, 0);
	h.cfg.flowtiming.enabled = false;
	flow_timing_analyzer.on_flow_new(&h.ctx, &t.f, t.st);
	assert_int_equal(n_packets_done, 1);
	h.cfg.flowtiming.enabled = true;
	tflow_end(&h, &t, FLOW_END_IDLE);
	harness_stop(&h);
}

static void test_long_lived_high_rate_not_reported(void **state)
{
	struct harness h = { 0 };
	struct tflow t;

	(void)state;
	cfg_fill(&h.cfg);
	harness_start(&h);
	tflow_open(&t, "10.0.0.5", "198.51.100.7", 40002, 443, TW_PROTO_TCP,
		   T0);
	/* 1400 B every second for 20 minutes: ~1.4 kB/s */
	for (uint64_t s = 0; s <= 1200; s++)
		tflow_pkt(&h, &t, FLOW_DIR_ORIG, T0 + s * NS_PER_S, 1360,
			  TW_TCP_ACK);
	tflow_end(&h, &t, FLOW_END_IDLE);
	assert_int_equal(count_kind("flow.long_lived_low_byte"), 0);
	harness_stop(&h);
}

static void test_long_lived_reported_at_end_of_input(void **state)
{
	struct harness h = { 0 };
	struct tflow t;
	const struct finding *f;

	(void)state;
	cfg_fill(&h.cfg);
	harness_start(&h);
	stub_app = "unknown";
	/* known only from its counters: no packet crossed the threshold
	 * while the analyzer watched */
	tflow_open(&t, "10.0.0.6", "192.0.2.44", 51000, 8443, TW_PROTO_TCP,
		   T0);
	t.f.last_ns = T0 + 7380 * NS_PER_S; /* 2h03m */
	t.f.side[FLOW_DIR_ORIG].pkts = 300;
	t.f.side[FLOW_DIR_ORIG].bytes = 200000;
	t.f.side[FLOW_DIR_RESP].pkts = 300;
	t.f.side[FLOW_DIR_RESP].bytes = 102580;
	t.f.responded = 1;
	t.f.handshake_seen = 1;
	h.ctx.now_ns = t.f.last_ns;
	tflow_end(&h, &t, FLOW_END_INPUT);

	assert_int_equal(count_kind("flow.long_lived_low_byte"), 1);
	f = nth_kind("flow.long_lived_low_byte", 0);
	assert_string_equal(detail(f, "state")->v.s, "open");
	assert_int_equal(detail(f, "packets")->v.i, 600);
	assert_int_equal(detail(f, "bytes_orig")->v.i, 200000);
	assert_true(fabs(detail(f, "bytes_per_sec")->v.d - 41.0) < 0.01);
	assert_string_equal(f->summary,
			    "long-lived low-byte tcp flow to 192.0.2.44:8443 "
			    "(unknown): 2h03m, 41 B/s");

	/* the same flow ending by idle timeout is "closed" */
	n_found = 0;
	tflow_open(&t, "10.0.0.6", "192.0.2.44", 51001, 8443, TW_PROTO_TCP,
		   T0);
	t.f.last_ns = T0 + 7380 * NS_PER_S;
	t.f.side[FLOW_DIR_ORIG].bytes = 1000;
	tflow_end(&h, &t, FLOW_END_IDLE);
	assert_int_equal(count_kind("flow.long_lived_low_byte"), 1);
	assert_string_equal(detail(nth_kind("flow.long_lived_low_byte", 0),
				   "state")->v.s, "closed");
	harness_stop(&h);
}

/* ---- beacons across connections ---- */

static void run_curl_beacon(struct harness *h, unsigned conns, uint64_t seed)
{
	uint64_t t = T0;

	lcg_state = seed;
	for (unsigned i = 0; i < conns; i++) {
		curl_like(h, "10.0.0.7", "203.0.113.80", (uint16_t)(50000 + i),
			  t, 180 + (uint32_t)(lcg_uniform() * 4));
		/* every 5 s +- 1 s */
		t += (uint64_t)((4.0 + 2.0 * lcg_uniform()) * (double)NS_PER_S);
	}
}

static void test_beacon_across_connections(void **state)
{
	struct harness h = { 0 };
	const struct finding *a, *b;
	int64_t first_conns;
	double median;

	(void)state;
	cfg_fill(&h.cfg);
	harness_start(&h);
	stub_app = "tls";
	stub_tunnel_like = true;
	run_curl_beacon(&h, 40, 2024);

	/* first report once 60 s are spanned, again when doubled */
	assert_int_equal(count_kind("flow.beacon"), 2);
	a = nth_kind("flow.beacon", 0);
	b = nth_kind("flow.beacon", 1);
	first_conns = detail(a, "connections")->v.i;
	assert_true(first_conns >= 9 && first_conns <= 20);
	assert_int_equal(detail(b, "connections")->v.i, 2 * first_conns);
	assert_string_equal(detail(a, "scope")->v.s, "connections");
	assert_string_equal(detail(a, "app")->v.s, "tls");
	assert_true(detail(a, "score")->v.d >= 0.8);
	median = detail(a, "interval_median_s")->v.d;
	assert_true(median > 4.0 && median < 6.0);
	assert_true(detail(a, "interval_mad_s")->v.d < 1.0);
	assert_true(a->first_ns == T0);
	assert_int_equal(a->resp_port, 443);
	assert_true(a->host_is_orig);
	/* a shape alone is low; a strong score rises to medium at a rare peer */
	assert_int_equal(a->severity, SEV_LOW);
	assert_int_equal(a->rare_severity, detail(a, "score")->v.d >= 0.9 ?
						   SEV_MEDIUM : SEV_LOW);
	assert_non_null(strstr(a->summary, "beacon to 203.0.113.80 every "));
	assert_non_null(strstr(a->summary, " connections"));
	/* short connections: no long-lived report */
	assert_int_equal(count_kind("flow.long_lived_low_byte"), 0);
	harness_stop(&h);
}

static void test_beacon_is_deterministic(void **state)
{
	struct harness h = { 0 };
	struct finding first[4];
	unsigned n;

	(void)state;
	cfg_fill(&h.cfg);
	harness_start(&h);
	run_curl_beacon(&h, 30, 77);
	n = n_found;
	assert_true(n >= 1 && n <= 4);
	memcpy(first, found, n * sizeof(first[0]));
	harness_stop(&h);

	harness_start(&h);
	run_curl_beacon(&h, 30, 77);
	assert_int_equal(n_found, n);
	for (unsigned i = 0; i < n; i++) {
		assert_string_equal(found[i].summary, first[i].summary);
		assert_true(detail(&found[i], "score")->v.d ==
			    detail(&first[i], "score")->v.d);
	}
	harness_stop(&h);
}

static void test_failed_attempts_ignored(void **state)
{
	struct harness h = { 0 };
	uint64_t t = T0;

	(void)state;
	cfg_fill(&h.cfg);
	harness_start(&h);
	lcg_state = 5;
	for (unsigned i = 0; i < 40; i++) {
		struct tflow c;

		/* SYN and its retransmissions, never answered */
		tflow_open(&c, "10.0.0.8", "198.51.100.99", (uint16_t)(40000 + i),
			   4444, TW_PROTO_TCP, t);
		tflow_pkt(&h, &c, FLOW_DIR_ORIG, t, 0, TW_TCP_SYN);
		tflow_pkt(&h, &c, FLOW_DIR_ORIG, t + NS_PER_S, 0, TW_TCP_SYN);
		tflow_end(&h, &c, FLOW_END_IDLE);

		/* refused: the answer is a RST */
		tflow_open(&c, "10.0.0.8", "198.51.100.98", (uint16_t)(40000 + i),
			   4444, TW_PROTO_TCP, t);
		tflow_pkt(&h, &c, FLOW_DIR_ORIG, t, 0, TW_TCP_SYN);
		tflow_pkt(&h, &c, FLOW_DIR_RESP, t + NS_PER_MS, 0,
			  TW_TCP_RST | TW_TCP_ACK);
		tflow_end(&h, &c, FLOW_END_CLOSED);

		/* unanswered UDP */
		tflow_open(&c, "10.0.0.8", "198.51.100.97", (uint16_t)(40000 + i),
			   53, TW_PROTO_UDP, t);
		tflow_pkt(&h, &c, FLOW_DIR_ORIG, t, 40, 0);
		tflow_end(&h, &c, FLOW_END_IDLE);

		t += (uint64_t)((4.0 + 2.0 * lcg_uniform()) * (double)NS_PER_S);
	}
	assert_int_equal(n_found, 0);

	/* the same schedule answered is a beacon: the filter, not the
	 * timing, kept the attempts out */
	run_curl_beacon(&h, 40, 5);
	assert_true(count_kind("flow.beacon") >= 1);
	harness_stop(&h);
}

static void test_irregular_timing_gated(void **state)
{
	/* gaps like scripted password guessing: sizes identical, timing
	 * lopsided (the bare RITA score passes, the timing part does not) */
	static const double gap_s[] = { 4.5, 11, 4, 10, 4, 15, 4, 6, 5 };
	const unsigned n = sizeof(gap_s) / sizeof(gap_s[0]) + 1;
	struct harness h = { 0 };
	uint64_t ts[16], t = T0;
	uint32_t sz[16];
	struct beacon_result r;

	(void)state;
	cfg_fill(&h.cfg);
	harness_start(&h);
	for (unsigned i = 0; i < n; i++) {
		ts[i] = t;
		sz[i] = 300; /* SYN 40 + request 220 + FIN 40 */
		curl_like(&h, "10.0.0.12", "192.0.2.22", (uint16_t)(6000 + i),
			  t, 180);
		if (i + 1 < n)
			t += (uint64_t)(gap_s[i] * (double)NS_PER_S);
	}
	/* the premise: over the report threshold, irregular in time */
	assert_int_equal(beacon_score(ts, sz, n, &r), 0);
	assert_true(r.score >= h.cfg.flowtiming.beacon_min_score);
	assert_true(r.ts_score < 0.7);
	assert_true(r.span_ms >= 60000.0);
	assert_int_equal(count_kind("flow.beacon"), 0);
	harness_stop(&h);
}

static void test_pair_table_full_replaces_lru(void **state)
{
	struct harness h = { 0 };
	char other[32];
	uint64_t t = T0;
	unsigned fresh = 0;
	const struct finding *f;

	(void)state;
	cfg_fill(&h.cfg);
	h.cfg.flowtiming.beacon_max_pairs = 16;
	harness_start(&h);

	/* pair A: five connections, then silence while the table churns */
	for (unsigned i = 0; i < 5; i++)
		curl_like(&h, "10.0.0.9", "203.0.113.1", (uint16_t)(1000 + i),
			  t + i * 5 * NS_PER_S, 200);
	/* pair B beacons every 5 s; two one-off pairs between its
	 * connections: 60 new pairs overflow 16 slots, B stays recent */
	for (unsigned i = 0; i < 30; i++, t += 5 * NS_PER_S) {
		curl_like(&h, "10.0.0.9", "203.0.113.2", (uint16_t)(2000 + i),
			  t, 200);
		for (unsigned k = 0; k < 2; k++, fresh++) {
			snprintf(other, sizeof(other), "198.18.%u.%u",
				 fresh / 200, fresh % 200 + 1);
			curl_like(&h, "10.0.0.9", other, 3000, t + NS_PER_S,
				  200);
		}
	}
	assert_int_equal(count_kind("flow.beacon"), 2);
	f = nth_kind("flow.beacon", 0);
	assert_non_null(f);
	assert_true(summary_has(f, "203.0.113.2 "));
	/* B's history survived the churn: 13 connections span 60 s */
	assert_int_equal(detail(f, "connections")->v.i, 13);

	/* A comes back: its old connections were replaced, it starts over */
	n_found = 0;
	for (unsigned i = 0; i < 13; i++)
		curl_like(&h, "10.0.0.9", "203.0.113.1", (uint16_t)(1100 + i),
			  t + i * 5 * NS_PER_S, 200);
	assert_int_equal(count_kind("flow.beacon"), 1);
	f = nth_kind("flow.beacon", 0);
	assert_non_null(f);
	assert_true(summary_has(f, "203.0.113.1 "));
	assert_int_equal(detail(f, "connections")->v.i, 13);
	harness_stop(&h);
}

/* ---- beacons inside one flow ---- */

static void keepalive_flow(struct harness *h, struct tflow *t,
			   unsigned count, double period_s, double jitter_s)
{
	uint64_t ts = T0;

	tflow_open(t, "10.0.0.10", "198.51.100.20", 45000, 2222, TW_PROTO_TCP,
		   T0);
	tflow_pkt(h, t, FLOW_DIR_ORIG, ts, 0, TW_TCP_SYN);
	tflow_pkt(h, t, FLOW_DIR_RESP, ts + NS_PER_MS, 0,
		  TW_TCP_SYN | TW_TCP_ACK);
	for (unsigned i = 0; i < count; i++) {
		ts += (uint64_t)((period_s +
				  jitter_s * (2.0 * lcg_uniform() - 1.0)) *
				 (double)NS_PER_S);
		/* SSH keepalive: one 36-byte record each way (two segments
		 * close together form one burst) */
		tflow_pkt(h, t, FLOW_DIR_ORIG, ts, 20, TW_TCP_ACK | TW_TCP_PSH);
		tflow_pkt(h, t, FLOW_DIR_ORIG, ts + 2 * NS_PER_MS, 16,
			  TW_TCP_ACK | TW_TCP_PSH);
		tflow_pkt(h, t, FLOW_DIR_RESP, ts + 30 * NS_PER_MS, 36,
			  TW_TCP_ACK | TW_TCP_PSH);
	}
}

static void test_inflow_keepalive_beacon(void **state)
{
	struct harness h = { 0 };
	struct tflow t;
	const struct finding *f;
	double median;

	(void)state;
	cfg_fill(&h.cfg);
	harness_start(&h);
	lcg_state = 31;
	keepalive_flow(&h, &t, 40, 30.0, 0.05);
	/* reported while the flow is open, once */
	assert_int_equal(count_kind("flow.beacon"), 1);
	tflow_end(&h, &t, FLOW_END_INPUT);
	assert_int_equal(count_kind("flow.beacon"), 1);
	f = nth_kind("flow.beacon", 0);
	assert_string_equal(detail(f, "scope")->v.s, "in-flow");
	/* the first scoring: beacon_min_events + 1 events */
	assert_int_equal(detail(f, "events")->v.i, 9);
	median = detail(f, "interval_median_s")->v.d;
	assert_true(median > 29.9 && median < 30.1);
	assert_true(detail(f, "score")->v.d >= 0.9);
	assert_true(detail(f, "size_score")->v.d > 0.99);
	/* ssh carries tunnels and the score is strong: low, medium at a
	 * rare peer */
	assert_int_equal(f->severity, SEV_LOW);
	assert_int_equal(f->rare_severity, SEV_MEDIUM);
	assert_non_null(strstr(f->summary,
			       "in-flow beacon to 198.51.100.20:2222 (ssh) every 30.0 s"));
	/* the flow is also long-lived and low-byte */
	assert_int_equal(count_kind("flow.long_lived_low_byte"), 1);
	harness_stop(&h);
}

static void test_inflow_known_app_is_info(void **state)
{
	struct harness h = { 0 };
	struct tflow t;

	(void)state;
	cfg_fill(&h.cfg);
	harness_start(&h);
	stub_app = "tls";
	stub_tunnel_like = false;
	lcg_state = 32;
	keepalive_flow(&h, &t, 20, 30.0, 0.05);
	tflow_end(&h, &t, FLOW_END_CLOSED);
	assert_int_equal(count_kind("flow.beacon"), 1);
	/* a protocol with a grammar of its own: reported, never counted */
	assert_int_equal(nth_kind("flow.beacon", 0)->severity, SEV_INFO);
	assert_int_equal(nth_kind("flow.beacon", 0)->rare_severity, SEV_INFO);
	harness_stop(&h);
}

static void test_inflow_sub_second_bursts_merge(void **state)
{
	struct harness h = { 0 };
	struct tflow t;

	(void)state;
	cfg_fill(&h.cfg);
	h.cfg.flowtiming.beacon_min_span_ns = 5 * NS_PER_S;
	harness_start(&h);
	lcg_state = 33;
	/* packets every 300 ms are one long burst, not a 0.3 s beacon */
	keepalive_flow(&h, &t, 400, 0.3, 0.0);
	tflow_end(&h, &t, FLOW_END_CLOSED);
	assert_int_equal(count_kind("flow.beacon"), 0);

	/* every 800 ms they are separate events: a sub-second beacon */
	keepalive_flow(&h, &t, 40, 0.8, 0.0);
	tflow_end(&h, &t, FLOW_END_CLOSED);
	assert_int_equal(count_kind("flow.beacon"), 1);
	assert_non_null(strstr(nth_kind("flow.beacon", 0)->summary,
			       "every 800 ms (+/-0 ms)"));
	harness_stop(&h);
}

static void test_irregular_traffic_no_beacon(void **state)
{
	struct harness h = { 0 };
	struct tflow t;
	uint64_t ts = T0;

	(void)state;
	cfg_fill(&h.cfg);
	harness_start(&h);
	lcg_state = 1234;
	tflow_open(&t, "10.0.0.11", "198.51.100.21", 45001, 22, TW_PROTO_TCP,
		   T0);
	tflow_pkt(&h, &t, FLOW_DIR_ORIG, ts, 0, TW_TCP_SYN);
	tflow_pkt(&h, &t, FLOW_DIR_RESP, ts + NS_PER_MS, 0,
		  TW_TCP_SYN | TW_TCP_ACK);
	/* an interactive session: random pauses and command sizes */
	for (unsigned i = 0; i < 80; i++) {
		ts += (uint64_t)(-20.0 * log(1.0 - lcg_uniform()) *
				 (double)NS_PER_S) + NS_PER_S;
		tflow_pkt(&h, &t, FLOW_DIR_ORIG, ts,
			  36 + 16 * (uint32_t)(lcg_uniform() * 40),
			  TW_TCP_ACK | TW_TCP_PSH);
		tflow_pkt(&h, &t, FLOW_DIR_RESP, ts + 40 * NS_PER_MS, 500,
			  TW_TCP_ACK | TW_TCP_PSH);
	}
	tflow_end(&h, &t, FLOW_END_CLOSED);
	assert_int_equal(count_kind("flow.beacon"), 0);
	harness_stop(&h);
}

static void test_disabled_does_nothing(void **state)
{
	struct harness h = { 0 };
	struct tflow t;

	(void)state;
	cfg_fill(&h.cfg);
	h.cfg.flowtiming.enabled = false;
	harness_start(&h);
	lcg_state = 34;
	keepalive_flow(&h, &t, 40, 30.0, 0.05);
	tflow_end(&h, &t, FLOW_END_INPUT);
	run_curl_beacon(&h, 40, 9);
	assert_int_equal(n_found, 0);
	harness_stop(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_long_lived_reported_once_while_open),
		cmocka_unit_test(test_long_lived_known_app_is_info),
		cmocka_unit_test(test_long_lived_high_rate_not_reported),
		cmocka_unit_test(test_disabled_lets_go_of_packets),
		cmocka_unit_test(test_long_lived_reported_at_end_of_input),
		cmocka_unit_test(test_beacon_across_connections),
		cmocka_unit_test(test_beacon_is_deterministic),
		cmocka_unit_test(test_failed_attempts_ignored),
		cmocka_unit_test(test_irregular_timing_gated),
		cmocka_unit_test(test_pair_table_full_replaces_lru),
		cmocka_unit_test(test_inflow_keepalive_beacon),
		cmocka_unit_test(test_inflow_known_app_is_info),
		cmocka_unit_test(test_inflow_sub_second_bursts_merge),
		cmocka_unit_test(test_irregular_traffic_no_beacon),
		cmocka_unit_test(test_disabled_does_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
