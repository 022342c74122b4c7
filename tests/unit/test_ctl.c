/* SPDX-License-Identifier: BSD-3-Clause */
/* Control socket (ctl_socket.c, ctl_listen.c) and its commands
 * (ctl_cmds.c), without DPDK: the engine's side is a stub backend, the
 * socket is real, in a temporary directory, and the test is both the
 * server (ctl_server_poll) and its clients. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "config/config.h"
#include "control/ctl_cmds.h"
#include "control/ctl_socket.h"
#include "engine/manager.h"
#include "scan/app_id.h"

__attribute__((weak)) const char *app_name(uint16_t id)
{
	(void)id;
	return NULL;
}

static struct tw_config cfg;
static struct manager mgr;
static struct finding_log flog;
static struct ctl_backend backend;
static char dir[64];
static int stats_calls, flows_calls;
static json_int_t open_flow_id; /* the stub's one open flow, 0: none */

static json_t *stub_stats(void *ctx)
{
	(void)ctx;
	stats_calls++;
	return json_pack("{s:i}", "packets", 42);
}

static json_t *stub_flows(void *ctx, const struct ip_addr *ip)
{
	(void)ctx;
	(void)ip;
	flows_calls++;
	if (open_flow_id)
		return json_pack("{s:[{s:I}], s:i, s:b, s:i}", "flows",
				 "flow_id", open_flow_id, "total", 1,
				 "truncated", 0, "workers_unanswered", 0);
	return json_pack("{s:[], s:i, s:b, s:i}", "flows", "total", 0,
			 "truncated", 0, "workers_unanswered", 0);
}

static int setup(void **state)
{
	(void)state;
	config_defaults(&cfg);
	cfg.hosts.max_hosts = 32;
	snprintf(dir, sizeof(dir), "/tmp/tw-test-ctl.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(cfg.control.socket, sizeof(cfg.control.socket), "%s/ctl.sock",
		 dir);
	cfg.control.max_clients = 2;
	cfg.control.max_line = 64;
	memset(&mgr, 0, sizeof(mgr));
	mgr.cfg = &cfg;
	mgr.hosts = hosts_create(&cfg);
	assert_non_null(mgr.hosts);
	assert_int_equal(finding_log_init(&flog, 4), 0);
	backend = (struct ctl_backend){ .mgr = &mgr, .log = &flog,
					.engine = "stub", .stats = stub_stats,
					.flows = stub_flows };
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	hosts_destroy(mgr.hosts);
	finding_log_fini(&flog);
	unlink(cfg.control.socket);
	rmdir(dir);
	return 0;
}

static void add_finding(const char *host, const char *peer, const char *kind,
			enum severity sev)
{
	struct finding f;
	int is_orig;

	assert_int_not_equal(finding_kind_by_name(kind), FK_COUNT);
	finding_init(&f, NULL, finding_kind_by_name(kind), sev);
	assert_int_equal(ip_addr_parse(host, &f.orig), 0);
	assert_int_equal(ip_addr_parse(peer, &f.resp), 0);
	f.resp_port = 443;
	f.proto = 6;
	f.first_ns = 1700000000000000000ull;
	f.last_ns = f.first_ns + 1000;
	finding_summary(&f, "%s from %s", kind, host);
	is_orig = hosts_apply_finding(mgr.hosts, &f);
	finding_log_add(&flog, &f, is_orig);
}

/* The answer to line as a JSON document; checks it is one line. */
static json_t *ask(const char *line)
{
	char *text = ctl_cmds_answer(&backend, line);
	json_error_t jerr;
	json_t *doc;

	assert_non_null(text);
	assert_non_null(strchr(text, '\n'));
	assert_int_equal(strchr(text, '\n') - text, (long)strlen(text) - 1);
	doc = json_loads(text, 0, &jerr);
	free(text);
	assert_non_null(doc);
	return doc;
}

static void assert_error(const char *line)
{
	json_t *doc = ask(line);

	assert_non_null(json_object_get(doc, "error"));
	json_decref(doc);
}

