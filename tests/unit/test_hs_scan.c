/* SPDX-License-Identifier: BSD-3-Clause */
/* hs_scan: streams across feeds, independence of streams, the bounded
 * stream pool and its counters, end-of-data matches at close, a callback
 * that stops its stream. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/counters.h"
#include "scan/hs_db.h"
#include "scan/hs_scan.h"

#define MAX_SEEN 16

struct seen {
	unsigned n;
	uint32_t id[MAX_SEEN];
	uint64_t end[MAX_SEEN];
	int tag[MAX_SEEN];
};

/* One per stream under test, so a match says which stream it came from. */
struct probe {
	struct seen *seen;
	int tag;
	uint32_t stop_at_id;  /* the callback asks to stop at this id */
};

struct fixture {
	char dir[64];
	struct hs_db *db;
	struct seen seen;
	struct tw_counters ctr;
};

static int on_match(void *ctx, uint32_t id, uint64_t end)
{
	struct probe *p = ctx;
	struct seen *s = p->seen;

	if (s->n < MAX_SEEN) {
		s->id[s->n] = id;
		s->end[s->n] = end;
		s->tag[s->n] = p->tag;
	}
	s->n++;
	return p->stop_at_id && id == p->stop_at_id;
}

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	char path[128], err[256];
	FILE *fp;

	if (!fx)
		return -1;
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/tw_hs_scan_XXXXXX");
	if (!mkdtemp(fx->dir))
		return -1;
	snprintf(path, sizeof(path), "%s/t.hs", fx->dir);
	fp = fopen(path, "w");
	if (!fp)
		return -1;
	/* 2 only matches at the end of a stream: reported by close */
	fputs("1:/hello world/\n2:/xyz$/\n", fp);
	fclose(fp);
	fx->db = hs_db_load(fx->dir, err, sizeof(err));
	unlink(path);
	rmdir(fx->dir);
	if (!fx->db) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	hs_db_free(fx->db);
	free(fx);
	return 0;
}

static struct hs_scanner *make_scanner(struct fixture *fx, uint32_t n)
{
	char err[256];
	struct hs_scanner *s = hs_scanner_create(fx->db, n, err, sizeof(err));

	if (!s)
		fail_msg("%s", err);
	memset(&fx->seen, 0, sizeof(fx->seen));
	memset(&fx->ctr, 0, sizeof(fx->ctr));
	return s;
}

static int feed(struct fixture *fx, struct hs_scanner *s,
		struct flow_stream *st, struct probe *p, const char *text)
{
	return hs_scanner_feed(s, st, (const uint8_t *)text,
			       (uint32_t)strlen(text), on_match, p, &fx->ctr);
}

static void test_match_split_across_feeds(void **state)
{
	struct fixture *fx = *state;
	struct hs_scanner *s = make_scanner(fx, 4);
	struct flow_stream st = { 0 };
	struct probe p = { &fx->seen, 1, 0 };

	assert_int_equal(feed(fx, s, &st, &p, "say hel"), 0);
	assert_non_null(st.hs_stream);
	assert_int_equal(fx->seen.n, 0);
	assert_int_equal(feed(fx, s, &st, &p, "lo world!"), 0);
	assert_int_equal(fx->seen.n, 1);
	assert_int_equal(fx->seen.id[0], 1);
	/* offsets count from the stream's first byte, across feeds */
	assert_int_equal(fx->seen.end[0], strlen("say hello world"));
	hs_scanner_close(s, &st, on_match, &p);
	assert_null(st.hs_stream);
	assert_int_equal(fx->seen.n, 1);
	assert_int_equal(fx->ctr.v[TW_CTR_SCAN_STREAMS_OPENED], 1);
	assert_int_equal(fx->ctr.v[TW_CTR_SCAN_MATCHES], 1);
	assert_int_equal(fx->ctr.v[TW_CTR_SCAN_ERRORS], 0);
	hs_scanner_destroy(s);
}

static void test_streams_are_independent(void **state)
{
	struct fixture *fx = *state;
	struct hs_scanner *s = make_scanner(fx, 4);
	struct flow_stream a = { 0 }, b = { 0 };
	struct probe pa = { &fx->seen, 'a', 0 }, pb = { &fx->seen, 'b', 0 };

	assert_int_equal(feed(fx, s, &a, &pa, "hello "), 0);
	assert_int_equal(feed(fx, s, &b, &pb, "world hello "), 0);
	assert_int_equal(fx->seen.n, 0);   /* b's "world" is not a's */
	assert_int_equal(feed(fx, s, &a, &pa, "world"), 0);
	assert_int_equal(fx->seen.n, 1);
	assert_int_equal(fx->seen.tag[0], 'a');
	assert_int_equal(fx->seen.end[0], 11);
	assert_int_equal(feed(fx, s, &b, &pb, "world"), 0);
	assert_int_equal(fx->seen.n, 2);
	assert_int_equal(fx->seen.tag[1], 'b');
	assert_int_equal(fx->seen.end[1], 17);
	hs_scanner_close(s, &a, on_match, &pa);
	hs_scanner_close(s, &b, on_match, &pb);
	assert_int_equal(fx->ctr.v[TW_CTR_SCAN_STREAMS_OPENED], 2);
	hs_scanner_destroy(s);
}

