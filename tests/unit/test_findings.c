/* SPDX-License-Identifier: BSD-3-Clause */
/* The finding record: prefill from a flow, bounded detail and summary,
 * family names and time formatting. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "flow/flow.h"
#include "findings/findings.h"

static void v4(struct ip_addr *a, uint8_t x, uint8_t y, uint8_t z, uint8_t w)
{
	memset(a, 0, sizeof(*a));
	a->b[10] = 0xff;
	a->b[11] = 0xff;
	a->b[12] = x;
	a->b[13] = y;
	a->b[14] = z;
	a->b[15] = w;
}

static void test_init_from_flow(void **state)
{
	struct flow fl;
	struct finding f;

	(void)state;
	memset(&fl, 0, sizeof(fl));
	v4(&fl.orig_addr, 10, 0, 0, 5);
	v4(&fl.resp_addr, 198, 51, 100, 7);
	fl.orig_port = 40000;
	fl.resp_port = 443;
	fl.proto = 6;
	fl.id = 77;
	fl.first_ns = 1000;
	fl.last_ns = 5000;
	memset(&f, 0xaa, sizeof(f));
	finding_init(&f, &fl, FK_SSH_REVERSE_SESSION, SEV_HIGH);
	assert_string_equal(f.kind, "ssh.reverse_session");
	assert_int_equal(f.severity, SEV_HIGH);
	assert_memory_equal(&f.orig, &fl.orig_addr, sizeof(f.orig));
	assert_memory_equal(&f.resp, &fl.resp_addr, sizeof(f.resp));
	assert_int_equal(f.orig_port, 40000);
	assert_int_equal(f.resp_port, 443);
	assert_int_equal(f.proto, 6);
	assert_int_equal(f.flow_id, 77);
	assert_int_equal(f.first_ns, 1000);
	assert_int_equal(f.last_ns, 5000);
	assert_int_equal(f.count, 1);
	assert_int_equal(f.host_is_orig, 1);
	assert_int_equal(f.n_detail, 0);
	assert_string_equal(f.summary, "");
}

static void test_init_without_flow(void **state)
{
	struct finding f;

	(void)state;
	memset(&f, 0x55, sizeof(f));
	finding_init(&f, NULL, FK_DNS_TUNNEL, SEV_LOW);
	assert_int_equal(f.count, 1);
	assert_int_equal(f.flow_id, 0);
	assert_int_equal(f.n_detail, 0);
	assert_string_equal(f.summary, "");
}

static void test_detail_kept_in_order_and_bounded(void **state)
{
	static const char *const keys[] = {
		"k0", "k1", "k2", "k3", "k4", "k5", "k6",
		"k7", "k8", "k9", "k10", "k11", "k12", "k13",
	};
	_Static_assert(sizeof(keys) / sizeof(keys[0]) == FINDING_DETAIL_MAX + 2,
		       "two keys more than a finding holds");
	struct finding f;

	(void)state;
	finding_init(&f, NULL, FK_FLOW_BEACON, SEV_MEDIUM);
	for (int i = 0; i < FINDING_DETAIL_MAX + 2; i++)
		finding_add_int(&f, keys[i], i * 10);
	assert_int_equal(f.n_detail, FINDING_DETAIL_MAX);
	for (int i = 0; i < FINDING_DETAIL_MAX; i++) {
		assert_string_equal(f.detail[i].key, keys[i]);
		assert_int_equal(f.detail[i].type, DETAIL_INT);
		assert_int_equal(f.detail[i].v.i, i * 10);
	}
	/* Full: further adds of every type change nothing. */
	finding_add_str(&f, "late", "x");
	finding_add_double(&f, "late", 1.5);
	finding_add_bool(&f, "late", true);
	assert_int_equal(f.n_detail, FINDING_DETAIL_MAX);
	assert_string_equal(f.detail[FINDING_DETAIL_MAX - 1].key,
			    keys[FINDING_DETAIL_MAX - 1]);
}

static void test_detail_types(void **state)
{
	struct finding f;

	(void)state;
	finding_init(&f, NULL, FK_MINING_STRATUM, SEV_HIGH);
	finding_add_double(&f, "score", 0.75);
	finding_add_bool(&f, "tls", true);
	finding_add_str(&f, "agent", "XMRig/6.21");
	finding_add_str(&f, "null", NULL);
	assert_int_equal(f.n_detail, 4);
	assert_int_equal(f.detail[0].type, DETAIL_DOUBLE);
	assert_true(f.detail[0].v.d == 0.75);
	assert_int_equal(f.detail[1].type, DETAIL_BOOL);
	assert_int_equal(f.detail[1].v.i, 1);
	assert_int_equal(f.detail[2].type, DETAIL_STR);
	assert_string_equal(f.detail[2].v.s, "XMRig/6.21");
	assert_string_equal(f.detail[3].v.s, "");
}

