/* SPDX-License-Identifier: BSD-3-Clause */
/* Beacon scoring: periodic series score high, random ones low, and the
 * math keeps sub-second periods intact. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>

#include "analyzers/flow_timing/beacon.h"

#define NS_PER_MS 1000000ull
#define NS_PER_S 1000000000ull
#define T0 1700000000000000000ull

/* A fixed LCG (Knuth's MMIX constants): the same series on every run. */
static uint64_t lcg_state;

static void lcg_seed(uint64_t seed)
{
	lcg_state = seed;
}

static double lcg_uniform(void)
{
	lcg_state = lcg_state * 6364136223846793005ull + 1442695040888963407ull;
	return (double)(lcg_state >> 11) / 9007199254740992.0;
}

static double lcg_exponential(double mean)
{
	return -mean * log(1.0 - lcg_uniform());
}

/* Events every period_s +- jitter_s (uniform), each interval drawn anew. */
static void make_jittered(uint64_t *ts, unsigned n, double period_s,
			  double jitter_s)
{
	uint64_t t = T0;

	for (unsigned i = 0; i < n; i++) {
		ts[i] = t;
		t += (uint64_t)((period_s + jitter_s * (2.0 * lcg_uniform() - 1.0)) *
				(double)NS_PER_S);
	}
}

static void make_exponential(uint64_t *ts, unsigned n, double mean_s)
{
	uint64_t t = T0;

	for (unsigned i = 0; i < n; i++) {
		ts[i] = t;
		t += (uint64_t)(lcg_exponential(mean_s) * (double)NS_PER_S) + 1;
	}
}

static void fill_sizes(uint32_t *sz, unsigned n, uint32_t v)
{
	for (unsigned i = 0; i < n; i++)
		sz[i] = v;
}

static void fill_random_sizes(uint32_t *sz, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		sz[i] = 60 + (uint32_t)(lcg_uniform() * 1400.0);
}

static void test_perfect_period_scores_one(void **state)
{
	uint64_t ts[40];
	uint32_t sz[40];
	struct beacon_result r;

	(void)state;
	make_jittered(ts, 40, 5.0, 0.0);
	fill_sizes(sz, 40, 517);
	assert_int_equal(beacon_score(ts, sz, 40, &r), 0);
	assert_true(r.score > 0.99);
	assert_true(r.ts_score > 0.99);
	assert_true(r.size_score > 0.99);
	assert_true(r.hist_score > 0.99);
	assert_true(r.dur_score > 0.99);
	assert_int_equal(r.n, 40);
	assert_int_equal(r.n_intervals, 39);
	assert_true(fabs(r.interval_median_ms - 5000.0) < 0.001);
	assert_true(r.interval_mad_ms < 0.001);
	assert_true(fabs(r.span_ms - 39 * 5000.0) < 0.01);
}

static void test_jittered_period_scores_high(void **state)
{
	static const unsigned sizes[] = { 9, 16, 33, 64 };
	uint64_t ts[BEACON_MAX_EVENTS];
	uint32_t sz[BEACON_MAX_EVENTS];
	struct beacon_result r;

	(void)state;
	lcg_seed(42);
	for (unsigned k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		unsigned n = sizes[k];

		make_jittered(ts, n, 5.0, 1.0);
		fill_sizes(sz, n, 640);
		assert_int_equal(beacon_score(ts, sz, n, &r), 0);
		assert_true(r.score >= 0.8);
		assert_true(r.interval_median_ms > 4000.0 &&
			    r.interval_median_ms < 6000.0);
		/* uniform +-1 s: MAD about 0.5 s */
		assert_true(r.interval_mad_ms > 150.0 &&
			    r.interval_mad_ms < 900.0);
	}
}

