/* SPDX-License-Identifier: BSD-3-Clause */
/* TCP stream reassembly: order, retransmissions, overlaps, reordering,
 * gaps, the inspection limit, snaplen and sequence wrap-around. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "flow/tcp_stream.h"
#include "decode/decode.h"

#define OUT_MAX 4096
#define CALLS_MAX 64

/* What the consumer saw. */
struct sink {
	uint8_t out[OUT_MAX];
	uint32_t out_len;
	int calls;
	bool gap[CALLS_MAX];
	uint32_t len[CALLS_MAX];
	enum flow_dir_id dir[CALLS_MAX];
};

static void sink_deliver(void *ctx, struct flow *f, enum flow_dir_id dir,
			 const uint8_t *data, uint32_t len, bool gap)
{
	struct sink *s = ctx;

	assert_non_null(f);
	assert_true(len > 0);
	assert_true(s->out_len + len <= OUT_MAX);
	assert_true(s->calls < CALLS_MAX);
	memcpy(s->out + s->out_len, data, len);
	s->out_len += len;
	s->gap[s->calls] = gap;
	s->len[s->calls] = len;
	s->dir[s->calls] = dir;
	s->calls++;
}

struct env {
	struct reorder_pool *pool;
	struct flow f;
	struct sink sink;
	struct tw_counters ctr;
	uint32_t limit;
};

static struct env *env_new(uint32_t slots, uint32_t slot_bytes,
			   uint32_t limit)
{
	static struct env e;

	memset(&e, 0, sizeof(e));
	e.pool = reorder_pool_create(slots, slot_bytes);
	assert_non_null(e.pool);
	e.limit = limit;
	e.f.proto = TW_PROTO_TCP;
	return &e;
}

static void env_free(struct env *e)
{
	reorder_pool_destroy(e->pool);
}

/* Payload bytes are a function of their sequence number, so that any
 * delivered byte can be checked against where it belongs. */
static uint8_t byte_at(uint32_t seq)
{
	return (uint8_t)('A' + seq % 26);
}

static uint8_t payload_buf[8192];

static int seg_full(struct env *e, struct flow *f, enum flow_dir_id dir,
		    uint32_t seq, uint8_t flags, uint32_t wire, uint32_t cap)
{
	struct pkt_view pv;
	uint32_t first = seq + ((flags & TW_TCP_SYN) ? 1 : 0);
	uint32_t i;

	assert_true(cap <= sizeof(payload_buf));
	for (i = 0; i < cap; i++)
		payload_buf[i] = byte_at(first + i);
	memset(&pv, 0, sizeof(pv));
	pv.proto = TW_PROTO_TCP;
	pv.tcp_flags = flags;
	pv.seq = seq;
	pv.payload = payload_buf;
	pv.payload_len = cap;
	pv.payload_wire_len = wire;
	tcp_stream_segment(e->pool, f, dir, &pv, e->limit, sink_deliver,
			   &e->sink, &e->ctr);
	return pv.retransmit;
}

static int seg(struct env *e, uint32_t seq, uint32_t len)
{
	return seg_full(e, &e->f, FLOW_DIR_ORIG, seq, TW_TCP_ACK, len, len);
}

static void assert_out_is(const struct env *e, uint32_t first_seq,
			  uint32_t len)
{
	uint32_t i;

	assert_int_equal(e->sink.out_len, len);
	for (i = 0; i < len; i++)
		assert_int_equal(e->sink.out[i], byte_at(first_seq + i));
}

static bool stream_holds_nothing(const struct flow_stream *st)
{
	int i;

	for (i = 0; i < FLOW_OOO_SLOTS; i++)
		if (st->ooo_slot[i])
			return false;
	return true;
}

static void test_in_order(void **state)
{
	struct env *e = env_new(8, 1500, 4096);
	struct flow_stream *st = &e->f.side[FLOW_DIR_ORIG].stream;

	(void)state;
	assert_int_equal(seg_full(e, &e->f, FLOW_DIR_ORIG, 1000, TW_TCP_SYN,
				  0, 0), 0);
	assert_int_equal(st->next_seq, 1001);
	assert_int_equal(seg(e, 1001, 5), 0);
	assert_int_equal(seg(e, 1006, 6), 0);
	assert_out_is(e, 1001, 11);
	assert_int_equal(e->sink.calls, 2);
	assert_false(e->sink.gap[0]);
	assert_false(e->sink.gap[1]);
	assert_int_equal(st->inspected, 11);
	assert_int_equal(st->next_seq, 1012);
	assert_int_equal(e->ctr.v[TW_CTR_PAYLOAD_INSPECTED], 11);
	assert_int_equal(e->ctr.v[TW_CTR_TCP_GAPS], 0);
	assert_false(st->gap);
	env_free(e);
}

