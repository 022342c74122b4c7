/* SPDX-License-Identifier: BSD-3-Clause */
/* Reverse-tunnel services: patterns/services.txt loads and matches the
 * agents' names (and not look-alikes); a DNS question, a TLS SNI and a
 * services.hs match each raise one medium tunnel.service finding on the
 * originator. Findings are caught by a stub an_emit. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "an_stub.h"
#include "dns_build.h"

#include <stdlib.h>
#include <string.h>

#include "analyzers/analyzer.h"
#include "analyzers/common/name_list.h"
#include "config/config.h"
#include "base/counters.h"
#include "scan/hs_db.h"
#include "scan/hs_scan.h"
#include "decode/decode.h"

extern const struct analyzer tunnel_service_analyzer;


struct harness {
	struct tw_config cfg;
	struct an_ctx ctx;
	void *wstate;
	struct flow f;
	uint8_t st[64];
};

static void start(struct harness *h, uint8_t proto, uint16_t dport)
{
	const char *dir = getenv("TW_PATTERNS_DIR");

	memset(h, 0, sizeof(*h));
	config_defaults(&h->cfg);
	if (dir)
		strcpy(h->cfg.scan.patterns_dir, dir);
	h->wstate = calloc(1, tunnel_service_analyzer.worker_state_size);
	assert_non_null(h->wstate);
	assert_int_equal(tunnel_service_analyzer.worker_init(h->wstate,
							     &h->cfg), 0);
	h->ctx.cfg = &h->cfg;
	h->ctx.wstate = h->wstate;
	assert_int_equal(ip_addr_parse("10.0.0.2", &h->f.orig_addr), 0);
	assert_int_equal(ip_addr_parse("192.0.2.53", &h->f.resp_addr), 0);
	h->f.orig_port = 40000;
	h->f.resp_port = dport;
	h->f.proto = proto;
	an_stub_reset();
	tunnel_service_analyzer.on_flow_new(&h->ctx, &h->f, h->st);
}

static void stop(struct harness *h)
{
	tunnel_service_analyzer.worker_fini(h->wstate);
	free(h->wstate);
}

static void test_service_list(void **state)
{
	char path[600], err[256];
	struct name_list *l;
	const char *dir = getenv("TW_PATTERNS_DIR");

	(void)state;
	snprintf(path, sizeof(path), "%s/services.txt", dir ? dir : "patterns");
	assert_int_equal(name_list_load(path, 4096, &l, err, sizeof(err)), 0);
	assert_true(name_list_count(l) > 20);
	assert_string_equal(name_list_match(l, "connect.ngrok-agent.com", 23),
			    "ngrok-agent.com");
	assert_string_equal(name_list_match(l, "region1.v2.argotunnel.com", 25),
			    "argotunnel.com");
	assert_non_null(name_list_match(l, "quiet-fog-12.trycloudflare.com", 30));
	assert_non_null(name_list_match(l, "bore.pub", 8));
	assert_non_null(name_list_match(l, "serveo.net", 10));
	assert_null(name_list_match(l, "notserveo.net", 13));
	assert_null(name_list_match(l, "www.google.com", 14));
	assert_null(name_list_match(l, "ngrok.com", 9)); /* docs, not agents */
	name_list_free(l);
}

/* A DNS query for name, type A. */
static uint32_t dns_query(uint8_t *p, const char *name)
{
	uint32_t n = 12;

	memset(p, 0, 12);
	p[0] = 0x12; p[1] = 0x34; p[2] = 0x01; p[5] = 1;
	n += db_name(p + n, name);
	p[n++] = 0; p[n++] = 1; p[n++] = 0; p[n++] = 1;
	return n;
}

