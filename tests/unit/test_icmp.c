/* SPDX-License-Identifier: BSD-3-Clause */
/* ICMP tunnel analyzer: the payload classifier on the ping patterns real
 * tools send and on tunnel payloads, and the analyzer's levels driven
 * with hand-built echo packets (findings caught by a stub an_emit). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "an_stub.h"

#include <stdio.h>
#include <string.h>

#include "analyzers/analyzer.h"
#include "analyzers/icmp/icmp_payload.h"
#include "config/config.h"
#include "decode/decode.h"

#define NS_PER_S 1000000000ull
#define T0 1700000000000000000ull

extern const struct analyzer icmp_analyzer;



/* ---- payloads as the tools write them ---- */

/* iputils ping -s len: a 16-byte timeval, then byte i = i. */
static uint32_t linux_ping(uint8_t *p, uint32_t len, uint32_t seq)
{
	for (uint32_t i = 0; i < len; i++)
		p[i] = (uint8_t)i;
	for (uint32_t i = 0; i < 16 && i < len; i++)
		p[i] = (uint8_t)(seq * 37 + i * 101 + 7);
	return len;
}

/* macOS / BSD: an 8-byte timeval, then byte i = i. */
static uint32_t bsd_ping(uint8_t *p, uint32_t len, uint32_t seq)
{
	for (uint32_t i = 0; i < len; i++)
		p[i] = i < 8 ? (uint8_t)(seq * 13 + i * 7) : (uint8_t)i;
	return len;
}

static uint32_t windows_ping(uint8_t *p, uint32_t len)
{
	for (uint32_t i = 0; i < len; i++)
		p[i] = (uint8_t)('a' + i % 23);
	return len;
}

static uint64_t rng = 88172645463325252ull;

static uint8_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint8_t)rng;
}

static uint32_t random_bytes(uint8_t *p, uint32_t len)
{
	for (uint32_t i = 0; i < len; i++)
		p[i] = rnd();
	return len;
}

static const char lorem[] =
	"Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do "
	"eiusmod tempor incididunt ut labore et dolore magna aliqua. Ut enim "
	"ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut "
	"aliquip ex ea commodo consequat.";

static enum icmp_pl_kind kind_of(const uint8_t *p, uint32_t n)
{
	struct icmp_pl_class c;

	icmp_payload_classify(p, n, &c);
	return c.kind;
}

static void test_standard_pings(void **state)
{
	uint8_t p[1500] = { 0 };

	(void)state;
	assert_int_equal(kind_of(p, 0), ICMP_PL_EMPTY);
	assert_int_equal(kind_of(p, linux_ping(p, 56, 1)), ICMP_PL_UNIX_PING);
	assert_int_equal(kind_of(p, linux_ping(p, 1472, 9)), ICMP_PL_UNIX_PING);
	assert_int_equal(kind_of(p, bsd_ping(p, 56, 3)), ICMP_PL_UNIX_PING);
	assert_int_equal(kind_of(p, windows_ping(p, 32)),
			 ICMP_PL_WINDOWS_PING);
	memset(p, 0, 64); /* fping, hping3 -d, traceroute -I */
	assert_int_equal(kind_of(p, 64), ICMP_PL_FILL);
	for (uint32_t i = 0; i < 56; i++) /* ping -p deadbeef */
		p[i] = i < 16 ? (uint8_t)(i * 3) :
				(uint8_t[]){ 0xde, 0xad, 0xbe, 0xef }[i % 4];
	assert_int_equal(kind_of(p, 56), ICMP_PL_FILL);
	assert_int_equal(kind_of(p, linux_ping(p, 12, 1)), ICMP_PL_SHORT);
	for (enum icmp_pl_kind k = ICMP_PL_EMPTY; k <= ICMP_PL_FILL; k++)
		assert_true(icmp_pl_is_standard(k));
}

static void test_tunnel_payloads(void **state)
{
	uint8_t p[1500];
	struct icmp_pl_class c;

	(void)state;
	memcpy(p, lorem, 95);
	icmp_payload_classify(p, 95, &c);
	assert_int_equal(c.kind, ICMP_PL_TEXT);
	assert_true(c.entropy_ratio < 0.85);

	icmp_payload_classify(p, random_bytes(p, 200), &c);
	assert_int_equal(c.kind, ICMP_PL_BINARY);
	assert_true(c.entropy_ratio > 0.85);
	assert_false(icmp_pl_is_standard(c.kind));

	/* ptunnel: magic, then dst, port, state with the user flag ... */
	memset(p, 0, 64);
	p[0] = 0xd5; p[1] = 0x20; p[2] = 0x08; p[3] = 0x80;
	assert_int_equal(kind_of(p, 64), ICMP_PL_PTUNNEL);
	/* ptunnel-ng with a custom magic: known by its state word */
	p[0] = 0x12; p[1] = 0x34; p[2] = 0x56; p[3] = 0x78;
	p[10] = 0x00; p[11] = 22;        /* port 22 */
	p[12] = 0x40; p[15] = 0x02;      /* user flag, state 2 (data) */
	p[22] = 0x00; p[23] = 36;        /* data length */
	assert_int_equal(kind_of(p, 64), ICMP_PL_PTUNNEL);
	assert_string_equal(icmp_pl_kind_name(ICMP_PL_PTUNNEL), "ptunnel");
	assert_string_equal(icmp_pl_kind_name(ICMP_PL_KIND_COUNT), "unknown");
}

