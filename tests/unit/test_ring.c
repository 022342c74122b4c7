#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ring.h"

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

#define PRODUCED 200000u

static void *producer(void *arg)
{
	struct spsc_ring *r = arg;

	for (uint32_t i = 0; i < PRODUCED; i++) {
		uint32_t n = 4 + i % 300;
		uint32_t *p;

		while (!(p = spsc_ring_reserve(r, n * 4)))
			;
		for (uint32_t k = 0; k < n; k++)
			p[k] = i;
		spsc_ring_commit(r, n);
	}
	return NULL;
}

static void test_two_threads_lose_nothing(void **state)
{
	struct spsc_ring *r = spsc_ring_create(16384);
	pthread_t t;
	uint32_t len, type, next = 0;

	(void)state;
	assert_int_equal(pthread_create(&t, NULL, producer, r), 0);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fifo_order_and_types),
		cmocka_unit_test(test_full_then_wraps),
		cmocka_unit_test(test_two_threads_lose_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
