/* SPDX-License-Identifier: BSD-3-Clause */
/* Flow table: keys, originator, directions, timeouts, eviction, flush. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "flow/flow_table.h"
#include "decode/decode.h"

#define SEC 1000000000ULL
#define MAX_ENDS 16

struct ended {
	uint64_t id;
	uint64_t first_ns;
	uint64_t pkts;
	uint16_t orig_port;
	enum flow_end_reason why;
};

struct end_log {
	int n;
	struct ended e[MAX_ENDS];
};

static void on_end(void *ctx, struct flow *f, enum flow_end_reason why)
{
	struct end_log *log = ctx;

	assert_true(f->in_use);
	if (log->n >= MAX_ENDS)
		return;
	log->e[log->n].id = f->id;
	log->e[log->n].first_ns = f->first_ns;
	log->e[log->n].pkts = f->side[0].pkts + f->side[1].pkts;
	log->e[log->n].orig_port = f->orig_port;
	log->e[log->n].why = why;
	log->n++;
}

static struct flow_table_config test_cfg(uint32_t max_flows)
{
	struct flow_table_config c = {
		.max_flows = max_flows,
		.an_state_size = 32,
		.tcp_idle_ns = 300 * SEC,
		.tcp_handshake_ns = 20 * SEC,
		.tcp_closed_ns = 5 * SEC,
		.udp_idle_ns = 10 * SEC,
		.other_idle_ns = 30 * SEC,
	};
	return c;
}

struct fixture {
	struct flow_table *ft;
	struct tw_counters ctr;
	struct end_log log;
};

static struct fixture *fixture_new(uint32_t max_flows)
{
	static struct fixture fx;
	struct flow_table_config cfg = test_cfg(max_flows);

	memset(&fx, 0, sizeof(fx));
	fx.ft = flow_table_create(&cfg, on_end, &fx.log, &fx.ctr);
	assert_non_null(fx.ft);
	return &fx;
}

static void addr4(struct ip_addr *a, uint8_t x, uint8_t y, uint8_t z,
		  uint8_t w)
{
	memset(a, 0, sizeof(*a));
	a->b[10] = 0xff;
	a->b[11] = 0xff;
	a->b[12] = x;
	a->b[13] = y;
	a->b[14] = z;
	a->b[15] = w;
}

/* host A = 10.0.0.1, host B = 10.0.0.2 */
static struct pkt_view view(int from_a, uint8_t proto, uint16_t sport,
			    uint16_t dport, uint8_t flags, uint64_t ts)
{
	struct pkt_view pv;

	memset(&pv, 0, sizeof(pv));
	addr4(&pv.src, 10, 0, 0, from_a ? 1 : 2);
	addr4(&pv.dst, 10, 0, 0, from_a ? 2 : 1);
	pv.sport = sport;
	pv.dport = dport;
	pv.proto = proto;
	pv.ip_version = 4;
	pv.tcp_flags = flags;
	pv.ts_ns = ts;
	pv.ip_len = 40;
	return pv;
}

static struct flow *feed(struct fixture *fx, const struct pkt_view *pv,
			 enum flow_dir_id *dir, int *created)
{
	struct flow *f = flow_table_lookup(fx->ft, pv, dir, created);

	assert_non_null(f);
	flow_table_update(fx->ft, f, *dir, pv);
	return f;
}

