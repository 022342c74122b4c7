/* SPDX-License-Identifier: BSD-3-Clause */
/* The event log: Suricata-EVE-shaped lines, one per finding, appended;
 * src/dest follow the flow's originator whichever side is the host. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "control/eve.h"
#include "decode/decode.h"
#include "flow/flow.h"
#include "scan/app_id.h"

/* app_id.c is not linked here: one label for the flow below */
const char *app_name(uint16_t id)
{
	return id == 7 ? "ssh" : NULL;
}

#define T0 1704164645000000000ull /* 2024-01-02T03:04:05Z */

static char path[64];

static int setup(void **state)
{
	int fd;

	(void)state;
	snprintf(path, sizeof(path), "/tmp/test_eve_XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(path);
	return 0;
}

static struct finding mk(const char *kind, enum severity sev, uint8_t proto)
{
	struct finding f;

	assert_int_not_equal(finding_kind_by_name(kind), FK_COUNT);
	finding_init(&f, NULL, finding_kind_by_name(kind), sev);
	assert_int_equal(ip_addr_parse("198.51.100.7", &f.orig), 0);
	assert_int_equal(ip_addr_parse("10.0.0.5", &f.resp), 0);
	f.orig_port = 40000;
	f.resp_port = 2222;
	f.proto = proto;
	f.flow_id = 4242;
	f.first_ns = T0;
	f.last_ns = T0 + 123456789;
	f.count = 3;
	finding_summary(&f, "reverse shell over %s", "ssh");
	finding_add_str(&f, "hassh", "abc");
	finding_add_double(&f, "score", 0.87654);
	return f;
}

/* The lines of the log, parsed; n set to how many. */
static json_t **read_lines(unsigned *n)
{
	static json_t *lines[16];
	char buf[4096];
	FILE *in = fopen(path, "r");

	assert_non_null(in);
	*n = 0;
	while (fgets(buf, sizeof(buf), in) && *n < 16) {
		json_error_t err;

		assert_int_equal(buf[strlen(buf) - 1], '\n');
		lines[*n] = json_loads(buf, 0, &err);
		if (!lines[*n])
			fail_msg("line %u: %s: %s", *n, err.text, buf);
		(*n)++;
	}
	fclose(in);
	return lines;
}

static const char *str(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_string(v))
		fail_msg("%s is not a string", key);
	return json_string_value(v);
}

static json_int_t num(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_integer(v))
		fail_msg("%s is not an integer", key);
	return json_integer_value(v);
}