static void test_cmd_errors(void **state)
{
	(void)state;
	assert_error("bogus");
	assert_error("hosts extra");
	assert_error("host");
	assert_error("host 10.0.0.300");
	assert_error("flows not-an-ip");
	assert_error("findings -1");
	assert_error("findings 12abc");
	assert_error("reset 1.2.3.4 5.6.7.8");
	assert_error("version now");
}

static void test_cmd_help_version_stats(void **state)
{
	json_t *doc;

	(void)state;
	doc = ask("help");
	assert_int_equal(json_array_size(json_object_get(doc, "commands")), 11);
	json_decref(doc);
	doc = ask("  version  ");
	assert_string_equal(json_string_value(json_object_get(doc, "engine")),
			    "stub");
	json_decref(doc);
	stats_calls = 0;
	doc = ask("stats");
	assert_int_equal(json_integer_value(json_object_get(
				 json_object_get(doc, "stats"), "packets")),
			 42);
	assert_int_equal(stats_calls, 1);
	json_decref(doc);
}

static void add_finding_at(const char *host, const char *kind,
			   uint64_t last_ns)
{
	struct finding f;
	int is_orig;

	finding_init(&f, NULL, finding_kind_by_name(kind), SEV_MEDIUM);
	assert_int_equal(ip_addr_parse(host, &f.orig), 0);
	assert_int_equal(ip_addr_parse("192.0.2.9", &f.resp), 0);
	f.resp_port = 53;
	f.proto = 17;
	f.first_ns = last_ns;
	f.last_ns = last_ns;
	finding_summary(&f, "%s", kind);
	is_orig = hosts_apply_finding(mgr.hosts, &f);
	finding_log_add(&flog, &f, is_orig);
}

/* issue 15: metrics exposition, `since` for follow, findings by time */
static void test_cmd_metrics_since_order(void **state)
{
	const char *text;
	json_t *doc, *arr;
	uint64_t total;

	(void)state;
	/* arrival order is not time order (workers deliver late) */
	add_finding_at("10.0.1.1", "dns.tunnel", 1700000000300000000ull);
	add_finding_at("10.0.1.2", "icmp.tunnel", 1700000000100000000ull);
	add_finding_at("10.0.1.3", "tunnel.service", 1700000000200000000ull);
	doc = ask("findings 3");
	arr = json_object_get(doc, "findings");
	assert_int_equal(json_array_size(arr), 3);
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(arr, 0), "kind")),
			    "dns.tunnel");
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(arr, 1), "kind")),
			    "tunnel.service");
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(arr, 2), "kind")),
			    "icmp.tunnel");
	total = (uint64_t)json_integer_value(json_object_get(doc, "total"));
	json_decref(doc);

	/* since: arrival order, oldest first; what fell out is "lost" */
	doc = ask("since 0");
	arr = json_object_get(doc, "findings");
	assert_int_equal(json_array_size(arr), 4); /* the log keeps 4 */
	assert_int_equal(json_integer_value(json_object_get(doc, "lost")),
			 (json_int_t)(total - 4));
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(arr, 3), "kind")),
			    "tunnel.service");
	json_decref(doc);
	doc = ask("since 999999");
	assert_int_equal(json_array_size(json_object_get(doc, "findings")), 0);
	assert_int_equal(json_integer_value(json_object_get(doc, "total")),
			 (json_int_t)total);
	json_decref(doc);
	assert_error("since x");

	/* reset keeps what flows still open found (issue 15) */
	{
		struct finding f;

		finding_init(&f, NULL, FK_SSH_REVERSE_SESSION, SEV_HIGH);
		assert_int_equal(ip_addr_parse("10.0.2.1", &f.orig), 0);
		assert_int_equal(ip_addr_parse("192.0.2.7", &f.resp), 0);
		f.resp_port = 22;
		f.proto = 6;
		f.flow_id = 0x8000000000000123ull; /* listed as 0x123 */
		f.first_ns = f.last_ns = 1700000000000000000ull;
		hosts_apply_finding(mgr.hosts, &f);
		f.kind_id = FK_FLOW_BEACON;
		f.kind = finding_kind_info(FK_FLOW_BEACON)->name;
		f.flow_id = 0x456;
		hosts_apply_finding(mgr.hosts, &f);
	}
	open_flow_id = 0x123;
	doc = ask("reset 10.0.2.1");
	assert_int_equal(json_integer_value(json_object_get(doc, "kept_open")),
			 1);
	json_decref(doc);
	open_flow_id = 0;
	doc = ask("host 10.0.2.1");
	arr = json_object_get(json_object_get(doc, "host"), "findings");
	assert_int_equal(json_array_size(arr), 1);
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(arr, 0), "kind")),
			    "ssh.reverse_session");
	json_decref(doc);
	doc = ask("reset 10.0.2.1");
	assert_int_equal(json_integer_value(json_object_get(doc, "kept_open")),
			 0);
	json_decref(doc);

	doc = ask("metrics");
	text = json_string_value(json_object_get(doc, "metrics"));
	assert_non_null(text);
	assert_non_null(strstr(text, "# TYPE tunnelwatch_packets_total "
				     "counter\ntunnelwatch_packets_total 42\n"));
	assert_non_null(strstr(text, "tunnelwatch_host_verdicts{verdict="
				     "\"suspicious\"} "));
	assert_non_null(strstr(text, "tunnelwatch_host_findings{kind="
				     "\"dns.tunnel\",severity=\"medium\"} 1\n"));
	assert_non_null(strstr(text, "tunnelwatch_table_capacity{table="
				     "\"hosts\"} 32\n"));
	json_decref(doc);
}

