/* SPDX-License-Identifier: BSD-3-Clause */
/* flow/defrag.c: completion in any order, the rebuilt header, first-wins
 * overlaps and their finding, timeouts, eviction, floods, bad offsets. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "flow/defrag.h"
#include "decode/decode.h"

#define NS 1000000000ULL

static struct defrag_alert alerts[8];
static unsigned n_alerts;

static void on_alert(void *ctx, const struct defrag_alert *a)
{
	(void)ctx;
	if (n_alerts < 8)
		alerts[n_alerts] = *a;
	n_alerts++;
}

static uint8_t data[4096];

/* A fragment view as decode_packet() hands it over. */
static struct pkt_view frag(uint8_t version, uint32_t id, uint32_t off,
			    uint32_t len, int more, uint64_t ts,
			    const uint8_t *bytes)
{
	struct pkt_view pv;

	memset(&pv, 0, sizeof(pv));
	pv.ip_version = version;
	pv.src.b[10] = pv.src.b[11] = 0xff;
	pv.dst.b[10] = pv.dst.b[11] = 0xff;
	pv.src.b[12] = 10, pv.src.b[15] = 1;
	pv.dst.b[12] = 10, pv.dst.b[15] = 2;
	if (version == 6) {
		pv.src.b[0] = pv.dst.b[0] = 0x20;
		pv.src.b[10] = pv.dst.b[10] = 0;
	}
	pv.proto = TW_PROTO_UDP;
	pv.ttl = 33;
	pv.frag_id = id;
	pv.frag_offset = (uint16_t)(off / 8);
	pv.frag_more = (uint8_t)more;
	pv.payload = (bytes ? bytes : data) + off;
	pv.payload_len = len;
	pv.payload_wire_len = len;
	pv.ts_ns = ts;
	return pv;
}

static struct defrag_table *table(struct tw_counters *ctr, uint32_t max,
				  uint32_t flood)
{
	struct defrag_config cfg = {
		.max_datagrams = max, .max_datagram_bytes = 65535,
		.timeout_ns = 30 * NS, .flood_incomplete = flood,
	};
	struct defrag_table *t;

	memset(ctr, 0, sizeof(*ctr));
	n_alerts = 0;
	t = defrag_create(&cfg, ctr, on_alert, NULL);
	assert_non_null(t);
	return t;
}

static int setup(void **state)
{
	(void)state;
	for (unsigned i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7 + 3);
	return 0;
}

static void test_out_of_order_v4(void **state)
{
	struct tw_counters ctr;
	struct defrag_table *t = table(&ctr, 16, 0);
	struct pkt_view a = frag(4, 7, 0, 64, 1, 1, NULL);
	struct pkt_view b = frag(4, 7, 64, 64, 1, 2, NULL);
	struct pkt_view c = frag(4, 7, 128, 21, 0, 3, NULL);
	const uint8_t *ip;
	uint32_t len = 0;
	uint8_t v = 0;

	(void)state;
	assert_null(defrag_add(t, &c, &len, &v));
	assert_null(defrag_add(t, &a, &len, &v));
	ip = defrag_add(t, &b, &len, &v);
	assert_non_null(ip);
	assert_int_equal(v, 4);
	assert_int_equal(len, 20 + 149);
	assert_int_equal(ip[0], 0x45);
	assert_int_equal(ip[2] << 8 | ip[3], 20 + 149);
	assert_int_equal(ip[6] & 0x3f, 0);      /* no MF, no offset */
	assert_int_equal(ip[8], 33);
	assert_int_equal(ip[9], TW_PROTO_UDP);
	assert_int_equal(ip[15], 1);
	assert_int_equal(ip[19], 2);
	assert_memory_equal(ip + 20, data, 149);
	assert_int_equal(ctr.v[TW_CTR_DEFRAG_REASSEMBLED], 1);
	defrag_destroy(t);
}

static void test_v6(void **state)
{
	struct tw_counters ctr;
	struct defrag_table *t = table(&ctr, 16, 0);
	struct pkt_view a = frag(6, 0x10203, 0, 1232, 1, 1, NULL);
	struct pkt_view b = frag(6, 0x10203, 1232, 100, 0, 2, NULL);
	const uint8_t *ip;
	uint32_t len = 0;
	uint8_t v = 0;

	(void)state;
	assert_null(defrag_add(t, &a, &len, &v));
	ip = defrag_add(t, &b, &len, &v);
	assert_non_null(ip);
	assert_int_equal(v, 6);
	assert_int_equal(len, 40 + 1332);
	assert_int_equal(ip[0] >> 4, 6);
	assert_int_equal(ip[4] << 8 | ip[5], 1332);
	assert_int_equal(ip[6], TW_PROTO_UDP);
	assert_memory_equal(ip + 40, data, 1332);
	defrag_destroy(t);
}

/* Same bytes again: counted, not reported. Other bytes: the first copy
 * stays, one alert per datagram with the conflicting byte count. */
