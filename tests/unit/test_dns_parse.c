/* SPDX-License-Identifier: BSD-3-Clause */
/* DNS parser: real message shapes parse, and hostile ones (truncation,
 * pointer loops, oversized labels and names, garbage) end in an error
 * without reading out of bounds (run under ASan by the asan build). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "analyzers/common/dns_parse.h"
#include "dns_build.h"

/* Builds messages into a fixed buffer. */
struct mb {
	uint8_t b[1024];
	size_t n;
};

static void put8(struct mb *m, unsigned v)
{
	m->b[m->n++] = (uint8_t)v;
}

static void put16(struct mb *m, unsigned v)
{
	put8(m, v >> 8);
	put8(m, v & 0xff);
}

static void put32(struct mb *m, uint32_t v)
{
	put16(m, v >> 16);
	put16(m, v & 0xffff);
}

static void put_name(struct mb *m, const char *dotted)
{
	m->n += db_name(m->b + m->n, dotted);
}

static void put_header(struct mb *m, unsigned flags, unsigned qd, unsigned an,
		       unsigned ns, unsigned ar)
{
	m->n = 0;
	put16(m, 0x1234);
	put16(m, flags);
	put16(m, qd);
	put16(m, an);
	put16(m, ns);
	put16(m, ar);
}

/* Response: pool.example.com A? -> CNAME edge.example.net (compressed
 * owner), A 192.0.2.7, AAAA 2001:db8::1, TXT, plus an OPT record. */
static void build_answer(struct mb *m)
{
	put_header(m, 0x8180, 1, 4, 0, 1);
	put_name(m, "pool.Example.com");          /* at offset 12 */
	put16(m, DNS_TYPE_A);
	put16(m, 1);
	put16(m, 0xc00c);                         /* CNAME owner -> qname */
	put16(m, DNS_TYPE_CNAME);
	put16(m, 1);
	put32(m, 300);
	put16(m, 18);
	put_name(m, "edge.example.net");          /* 18 bytes */
	put16(m, 0xc00c);
	put16(m, DNS_TYPE_A);
	put16(m, 1);
	put32(m, 60);
	put16(m, 4);
	put8(m, 192); put8(m, 0); put8(m, 2); put8(m, 7);
	put16(m, 0xc00c);
	put16(m, DNS_TYPE_AAAA);
	put16(m, 1);
	put32(m, 60);
	put16(m, 16);
	put16(m, 0x2001); put16(m, 0x0db8);
	for (int i = 0; i < 5; i++)
		put16(m, 0);
	put16(m, 1);
	put16(m, 0xc00c);
	put16(m, DNS_TYPE_TXT);
	put16(m, 1);
	put32(m, 5);
	put16(m, 7);
	put8(m, 2); put8(m, 'h'); put8(m, 'i');
	put8(m, 3); put8(m, 'a'); put8(m, 'b'); put8(m, 'c');
	put8(m, 0);                               /* OPT: root name */
	put16(m, DNS_TYPE_OPT);
	put16(m, 1232);
	put32(m, 0);
	put16(m, 0);
}

static void test_answer_parses(void **state)
{
	struct dns_msg *msg = calloc(1, sizeof(*msg));
	struct mb m;

	(void)state;
	build_answer(&m);
	assert_int_equal(dns_parse(m.b, m.n, msg), DNS_OK);
	assert_true(msg->hdr.qr);
	assert_int_equal(msg->n_questions, 1);
	assert_string_equal(msg->q[0].name.text, "pool.Example.com");
	assert_int_equal(msg->q[0].name.labels, 3);
	assert_int_equal(msg->q[0].qtype, DNS_TYPE_A);
	assert_int_equal(msg->n_answers, 4);
	assert_int_equal(msg->an[0].type, DNS_TYPE_CNAME);
	assert_string_equal(msg->an[0].name.text, "pool.Example.com");
	assert_string_equal(msg->an[0].target.text, "edge.example.net");
	assert_int_equal(msg->an[1].ttl, 60);
	assert_memory_equal(msg->an[1].addr.a, "\xc0\x00\x02\x07", 4);
	assert_int_equal(msg->an[2].addr.aaaa[15], 1);
	assert_int_equal(msg->an[3].txt_bytes, 5);
	assert_int_equal(msg->an[3].txt_strings, 2);
	assert_true(msg->edns);
	assert_int_equal(msg->edns_udp_size, 1232);
	assert_int_equal(msg->msg_len, m.n);
	free(msg);
}

/* Every cut of a valid message is an error, never a crash, and the
 * question survives once it is complete. */
static void test_every_truncation_fails_cleanly(void **state)
{
	struct dns_msg *msg = calloc(1, sizeof(*msg));
	struct mb m;

	(void)state;
	build_answer(&m);
	for (size_t cut = 0; cut < m.n; cut++) {
		uint8_t *copy = malloc(cut ? cut : 1);
		int rc;

		memcpy(copy, m.b, cut);
		rc = dns_parse(copy, cut, msg);
		assert_int_equal(rc, DNS_ERR_TRUNCATED);
		if (cut >= 12 + 18 + 4)
			assert_int_equal(msg->n_questions, 1);
		free(copy);
	}
	free(msg);
}

