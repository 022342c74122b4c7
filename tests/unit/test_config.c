/* SPDX-License-Identifier: BSD-3-Clause */
/* config.c: defaults, the shipped files, every class of error with its exact
 * FILE:LINE: KEY message, unit conversion, prefixes and relative paths. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config.h"
#include "config/config_keys.h"
#include "decode/decode.h"

#ifdef TW_SOURCE_DIR
#define SHIPPED(name) TW_SOURCE_DIR "/config/" name
#else
#define SHIPPED(name) "config/" name
#endif

#define NS 1000000000ULL

/* every decap_kind but DECAP_NONE */
#define DECAP_ALL_KINDS (((1u << DECAP_KINDS) - 1) & ~1u)

static char tmpdir[64];
static char tmpfile_path[PATH_MAX];

static int make_tmpdir(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/tw_test_config.XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int remove_tmpdir(void **state)
{
	char cmd[PATH_MAX + 16];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Writes text to tmpdir/name and returns its path (static buffer). */
static const char *write_file(const char *name, const char *text)
{
	FILE *f;

	snprintf(tmpfile_path, sizeof(tmpfile_path), "%s/%s", tmpdir, name);
	f = fopen(tmpfile_path, "w");
	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
	return tmpfile_path;
}

static const char *write_cfg(const char *text)
{
	return write_file("test.cfg", text);
}

static void load_ok(const char *text, struct tw_config *cfg)
{
	char err[512] = "";
	const char *path = write_cfg(text);

	if (config_load(path, cfg, err, sizeof(err)) != 0)
		fail_msg("unexpected error: %s", err);
	assert_string_equal(cfg->path, path);
}

/* The message must be exactly "<the temp file>" followed by tail. */
static void load_fails(const char *text, const char *tail)
{
	struct tw_config cfg;
	char err[512] = "", want[PATH_MAX + 256];
	const char *path = write_cfg(text);

	config_defaults(&cfg);
	assert_int_equal(config_load(path, &cfg, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s%s", path, tail);
	assert_string_equal(err, want);
}

static void test_defaults(void **state)
{
	struct tw_config c;

	(void)state;
	memset(&c, 0x5a, sizeof(c));
	config_defaults(&c);
	assert_string_equal(c.path, "");
	assert_int_equal(c.engine.workers, 1);
	assert_int_equal(c.engine.ring_bytes, 1u << 20);
	assert_int_equal(c.engine.finding_ring, 4096);
	assert_int_equal(c.flow.max_flows, 131072);
	assert_int_equal(c.flow.inspect_bytes, 4096);
	assert_int_equal(c.flow.reorder_slots, 4096);
	assert_int_equal(c.flow.reorder_slot_bytes, 2048);
	assert_true(c.flow.tcp_idle_ns == 3600 * NS);
	assert_true(c.flow.tcp_handshake_ns == 30 * NS);
	assert_true(c.flow.tcp_closed_ns == 10 * NS);
	assert_true(c.flow.udp_idle_ns == 120 * NS);
	assert_true(c.flow.other_idle_ns == 60 * NS);
	assert_true(c.flow.sweep_interval_ns == 1 * NS);
	assert_true(c.scan.patterns_dir[0] != '\0');
	assert_int_equal(c.scan.max_streams, 65536);
	assert_int_equal(c.hosts.home_net.n, 0);
	assert_int_equal(c.hosts.max_hosts, 16384);
	assert_int_equal(c.hosts.max_findings_per_host, 8);
	assert_int_equal(c.hosts.suspicious_score, 40);
	assert_int_equal(c.hosts.alert_score, 70);
	assert_true(c.flowtiming.enabled);
	assert_true(c.flowtiming.long_lived_min_ns == 600 * NS);
	assert_true(c.flowtiming.long_lived_max_bps == 512.0);
	assert_int_equal(c.flowtiming.beacon_min_events, 8);
	assert_true(c.flowtiming.beacon_min_span_ns == 60 * NS);
	assert_true(c.flowtiming.beacon_min_score == 0.8);
	assert_true(c.flowtiming.beacon_strong_score == 0.9);
	assert_int_equal(c.flowtiming.beacon_max_pairs, 65536);
	assert_string_equal(c.output.eve_path, "");
}

/* Everything after the first line (which names the file). */
static char *print_body(const struct tw_config *cfg)
{
	char *buf = NULL, *body;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(config_print(cfg, f), 0);
	assert_int_equal(fclose(f), 0);
	body = strdup(strchr(buf, '\n') + 1);
	free(buf);
	return body;
}

static void expect_patterns_beside(const char *cfg_file,
				   const struct tw_config *c)
{
	char dir[PATH_MAX], want[PATH_MAX + 16], *canon;

	snprintf(dir, sizeof(dir), "%s", cfg_file);
	*strrchr(dir, '/') = '\0';
	canon = realpath(dir, NULL);
	assert_non_null(canon);
	*strrchr(canon, '/') = '\0';  /* config/.. */
	snprintf(want, sizeof(want), "%s/patterns", canon);
	free(canon);
	assert_string_equal(c->scan.patterns_dir, want);
}

static void test_shipped_offline(void **state)
{
	struct tw_config c, d;
	char err[512] = "";
	char *got, *want;

	(void)state;
	assert_int_equal(config_load(SHIPPED("offline.cfg"), &c, err,
				     sizeof(err)), 0);
	assert_string_equal(err, "");
	assert_string_equal(c.path, SHIPPED("offline.cfg"));
	expect_patterns_beside(SHIPPED("offline.cfg"), &c);

	/* The offline file documents the defaults: it must set them. */
	config_defaults(&d);
	memcpy(d.scan.patterns_dir, c.scan.patterns_dir, TW_PATH_MAX);
	got = print_body(&c);
	want = print_body(&d);
	assert_string_equal(got, want);
	free(got);
	free(want);
}

static void test_shipped_live(void **state)
{
	struct tw_config c;
	char err[512] = "";

	(void)state;
	if (config_load(SHIPPED("tunnelwatch.cfg"), &c, err, sizeof(err)))
		fail_msg("%s", err);
	assert_string_equal(c.path, SHIPPED("tunnelwatch.cfg"));
	expect_patterns_beside(SHIPPED("tunnelwatch.cfg"), &c);
	assert_true(c.flow.max_flows >= 131072);
}

/* decap.protocols: names into a bit mask, an unknown name is an error
 * that lists the known ones; the decoder's settings follow the keys. */
static void test_decap_keys(void **state)
{
	struct tw_config c;
	struct decap_config dc;

	(void)state;
	config_defaults(&c);
	assert_int_equal(c.decap.protocols, DECAP_ALL_KINDS);
	load_ok("decap = {\n\tprotocols = [ \"vxlan\", \"mpls\" ];\n"
		"\tvxlan_ports = [ 4789, 8472 ];\n\tmax_depth = 2;\n};\n", &c);
	assert_int_equal(c.decap.protocols,
			 (1u << DECAP_VXLAN) | (1u << DECAP_MPLS));
	config_decap(&c, &dc);
	assert_int_equal(dc.enabled, c.decap.protocols);
	assert_int_equal(dc.n_vxlan_ports, 2);
	assert_int_equal(dc.vxlan_ports[1], 8472);
	assert_int_equal(dc.max_depth, 2);
	load_ok("decap = { protocols = [ ]; };\n", &c);
	assert_int_equal(c.decap.protocols, 0);
	load_fails("decap = {\n\tprotocols = [ \"vxlan\", \"nvgre\" ];\n};\n",
		   ":2: decap.protocols: unknown encapsulation \"nvgre\" "
		   "(known: vxlan,geneve,erspan,gre,mpls,pppoe,ipip,6in4,4in6)");
	load_fails("decap = {\n\tprotocols = [ 1 ];\n};\n",
		   ":2: decap.protocols: expected a list of names");
	load_fails("defrag = {\n\tmax_datagram_bytes = 100;\n};\n",
		   ":2: defrag.max_datagram_bytes: 100 out of range "
		   "[576, 65535]");
}

static void test_syntax_error(void **state)
{
	(void)state;
	/* libconfig's bare "syntax error" is said once, with a hint */
	load_fails("flow = {\n\tmax_flows = ;\n};\n",
		   ":2: syntax error (libconfig: `name = value;`, groups `{ ... };`, arrays `[ ... ]`, lists `( ... )`)");
	/* a string where none may be: libconfig 1.5 leaks it, so the
	 * syntax is checked in a child; the sanitizer build's LeakSanitizer
	 * would flag it here otherwise */
	load_fails("flow = {\n\tmax_flows =94, \"quit\");\n};\n",
		   ":2: syntax error (libconfig: `name = value;`, groups `{ ... };`, arrays `[ ... ]`, lists `( ... )`)");
	load_fails("flow = {\n\tmax_flows = 1;\n\tmax_flows = 2;\n};\n",
		   ":3: syntax error: duplicate setting name");
}

static void test_missing_file(void **state)
{
	struct tw_config c;
	char err[512], path[PATH_MAX + 16], want[PATH_MAX + 64];

	(void)state;
	snprintf(path, sizeof(path), "%s/absent.cfg", tmpdir);
	assert_int_equal(config_load(path, &c, err, sizeof(err)), -1);
	snprintf(want, sizeof(want),
		 "%s: cannot read: No such file or directory", path);
	assert_string_equal(err, want);
}

static void test_unknown(void **state)
{
	(void)state;
	load_fails("# comment\nbogus = { a = 1; };\n",
		   ":2: bogus: unknown setting");
	load_fails("workers = 4;\n", ":1: workers: unknown setting");
	load_fails("flow = {\n\tmax_flows = 1024;\n\tmax_flow = 5;\n};\n",
		   ":3: flow.max_flow: unknown setting");
	load_fails("hosts = {\n\tinner = { alert_score = 80; };\n};\n",
		   ":2: hosts.inner: unknown setting");
}

static void test_wrong_type(void **state)
{
	(void)state;
	load_fails("flow = 3;\n", ":1: flow: expected a group { ... }");
	load_fails("flow = {\n\tmax_flows = \"many\";\n};\n",
		   ":2: flow.max_flows: expected an integer");
	load_fails("flow = { inspect_bytes = 4096.0; };\n",
		   ":1: flow.inspect_bytes: expected an integer");
	load_fails("flow = { udp_idle_timeout = \"2m\"; };\n",
		   ":1: flow.udp_idle_timeout: expected a number of seconds");
	load_fails("flowtiming = { beacon_min_score = true; };\n",
		   ":1: flowtiming.beacon_min_score: expected a number");
	load_fails("flowtiming = { enabled = 1; };\n",
		   ":1: flowtiming.enabled: expected true or false");
	load_fails("scan = { patterns_dir = 7; };\n",
		   ":1: scan.patterns_dir: expected a string");
	load_fails("hosts = { home_net = \"10.0.0.0/8\"; };\n",
		   ":1: hosts.home_net: expected a list of prefix strings");
	load_fails("hosts = {\n\thome_net = ( \"10.0.0.0/8\",\n\t\t1 );\n};\n",
		   ":3: hosts.home_net: expected a list of prefix strings");
}

static void test_out_of_range(void **state)
{
	(void)state;
	load_fails("flow = {\n\tmax_flows = 5;\n};\n",
		   ":2: flow.max_flows: 5 out of range [16, 16000000]");
	load_fails("engine = { workers = -1; };\n",
		   ":1: engine.workers: -1 out of range [1, 64]");
	load_fails("engine = { ring_bytes = 8589934592L; };\n",
		   ":1: engine.ring_bytes: 8589934592 out of range "
		   "[65536, 1073741824]");
	load_fails("flow = { tcp_idle_timeout = 0; };\n",
		   ":1: flow.tcp_idle_timeout: 0 out of range [1, 604800]");
	load_fails("flow = { sweep_interval = 0.0001; };\n",
		   ":1: flow.sweep_interval: 0.0001 out of range [0.001, 60]");
	load_fails("flowtiming = { beacon_min_score = 1.5; };\n",
		   ":1: flowtiming.beacon_min_score: 1.5 out of range [0, 1]");
	load_fails("hosts = { alert_score = 101; };\n",
		   ":1: hosts.alert_score: 101 out of range [1, 100]");
}

static void test_bad_prefix_message(void **state)
{
	char text[4096];
	int n;

	(void)state;
	load_fails("hosts = {\n\thome_net = [ \"10.0.0.0/8\",\n"
		   "\t\t\"fd00::/8\",\n\t\t\"x\" ];\n};\n",
		   ":4: hosts.home_net: bad prefix 'x'");
	load_fails("hosts = { home_net = [ \"10.0.0.0/33\" ]; };\n",
		   ":1: hosts.home_net: bad prefix '10.0.0.0/33'");

	n = snprintf(text, sizeof(text), "hosts = { home_net = [");
	for (int i = 0; i <= TW_MAX_PREFIXES; i++)
		n += snprintf(text + n, sizeof(text) - (size_t)n,
			      "%s\"10.%d.0.0/16\"", i ? ", " : " ", i);
	snprintf(text + n, sizeof(text) - (size_t)n, " ]; };\n");
	load_fails(text, ":1: hosts.home_net: 65 prefixes, at most 64");
}

static void test_cross_checks(void **state)
{
	(void)state;
	load_fails("hosts = {\n\tsuspicious_score = 50;\n"
		   "\talert_score = 50;\n};\n",
		   ":3: hosts.alert_score: 50 must be greater than "
		   "hosts.suspicious_score (50)");
	/* alert_score left at its default: the message has no line. */
	load_fails("hosts = { suspicious_score = 80; };\n",
		   ": hosts.alert_score: 70 must be greater than "
		   "hosts.suspicious_score (80)");
	load_fails("flowtiming = {\n\tbeacon_min_score = 0.95;\n};\n",
		   ": flowtiming.beacon_strong_score: 0.9 must be at least "
		   "flowtiming.beacon_min_score (0.95)");
	load_fails("flowtiming = {\n\tbeacon_strong_score = 0.5;\n};\n",
		   ":2: flowtiming.beacon_strong_score: 0.5 must be at least "
		   "flowtiming.beacon_min_score (0.8)");
}

static void test_durations(void **state)
{
	struct tw_config c;

	(void)state;
	load_ok("flow = {\n\ttcp_idle_timeout = 7200;\n"
		"\ttcp_handshake_timeout = 1.5;\n"
		"\tsweep_interval = 0.25;\n"
		"\ttcp_closed_timeout = 0;\n"
		"\tudp_idle_timeout = 300L;\n};\n"
		"flowtiming = { long_lived_min_duration = 0.001e6; "
		"beacon_min_span = 90; long_lived_max_rate = 100; };\n", &c);
	assert_true(c.flow.tcp_idle_ns == 7200 * NS);
	assert_true(c.flow.tcp_handshake_ns == 1500000000ULL);
	assert_true(c.flow.sweep_interval_ns == 250000000ULL);
	assert_true(c.flow.tcp_closed_ns == 0);
	assert_true(c.flow.udp_idle_ns == 300 * NS);
	assert_true(c.flowtiming.long_lived_min_ns == 1000 * NS);
	assert_true(c.flowtiming.beacon_min_span_ns == 90 * NS);
	assert_true(c.flowtiming.long_lived_max_bps == 100.0);
	/* Untouched keys keep their defaults. */
	assert_true(c.flow.other_idle_ns == 60 * NS);
	assert_int_equal(c.flow.max_flows, 131072);
}

static void test_values(void **state)
{
	struct tw_config c;

	(void)state;
	load_ok("engine = { workers = 4; ring_bytes = 0x200000; };\n"
		"flowtiming = { enabled = false; beacon_min_score = 0.5;\n"
		"\tbeacon_strong_score = 0.5; };\n"
		"hosts = { home_net = ( \"192.168.0.0/16\" ); };\n"
		"output = { eve_path = \"/var/tmp/eve.json\"; };\n", &c);
	assert_int_equal(c.engine.workers, 4);
	assert_int_equal(c.engine.ring_bytes, 2u << 20);
	assert_false(c.flowtiming.enabled);
	assert_true(c.flowtiming.beacon_min_score == 0.5);
	assert_int_equal(c.hosts.home_net.n, 1);
	assert_int_equal(c.hosts.home_net.p[0].len, 96 + 16);
	assert_string_equal(c.output.eve_path, "/var/tmp/eve.json");
}

static void addr_of(const char *text, struct ip_addr *a)
{
	uint8_t v4[4];

	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, text, v4) == 1) {
		a->b[10] = a->b[11] = 0xff;
		memcpy(a->b + 12, v4, 4);
		return;
	}
	assert_int_equal(inet_pton(AF_INET6, text, a->b), 1);
}

static void test_prefix_parse(void **state)
{
	static const char *const bad[] = {
		"", "/8", "10.0.0.0/", "10.0.0.0/33", "10.0.0.0/8x",
		"10.0.0.0/-1", "10.0.0.0/+8", "10.0.0/8", "10.0.0.0 /8",
		"fd00::/129", "fd00::/0008", "fd00:::/8", "host.example",
		"10.0.0.0/8/8", "256.0.0.0/8",
	};
	struct ip_prefix p;
	struct ip_addr want;

	(void)state;
	assert_int_equal(ip_prefix_parse("10.0.0.0/8", &p), 0);
	addr_of("10.0.0.0", &want);
	assert_memory_equal(p.addr.b, want.b, 16);
	assert_int_equal(p.len, 104);

	assert_int_equal(ip_prefix_parse("1.2.3.4", &p), 0);
	addr_of("1.2.3.4", &want);
	assert_memory_equal(p.addr.b, want.b, 16);
	assert_int_equal(p.len, 128);

	assert_int_equal(ip_prefix_parse("0.0.0.0/0", &p), 0);
	assert_int_equal(p.len, 96);

	assert_int_equal(ip_prefix_parse("fd00::/8", &p), 0);
	addr_of("fd00::", &want);
	assert_memory_equal(p.addr.b, want.b, 16);
	assert_int_equal(p.len, 8);

	assert_int_equal(ip_prefix_parse("2001:db8::1", &p), 0);
	assert_int_equal(p.len, 128);

	/* Host bits beyond the length are dropped, not refused. */
	assert_int_equal(ip_prefix_parse("10.1.2.3/8", &p), 0);
	addr_of("10.0.0.0", &want);
	assert_memory_equal(p.addr.b, want.b, 16);
	assert_int_equal(ip_prefix_parse("192.168.1.77/27", &p), 0);
	addr_of("192.168.1.64", &want);
	assert_memory_equal(p.addr.b, want.b, 16);
	assert_int_equal(ip_prefix_parse("2001:db8:ffff::1/35", &p), 0);
	addr_of("2001:db8:e000::", &want);
	assert_memory_equal(p.addr.b, want.b, 16);
	assert_int_equal(p.len, 35);

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (ip_prefix_parse(bad[i], &p) != -1)
			fail_msg("'%s' parsed as a prefix", bad[i]);
}

static bool contains(const struct prefix_list *l, const char *text)
{
	struct ip_addr a;

	addr_of(text, &a);
	return prefix_list_contains(l, &a);
}

static void test_prefix_list_contains(void **state)
{
	struct prefix_list l = { .n = 0 };

	(void)state;
	assert_false(contains(&l, "10.0.0.1"));
	assert_int_equal(ip_prefix_parse("10.0.0.0/8", &l.p[l.n++]), 0);
	assert_int_equal(ip_prefix_parse("172.16.0.0/12", &l.p[l.n++]), 0);
	assert_int_equal(ip_prefix_parse("fd00::/8", &l.p[l.n++]), 0);
	assert_int_equal(ip_prefix_parse("198.51.100.7", &l.p[l.n++]), 0);

	assert_true(contains(&l, "10.0.0.1"));
	assert_true(contains(&l, "10.255.255.255"));
	assert_false(contains(&l, "11.0.0.0"));
	assert_false(contains(&l, "9.255.255.255"));
	assert_true(contains(&l, "172.16.0.1"));
	assert_true(contains(&l, "172.31.255.255"));
	assert_false(contains(&l, "172.32.0.0"));
	assert_false(contains(&l, "172.15.255.255"));
	assert_true(contains(&l, "fd12:3456::1"));
	assert_false(contains(&l, "fe80::1"));
	assert_true(contains(&l, "198.51.100.7"));
	assert_false(contains(&l, "198.51.100.8"));
	/* A v4 prefix never matches a native IPv6 address of the same bits. */
	assert_false(contains(&l, "::a00:1"));

	l.n = 0;
	assert_int_equal(ip_prefix_parse("0.0.0.0/0", &l.p[l.n++]), 0);
	assert_true(contains(&l, "203.0.113.9"));
	assert_false(contains(&l, "2001:db8::1"));
	assert_int_equal(ip_prefix_parse("::/0", &l.p[l.n++]), 0);
	assert_true(contains(&l, "2001:db8::1"));
}

static void test_relative_paths(void **state)
{
	struct tw_config c;
	char err[512] = "", sub[PATH_MAX], path[PATH_MAX + 16];
	char want[PATH_MAX + 32], *canon;
	FILE *f;

	(void)state;
	snprintf(sub, sizeof(sub), "%s/etc", tmpdir);
	assert_int_equal(mkdir(sub, 0700), 0);
	snprintf(path, sizeof(path), "%s/tw.cfg", sub);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("scan = { patterns_dir = \"../patterns\"; };\n"
	      "output = { eve_path = \"./log/eve.json\"; };\n", f);
	assert_int_equal(fclose(f), 0);

	assert_int_equal(config_load(path, &c, err, sizeof(err)), 0);
	canon = realpath(tmpdir, NULL);
	assert_non_null(canon);
	snprintf(want, sizeof(want), "%s/patterns", canon);
	assert_string_equal(c.scan.patterns_dir, want);
	snprintf(want, sizeof(want), "%s/etc/log/eve.json", canon);
	assert_string_equal(c.output.eve_path, want);
	free(canon);

	/* Absolute and empty values are kept as written. */
	load_ok("scan = { patterns_dir = \"/opt/tw/patterns\"; };\n"
		"output = { eve_path = \"\"; };\n", &c);
	assert_string_equal(c.scan.patterns_dir, "/opt/tw/patterns");
	assert_string_equal(c.output.eve_path, "");
}

static void test_failed_load_leaves_cfg(void **state)
{
	struct tw_config c, before;
	char err[512];
	const char *path;

	(void)state;
	memset(&c, 0xa5, sizeof(c));
	memcpy(&before, &c, sizeof(c));
	/* Valid keys come first, so a careless loader would have written
	 * them before reaching the error. */
	path = write_cfg("engine = { workers = 8; };\n"
			 "hosts = { home_net = [ \"10.0.0.0/8\", \"nope\" ]; };\n");
	assert_int_equal(config_load(path, &c, err, sizeof(err)), -1);
	assert_memory_equal(&c, &before, sizeof(c));

	path = write_cfg("engine = { workers = 8; };\nflow = { ");
	assert_int_equal(config_load(path, &c, err, sizeof(err)), -1);
	assert_memory_equal(&c, &before, sizeof(c));

	/* A tiny err buffer is truncated, never overrun. */
	assert_int_equal(config_load(path, &c, err, 8), -1);
	assert_int_equal(strlen(err), 7);
	assert_int_equal(config_load(path, &c, NULL, 0), -1);
}

static void test_print_round_trip(void **state)
{
	struct tw_config a, b;
	char err[512] = "", *first, *second;
	const char *path;
	FILE *f;

	(void)state;
	load_ok("flow = { tcp_handshake_timeout = 2.5; max_flows = 1000; };\n"
		"hosts = { home_net = [ \"10.1.2.3/8\", \"fd00::/8\", "
		"\"::/0\" ]; };\n"
		"flowtiming = { long_lived_max_rate = 123.456; "
		"enabled = false; };\n"
		"scan = { patterns_dir = \"/p \\\"q\\\"\"; };\n", &a);
	first = print_body(&a);

	path = write_file("printed.cfg", "");
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(config_print(&a, f), 0);
	assert_int_equal(fclose(f), 0);
	if (config_load(path, &b, err, sizeof(err)) != 0)
		fail_msg("printed config does not load: %s", err);
	second = print_body(&b);
	assert_string_equal(first, second);
	assert_true(b.flow.tcp_handshake_ns == 2500000000ULL);
	assert_true(b.flowtiming.long_lived_max_bps == 123.456);
	assert_int_equal(b.hosts.home_net.n, 3);
	assert_string_equal(b.scan.patterns_dir, "/p \"q\"");
	free(first);
	free(second);
}

/* A SIGHUP takes exactly the keys whose rows are marked reloadable, and
 * the suppressions read from hosts.suppress_file with them. */
static void test_copy_reloadable(void **state)
{
	static struct tw_config dst, src;
	unsigned reloadable = 0;

	(void)state;
	config_defaults(&dst);
	config_defaults(&src);
	for (size_t i = 0; i < cfg_n_keys; i++)
		memset(cfg_field(&src, &cfg_keys[i]), 0x5a, cfg_keys[i].size);
	src.suppress.n = 3;
	config_copy_reloadable(&dst, &src);
	for (size_t i = 0; i < cfg_n_keys; i++) {
		const struct cfg_key *k = &cfg_keys[i];
		bool copied = memcmp(cfg_cfield(&dst, k), cfg_cfield(&src, k),
				     k->size) == 0;

		if (copied != k->reloadable)
			fail_msg("%s: %s by a reload", k->name,
				 copied ? "copied" : "not copied");
		reloadable += k->reloadable;
	}
	assert_int_equal(dst.suppress.n, 3);
	assert_true(reloadable > 0);
	/* what SIGHUP has always reloaded, and what it never did */
	for (size_t i = 0; i < cfg_n_keys; i++) {
		const struct cfg_key *k = &cfg_keys[i];

		if (strcmp(k->name, "hosts.alert_score") == 0 ||
		    strcmp(k->name, "hosts.home_net") == 0 ||
		    strcmp(k->name, "flowtiming.beacon_min_score") == 0 ||
		    strcmp(k->name, "scan.patterns_dir") == 0 ||
		    /* issue 15: every analyzer's thresholds and name lists */
		    strcmp(k->name, "dns.long_label") == 0 ||
		    strcmp(k->name, "icmp.min_odd_echoes") == 0 ||
		    strcmp(k->name, "mining.pools_file") == 0 ||
		    strcmp(k->name, "tunnel.names_file") == 0)
			assert_true(k->reloadable);
		if (strcmp(k->name, "dns.max_domains") == 0 ||
		    strcmp(k->name, "mining.enabled") == 0 ||
		    strcmp(k->name, "dpdk.workers") == 0)
			assert_false(k->reloadable);
		if (strcmp(k->name, "flowtiming.beacon_max_pairs") == 0 ||
		    strcmp(k->name, "flow.max_flows") == 0 ||
		    strcmp(k->name, "engine.workers") == 0)
			assert_false(k->reloadable);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_shipped_offline),
		cmocka_unit_test(test_shipped_live),
		cmocka_unit_test(test_syntax_error),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_unknown),
		cmocka_unit_test(test_wrong_type),
		cmocka_unit_test(test_out_of_range),
		cmocka_unit_test(test_bad_prefix_message),
		cmocka_unit_test(test_cross_checks),
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_prefix_parse),
		cmocka_unit_test(test_prefix_list_contains),
		cmocka_unit_test(test_relative_paths),
		cmocka_unit_test(test_failed_load_leaves_cfg),
		cmocka_unit_test(test_print_round_trip),
		cmocka_unit_test(test_decap_keys),
		cmocka_unit_test(test_copy_reloadable),
	};

	return cmocka_run_group_tests(tests, make_tmpdir, remove_tmpdir);
}