static void test_both_directions_one_flow(void **state)
{
	struct fixture *fx = fixture_new(8);
	struct pkt_view syn = view(1, TW_PROTO_TCP, 40000, 22, TW_TCP_SYN, SEC);
	struct pkt_view sa = view(0, TW_PROTO_TCP, 22, 40000,
				  TW_TCP_SYN | TW_TCP_ACK, SEC + 1000);
	struct pkt_view ack = view(1, TW_PROTO_TCP, 40000, 22, TW_TCP_ACK,
				   SEC + 2000);
	struct flow_key k1, k2;
	enum flow_dir_id d;
	struct flow *f1, *f2, *f3;
	int created;

	(void)state;
	flow_key_from_view(&syn, &k1);
	flow_key_from_view(&sa, &k2);
	assert_memory_equal(&k1, &k2, sizeof(k1));
	assert_int_equal(flow_key_hash(&k1), flow_key_hash(&k2));
	/* the reader's hash from the view is the key's hash, either way */
	assert_int_equal(flow_view_hash(&syn), flow_key_hash(&k1));
	assert_int_equal(flow_view_hash(&sa), flow_key_hash(&k1));

	f1 = feed(fx, &syn, &d, &created);
	assert_int_equal(created, 1);
	assert_int_equal(d, FLOW_DIR_ORIG);
	assert_int_equal(f1->tcp_state, FLOW_TCP_SYN_SENT);
	f2 = feed(fx, &sa, &d, &created);
	assert_ptr_equal(f1, f2);
	assert_int_equal(created, 0);
	assert_int_equal(d, FLOW_DIR_RESP);
	assert_true(f1->handshake_seen);
	assert_true(f1->responded);
	assert_int_equal(f1->tcp_state, FLOW_TCP_SYN_SENT);
	f3 = feed(fx, &ack, &d, &created);
	assert_ptr_equal(f1, f3);
	assert_int_equal(d, FLOW_DIR_ORIG);
	assert_int_equal(f1->tcp_state, FLOW_TCP_ESTABLISHED);
	assert_int_equal(f1->side[FLOW_DIR_ORIG].pkts, 2);
	assert_int_equal(f1->side[FLOW_DIR_RESP].pkts, 1);
	assert_int_equal(f1->side[FLOW_DIR_ORIG].bytes, 80);
	assert_int_equal(flow_table_count(fx->ft), 1);
	assert_int_equal(fx->ctr.v[TW_CTR_FLOWS_CREATED], 1);
	assert_int_equal(f1->last_ns, SEC + 2000);
	assert_int_equal(flow_duration_ns(f1), 2000);
	flow_table_destroy(fx->ft);
}

static void test_originator_syn_sender(void **state)
{
	struct fixture *fx = fixture_new(8);
	/* B sends the SYN even though its address sorts higher */
	struct pkt_view syn = view(0, TW_PROTO_TCP, 5555, 443, TW_TCP_SYN, 1);
	enum flow_dir_id d;
	struct flow *f;
	int created;

	(void)state;
	f = feed(fx, &syn, &d, &created);
	assert_memory_equal(&f->orig_addr, &syn.src, sizeof(syn.src));
	assert_memory_equal(&f->resp_addr, &syn.dst, sizeof(syn.dst));
	assert_int_equal(f->orig_port, 5555);
	assert_int_equal(f->resp_port, 443);
	assert_int_equal(f->orig_is_key0, 0);
	assert_int_equal(f->proto, TW_PROTO_TCP);
	flow_table_destroy(fx->ft);
}

/* Picked up without a SYN: the side whose port looks like a client's
 * is the originator, whoever sent first (flow_table.c, midstream). */
static void test_originator_midstream_by_port(void **state)
{
	struct fixture *fx = fixture_new(8);
	/* the server (10.0.0.1:22) speaks first */
	struct pkt_view srv = view(1, TW_PROTO_TCP, 22, 51000, TW_TCP_ACK, SEC);
	/* a STOMP broker above the client's port, outside Linux's range */
	struct pkt_view stomp = view(1, TW_PROTO_TCP, 61613, 48512,
				     TW_TCP_ACK, SEC);
	/* neither port ephemeral: the higher is the client's */
	struct pkt_view cli = view(1, TW_PROTO_TCP, 20000, 3128, TW_TCP_ACK, SEC);
	/* with a SYN, the sender is the client whatever the ports */
	struct pkt_view syn = view(1, TW_PROTO_TCP, 40000, 80, TW_TCP_SYN, SEC);
	enum flow_dir_id d;
	struct flow *f;
	int created;

	(void)state;
	f = feed(fx, &srv, &d, &created);
	assert_int_equal(d, FLOW_DIR_RESP);
	assert_int_equal(f->orig_port, 51000);
	assert_int_equal(f->resp_port, 22);
	assert_true(f->midstream);
	assert_true(flow_roles_known(f));
	assert_int_equal(fx->ctr.v[TW_CTR_FLOWS_MIDSTREAM], 1);
	f = feed(fx, &stomp, &d, &created);
	assert_int_equal(f->orig_port, 48512);
	assert_int_equal(d, FLOW_DIR_RESP);
	f = feed(fx, &cli, &d, &created);
	assert_int_equal(f->orig_port, 20000);
	assert_int_equal(d, FLOW_DIR_ORIG);
	assert_false(flow_roles_known(f));   /* 20000: no ephemeral port */
	f = feed(fx, &syn, &d, &created);
	assert_int_equal(f->orig_port, 40000);
	assert_false(f->midstream);
	assert_int_equal(fx->ctr.v[TW_CTR_FLOWS_MIDSTREAM], 3);
	flow_table_destroy(fx->ft);
}

