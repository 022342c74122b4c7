/* SPDX-License-Identifier: BSD-3-Clause */
/* TLS ClientHello parser: SNI, ALPN and versions from a built hello, in
 * one record, split over records, and cut short (need more); garbage and
 * wrong records are refused without reading out of bounds. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "analyzers/common/tls_parse.h"

struct hb {
	uint8_t b[4096];
	size_t n;
};

static void put8(struct hb *h, unsigned v)
{
	h->b[h->n++] = (uint8_t)v;
}

static void put16(struct hb *h, unsigned v)
{
	put8(h, v >> 8);
	put8(h, v & 0xff);
}

static void put_bytes(struct hb *h, const void *p, size_t n)
{
	memcpy(h->b + h->n, p, n);
	h->n += n;
}

static void patch16(struct hb *h, size_t at, size_t v)
{
	h->b[at] = (uint8_t)(v >> 8);
	h->b[at + 1] = (uint8_t)v;
}

/* A TLS 1.3 ClientHello record: GREASE, padding extension of pad bytes,
 * then SNI and ALPN (h2, http/1.1) and supported_versions. */
static void build_hello(struct hb *h, const char *sni, size_t pad)
{
	size_t rec_len, hs_len, ext_len;
	uint8_t random[32] = { 0 };

	h->n = 0;
	put8(h, 22); put16(h, 0x0301);
	rec_len = h->n; put16(h, 0);
	put8(h, 1);
	hs_len = h->n; put8(h, 0); put16(h, 0);
	put16(h, 0x0303);
	put_bytes(h, random, 32);
	put8(h, 32); put_bytes(h, random, 32);
	put16(h, 4); put16(h, 0x1301); put16(h, 0x1302);
	put8(h, 1); put8(h, 0);
	ext_len = h->n; put16(h, 0);
	put16(h, 0x2a2a); put16(h, 0);                      /* GREASE */
	put16(h, 21); put16(h, (unsigned)pad);              /* padding */
	for (size_t i = 0; i < pad; i++)
		put8(h, 0);
	put16(h, 0); put16(h, (unsigned)(strlen(sni) + 5)); /* server_name */
	put16(h, (unsigned)(strlen(sni) + 3)); put8(h, 0);
	put16(h, (unsigned)strlen(sni)); put_bytes(h, sni, strlen(sni));
	put16(h, 16); put16(h, 14); put16(h, 12);           /* ALPN */
	put8(h, 2); put_bytes(h, "h2", 2);
	put8(h, 8); put_bytes(h, "http/1.1", 8);
	put16(h, 43); put16(h, 7); put8(h, 6);              /* versions */
	put16(h, 0x3a3a); put16(h, 0x0304); put16(h, 0x0303);
	patch16(h, ext_len, h->n - ext_len - 2);
	patch16(h, hs_len + 1, h->n - hs_len - 3);
	patch16(h, rec_len, h->n - rec_len - 2);
}

static void test_hello_parses(void **state)
{
	struct tls_client_hello ch;
	struct hb h;
	size_t need;

	(void)state;
	build_hello(&h, "pool.example.org", 10);
	assert_int_equal(tls_parse_client_hello(h.b, h.n, &ch, &need), TLS_OK);
	assert_true(ch.has_sni);
	assert_string_equal(ch.sni, "pool.example.org");
	assert_int_equal(ch.n_alpn, 2);
	assert_string_equal(ch.alpn[0], "h2");
	assert_string_equal(ch.alpn[1], "http/1.1");
	assert_int_equal(ch.max_version, 0x0304);
	assert_int_equal(ch.legacy_version, 0x0303);
	assert_int_equal(ch.n_ciphers, 2);
	assert_int_equal(ch.n_extensions, 5);
}

/* Every cut is "need more" with a need beyond the cut; the full hello
 * length is what is asked for once the record header is in. */
static void test_cut_hello_needs_more(void **state)
{
	struct tls_client_hello ch;
	struct hb h;

	(void)state;
	build_hello(&h, "pool.example.org", 1500);  /* two TCP segments */
	for (size_t cut = 1; cut < h.n; cut++) {
		size_t need = 0;

		assert_int_equal(tls_parse_client_hello(h.b, cut, &ch, &need),
				 TLS_NEED_MORE);
		assert_true(need > cut);
		if (cut >= 9)
			assert_int_equal(need, h.n);
	}
}

/* The same handshake split into two records of one byte and the rest. */
static void test_hello_over_two_records(void **state)
{
	struct tls_client_hello ch;
	struct hb h, s;
	size_t body;

	(void)state;
	build_hello(&h, "a.example", 0);
	body = h.n - 5;
	s.n = 0;
	put8(&s, 22); put16(&s, 0x0301); put16(&s, 1);
	put8(&s, h.b[5]);
	put8(&s, 22); put16(&s, 0x0301); put16(&s, (unsigned)(body - 1));
	put_bytes(&s, h.b + 6, body - 1);
	assert_int_equal(tls_parse_client_hello(s.b, s.n, &ch, NULL), TLS_OK);
	assert_string_equal(ch.sni, "a.example");
}

static void test_not_a_client_hello(void **state)
{
	struct tls_client_hello ch;
	struct hb h;

	(void)state;
	assert_int_equal(tls_parse_client_hello((const uint8_t *)"GET / HTTP/1.1",
						14, &ch, NULL), TLS_NOT_TLS);
	build_hello(&h, "x", 0);
	h.b[5] = 2;   /* ServerHello */
	assert_int_equal(tls_parse_client_hello(h.b, h.n, &ch, NULL),
			 TLS_NOT_CLIENT_HELLO);
	build_hello(&h, "x", 0);
	h.b[h.n - 8] = 0xff;  /* supported_versions length beyond its ext */
	assert_int_equal(tls_parse_client_hello(h.b, h.n, &ch, NULL),
			 TLS_ERR_FORMAT);
}

static void test_garbage(void **state)
{
	struct tls_client_hello ch;
	uint64_t x = 2463534242ull;
	struct hb h, good;

	(void)state;
	build_hello(&good, "pool.example.org", 20);
	for (int round = 0; round < 20000; round++) {
		size_t n = good.n, need;

		h = good;
		for (int k = 0; k < 3; k++) {
			x ^= x << 13; x ^= x >> 7; x ^= x << 17;
			h.b[1 + x % (good.n - 1)] = (uint8_t)(x >> 40);
		}
		if (round % 3 == 0)
			n = x % good.n;
		if (tls_parse_client_hello(h.b, n, &ch, &need) == TLS_OK) {
			assert_true(strlen(ch.sni) == ch.sni_len);
			assert_true(ch.n_alpn <= TLS_ALPN_MAX);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hello_parses),
		cmocka_unit_test(test_cut_hello_needs_more),
		cmocka_unit_test(test_hello_over_two_records),
		cmocka_unit_test(test_not_a_client_hello),
		cmocka_unit_test(test_garbage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
