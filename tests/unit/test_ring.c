/* SPDX-License-Identifier: BSD-3-Clause */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "engine/ring.h"

static void test_fifo_order_and_types(void **state)
{
	struct spsc_ring *r = spsc_ring_create(4096);
	uint32_t len, type;
	const uint8_t *rec;

	(void)state;
	assert_non_null(r);
	assert_null(spsc_ring_peek(r, &len, &type));
	for (uint32_t i = 0; i < 10; i++) {
		uint8_t *p = spsc_ring_reserve(r, i + 1);

		assert_non_null(p);
		memset(p, (int)i, i + 1);
		spsc_ring_commit(r, 100 + i);
	}
	for (uint32_t i = 0; i < 10; i++) {
		rec = spsc_ring_peek(r, &len, &type);
		assert_non_null(rec);
		assert_int_equal(len, i + 1);
		assert_int_equal(type, 100 + i);
		assert_int_equal(rec[i], i);
		spsc_ring_pop(r);
	}
	assert_null(spsc_ring_peek(r, &len, &type));
	spsc_ring_destroy(r);
}

static void test_full_then_wraps(void **state)
{
	struct spsc_ring *r = spsc_ring_create(4096);
	uint32_t len, type, written = 0, read = 0;

	(void)state;
	/* fill until refused: a full ring says so instead of overwriting */
	while (spsc_ring_reserve(r, 1000)) {
		spsc_ring_commit(r, written++);
	}
	assert_true(written >= 3);
	assert_null(spsc_ring_reserve(r, 1000));
	/* records that straddle the end wrap with a filler, order is kept */
	for (int round = 0; round < 50; round++) {
		assert_non_null(spsc_ring_peek(r, &len, &type));
		assert_int_equal(type, read++);
		spsc_ring_pop(r);
		assert_non_null(spsc_ring_reserve(r, 1000));
		spsc_ring_commit(r, written++);
	}
	while (spsc_ring_peek(r, &len, &type)) {
		assert_int_equal(type, read++);
		spsc_ring_pop(r);
	}
	assert_int_equal(read, written);
	assert_null(spsc_ring_reserve(r, spsc_ring_max_record(r) + 1));
	spsc_ring_destroy(r);
}

static void commit_one(struct spsc_ring *r, uint32_t type)
{
	assert_non_null(spsc_ring_reserve(r, 700));
	spsc_ring_commit(r, type);
}

static uint32_t drain_in_order(struct spsc_ring *r, uint32_t next)
{
	uint32_t len, type;

	while (spsc_ring_peek(r, &len, &type)) {
		assert_int_equal(type, next++);
		spsc_ring_pop(r);
	}
	return next;
}

/* With a batch, records become visible when a batch completes or at
 * publish, in order and across the wrap; written() counts commits. */
static void test_batched_publication(void **state)
{
	struct spsc_ring *r = spsc_ring_create(4096);
	uint32_t len, type, written = 0, read = 0;
	uint64_t before;

	(void)state;
	spsc_ring_set_batch(r, 3);
	commit_one(r, written++);
	before = spsc_ring_written(r);
	commit_one(r, written++);
	assert_true(spsc_ring_written(r) > before);
	assert_null(spsc_ring_peek(r, &len, &type));
	commit_one(r, written++);             /* completes the batch */
	read = drain_in_order(r, read);
	assert_int_equal(read, 3);
	commit_one(r, written++);
	assert_null(spsc_ring_peek(r, &len, &type));
	spsc_ring_publish(r);
	read = drain_in_order(r, read);
	assert_int_equal(read, 4);
	/* 700-byte records wrap a 4 KiB ring every few rounds */
	for (int round = 0; round < 40; round++) {
		commit_one(r, written++);
		if (round % 2)
			spsc_ring_publish(r);
		read = drain_in_order(r, read);
	}
	spsc_ring_publish(r);
	read = drain_in_order(r, read);
	assert_int_equal(read, written);
	spsc_ring_destroy(r);
}

#define PRODUCED 200000u

struct producer_arg {
	struct spsc_ring *r;
	uint32_t batch;
};

static void *producer(void *arg)
{
	const struct producer_arg *a = arg;
	struct spsc_ring *r = a->r;

	spsc_ring_set_batch(r, a->batch);
	for (uint32_t i = 0; i < PRODUCED; i++) {
		uint32_t n = 4 + i % 300;
		uint32_t *p;

		while (!(p = spsc_ring_reserve(r, n * 4)))
			spsc_ring_publish(r);    /* full: the consumer needs it */
		for (uint32_t k = 0; k < n; k++)
			p[k] = i;
		spsc_ring_commit(r, n);
	}
	spsc_ring_publish(r);
	return NULL;
}

static void two_threads(uint32_t batch)
{
	struct spsc_ring *r = spsc_ring_create(16384);
	struct producer_arg a = { r, batch };
	pthread_t t;
	uint32_t len, type, next = 0;

	assert_int_equal(pthread_create(&t, NULL, producer, &a), 0);
	while (next < PRODUCED) {
		const uint32_t *p = spsc_ring_peek(r, &len, &type);

		if (!p)
			continue;
		assert_int_equal(len, type * 4);
		assert_int_equal(p[0], next);
		assert_int_equal(p[type - 1], next);
		spsc_ring_pop(r);
		next++;
	}
	pthread_join(t, NULL);
	assert_null(spsc_ring_peek(r, &len, &type));
	spsc_ring_destroy(r);
}

static void test_two_threads_lose_nothing(void **state)
{
	(void)state;
	two_threads(1);
	two_threads(32);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fifo_order_and_types),
		cmocka_unit_test(test_full_then_wraps),
		cmocka_unit_test(test_batched_publication),
		cmocka_unit_test(test_two_threads_lose_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
