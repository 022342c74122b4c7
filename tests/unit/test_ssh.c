/* SPDX-License-Identifier: BSD-3-Clause */
/* Encrypted-SSH inference on crafted (side, size, time) sequences:
 * authentication outcome, keystrokes and who types, reverse sessions,
 * human against scripted typing, keepalive-only tunnels, and the look-
 * alikes that must not count (slow echoes, bulk, irregular keepalives);
 * and the ssh.* port-list config type. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyzers/common/ssh_infer.h"
#include "config/config.h"

#define NS_PER_MS 1000000ull
#define T0 1700000000000000000ull

static const struct ssh_infer_cfg cfg = {
	.keystroke_max_bytes = 160,
	.echo_max_ns = 500 * NS_PER_MS,
	.reverse_min_keystrokes = 12,
	.keepalive_min_events = 8,
	.keepalive_min_interval_ns = 2000 * NS_PER_MS,
	.keepalive_max_jitter = 0.1,
};

static struct ssh_infer s;
static uint64_t now;
static unsigned events;

static uint64_t lcg_state;

static uint32_t lcg(uint32_t lo, uint32_t hi)
{
	lcg_state = lcg_state * 6364136223846793005ull + 1442695040888963407ull;
	return lo + (uint32_t)((lcg_state >> 33) % (hi - lo + 1));
}

static void reset(void)
{
	memset(&s, 0, sizeof(s));
	now = T0;
	events = 0;
	lcg_state = 42;
}

static void pkt(enum ssh_side side, uint32_t len, uint32_t after_ms)
{
	now += (uint64_t)after_ms * NS_PER_MS;
	events |= ssh_infer_packet(&s, &cfg, side, len, now);
}

/* The sizes OpenSSH 9 with chacha20-poly1305 shows: service request and
 * accept 44, "none" failure 76, publickey 652, success 28. */
static void login(void)
{
	pkt(SSH_CLIENT, 44, 10);
	pkt(SSH_SERVER, 44, 5);
	pkt(SSH_CLIENT, 68, 1);
	pkt(SSH_SERVER, 76, 5);
	pkt(SSH_CLIENT, 652, 20);
	pkt(SSH_SERVER, 28, 5);
}

/* n keystrokes typed by side, echoed after 1 ms, gaps in [lo, hi] ms. */
static void type(enum ssh_side side, unsigned n, uint32_t size, uint32_t lo,
		 uint32_t hi)
{
	enum ssh_side other = side == SSH_CLIENT ? SSH_SERVER : SSH_CLIENT;

	for (unsigned i = 0; i < n; i++) {
		pkt(side, size, lcg(lo, hi));
		pkt(other, size, 1);
	}
}

static void test_auth_success(void **state)
{
	(void)state;
	reset();
	login();
	assert_int_equal(s.auth, SSH_AUTH_SUCCESS);
	assert_true(events & SSH_INF_AUTH_DONE);
	assert_int_equal(s.accept_size, 44);
	assert_int_equal(s.failure_size, 76);
	assert_string_equal(ssh_infer_auth_name(&s), "success");
	/* service request/accept (44/44) were not taken for a keystroke */
	assert_int_equal(s.keys[SSH_CLIENT] + s.keys[SSH_SERVER], 0);
}

static void test_auth_failures(void **state)
{
	(void)state;
	reset();
	pkt(SSH_CLIENT, 44, 10);
	pkt(SSH_SERVER, 44, 5);
	for (int i = 0; i < 4; i++) {
		pkt(SSH_CLIENT, 100, 300);
		pkt(SSH_SERVER, 76, 5);
	}
	assert_int_equal(s.auth, SSH_AUTH_RUNNING);
	assert_int_equal(s.auth_failures, 4);
	assert_string_equal(ssh_infer_auth_name(&s), "failure");
	/* a banner far larger than accept is neither */
	pkt(SSH_SERVER, 900, 5);
	assert_int_equal(s.auth_failures, 4);
	/* no outcome within the watched packets: given up */
	for (int i = 0; i < 20; i++)
		pkt(SSH_SERVER, 60, 5);
	assert_int_equal(s.auth, SSH_AUTH_UNKNOWN);
	assert_true(events & SSH_INF_AUTH_DONE);
}