/* ---- the analyzer ---- */

struct harness {
	struct tw_config cfg;
	struct an_ctx ctx;
	struct flow f;
	uint8_t st[256];
	uint64_t ts;
};

static void start(struct harness *h)
{
	memset(h, 0, sizeof(*h));
	config_defaults(&h->cfg);
	assert_true(icmp_analyzer.flow_state_size <= sizeof(h->st));
	h->ctx.cfg = &h->cfg;
	assert_int_equal(ip_addr_parse("10.0.0.2", &h->f.orig_addr), 0);
	assert_int_equal(ip_addr_parse("198.51.100.7", &h->f.resp_addr), 0);
	h->f.proto = TW_PROTO_ICMP;
	h->f.first_ns = T0;
	h->ts = T0;
	an_stub_reset();
}

static void echo(struct harness *h, bool request, uint16_t seq,
		 const uint8_t *p, uint32_t n)
{
	struct pkt_view pv;

	memset(&pv, 0, sizeof(pv));
	pv.proto = TW_PROTO_ICMP;
	pv.icmp_type = request ? 8 : 0;
	pv.icmp_seq = seq;
	pv.payload = p;
	pv.payload_len = n;
	pv.payload_wire_len = n;
	pv.ts_ns = h->ts;
	h->ts += NS_PER_S / 10;
	icmp_analyzer.on_packet(&h->ctx, &h->f, h->st, &pv,
				request ? FLOW_DIR_ORIG : FLOW_DIR_RESP);
}

static void end(struct harness *h)
{
	h->f.last_ns = h->ts;
	icmp_analyzer.on_flow_end(&h->ctx, &h->f, h->st, FLOW_END_IDLE);
}

static int64_t detail_int(const struct finding *f, const char *key)
{
	for (unsigned i = 0; i < f->n_detail; i++)
		if (strcmp(f->detail[i].key, key) == 0)
			return f->detail[i].v.i;
	fail_msg("no detail %s", key);
	return -1;
}

static void test_ordinary_pings_stay_clean(void **state)
{
	struct harness h;
	uint8_t p[1500];

	(void)state;
	start(&h);
	for (uint16_t s = 0; s < 500; s++) {
		linux_ping(p, 56, s);
		echo(&h, true, s, p, 56);
		echo(&h, false, s, p, 56);
	}
	for (uint16_t s = 0; s < 50; s++) { /* one big MTU probe each */
		linux_ping(p, 1472, s);
		echo(&h, true, s, p, 1472);
		echo(&h, false, s, p, 1472);
	}
	assert_int_equal(n_found, 0);
	/* a monitoring probe with a custom but constant payload */
	start(&h);
	memcpy(p, lorem, 64);
	for (uint16_t s = 0; s < 20; s++) {
		echo(&h, true, s, p, 64);
		echo(&h, false, s, p, 64);
	}
	assert_int_equal(n_found, 0);
}

static void test_text_file_by_ping_is_medium(void **state)
{
	struct harness h;

	(void)state;
	start(&h);
	for (uint16_t s = 0; s < 3; s++) {
		const uint8_t *chunk = (const uint8_t *)lorem + 56 * s;

		echo(&h, true, s, chunk, 56);
		echo(&h, false, s, chunk, 56); /* echoed unchanged */
	}
	/* at the 3rd echo, again at the 6th (twice the echoes) */
	assert_int_equal(n_found, 2);
	assert_string_equal(found[0].kind, "icmp.tunnel");
	assert_int_equal(found[0].severity, SEV_MEDIUM);
	assert_int_equal(found[1].severity, SEV_MEDIUM);
	assert_true(found[0].host_is_orig);
	assert_non_null(strstr(found[0].summary, "text"));
	assert_non_null(strstr(found[1].summary, "6 of 6 echoes"));
}

/* Exfiltration in one echo: a request of content_min_bytes or more that
 * is text or base64 is medium at once; a constant text probe of that
 * size repeated, a 1472-byte Linux MTU probe and a zero fill never are. */