static void test_cmd_hosts_host_reset(void **state)
{
	json_t *doc, *hosts, *host;

	(void)state;
	add_finding("10.0.0.5", "192.0.2.1", "flow.beacon", SEV_MEDIUM);
	add_finding("10.0.0.6", "192.0.2.1", "flow.long_lived_low_byte",
		    SEV_LOW);
	doc = ask("hosts");
	hosts = json_object_get(doc, "hosts");
	assert_int_equal(json_integer_value(json_object_get(doc, "version")), 1);
	assert_null(json_object_get(doc, "stats"));
	assert_int_equal(json_array_size(hosts), 2);
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(hosts, 0), "ip")),
			    "10.0.0.5"); /* worst first */
	json_decref(doc);

	flows_calls = 0;
	doc = ask("host 10.0.0.5");
	host = json_object_get(doc, "host");
	assert_string_equal(json_string_value(json_object_get(host, "verdict")),
			    "suspicious");
	assert_non_null(json_object_get(host, "open_flows"));
	assert_int_equal(flows_calls, 1);
	json_decref(doc);

	doc = ask("host 10.9.9.9"); /* unknown: clean, still its flows */
	host = json_object_get(doc, "host");
	assert_string_equal(json_string_value(json_object_get(host, "verdict")),
			    "clean");
	json_decref(doc);

	doc = ask("findings 1");
	assert_int_equal(json_array_size(json_object_get(doc, "findings")), 1);
	assert_string_equal(json_string_value(json_object_get(
		json_array_get(json_object_get(doc, "findings"), 0), "host")),
		"10.0.0.6"); /* newest first */
	assert_int_equal(json_integer_value(json_object_get(doc, "total")), 2);
	json_decref(doc);

	doc = ask("reset 10.0.0.5");
	assert_true(json_is_true(json_object_get(doc, "found")));
	json_decref(doc);
	doc = ask("reset 10.0.0.5");
	assert_true(json_is_false(json_object_get(doc, "found")));
	json_decref(doc);
	doc = ask("hosts");
	assert_int_equal(json_array_size(json_object_get(doc, "hosts")), 1);
	json_decref(doc);
}

/* ---- the socket ---- */

static void sock_addr(struct sockaddr_un *a)
{
	size_t n = strlen(cfg.control.socket);

	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	assert_true(n < sizeof(a->sun_path));
	memcpy(a->sun_path, cfg.control.socket, n + 1);
}