static void test_forward_session(void **state)
{
	(void)state;
	reset();
	login();
	type(SSH_CLIENT, 60, 36, 80, 400);
	pkt(SSH_SERVER, 1200, 3);   /* command output */
	type(SSH_CLIENT, 20, 36, 80, 400);
	assert_int_equal(s.keys[SSH_CLIENT], 80);
	assert_int_equal(s.keys[SSH_SERVER], 0);
	assert_int_equal(s.key_size[SSH_CLIENT], 36);
	assert_false(events & (SSH_INF_REVERSE | SSH_INF_KEEPALIVE));
	{
		double cv;

		assert_string_equal(ssh_infer_typing(&s, SSH_CLIENT, &cv),
				    "human");
		assert_true(cv > 0.25);
	}
}

static void test_reverse_session(void **state)
{
	double cv;

	(void)state;
	reset();
	login();
	type(SSH_SERVER, 12, 76, 80, 400);
	/* enough keystrokes, but too few gaps to judge the typing yet */
	assert_false(events & SSH_INF_REVERSE);
	assert_int_equal(s.keys[SSH_SERVER], 12);
	type(SSH_SERVER, 9, 76, 80, 400);
	assert_true(events & SSH_INF_REVERSE);
	assert_int_equal(s.gap_n[SSH_SERVER], 20);
	assert_int_equal(s.key_size[SSH_SERVER], 76);
	assert_true(s.first_server_key_ns > T0);
	assert_string_equal(ssh_infer_typing(&s, SSH_SERVER, &cv), "human");
	/* reported once only */
	events = 0;
	type(SSH_SERVER, 20, 76, 80, 400);
	assert_false(events & SSH_INF_REVERSE);
	assert_int_equal(ssh_infer_finish(&s, &cfg), 0);
}

/* A short reverse session is reported when the flow ends. */
static void test_short_reverse_reported_at_end(void **state)
{
	(void)state;
	reset();
	login();
	type(SSH_SERVER, 11, 76, 80, 400);
	assert_false(events & SSH_INF_REVERSE);
	assert_int_equal(ssh_infer_finish(&s, &cfg), 0);   /* too few */
	type(SSH_SERVER, 1, 76, 80, 400);
	assert_false(events & SSH_INF_REVERSE);
	assert_int_equal(ssh_infer_finish(&s, &cfg), SSH_INF_REVERSE);
	assert_int_equal(ssh_infer_finish(&s, &cfg), 0);
}

static void test_scripted_typing(void **state)
{
	double cv;

	(void)state;
	reset();
	login();
	type(SSH_SERVER, 30, 76, 120, 122);
	assert_true(events & SSH_INF_REVERSE);
	assert_string_equal(ssh_infer_typing(&s, SSH_SERVER, &cv), "scripted");
	assert_true(cv < 0.05);
}

/* A client that types most keeps a few server-first pairs from being a
 * reverse session. */
static void test_mostly_client_typing_is_not_reverse(void **state)
{
	(void)state;
	reset();
	login();
	type(SSH_CLIENT, 40, 36, 80, 400);
	type(SSH_SERVER, 15, 36, 80, 400);
	assert_false(events & SSH_INF_REVERSE);
}

static void test_slow_or_unequal_echo_is_no_keystroke(void **state)
{
	(void)state;
	reset();
	login();
	for (int i = 0; i < 30; i++) {
		pkt(SSH_SERVER, 76, 700);
		pkt(SSH_CLIENT, 76, 800);     /* later than echo_max */
	}
	for (int i = 0; i < 30; i++) {
		pkt(SSH_SERVER, 76, 700);
		pkt(SSH_CLIENT, 84, 1);       /* another size */
	}
	for (int i = 0; i < 30; i++) {
		pkt(SSH_SERVER, 1448, 300);   /* bulk, same sizes */
		pkt(SSH_CLIENT, 1448, 1);
	}
	assert_int_equal(s.keys[SSH_SERVER] + s.keys[SSH_CLIENT], 0);
	assert_false(events & SSH_INF_REVERSE);
}

/* ServerAliveInterval 5: request 52 B, reply 28 B, every 5 s +- 5 ms. */
static void keepalives(unsigned n, uint32_t lo_ms, uint32_t hi_ms)
{
	for (unsigned i = 0; i < n; i++) {
		pkt(SSH_CLIENT, 52, lcg(lo_ms, hi_ms));
		pkt(SSH_SERVER, 28, 2);
	}
}