static void test_one_text_echo_is_data(void **state)
{
	static const char b64[] =
		"secret.txt::4711::1::"
		"U29tZSBjb25maWRlbnRpYWwgY29udGVudCB0aGF0IGxlYXZlcyB0aGUgbmV0"
		"d29yayBpbnNpZGUgYW4gSUNNUCBlY2hvIHJlcXVlc3QsIG9uZSBjaHVuayBh"
		"dCBhIHRpbWUsIHNvIHRoYXQgbm8gZmlyZXdhbGwgbm90aWNlcyBpdC4gQmFz"
		"ZTY0IGtlZXBzIGl0IHByaW50YWJsZS4=";
	struct harness h;
	uint8_t p[1500];
	uint32_t n = (uint32_t)strlen(b64);

	(void)state;
	assert_true(n >= 140);
	start(&h);
	echo(&h, true, 1, (const uint8_t *)b64, n);
	/* one echo could be a probe that repeats: judged when the flow ends */
	assert_int_equal(n_found, 0);
	end(&h);
	assert_int_equal(n_found, 1);
	assert_int_equal(found[0].severity, SEV_MEDIUM);
	assert_int_equal(detail_int(&found[0], "text_requests"), 1);

	/* two different text chunks: medium while the flow is open */
	start(&h);
	echo(&h, true, 1, (const uint8_t *)b64, n);
	echo(&h, true, 2, (const uint8_t *)b64 + 21, n - 21);
	assert_int_equal(n_found, 1);
	assert_int_equal(found[0].severity, SEV_MEDIUM);

	/* a shorter text echo is not enough on its own */
	start(&h);
	echo(&h, true, 1, (const uint8_t *)b64, 100);
	end(&h);
	assert_int_equal(n_found, 0);

	/* zeros and a Linux MTU probe of the same size: nothing */
	start(&h);
	memset(p, 0, sizeof(p));
	echo(&h, true, 1, p, 1472);
	linux_ping(p, 1472, 2);
	echo(&h, true, 2, p, 1472);
	end(&h);
	assert_int_equal(n_found, 0);

	/* a probe sending the same long text every time: not data */
	start(&h);
	for (uint16_t s = 0; s < 10; s++) {
		echo(&h, true, s, (const uint8_t *)lorem, 160);
		echo(&h, false, s, (const uint8_t *)lorem, 160);
	}
	end(&h);
	assert_int_equal(n_found, 0);
}

static void test_tunnel_with_answers_is_high(void **state)
{
	struct harness h;
	uint8_t q[600], a[600];

	(void)state;
	start(&h);
	for (uint16_t s = 0; s < 4; s++) {
		uint32_t n = 100 + 50 * s;

		echo(&h, true, s, q, random_bytes(q, n));
		echo(&h, false, s, a, random_bytes(a, n + 20));
	}
	assert_true(n_found >= 2);
	assert_int_equal(found[0].severity, SEV_MEDIUM);
	assert_int_equal(found[n_found - 1].severity, SEV_HIGH);
}

static void test_ptunnel_is_high_at_once(void **state)
{
	struct harness h;
	uint8_t p[64] = { 0xde, 0xad, 0xc0, 0xde };

	(void)state;
	start(&h);
	echo(&h, true, 1, p, sizeof(p));
	assert_int_equal(n_found, 1);
	assert_int_equal(found[0].severity, SEV_HIGH);
}

static void test_errors_and_disabled_are_ignored(void **state)
{
	struct harness h;
	uint8_t p[200];
	struct pkt_view pv;

	(void)state;
	start(&h);
	memset(&pv, 0, sizeof(pv));
	pv.proto = TW_PROTO_ICMP;
	pv.icmp_type = 3; /* unreachable, quoting a packet */
	pv.payload = p;
	pv.payload_len = pv.payload_wire_len = random_bytes(p, 200);
	for (int i = 0; i < 10; i++)
		icmp_analyzer.on_packet(&h.ctx, &h.f, h.st, &pv, FLOW_DIR_ORIG);
	assert_int_equal(n_found, 0);
	/* other protocols stop calling the analyzer from their start */
	n_packets_done = 0;
	icmp_analyzer.on_flow_new(&h.ctx, &h.f, h.st);
	assert_int_equal(n_packets_done, 0);
	h.f.proto = TW_PROTO_TCP;
	icmp_analyzer.on_flow_new(&h.ctx, &h.f, h.st);
	assert_int_equal(n_packets_done, 1);
	h.f.proto = TW_PROTO_ICMP;
	/* icmp.enabled = false: the registry leaves the analyzer out of
	 * the worker's packet mask, it never sees a packet (test_worker) */
	assert_true(icmp_analyzer.enabled(&h.cfg));
	h.cfg.icmp.enabled = false;
	assert_false(icmp_analyzer.enabled(&h.cfg));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_standard_pings),
		cmocka_unit_test(test_tunnel_payloads),
		cmocka_unit_test(test_ordinary_pings_stay_clean),
		cmocka_unit_test(test_text_file_by_ping_is_medium),
		cmocka_unit_test(test_one_text_echo_is_data),
		cmocka_unit_test(test_tunnel_with_answers_is_high),
		cmocka_unit_test(test_ptunnel_is_high_at_once),
		cmocka_unit_test(test_errors_and_disabled_are_ignored),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