static void test_exponential_intervals_score_low(void **state)
{
	uint64_t ts[BEACON_MAX_EVENTS], jts[BEACON_MAX_EVENTS];
	uint32_t sz[BEACON_MAX_EVENTS];
	struct beacon_result r, jr;
	double sum = 0.0, ts_sum = 0.0, worst = 0.0;
	const unsigned runs = 20, n = 48;

	(void)state;
	lcg_seed(7);
	for (unsigned k = 0; k < runs; k++) {
		make_exponential(ts, n, 5.0);
		fill_random_sizes(sz, n);
		assert_int_equal(beacon_score(ts, sz, n, &r), 0);
		sum += r.score;
		ts_sum += r.ts_score;
		worst = fmax(worst, r.score);
	}
	assert_true(sum / runs < 0.6);
	assert_true(ts_sum / runs < 0.7);
	/* no random series reaches the default report threshold */
	assert_true(worst < 0.8);

	/* and a jittered beacon with the same random sizes still beats all */
	make_jittered(jts, n, 5.0, 1.0);
	assert_int_equal(beacon_score(jts, sz, n, &jr), 0);
	assert_true(jr.score > worst);
}

static void test_constant_sizes_beat_random_sizes(void **state)
{
	uint64_t ts[32];
	uint32_t same[32], rnd[32];
	struct beacon_result a, b;

	(void)state;
	lcg_seed(99);
	make_jittered(ts, 32, 60.0, 3.0);
	fill_sizes(same, 32, 1234);
	fill_random_sizes(rnd, 32);
	assert_int_equal(beacon_score(ts, same, 32, &a), 0);
	assert_int_equal(beacon_score(ts, rnd, 32, &b), 0);
	assert_true(a.size_score > 0.999);
	assert_true(b.size_score < 0.9);
	assert_true(a.score > b.score);
	/* the timing parts see the same events */
	assert_true(fabs(a.ts_score - b.ts_score) < 1e-12);
	assert_true(fabs(a.hist_score - b.hist_score) < 1e-12);
}

static void test_small_size_wobble_counts_as_constant(void **state)
{
	uint64_t ts[24];
	uint32_t sz[24];
	struct beacon_result r;

	(void)state;
	make_jittered(ts, 24, 10.0, 0.0);
	/* Requests a few bytes apart, lopsided (Q1 1500, Q2 1501, Q3 1506:
	 * Bowley skew 0.67), but the IQR is under 1 % of the median. */
	for (unsigned i = 0; i < 24; i++)
		sz[i] = i < 7 ? 1500 : (i < 13 ? 1501 : 1506);
	assert_int_equal(beacon_score(ts, sz, 24, &r), 0);
	assert_true(r.size_score > 0.99);
}

static void test_too_few_intervals_score_zero(void **state)
{
	uint64_t ts[6];
	uint32_t sz[6];
	struct beacon_result r;

	(void)state;
	make_jittered(ts, 3, 5.0, 0.0);
	fill_sizes(sz, 6, 100);
	assert_int_equal(beacon_score(ts, sz, 3, &r), 0);
	assert_int_equal(r.n, 3);
	assert_int_equal(r.n_intervals, 2);
	assert_true(r.score == 0.0);

	/* six events, but three are duplicates (< 1 ms apart): 2 intervals */
	ts[0] = T0;
	ts[1] = T0 + 500000;              /* 0.5 ms: zero */
	ts[2] = T0 + 5 * NS_PER_S;
	ts[3] = T0 + 5 * NS_PER_S;        /* exactly zero */
	ts[4] = T0 + 10 * NS_PER_S;
	ts[5] = T0 + 10 * NS_PER_S + 1;
	assert_int_equal(beacon_score(ts, sz, 6, &r), 0);
	assert_int_equal(r.n_intervals, 2);
	assert_true(r.score == 0.0);

	assert_int_equal(beacon_score(ts, sz, 0, &r), 0);
	assert_true(r.score == 0.0);
}