static void test_eve_alert_shape(void **state)
{
	char err[128];
	struct eve *e;
	struct finding f = mk("ssh.reverse_session", SEV_HIGH, TW_PROTO_TCP);
	json_t **lines, *ev, *alert, *tw;
	unsigned n;

	(void)state;
	e = eve_open(path, err, sizeof(err));
	assert_non_null(e);
	/* The host is the responder (the inside host an outsider drives). */
	assert_int_equal(eve_write(e, &f, 0), 0);
	assert_int_equal(eve_close(e), 0);

	lines = read_lines(&n);
	assert_int_equal(n, 1);
	ev = lines[0];
	assert_string_equal(str(ev, "timestamp"),
			    "2024-01-02T03:04:05.123456+0000");
	assert_int_equal(num(ev, "flow_id"), 4242);
	assert_string_equal(str(ev, "event_type"), "alert");
	assert_string_equal(str(ev, "src_ip"), "198.51.100.7");
	assert_int_equal(num(ev, "src_port"), 40000);
	assert_string_equal(str(ev, "dest_ip"), "10.0.0.5");
	assert_int_equal(num(ev, "dest_port"), 2222);
	assert_string_equal(str(ev, "proto"), "TCP");
	alert = json_object_get(ev, "alert");
	assert_string_equal(str(alert, "action"), "allowed");
	assert_int_equal(num(alert, "gid"), 1);
	assert_true(num(alert, "signature_id") >= 9000000 &&
		    num(alert, "signature_id") < 9100000);
	assert_int_equal(num(alert, "rev"), 1);
	assert_string_equal(str(alert, "signature"),
			    "TUNNELWATCH reverse SSH session");
	/* Suricata 6+: source the peer, target the watched host */
	assert_string_equal(str(json_object_get(alert, "source"), "ip"),
			    "198.51.100.7");
	assert_null(json_object_get(json_object_get(alert, "source"), "port"));
	assert_string_equal(str(json_object_get(alert, "target"), "ip"),
			    "10.0.0.5");
	/* no flow behind it (finding_init without one): no flow{} */
	assert_null(json_object_get(ev, "flow"));
	assert_null(json_object_get(ev, "in_iface"));
	assert_string_equal(str(alert, "category"), "ssh");
	assert_int_equal(num(alert, "severity"), 1);
	tw = json_object_get(ev, "tunnelwatch");
	assert_string_equal(str(tw, "kind"), "ssh.reverse_session");
	assert_string_equal(str(tw, "family"), "ssh");
	assert_string_equal(str(tw, "severity"), "high");
	assert_string_equal(str(tw, "host"), "10.0.0.5");
	assert_string_equal(str(tw, "peer"), "198.51.100.7");
	assert_string_equal(str(tw, "event"), "new");
	assert_string_equal(str(tw, "summary"), "reverse shell over ssh");
	assert_true(json_is_false(json_object_get(tw, "host_is_src")));
	assert_int_equal(num(tw, "count"), 3);
	assert_string_equal(str(tw, "first_seen"),
			    "2024-01-02T03:04:05.000000Z");
	assert_string_equal(str(tw, "last_seen"),
			    "2024-01-02T03:04:05.123456Z");
	assert_string_equal(str(json_object_get(tw, "detail"), "hassh"),
			    "abc");
	assert_true(json_real_value(json_object_get(
			    json_object_get(tw, "detail"), "score")) == 0.877);
	json_decref(ev);
}

static void test_eve_orientation_severity_append(void **state)
{
	char err[128];
	struct eve *e;
	struct finding med = mk("flow.beacon", SEV_MEDIUM, TW_PROTO_UDP);
	struct finding low = mk("dns.tunnel", SEV_LOW, TW_PROTO_UDP);
	struct finding icmp = mk("icmp.tunnel", SEV_INFO, TW_PROTO_ICMPV6);
	json_t **lines;
	unsigned n;

	(void)state;
	e = eve_open(path, err, sizeof(err));
	assert_non_null(e);
	assert_int_equal(eve_write(e, &med, 1), 0);
	assert_int_equal(eve_close(e), 0);
	/* A second open appends. */
	e = eve_open(path, err, sizeof(err));
	assert_non_null(e);
	assert_int_equal(eve_write(e, &low, 1), 0);
	assert_int_equal(eve_write(e, &icmp, 0), 0);
	assert_int_equal(eve_close(e), 0);

	lines = read_lines(&n);
	assert_int_equal(n, 3);
	/* The host is the source, yet src stays the originator. */
	assert_string_equal(str(lines[0], "src_ip"), "198.51.100.7");
	assert_string_equal(str(json_object_get(lines[0], "tunnelwatch"),
				"host"), "198.51.100.7");
	assert_true(json_is_true(json_object_get(
		json_object_get(lines[0], "tunnelwatch"), "host_is_src")));
	assert_string_equal(str(lines[0], "proto"), "UDP");
	assert_int_equal(num(json_object_get(lines[0], "alert"), "severity"),
			 2);
	assert_int_equal(num(json_object_get(lines[1], "alert"), "severity"),
			 3);
	assert_int_equal(num(json_object_get(lines[2], "alert"), "severity"),
			 3);
	assert_string_equal(str(lines[2], "proto"), "IPv6-ICMP");
	/* ICMP has no ports, as in Suricata's EVE. */
	assert_null(json_object_get(lines[2], "src_port"));
	assert_null(json_object_get(lines[2], "dest_port"));
	/* Signature ids: stable per kind, distinct across kinds. */
	assert_int_not_equal(num(json_object_get(lines[0], "alert"),
				 "signature_id"),
			     num(json_object_get(lines[1], "alert"),
				 "signature_id"));
	for (unsigned i = 0; i < n; i++)
		json_decref(lines[i]);
}

