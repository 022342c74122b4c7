/* SPDX-License-Identifier: BSD-3-Clause */
/* Tunnels hidden inside other protocols (issue 12), through the whole
 * worker: SSH behind an HTTP proxy's CONNECT (tunnel_door.c), reverse
 * channels (tunnel_reverse.c), VPNs (vpn.c) and fully encrypted first
 * payloads (fully_encrypted.c). Crafted conversations in, findings out. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "analyzers/fully_encrypted/fully_encrypted.h"
#include "analyzers/ssh/ssh_wire.h"
#include "config/config.h"
#include "pkt_build.h"
#include "engine/ring.h"
#include "ssh_build.h"
#include "findings/findings.h"
#include "engine/worker.h"
#include "worker_fixture.h"
#include "decode/decode.h"

#define SEC 1000000000ull
#define MS 1000000ull
#define MAX_FINDINGS 32

struct fixture {
	struct worker_fixture wf;
	struct finding found[MAX_FINDINGS];
	unsigned n_found;
};

struct conn {
	struct worker *w;
	const char *orig, *resp;
	uint16_t oport, rport;
	uint8_t proto;
	uint32_t seq[2];
	uint64_t ts;
	uint8_t framing;   /* data() wraps: enum test_framing */
};

enum test_framing { TF_NONE = 0, TF_WS, TF_HTC, TF_WS_DEFLATE };

