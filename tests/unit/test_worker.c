/* SPDX-License-Identifier: BSD-3-Clause */
/* The worker pipeline end to end, without threads: crafted packets in,
 * counters and findings on the ring out. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "config/config.h"
#include "pkt_build.h"
#include "engine/ring.h"
#include "scan/hs_db.h"
#include "findings/findings.h"
#include "engine/worker.h"
#include "worker_fixture.h"
#include "decode/decode.h"
#include "analyzers/analyzer.h"

#define SEC 1000000000ull

static int setup(void **state)
{
	static struct worker_fixture fx;

	worker_fixture_config(&fx);
	worker_fixture_start(&fx);
	*state = &fx;
	return 0;
}

static int teardown(void **state)
{
	worker_fixture_stop(*state);
	return 0;
}

static void send_tcp(struct worker *w, uint64_t ts, const char *src,
		     const char *dst, uint16_t sport, uint16_t dport,
		     uint8_t flags, uint32_t seq, const char *payload)
{
	struct pb_spec s = {
		.linktype = TW_LINK_ETHERNET,
		.src = src, .dst = dst, .proto = TW_PROTO_TCP,
		.sport = sport, .dport = dport, .tcp_flags = flags, .seq = seq,
		.payload = payload,
		.payload_len = payload ? (uint32_t)strlen(payload) : 0,
	};
	uint8_t buf[PB_MAX_FRAME];
	uint32_t n = pb_build(&s, buf, sizeof(buf));
	struct pkt p;

	assert_true(n > 0);
	pb_pkt(&p, buf, n, ts, TW_LINK_ETHERNET);
	worker_process(w, &p);
}

/* Collects the kinds of the findings waiting on the ring. */
static unsigned drain_kinds(struct spsc_ring *r, const char **kinds,
			    unsigned max)
{
	const struct finding *f;
	uint32_t len, type;
	unsigned n = 0;

	while ((f = spsc_ring_peek(r, &len, &type)) != NULL) {
		if (type == WREC_FINDING && n < max)
			kinds[n++] = f->kind;
		spsc_ring_pop(r);
	}
	return n;
}

static int has_kind(const char **kinds, unsigned n, const char *kind)
{
	for (unsigned i = 0; i < n; i++)
		if (strcmp(kinds[i], kind) == 0)
			return 1;
	return 0;
}

static void test_counts_packets_and_drops(void **state)
{
	struct worker_fixture *fx = *state;
	uint8_t junk[10] = { 0 };
	struct pkt p;
	const struct tw_counters *c;

	send_tcp(fx->w, 1 * SEC, "10.0.0.1", "10.0.0.2", 40000, 22,
		 TW_TCP_SYN, 100, NULL);
	pb_pkt(&p, junk, sizeof(junk), 2 * SEC, TW_LINK_ETHERNET);
	worker_process(fx->w, &p);
	c = worker_counters(fx->w);
	assert_int_equal(c->v[TW_CTR_PKTS], 2);
	assert_int_equal(c->v[TW_CTR_DROP_L2_TRUNCATED], 1);
	assert_int_equal(c->v[TW_CTR_FLOWS_CREATED], 1);
}

