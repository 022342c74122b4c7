/* SPDX-License-Identifier: BSD-3-Clause */
/* WebSocket and httptunnel framing removed (frame_dec.c): whole streams,
 * every split point, control and compressed frames, bad headers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "analyzers/common/frame_dec.h"

static const char inner[] = "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n";

/* A WebSocket frame of opcode op (FIN set) around p, masked with key
 * when key is not NULL; returns its length. */
static uint32_t ws_frame(uint8_t *out, uint8_t b0, const uint8_t *p,
			 uint32_t n, const uint8_t *key)
{
	uint32_t o = 0;

	out[o++] = b0;
	if (n < 126) {
		out[o++] = (uint8_t)((key ? 0x80 : 0) | n);
	} else {
		out[o++] = (uint8_t)((key ? 0x80 : 0) | 126);
		out[o++] = (uint8_t)(n >> 8);
		out[o++] = (uint8_t)n;
	}
	if (key) {
		memcpy(out + o, key, 4);
		o += 4;
	}
	for (uint32_t i = 0; i < n; i++)
		out[o + i] = key ? (uint8_t)(p[i] ^ key[i & 3]) : p[i];
	return o + n;
}

static const uint8_t key[4] = { 0x37, 0xfa, 0x21, 0x3d };

static void test_ws_masked_and_plain(void **state)
{
	uint8_t wire[512], out[512];
	uint32_t n = 0, got;
	struct frame_dec x;

	(void)state;
	n += ws_frame(wire + n, 0x82, (const uint8_t *)inner, 20, key);
	n += ws_frame(wire + n, 0x89, (const uint8_t *)"ping", 4, key);
	n += ws_frame(wire + n, 0x80, (const uint8_t *)inner + 20,
		      sizeof(inner) - 1 - 20, NULL);
	memset(&x, 0, sizeof(x));
	got = ws_unwrap(&x, wire, n, out);
	assert_int_equal(got, sizeof(inner) - 1);   /* the ping skipped */
	assert_memory_equal(out, inner, got);
	assert_int_equal(x.flags & FD_DEAD, 0);
}

/* Every split of the stream into two chunks gives the same bytes. */
static void test_ws_every_split(void **state)
{
	uint8_t big[300], wire[700], out[700];
	uint32_t n = 0;

	(void)state;
	for (unsigned i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 7);
	n += ws_frame(wire + n, 0x82, big, sizeof(big), key); /* 16-bit len */
	n += ws_frame(wire + n, 0x82, (const uint8_t *)inner, 10, NULL);
	for (uint32_t cut = 0; cut <= n; cut++) {
		struct frame_dec x;
		uint32_t got;

		memset(&x, 0, sizeof(x));
		got = ws_unwrap(&x, wire, cut, out);
		got += ws_unwrap(&x, wire + cut, n - cut, out + got);
		assert_int_equal(got, sizeof(big) + 10);
		assert_memory_equal(out, big, sizeof(big));
		assert_memory_equal(out + sizeof(big), inner, 10);
	}
}

/* permessage-deflate (RSV1): the rest is opaque; a bad opcode is lost
 * framing. Neither writes a byte afterwards. */
static void test_ws_opaque_and_dead(void **state)
{
	uint8_t wire[128], out[128];
	uint32_t n;
	struct frame_dec x;

	(void)state;
	memset(&x, 0, sizeof(x));
	n = ws_frame(wire, 0xc1, (const uint8_t *)"\xf2\x48\xcd", 3, key);
	n += ws_frame(wire + n, 0x82, (const uint8_t *)inner, 8, NULL);
	assert_int_equal(ws_unwrap(&x, wire, n, out), 0);
	assert_true(x.flags & FD_OPAQUE);
	assert_int_equal(ws_unwrap(&x, wire, n, out), 0);

	memset(&x, 0, sizeof(x));
	n = ws_frame(wire, 0x85, (const uint8_t *)inner, 8, NULL);
	assert_int_equal(ws_unwrap(&x, wire, n, out), 0);
	assert_true(x.flags & FD_DEAD);
}

static uint32_t htc_rec(uint8_t *out, uint8_t type, const void *p,
			uint32_t n)
{
	out[0] = type;
	out[1] = (uint8_t)(n >> 8);
	out[2] = (uint8_t)n;
	memcpy(out + 3, p, n);
	return n + 3;
}

