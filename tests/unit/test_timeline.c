/* SPDX-License-Identifier: BSD-3-Clause */
/* verdict/timeline.c: the HTML report's conversations must not depend on
 * the order flows arrive in (workers interleave), and must stay bounded. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "verdict/timeline.h"
#include "engine/worker.h"

#define NS 1000000000ULL
#define N_FLOWS 600

static struct worker_flow_end flow(unsigned peer, uint16_t port,
				   uint64_t first_s, uint64_t dur_ms,
				   uint64_t bytes)
{
	struct worker_flow_end fe;
	uint8_t a[4] = { 10, 0, 0, 1 }, b[4] = { 10, 1, (uint8_t)(peer >> 8),
						  (uint8_t)peer };

	memset(&fe, 0, sizeof(fe));
	ip_addr_from_v4(&fe.orig, a);
	ip_addr_from_v4(&fe.resp, b);
	fe.orig_port = (uint16_t)(40000 + first_s % 20000);
	fe.resp_port = port;
	fe.proto = 6;
	fe.first_ns = 1700000000 * NS + first_s * NS;
	fe.last_ns = fe.first_ns + dur_ms * 1000000;
	fe.bytes = bytes;
	fe.pkts = 3;
	return fe;
}

/* A mix: a beacon (many short flows to one peer), a few long flows, and
 * one-off peers. */
static void make_flows(struct worker_flow_end *fl)
{
	for (unsigned i = 0; i < N_FLOWS; i++) {
		if (i % 3 == 0)
			fl[i] = flow(1, 443, i * 30, 200, 900);
		else if (i % 3 == 1)
			fl[i] = flow(2 + i % 7, 22, i * 11, (i * 7919) % 100000,
				     i * 13);
		else
			fl[i] = flow(100 + i, 80, i, 50, 400);
	}
	fl[5].open = 1;
	/* in-flow beacon events on the long flows */
	for (unsigned i = 1; i < N_FLOWS; i += 3) {
		fl[i].n_events = 1 + i % WORKER_FLOW_EVENTS;
		for (unsigned k = 0; k < fl[i].n_events; k++)
			fl[i].ev_ms[k] = k * 15000 + i;
	}
}

static void shuffle(struct worker_flow_end *fl, unsigned n, unsigned seed)
{
	srand(seed);
	for (unsigned i = n - 1; i > 0; i--) {
		unsigned j = (unsigned)rand() % (i + 1);
		struct worker_flow_end t = fl[i];

		fl[i] = fl[j];
		fl[j] = t;
	}
}

static int conv_cmp(const void *pa, const void *pb)
{
	const struct tl_conv *a = *(const struct tl_conv *const *)pa;
	const struct tl_conv *b = *(const struct tl_conv *const *)pb;

	return memcmp(&a->resp, &b->resp, sizeof(a->resp)) ?
		       memcmp(&a->resp, &b->resp, sizeof(a->resp)) :
		       (int)a->resp_port - (int)b->resp_port;
}

static int bar_cmp(const void *pa, const void *pb)
{
	const struct tl_bar *a = pa, *b = pb;

	return a->first_ns < b->first_ns ? -1 : a->first_ns > b->first_ns;
}

/* What the report reads of a conversation, in a canonical order. */
static void assert_same_conv(const struct tl_conv *a, const struct tl_conv *b)
{
	struct tl_bar ba[TL_MAX_BARS], bb[TL_MAX_BARS];

	assert_int_equal(a->flows, b->flows);
	assert_int_equal(a->bytes, b->bytes);
	assert_int_equal(a->open_flows, b->open_flows);
	assert_int_equal(a->first_ns, b->first_ns);
	assert_int_equal(a->last_ns, b->last_ns);
	assert_memory_equal(&a->starts, &b->starts, sizeof(a->starts));
	assert_memory_equal(&a->events, &b->events, sizeof(a->events));
	assert_int_equal(a->n_bars, b->n_bars);
	memcpy(ba, a->bars, a->n_bars * sizeof(ba[0]));
	memcpy(bb, b->bars, b->n_bars * sizeof(bb[0]));
	qsort(ba, a->n_bars, sizeof(ba[0]), bar_cmp);
	qsort(bb, b->n_bars, sizeof(bb[0]), bar_cmp);
	assert_memory_equal(ba, bb, a->n_bars * sizeof(ba[0]));
}