static void test_originator_synack_first(void **state)
{
	struct fixture *fx = fixture_new(8);
	struct pkt_view sa = view(0, TW_PROTO_TCP, 80, 33000,
				  TW_TCP_SYN | TW_TCP_ACK, 7);
	enum flow_dir_id d;
	struct flow *f;
	int created;

	(void)state;
	f = feed(fx, &sa, &d, &created);
	assert_memory_equal(&f->orig_addr, &sa.dst, sizeof(sa.dst));
	assert_int_equal(f->orig_port, 33000);
	assert_int_equal(f->resp_port, 80);
	assert_int_equal(d, FLOW_DIR_RESP);
	assert_int_equal(f->orig_is_key0, 1);
	assert_int_equal(f->tcp_state, FLOW_TCP_SYN_SENT);
	assert_true(f->handshake_seen);
	assert_int_equal(f->side[FLOW_DIR_RESP].pkts, 1);
	flow_table_destroy(fx->ft);
}

static void test_originator_mid_stream(void **state)
{
	struct fixture *fx = fixture_new(8);
	struct pkt_view data = view(0, TW_PROTO_TCP, 80, 33000,
				    TW_TCP_ACK | TW_TCP_PSH, 7);
	enum flow_dir_id d;
	struct flow *f;
	int created;

	(void)state;
	data.payload_wire_len = 100;
	f = feed(fx, &data, &d, &created);
	/* no SYN: the ephemeral port's side is the client, though the
	 * server (port 80) sent first */
	assert_memory_equal(&f->orig_addr, &data.dst, sizeof(data.dst));
	assert_int_equal(f->orig_port, 33000);
	assert_int_equal(d, FLOW_DIR_RESP);
	assert_int_equal(f->tcp_state, FLOW_TCP_ESTABLISHED);
	assert_false(f->handshake_seen);
	assert_true(f->midstream);
	assert_int_equal(f->side[FLOW_DIR_RESP].payload_bytes, 100);
	flow_table_destroy(fx->ft);
}

static void test_originator_icmp_echo_reply_first(void **state)
{
	struct fixture *fx = fixture_new(8);
	struct pkt_view rep = view(0, TW_PROTO_ICMP, 77, 77, 0, 1);
	struct pkt_view req = view(1, TW_PROTO_ICMP, 77, 77, 0, 2);
	struct pkt_view rep6 = view(0, TW_PROTO_ICMPV6, 9, 9, 0, 3);
	struct pkt_view req_b = view(0, TW_PROTO_ICMP, 5, 5, 0, 4);
	enum flow_dir_id d;
	struct flow *f, *g;
	int created;

	(void)state;
	rep.icmp_type = 0;
	req.icmp_type = 8;
	rep6.icmp_type = 129;
	req_b.icmp_type = 8;
	f = feed(fx, &rep, &d, &created);
	assert_memory_equal(&f->orig_addr, &rep.dst, sizeof(rep.dst));
	assert_int_equal(d, FLOW_DIR_RESP);
	assert_int_equal(f->tcp_state, FLOW_TCP_NONE);
	g = feed(fx, &req, &d, &created);
	assert_ptr_equal(f, g);
	assert_int_equal(d, FLOW_DIR_ORIG);

	f = feed(fx, &rep6, &d, &created);
	assert_memory_equal(&f->orig_addr, &rep6.dst, sizeof(rep6.dst));
	assert_int_equal(d, FLOW_DIR_RESP);

	f = feed(fx, &req_b, &d, &created);
	assert_memory_equal(&f->orig_addr, &req_b.src, sizeof(req_b.src));
	assert_int_equal(d, FLOW_DIR_ORIG);
	assert_int_equal(flow_table_count(fx->ft), 3);
	flow_table_destroy(fx->ft);
}