static void test_ssh_banner_labels_flow_and_long_lived_is_reported_open(void **state)
{
	struct worker_fixture *fx = *state;
	const char *kinds[8];
	const struct worker_flow_stats *fs;
	uint32_t cseq = 1000, sseq = 5000;
	unsigned n;

	send_tcp(fx->w, 1 * SEC, "10.0.0.1", "192.0.2.9", 41000, 4444,
		 TW_TCP_SYN, cseq - 1, NULL);
	send_tcp(fx->w, 1 * SEC + 1000, "192.0.2.9", "10.0.0.1", 4444, 41000,
		 TW_TCP_SYN | TW_TCP_ACK, sseq - 1, NULL);
	send_tcp(fx->w, 1 * SEC + 2000, "192.0.2.9", "10.0.0.1", 4444, 41000,
		 TW_TCP_ACK | TW_TCP_PSH, sseq, "SSH-2.0-OpenSSH_9.2\r\n");
	sseq += 21;
	/* a trickle for 20 minutes: one small packet a minute */
	for (unsigned i = 1; i <= 20; i++) {
		send_tcp(fx->w, (1 + 60 * i) * SEC, "10.0.0.1", "192.0.2.9",
			 41000, 4444, TW_TCP_ACK | TW_TCP_PSH, cseq, "xyzw");
		cseq += 4;
	}
	/* reported while still open: before any end of input */
	n = drain_kinds(fx->ring, kinds, 8);
	assert_true(has_kind(kinds, n, "flow.long_lived_low_byte"));
	/* one small packet a minute is also a beacon inside the flow */
	assert_true(has_kind(kinds, n, "flow.beacon"));
	assert_int_equal(n, 2);

	/* labelled by the banner; the ssh analyzer reads the client's first
	 * segment for its banner (issue 4), finds none and lets go: the
	 * rest of the trickle is never inspected */
	assert_int_equal(worker_counters(fx->w)->v[TW_CTR_PAYLOAD_INSPECTED],
			 21 + 4);
	worker_finish(fx->w);
	fs = worker_flow_stats(fx->w);
	assert_int_equal(fs->app_flows[1], 1); /* id 1 = ssh banner */
	assert_int_equal(worker_counters(fx->w)->v[TW_CTR_FLOWS_OPEN_AT_END], 1);
	/* already reported: the end of input does not report it twice */
	assert_int_equal(drain_kinds(fx->ring, kinds, 8), 0);
}

/* A TLS start ends scanning mid-buffer: the mining method after it is not
 * matched, while the same bytes in a plain JSON-RPC flow are. */
static void test_tls_label_stops_scanning(void **state)
{
	static const char rpc[] =
		"{\"id\":1,\"method\":\"mining.subscribe\",\"params\":[]}\n";
	/* record 22, TLS 1.0, a ClientHello for TLS 1.2 (no NUL bytes: the
	 * builder takes a C string) */
	static const char hello[] = "\x16\x03\x01\x02\x01\x01\x01\x01\xfc"
				    "\x03\x03";
	struct worker_fixture *fx = *state;
	const struct tw_counters *c = worker_counters(fx->w);
	char tls_then_rpc[128];
	uint64_t matches;

	snprintf(tls_then_rpc, sizeof(tls_then_rpc), "%s%s", hello, rpc);
	send_tcp(fx->w, 1 * SEC, "10.0.0.1", "192.0.2.9", 41000, 443,
		 TW_TCP_SYN, 99, NULL);
	send_tcp(fx->w, 1 * SEC + 1000, "192.0.2.9", "10.0.0.1", 443, 41000,
		 TW_TCP_SYN | TW_TCP_ACK, 499, NULL);
	send_tcp(fx->w, 1 * SEC + 2000, "10.0.0.1", "192.0.2.9", 41000, 443,
		 TW_TCP_ACK | TW_TCP_PSH, 100, tls_then_rpc);
	assert_int_equal(c->v[TW_CTR_SCAN_STREAMS_STOPPED], 1);
	assert_int_equal(c->v[TW_CTR_SCAN_MATCHES], 1);   /* the label */

	send_tcp(fx->w, 2 * SEC, "10.0.0.1", "192.0.2.9", 41001, 3333,
		 TW_TCP_SYN, 99, NULL);
	send_tcp(fx->w, 2 * SEC + 1000, "192.0.2.9", "10.0.0.1", 3333, 41001,
		 TW_TCP_SYN | TW_TCP_ACK, 499, NULL);
	matches = c->v[TW_CTR_SCAN_MATCHES];
	send_tcp(fx->w, 2 * SEC + 2000, "10.0.0.1", "192.0.2.9", 41001, 3333,
		 TW_TCP_ACK | TW_TCP_PSH, 100, rpc);
	/* the JSON-RPC label and mining.subscribe */
	assert_true(c->v[TW_CTR_SCAN_MATCHES] >= matches + 2);
	assert_int_equal(c->v[TW_CTR_SCAN_STREAMS_STOPPED], 1);
}