static int client(void)
{
	struct sockaddr_un a;
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	sock_addr(&a);
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	return fd;
}

static void client_send(int fd, const void *data, size_t len)
{
	assert_int_equal(send(fd, data, len, MSG_NOSIGNAL), (ssize_t)len);
}

/* One answer line for fd, serving s meanwhile; "" when fd was closed. */
static json_t *client_answer(struct ctl_server *s, int fd)
{
	static char buf[65536];
	size_t len = 0;

	for (int round = 0; round < 200; round++) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;

		ctl_server_poll(s, 5);
		if (poll(&p, 1, 5) <= 0)
			continue;
		n = recv(fd, buf + len, sizeof(buf) - 1 - len, MSG_DONTWAIT);
		if (n <= 0)
			return NULL;
		len += (size_t)n;
		if (memchr(buf, '\n', len)) {
			json_error_t jerr;

			buf[len] = '\0';
			*strchr(buf, '\n') = '\0';
			return json_loads(buf, 0, &jerr);
		}
	}
	fail_msg("no answer");
	return NULL;
}

static struct ctl_server *server_open(void)
{
	char err[256];
	struct ctl_server *s = ctl_server_open(&cfg, ctl_cmds_answer, &backend,
					       err, sizeof(err));

	if (!s)
		fail_msg("%s", err);
	return s;
}

static void expect_key(struct ctl_server *s, int fd, const char *key)
{
	json_t *doc = client_answer(s, fd);

	assert_non_null(doc);
	if (!json_object_get(doc, key))
		fail_msg("no '%s' in the answer", key);
	json_decref(doc);
}

static void test_socket_mode_and_claim(void **state)
{
	struct ctl_server *s, *other;
	struct stat st;
	char err[256];
	int fd;

	(void)state;
	s = server_open();
	assert_int_equal(stat(cfg.control.socket, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0660);
	/* a running instance holds the path */
	other = ctl_server_open(&cfg, ctl_cmds_answer, &backend, err,
				sizeof(err));
	assert_null(other);
	assert_non_null(strstr(err, "in use"));
	ctl_server_close(s);
	assert_int_equal(access(cfg.control.socket, F_OK), -1);

	/* a stale socket (bound, nobody listening) is replaced */
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	{
		struct sockaddr_un a;

		sock_addr(&a);
		assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	}
	close(fd);
	s = server_open();
	ctl_server_close(s);

	/* anything else at the path is not ours to delete */
	fd = open(cfg.control.socket, O_CREAT | O_WRONLY, 0600);
	close(fd);
	assert_null(ctl_server_open(&cfg, ctl_cmds_answer, &backend, err,
				    sizeof(err)));
	assert_non_null(strstr(err, "not a socket"));
	unlink(cfg.control.socket);
}

static void test_socket_abuse(void **state)
{
	struct ctl_server *s;
	char big[1000], junk[10] = { 'a', 0x01, (char)0xff, 'b', '\n' };
	int fd, fd2, fd3;
	json_t *doc;

	(void)state;
	s = server_open();
	fd = client();
	client_send(fd, "help\n", 5);
	expect_key(s, fd, "commands");
	client_send(fd, "nope\n", 5);
	expect_key(s, fd, "error");
	memset(big, 'x', sizeof(big));       /* over max_line (64) */
	client_send(fd, big, sizeof(big));
	client_send(fd, "\nversion\n", 9);
	expect_key(s, fd, "error");
	expect_key(s, fd, "version");
	client_send(fd, junk, 5);             /* binary garbage */
	expect_key(s, fd, "error");
	client_send(fd, "\r\n\nstats\r\n", 10); /* blank lines: no answer */
	expect_key(s, fd, "stats");
	assert_int_equal(ctl_server_counters(s)->bad_lines, 2);
	assert_int_equal(ctl_server_counters(s)->lines, 4);

	/* max_clients is 2: a third gets an error and is closed */
	fd2 = client();
	fd3 = client();
	doc = client_answer(s, fd3);
	assert_non_null(doc);
	assert_non_null(strstr(json_string_value(json_object_get(doc, "error")),
			       "too many clients"));
	json_decref(doc);
	assert_int_equal(ctl_server_counters(s)->refused, 1);
	close(fd3);

	/* a client that goes away with its question unanswered */
	client_send(fd2, "hosts\nhosts\nhosts\n", 18);
	close(fd2);
	for (int i = 0; i < 20; i++)
		ctl_server_poll(s, 5);
	assert_int_equal(ctl_server_counters(s)->clients, 1);
	client_send(fd, "version\n", 8);     /* the first one still works */
	expect_key(s, fd, "version");
	close(fd);
	for (int i = 0; i < 20; i++)
		ctl_server_poll(s, 5);
	assert_int_equal(ctl_server_counters(s)->clients, 0);
	ctl_server_close(s);
}

/* Serves s for about ms milliseconds. */
static void serve_for(struct ctl_server *s, int ms)
{
	for (int t = 0; t < ms; t += 10)
		ctl_server_poll(s, 10);
}

/* 1 when the server closed fd (EOF after whatever it said last). */
static int closed_by_server(int fd)
{
	char buf[4096];

	for (int round = 0; round < 50; round++) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, 10) <= 0)
			continue;
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n == 0)
			return 1;
		if (n < 0 && errno != EAGAIN)
			return 1;
	}
	return 0;
}