static void test_signature_ids_distinct(void **state)
{
	static const char *const kinds[] = {
		"ssh.nonstandard_port", "ssh.reverse_session",
		"ssh.role_inversion", "ssh.keepalive_tunnel",
		"ssh.unexpected_destination", "mining.stratum",
		"mining.pool_name", "flow.long_lived_low_byte", "flow.beacon",
		"dns.tunnel", "icmp.tunnel", "tunnel.service",
	};
	enum { N = sizeof(kinds) / sizeof(kinds[0]) };
	json_int_t sid[N];
	char err[128];
	struct eve *e;
	json_t **lines;
	unsigned n;

	(void)state;
	e = eve_open(path, err, sizeof(err));
	assert_non_null(e);
	for (unsigned i = 0; i < N; i++) {
		struct finding f = mk(kinds[i], SEV_LOW, TW_PROTO_TCP);

		assert_int_equal(eve_write(e, &f, 1), 0);
	}
	assert_int_equal(eve_close(e), 0);
	lines = read_lines(&n);
	assert_int_equal(n, N);
	for (unsigned i = 0; i < N; i++) {
		sid[i] = num(json_object_get(lines[i], "alert"),
			     "signature_id");
		for (unsigned j = 0; j < i; j++)
			assert_int_not_equal(sid[i], sid[j]);
		json_decref(lines[i]);
	}
}

/* issue 15: the flow's own tuple, app_proto, flow{}, ICMP type, in_iface;
 * one event per appearance and per severity rise. */