static void test_tick_expires_idle_flows(void **state)
{
	struct worker_fixture *fx = *state;
	const struct tw_counters *c = worker_counters(fx->w);

	send_tcp(fx->w, 10 * SEC, "10.0.0.3", "10.0.0.4", 40001, 80,
		 TW_TCP_SYN, 1, NULL);
	worker_tick(fx->w, 20 * SEC);
	assert_int_equal(c->v[TW_CTR_FLOWS_TIMED_OUT], 0);
	worker_tick(fx->w, 10 * SEC + fx->cfg.flow.tcp_handshake_ns + SEC);
	assert_int_equal(c->v[TW_CTR_FLOWS_TIMED_OUT], 1);
}

/* A disabled analyzer (its *.enabled key false) is left out of the
 * worker's masks: it never sees a flow's packets or payload, nor an inner
 * stream. Which key switches which analyzer off: */
static const struct {
	const char *analyzer;
	size_t key;     /* offset of its bool in struct tw_config */
} switched[] = {
	{ "ssh", offsetof(struct tw_config, ssh.enabled) },
	{ "tls_inner", offsetof(struct tw_config, ssh.enabled) },
	{ "icmp", offsetof(struct tw_config, icmp.enabled) },
	{ "dns_tunnel", offsetof(struct tw_config, dns.enabled) },
	{ "tunnel_service", offsetof(struct tw_config, tunnel.enabled) },
	{ "vpn", offsetof(struct tw_config, tunnel.enabled) },
	{ "fully_encrypted", offsetof(struct tw_config, tunnel.enabled) },
	{ "stratum", offsetof(struct tw_config, mining.enabled) },
	{ "pool_names", offsetof(struct tw_config, mining.enabled) },
};

static uint32_t all_masks(const struct tw_config *cfg)
{
	return analyzers_payload_mask(cfg) | analyzers_packet_mask(cfg) |
	       analyzers_door_mask(cfg) | analyzers_inner_mask(cfg);
}

static void test_disabled_analyzers_leave_the_masks(void **state)
{
	struct tw_config cfg;
	unsigned n_switched = 0;

	(void)state;
	for (unsigned i = 0; i < n_analyzers; i++) {
		const struct analyzer *a = analyzers[i];
		size_t key = 0;
		bool found = false;

		for (size_t k = 0; k < sizeof(switched) / sizeof(switched[0]); k++)
			if (strcmp(switched[k].analyzer, a->name) == 0) {
				key = switched[k].key;
				found = true;
			}
		config_defaults(&cfg);
		if (a->on_payload || a->on_match || a->find_door ||
		    a->on_packet || a->on_inner_stream)
			assert_int_not_equal(all_masks(&cfg) & (1u << i), 0);
		if (!found) {   /* always on (flow_timing checks its own key) */
			assert_null(a->enabled);
			continue;
		}
		n_switched++;
		assert_non_null(a->enabled);
		*(bool *)((char *)&cfg + key) = false;
		assert_false(a->enabled(&cfg));
		assert_int_equal(all_masks(&cfg) & (1u << i), 0);
	}
	assert_int_equal(n_switched, sizeof(switched) / sizeof(switched[0]));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_counts_packets_and_drops,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_ssh_banner_labels_flow_and_long_lived_is_reported_open,
			setup, teardown),
		cmocka_unit_test_setup_teardown(test_tls_label_stops_scanning,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_tick_expires_idle_flows,
						setup, teardown),
		cmocka_unit_test(test_disabled_analyzers_leave_the_masks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
