/* SPDX-License-Identifier: BSD-3-Clause */
/* The offline report: the §3a JSON document parsed back with jansson,
 * stats free of anything worker- or clock-dependent, and the table. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "control/report.h"
#include "scan/app_id.h"
#include "base/counters.h"

#define T0 1704164645000000000ull /* 2024-01-02T03:04:05Z */
#define SEC 1000000000ull

/* app_id.c belongs to another module; this stand-in names the ids the
 * tests use the same way it does, and yields to it when linked. */
__attribute__((weak)) const char *app_name(uint16_t id)
{
	switch (id) {
	case 1:
		return "ssh";
	case 2:
	case 3:
		return "tls";
	default:
		return NULL;
	}
}

static void cfg_small(struct tw_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->hosts.max_hosts = 32;
	cfg->hosts.max_findings_per_host = 8;
	cfg->hosts.suspicious_score = 40;
	cfg->hosts.alert_score = 70;
}

static struct finding mk(const char *kind, enum severity sev,
			 const char *orig, uint16_t oport, const char *resp,
			 uint16_t rport, uint8_t proto, uint64_t first,
			 uint64_t last, const char *summary)
{
	struct finding f;

	assert_int_not_equal(finding_kind_by_name(kind), FK_COUNT);
	finding_init(&f, NULL, finding_kind_by_name(kind), sev);
	assert_int_equal(ip_addr_parse(orig, &f.orig), 0);
	assert_int_equal(ip_addr_parse(resp, &f.resp), 0);
	f.orig_port = oport;
	f.resp_port = rport;
	f.proto = proto;
	f.first_ns = first;
	f.last_ns = last;
	finding_summary(&f, "%s", summary);
	return f;
}

static struct finding sample[6];

static void build_sample(void)
{
	sample[0] = mk("ssh.reverse_session", SEV_HIGH, "10.0.0.5", 40000,
		       "198.51.100.7", 22, 6, T0, T0 + 90 * SEC,
		       "outside peer drives an inside shell");
	finding_add_str(&sample[0], "hassh", "ec7378c1a92f5a8dde7e8b7a1ddf33d1");
	finding_add_double(&sample[0], "ratio", 0.1234567);
	finding_add_int(&sample[0], "keystrokes", 321);
	finding_add_bool(&sample[0], "inverted", true);
	finding_add_double(&sample[0], "nan", NAN);
	sample[1] = mk("flow.beacon", SEV_MEDIUM, "10.0.0.5", 41000,
		       "203.0.113.1", 443, 6, T0 + 5 * SEC, T0 + 50 * SEC,
		       "beacon every 10 s");
	sample[2] = mk("dns.tunnel", SEV_LOW, "2001:db8::10", 5353,
		       "2001:db8::53", 53, 17, T0, T0 + SEC, "long labels");
	sample[3] = mk("icmp.tunnel", SEV_MEDIUM, "10.0.0.9", 7,
		       "192.0.2.99", 7, 1, T0, T0 + SEC, "big echo payloads");
	sample[4] = mk("tunnel.service", SEV_LOW, "10.0.0.9", 7,
		       "192.0.2.98", 7, 47, T0, T0 + SEC, "gre \xff\x01 odd");
	sample[5] = mk("flow.beacon", SEV_MEDIUM, "10.0.0.5", 41001,
		       "203.0.113.1", 443, 6, T0 + 2 * SEC, T0 + 40 * SEC,
		       "beacon every 9 s");
}

static void stats_sample(struct report_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->total.v[TW_CTR_PKTS] = 1000;
	st->total.v[TW_CTR_BYTES] = 654321;
	st->total.v[TW_CTR_DROP_L2_TRUNCATED] = 3;
	st->total.v[TW_CTR_FLOWS_CREATED] = 40;
	st->total.v[TW_CTR_FLOWS_OPEN_AT_END] = 2;
	st->total.v[TW_CTR_TCP_GAPS] = 1;
	st->total.v[TW_CTR_SCAN_MATCHES] = 9;
	st->total.v[TW_CTR_FINDINGS_EMITTED] = 6;
	st->flow_bytes_hist[0] = 30;
	st->flow_bytes_hist[7] = 1;
	st->flow_bytes_max = 123456789;
	st->app_flows[0] = 5;
	st->app_flows[1] = 1;
	st->app_flows[2] = 4;
	st->app_flows[3] = 6;
	st->memory_per_worker = 4096;
	st->memory_shared = 8192;
	st->findings_received = 6;
}