static void test_loopback_same_address(void **state)
{
	struct fixture *fx = fixture_new(8);
	struct pkt_view syn = view(1, TW_PROTO_TCP, 6000, 5000, TW_TCP_SYN, 1);
	struct pkt_view sa = view(1, TW_PROTO_TCP, 5000, 6000,
				  TW_TCP_SYN | TW_TCP_ACK, 2);
	enum flow_dir_id d;
	struct flow *f, *g;
	int created;

	(void)state;
	addr4(&syn.src, 127, 0, 0, 1);
	syn.dst = syn.src;
	sa.src = syn.src;
	sa.dst = syn.src;
	f = feed(fx, &syn, &d, &created);
	assert_int_equal(d, FLOW_DIR_ORIG);
	assert_int_equal(f->orig_port, 6000);
	assert_int_equal(f->resp_port, 5000);
	/* key0 is the lower port, the responder's */
	assert_int_equal(f->orig_is_key0, 0);
	g = feed(fx, &sa, &d, &created);
	assert_ptr_equal(f, g);
	assert_int_equal(created, 0);
	assert_int_equal(d, FLOW_DIR_RESP);
	assert_true(f->handshake_seen);
	flow_table_destroy(fx->ft);
}

static void test_idle_timeout_by_packet_time(void **state)
{
	struct fixture *fx = fixture_new(8);
	struct pkt_view u1 = view(1, TW_PROTO_UDP, 1000, 53, 0, 0);
	struct pkt_view u2 = view(0, TW_PROTO_UDP, 53, 1000, 0, 5 * SEC);
	struct pkt_view u3 = view(1, TW_PROTO_UDP, 1000, 53, 0, 16 * SEC);
	enum flow_dir_id d;
	struct flow *f;
	uint64_t old_id;
	int created;

	(void)state;
	f = feed(fx, &u1, &d, &created);
	old_id = f->id;
	/* 5 s after the first packet: within 10 s */
	feed(fx, &u2, &d, &created);
	assert_int_equal(created, 0);
	assert_int_equal(fx->log.n, 0);
	/* 11 s after the last packet: past 10 s */
	f = feed(fx, &u3, &d, &created);
	assert_int_equal(created, 1);
	assert_int_equal(fx->log.n, 1);
	assert_int_equal(fx->log.e[0].why, FLOW_END_IDLE);
	assert_int_equal(fx->log.e[0].id, old_id);
	assert_int_equal(fx->log.e[0].pkts, 2);
	assert_int_not_equal(f->id, old_id);
	assert_int_equal(f->first_ns, 16 * SEC);
	assert_int_equal(f->side[0].pkts, 1);
	assert_int_equal(fx->ctr.v[TW_CTR_FLOWS_TIMED_OUT], 1);
	assert_int_equal(fx->ctr.v[TW_CTR_FLOWS_ENDED], 1);
	assert_int_equal(fx->ctr.v[TW_CTR_FLOWS_CREATED], 2);
	assert_int_equal(flow_table_count(fx->ft), 1);
	flow_table_destroy(fx->ft);
}

/* SYN, SYN-ACK, ACK, FIN from A, FIN from B at t0 + i ms */
static struct flow *open_and_close(struct fixture *fx, uint64_t t0)
{
	struct pkt_view p[5] = {
		view(1, TW_PROTO_TCP, 40000, 80, TW_TCP_SYN, t0),
		view(0, TW_PROTO_TCP, 80, 40000, TW_TCP_SYN | TW_TCP_ACK,
		     t0 + 1000000),
		view(1, TW_PROTO_TCP, 40000, 80, TW_TCP_ACK, t0 + 2000000),
		view(1, TW_PROTO_TCP, 40000, 80, TW_TCP_ACK | TW_TCP_FIN,
		     t0 + 3000000),
		view(0, TW_PROTO_TCP, 80, 40000, TW_TCP_ACK | TW_TCP_FIN,
		     t0 + 4000000),
	};
	enum flow_dir_id d;
	struct flow *f = NULL;
	int created, i;

	for (i = 0; i < 5; i++) {
		f = feed(fx, &p[i], &d, &created);
		if (i == 3)
			assert_int_equal(f->tcp_state, FLOW_TCP_CLOSING);
	}
	assert_int_equal(f->tcp_state, FLOW_TCP_CLOSED);
	assert_true(f->fin_seen[0] && f->fin_seen[1]);
	return f;
}