static void test_pointer_loops_end(void **state)
{
	struct dns_msg *msg = calloc(1, sizeof(*msg));
	struct mb m;

	(void)state;
	/* self-pointer */
	put_header(&m, 0x0100, 1, 0, 0, 0);
	put16(&m, 0xc00c);
	put16(&m, 1); put16(&m, 1);
	assert_int_equal(dns_parse(m.b, m.n, msg), DNS_ERR_LOOP);
	/* forward pointer */
	put_header(&m, 0x0100, 1, 0, 0, 0);
	put16(&m, 0xc00e);
	put8(&m, 0);
	put16(&m, 1); put16(&m, 1);
	assert_int_equal(dns_parse(m.b, m.n, msg), DNS_ERR_LOOP);
	/* two labels pointing at each other through the answer */
	put_header(&m, 0x8100, 1, 1, 0, 0);
	put8(&m, 1); put8(&m, 'a'); put16(&m, 0xc01d); /* 12: a -> 29 */
	put16(&m, 1); put16(&m, 1);                     /* 16 */
	put16(&m, 0xc00c);                              /* 20 */
	put16(&m, 1); put16(&m, 1); put32(&m, 1); put16(&m, 0); /* ..29 */
	put8(&m, 1); put8(&m, 'b'); put16(&m, 0xc00c);  /* 29: b -> 12 */
	assert_int_not_equal(dns_parse(m.b, m.n, msg), DNS_OK);
	free(msg);
}

static void test_oversized_labels_and_names(void **state)
{
	struct dns_msg *msg = calloc(1, sizeof(*msg));
	struct mb m;

	(void)state;
	put_header(&m, 0x0100, 1, 0, 0, 0);
	put8(&m, 64);
	memset(m.b + m.n, 'a', 64);
	m.n += 64;
	put8(&m, 0);
	put16(&m, 1); put16(&m, 1);
	assert_int_equal(dns_parse(m.b, m.n, msg), DNS_ERR_LABEL);

	put_header(&m, 0x0100, 1, 0, 0, 0);
	for (int i = 0; i < 5; i++) {
		put8(&m, 63);
		memset(m.b + m.n, 'a' + i, 63);
		m.n += 63;
	}
	put8(&m, 0);
	put16(&m, 1); put16(&m, 1);
	assert_int_equal(dns_parse(m.b, m.n, msg), DNS_ERR_NAME_TOO_LONG);

	/* 63 * 4 = 252 + 4 length bytes + root = 257 > 255; 3 labels fit */
	put_header(&m, 0x0100, 1, 0, 0, 0);
	for (int i = 0; i < 3; i++) {
		put8(&m, 63);
		memset(m.b + m.n, '.', 63);   /* dots inside a label */
		m.n += 63;
	}
	put8(&m, 0);
	put16(&m, 16); put16(&m, 1);
	assert_int_equal(dns_parse(m.b, m.n, msg), DNS_OK);
	assert_int_equal(msg->q[0].name.len, 63 * 3 + 2);
	assert_int_equal(msg->q[0].name.longest_label, 63);
	assert_int_equal(msg->q[0].name.text[0], '?');
	free(msg);
}

static void test_tcp_length_prefix(void **state)
{
	struct dns_msg *msg = calloc(1, sizeof(*msg));
	uint8_t buf[1100];
	size_t used;
	struct mb m;

	(void)state;
	build_answer(&m);
	buf[0] = (uint8_t)(m.n >> 8);
	buf[1] = (uint8_t)m.n;
	memcpy(buf + 2, m.b, m.n);
	assert_int_equal(dns_parse_tcp(buf, 1, msg, &used), DNS_NEED_MORE);
	assert_int_equal(dns_parse_tcp(buf, m.n, msg, &used), DNS_NEED_MORE);
	assert_int_equal(used, m.n + 2);
	assert_int_equal(dns_parse_tcp(buf, m.n + 2, msg, &used), DNS_OK);
	assert_int_equal(msg->n_answers, 4);
	free(msg);
}

/* Random bytes and random mutations of a valid message: no crash, and
 * any OK result is self-consistent. */
static void test_garbage(void **state)
{
	struct dns_msg *msg = calloc(1, sizeof(*msg));
	uint64_t x = 88172645463325252ull;
	struct mb m, good;

	(void)state;
	build_answer(&good);
	for (int round = 0; round < 20000; round++) {
		size_t n;

		x ^= x << 13; x ^= x >> 7; x ^= x << 17;
		if (round % 2) {
			m = good;
			for (int k = 0; k < 4; k++) {
				x ^= x << 13; x ^= x >> 7; x ^= x << 17;
				m.b[x % good.n] = (uint8_t)(x >> 32);
			}
			n = good.n;
		} else {
			n = x % 300;
			for (size_t i = 0; i < n; i++) {
				x ^= x << 13; x ^= x >> 7; x ^= x << 17;
				m.b[i] = (uint8_t)x;
			}
		}
		if (dns_parse(m.b, n, msg) == DNS_OK) {
			assert_true(msg->n_questions <= DNS_MAX_QUESTIONS);
			assert_true(msg->msg_len <= n);
			for (unsigned i = 0; i < msg->n_questions; i++)
				assert_int_equal(strlen(msg->q[i].name.text),
						 msg->q[i].name.len);
		}
	}
	free(msg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_answer_parses),
		cmocka_unit_test(test_every_truncation_fails_cleanly),
		cmocka_unit_test(test_pointer_loops_end),
		cmocka_unit_test(test_oversized_labels_and_names),
		cmocka_unit_test(test_tcp_length_prefix),
		cmocka_unit_test(test_garbage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