static struct hosts *hosts_sample(const unsigned *order)
{
	struct tw_config cfg;
	struct hosts *h;
	struct ip_addr seen;

	cfg_small(&cfg);
	h = hosts_create(&cfg);
	assert_non_null(h);
	for (unsigned i = 0; i < 6; i++)
		hosts_apply_finding(h, &sample[order ? order[i] : i]);
	assert_int_equal(ip_addr_parse("10.0.0.200", &seen), 0);
	hosts_note_seen(h, &seen, T0);
	return h;
}

static char *print_json(struct report_stats *st, struct hosts *h, bool all)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	assert_non_null(out);
	assert_int_equal(report_print_json(out, st, h, all), 0);
	fclose(out);
	return buf;
}

static void assert_keys(json_t *obj, const char *const *keys, size_t n)
{
	size_t i = 0;
	const char *key;
	json_t *v;

	assert_true(json_is_object(obj));
	json_object_foreach(obj, key, v) {
		(void)v;
		assert_true(i < n);
		assert_string_equal(key, keys[i]);
		i++;
	}
	assert_int_equal(i, n);
}

#define KEYS(obj, ...)                                                         \
	do {                                                                   \
		static const char *const k_[] = { __VA_ARGS__ };               \
		assert_keys((obj), k_, sizeof(k_) / sizeof(k_[0]));           \
	} while (0)

static json_t *parse(const char *text)
{
	json_error_t err;
	json_t *doc = json_loads(text, 0, &err);

	if (!doc)
		fail_msg("bad JSON: %s: %s", err.text, text);
	return doc;
}

static void test_document_shape(void **state)
{
	struct report_stats st;
	struct hosts *h;
	json_t *doc, *hosts, *host, *f, *d;
	char *text;

	(void)state;
	build_sample();
	stats_sample(&st);
	h = hosts_sample(NULL);
	text = print_json(&st, h, false);
	/* One document, one line. */
	assert_int_equal(text[strlen(text) - 1], '\n');
	assert_ptr_equal(strchr(text, '\n'), text + strlen(text) - 1);
	doc = parse(text);
	KEYS(doc, "version", "stats", "hosts");
	assert_int_equal(json_integer_value(json_object_get(doc, "version")),
			 1);
	hosts = json_object_get(doc, "hosts");
	/* Seen-only host left out; 10.0.0.5 (75+25) before 10.0.0.9 (45+10)
	 * before 2001:db8::10 (15). */
	assert_int_equal(json_array_size(hosts), 3);
	host = json_array_get(hosts, 0);
	KEYS(host, "ip", "verdict", "score", "families", "raised_by",
	     "findings");
	assert_string_equal(json_string_value(json_array_get(
				    json_object_get(host, "raised_by"), 1)),
			    "flow.beacon medium +25");
	assert_string_equal(json_string_value(json_object_get(host, "ip")),
			    "10.0.0.5");
	assert_string_equal(json_string_value(json_object_get(host,
							      "verdict")),
			    "alert");
	assert_int_equal(json_integer_value(json_object_get(host, "score")),
			 100);
	assert_string_equal(json_string_value(json_array_get(
				    json_object_get(host, "families"), 0)),
			    "flow");
	assert_string_equal(json_string_value(json_array_get(
				    json_object_get(host, "families"), 1)),
			    "ssh");
	assert_int_equal(json_array_size(json_object_get(host, "findings")),
			 2);
	f = json_array_get(json_object_get(host, "findings"), 0);
	KEYS(f, "family", "kind", "severity", "peer_ip", "peer_port", "proto",
	     "first_seen", "last_seen", "count", "summary", "detail");
	assert_string_equal(json_string_value(json_object_get(f, "family")),
			    "ssh");
	assert_string_equal(json_string_value(json_object_get(f, "kind")),
			    "ssh.reverse_session");
	assert_string_equal(json_string_value(json_object_get(f, "severity")),
			    "high");
	assert_string_equal(json_string_value(json_object_get(f, "peer_ip")),
			    "198.51.100.7");
	assert_int_equal(json_integer_value(json_object_get(f, "peer_port")),
			 22);
	assert_string_equal(json_string_value(json_object_get(f, "proto")),
			    "tcp");
	assert_string_equal(json_string_value(json_object_get(f,
							      "first_seen")),
			    "2024-01-02T03:04:05.000000Z");
	assert_string_equal(json_string_value(json_object_get(f, "last_seen")),
			    "2024-01-02T03:05:35.000000Z");
	assert_int_equal(json_integer_value(json_object_get(f, "count")), 1);
	assert_string_equal(json_string_value(json_object_get(f, "summary")),
			    "outside peer drives an inside shell");
	d = json_object_get(f, "detail");
	KEYS(d, "hassh", "ratio", "keystrokes", "inverted", "nan");
	assert_true(json_real_value(json_object_get(d, "ratio")) == 0.123);
	assert_non_null(strstr(text, "\"ratio\":0.123,"));
	assert_int_equal(json_integer_value(json_object_get(d, "keystrokes")),
			 321);
	assert_true(json_is_true(json_object_get(d, "inverted")));
	assert_true(json_is_null(json_object_get(d, "nan")));
	/* Merged beacons: count 2, widened times. */
	f = json_array_get(json_object_get(host, "findings"), 1);
	assert_int_equal(json_integer_value(json_object_get(f, "count")), 2);
	assert_string_equal(json_string_value(json_object_get(f,
							      "first_seen")),
			    "2024-01-02T03:04:07.000000Z");

	host = json_array_get(hosts, 1);
	assert_string_equal(json_string_value(json_object_get(host, "ip")),
			    "10.0.0.9");
	assert_string_equal(json_string_value(json_object_get(host,
							      "verdict")),
			    "suspicious");
	f = json_array_get(json_object_get(host, "findings"), 0);
	assert_string_equal(json_string_value(json_object_get(f, "proto")),
			    "icmp");
	f = json_array_get(json_object_get(host, "findings"), 1);
	assert_string_equal(json_string_value(json_object_get(f, "proto")),
			    "47");
	/* Bytes that are not UTF-8 still make a valid document. */
	assert_non_null(strstr(json_string_value(json_object_get(f,
								 "summary")),
			       "gre ?\x01 odd"));
	host = json_array_get(hosts, 2);
	assert_string_equal(json_string_value(json_object_get(host, "ip")),
			    "2001:db8::10");
	assert_string_equal(json_string_value(json_object_get(host,
							      "verdict")),
			    "clean");
	f = json_array_get(json_object_get(host, "findings"), 0);
	assert_string_equal(json_string_value(json_object_get(f, "proto")),
			    "udp");
	json_decref(doc);
	free(text);
	hosts_destroy(h);
}