static void test_pool_exhaustion_and_release(void **state)
{
	struct fixture *fx = *state;
	struct hs_scanner *s = make_scanner(fx, 1);
	struct flow_stream one = { 0 }, two = { 0 }, three = { 0 };
	struct probe p = { &fx->seen, 0, 0 };

	assert_int_equal(feed(fx, s, &one, &p, "abc"), 0);
	assert_int_equal(feed(fx, s, &two, &p, "abc"), -1);
	assert_null(two.hs_stream);
	assert_int_equal(two.scan_failed, 1);
	assert_int_equal(fx->ctr.v[TW_CTR_SCAN_STREAMS_EXHAUSTED], 1);

	/* a failed stream is not retried, even once the pool has room */
	hs_scanner_close(s, &one, on_match, &p);
	assert_null(one.hs_stream);
	assert_int_equal(feed(fx, s, &two, &p, "abc"), -1);
	assert_int_equal(fx->ctr.v[TW_CTR_SCAN_STREAMS_EXHAUSTED], 1);

	/* the closed stream's block serves a new stream */
	assert_int_equal(feed(fx, s, &three, &p, "hello world"), 0);
	assert_non_null(three.hs_stream);
	assert_int_equal(fx->seen.n, 1);
	assert_int_equal(fx->ctr.v[TW_CTR_SCAN_STREAMS_OPENED], 2);
	hs_scanner_close(s, &three, on_match, &p);
	hs_scanner_destroy(s);
}

static void test_close_reports_end_of_data(void **state)
{
	struct fixture *fx = *state;
	struct hs_scanner *s = make_scanner(fx, 2);
	struct flow_stream st = { 0 }, never = { 0 };
	struct probe p = { &fx->seen, 0, 0 };

	assert_int_equal(feed(fx, s, &st, &p, "abc xyz"), 0);
	assert_int_equal(fx->seen.n, 0);     /* more bytes might follow */
	hs_scanner_close(s, &st, on_match, &p);
	assert_int_equal(fx->seen.n, 1);
	assert_int_equal(fx->seen.id[0], 2);
	assert_int_equal(fx->seen.end[0], 7);
	assert_int_equal(fx->ctr.v[TW_CTR_SCAN_MATCHES], 1);

	hs_scanner_close(s, &never, on_match, &p);   /* no-op */
	assert_null(never.hs_stream);
	assert_int_equal(fx->seen.n, 1);
	hs_scanner_close(s, &st, on_match, &p);      /* twice: no-op */
	assert_int_equal(fx->seen.n, 1);
	hs_scanner_destroy(s);
}

/* A callback that says the rest needs no patterns: later matches of the
 * same feed and every later feed go unscanned, the block is free again
 * and the stream is not reopened. */
static void test_callback_stops_stream(void **state)
{
	struct fixture *fx = *state;
	struct hs_scanner *s = make_scanner(fx, 1);
	struct flow_stream st = { 0 }, other = { 0 };
	struct probe p = { &fx->seen, 0, 1 };

	assert_int_equal(feed(fx, s, &st, &p, "hello world hello world"), 0);
	assert_int_equal(fx->seen.n, 1);
	assert_int_equal(fx->seen.end[0], 11);
	assert_null(st.hs_stream);
	assert_int_equal(st.scan_stopped, 1);
	assert_int_equal(fx->ctr.v[TW_CTR_SCAN_STREAMS_STOPPED], 1);
	assert_int_equal(feed(fx, s, &st, &p, "hello world xyz"), 0);
	hs_scanner_close(s, &st, on_match, &p);
	assert_int_equal(fx->seen.n, 1);
	assert_int_equal(fx->ctr.v[TW_CTR_SCAN_STREAMS_OPENED], 1);
	/* the pool's only block went back: another stream gets it */
	assert_int_equal(feed(fx, s, &other, &p, "abc"), 0);
	assert_non_null(other.hs_stream);
	hs_scanner_close(s, &other, on_match, &p);
	assert_int_equal(fx->ctr.v[TW_CTR_SCAN_ERRORS], 0);
	hs_scanner_destroy(s);
}

static void test_empty_feed_takes_no_stream(void **state)
{
	struct fixture *fx = *state;
	struct hs_scanner *s = make_scanner(fx, 1);
	struct flow_stream st = { 0 };
	struct probe p = { &fx->seen, 0, 0 };

	assert_int_equal(hs_scanner_feed(s, &st, NULL, 0, on_match, &p,
					 &fx->ctr), 0);
	assert_null(st.hs_stream);
	assert_int_equal(fx->ctr.v[TW_CTR_SCAN_STREAMS_OPENED], 0);
	hs_scanner_destroy(s);
}

static void test_memory_and_bad_args(void **state)
{
	struct fixture *fx = *state;
	char err[256] = "";
	struct hs_scanner *s = make_scanner(fx, 100);
	size_t m100 = hs_scanner_memory(s);

	hs_scanner_destroy(s);
	s = make_scanner(fx, 10);
	/* the pool is preallocated: memory grows with max_streams */
	assert_true(m100 >= hs_scanner_memory(s) +
		    90 * hs_db_stream_size(fx->db));
	hs_scanner_destroy(s);
	assert_null(hs_scanner_create(fx->db, 0, err, sizeof(err)));
	assert_true(strlen(err) > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_match_split_across_feeds),
		cmocka_unit_test(test_streams_are_independent),
		cmocka_unit_test(test_pool_exhaustion_and_release),
		cmocka_unit_test(test_close_reports_end_of_data),
		cmocka_unit_test(test_callback_stops_stream),
		cmocka_unit_test(test_empty_feed_takes_no_stream),
		cmocka_unit_test(test_memory_and_bad_args),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