static void test_close_timeout(void **state)
{
	struct fixture *fx = fixture_new(8);
	struct flow *f = open_and_close(fx, 100 * SEC);
	uint64_t closed_at = f->last_ns;
	struct pkt_view late_ack = view(1, TW_PROTO_TCP, 40000, 80, TW_TCP_ACK,
					closed_at + 4 * SEC);
	struct pkt_view later = view(1, TW_PROTO_TCP, 40000, 80, TW_TCP_ACK,
				     closed_at + 4 * SEC + 6 * SEC);
	enum flow_dir_id d;
	struct flow *g;
	int created;

	(void)state;
	/* within the 5 s close timeout: same flow, still closed */
	g = feed(fx, &late_ack, &d, &created);
	assert_ptr_equal(f, g);
	assert_int_equal(created, 0);
	assert_int_equal(g->tcp_state, FLOW_TCP_CLOSED);
	g = feed(fx, &later, &d, &created);
	assert_int_equal(created, 1);
	assert_int_equal(fx->log.n, 1);
	assert_int_equal(fx->log.e[0].why, FLOW_END_CLOSED);
	assert_int_equal(fx->ctr.v[TW_CTR_FLOWS_CLOSED], 1);
	assert_int_equal(fx->ctr.v[TW_CTR_FLOWS_TIMED_OUT], 0);
	/* picked up mid-stream: ACK without SYN */
	assert_int_equal(g->tcp_state, FLOW_TCP_ESTABLISHED);
	flow_table_destroy(fx->ft);
}

static void test_port_reuse_after_close(void **state)
{
	struct fixture *fx = fixture_new(8);
	struct flow *f = open_and_close(fx, SEC);
	uint64_t old_id = f->id;
	struct pkt_view syn = view(1, TW_PROTO_TCP, 40000, 80, TW_TCP_SYN,
				   f->last_ns + 1000);
	struct pkt_view rst = view(0, TW_PROTO_TCP, 80, 40000, TW_TCP_RST,
				   f->last_ns + 2000);
	enum flow_dir_id d;
	struct flow *g;
	int created;

	(void)state;
	g = feed(fx, &syn, &d, &created);
	assert_int_equal(created, 1);
	assert_int_equal(fx->log.n, 1);
	assert_int_equal(fx->log.e[0].why, FLOW_END_CLOSED);
	assert_int_equal(fx->log.e[0].id, old_id);
	assert_int_not_equal(g->id, old_id);
	assert_int_equal(g->tcp_state, FLOW_TCP_SYN_SENT);
	assert_int_equal(d, FLOW_DIR_ORIG);
	assert_int_equal(flow_table_count(fx->ft), 1);
	g = feed(fx, &rst, &d, &created);
	assert_int_equal(created, 0);
	assert_int_equal(g->tcp_state, FLOW_TCP_CLOSED);
	flow_table_destroy(fx->ft);
}

static void test_eviction_when_full(void **state)
{
	struct fixture *fx = fixture_new(3);
	struct pkt_view tcp1 = view(1, TW_PROTO_TCP, 1001, 80, TW_TCP_ACK, 10);
	struct pkt_view udp2 = view(1, TW_PROTO_UDP, 1002, 53, 0, 20);
	struct pkt_view icmp3 = view(1, TW_PROTO_ICMP, 3, 3, 0, 30);
	struct pkt_view tcp1b = view(0, TW_PROTO_TCP, 80, 1001, TW_TCP_ACK, 40);
	struct pkt_view udp4 = view(1, TW_PROTO_UDP, 1004, 53, 0, 50);
	struct pkt_view udp2b = view(1, TW_PROTO_UDP, 1002, 53, 0, 60);
	enum flow_dir_id d;
	struct flow *f;
	int created;

	(void)state;
	icmp3.icmp_type = 8;
	feed(fx, &tcp1, &d, &created);
	feed(fx, &udp2, &d, &created);
	feed(fx, &icmp3, &d, &created);
	feed(fx, &tcp1b, &d, &created); /* tcp1 is now the most recent */
	assert_int_equal(flow_table_count(fx->ft), 3);
	f = feed(fx, &udp4, &d, &created);
	assert_int_equal(created, 1);
	assert_int_equal(f->orig_port, 1004);
	assert_int_equal(flow_table_count(fx->ft), 3);
	assert_int_equal(fx->log.n, 1);
	assert_int_equal(fx->log.e[0].why, FLOW_END_EVICTED);
	assert_int_equal(fx->log.e[0].orig_port, 1002);
	assert_int_equal(fx->ctr.v[TW_CTR_FLOWS_EVICTED], 1);
	assert_int_equal(fx->ctr.v[TW_CTR_FLOWS_ENDED], 1);
	/* the evicted flow comes back as a new one, evicting the ICMP flow */
	feed(fx, &udp2b, &d, &created);
	assert_int_equal(created, 1);
	assert_int_equal(fx->log.n, 2);
	assert_int_equal(fx->log.e[1].orig_port, 3);
	assert_int_equal(fx->ctr.v[TW_CTR_FLOWS_EVICTED], 2);
	assert_int_equal(fx->ctr.v[TW_CTR_FLOWS_CREATED], 5);
	flow_table_destroy(fx->ft);
}