static void test_data_on_syn(void **state)
{
	struct env *e = env_new(8, 1500, 4096);

	(void)state;
	/* TFO-style: payload rides on the SYN, starting at seq + 1 */
	seg_full(e, &e->f, FLOW_DIR_ORIG, 500, TW_TCP_SYN, 4, 4);
	seg(e, 505, 3);
	assert_out_is(e, 501, 7);
	assert_int_equal(e->sink.calls, 2);
	env_free(e);
}

static void test_retransmission_flagged(void **state)
{
	struct env *e = env_new(8, 1500, 4096);

	(void)state;
	seg(e, 100, 10);
	seg(e, 110, 10);
	assert_int_equal(seg(e, 100, 10), 1);
	assert_int_equal(seg(e, 105, 5), 1);
	assert_int_equal(seg(e, 110, 10), 1);
	assert_int_equal(e->ctr.v[TW_CTR_TCP_RETRANSMITTED], 3);
	assert_out_is(e, 100, 20);
	assert_int_equal(e->sink.calls, 2);
	/* a bare ACK carries nothing and is not a retransmission */
	assert_int_equal(seg(e, 120, 0), 0);
	assert_int_equal(seg(e, 50, 0), 0);
	assert_int_equal(e->ctr.v[TW_CTR_TCP_RETRANSMITTED], 3);
	env_free(e);
}

static void test_overlap_trimmed(void **state)
{
	struct env *e = env_new(8, 1500, 4096);

	(void)state;
	seg(e, 1000, 5);
	assert_int_equal(seg(e, 1002, 9), 0);
	assert_out_is(e, 1000, 11);
	assert_int_equal(e->sink.len[1], 6);
	assert_false(e->sink.gap[1]);
	assert_int_equal(e->f.side[0].stream.next_seq, 1011);
	env_free(e);
}

/* Bytes resent under sequence numbers already seen: the same bytes are
 * counted as such, other bytes flag the segment (evasion.tcp_overlap);
 * the first copy is what was inspected. */
static void test_overlap_conflict(void **state)
{
	struct env *e = env_new(8, 1500, 4096);
	struct pkt_view pv;
	uint8_t evil[10];

	(void)state;
	seg(e, 100, 10);
	assert_int_equal(seg(e, 100, 10), 1);      /* same bytes again */
	assert_int_equal(e->ctr.v[TW_CTR_TCP_OVERLAP_SAME], 1);
	memset(evil, 'z', sizeof(evil));
	memset(&pv, 0, sizeof(pv));
	pv.proto = TW_PROTO_TCP;
	pv.tcp_flags = TW_TCP_ACK;
	pv.seq = 100;
	pv.payload = evil;
	pv.payload_len = pv.payload_wire_len = sizeof(evil);
	tcp_stream_segment(e->pool, &e->f, FLOW_DIR_ORIG, &pv, e->limit,
			   sink_deliver, &e->sink, &e->ctr);
	assert_int_equal(pv.retransmit, 1);
	assert_int_equal(pv.overlap_conflict, 1);
	assert_int_equal(e->ctr.v[TW_CTR_TCP_OVERLAP_CONFLICT], 1);
	assert_out_is(e, 100, 10);

	/* against a segment held out of order */
	seg(e, 130, 10);
	pv.seq = 135;
	pv.overlap_conflict = 0;
	tcp_stream_segment(e->pool, &e->f, FLOW_DIR_ORIG, &pv, e->limit,
			   sink_deliver, &e->sink, &e->ctr);
	assert_int_equal(pv.overlap_conflict, 1);
	assert_int_equal(e->ctr.v[TW_CTR_TCP_OVERLAP_CONFLICT], 2);
	seg(e, 110, 20);
	assert_int_equal(e->sink.out_len, 40 + 5);
	for (uint32_t k = 0; k < 40; k++)             /* held copy won */
		assert_int_equal(e->sink.out[k], byte_at(100 + k));
	env_free(e);
}