static int setup(void **state)
{
	static struct fixture fx;

	memset(&fx, 0, sizeof(fx));
	worker_fixture_config(&fx.wf);
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
		.proto = c->proto,
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

/* Payload as the framing of the conversation carries it: a WebSocket
 * frame (masked from the originator; RSV1 set for deflate) or an
 * httptunnel DATA record. */
static void data(struct conn *c, int from_resp, const void *d, uint32_t len,
		 uint64_t after_ns)
{
	static const uint8_t key[4] = { 0x11, 0x93, 0x5c, 0xe0 };
	uint8_t b[1600];
	uint32_t n = 0;
	bool masked = !from_resp;

	if (c->framing == TF_NONE) {
		seg(c, from_resp, TW_TCP_ACK | TW_TCP_PSH, d, len, after_ns);
		return;
	}
	assert_true(len + 14 <= sizeof(b));
	if (c->framing == TF_HTC) {
		b[n++] = 0x02;
		b[n++] = (uint8_t)(len >> 8);
		b[n++] = (uint8_t)len;
		masked = false;
	} else {
		b[n++] = c->framing == TF_WS_DEFLATE ? 0xc2 : 0x82;
		if (len < 126) {
			b[n++] = (uint8_t)((masked ? 0x80 : 0) | len);
		} else {
			b[n++] = (uint8_t)((masked ? 0x80 : 0) | 126);
			b[n++] = (uint8_t)(len >> 8);
			b[n++] = (uint8_t)len;
		}
		if (masked) {
			memcpy(b + n, key, 4);
			n += 4;
		}
	}
	for (uint32_t i = 0; i < len; i++)
		b[n + i] = (uint8_t)(((const uint8_t *)d)[i] ^
				     (masked ? key[i & 3] : 0));
	seg(c, from_resp, TW_TCP_ACK | TW_TCP_PSH, b, n + len, after_ns);
}

static void text(struct conn *c, int from_resp, const char *s)
{
	data(c, from_resp, s, (uint32_t)strlen(s), 1 * MS);
}

static void sized(struct conn *c, int from_resp, uint32_t len,
		  uint64_t after_ns)
{
	static const uint8_t fill[1500] = { 0x5a };

	data(c, from_resp, fill, len, after_ns);
}

static void syn_handshake(struct conn *c)
{
	seg(c, 0, TW_TCP_SYN, NULL, 0, 0);
	seg(c, 1, TW_TCP_SYN | TW_TCP_ACK, NULL, 0, 1 * MS);
	seg(c, 0, TW_TCP_ACK, NULL, 0, 1 * MS);
}

static void msg(struct conn *c, int from_resp, uint8_t type)
{
	uint8_t b[32];

	data(c, from_resp, b, ssh_packet(b, &type, 1), 1 * MS);
}

/* SSH from banners to a successful login; the responder serves SSH. The
 * server's banner may share a segment with what came before it. */
static void ssh_session(struct conn *c)
{
	uint8_t pl[1024], k[1024];
	uint32_t n = ssh_packet(k, pl, ssh_kexinit_payload(pl, ssh_client_lists));

	text(c, 1, "SSH-2.0-OpenSSH_9.2p1 Debian\r\n");
	text(c, 0, "SSH-2.0-OpenSSH_9.2p1 Debian\r\n");
	data(c, 0, k, n, 1 * MS);
	data(c, 1, k, n, 1 * MS);
	msg(c, 0, SSH_MSG_KEX_30);
	msg(c, 1, SSH_MSG_KEX_31);
	msg(c, 1, SSH_MSG_NEWKEYS);
	msg(c, 0, SSH_MSG_NEWKEYS);
	sized(c, 0, 44, 5 * MS);
	sized(c, 1, 44, 5 * MS);
	sized(c, 0, 68, 1 * MS);
	sized(c, 1, 76, 5 * MS);
	sized(c, 0, 652, 5 * MS);
	sized(c, 1, 28, 5 * MS);
}

/* An operator types from the SSH server's side (ssh -R): keystrokes from
 * the responder, echoed by the originator. */
static void reverse_typing(struct conn *c)
{
	static const uint32_t gaps_ms[] = { 90, 310, 150, 240, 120, 380, 200 };

	for (unsigned i = 0; i < 30; i++) {
		sized(c, 1, 76, gaps_ms[i % 7] * MS);
		sized(c, 0, 76, 1 * MS);
	}
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
	struct conn c = { fx->wf.w, orig, resp, 40000, rport, TW_PROTO_TCP,
			  { 1000, 9000 }, 100 * SEC, TF_NONE };

	fx->n_found = 0;
	return c;
}

/* ---- item 1: through the proxy's door ---- */

static void test_ssh_through_connect(void **state)
{
	struct fixture *fx = *state;
	struct conn c = conn_new(fx, "10.0.0.5", "10.0.0.1", 3128);
	const struct finding *f;

	syn_handshake(&c);
	text(&c, 0, "CONNECT ssh.example.net:443 HTTP/1.0\r\n");
	text(&c, 0, "User-Agent: proxytunnel\r\n\r\n");
	text(&c, 1, "HTTP/1.1 200 Connection established\r\n\r\n");
	ssh_session(&c);
	reverse_typing(&c);

	f = find(fx, "ssh.nonstandard_port");
	assert_non_null(f);
	/* the port judged is the CONNECT target's, a port firewalls pass */
	assert_int_equal(f->severity, SEV_HIGH);
	assert_int_equal(f->host_is_orig, 1);
	assert_string_equal(detail_str(f, "connect_target"),
			    "ssh.example.net:443");
	f = find(fx, "ssh.reverse_session");
	assert_non_null(f);
	assert_int_equal(f->host_is_orig, 1);
	assert_string_equal(detail_str(f, "connect_target"),
			    "ssh.example.net:443");
}

/* The answer and the server's banner in one segment: the chunk is cut at
 * the door. */
static void test_door_inside_a_segment(void **state)
{
	struct fixture *fx = *state;
	struct conn c = conn_new(fx, "10.0.0.6", "10.0.0.1", 8080);
	uint8_t pl[1024], k[1024];
	uint32_t n = ssh_packet(k, pl, ssh_kexinit_payload(pl, ssh_client_lists));

	syn_handshake(&c);
	text(&c, 0, "CONNECT 192.0.2.9:2222 HTTP/1.1\r\nHost: 192.0.2.9:2222\r\n\r\n");
	text(&c, 1, "HTTP/1.0 200 OK\r\nVia: squid\r\n\r\nSSH-2.0-OpenSSH_9.2\r\n");
	text(&c, 0, "SSH-2.0-OpenSSH_9.2\r\n");
	data(&c, 0, k, n, 1 * MS);
	data(&c, 1, k, n, 1 * MS);
	msg(&c, 0, SSH_MSG_KEX_30);
	msg(&c, 1, SSH_MSG_KEX_31);
	msg(&c, 1, SSH_MSG_NEWKEYS);
	msg(&c, 0, SSH_MSG_NEWKEYS);
	worker_finish(fx->wf.w);

	const struct finding *f = find(fx, "ssh.nonstandard_port");
	assert_non_null(f);
	assert_int_equal(f->severity, SEV_MEDIUM);   /* 2222 */
	assert_string_equal(detail_str(f, "connect_target"), "192.0.2.9:2222");
}

/* Refused CONNECT, and plain HTTP through the same proxy: no door. */
static void test_no_door_without_2xx(void **state)
{
	struct fixture *fx = *state;
	struct conn c = conn_new(fx, "10.0.0.7", "10.0.0.1", 3128);

	syn_handshake(&c);
	text(&c, 0, "CONNECT ssh.example.net:443 HTTP/1.0\r\n\r\n");
	text(&c, 1, "HTTP/1.1 403 Forbidden\r\n\r\n");
	text(&c, 1, "SSH-2.0-OpenSSH_9.2p1 Debian\r\n");
	text(&c, 0, "SSH-2.0-OpenSSH_9.2p1 Debian\r\n");

	c = conn_new(fx, "10.0.0.7", "10.0.0.1", 3128);
	c.oport = 40001;
	syn_handshake(&c);
	text(&c, 0, "GET http://www.example.com/ HTTP/1.1\r\nHost: www.example.com\r\n\r\n");
	text(&c, 1, "HTTP/1.1 200 OK\r\nContent-Length: 30\r\n\r\n");
	text(&c, 1, "SSH-2.0-OpenSSH_9.2p1 Debian\r\n");
	for (unsigned i = 0; i < 30; i++) {
		sized(&c, 1, 76, 200 * MS);
		sized(&c, 0, 76, 1 * MS);
	}
	worker_finish(fx->wf.w);
	collect(fx);
	for (unsigned i = 0; i < fx->n_found; i++)
		fprintf(stderr, "unexpected: %s\n", fx->found[i].kind);
	assert_int_equal(fx->n_found, 0);
}

static const uint8_t client_hello[] = {
	0x16, 0x03, 0x01, 0x00, 0x2f, 0x01, 0x00, 0x00, 0x2b, 0x03, 0x03,
	1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
	17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32,
	0x00, 0x00, 0x02, 0x13, 0x01, 0x01, 0x00, 0x00, 0x00,
};

/* ---- item 1: WebSocket and long-polling bodies ---- */

static const char ws_request[] =
	"GET /ssh HTTP/1.1\r\nHost: 203.0.113.80\r\nUpgrade: websocket\r\n"
	"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
	"Sec-WebSocket-Version: 13\r\n\r\n";
static const char ws_answer[] =
	"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
	"Connection: Upgrade\r\n"
	"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";

/* ssh -R over a WebSocket on port 80: the frames' payloads are SSH,
 * the sizes judged without the frame headers. */
static void test_ssh_over_websocket(void **state)
{
	struct fixture *fx = *state;
	struct conn c = conn_new(fx, "10.0.0.8", "203.0.113.80", 80);
	const struct finding *f;

	syn_handshake(&c);
	text(&c, 0, ws_request);
	text(&c, 1, ws_answer);
	c.framing = TF_WS;
	ssh_session(&c);
	reverse_typing(&c);

	f = find(fx, "ssh.nonstandard_port");
	assert_non_null(f);
	assert_int_equal(f->severity, SEV_HIGH);     /* 80 */
	assert_int_equal(f->host_is_orig, 1);
	assert_string_equal(detail_str(f, "door"), "websocket");
	assert_string_equal(detail_str(f, "door_request"), "/ssh");
	f = find(fx, "ssh.reverse_session");
	assert_non_null(f);
	assert_string_equal(detail_str(f, "door"), "websocket");
}

/* A chat over permessage-deflate (RSV1) and a WebSocket without an
 * Upgrade in the request: nothing is read inside, nothing flagged. */
static void test_websocket_chat_is_clean(void **state)
{
	struct fixture *fx = *state;
	struct conn c = conn_new(fx, "10.0.0.9", "203.0.113.81", 80);

	syn_handshake(&c);
	text(&c, 0, ws_request);
	text(&c, 1, ws_answer);
	c.framing = TF_WS_DEFLATE;
	text(&c, 0, "SSH-2.0-OpenSSH_9.2p1 Debian\r\n");
	text(&c, 1, "SSH-2.0-OpenSSH_9.2p1 Debian\r\n");
	for (unsigned i = 0; i < 30; i++) {
		sized(&c, 1, 40, 700 * MS);
		sized(&c, 0, 40, 1 * MS);
	}
	c = conn_new(fx, "10.0.0.9", "203.0.113.81", 80);
	c.oport = 40002;
	syn_handshake(&c);
	text(&c, 0, "GET /ssh HTTP/1.1\r\nHost: x\r\n\r\n");
	text(&c, 1, ws_answer);
	text(&c, 1, "SSH-2.0-OpenSSH_9.2p1 Debian\r\n");
	worker_finish(fx->wf.w);
	collect(fx);
	for (unsigned i = 0; i < fx->n_found; i++)
		fprintf(stderr, "unexpected: %s\n", fx->found[i].kind);
	assert_int_equal(fx->n_found, 0);
}

/* httptunnel: the client's bytes in a POST body, the server's in the
 * body of a GET's answer, each as DATA records after an OPEN. Each
 * connection holds one side of SSH, and is SSH to port 80; an operator
 * typing from the server's side shows across the two: keystrokes in the
 * answer, their echoes in the POST. */
static void test_ssh_over_httptunnel(void **state)
{
	static const uint32_t gaps_ms[] = { 90, 310, 150, 240, 120, 380, 200 };
	struct fixture *fx = *state;
	struct conn c = conn_new(fx, "10.0.0.10", "203.0.113.82", 80);
	struct conn g = c;
	uint8_t pl[1024], k[1024];
	uint32_t n = ssh_packet(k, pl, ssh_kexinit_payload(pl, ssh_client_lists));
	const struct finding *f;

	syn_handshake(&c);
	text(&c, 0, "POST /index.html?crap=1765 HTTP/1.1\r\nHost: 203.0.113.82:80\r\n"
		    "Content-Length: 102400\r\nConnection: close\r\n\r\n");
	data(&c, 0, "\x01\x00\x00", 3, 1 * MS);          /* OPEN, no auth */
	c.framing = TF_HTC;
	text(&c, 0, "SSH-2.0-OpenSSH_9.2p1 Debian\r\n");
	data(&c, 0, k, n, 1 * MS);
	msg(&c, 0, SSH_MSG_KEX_30);
	msg(&c, 0, SSH_MSG_NEWKEYS);
	f = find(fx, "ssh.nonstandard_port");
	assert_non_null(f);
	assert_int_equal(f->severity, SEV_HIGH);
	assert_int_equal(f->host_is_orig, 1);
	assert_string_equal(detail_str(f, "door"), "http_body");
	assert_string_equal(detail_str(f, "ssh_server"), "responder");

	g.oport = 40003;
	g.ts = c.ts;
	fx->n_found = 0;
	syn_handshake(&g);
	text(&g, 0, "GET /index.html?crap=1766 HTTP/1.1\r\nHost: 203.0.113.82:80\r\n"
		    "Connection: close\r\n\r\n");
	text(&g, 1, "HTTP/1.1 200 OK\r\nContent-Length: 102400\r\n"
		    "Connection: close\r\nContent-Type: text/html\r\n\r\n");
	g.framing = TF_HTC;
	text(&g, 1, "SSH-2.0-OpenSSH_9.2p1 Debian\r\n");
	data(&g, 1, k, n, 1 * MS);
	msg(&g, 1, SSH_MSG_KEX_31);
	msg(&g, 1, SSH_MSG_NEWKEYS);
	f = find(fx, "ssh.nonstandard_port");
	assert_non_null(f);
	assert_string_equal(detail_str(f, "door"), "http_body");
	assert_string_equal(detail_str(f, "ssh_server"), "responder");
	assert_null(find(fx, "ssh.reverse_session"));

	for (unsigned i = 0; i < 30; i++) {      /* one clock for both */
		sized(&g, 1, 76, gaps_ms[i % 7] * MS);
		c.ts = g.ts;
		sized(&c, 0, 76, 1 * MS);
		g.ts = c.ts;
	}
	worker_finish(fx->wf.w);
	f = find(fx, "ssh.reverse_session");
	assert_non_null(f);
	assert_int_equal(f->host_is_orig, 1);
	assert_string_equal(detail_str(f, "carrier"), "httptunnel");
}

/* Downloads and uploads whose bodies are no httptunnel records, and a
 * small POST: no door, nothing flagged. */
static void test_plain_bodies_are_no_door(void **state)
{
	struct fixture *fx = *state;
	struct conn c = conn_new(fx, "10.0.0.11", "203.0.113.83", 80);

	syn_handshake(&c);
	text(&c, 0, "GET /update.bin HTTP/1.1\r\nHost: x\r\n\r\n");
	text(&c, 1, "HTTP/1.1 200 OK\r\nContent-Length: 200000\r\n\r\n");
	text(&c, 1, "\x7f" "ELF SSH-2.0-OpenSSH_9.2p1 Debian\r\n");
	c = conn_new(fx, "10.0.0.11", "203.0.113.83", 80);
	c.oport = 40004;
	syn_handshake(&c);
	text(&c, 0, "POST /upload HTTP/1.1\r\nContent-Length: 40\r\n\r\n");
	data(&c, 0, "\x02\x00\x20SSH-2.0-OpenSSH_9.2p1 Debian\r\n", 34,
	     1 * MS);
	worker_finish(fx->wf.w);
	collect(fx);
	for (unsigned i = 0; i < fx->n_found; i++)
		fprintf(stderr, "unexpected: %s\n", fx->found[i].kind);
	assert_int_equal(fx->n_found, 0);
}

/* ---- item 3: SSH inside TLS, from record sizes ---- */

/* One TLS record of len bytes (after its header), split into segments
 * of at most 1400 bytes as a wrapper's writes go out. */
static void tls_rec(struct conn *c, int from_resp, uint8_t type,
		    uint32_t len, uint64_t after_ns)
{
	static uint8_t b[20000];
	uint32_t n = len + 5, off = 0;

	b[0] = type;
	b[1] = 3;
	b[2] = 3;
	b[3] = (uint8_t)(len >> 8);
	b[4] = (uint8_t)len;
	memset(b + 5, 0xa5, len);
	while (off < n) {
		uint32_t k = n - off > 1400 ? 1400 : n - off;

		data(c, from_resp, b + off, k, off ? 0 : after_ns);
		off += k;
	}
}

/* The TLS 1.3 handshake as the tap sees it: ClientHello, ServerHello,
 * CCS and the encrypted flight, the client's CCS and Finished, two
 * session tickets. */
static void tls13_handshake(struct conn *c, bool syn)
{
	if (syn)
		syn_handshake(c);
	data(c, 0, client_hello, sizeof(client_hello), 1 * MS);
	tls_rec(c, 1, 22, 90, 1 * MS);
	tls_rec(c, 1, 20, 1, 0);
	tls_rec(c, 1, 23, 800, 0);
	tls_rec(c, 0, 20, 1, 1 * MS);
	tls_rec(c, 0, 23, 53, 0);
	tls_rec(c, 1, 23, 250 + 17, 1 * MS);
	tls_rec(c, 1, 23, 250 + 17, 0);
}

static void test_ssh_in_tls(void **state)
{
	struct fixture *fx = *state;
	struct conn c = conn_new(fx, "10.0.0.12", "203.0.113.84", 443);
	static const uint32_t gaps_ms[] = { 90, 310, 150, 240, 120, 380, 200 };
	const struct finding *f;

	tls13_handshake(&c, true);
	tls_rec(&c, 0, 23, 41 + 17, 1 * MS);      /* banners */
	tls_rec(&c, 1, 23, 41 + 17, 0);
	tls_rec(&c, 0, 23, 1536 + 17, 1 * MS);    /* KEXINITs */
	tls_rec(&c, 1, 23, 1080 + 17, 0);
	tls_rec(&c, 0, 23, 1208 + 17, 1 * MS);    /* sntrup761x25519 */
	tls_rec(&c, 1, 23, 1560 + 17, 1 * MS);    /* reply + NEWKEYS */
	tls_rec(&c, 0, 23, 16 + 17, 1 * MS);
	tls_rec(&c, 0, 23, 44 + 17, 1 * MS);
	tls_rec(&c, 1, 23, 44 + 17, 1 * MS);
	tls_rec(&c, 0, 23, 84 + 17, 1 * MS);
	tls_rec(&c, 1, 23, 84 + 17, 1 * MS);
	f = find(fx, "tunnel.ssh_in_tls");
	assert_non_null(f);
	assert_int_equal(f->severity, SEV_HIGH);
	assert_int_equal(f->host_is_orig, 1);
	for (unsigned i = 0; i < 40; i++) {       /* typed from the server */
		tls_rec(&c, 1, 23, 36 + 17, gaps_ms[i % 7] * MS);
		tls_rec(&c, 0, 23, 36 + 17, 1 * MS);
	}
	worker_finish(fx->wf.w);
	f = find(fx, "ssh.reverse_session");
	assert_non_null(f);
	assert_int_equal(f->host_is_orig, 1);
	assert_string_equal(detail_str(f, "carrier"), "tls");
}

/* An idle tunnel inside TLS: keepalive records every 5 s, nothing else. */
static void test_ssh_in_tls_keepalive(void **state)
{
	struct fixture *fx = *state;
	struct conn c = conn_new(fx, "10.0.0.15", "203.0.113.86", 443);
	const struct finding *f;

	tls13_handshake(&c, true);
	tls_rec(&c, 0, 23, 41 + 17, 1 * MS);
	tls_rec(&c, 1, 23, 41 + 17, 0);
	tls_rec(&c, 0, 23, 1560 + 17, 1 * MS);
	tls_rec(&c, 1, 23, 1088 + 17, 0);
	tls_rec(&c, 0, 23, 1208 + 17, 1 * MS);
	tls_rec(&c, 1, 23, 1564 + 17, 1 * MS);
	tls_rec(&c, 0, 23, 16 + 17, 1 * MS);
	tls_rec(&c, 0, 23, 44 + 17, 1 * MS);
	tls_rec(&c, 1, 23, 44 + 17, 1 * MS);
	tls_rec(&c, 0, 23, 84 + 17, 1 * MS);
	for (unsigned i = 0; i < 12; i++) {
		tls_rec(&c, 0, 23, 52 + 17, 5 * SEC);
		tls_rec(&c, 1, 23, 28 + 17, 2 * MS);
	}
	f = find(fx, "ssh.keepalive_tunnel");
	assert_non_null(f);
	assert_int_equal(f->host_is_orig, 1);
	assert_string_equal(detail_str(f, "carrier"), "tls");
	assert_null(find(fx, "ssh.reverse_session"));
}

/* The same through a proxy's CONNECT: the walk starts with the inner
 * stream, the target in the detail. */
static void test_ssh_in_tls_through_connect(void **state)
{
	struct fixture *fx = *state;
	struct conn c = conn_new(fx, "10.0.0.14", "10.0.0.1", 3128);
	const struct finding *f;

	syn_handshake(&c);
	text(&c, 0, "CONNECT tls.example.net:443 HTTP/1.1\r\n\r\n");
	text(&c, 1, "HTTP/1.1 200 Connection established\r\n\r\n");
	tls13_handshake(&c, false);
	tls_rec(&c, 0, 23, 41 + 17, 1 * MS);
	tls_rec(&c, 1, 23, 41 + 17, 0);
	tls_rec(&c, 0, 23, 1560 + 17, 1 * MS);
	tls_rec(&c, 1, 23, 1088 + 17, 0);
	tls_rec(&c, 0, 23, 1208 + 17, 1 * MS);
	tls_rec(&c, 1, 23, 1564 + 17, 1 * MS);
	tls_rec(&c, 0, 23, 16 + 17, 1 * MS);
	tls_rec(&c, 0, 23, 44 + 17, 1 * MS);
	tls_rec(&c, 1, 23, 44 + 17, 1 * MS);
	tls_rec(&c, 0, 23, 84 + 17, 1 * MS);
	f = find(fx, "tunnel.ssh_in_tls");
	assert_non_null(f);
	assert_string_equal(detail_str(f, "connect_target"),
			    "tls.example.net:443");
}

/* HTTPS: a request and a large answer; then a keep-alive page load with
 * small requests and answers: not SSH. */
static void test_https_is_not_ssh(void **state)
{
	struct fixture *fx = *state;
	struct conn c = conn_new(fx, "10.0.0.13", "203.0.113.85", 443);

	tls13_handshake(&c, true);
	for (unsigned i = 0; i < 6; i++) {
		tls_rec(&c, 0, 23, 95 + 17, 400 * MS);
		tls_rec(&c, 1, 23, 230 + 17, 1 * MS);
		tls_rec(&c, 1, 23, 3000 + 17 + 7 * i, 0);
	}
	for (unsigned i = 0; i < 30; i++) {
		tls_rec(&c, 1, 23, 36 + 17, 200 * MS);
		tls_rec(&c, 0, 23, 36 + 17, 1 * MS);
	}
	worker_finish(fx->wf.w);
	collect(fx);
	for (unsigned i = 0; i < fx->n_found; i++)
		fprintf(stderr, "unexpected: %s\n", fx->found[i].kind);
	assert_int_equal(fx->n_found, 0);
}

/* ---- item 2: role inversion ---- */


static void test_reverse_http(void **state)
{
	struct fixture *fx = *state;
	struct conn c = conn_new(fx, "10.0.1.5", "203.0.113.4", 7000);
	const struct finding *f;

	syn_handshake(&c);
	text(&c, 0, "{\"agent\":\"x1\"}\n");   /* the agent says hello */
	text(&c, 1, "GET /etc/passwd HTTP/1.1\r\nHost: agent\r\n\r\n");
	text(&c, 0, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
	f = find(fx, "tunnel.reverse_http");
	assert_non_null(f);
	assert_int_equal(f->severity, SEV_HIGH);
	assert_int_equal(f->host_is_orig, 1);
	assert_string_equal(detail_str(f, "first_line"),
			    "GET /etc/passwd HTTP/1.1");
	assert_null(find(fx, "tunnel.reverse_tls"));
}

static void test_reverse_tls(void **state)
{
	struct fixture *fx = *state;
	struct conn c = conn_new(fx, "10.0.1.6", "203.0.113.5", 4443);
	const struct finding *f;

	syn_handshake(&c);
	data(&c, 1, client_hello, sizeof(client_hello), 1 * MS);
	f = find(fx, "tunnel.reverse_tls");
	assert_non_null(f);
	assert_int_equal(f->severity, SEV_HIGH);
	assert_int_equal(f->host_is_orig, 1);
}

/* Ordinary clients, and a flow picked up without its SYN whose first
 * packet happens to come from the server: not judged. */
static void test_forward_roles_are_clean(void **state)
{
	struct fixture *fx = *state;
	struct conn c = conn_new(fx, "10.0.1.7", "203.0.113.6", 80);

	syn_handshake(&c);
	text(&c, 0, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
	text(&c, 1, "HTTP/1.1 200 OK\r\n\r\n");
	c = conn_new(fx, "10.0.1.7", "203.0.113.6", 443);
	c.oport = 40002;
	syn_handshake(&c);
	data(&c, 0, client_hello, sizeof(client_hello), 1 * MS);
	c = conn_new(fx, "203.0.113.6", "10.0.1.7", 40003);
	c.oport = 8080;
	text(&c, 0, "HTTP/1.1 200 OK\r\n\r\n");   /* mid-stream */
	text(&c, 1, "GET / HTTP/1.1\r\n\r\n");
	worker_finish(fx->wf.w);
	collect(fx);
	for (unsigned i = 0; i < fx->n_found; i++)
		fprintf(stderr, "unexpected: %s\n", fx->found[i].kind);
	assert_int_equal(fx->n_found, 0);
}

/* ---- item 6: VPNs ---- */

static int setup_gateway(void **state)
{
	static struct fixture fx;

	memset(&fx, 0, sizeof(fx));
	worker_fixture_config(&fx.wf);
	fx.wf.cfg.flowtiming.enabled = false;
	assert_int_equal(ip_prefix_parse("198.51.100.0/24",
					 &fx.wf.cfg.tunnel.vpn_gateways.p[0]), 0);
	fx.wf.cfg.tunnel.vpn_gateways.n = 1;
	worker_fixture_start(&fx.wf);
	*state = &fx;
	return 0;
}

static struct conn udp_new(struct fixture *fx, const char *orig,
			   const char *resp, uint16_t rport)
{
	struct conn c = conn_new(fx, orig, resp, rport);

	c.proto = TW_PROTO_UDP;
	c.oport = 51820;
	return c;
}

static void wireguard_handshake(struct conn *c, bool answered_right)
{
	uint8_t init[148] = { 1, 0, 0, 0, 0xde, 0xad, 0xbe, 0xef };
	uint8_t resp[92] = { 2, 0, 0, 0, 0x11, 0x22, 0x33, 0x44,
			     0xde, 0xad, 0xbe, 0xef };

	for (unsigned i = 8; i < sizeof(init); i++)
		init[i] = (uint8_t)(i * 37);
	if (!answered_right)
		resp[8] = 0;
	data(c, 0, init, sizeof(init), 1 * MS);
	data(c, 1, resp, sizeof(resp), 1 * MS);
	sized(c, 0, 32, 1 * MS);
}

/* P_CONTROL_HARD_RESET_CLIENT_V2 / SERVER_V2, with TCP's length first. */
static void openvpn_handshake(struct conn *c, bool tcp)
{
	uint8_t cli[16] = { 0, 14, 7 << 3, 1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 0, 0 };
	uint8_t srv[28] = { 0, 26, 8 << 3, 9, 9, 9, 9, 9, 9, 9, 9, 1, 0, 0, 0, 0,
			    1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 0 };

	if (tcp) {
		syn_handshake(c);
		data(c, 0, cli, sizeof(cli), 1 * MS);
		data(c, 1, srv, sizeof(srv), 1 * MS);
	} else {
		data(c, 0, cli + 2, sizeof(cli) - 2, 1 * MS);
		data(c, 1, srv + 2, sizeof(srv) - 2, 1 * MS);
	}
}

static void ike_sa_init(struct conn *c, bool nat_t)
{
	uint8_t m[4 + 28 + 16] = { 0 };
	uint8_t *h = m + (nat_t ? 4 : 0);
	uint32_t len = 28 + 16;

	memcpy(h, "\x12\x34\x56\x78\x9a\xbc\xde\xf0", 8);
	h[16] = 33;           /* next payload SA */
	h[17] = 0x20;         /* IKEv2 */
	h[18] = 34;           /* IKE_SA_INIT */
	h[19] = 0x08;         /* initiator */
	h[27] = (uint8_t)len;
	data(c, 0, m, len + (nat_t ? 4 : 0), 1 * MS);
	memcpy(h + 8, "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
	h[19] = 0x20;         /* response */
	data(c, 1, m, len + (nat_t ? 4 : 0), 1 * MS);
}

static void l2tp_sccrq(struct conn *c)
{
	uint8_t q[20] = { 0xc8, 0x02, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0,
			  0x80, 0x08, 0, 0, 0, 0, 0, 1 };

	data(c, 0, q, sizeof(q), 1 * MS);
	q[19] = 2;
	q[4] = 0x12;
	data(c, 1, q, sizeof(q), 1 * MS);
}

static void test_vpns(void **state)
{
	struct fixture *fx = *state;
	struct conn c = udp_new(fx, "10.0.2.5", "203.0.113.9", 51820);
	const struct finding *f;

	wireguard_handshake(&c, true);
	f = find(fx, "tunnel.vpn");
	assert_non_null(f);
	assert_int_equal(f->severity, SEV_MEDIUM);
	assert_string_equal(detail_str(f, "vpn"), "wireguard");

	c = conn_new(fx, "10.0.2.5", "203.0.113.9", 443);
	openvpn_handshake(&c, true);
	f = find(fx, "tunnel.vpn");
	assert_non_null(f);
	assert_int_equal(f->severity, SEV_HIGH);       /* TCP 443 */
	assert_string_equal(detail_str(f, "vpn"), "openvpn");

	c = udp_new(fx, "10.0.2.5", "203.0.113.9", 1194);
	openvpn_handshake(&c, false);
	f = find(fx, "tunnel.vpn");
	assert_non_null(f);
	assert_int_equal(f->severity, SEV_MEDIUM);

	c = udp_new(fx, "10.0.2.5", "203.0.113.9", 4500);
	c.oport = 4500;
	ike_sa_init(&c, true);
	f = find(fx, "tunnel.vpn");
	assert_non_null(f);
	assert_string_equal(detail_str(f, "vpn"), "ike");

	c = udp_new(fx, "10.0.2.5", "203.0.113.9", 53);   /* L2TP on 53 */
	l2tp_sccrq(&c);
	f = find(fx, "tunnel.vpn");
	assert_non_null(f);
	assert_string_equal(detail_str(f, "vpn"), "l2tp");
	assert_int_equal(f->severity, SEV_HIGH);
}

/* A gateway of ours, an unanswered or wrongly answered initiation, a
 * stream that only looks like OpenVPN on one side: clean. */
static void test_vpn_to_gateway_and_lookalikes_are_clean(void **state)
{
	struct fixture *fx = *state;
	struct conn c = udp_new(fx, "10.0.2.6", "198.51.100.20", 51820);

	wireguard_handshake(&c, true);
	c = conn_new(fx, "10.0.2.6", "198.51.100.20", 443);
	openvpn_handshake(&c, true);
	c = udp_new(fx, "10.0.2.6", "198.51.100.20", 500);
	c.oport = 500;
	ike_sa_init(&c, false);
	c = udp_new(fx, "10.0.2.6", "203.0.113.10", 51820);
	wireguard_handshake(&c, false);
	c = conn_new(fx, "10.0.2.6", "203.0.113.10", 443);
	syn_handshake(&c);
	data(&c, 0, "\x00\x0e\x38" "abcdefgh\x00\x00\x00\x00\x00", 16, 1 * MS);
	text(&c, 1, "HTTP/1.1 400 Bad Request\r\n\r\n");
	worker_finish(fx->wf.w);
	collect(fx);
	for (unsigned i = 0; i < fx->n_found; i++)
		fprintf(stderr, "unexpected: %s\n", fx->found[i].kind);
	assert_int_equal(fx->n_found, 0);
}

/* ---- item 4: fully encrypted first payloads ---- */

/* Bytes from a fixed xorshift: popcount about 4, few printable runs. */
static void random_bytes(uint8_t *out, uint32_t n, uint32_t seed)
{
	uint32_t x = seed * 2654435761u + 1;

	for (uint32_t i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		out[i] = (uint8_t)(x >> 11);
	}
}

static void test_gfw_rules(void **state)
{
	uint8_t b[600];
	uint32_t pop;

	(void)state;
	random_bytes(b, sizeof(b), 7);
	b[0] = 0x01;   /* not printable: Ex2 cannot apply */
	assert_true(fep_looks_fully_encrypted(b, sizeof(b), &pop));
	assert_in_range(pop, 350, 450);
	/* Ex1: mostly zero bytes */
	memset(b + 100, 0, 400);
	assert_false(fep_looks_fully_encrypted(b, sizeof(b), &pop));
	/* Ex2: six printable bytes first */
	random_bytes(b, sizeof(b), 7);
	memcpy(b, "abcdef", 6);
	assert_false(fep_looks_fully_encrypted(b, sizeof(b), &pop));
	/* Ex4: a run of 21 printable bytes */
	random_bytes(b, sizeof(b), 7);
	b[0] = 0x01;
	memcpy(b + 200, "ABCDEFGHIJKLMNOPQRSTU", 21);
	assert_false(fep_looks_fully_encrypted(b, sizeof(b), &pop));
	/* Ex5: a TLS record header */
	random_bytes(b, sizeof(b), 7);
	memcpy(b, "\x17\x03\x03", 3);
	assert_false(fep_looks_fully_encrypted(b, sizeof(b), &pop));
	/* Ex6: a type byte and the payload's length first */
	random_bytes(b, sizeof(b), 7);
	b[0] = 0x25;
	b[1] = sizeof(b) >> 8;
	b[2] = sizeof(b) & 0xff;
	assert_false(fep_looks_fully_encrypted(b, sizeof(b), &pop));
	/* Ex3: more than half printable, no run over 20 */
	for (unsigned i = 0; i < 300; i++)
		b[i] = i % 20 == 19 ? 0x01 : (uint8_t)('A' + i % 20);
	b[0] = 0x01;
	assert_false(fep_looks_fully_encrypted(b, 300, &pop));
}

/* One new connection per proxied request, each opening with random
 * bytes: reported once at tunnel.encrypted_min_flows. */
static void test_encrypted_proxy(void **state)
{
	struct fixture *fx = *state;
	const struct finding *f;
	uint8_t b[300];

	fx->n_found = 0;
	for (unsigned i = 0; i < 4; i++) {
		struct conn c = { fx->wf.w, "10.0.3.5", "203.0.113.30",
				  (uint16_t)(41000 + i), 10086, TW_PROTO_TCP,
				  { 1000, 9000 }, (100 + 30 * i) * SEC, TF_NONE };

		random_bytes(b, sizeof(b), 100 + i);
		b[0] = 0x02;
		syn_handshake(&c);
		data(&c, 0, b, sizeof(b), 1 * MS);
		random_bytes(b, 120, 200 + i);
		data(&c, 1, b, 120, 1 * MS);
	}
	f = find(fx, "tunnel.encrypted_proxy");
	assert_non_null(f);
	assert_int_equal(f->severity, SEV_MEDIUM);
	assert_int_equal(f->host_is_orig, 1);
	fx->n_found = 0;
	worker_finish(fx->wf.w);
	assert_null(find(fx, "tunnel.encrypted_proxy"));   /* once only */
}

/* Random first payloads from a server-first protocol, and to a place
 * that also gets recognised protocols: clean. */
static void test_encrypted_lookalikes_are_clean(void **state)
{
	struct fixture *fx = *state;
	uint8_t b[300];

	for (unsigned i = 0; i < 4; i++) {
		struct conn c = { fx->wf.w, "10.0.3.6", "203.0.113.31",
				  (uint16_t)(42000 + i), 3306, TW_PROTO_TCP,
				  { 1000, 9000 }, (100 + 30 * i) * SEC, TF_NONE };

		syn_handshake(&c);
		random_bytes(b, 80, 300 + i);
		data(&c, 1, b, 80, 1 * MS);     /* the server greets first */
		random_bytes(b, sizeof(b), 400 + i);
		b[0] = 0x02;
		data(&c, 0, b, sizeof(b), 1 * MS);
	}
	for (unsigned i = 0; i < 6; i++) {
		struct conn c = { fx->wf.w, "10.0.3.6", "203.0.113.32",
				  (uint16_t)(43000 + i), 8443, TW_PROTO_TCP,
				  { 1000, 9000 }, (300 + 30 * i) * SEC, TF_NONE };

		syn_handshake(&c);
		if (i % 2) {
			random_bytes(b, sizeof(b), 500 + i);
			b[0] = 0x02;
			data(&c, 0, b, sizeof(b), 1 * MS);
		} else {
			data(&c, 0, client_hello, sizeof(client_hello), 1 * MS);
		}
	}
	worker_finish(fx->wf.w);
	collect(fx);
	for (unsigned i = 0; i < fx->n_found; i++)
		fprintf(stderr, "unexpected: %s\n", fx->found[i].kind);
	assert_int_equal(fx->n_found, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ssh_through_connect,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_door_inside_a_segment,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_door_without_2xx,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_ssh_over_websocket,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_websocket_chat_is_clean,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_ssh_over_httptunnel,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_plain_bodies_are_no_door,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_ssh_in_tls, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_https_is_not_ssh, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_ssh_in_tls_through_connect, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ssh_in_tls_keepalive,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_reverse_http, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_reverse_tls, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_forward_roles_are_clean,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_vpns, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_vpn_to_gateway_and_lookalikes_are_clean,
			setup_gateway, teardown),
		cmocka_unit_test(test_gfw_rules),
		cmocka_unit_test_setup_teardown(test_encrypted_proxy, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_encrypted_lookalikes_are_clean, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