static void test_keepalive_tunnel(void **state)
{
	(void)state;
	reset();
	login();
	pkt(SSH_CLIENT, 100, 5);    /* tcpip-forward request and reply */
	pkt(SSH_SERVER, 36, 5);
	keepalives(8, 4995, 5005);
	assert_false(events & SSH_INF_KEEPALIVE);
	keepalives(1, 4995, 5005);
	assert_true(events & SSH_INF_KEEPALIVE);
	assert_int_equal(s.ka_size, 52);
	assert_int_equal(s.ka_side, SSH_CLIENT);
	assert_int_equal(s.ka_events, 9);
	assert_true(s.ka_max_ms - s.ka_min_ms <= 10);
}

/* autossh -M 0 -o ServerAliveInterval=15: an operator's short check-in
 * through the tunnel restarts the keepalive timer without ending the
 * rhythm, and once the tunnel is known the check-in is reverse use. */
static void test_keepalive_survives_checkin(void **state)
{
	(void)state;
	reset();
	login();
	keepalives(4, 4995, 5005);
	type(SSH_SERVER, 4, 36, 80, 400);   /* the operator's first command */
	keepalives(4, 4995, 5005);
	assert_false(events & SSH_INF_REVERSE);
	keepalives(1, 4995, 5005);
	assert_true(events & SSH_INF_KEEPALIVE);
	assert_int_equal(s.ka_interrupts, 1);
	/* the operator checks in once more: reverse use of a known tunnel,
	 * reported with its whole count when the session ends */
	type(SSH_SERVER, 4, 36, 80, 400);
	assert_false(events & SSH_INF_REVERSE);
	events |= ssh_infer_finish(&s, &cfg);
	assert_true(events & SSH_INF_REVERSE);
}

static void test_irregular_or_busy_is_no_keepalive(void **state)
{
	(void)state;
	reset();
	login();
	keepalives(30, 2500, 9000);         /* jitter far over 10 % */
	assert_false(events & SSH_INF_KEEPALIVE);

	reset();
	login();
	for (int i = 0; i < 30; i++) {      /* traffic between them */
		keepalives(1, 4995, 5005);
		pkt(SSH_SERVER, 300, 500);
		pkt(SSH_CLIENT, 200, 3);
	}
	assert_false(events & SSH_INF_KEEPALIVE);

	reset();
	login();
	type(SSH_CLIENT, 5, 36, 80, 400);   /* a person typed */
	keepalives(30, 4995, 5005);
	assert_false(events & SSH_INF_KEEPALIVE);

}

/* ssh.ports and friends: the port-list config type. */
static void test_config_port_lists(void **state)
{
	char path[] = "/tmp/tw_ssh_cfg_XXXXXX", err[256];
	struct tw_config cfg;
	FILE *f;
	int fd;

	(void)state;
	config_defaults(&cfg);
	assert_int_equal(cfg.ssh.ports.n, 1);
	assert_int_equal(cfg.ssh.ports.p[0], 22);
	assert_true(port_list_contains(&cfg.ssh.evasive_ports, 443));
	assert_false(port_list_contains(&cfg.ssh.evasive_ports, 22));

	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	fputs("ssh = { ports = [ 22, 2222 ];\n"
	      "  allowed_servers = [ \"192.0.2.0/24\" ]; };\n", f);
	fclose(f);
	assert_int_equal(config_load(path, &cfg, err, sizeof(err)), 0);
	assert_int_equal(cfg.ssh.ports.n, 2);
	assert_true(port_list_contains(&cfg.ssh.ports, 2222));
	assert_int_equal(cfg.ssh.allowed_servers.n, 1);

	f = fopen(path, "w");
	fputs("ssh = {\n  ports = [ 22, 70000 ]; };\n", f);
	fclose(f);
	assert_int_equal(config_load(path, &cfg, err, sizeof(err)), -1);
	assert_non_null(strstr(err, ":2: ssh.ports: port 70000 out of range"));
	f = fopen(path, "w");
	fputs("ssh = { ports = [ \"22\" ]; };\n", f);
	fclose(f);
	assert_int_equal(config_load(path, &cfg, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "expected a list of ports"));
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_auth_success),
		cmocka_unit_test(test_auth_failures),
		cmocka_unit_test(test_forward_session),
		cmocka_unit_test(test_reverse_session),
		cmocka_unit_test(test_short_reverse_reported_at_end),
		cmocka_unit_test(test_scripted_typing),
		cmocka_unit_test(test_mostly_client_typing_is_not_reverse),
		cmocka_unit_test(test_slow_or_unequal_echo_is_no_keystroke),
		cmocka_unit_test(test_keepalive_tunnel),
		cmocka_unit_test(test_keepalive_survives_checkin),
		cmocka_unit_test(test_irregular_or_busy_is_no_keepalive),
		cmocka_unit_test(test_config_port_lists),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