static void check_no_runtime_keys(json_t *v, int depth)
{
	static const char *const banned[] = {
		"worker", "thread", "elapsed", "wall", "second", "rate",
		"per_s", "cpu", "duration", "clock", "runtime",
	};
	const char *key;
	json_t *child;

	assert_true(depth < 8);
	if (!json_is_object(v))
		return;
	json_object_foreach(v, key, child) {
		for (size_t i = 0; i < sizeof(banned) / sizeof(banned[0]);
		     i++) {
			if (strstr(key, banned[i]) || !strcmp(key, "pps"))
				fail_msg("stats key '%s' depends on the run",
					 key);
		}
		check_no_runtime_keys(child, depth + 1);
	}
}

static void test_stats(void **state)
{
	struct report_stats st;
	struct hosts *h;
	json_t *s, *drops, *o;
	size_t n_drop_counters = 0;

	(void)state;
	build_sample();
	stats_sample(&st);
	h = hosts_sample(NULL);
	s = report_stats_json(&st, h);
	assert_non_null(s);
	KEYS(s, "packets", "bytes", "drops", "flows", "flow_bytes", "tcp",
	     "scan", "apps", "findings", "hosts", "tables", "memory", "decap",
	     "defrag");
	assert_int_equal(json_integer_value(json_object_get(s, "packets")),
			 1000);
	assert_int_equal(json_integer_value(json_object_get(s, "bytes")),
			 654321);
	drops = json_object_get(s, "drops");
	for (int i = 0; i < TW_CTR_COUNT; i++)
		n_drop_counters += strncmp(tw_counter_names[i], "drop_", 5) == 0;
	assert_int_equal(json_object_size(drops), n_drop_counters);
	assert_int_equal(json_integer_value(json_object_get(drops,
							    "l2_truncated")),
			 3);
	assert_true(json_is_integer(json_object_get(drops, "ip_fragment")));
	assert_int_equal(json_integer_value(json_object_get(drops,
							    "ip_fragment")),
			 0);
	o = json_object_get(s, "flows");
	KEYS(o, "created", "midstream", "ended", "evicted", "evicted_by_reason",
	     "timed_out", "closed", "open_at_end");
	assert_int_equal(json_integer_value(json_object_get(o, "created")),
			 40);
	assert_int_equal(json_integer_value(json_object_get(o,
							    "open_at_end")),
			 2);
	o = json_object_get(s, "flow_bytes");
	KEYS(o, "max", "histogram");
	assert_int_equal(json_integer_value(json_object_get(o, "max")),
			 123456789);
	o = json_object_get(o, "histogram");
	KEYS(o, "<100", "<1K", "<10K", "<100K", "<1M", "<10M", "<100M",
	     ">=100M");
	assert_int_equal(json_integer_value(json_object_get(o, "<100")), 30);
	assert_int_equal(json_integer_value(json_object_get(o, ">=100M")), 1);
	KEYS(json_object_get(s, "tcp"), "retransmitted", "reordered", "gaps",
	     "payload_bytes_inspected", "overlap_same", "overlap_conflict");
	o = json_object_get(s, "decap");
	assert_int_equal(json_object_size(o), 12);
	assert_true(json_is_integer(json_object_get(o, "vxlan")));
	assert_true(json_is_integer(json_object_get(o, "left_disabled")));
	o = json_object_get(s, "defrag");
	assert_true(json_is_integer(json_object_get(o, "fragments")));
	assert_true(json_is_integer(json_object_get(o, "reassembled")));
	assert_true(json_is_integer(json_object_get(o, "overlap_conflict")));
	o = json_object_get(s, "scan");
	KEYS(o, "streams_opened", "streams_exhausted",
	     "streams_stopped", "errors", "matches", "inner_streams",
	     "fully_encrypted_checked", "fully_encrypted_tripped",
	     "ssh_by_sizes");
	assert_int_equal(json_integer_value(json_object_get(o, "matches")), 9);
	o = json_object_get(s, "apps");
	KEYS(o, "ssh", "tls", "other");
	assert_int_equal(json_integer_value(json_object_get(o, "tls")), 10);
	assert_int_equal(json_integer_value(json_object_get(o, "other")), 5);
	o = json_object_get(s, "findings");
	KEYS(o, "emitted", "dropped_ring_full", "received");
	assert_int_equal(json_integer_value(json_object_get(o, "received")),
			 6);
	o = json_object_get(s, "hosts");
	KEYS(o, "with_findings", "tracked", "dropped_table_full",
	     "destinations_tracked", "destinations_dropped", "evicted");
	assert_int_equal(json_integer_value(json_object_get(o,
							    "with_findings")),
			 3);
	assert_int_equal(json_integer_value(json_object_get(o, "tracked")), 4);
	check_no_runtime_keys(s, 0);
	json_decref(s);
	hosts_destroy(h);
}

