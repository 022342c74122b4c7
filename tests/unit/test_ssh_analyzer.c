/* SPDX-License-Identifier: BSD-3-Clause */
/* The ssh analyzer inside the worker: crafted TCP conversations (banners,
 * KEXINITs split over segments, key-exchange messages, then encrypted
 * sizes) in, findings out. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "analyzers/ssh/ssh_wire.h"
#include "ssh_build.h"
#include "config/config.h"
#include "pkt_build.h"
#include "engine/ring.h"
#include "scan/hs_db.h"
#include "findings/findings.h"
#include "engine/worker.h"
#include "worker_fixture.h"
#include "decode/decode.h"

#define SEC 1000000000ull
#define MS 1000000ull
#define MAX_FINDINGS 16

struct fixture {
	struct worker_fixture wf;
	struct finding found[MAX_FINDINGS];
	unsigned n_found;
};

/* One TCP connection: who is who and where each side's sequence is. */
struct conn {
	struct worker *w;
	const char *orig, *resp;
	uint16_t oport, rport;
	uint32_t seq[2];
	uint64_t ts;
};

static int setup(void **state)
{
	static struct fixture fx;

	memset(&fx, 0, sizeof(fx));
	worker_fixture_config(&fx.wf);
	fx.wf.cfg.ssh.max_sessions = 4;
	fx.wf.cfg.ssh.max_handshakes = 2;
	fx.wf.cfg.flowtiming.enabled = false;
	worker_fixture_start(&fx.wf);
	*state = &fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	worker_fixture_stop(&fx->wf);
	return 0;
}

static void seg(struct conn *c, int from_resp, uint8_t flags,
		const void *data, uint32_t len, uint64_t after_ns)
{
	struct pb_spec s = {
		.linktype = TW_LINK_ETHERNET,
		.src = from_resp ? c->resp : c->orig,
		.dst = from_resp ? c->orig : c->resp,
		.proto = TW_PROTO_TCP,
		.sport = from_resp ? c->rport : c->oport,
		.dport = from_resp ? c->oport : c->rport,
		.tcp_flags = flags, .seq = c->seq[from_resp],
		.payload = data, .payload_len = len,
	};
	uint8_t buf[PB_MAX_FRAME];
	uint32_t n = pb_build(&s, buf, sizeof(buf));
	struct pkt p;

	assert_true(n > 0);
	c->ts += after_ns;
	pb_pkt(&p, buf, n, c->ts, TW_LINK_ETHERNET);
	worker_process(c->w, &p);
	c->seq[from_resp] += len + ((flags & TW_TCP_SYN) ? 1 : 0);
}

static void data(struct conn *c, int from_resp, const void *d, uint32_t len,
		 uint64_t after_ns)
{
	seg(c, from_resp, TW_TCP_ACK | TW_TCP_PSH, d, len, after_ns);
}

/* An encrypted packet of len bytes (content is irrelevant). */
static void sized(struct conn *c, int from_resp, uint32_t len,
		  uint64_t after_ns)
{
	static const uint8_t fill[1500] = { 0x5a };

	data(c, from_resp, fill, len, after_ns);
}

static uint32_t kexinit_packet(uint8_t *out)
{
	uint8_t pl[1024];

	return ssh_packet(out, pl, ssh_kexinit_payload(pl, ssh_client_lists));
}

static void msg(struct conn *c, int from_resp, uint8_t type)
{
	uint8_t b[32];

	data(c, from_resp, b, ssh_packet(b, &type, 1), 1 * MS);
}

/* Handshake up to NEWKEYS; the SSH server is the responder unless
 * inverted. The client's KEXINIT arrives in three segments. */
static void handshake(struct conn *c, bool inverted)
{
	int srv = inverted ? 0 : 1, cli = !srv;
	uint8_t k[1024];
	uint32_t n = kexinit_packet(k);

	seg(c, 0, TW_TCP_SYN, NULL, 0, 0);
	seg(c, 1, TW_TCP_SYN | TW_TCP_ACK, NULL, 0, 1 * MS);
	seg(c, 0, TW_TCP_ACK, NULL, 0, 1 * MS);
	data(c, srv, "SSH-2.0-OpenSSH_9.2p1 Debian\r\n", 30, 1 * MS);
	data(c, cli, "SSH-2.0-PuTTY_Release_0.79\r\n", 28, 1 * MS);
	data(c, cli, k, 3, 1 * MS);
	data(c, cli, k + 3, 100, 1 * MS);
	data(c, cli, k + 103, n - 103, 1 * MS);
	data(c, srv, k, n, 1 * MS);
	msg(c, cli, SSH_MSG_KEX_30);
	msg(c, srv, SSH_MSG_KEX_31);
	msg(c, srv, SSH_MSG_NEWKEYS);
	msg(c, cli, SSH_MSG_NEWKEYS);
	/* service request/accept, "none" failure, publickey, success */
	sized(c, cli, 44, 5 * MS);
	sized(c, srv, 44, 5 * MS);
	sized(c, cli, 68, 1 * MS);
	sized(c, srv, 76, 5 * MS);
	sized(c, cli, 652, 5 * MS);
	sized(c, srv, 28, 5 * MS);
}