static void test_sub_second_period(void **state)
{
	uint64_t ts[50];
	uint32_t sz[50];
	struct beacon_result r;

	(void)state;
	/* exact 200 ms: no rounding to 0 or 1 s */
	make_jittered(ts, 50, 0.2, 0.0);
	fill_sizes(sz, 50, 90);
	assert_int_equal(beacon_score(ts, sz, 50, &r), 0);
	assert_true(r.score > 0.99);
	assert_true(fabs(r.interval_median_ms - 200.0) < 0.001);
	assert_int_equal(r.n_intervals, 49);

	/* 200 ms +- 10 ms */
	lcg_seed(3);
	make_jittered(ts, 50, 0.2, 0.01);
	assert_int_equal(beacon_score(ts, sz, 50, &r), 0);
	assert_true(r.score >= 0.9);
	assert_true(r.interval_median_ms > 190.0 &&
		    r.interval_median_ms < 210.0);
	assert_true(r.interval_mad_ms > 0.5 && r.interval_mad_ms < 10.0);
}

static void test_order_does_not_matter(void **state)
{
	uint64_t ts[30], shuffled[30];
	uint32_t sz[30], ssz[30];
	struct beacon_result a, b;

	(void)state;
	lcg_seed(11);
	make_jittered(ts, 30, 30.0, 2.0);
	fill_random_sizes(sz, 30);
	/* a fixed permutation: i * 7 mod 30 (7 and 30 coprime) */
	for (unsigned i = 0; i < 30; i++) {
		shuffled[i] = ts[(i * 7) % 30];
		ssz[i] = sz[(i * 7) % 30];
	}
	assert_int_equal(beacon_score(ts, sz, 30, &a), 0);
	assert_int_equal(beacon_score(shuffled, ssz, 30, &b), 0);
	assert_true(a.score == b.score);
	assert_true(a.interval_median_ms == b.interval_median_ms);
	assert_true(a.span_ms == b.span_ms);
	/* the inputs are not touched */
	assert_true(shuffled[1] == ts[7]);
}

static void test_pause_lowers_persistence(void **state)
{
	uint64_t ts[40];
	uint32_t sz[40];
	struct beacon_result steady, paused;

	(void)state;
	make_jittered(ts, 40, 5.0, 0.0);
	fill_sizes(sz, 40, 300);
	assert_int_equal(beacon_score(ts, sz, 40, &steady), 0);
	/* the second half comes after a long silence */
	for (unsigned i = 20; i < 40; i++)
		ts[i] += 600 * NS_PER_S;
	assert_int_equal(beacon_score(ts, sz, 40, &paused), 0);
	assert_true(paused.dur_score < steady.dur_score);
	assert_true(paused.dur_score <= 0.5);
	assert_true(paused.score < steady.score);
	/* the regular intervals themselves still dominate the median */
	assert_true(fabs(paused.interval_median_ms - 5000.0) < 0.001);
}

static void test_rejects_bad_input(void **state)
{
	uint64_t ts[BEACON_MAX_EVENTS + 1] = { 0 };
	uint32_t sz[BEACON_MAX_EVENTS + 1] = { 0 };
	struct beacon_result r;

	(void)state;
	assert_int_equal(beacon_score(ts, sz, BEACON_MAX_EVENTS + 1, &r),
			 -EINVAL);
	assert_true(r.score == 0.0 && r.n == 0);
	assert_int_equal(beacon_score(NULL, sz, 4, &r), -EINVAL);
	assert_int_equal(beacon_score(ts, NULL, 4, &r), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_perfect_period_scores_one),
		cmocka_unit_test(test_jittered_period_scores_high),
		cmocka_unit_test(test_exponential_intervals_score_low),
		cmocka_unit_test(test_constant_sizes_beat_random_sizes),
		cmocka_unit_test(test_small_size_wobble_counts_as_constant),
		cmocka_unit_test(test_too_few_intervals_score_zero),
		cmocka_unit_test(test_sub_second_period),
		cmocka_unit_test(test_order_does_not_matter),
		cmocka_unit_test(test_pause_lowers_persistence),
		cmocka_unit_test(test_rejects_bad_input),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