/* Under pressure the flows that never carried payload (a SYN flood, one
 * lone datagram) go first, however recent; a flow with payload only when
 * nothing else is left, and it is ended through the callback (the
 * analyzers emit what it holds) before its entry is reused. */
static void test_eviction_spares_flows_with_payload(void **state)
{
	struct fixture *fx = fixture_new(3);
	struct pkt_view trickle = view(1, TW_PROTO_TCP, 1001, 22, TW_TCP_ACK, 10);
	struct pkt_view syn2 = view(1, TW_PROTO_TCP, 1002, 80, TW_TCP_SYN, 20);
	struct pkt_view syn3 = view(1, TW_PROTO_TCP, 1003, 80, TW_TCP_SYN, 30);
	struct pkt_view syn4 = view(1, TW_PROTO_TCP, 1004, 80, TW_TCP_SYN, 40);
	struct pkt_view dgram5 = view(1, TW_PROTO_UDP, 1005, 53, 0, 50);
	struct pkt_view data4 = view(1, TW_PROTO_TCP, 1004, 80, TW_TCP_ACK, 60);
	struct pkt_view dgram5b = view(0, TW_PROTO_UDP, 53, 1005, 0, 70);
	struct pkt_view syn6 = view(1, TW_PROTO_TCP, 1006, 80, TW_TCP_SYN, 80);
	enum flow_dir_id d;
	int created;

	(void)state;
	trickle.payload_wire_len = 10;
	dgram5.payload_wire_len = 30;
	data4.payload_wire_len = 5;
	dgram5b.payload_wire_len = 90;
	feed(fx, &trickle, &d, &created);
	feed(fx, &syn2, &d, &created);
	feed(fx, &syn3, &d, &created);
	feed(fx, &syn4, &d, &created);    /* the oldest SYN goes, not 1001 */
	assert_int_equal(fx->log.n, 1);
	assert_int_equal(fx->log.e[0].orig_port, 1002);
	feed(fx, &dgram5, &d, &created);  /* then the next SYN */
	assert_int_equal(fx->log.e[1].orig_port, 1003);
	assert_int_equal(fx->ctr.v[TW_CTR_FLOWS_EVICTED_NO_PAYLOAD], 2);
	feed(fx, &data4, &d, &created);
	feed(fx, &dgram5b, &d, &created); /* answered: no longer lone */
	feed(fx, &syn6, &d, &created);    /* only payload flows: the oldest */
	assert_int_equal(fx->log.n, 3);
	assert_int_equal(fx->log.e[2].orig_port, 1001);
	assert_int_equal(fx->log.e[2].why, FLOW_END_EVICTED);
	assert_int_equal(fx->ctr.v[TW_CTR_FLOWS_EVICTED_WITH_PAYLOAD], 1);
	assert_int_equal(fx->ctr.v[TW_CTR_FLOWS_EVICTED], 3);
	flow_table_destroy(fx->ft);
}

static int count_live(void *ctx, const struct flow *f)
{
	int *n = ctx;

	assert_true(f->in_use);
	(*n)++;
	return 0;
}

static void test_expire_only_expired(void **state)
{
	struct fixture *fx = fixture_new(8);
	/* handshake 20 s, udp 10 s, other 30 s, tcp idle 300 s */
	struct pkt_view syn = view(1, TW_PROTO_TCP, 2001, 80, TW_TCP_SYN, 0);
	struct pkt_view est = view(1, TW_PROTO_TCP, 2002, 80, TW_TCP_ACK, 0);
	struct pkt_view udp = view(1, TW_PROTO_UDP, 2003, 53, 0, 0);
	struct pkt_view udp_new = view(1, TW_PROTO_UDP, 2004, 53, 0, 15 * SEC);
	struct pkt_view icmp = view(1, TW_PROTO_ICMP, 7, 7, 0, 0);
	enum flow_dir_id d;
	int created, live = 0, i;

	(void)state;
	feed(fx, &syn, &d, &created);
	feed(fx, &est, &d, &created);
	feed(fx, &udp, &d, &created);
	feed(fx, &udp_new, &d, &created);
	feed(fx, &icmp, &d, &created);
	flow_table_expire(fx->ft, 10 * SEC); /* exactly at the udp timeout */
	assert_int_equal(fx->log.n, 0);
	flow_table_expire(fx->ft, 21 * SEC);
	assert_int_equal(fx->log.n, 2);
	for (i = 0; i < 2; i++) {
		assert_int_equal(fx->log.e[i].why, FLOW_END_IDLE);
		assert_true(fx->log.e[i].orig_port == 2001 ||
			    fx->log.e[i].orig_port == 2003);
	}
	assert_int_equal(flow_table_count(fx->ft), 3);
	assert_int_equal(flow_table_foreach(fx->ft, count_live, &live), 0);
	assert_int_equal(live, 3);
	assert_int_equal(fx->ctr.v[TW_CTR_FLOWS_TIMED_OUT], 2);
	flow_table_expire(fx->ft, 31 * SEC);
	assert_int_equal(fx->log.n, 4);
	assert_int_equal(flow_table_count(fx->ft), 1);
	flow_table_destroy(fx->ft);
}