static void test_dns_lookup(void **state)
{
	struct harness h;
	uint8_t p[512];
	struct pkt_view pv;

	(void)state;
	start(&h, TW_PROTO_UDP, 53);
	assert_int_equal(n_packets_done, 0);
	memset(&pv, 0, sizeof(pv));
	pv.src = h.f.orig_addr;
	pv.dst = h.f.resp_addr;
	pv.payload = p;
	pv.payload_len = dns_query(p, "www.example.com");
	tunnel_service_analyzer.on_packet(&h.ctx, &h.f, h.st, &pv,
					  FLOW_DIR_ORIG);
	assert_int_equal(n_found, 0);
	pv.payload_len = dns_query(p, "connect.ngrok-agent.com");
	tunnel_service_analyzer.on_packet(&h.ctx, &h.f, h.st, &pv,
					  FLOW_DIR_ORIG);
	assert_int_equal(n_found, 1);
	assert_string_equal(found[0].kind, "tunnel.service");
	assert_int_equal(found[0].severity, SEV_MEDIUM);
	assert_true(found[0].host_is_orig);
	stop(&h);
	/* UDP off port 53 and ICMP stop calling at once */
	start(&h, TW_PROTO_UDP, 443);
	assert_int_equal(n_packets_done, 1);
	stop(&h);
}

/* A minimal TLS 1.2 ClientHello with an SNI. */
static uint32_t client_hello(uint8_t *p, const char *sni)
{
	size_t sl = strlen(sni);
	uint32_t ext = (uint32_t)(9 + sl), hs = 2 + 32 + 1 + 4 + 2 + 2 + ext;
	uint32_t n = 0;

	p[n++] = 0x16; p[n++] = 3; p[n++] = 1;
	p[n++] = (uint8_t)((hs + 4) >> 8); p[n++] = (uint8_t)(hs + 4);
	p[n++] = 1; p[n++] = 0;
	p[n++] = (uint8_t)(hs >> 8); p[n++] = (uint8_t)hs;
	p[n++] = 3; p[n++] = 3;
	memset(p + n, 0x5a, 32);
	n += 32;
	p[n++] = 0;                              /* session id */
	p[n++] = 0; p[n++] = 2; p[n++] = 0x13; p[n++] = 0x01;
	p[n++] = 1; p[n++] = 0;                  /* compression */
	p[n++] = (uint8_t)(ext >> 8); p[n++] = (uint8_t)ext;
	p[n++] = 0; p[n++] = 0;                  /* server_name */
	p[n++] = (uint8_t)((sl + 5) >> 8); p[n++] = (uint8_t)(sl + 5);
	p[n++] = (uint8_t)((sl + 3) >> 8); p[n++] = (uint8_t)(sl + 3);
	p[n++] = 0;
	p[n++] = (uint8_t)(sl >> 8); p[n++] = (uint8_t)sl;
	memcpy(p + n, sni, sl);
	return n + (uint32_t)sl;
}

static void test_tls_sni(void **state)
{
	struct harness h;
	uint8_t p[512];
	uint32_t n;

	(void)state;
	start(&h, TW_PROTO_TCP, 443);
	n = client_hello(p, "h2.cftunnel.com");
	tunnel_service_analyzer.on_payload(&h.ctx, &h.f, h.st, FLOW_DIR_ORIG,
					   p, n, false);
	assert_int_equal(n_found, 1);
	assert_non_null(strstr(found[0].summary, "h2.cftunnel.com"));
	assert_int_equal(n_payload_done, 1); /* TLS: nothing more to see */
	stop(&h);
	start(&h, TW_PROTO_TCP, 443);
	n = client_hello(p, "www.example.org");
	tunnel_service_analyzer.on_payload(&h.ctx, &h.f, h.st, FLOW_DIR_ORIG,
					   p, n, false);
	assert_int_equal(n_found, 0);
	stop(&h);
}

static void test_wire_markers(void **state)
{
	struct harness h;

	(void)state;
	start(&h, TW_PROTO_TCP, 8080);
	tunnel_service_analyzer.on_match(&h.ctx, &h.f, h.st, FLOW_DIR_ORIG,
					 300, 120);
	tunnel_service_analyzer.on_match(&h.ctx, &h.f, h.st, FLOW_DIR_RESP,
					 300, 130);
	tunnel_service_analyzer.on_match(&h.ctx, &h.f, h.st, FLOW_DIR_RESP,
					 301, 200);
	tunnel_service_analyzer.on_match(&h.ctx, &h.f, h.st, FLOW_DIR_RESP,
					 399, 200); /* no such marker */
	assert_int_equal(n_found, 2);
	assert_non_null(strstr(found[0].summary, "chisel"));
	assert_true(found[0].host_is_orig);
	stop(&h);
}