static void test_overlaps(void **state)
{
	struct tw_counters ctr;
	struct defrag_table *t = table(&ctr, 16, 0);
	uint8_t evil[4096];
	struct pkt_view pv;
	const uint8_t *ip;
	uint32_t len = 0;
	uint8_t v = 0;

	(void)state;
	memcpy(evil, data, sizeof(evil));
	for (unsigned i = 64; i < 96; i++)
		evil[i] ^= 0xff;
	pv = frag(4, 9, 0, 64, 1, 1, NULL);
	assert_null(defrag_add(t, &pv, &len, &v));
	pv = frag(4, 9, 32, 64, 1, 1, NULL);      /* same bytes */
	assert_null(defrag_add(t, &pv, &len, &v));
	assert_int_equal(ctr.v[TW_CTR_DEFRAG_OVERLAP_SAME], 1);
	assert_int_equal(n_alerts, 0);
	pv = frag(4, 9, 64, 64, 1, 1, NULL);
	assert_null(defrag_add(t, &pv, &len, &v));
	pv = frag(4, 9, 64, 64, 1, 2, evil);      /* 32 bytes differ */
	assert_null(defrag_add(t, &pv, &len, &v));
	pv = frag(4, 9, 64, 64, 1, 2, evil);      /* again: one alert */
	assert_null(defrag_add(t, &pv, &len, &v));
	assert_int_equal(ctr.v[TW_CTR_DEFRAG_OVERLAP_CONFLICT], 2);
	assert_int_equal(n_alerts, 1);
	assert_int_equal(alerts[0].kind, DEFRAG_ALERT_OVERLAP);
	assert_int_equal(alerts[0].count, 32);
	assert_int_equal(alerts[0].src.b[15], 1);
	pv = frag(4, 9, 128, 8, 0, 3, NULL);
	ip = defrag_add(t, &pv, &len, &v);
	assert_non_null(ip);
	assert_memory_equal(ip + 20, data, 136); /* first copy won */
	defrag_destroy(t);
}

static void test_timeout_eviction_flood(void **state)
{
	struct tw_counters ctr;
	struct defrag_table *t = table(&ctr, 4, 6);
	struct pkt_view pv;
	uint32_t len;
	uint8_t v;

	(void)state;
	for (uint32_t id = 0; id < 6; id++) {
		pv = frag(4, id, 0, 64, 1, id * NS, NULL);
		assert_null(defrag_add(t, &pv, &len, &v));
	}
	/* 4 slots: ids 0 and 1 were evicted for 4 and 5 */
	assert_int_equal(ctr.v[TW_CTR_DEFRAG_EVICTED], 2);
	defrag_expire(t, 31 * NS);   /* the oldest left began at 2 s */
	assert_int_equal(ctr.v[TW_CTR_DEFRAG_TIMED_OUT], 0);
	defrag_expire(t, 100 * NS);
	assert_int_equal(ctr.v[TW_CTR_DEFRAG_TIMED_OUT], 4);
	/* 6 incomplete datagrams between the pair: one flood alert */
	assert_int_equal(n_alerts, 1);
	assert_int_equal(alerts[0].kind, DEFRAG_ALERT_FLOOD);
	assert_int_equal(alerts[0].count, 6);
	/* the table still works: a one-piece datagram completes */
	pv = frag(4, 99, 0, 8, 0, 101 * NS, NULL);
	assert_non_null(defrag_add(t, &pv, &len, &v));
	defrag_destroy(t);
}

static void test_invalid(void **state)
{
	struct tw_counters ctr;
	struct defrag_table *t = table(&ctr, 4, 0);
	struct pkt_view pv;
	uint32_t len;
	uint8_t v;

	(void)state;
	pv = frag(4, 1, 0, 60, 1, 1, NULL);         /* not 8-aligned */
	assert_null(defrag_add(t, &pv, &len, &v));
	pv = frag(4, 2, 65528, 64, 0, 1, NULL);     /* past 65535 */
	assert_null(defrag_add(t, &pv, &len, &v));
	pv = frag(4, 3, 0, 64, 1, 1, NULL);
	pv.payload_len = 32;                        /* snapped short */
	assert_null(defrag_add(t, &pv, &len, &v));
	assert_int_equal(ctr.v[TW_CTR_DEFRAG_INVALID], 3);
	/* a last fragment that ends before bytes already held */
	pv = frag(4, 4, 64, 64, 1, 1, NULL);
	assert_null(defrag_add(t, &pv, &len, &v));
	pv = frag(4, 4, 0, 16, 0, 1, NULL);
	assert_null(defrag_add(t, &pv, &len, &v));
	assert_int_equal(ctr.v[TW_CTR_DEFRAG_INVALID], 4);
	defrag_destroy(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_out_of_order_v4),
		cmocka_unit_test(test_v6),
		cmocka_unit_test(test_overlaps),
		cmocka_unit_test(test_timeout_eviction_flood),
		cmocka_unit_test(test_invalid),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