static void test_flush_in_first_ns_order(void **state)
{
	struct fixture *fx = fixture_new(8);
	uint16_t ports[4] = { 3001, 3002, 3003, 3004 };
	uint64_t times[4] = { 30, 10, 20, 5 };
	enum flow_dir_id d;
	int created, i;

	(void)state;
	for (i = 0; i < 4; i++) {
		struct pkt_view pv = view(1, TW_PROTO_UDP, ports[i], 53, 0,
					  times[i] * SEC);

		feed(fx, &pv, &d, &created);
	}
	/* flow 3004's first packet is older than the others' */
	flow_table_flush(fx->ft);
	assert_int_equal(fx->log.n, 4);
	assert_int_equal(fx->log.e[0].orig_port, 3004);
	assert_int_equal(fx->log.e[1].orig_port, 3002);
	assert_int_equal(fx->log.e[2].orig_port, 3003);
	assert_int_equal(fx->log.e[3].orig_port, 3001);
	for (i = 0; i < 4; i++)
		assert_int_equal(fx->log.e[i].why, FLOW_END_INPUT);
	assert_int_equal(fx->ctr.v[TW_CTR_FLOWS_OPEN_AT_END], 4);
	assert_int_equal(fx->ctr.v[TW_CTR_FLOWS_ENDED], 4);
	assert_int_equal(flow_table_count(fx->ft), 0);
	flow_table_flush(fx->ft);
	assert_int_equal(fx->log.n, 4);
	flow_table_destroy(fx->ft);
}

static void test_flush_ties_by_id(void **state)
{
	struct fixture *fx = fixture_new(8);
	enum flow_dir_id d;
	int created, i;

	(void)state;
	for (i = 0; i < 5; i++) {
		struct pkt_view pv = view(1, TW_PROTO_UDP, (uint16_t)(4000 + i),
					  53, 0, SEC);

		feed(fx, &pv, &d, &created);
	}
	flow_table_flush(fx->ft);
	assert_int_equal(fx->log.n, 5);
	for (i = 1; i < 5; i++)
		assert_true(fx->log.e[i - 1].id < fx->log.e[i].id);
	flow_table_destroy(fx->ft);
}

static void test_flow_id_stable(void **state)
{
	struct flow_table_config c1 = test_cfg(4), c2 = test_cfg(1000);
	struct flow_table *t1 = flow_table_create(&c1, NULL, NULL, NULL);
	struct flow_table *t2 = flow_table_create(&c2, NULL, NULL, NULL);
	struct pkt_view filler = view(1, TW_PROTO_UDP, 9, 9, 0, 3);
	struct pkt_view pv = view(1, TW_PROTO_TCP, 5000, 443, TW_TCP_SYN, 77);
	struct pkt_view rev = view(0, TW_PROTO_TCP, 443, 5000,
				   TW_TCP_SYN | TW_TCP_ACK, 77);
	struct pkt_view later = view(1, TW_PROTO_TCP, 5000, 443, TW_TCP_SYN,
				     78);
	struct flow *a, *b, *c;
	enum flow_dir_id d;
	int created;

	(void)state;
	assert_non_null(t1);
	assert_non_null(t2);
	assert_non_null(flow_table_lookup(t2, &filler, &d, &created));
	a = flow_table_lookup(t1, &pv, &d, &created);
	/* same flow first seen from the other side on another table */
	b = flow_table_lookup(t2, &rev, &d, &created);
	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal(a->id, b->id);
	assert_int_not_equal(a->id, 0);
	assert_true(a->id < (1ULL << 53));
	flow_table_destroy(t2);
	t2 = flow_table_create(&c2, NULL, NULL, NULL);
	c = flow_table_lookup(t2, &later, &d, &created);
	assert_int_not_equal(c->id, a->id);
	flow_table_destroy(t1);
	flow_table_destroy(t2);
}