static unsigned host_convs(struct timeline *tl, const struct tl_conv **out)
{
	struct ip_addr host;
	uint8_t a[4] = { 10, 0, 0, 1 };
	unsigned n;

	ip_addr_from_v4(&host, a);
	n = timeline_host_convs(tl, &host, out, N_FLOWS);
	qsort(out, n, sizeof(*out), conv_cmp);
	return n;
}

static void run_orders(uint32_t cap, unsigned *kept)
{
	static struct worker_flow_end fl[N_FLOWS];
	static const struct tl_conv *c0[N_FLOWS], *c1[N_FLOWS];
	struct timeline *t0 = timeline_create(cap, 8);
	unsigned n0, n1;

	assert_non_null(t0);
	make_flows(fl);
	for (unsigned i = 0; i < N_FLOWS; i++)
		timeline_add(t0, &fl[i]);
	n0 = host_convs(t0, c0);
	for (unsigned seed = 1; seed <= 5; seed++) {
		struct timeline *t1 = timeline_create(cap, 8);

		assert_non_null(t1);
		shuffle(fl, N_FLOWS, seed);
		for (unsigned i = 0; i < N_FLOWS; i++)
			timeline_add(t1, &fl[i]);
		n1 = host_convs(t1, c1);
		assert_int_equal(n0, n1);
		for (unsigned i = 0; i < n0; i++)
			assert_same_conv(c0[i], c1[i]);
		assert_int_equal(timeline_sampled_out(t0),
				 timeline_sampled_out(t1));
		timeline_destroy(t1);
	}
	assert_int_equal(timeline_flows(t0), N_FLOWS);
	*kept = n0;
	timeline_destroy(t0);
}

static void test_any_order_same_conversations(void **state)
{
	unsigned kept;

	(void)state;
	run_orders(4096, &kept);
	assert_int_equal(kept, 1 + 7 + N_FLOWS / 3);
}

static void test_full_table_samples_the_same_whatever_the_order(void **state)
{
	unsigned kept;

	(void)state;
	run_orders(64, &kept);
	assert_true(kept <= 64);
	assert_true(kept > 8);
}

static void test_beacon_lane_bounded_and_binned(void **state)
{
	struct timeline *tl = timeline_create(16, 4);
	const struct tl_conv *convs[N_FLOWS], *c;
	uint64_t starts = 0;

	(void)state;
	assert_non_null(tl);
	/* one flow every 30 s for 10 hours */
	for (unsigned i = 0; i < 1200; i++) {
		struct worker_flow_end fe = flow(1, 443, i * 30, 100 + i % 5, 500);

		timeline_add(tl, &fe);
	}
	assert_int_equal(host_convs(tl, convs), 1);
	c = convs[0];
	assert_int_equal(c->flows, 1200);
	assert_int_equal(c->n_bars, 4);
	/* the longest kept: 104 ms each */
	for (unsigned i = 0; i < 4; i++)
		assert_int_equal(c->bars[i].last_ns - c->bars[i].first_ns,
				 104 * 1000000ULL);
	for (unsigned i = 0; i < TL_HIST_BINS; i++)
		starts += c->starts.bins[i];
	assert_int_equal(starts, 1200);
	/* 10 h in 64 bins: the bin is the power of two above 562 s */
	assert_true((1ULL << c->starts.shift) >= 36000 * NS / TL_HIST_BINS);
	assert_true((1ULL << c->starts.shift) < 4 * 36000 * NS / TL_HIST_BINS);
	timeline_destroy(tl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_any_order_same_conversations),
		cmocka_unit_test(test_full_table_samples_the_same_whatever_the_order),
		cmocka_unit_test(test_beacon_lane_bounded_and_binned),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