/* Workers hand findings over in any interleaving: same bytes out. */
static void test_same_bytes_any_order(void **state)
{
	static const unsigned orders[][6] = {
		{ 5, 4, 3, 2, 1, 0 },
		{ 2, 5, 0, 3, 1, 4 },
		{ 1, 3, 5, 0, 4, 2 },
	};
	struct report_stats st;
	struct hosts *h;
	char *want, *got;

	(void)state;
	build_sample();
	stats_sample(&st);
	h = hosts_sample(NULL);
	want = print_json(&st, h, true);
	hosts_destroy(h);
	for (size_t i = 0; i < sizeof(orders) / sizeof(orders[0]); i++) {
		h = hosts_sample(orders[i]);
		got = print_json(&st, h, true);
		assert_string_equal(got, want);
		free(got);
		hosts_destroy(h);
	}
	free(want);
}

static void test_all_hosts(void **state)
{
	struct report_stats st;
	struct hosts *h;
	json_t *doc, *last;
	char *text;

	(void)state;
	build_sample();
	stats_sample(&st);
	h = hosts_sample(NULL);
	text = print_json(&st, h, true);
	doc = parse(text);
	assert_int_equal(json_array_size(json_object_get(doc, "hosts")), 4);
	last = json_array_get(json_object_get(doc, "hosts"), 3);
	assert_string_equal(json_string_value(json_object_get(last, "ip")),
			    "10.0.0.200");
	assert_int_equal(json_integer_value(json_object_get(last, "score")),
			 0);
	assert_int_equal(json_array_size(json_object_get(last, "findings")),
			 0);
	assert_int_equal(json_array_size(json_object_get(last, "families")),
			 0);
	json_decref(doc);
	free(text);
	hosts_destroy(h);
}

