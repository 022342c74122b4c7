/* SPDX-License-Identifier: BSD-3-Clause */
/* Flow keys: endpoint order, hashes from the key and from the view,
 * matching a packet in either direction, flow ids. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "flow/flow_key.h"
#include "decode/decode.h"

static struct pkt_view udp_view(const uint8_t src[16], uint16_t sport,
				const uint8_t dst[16], uint16_t dport)
{
	struct pkt_view pv;

	memset(&pv, 0, sizeof(pv));
	memcpy(pv.src.b, src, 16);
	memcpy(pv.dst.b, dst, 16);
	pv.sport = sport;
	pv.dport = dport;
	pv.proto = TW_PROTO_UDP;
	return pv;
}

static const uint8_t lo[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x01 };
static const uint8_t hi_low_half[16] = { 0x20, 0x01, 0x0d, 0xb8,
					 [8] = 0x80, [15] = 0x00 };
static const uint8_t hi_top_half[16] = { 0xfe, 0x80, [15] = 0x01 };

/* The key puts the endpoint with the smaller address bytes (memcmp
 * order), then the smaller port, first; the reader's hash agrees with the
 * key's for IPv6 addresses that differ in either half. */
static void test_key_order_and_view_hash(void **state)
{
	const uint8_t *other[] = { hi_low_half, hi_top_half, lo };
	struct pkt_view pv;
	struct flow_key k;

	(void)state;
	for (unsigned i = 0; i < 3; i++) {
		memset(&pv, 0, sizeof(pv));
		memcpy(pv.src.b, other[i], 16);
		memcpy(pv.dst.b, lo, 16);
		pv.sport = 443;
		pv.dport = i == 2 ? 80 : 50000;  /* same address: port decides */
		pv.proto = TW_PROTO_UDP;
		flow_key_from_view(&pv, &k);
		assert_memory_equal(k.addr[0].b, lo, 16);
		assert_int_equal(k.port[0], i == 2 ? 80 : 50000);
		assert_int_equal(flow_view_hash(&pv), flow_key_hash(&k));
	}
}

/* Both directions of a connection are its key; another port, address or
 * protocol is not. */
static void test_key_is_view_either_way(void **state)
{
	struct pkt_view out = udp_view(lo, 5353, hi_top_half, 53);
	struct pkt_view back = udp_view(hi_top_half, 53, lo, 5353);
	struct pkt_view other = udp_view(lo, 5354, hi_top_half, 53);
	struct flow_key k;

	(void)state;
	flow_key_from_view(&out, &k);
	assert_true(flow_key_is_view(&k, &out));
	assert_true(flow_key_is_view(&k, &back));
	assert_false(flow_key_is_view(&k, &other));
	other = udp_view(lo, 5353, hi_low_half, 53);
	assert_false(flow_key_is_view(&k, &other));
	out.proto = TW_PROTO_TCP;
	assert_false(flow_key_is_view(&k, &out));
}

/* Ids: the same for the same connection and start, another for another
 * start, 53 bits and never 0. */
static void test_flow_id(void **state)
{
	struct pkt_view pv = udp_view(lo, 40000, hi_top_half, 53);
	struct flow_key k;
	uint64_t a, b;

	(void)state;
	flow_key_from_view(&pv, &k);
	a = flow_key_id(&k, 1000);
	b = flow_key_id(&k, 1001);
	assert_int_equal(a, flow_key_id(&k, 1000));
	assert_int_not_equal(a, b);
	assert_true(a != 0 && a < (1ULL << 53));
	assert_true(b != 0 && b < (1ULL << 53));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_order_and_view_hash),
		cmocka_unit_test(test_key_is_view_either_way),
		cmocka_unit_test(test_flow_id),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