static void test_reordering_within_window(void **state)
{
	struct env *e = env_new(8, 1500, 4096);
	struct flow_stream *st = &e->f.side[FLOW_DIR_ORIG].stream;

	(void)state;
	seg(e, 5000, 4);
	assert_int_equal(seg(e, 5012, 4), 0);
	assert_int_equal(seg(e, 5008, 4), 0);
	assert_int_equal(e->ctr.v[TW_CTR_TCP_REORDERED], 2);
	assert_int_equal(e->sink.out_len, 4);
	/* the same held segment again is a retransmission */
	assert_int_equal(seg(e, 5008, 4), 1);
	/* overlaps both held segments */
	assert_int_equal(seg(e, 5002, 8), 0);
	assert_out_is(e, 5000, 16);
	assert_int_equal(st->next_seq, 5016);
	assert_true(stream_holds_nothing(st));
	assert_false(st->gap);
	assert_int_equal(e->ctr.v[TW_CTR_TCP_GAPS], 0);
	assert_int_equal(e->sink.calls, 4);
	env_free(e);
}

static void test_gap_when_flow_window_full(void **state)
{
	struct env *e = env_new(16, 1500, 4096);
	struct flow_stream *st = &e->f.side[FLOW_DIR_ORIG].stream;
	uint32_t s;

	(void)state;
	seg(e, 0, 1);
	/* byte 1 is lost; 2..5 fill the flow's four slots */
	for (s = 2; s < 2 + FLOW_OOO_SLOTS; s++)
		seg(e, s, 1);
	assert_int_equal(e->sink.out_len, 1);
	seg(e, 2 + FLOW_OOO_SLOTS, 1);
	assert_int_equal(e->sink.out_len, 2 + FLOW_OOO_SLOTS);
	assert_int_equal(e->sink.out[0], byte_at(0));
	for (s = 1; s < e->sink.out_len; s++)
		assert_int_equal(e->sink.out[s], byte_at(s + 1));
	assert_false(e->sink.gap[0]);
	assert_true(e->sink.gap[1]);
	for (s = 2; s < (uint32_t)e->sink.calls; s++)
		assert_false(e->sink.gap[s]);
	assert_true(st->gap);
	assert_int_equal(e->ctr.v[TW_CTR_TCP_GAPS], 1);
	assert_true(stream_holds_nothing(st));
	/* the lost byte turns up too late */
	assert_int_equal(seg(e, 1, 1), 1);
	env_free(e);
}

static void test_gap_when_pool_exhausted(void **state)
{
	struct env *e = env_new(1, 1500, 4096);
	struct flow other;

	(void)state;
	memset(&other, 0, sizeof(other));
	seg_full(e, &other, FLOW_DIR_ORIG, 0, TW_TCP_ACK, 10, 10);
	seg_full(e, &other, FLOW_DIR_ORIG, 20, TW_TCP_ACK, 10, 10);
	assert_int_equal(e->ctr.v[TW_CTR_TCP_REORDERED], 1);
	e->sink.out_len = 0;
	e->sink.calls = 0;
	/* the one slot is taken by the other flow */
	seg(e, 100, 10);
	seg(e, 120, 10);
	assert_int_equal(e->ctr.v[TW_CTR_TCP_REORDERED], 1);
	assert_int_equal(e->ctr.v[TW_CTR_TCP_GAPS], 1);
	assert_int_equal(e->sink.calls, 2);
	assert_true(e->sink.gap[1]);
	assert_int_equal(e->sink.out[10], byte_at(120));
	assert_int_equal(e->f.side[0].stream.next_seq, 130);
	env_free(e);
}

static void test_gap_beyond_window_and_slot_size(void **state)
{
	struct env *e = env_new(8, 100, 8192);

	(void)state;
	seg(e, 0, 10);
	seg(e, 10 + (1u << 20), 10);  /* too far ahead to wait for */
	assert_int_equal(e->sink.calls, 2);
	assert_true(e->sink.gap[1]);
	seg(e, 30 + (1u << 20), 200); /* larger than a slot */
	assert_int_equal(e->sink.calls, 3);
	assert_true(e->sink.gap[2]);
	assert_int_equal(e->ctr.v[TW_CTR_TCP_GAPS], 2);
	assert_int_equal(e->ctr.v[TW_CTR_TCP_REORDERED], 0);
	assert_int_equal(e->sink.out_len, 220);
	env_free(e);
}