static void collect(struct fixture *fx)
{
	worker_fixture_collect(&fx->wf, fx->found, &fx->n_found, MAX_FINDINGS);
}

static const struct finding *find(struct fixture *fx, const char *kind)
{
	collect(fx);
	return findings_of_kind(fx->found, fx->n_found, kind);
}

static const char *detail_str(const struct finding *f, const char *key)
{
	return finding_detail_str(f, key);
}

static struct conn conn_new(struct fixture *fx, const char *orig,
			    const char *resp, uint16_t rport)
{
	struct conn c = { fx->wf.w, orig, resp, 40000, rport, { 1000, 9000 },
			  100 * SEC };

	fx->n_found = 0;
	return c;
}

static void test_role_inversion(void **state)
{
	struct fixture *fx = *state;
	struct conn c = conn_new(fx, "10.0.0.5", "198.51.100.7", 22);
	const struct finding *f;

	handshake(&c, true);
	f = find(fx, "ssh.role_inversion");
	assert_non_null(f);
	assert_int_equal(f->severity, SEV_HIGH);
	assert_int_equal(f->host_is_orig, 1);
	assert_string_equal(detail_str(f, "server_software"), "OpenSSH_9.2p1");
	assert_string_equal(detail_str(f, "client_software"),
			    "PuTTY_Release_0.79");
	assert_string_equal(detail_str(f, "cipher"),
			    "chacha20-poly1305@openssh.com");
	assert_null(find(fx, "ssh.nonstandard_port"));
}

static void test_odd_port_with_hassh(void **state)
{
	struct fixture *fx = *state;
	struct conn c = conn_new(fx, "10.0.0.6", "198.51.100.8", 443);
	const struct finding *f;

	handshake(&c, false);
	f = find(fx, "ssh.nonstandard_port");
	assert_non_null(f);
	assert_int_equal(f->severity, SEV_HIGH);
	assert_int_equal(f->resp_port, 443);
	/* the client's KEXINIT came in three segments */
	assert_string_equal(detail_str(f, "hassh"), SSH_CLIENT_HASSH);
	assert_string_equal(detail_str(f, "ssh_server"), "responder");
	assert_null(find(fx, "ssh.role_inversion"));

	/* a port that firewalls do not usually pass: medium */
	c = conn_new(fx, "10.0.0.6", "198.51.100.8", 2222);
	handshake(&c, false);
	f = find(fx, "ssh.nonstandard_port");
	assert_non_null(f);
	assert_int_equal(f->severity, SEV_MEDIUM);
}

static void test_reverse_session_reported_while_open(void **state)
{
	struct fixture *fx = *state;
	struct conn c = conn_new(fx, "10.0.0.7", "198.51.100.9", 22);
	static const uint32_t gaps_ms[] = { 90, 310, 150, 240, 120, 380, 200 };
	const struct finding *f;

	handshake(&c, false);
	for (unsigned i = 0; i < 30; i++) {
		sized(&c, 1, 76, gaps_ms[i % 7] * MS);   /* the server types */
		sized(&c, 0, 76, 1 * MS);                /* the client echoes */
	}
	f = find(fx, "ssh.reverse_session");
	assert_non_null(f);
	assert_int_equal(f->severity, SEV_HIGH);
	assert_int_equal(f->host_is_orig, 1);
	assert_string_equal(detail_str(f, "typing"), "human");
	assert_string_equal(detail_str(f, "auth"), "success");
	assert_null(find(fx, "ssh.nonstandard_port"));
}

static void test_forward_session_is_clean(void **state)
{
	struct fixture *fx = *state;
	struct conn c = conn_new(fx, "10.0.0.8", "198.51.100.10", 22);
	static const uint32_t gaps_ms[] = { 90, 310, 150, 240, 120, 380, 200 };

	handshake(&c, false);
	for (unsigned i = 0; i < 40; i++) {
		sized(&c, 0, 36, gaps_ms[i % 7] * MS);   /* the client types */
		sized(&c, 1, 36, 1 * MS);
	}
	worker_finish(fx->wf.w);
	collect(fx);
	assert_int_equal(fx->n_found, 0);
}

/* Not SSH: no session, no finding. */
static void test_not_ssh_is_ignored(void **state)
{
	struct fixture *fx = *state;
	struct conn c = conn_new(fx, "10.0.0.9", "198.51.100.11", 22);

	seg(&c, 0, TW_TCP_SYN, NULL, 0, 0);
	seg(&c, 1, TW_TCP_SYN | TW_TCP_ACK, NULL, 0, 1 * MS);
	data(&c, 0, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 27, 1 * MS);
	data(&c, 1, "HTTP/1.1 200 OK\r\n\r\n", 19, 1 * MS);
	for (unsigned i = 0; i < 30; i++) {
		sized(&c, 1, 76, 200 * MS);
		sized(&c, 0, 76, 1 * MS);
	}
	worker_finish(fx->wf.w);
	collect(fx);
	assert_int_equal(fx->n_found, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_role_inversion, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_odd_port_with_hassh, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_reverse_session_reported_while_open, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_forward_session_is_clean,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_ssh_is_ignored, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