/* Issue 13: idle clients must not lock operators out. */
static void test_socket_idle_limits(void **state)
{
	const struct ctl_counters *ctr;
	struct ctl_server *s;
	int fd1, fd2, fd3;
	json_t *doc;

	(void)state;
	/* a full table: the newcomer closes the longest idle client */
	s = server_open();
	ctr = ctl_server_counters(s);
	fd1 = client();
	serve_for(s, 100);
	fd2 = client();
	serve_for(s, 1100);
	fd3 = client();
	client_send(fd3, "version\n", 8);
	expect_key(s, fd3, "version");
	assert_int_equal(ctr->evicted_idle, 1);
	assert_int_equal(ctr->refused, 0);
	assert_true(closed_by_server(fd1));
	client_send(fd2, "version\n", 8);
	expect_key(s, fd2, "version");
	close(fd1);
	close(fd2);
	close(fd3);
	ctl_server_close(s);

	/* silent, or a line never ended: closed after idle_timeout_s */
	cfg.control.idle_timeout_s = 1;
	s = server_open();
	ctr = ctl_server_counters(s);
	fd1 = client();
	fd2 = client();
	client_send(fd2, "ver", 3);
	for (int i = 0; i < 5; i++) {  /* a byte at a time keeps it active */
		serve_for(s, 300);
		if (send(fd2, " ", 1, MSG_NOSIGNAL) < 0)
			break;  /* closed already */
	}
	assert_true(closed_by_server(fd1));
	assert_true(closed_by_server(fd2));
	assert_int_equal(ctr->idle_closed, 2);
	assert_int_equal(ctr->clients, 0);
	close(fd1);
	close(fd2);
	ctl_server_close(s);
	cfg.control.idle_timeout_s = 30;

	/* an answer over max_answer becomes an error */
	cfg.control.max_answer = 16;
	s = server_open();
	fd1 = client();
	client_send(fd1, "version\n", 8);
	doc = client_answer(s, fd1);
	assert_non_null(doc);
	assert_non_null(strstr(json_string_value(json_object_get(doc, "error")),
			       "control.max_answer"));
	json_decref(doc);
	assert_int_equal(ctl_server_counters(s)->answers_too_large, 1);
	close(fd1);
	ctl_server_close(s);
	cfg.control.max_answer = 64u << 20;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cmd_errors),
		cmocka_unit_test(test_cmd_help_version_stats),
		cmocka_unit_test(test_cmd_hosts_host_reset),
		cmocka_unit_test(test_cmd_metrics_since_order),
		cmocka_unit_test(test_socket_mode_and_claim),
		cmocka_unit_test(test_socket_abuse),
		cmocka_unit_test(test_socket_idle_limits),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