static void test_empty_and_write_error(void **state)
{
	struct report_stats st;
	struct tw_config cfg;
	struct hosts *h;
	json_t *doc;
	char *text;
	FILE *full;

	(void)state;
	memset(&st, 0, sizeof(st));
	cfg_small(&cfg);
	h = hosts_create(&cfg);
	text = print_json(&st, h, false);
	doc = parse(text);
	assert_int_equal(json_array_size(json_object_get(doc, "hosts")), 0);
	assert_int_equal(json_object_size(json_object_get(
				 json_object_get(doc, "stats"), "apps")), 0);
	json_decref(doc);
	free(text);
	full = fopen("/dev/full", "w");
	if (full) {
		assert_int_equal(report_print_json(full, &st, h, false), -1);
		fclose(full);
	}
	hosts_destroy(h);
}

static char *print_table(struct report_stats *st, struct hosts *h, bool all)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	assert_non_null(out);
	assert_int_equal(report_print_table(out, st, h, all), 0);
	fclose(out);
	return buf;
}

/* Byte offset of the text of column col (0-based) in a table line,
 * columns being separated by two or more spaces. */
static int column_start(const char *line, int col)
{
	int pos = 0;

	for (int c = 0; c < col; c++) {
		const char *gap = strstr(line + pos, "  ");

		assert_non_null(gap);
		pos = (int)(gap - line);
		while (line[pos] == ' ')
			pos++;
	}
	return pos;
}

static void test_table(void **state)
{
	struct report_stats st;
	struct hosts *h;
	char *text, *lines[16], *save = NULL;
	int n = 0;

	(void)state;
	build_sample();
	stats_sample(&st);
	h = hosts_sample(NULL);
	text = print_table(&st, h, false);
	for (char *l = strtok_r(text, "\n", &save); l && n < 16;
	     l = strtok_r(NULL, "\n", &save))
		lines[n++] = l;
	/* Summary line, column header, three hosts. */
	assert_int_equal(n, 5);
	assert_non_null(strstr(lines[0], "1000 packets"));
	assert_non_null(strstr(lines[0], "40 flows"));
	assert_non_null(strstr(lines[0], "2 flagged"));
	assert_memory_equal(lines[1], "VERDICT", 7);
	assert_non_null(strstr(lines[2], "10.0.0.5"));
	assert_non_null(strstr(lines[2], "flow,ssh"));
	assert_non_null(strstr(lines[2], "outside peer drives"));
	assert_non_null(strstr(lines[2], "2024-01-02 03:05:35"));
	assert_non_null(strstr(lines[3], "10.0.0.9"));
	assert_non_null(strstr(lines[4], "2001:db8::10"));
	/* No raw control byte from the wire reaches the terminal. */
	for (int i = 0; i < n; i++) {
		for (const char *p = lines[i]; *p; p++)
			assert_true((unsigned char)*p >= 0x20 &&
				    (unsigned char)*p < 0x7f);
	}
	/* Aligned: HOST, FAMILIES, EVIDENCE start at the same offset on
	 * every line, and scores end where "SCORE" ends. */
	for (int col = 2; col <= 4; col++) {
		int want = column_start(lines[1], col);

		for (int i = 2; i < n; i++)
			assert_int_equal(column_start(lines[i], col), want);
	}
	assert_memory_equal(lines[2] + column_start(lines[1], 2) - 5, "100  ",
			    5);
	assert_memory_equal(lines[3] + column_start(lines[1], 2) - 5, " 55  ",
			    5);
	free(text);
	hosts_destroy(h);
}

static void test_table_empty(void **state)
{
	struct report_stats st;
	struct tw_config cfg;
	struct hosts *h;
	char *text;

	(void)state;
	memset(&st, 0, sizeof(st));
	cfg_small(&cfg);
	h = hosts_create(&cfg);
	text = print_table(&st, h, false);
	assert_non_null(strstr(text, "no host flagged"));
	assert_null(strstr(text, "VERDICT"));
	free(text);
	hosts_destroy(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_document_shape),
		cmocka_unit_test(test_stats),
		cmocka_unit_test(test_same_bytes_any_order),
		cmocka_unit_test(test_all_hosts),
		cmocka_unit_test(test_empty_and_write_error),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_table_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