/* ---- patterns/services.hs on the tools' own bytes ---- */

struct hits {
	uint32_t mask;    /* bit (id - 300) */
};

static int on_hit(void *ctx, uint32_t id, uint64_t end)
{
	struct hits *h = ctx;

	(void)end;
	if (id >= 300 && id < 332)
		h->mask |= 1u << (id - 300);
	return 0;
}

/* The service ids matched by one direction's bytes, fed in 7-byte pieces
 * (the patterns must match across TCP segments). */
static uint32_t scan_ids(struct hs_scanner *sc, const char *data, size_t len)
{
	struct flow_stream st;
	struct tw_counters ctr;
	struct hits h = { 0 };

	memset(&st, 0, sizeof(st));
	memset(&ctr, 0, sizeof(ctr));
	for (size_t off = 0; off < len; off += 7) {
		size_t n = len - off < 7 ? len - off : 7;

		assert_int_equal(hs_scanner_feed(sc, &st, (const uint8_t *)data + off,
						 (uint32_t)n, on_hit, &h, &ctr), 0);
	}
	hs_scanner_close(sc, &st, on_hit, &h);
	return h.mask;
}

#define SCAN(sc, lit) scan_ids(sc, lit, sizeof(lit) - 1)

static void test_wire_patterns(void **state)
{
	const char *dir = getenv("TW_PATTERNS_DIR");
	char err[512];
	struct hs_db *db = hs_db_load(dir ? dir : "patterns", err, sizeof(err));
	struct hs_scanner *sc;

	(void)state;
	assert_non_null(db);
	sc = hs_scanner_create(db, 4, err, sizeof(err));
	assert_non_null(sc);
	assert_int_equal(SCAN(sc, "GET / HTTP/1.1\r\nHost: 10.0.0.1:8080\r\n"
			 "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZQ==\r\n"
			 "Sec-WebSocket-Protocol: chisel-v3\r\n"
			 "Sec-WebSocket-Version: 13\r\nUpgrade: websocket\r\n\r\n"),
			 1u << 0);
	assert_int_equal(SCAN(sc, "HTTP/1.1 101 Switching Protocols\r\n"
			 "Upgrade: websocket\r\nConnection: Upgrade\r\n"
			 "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
			 "Sec-WebSocket-Protocol: chisel-v3\r\n\r\n"
			 "\x82\x16SSH-chisel-v3-server\r\n"),
			 1u << 0 | 1u << 1);
	assert_int_equal(SCAN(sc, "o\x00\x00\x00\x00\x00\x00\x00\x8c"
			 "{\"version\":\"0.48.0\",\"os\":\"linux\",\"arch\":\"amd64\","
			 "\"privilege_key\":\"2b1d0e7c\",\"timestamp\":1700000000,"
			 "\"run_id\":\"\",\"pool_count\":1}"
			 "p\x00\x00\x00\x00\x00\x00\x00\x30{\"proxy_name\":\"ssh\"}"),
			 1u << 2 | 1u << 3);
	assert_int_equal(SCAN(sc, "{\"Hello\":0}\x00"), 1u << 4);
	assert_int_equal(SCAN(sc, "{\"Hello\":41235}\x00\"Heartbeat\"\x00"
			 "\"Heartbeat\"\x00"), 1u << 4 | 1u << 5);
	assert_int_equal(SCAN(sc, "{\"Accept\":\"5f0c1a3e-8f2b-4a51-9d3e-0b7c6a2d9e11\"}\x00"),
			 1u << 6);
	/* look-alikes: another WebSocket subprotocol, ordinary JSON */
	assert_int_equal(SCAN(sc, "GET /chat HTTP/1.1\r\nUpgrade: websocket\r\n"
			 "Sec-WebSocket-Protocol: chat, superchat\r\n\r\n"), 0);
	assert_int_equal(SCAN(sc, "{\"version\":\"1.0\",\"hello\":1}\n"
			 "{\"Hello\": \"world\"}\n"), 0);
	hs_scanner_destroy(sc);
	hs_db_free(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_service_list),
		cmocka_unit_test(test_dns_lookup),
		cmocka_unit_test(test_tls_sni),
		cmocka_unit_test(test_wire_markers),
		cmocka_unit_test(test_wire_patterns),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