static void test_limit_exact(void **state)
{
	struct env *e = env_new(8, 1500, 10);
	struct flow_stream *st = &e->f.side[FLOW_DIR_ORIG].stream;

	(void)state;
	seg(e, 0, 4);
	seg(e, 12, 4);  /* held */
	seg(e, 4, 4);
	assert_int_equal(e->sink.out_len, 8);
	seg(e, 8, 4);   /* 2 of these, then the limit; 12..15 never */
	assert_out_is(e, 0, 10);
	assert_int_equal(e->sink.len[2], 2);
	assert_int_equal(st->inspected, 10);
	assert_true(st->done);
	assert_int_equal(e->ctr.v[TW_CTR_PAYLOAD_INSPECTED], 10);
	assert_true(stream_holds_nothing(st));
	/* tracking goes on: old data is a retransmission, new data moves on */
	assert_int_equal(seg(e, 0, 4), 1);
	assert_int_equal(seg(e, 12, 4), 0);
	assert_int_equal(seg(e, 16, 100), 0);
	assert_int_equal(st->next_seq, 116);
	assert_int_equal(seg(e, 50, 10), 1);
	assert_int_equal(e->sink.out_len, 10);
	assert_int_equal(e->ctr.v[TW_CTR_PAYLOAD_INSPECTED], 10);
	/* the other direction has its own budget */
	seg_full(e, &e->f, FLOW_DIR_RESP, 7, TW_TCP_ACK, 30, 30);
	assert_int_equal(e->f.side[FLOW_DIR_RESP].stream.inspected, 10);
	assert_int_equal(e->sink.out_len, 20);
	assert_int_equal(e->sink.dir[e->sink.calls - 1], FLOW_DIR_RESP);
	env_free(e);
}

static void test_snaplen_gap(void **state)
{
	struct env *e = env_new(8, 1500, 4096);
	struct flow_stream *st = &e->f.side[FLOW_DIR_ORIG].stream;

	(void)state;
	seg_full(e, &e->f, FLOW_DIR_ORIG, 0, TW_TCP_ACK, 100, 40);
	assert_int_equal(st->next_seq, 100);
	assert_int_equal(e->sink.out_len, 40);
	assert_false(e->sink.gap[0]);
	seg(e, 100, 20);
	assert_true(e->sink.gap[1]);
	assert_int_equal(e->sink.out[40], byte_at(100));
	seg(e, 120, 20);
	assert_false(e->sink.gap[2]);
	assert_true(st->gap);
	assert_int_equal(st->inspected, 80);
	/* nothing captured at all: still a gap before what follows */
	seg_full(e, &e->f, FLOW_DIR_ORIG, 140, TW_TCP_ACK, 30, 0);
	seg(e, 170, 5);
	assert_int_equal(e->sink.calls, 4);
	assert_true(e->sink.gap[3]);
	assert_int_equal(st->next_seq, 175);
	env_free(e);
}

static void test_seq_wraparound(void **state)
{
	struct env *e = env_new(8, 1500, 4096);
	struct flow_stream *st = &e->f.side[FLOW_DIR_ORIG].stream;
	uint32_t isn = 0xfffffff0u;

	(void)state;
	seg_full(e, &e->f, FLOW_DIR_ORIG, isn, TW_TCP_SYN, 0, 0);
	seg(e, isn + 1, 10);            /* up to 0xfffffffb */
	seg(e, isn + 1 + 30, 10);       /* 0x0000000f: past the wrap, held */
	assert_int_equal(e->ctr.v[TW_CTR_TCP_REORDERED], 1);
	seg(e, isn + 1 + 10, 20);       /* crosses 2^32 */
	assert_int_equal(st->next_seq, isn + 1 + 40);
	assert_int_equal(st->next_seq, 0x19);
	assert_int_equal(e->sink.out_len, 40);
	assert_int_equal(e->ctr.v[TW_CTR_TCP_GAPS], 0);
	assert_int_equal(seg(e, isn + 1, 10), 1);
	assert_int_equal(seg(e, isn + 5, 30), 1);
	assert_true(stream_holds_nothing(st));
	env_free(e);
}

static void test_fin_consumes_one(void **state)
{
	struct env *e = env_new(8, 1500, 4096);
	struct flow_stream *st = &e->f.side[FLOW_DIR_ORIG].stream;

	(void)state;
	seg(e, 10, 5);
	seg_full(e, &e->f, FLOW_DIR_ORIG, 15, TW_TCP_ACK | TW_TCP_FIN, 3, 3);
	assert_int_equal(st->next_seq, 19);
	/* retransmitted FIN neither moves next_seq nor delivers */
	seg_full(e, &e->f, FLOW_DIR_ORIG, 18, TW_TCP_ACK | TW_TCP_FIN, 0, 0);
	assert_int_equal(st->next_seq, 19);
	assert_out_is(e, 10, 8);
	env_free(e);
}