static void test_time_backwards(void **state)
{
	struct fixture *fx = fixture_new(8);
	struct pkt_view p1 = view(1, TW_PROTO_UDP, 1000, 53, 0, 100 * SEC);
	struct pkt_view p0 = view(0, TW_PROTO_UDP, 53, 1000, 0, 50 * SEC);
	struct pkt_view p2 = view(1, TW_PROTO_UDP, 1000, 53, 0, 105 * SEC);
	enum flow_dir_id d;
	struct flow *f, *g;
	int created;

	(void)state;
	f = feed(fx, &p1, &d, &created);
	/* 50 s "before" must neither expire the flow nor move time back */
	g = feed(fx, &p0, &d, &created);
	assert_ptr_equal(f, g);
	assert_int_equal(created, 0);
	assert_int_equal(f->last_ns, 100 * SEC);
	assert_int_equal(flow_duration_ns(f), 0);
	g = feed(fx, &p2, &d, &created);
	assert_ptr_equal(f, g);
	assert_int_equal(flow_duration_ns(f), 5 * SEC);
	flow_table_expire(fx->ft, 60 * SEC);
	assert_int_equal(fx->log.n, 0);
	flow_table_destroy(fx->ft);
}

static void test_an_state_zeroed_on_reuse(void **state)
{
	struct fixture *fx = fixture_new(1);
	struct pkt_view a = view(1, TW_PROTO_UDP, 1, 53, 0, 1);
	struct pkt_view b = view(1, TW_PROTO_UDP, 2, 53, 0, 2);
	enum flow_dir_id d;
	struct flow *f;
	int created, i;

	(void)state;
	assert_true(flow_table_memory(fx->ft) >= sizeof(struct flow) + 32);
	f = feed(fx, &a, &d, &created);
	assert_non_null(f->an_state);
	memset(f->an_state, 0xab, 32);
	f = feed(fx, &b, &d, &created);
	assert_int_equal(fx->log.n, 1);
	for (i = 0; i < 32; i++)
		assert_int_equal(f->an_state[i], 0);
	flow_table_destroy(fx->ft);
}

static int stop_at_first(void *ctx, const struct flow *f)
{
	int *n = ctx;

	(void)f;
	(*n)++;
	return 42;
}

static void test_foreach_stops(void **state)
{
	struct fixture *fx = fixture_new(4);
	struct pkt_view a = view(1, TW_PROTO_UDP, 1, 53, 0, 1);
	struct pkt_view b = view(1, TW_PROTO_UDP, 2, 53, 0, 2);
	enum flow_dir_id d;
	int created, n = 0;

	(void)state;
	feed(fx, &a, &d, &created);
	feed(fx, &b, &d, &created);
	assert_int_equal(flow_table_foreach(fx->ft, stop_at_first, &n), 42);
	assert_int_equal(n, 1);
	flow_table_destroy(fx->ft);
}

static void test_create_rejects_zero(void **state)
{
	struct flow_table_config c = test_cfg(0);

	(void)state;
	assert_null(flow_table_create(&c, NULL, NULL, NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_both_directions_one_flow),
		cmocka_unit_test(test_originator_syn_sender),
		cmocka_unit_test(test_originator_synack_first),
		cmocka_unit_test(test_originator_midstream_by_port),
		cmocka_unit_test(test_originator_mid_stream),
		cmocka_unit_test(test_originator_icmp_echo_reply_first),
		cmocka_unit_test(test_loopback_same_address),
		cmocka_unit_test(test_idle_timeout_by_packet_time),
		cmocka_unit_test(test_close_timeout),
		cmocka_unit_test(test_port_reuse_after_close),
		cmocka_unit_test(test_eviction_when_full),
		cmocka_unit_test(test_eviction_spares_flows_with_payload),
		cmocka_unit_test(test_expire_only_expired),
		cmocka_unit_test(test_flush_in_first_ns_order),
		cmocka_unit_test(test_flush_ties_by_id),
		cmocka_unit_test(test_flow_id_stable),
		cmocka_unit_test(test_time_backwards),
		cmocka_unit_test(test_an_state_zeroed_on_reuse),
		cmocka_unit_test(test_foreach_stops),
		cmocka_unit_test(test_create_rejects_zero),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