static void test_detail_string_truncated(void **state)
{
	char longs[300], utf8[300];
	struct finding f;
	size_t n;

	(void)state;
	memset(longs, 'a', sizeof(longs) - 1);
	longs[sizeof(longs) - 1] = '\0';
	/* "é" is two bytes: 95 bytes of room must not end in half of one. */
	for (n = 0; n + 2 < sizeof(utf8); n += 2) {
		utf8[n] = (char)0xc3;
		utf8[n + 1] = (char)0xa9;
	}
	utf8[n] = '\0';
	finding_init(&f, NULL, FK_MINING_POOL_NAME, SEV_INFO);
	finding_add_str(&f, "long", longs);
	finding_add_str(&f, "utf8", utf8);
	assert_int_equal(strlen(f.detail[0].v.s), FINDING_STR_MAX - 1);
	assert_memory_equal(f.detail[0].v.s, longs, FINDING_STR_MAX - 1);
	n = strlen(f.detail[1].v.s);
	assert_true(n <= FINDING_STR_MAX - 1);
	assert_int_equal(n % 2, 0);
	assert_int_equal(n, FINDING_STR_MAX - 1 - 1);
}

static void test_summary_formats_and_truncates(void **state)
{
	char longs[400];
	struct finding f;

	(void)state;
	finding_init(&f, NULL, FK_SSH_NONSTANDARD_PORT, SEV_LOW);
	finding_summary(&f, "SSH on port %u to %s", 2222u, "peer");
	assert_string_equal(f.summary, "SSH on port 2222 to peer");
	memset(longs, 'z', sizeof(longs) - 1);
	longs[sizeof(longs) - 1] = '\0';
	finding_summary(&f, "long: %s", longs);
	assert_int_equal(strlen(f.summary), FINDING_SUMMARY_MAX - 1);
	assert_memory_equal(f.summary, "long: zzz", 9);
}

static void test_family(void **state)
{
	char buf[32], tiny[3];

	(void)state;
	assert_string_equal(finding_family("ssh.reverse_session", buf,
					   sizeof(buf)), "ssh");
	assert_string_equal(finding_family("mining.pool_name", buf,
					   sizeof(buf)), "mining");
	assert_string_equal(finding_family("nodot", buf, sizeof(buf)),
			    "nodot");
	assert_string_equal(finding_family(NULL, buf, sizeof(buf)), "");
	assert_string_equal(finding_family("mining.x", tiny, sizeof(tiny)),
			    "mi");
}

static void test_severity_names(void **state)
{
	(void)state;
	assert_string_equal(severity_name(SEV_INFO), "info");
	assert_string_equal(severity_name(SEV_LOW), "low");
	assert_string_equal(severity_name(SEV_MEDIUM), "medium");
	assert_string_equal(severity_name(SEV_HIGH), "high");
	assert_string_equal(severity_name((enum severity)9), "unknown");
}

static void test_rfc3339(void **state)
{
	char buf[40], small[10];
	/* 2024-01-02T03:04:05Z is 1704164645 s since the epoch. */
	uint64_t ts = 1704164645ull * 1000000000ull + 123456789ull;

	(void)state;
	assert_string_equal(time_format_rfc3339(ts, buf, sizeof(buf)),
			    "2024-01-02T03:04:05.123456Z");
	assert_string_equal(time_format_rfc3339(0, buf, sizeof(buf)),
			    "1970-01-01T00:00:00.000000Z");
	assert_string_equal(time_format_rfc3339(999, buf, sizeof(buf)),
			    "1970-01-01T00:00:00.000000Z");
	assert_string_equal(time_format_rfc3339(1000, buf, sizeof(buf)),
			    "1970-01-01T00:00:00.000001Z");
	assert_string_equal(time_format_rfc3339(ts, small, sizeof(small)),
			    "2024-01-0");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_from_flow),
		cmocka_unit_test(test_init_without_flow),
		cmocka_unit_test(test_detail_kept_in_order_and_bounded),
		cmocka_unit_test(test_detail_types),
		cmocka_unit_test(test_detail_string_truncated),
		cmocka_unit_test(test_summary_formats_and_truncates),
		cmocka_unit_test(test_family),
		cmocka_unit_test(test_severity_names),
		cmocka_unit_test(test_rfc3339),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