static void test_eve_flow_fields_and_repeats(void **state)
{
	char err[128];
	struct eve *e;
	struct flow fl;
	struct finding q, a, a2, a3, icmp;
	json_t **lines, *flow, *tw;
	unsigned n;

	(void)state;
	memset(&fl, 0, sizeof(fl));
	assert_int_equal(ip_addr_parse("10.0.0.5", &fl.orig_addr), 0);
	assert_int_equal(ip_addr_parse("10.0.0.53", &fl.resp_addr), 0);
	fl.orig_port = 33333;
	fl.resp_port = 53;
	fl.proto = TW_PROTO_UDP;
	fl.id = 77;
	fl.app = 7;
	fl.first_ns = T0;
	fl.last_ns = T0 + 1000;
	fl.side[0].pkts = 2;
	fl.side[0].bytes = 150;
	fl.side[1].pkts = 1;
	fl.side[1].bytes = 300;
	/* a DNS answer naming a pool: the finding's peer is the pool, the
	 * event's 5-tuple the DNS flow's own */
	finding_init(&a, &fl, FK_MINING_POOL_NAME, SEV_MEDIUM);
	assert_int_equal(ip_addr_parse("203.0.113.9", &a.resp), 0);
	a.resp_port = 0;
	a2 = a;
	a2.count = 2;
	a2.last_ns = T0 + 5000;
	a3 = a2;
	a3.severity = SEV_HIGH;
	q = a;
	assert_int_equal(ip_addr_parse("10.0.0.53", &q.resp), 0);
	fl.proto = TW_PROTO_ICMP;
	finding_init(&icmp, &fl, FK_ICMP_TUNNEL, SEV_MEDIUM);

	e = eve_open(path, err, sizeof(err));
	assert_non_null(e);
	eve_set_iface(e, "eth1");
	assert_int_equal(eve_write(e, &a, 1), 0);   /* new */
	assert_int_equal(eve_write(e, &a2, 1), 0);  /* folded */
	assert_int_equal(eve_write(e, &q, 1), 0);   /* another peer: new */
	assert_int_equal(eve_write(e, &a3, 1), 0);  /* severity rose */
	assert_int_equal(eve_write(e, &a2, 1), 0);  /* folded */
	assert_int_equal(eve_write(e, &icmp, 1), 0);
	assert_int_equal(eve_repeats(e), 2);
	assert_int_equal(eve_close(e), 0);

	lines = read_lines(&n);
	assert_int_equal(n, 4);
	assert_string_equal(str(lines[0], "in_iface"), "eth1");
	assert_string_equal(str(lines[0], "src_ip"), "10.0.0.5");
	assert_int_equal(num(lines[0], "src_port"), 33333);
	assert_string_equal(str(lines[0], "dest_ip"), "10.0.0.53");
	assert_int_equal(num(lines[0], "dest_port"), 53);
	assert_string_equal(str(lines[0], "app_proto"), "ssh");
	flow = json_object_get(lines[0], "flow");
	assert_int_equal(num(flow, "pkts_toserver"), 2);
	assert_int_equal(num(flow, "pkts_toclient"), 1);
	assert_int_equal(num(flow, "bytes_toserver"), 150);
	assert_int_equal(num(flow, "bytes_toclient"), 300);
	assert_string_equal(str(flow, "start"),
			    "2024-01-02T03:04:05.000000+0000");
	tw = json_object_get(lines[0], "tunnelwatch");
	assert_string_equal(str(tw, "peer"), "203.0.113.9");
	assert_true(json_is_true(json_object_get(tw, "host_is_src")));
	assert_string_equal(str(lines[1], "dest_ip"), "10.0.0.53");
	tw = json_object_get(lines[2], "tunnelwatch");
	assert_string_equal(str(tw, "event"), "severity_raised");
	assert_string_equal(str(tw, "severity"), "high");
	assert_int_equal(num(tw, "count"), 1 + 2 + 2);
	assert_string_equal(str(tw, "last_seen"),
			    "2024-01-02T03:04:05.000005Z");
	assert_string_equal(str(json_object_get(lines[2], "alert"),
				"signature"),
			    str(json_object_get(lines[0], "alert"),
				"signature"));
	assert_int_equal(num(lines[3], "icmp_type"), 8);
	assert_int_equal(num(lines[3], "icmp_code"), 0);
	assert_null(json_object_get(lines[3], "app_proto"));
	for (unsigned i = 0; i < n; i++)
		json_decref(lines[i]);
}

static void test_eve_errors(void **state)
{
	char err[128] = "";
	struct eve *e;
	struct finding f = mk("flow.beacon", SEV_LOW, TW_PROTO_TCP);

	(void)state;
	assert_null(eve_open("/nonexistent-dir/eve.json", err, sizeof(err)));
	assert_non_null(strstr(err, "/nonexistent-dir/eve.json"));
	assert_int_equal(eve_close(NULL), 0);
	e = eve_open("/dev/full", err, sizeof(err));
	if (!e)
		return;
	/* One write per line: each failed write shows at once, is counted,
	 * the next one is tried afresh, and close reports it. */
	assert_int_equal(eve_write(e, &f, 1), -1);
	/* not written: the same finding again is tried again */
	assert_int_equal(eve_write(e, &f, 1), -1);
	assert_int_equal(eve_write_errors(e), 2);
	assert_int_equal(eve_last_error(e), ENOSPC);
	assert_int_equal(eve_close(e), -1);
	/* a file that opens but never takes a line is refused at open */
	assert_null(eve_open("/proc/version", err, sizeof(err)));
	assert_non_null(strstr(err, "/proc/version"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_eve_alert_shape, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_eve_orientation_severity_append, setup, teardown),
		cmocka_unit_test_setup_teardown(test_signature_ids_distinct,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_eve_flow_fields_and_repeats,
						setup, teardown),
		cmocka_unit_test(test_eve_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