static void test_htc_records(void **state)
{
	uint8_t wire[256], out[256];
	uint32_t n = 0;

	(void)state;
	n += htc_rec(wire + n, HTC_OPEN, "", 0);
	n += htc_rec(wire + n, HTC_DATA, inner, 17);
	wire[n++] = HTC_PAD1;
	n += htc_rec(wire + n, HTC_PADDING, "\0\0\0\0", 4);
	n += htc_rec(wire + n, HTC_DATA, inner + 17, sizeof(inner) - 1 - 17);
	assert_true(htc_body_start(wire, n));
	assert_true(htc_body_start(wire, 1));
	for (uint32_t cut = 0; cut <= n; cut++) {
		struct frame_dec x;
		uint32_t got;

		memset(&x, 0, sizeof(x));
		got = htc_unwrap(&x, wire, cut, out);
		got += htc_unwrap(&x, wire + cut, n - cut, out + got);
		assert_int_equal(got, sizeof(inner) - 1);
		assert_memory_equal(out, inner, got);
	}
}

/* Sizes only: each DATA record's length once its header is read, over
 * any split; OPEN, PADDING and PAD1 are no inner packets. */
static void test_htc_walk(void **state)
{
	uint8_t wire[256];
	uint32_t n = 0;

	(void)state;
	n += htc_rec(wire + n, HTC_OPEN, "", 0);
	n += htc_rec(wire + n, HTC_DATA, inner, 17);
	wire[n++] = HTC_PAD1;
	n += htc_rec(wire + n, HTC_PADDING, "\0\0\0\0", 4);
	n += htc_rec(wire + n, HTC_DATA, inner + 17, 23);
	for (uint32_t cut = 0; cut <= n; cut++) {
		struct frame_dec x;
		uint32_t sizes[4], ns = 0;
		const uint32_t ends[2] = { cut, n };
		uint32_t i = 0;

		memset(&x, 0, sizeof(x));
		for (unsigned part = 0; part < 2; part++)
			while (i < ends[part]) {
				i += htc_walk(&x, wire + i, ends[part] - i);
				if (x.flags & FD_RECORD) {
					x.flags &= (uint8_t)~FD_RECORD;
					assert_true(ns < 4);
					sizes[ns++] = x.left;
				}
			}
		assert_int_equal(ns, 2);
		assert_int_equal(sizes[0], 17);
		assert_int_equal(sizes[1], 23);
		assert_int_equal(x.flags & FD_DEAD, 0);
	}
}

/* An HTTP answer where a record should be: dead, nothing written. */
static void test_htc_not_records(void **state)
{
	uint8_t out[64];
	struct frame_dec x;

	(void)state;
	memset(&x, 0, sizeof(x));
	assert_int_equal(htc_unwrap(&x, (const uint8_t *)"HTTP/1.1 200 OK\r\n",
				    17, out), 0);
	assert_true(x.flags & FD_DEAD);
	assert_false(htc_body_start((const uint8_t *)"<html>", 6));
	assert_false(htc_body_start((const uint8_t *)"GIF89a", 6));
	assert_false(htc_body_start((const uint8_t *)"\x01\x01\x00", 3));
	assert_false(htc_body_start((const uint8_t *)"\x02\x00\x00", 3));
	assert_false(htc_body_start((const uint8_t *)"", 0));
}

/* One frame per segment: the inner size comes back. */
static void test_inner_len(void **state)
{
	(void)state;
	assert_int_equal(ws_inner_len(36 + 6, true), 36);
	assert_int_equal(ws_inner_len(36 + 2, false), 36);
	assert_int_equal(ws_inner_len(125 + 2, false), 125);
	assert_int_equal(ws_inner_len(126 + 4, false), 126);
	assert_int_equal(ws_inner_len(1400 + 8, true), 1400);
	assert_int_equal(ws_inner_len(70000 + 10, false), 70000);
	assert_int_equal(ws_inner_len(1, false), 1);
	assert_int_equal(framing_inner_len(TW_FRAMING_WEBSOCKET, false, 38), 36);
	assert_int_equal(framing_inner_len(TW_FRAMING_HTTPTUNNEL, true, 39), 39);
	assert_int_equal(framing_inner_len(TW_FRAMING_NONE, true, 39), 39);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ws_masked_and_plain),
		cmocka_unit_test(test_ws_every_split),
		cmocka_unit_test(test_ws_opaque_and_dead),
		cmocka_unit_test(test_htc_records),
		cmocka_unit_test(test_htc_walk),
		cmocka_unit_test(test_htc_not_records),
		cmocka_unit_test(test_inner_len),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