static void test_flush_delivers_and_frees(void **state)
{
	struct env *e = env_new(2, 1500, 4096);
	struct flow_stream *st = &e->f.side[FLOW_DIR_ORIG].stream;
	struct flow other;

	(void)state;
	seg(e, 0, 10);
	seg(e, 20, 10);
	seg(e, 30, 5);  /* joins the previous held segment */
	assert_int_equal(e->ctr.v[TW_CTR_TCP_REORDERED], 2);
	assert_int_equal(e->sink.out_len, 10);
	tcp_stream_flush(e->pool, &e->f, e->limit, sink_deliver, &e->sink,
			 &e->ctr);
	assert_int_equal(e->sink.calls, 3);
	assert_true(e->sink.gap[1]);
	assert_false(e->sink.gap[2]);
	assert_int_equal(e->sink.out_len, 25);
	assert_int_equal(e->sink.out[10], byte_at(20));
	assert_int_equal(e->sink.out[24], byte_at(34));
	assert_true(stream_holds_nothing(st));
	assert_int_equal(st->inspected, 25);
	/* a second flush finds nothing */
	tcp_stream_flush(e->pool, &e->f, e->limit, sink_deliver, &e->sink,
			 &e->ctr);
	assert_int_equal(e->sink.calls, 3);
	/* both slots are back: another flow can hold two segments */
	memset(&other, 0, sizeof(other));
	seg_full(e, &other, FLOW_DIR_RESP, 0, TW_TCP_ACK, 1, 1);
	seg_full(e, &other, FLOW_DIR_RESP, 5, TW_TCP_ACK, 1, 1);
	seg_full(e, &other, FLOW_DIR_RESP, 7, TW_TCP_ACK, 1, 1);
	assert_int_equal(e->ctr.v[TW_CTR_TCP_REORDERED], 4);
	tcp_stream_flush(e->pool, &other, e->limit, sink_deliver, &e->sink,
			 &e->ctr);
	assert_true(stream_holds_nothing(&other.side[1].stream));
	assert_int_equal(e->sink.calls, 6);
	assert_true(e->sink.gap[4]);
	assert_true(e->sink.gap[5]);
	assert_true(reorder_pool_memory(e->pool) >= 2 * 1500);
	env_free(e);
}

static void test_flush_respects_limit(void **state)
{
	struct env *e = env_new(4, 1500, 12);

	(void)state;
	seg(e, 0, 10);
	seg(e, 20, 10);
	tcp_stream_flush(e->pool, &e->f, e->limit, sink_deliver, &e->sink,
			 &e->ctr);
	assert_int_equal(e->sink.out_len, 12);
	assert_true(e->f.side[0].stream.done);
	assert_true(stream_holds_nothing(&e->f.side[0].stream));
	env_free(e);
}

static void test_rst_ignored(void **state)
{
	struct env *e = env_new(4, 1500, 4096);

	(void)state;
	seg(e, 0, 10);
	seg_full(e, &e->f, FLOW_DIR_ORIG, 999999, TW_TCP_RST, 0, 0);
	assert_int_equal(e->f.side[0].stream.next_seq, 10);
	assert_int_equal(e->ctr.v[TW_CTR_TCP_GAPS], 0);
	env_free(e);
}

static void test_pool_rejects_too_many_slots(void **state)
{
	(void)state;
	assert_null(reorder_pool_create(70000, 16));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_in_order),
		cmocka_unit_test(test_data_on_syn),
		cmocka_unit_test(test_retransmission_flagged),
		cmocka_unit_test(test_overlap_trimmed),
		cmocka_unit_test(test_overlap_conflict),
		cmocka_unit_test(test_reordering_within_window),
		cmocka_unit_test(test_gap_when_flow_window_full),
		cmocka_unit_test(test_gap_when_pool_exhausted),
		cmocka_unit_test(test_gap_beyond_window_and_slot_size),
		cmocka_unit_test(test_limit_exact),
		cmocka_unit_test(test_snaplen_gap),
		cmocka_unit_test(test_seq_wraparound),
		cmocka_unit_test(test_fin_consumes_one),
		cmocka_unit_test(test_flush_delivers_and_frees),
		cmocka_unit_test(test_flush_respects_limit),
		cmocka_unit_test(test_rst_ignored),
		cmocka_unit_test(test_pool_rejects_too_many_slots),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
