/* SPDX-License-Identifier: BSD-3-Clause */
/* app_id: the project's patterns/ scanned over the first bytes of real
 * protocols, the label that results, port guesses and their override. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzers/analyzer.h"
#include "base/counters.h"
#include "scan/app_id.h"
#include "scan/hs_db.h"
#include "scan/hs_scan.h"

/* The build passes the source tree's patterns/ as TW_PATTERNS_DIR; the
 * environment variable of that name overrides it (a copy under test). */
#ifdef TW_PATTERNS_DIR
#define PATTERNS_DIR TW_PATTERNS_DIR
#else
#define PATTERNS_DIR "patterns"
#endif

extern const struct analyzer app_id_analyzer;

static struct hs_db *db;
static struct hs_scanner *scanner;
static struct flow *payload_done_flow; /* last flow app_id let go of */

/* The worker's: app_id says it needs no more of the flow's payload. */
void an_payload_done(struct an_ctx *c, struct flow *f)
{
	(void)c;
	payload_done_flow = f;
}

/* The worker's: app_id says no pattern can match the rest. */
void an_scan_done(struct an_ctx *c, struct flow *f)
{
	(void)c;
	f->scan_ended = 1;
}
static struct tw_counters ctr;

struct dispatch {
	struct flow *f;
	enum flow_dir_id dir;
};

/* What the worker does: matches in the analyzer's range go to on_match. */
static int on_scan_match(void *ctx, uint32_t id, uint64_t end)
{
	struct dispatch *d = ctx;
	const struct analyzer *a = &app_id_analyzer;

	if (id >= a->match_lo && id <= a->match_hi)
		a->on_match(NULL, d->f, NULL, d->dir, id, end);
	return 0;
}

static int setup(void **state)
{
	const char *dir = getenv("TW_PATTERNS_DIR");
	char err[512];

	(void)state;
	db = hs_db_load(dir ? dir : PATTERNS_DIR, err, sizeof(err));
	if (!db) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	scanner = hs_scanner_create(db, 4, err, sizeof(err));
	if (!scanner) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	hs_scanner_destroy(scanner);
	hs_db_free(db);
	return 0;
}

static void flow_init(struct flow *f, uint8_t proto, uint16_t sport,
		      uint16_t dport)
{
	memset(f, 0, sizeof(*f));
	f->proto = proto;
	f->orig_port = sport;
	f->resp_port = dport;
	if (app_id_analyzer.on_flow_new)
		app_id_analyzer.on_flow_new(NULL, f, NULL);
}

static void flow_feed(struct flow *f, enum flow_dir_id dir,
		      const void *data, size_t len)
{
	struct flow_stream *st = &f->side[dir].stream;
	struct dispatch d = { f, dir };

	assert_int_equal(hs_scanner_feed(scanner, st, data, (uint32_t)len,
					 on_scan_match, &d, &ctr), 0);
	st->inspected += (uint32_t)len;
	app_id_analyzer.on_payload(NULL, f, NULL, dir, data, (uint32_t)len,
				   false);
}

static void flow_finish(struct flow *f)
{
	for (int dir = 0; dir < 2; dir++) {
		struct dispatch d = { f, (enum flow_dir_id)dir };

		hs_scanner_close(scanner, &f->side[dir].stream, on_scan_match,
				 &d);
	}
}

/* Label of a TCP flow to port 40000 (no port hint) whose originator sends
 * data: the bytes alone must name the protocol. */
static const char *label_of(const void *data, size_t len)
{
	static struct flow f;

	flow_init(&f, TW_PROTO_TCP, 51000, 40000);
	flow_feed(&f, FLOW_DIR_ORIG, data, len);
	flow_finish(&f);
	return app_label(&f);
}

#define LABEL_OF_STR(s) label_of(s, sizeof(s) - 1)

static void test_ssh_banner(void **state)
{
	struct flow f;

	(void)state;
	assert_string_equal(LABEL_OF_STR("SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n"),
			    "ssh");
	assert_string_equal(LABEL_OF_STR("SSH-1.99-Cisco-1.25\r\n"), "ssh");
	assert_string_equal(LABEL_OF_STR("SSH-3.0-nope\r\n"), "unknown");
	/* a banner split across segments, seen from the responder */
	flow_init(&f, TW_PROTO_TCP, 51000, 2222);
	flow_feed(&f, FLOW_DIR_RESP, "SS", 2);
	assert_int_equal(f.app, 0);
	flow_feed(&f, FLOW_DIR_RESP, "H-2.0-dropbear\r\n", 16);
	flow_finish(&f);
	assert_string_equal(app_label(&f), "ssh");
}

static void test_tls(void **state)
{
	/* A ClientHello as curl 7.88 sends it (record, handshake header,
	 * version, start of random). */
	static const uint8_t client_hello[] = {
		0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03,
		0x03, 0x5e, 0x1a, 0x9c, 0x0d, 0x44, 0x21, 0x77, 0xb0, 0x8e,
		0x13, 0x9f, 0x2a, 0x6b, 0x41, 0xd2, 0x00, 0x3c, 0xe8, 0x51,
	};
	static const uint8_t server_hello[] = {
		0x16, 0x03, 0x03, 0x00, 0x7a, 0x02, 0x00, 0x00, 0x76, 0x03,
		0x03, 0x8c, 0x2b, 0x11, 0x90,
	};
	/* SSLv2-compatible hello offering SSL 3.0 (old clients, scanners) */
	static const uint8_t sslv2_hello[] = {
		0x80, 0x2e, 0x01, 0x03, 0x00, 0x00, 0x15, 0x00, 0x00, 0x00,
		0x10, 0x07, 0x00, 0xc0, 0x05, 0x00, 0x80,
	};
	struct flow f;

	(void)state;
	assert_string_equal(label_of(client_hello, sizeof(client_hello)),
			    "tls");
	assert_string_equal(label_of(server_hello, sizeof(server_hello)),
			    "tls");
	assert_string_equal(label_of(sslv2_hello, sizeof(sslv2_hello)),
			    "tls");
	flow_init(&f, TW_PROTO_TCP, 51000, 443);
	flow_feed(&f, FLOW_DIR_ORIG, client_hello, sizeof(client_hello));
	flow_finish(&f);
}

static void test_http(void **state)
{
	(void)state;
	assert_string_equal(LABEL_OF_STR("GET /index.html HTTP/1.1\r\n"
					 "Host: example.com\r\n\r\n"), "http");
	assert_string_equal(LABEL_OF_STR("CONNECT example.com:443 HTTP/1.1"
					 "\r\nHost: example.com:443\r\n\r\n"),
			    "http");
	assert_string_equal(LABEL_OF_STR("HTTP/1.1 101 Switching Protocols\r\n"
					 "Upgrade: websocket\r\n\r\n"), "http");
	assert_string_equal(LABEL_OF_STR("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"),
			    "http");
	assert_string_equal(LABEL_OF_STR("GETTING somewhere\r\n"), "unknown");
}

static void test_http_body_with_ssh_banner_stays_http(void **state)
{
	struct flow f;

	(void)state;
	flow_init(&f, TW_PROTO_TCP, 51000, 8080);
	flow_feed(&f, FLOW_DIR_ORIG, "POST /upload HTTP/1.1\r\n", 23);
	flow_feed(&f, FLOW_DIR_ORIG, "Content-Length: 30\r\n\r\n", 22);
	flow_feed(&f, FLOW_DIR_ORIG, "SSH-2.0-OpenSSH_9.2\r\n", 21);
	flow_feed(&f, FLOW_DIR_RESP, "SSH-2.0-OpenSSH_9.2\r\n", 21);
	flow_finish(&f);
	assert_string_equal(app_label(&f), "http");

	/* a banner that is not at the start of the stream names nothing */
	assert_string_equal(LABEL_OF_STR("hello\r\nSSH-2.0-OpenSSH_9.2\r\n"),
			    "unknown");
}

static void test_jsonrpc(void **state)
{
	(void)state;
	assert_string_equal(LABEL_OF_STR("{\"id\": 1, \"method\": "
					 "\"mining.subscribe\", \"params\": "
					 "[]}\n"), "jsonrpc");
	assert_string_equal(LABEL_OF_STR("  {\n  \"jsonrpc\" : \"2.0\", "
					 "\"method\":\"login\"}\n"),
			    "jsonrpc");
	assert_string_equal(LABEL_OF_STR("{\"name\": \"x\"}\n"), "unknown");
}

static void test_bitcoin(void **state)
{
	/* mainnet "version" message header: magic, command, length,
	 * checksum */
	static const uint8_t version[] = {
		0xf9, 0xbe, 0xb4, 0xd9, 'v', 'e', 'r', 's', 'i', 'o', 'n',
		0, 0, 0, 0, 0, 0x66, 0x00, 0x00, 0x00, 0x2a, 0x1f, 0x3b, 0x9c,
	};
	static const uint8_t testnet_verack[] = {
		0x0b, 0x11, 0x09, 0x07, 'v', 'e', 'r', 'a', 'c', 'k',
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x5d, 0xf6, 0xe0, 0xe2,
	};

	(void)state;
	assert_string_equal(label_of(version, sizeof(version)), "bitcoin");
	assert_string_equal(label_of(testnet_verack, sizeof(testnet_verack)),
			    "bitcoin");
}

static void test_other_protocols(void **state)
{
	static const uint8_t smb2[] = {
		0x00, 0x00, 0x00, 0xa4, 0xfe, 'S', 'M', 'B', 0x40, 0x00,
	};
	static const uint8_t smb1[] = {
		0x00, 0x00, 0x00, 0x54, 0xff, 'S', 'M', 'B', 0x72, 0x00,
	};
	static const uint8_t rdp_cr[] = {
		0x03, 0x00, 0x00, 0x2b, 0x26, 0xe0, 0x00, 0x00, 0x00, 0x00,
		0x00, 'C', 'o', 'o', 'k', 'i', 'e', ':', ' ',
	};
	static const uint8_t mqtt_connect[] = {
		0x10, 0x23, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x04, 0x02, 0x00,
		0x3c, 0x00, 0x17,
	};

	(void)state;
	assert_string_equal(label_of(smb2, sizeof(smb2)), "smb");
	assert_string_equal(label_of(smb1, sizeof(smb1)), "smb");
	assert_string_equal(label_of(rdp_cr, sizeof(rdp_cr)), "rdp");
	assert_string_equal(label_of(mqtt_connect, sizeof(mqtt_connect)),
			    "mqtt");
	assert_string_equal(LABEL_OF_STR("<?xml version='1.0'?><stream:stream"
					 " to='example.com' xmlns='jabber:"
					 "client'>"), "xmpp");
	assert_string_equal(LABEL_OF_STR("220 mx.example.com ESMTP Postfix"
					 "\r\n"), "smtp");
	assert_string_equal(LABEL_OF_STR("EHLO client.example.com\r\n"),
			    "smtp");
	assert_string_equal(LABEL_OF_STR("220 (vsFTPd 3.0.3)\r\n"), "ftp");
	assert_string_equal(LABEL_OF_STR("+OK Dovecot ready.\r\n"), "pop3");
	assert_string_equal(LABEL_OF_STR("* OK [CAPABILITY IMAP4rev1] "
					 "Dovecot ready.\r\n"), "imap");
}

static void test_udp_quic_and_ssdp(void **state)
{
	/* QUIC v1 Initial: long header 0xc3, version 1, DCID length 8 */
	static const uint8_t quic[] = {
		0xc3, 0x00, 0x00, 0x00, 0x01, 0x08, 0x5b, 0x1e, 0x02, 0x77,
		0xa0, 0x3c, 0x91, 0x44, 0x00,
	};
	static const char msearch[] = "M-SEARCH * HTTP/1.1\r\n"
				      "HOST: 239.255.255.250:1900\r\n";
	struct flow f;

	(void)state;
	flow_init(&f, TW_PROTO_UDP, 50000, 443);
	flow_feed(&f, FLOW_DIR_ORIG, quic, sizeof(quic));
	flow_finish(&f);
	assert_string_equal(app_label(&f), "quic");

	flow_init(&f, TW_PROTO_UDP, 50000, 1900);
	assert_string_equal(app_label(&f), "ssdp");   /* by port */
	flow_feed(&f, FLOW_DIR_ORIG, msearch, sizeof(msearch) - 1);
	flow_finish(&f);
	assert_string_equal(app_label(&f), "ssdp");   /* by bytes */
}

/* Encrypted or binary labels found in the bytes end scanning; text
 * protocols, unknown bytes and port guesses do not. */
/* Whether the label a flow's first bytes give ends its scanning. */
static bool ends_scan(uint8_t proto, uint16_t dport, enum flow_dir_id dir,
		      const void *data, size_t len)
{
	static struct flow f;
	bool ends;

	flow_init(&f, proto, 51000, dport);
	if (len)
		flow_feed(&f, dir, data, len);
	ends = app_ends_scan(f.app);
	flow_finish(&f);
	return ends;
}

/* Encrypted or binary labels found in the bytes end scanning; text
 * protocols, unknown bytes and port guesses do not. */
static void test_which_labels_end_scanning(void **state)
{
	static const uint8_t client_hello[] = {
		0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03,
		0x03, 0x5e,
	};
	static const uint8_t dns_query[] = {
		0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x07, 'e', 'x', 'a', 'm', 'p', 'l', 'e',
	};
	static const char ssh[] = "SSH-2.0-OpenSSH_9.2\r\n";
	static const char http[] = "GET / HTTP/1.1\r\n";
	static const char rpc[] = "{\"id\":1,\"method\":\"login\"}\n";

	(void)state;
	assert_true(ends_scan(TW_PROTO_TCP, 443, FLOW_DIR_ORIG, client_hello,
			      sizeof(client_hello)));
	assert_true(ends_scan(TW_PROTO_TCP, 22, FLOW_DIR_RESP, ssh,
			      sizeof(ssh) - 1));
	assert_true(ends_scan(TW_PROTO_UDP, 5300, FLOW_DIR_ORIG, dns_query,
			      sizeof(dns_query)));
	assert_false(ends_scan(TW_PROTO_TCP, 80, FLOW_DIR_ORIG, http,
			       sizeof(http) - 1));
	assert_false(ends_scan(TW_PROTO_TCP, 3333, FLOW_DIR_ORIG, rpc,
			       sizeof(rpc) - 1));
	assert_false(ends_scan(TW_PROTO_TCP, 40000, FLOW_DIR_ORIG, "hello", 5));
	/* a port guess only (UDP 53, no payload yet) */
	assert_false(ends_scan(TW_PROTO_UDP, 53, FLOW_DIR_ORIG, NULL, 0));
}

static void test_port_guesses(void **state)
{
	static const uint8_t dns_query[] = {
		0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x07, 'e', 'x', 'a', 'm', 'p', 'l', 'e',
	};
	static const char ssh[] = "SSH-2.0-OpenSSH_9.2\r\n";
	struct flow f;

	(void)state;
	flow_init(&f, TW_PROTO_UDP, 41000, 53);
	flow_feed(&f, FLOW_DIR_ORIG, dns_query, sizeof(dns_query));
	flow_finish(&f);
	assert_string_equal(app_label(&f), "dns");

	flow_init(&f, TW_PROTO_UDP, 68, 67);
	assert_string_equal(app_label(&f), "dhcp");
	flow_init(&f, TW_PROTO_UDP, 5353, 5353);
	assert_string_equal(app_label(&f), "mdns");
	flow_init(&f, TW_PROTO_UDP, 123, 123);
	assert_string_equal(app_label(&f), "ntp");

	/* the bytes win over the port */
	flow_init(&f, TW_PROTO_UDP, 41000, 53);
	flow_feed(&f, FLOW_DIR_ORIG, ssh, sizeof(ssh) - 1);
	flow_finish(&f);
	assert_string_equal(app_label(&f), "ssh");

	/* TCP gets no port guess: unlabelled bytes on 53 are worth a look.
	 * DNS over TCP (2-byte length first) has no pattern either. */
	flow_init(&f, TW_PROTO_TCP, 41000, 53);
	flow_feed(&f, FLOW_DIR_ORIG, "\x00\x1d", 2);
	flow_feed(&f, FLOW_DIR_ORIG, dns_query, sizeof(dns_query));
	flow_finish(&f);
	assert_string_equal(app_label(&f), "unknown");
}

static void test_mid_session_and_odd_ports(void **state)
{
	/* TLS application data: a capture that starts after the handshake */
	static const uint8_t tls_appdata[] = {
		0x17, 0x03, 0x03, 0x00, 0x45, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x2a, 0x9d, 0x11,
	};
	/* Google QUIC Q043 client hello public header */
	static const uint8_t gquic[] = {
		0x0d, 0xf1, 0x4f, 0x55, 0x45, 0xeb, 0x51, 0x30, 0x32, 'Q',
		'0', '4', '3', 0x01, 0x3b,
	};
	/* DNSCrypt certificate query: plain DNS to UDP 443 */
	static const uint8_t dns_query[] = {
		0x7f, 0x47, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x01, 0x01, '2', 0x0d, 'd', 'n', 's', 'c', 'r',
	};
	static const uint8_t dns_answer[] = {
		0x7f, 0x47, 0x81, 0x80, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00,
		0x00, 0x01, 0x01, '2', 0x0d, 'd', 'n', 's', 'c', 'r',
	};
	/* NetBIOS name query (broadcast bit): DNS-shaped, but NBNS */
	static const uint8_t nbns_query[] = {
		0x8a, 0x01, 0x01, 0x10, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x20, 'E', 'N', 'E', 'B', 'F', 'D', 'F',
	};
	struct flow f;

	(void)state;
	assert_string_equal(label_of(tls_appdata, sizeof(tls_appdata)),
			    "tls");
	flow_init(&f, TW_PROTO_UDP, 57833, 443);
	flow_feed(&f, FLOW_DIR_ORIG, gquic, sizeof(gquic));
	flow_finish(&f);
	assert_string_equal(app_label(&f), "quic");

	flow_init(&f, TW_PROTO_UDP, 38388, 443);
	flow_feed(&f, FLOW_DIR_ORIG, dns_query, sizeof(dns_query));
	flow_finish(&f);
	assert_string_equal(app_label(&f), "dns");
	flow_init(&f, TW_PROTO_UDP, 38388, 443);
	flow_feed(&f, FLOW_DIR_RESP, dns_answer, sizeof(dns_answer));
	flow_finish(&f);
	assert_string_equal(app_label(&f), "dns");

	flow_init(&f, TW_PROTO_UDP, 137, 137);
	flow_feed(&f, FLOW_DIR_ORIG, nbns_query, sizeof(nbns_query));
	flow_finish(&f);
	assert_string_equal(app_label(&f), "netbios");

	assert_string_equal(LABEL_OF_STR("NOSA\x00\x60\x01\x01"), "avast");
}

static void test_unknown_and_none(void **state)
{
	static const uint8_t noise[] = {
		0x9a, 0x41, 0x07, 0xee, 0x13, 0x00, 0x5c, 0x80, 0xff, 0x21,
	};
	struct flow f;

	(void)state;
	flow_init(&f, TW_PROTO_TCP, 51000, 443);
	assert_string_equal(app_label(&f), "none");
	flow_feed(&f, FLOW_DIR_RESP, noise, sizeof(noise));
	flow_finish(&f);
	assert_string_equal(app_label(&f), "unknown");
}

static void test_first_match_wins_across_directions(void **state)
{
	struct flow f;

	(void)state;
	flow_init(&f, TW_PROTO_TCP, 51000, 80);
	flow_feed(&f, FLOW_DIR_ORIG, "GET / HTTP/1.1\r\n", 16);
	flow_feed(&f, FLOW_DIR_RESP, "SSH-2.0-x\r\n", 11);
	flow_finish(&f);
	assert_string_equal(app_label(&f), "http");
}

/* Every id app.hs loads has a name, and nothing else does. */
/* Inspection stops once the label is known, or once no anchored app
 * pattern can match any more; not before. */
static void test_lets_go_of_payload(void **state)
{
	static const char filler[200] = { 0 };
	struct flow f;

	(void)state;
	flow_init(&f, TW_PROTO_TCP, 40000, 443);
	payload_done_flow = NULL;
	flow_feed(&f, FLOW_DIR_ORIG, "SSH-2.0-OpenSSH_9.2\r\n", 21);
	assert_ptr_equal(payload_done_flow, &f);
	flow_finish(&f);

	flow_init(&f, TW_PROTO_TCP, 40001, 4444);
	payload_done_flow = NULL;
	flow_feed(&f, FLOW_DIR_ORIG, filler, sizeof(filler));
	assert_null(payload_done_flow); /* the other side may still speak */
	flow_feed(&f, FLOW_DIR_RESP, filler, sizeof(filler));
	assert_ptr_equal(payload_done_flow, &f);
	flow_finish(&f);
}

static void test_every_pattern_id_has_a_name(void **state)
{
	unsigned named = 0;

	(void)state;
	for (uint32_t id = APP_ID_FIRST; id <= APP_ID_LAST; id++) {
		if (hs_db_has_id(db, id) && !app_name((uint16_t)id))
			fail_msg("pattern %u has no app name", id);
		named += app_name((uint16_t)id) != NULL;
	}
	assert_true(named >= 20);
	assert_null(app_name(0));
	assert_null(app_name(APP_ID_LAST + 1));
	assert_string_equal(app_name(1), "ssh");
}

/* ---- services datacenters keep open (issue 11) ---- */

/* Bytes from hex ("0a1b..."), into a static buffer; *len gets the count. */
static const uint8_t *from_hex(const char *hex, size_t *len)
{
	static uint8_t buf[512];
	size_t n = strlen(hex) / 2;

	assert_true(n <= sizeof(buf));
	for (size_t i = 0; i < n; i++) {
		unsigned v;

		assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
		buf[i] = (uint8_t)v;
	}
	*len = n;
	return buf;
}

/* Label of a flow (PROTO, ports) whose DIR side sends HEX. */
static const char *label_hex(uint8_t proto, uint16_t sport, uint16_t dport,
			     enum flow_dir_id dir, const char *hex)
{
	static struct flow f;
	size_t len;
	const uint8_t *b = from_hex(hex, &len);

	flow_init(&f, proto, sport, dport);
	flow_feed(&f, dir, b, len);
	flow_finish(&f);
	return app_label(&f);
}

/* Opening bytes recorded from the real Debian programs of
 * scripts/make-traces.sh (tests/traces/benign_*), on port 40000 so that
 * no port helps. */
static void test_databases_and_brokers_from_traces(void **state)
{
	const enum flow_dir_id o = FLOW_DIR_ORIG, r = FLOW_DIR_RESP;

	(void)state;
	/* psql: SSLRequest */
	assert_string_equal(label_hex(TW_PROTO_TCP, 51000, 40000, o,
				      "0000000804d2162f"), "postgresql");
	/* mariadbd 10.11 greeting "5.5.5-10.11.19-MariaDB-0+deb12u1" */
	assert_string_equal(label_hex(TW_PROTO_TCP, 51000, 40000, r,
		"640000000a352e352e352d31302e31312e31392d4d6172696144422d302b"
		"6465623132753100030000002b643a322e2e3d2600fef7080200ff8115"),
		"mysql");
	/* redis-cli PING */
	assert_string_equal(LABEL_OF_STR("*1\r\n$4\r\nPING\r\n"), "redis");
	/* nats-server INFO, a NATS client's CONNECT */
	assert_string_equal(LABEL_OF_STR("INFO {\"server_id\":\"NB2LV2CXX2NNUM7"
					 "GUBPBU\",\"server_name\":\"x\"}\r\n"),
			    "nats");
	assert_string_equal(LABEL_OF_STR("CONNECT {\"verbose\":false,\"pedantic"
					 "\":false}\r\n"), "nats");
	/* pika: AMQP 0-9-1 header */
	assert_string_equal(LABEL_OF_STR("AMQP\x00\x00\x09\x01"), "amqp");
	/* RabbitMQ's STOMP plugin: client CONNECT and server CONNECTED */
	assert_string_equal(LABEL_OF_STR("CONNECT\naccept-version:1.2\nhost:/"
					 "\n\n"), "stomp");
	assert_string_equal(LABEL_OF_STR("CONNECTED\nserver:RabbitMQ/3.10.8\n"),
			    "stomp");
	/* kazoo: ZooKeeper ConnectRequest (timeout 10000 ms) */
	assert_string_equal(label_hex(TW_PROTO_TCP, 51000, 40000, o,
		"0000002d0000000000000000000000000000271000000000000000000000"
		"00100000000000000000000000000000000000"), "zookeeper");
	/* mosquitto_sub: MQTT 3.1.1 CONNECT (existing label) */
	assert_string_equal(label_hex(TW_PROTO_TCP, 51000, 40000, o,
		"101800044d5154540402001e000c74772d64617368626f617264"), "mqtt");
}

static void test_directory_monitoring_voice_from_traces(void **state)
{
	const enum flow_dir_id o = FLOW_DIR_ORIG;

	(void)state;
	/* ldapsearch: simple bind of cn=admin */
	assert_string_equal(label_hex(TW_PROTO_TCP, 51000, 40000, o,
		"302c0201016027020103041a636e3d61646d696e2c64633d6578616d706c"
		"652c64633d6f72678006736563726574"), "ldap");
	/* kinit: AS-REQ over UDP, and over TCP behind its length */
	assert_string_equal(label_hex(TW_PROTO_UDP, 51000, 40000, o,
		"6a81b43081b1a103020105a20302010aa31a3018300aa10402020096a202"),
		"kerberos");
	assert_string_equal(label_hex(TW_PROTO_TCP, 51000, 40000, o,
		"000000b76a81b43081b1a103020105a20302010aa31a"), "kerberos");
	/* sipsak OPTIONS (UDP) and a status line */
	assert_string_equal(LABEL_OF_STR("OPTIONS sip:ping@10.20.163.1 SIP/2.0"
					 "\r\nVia: SIP/2.0/UDP 10.20.163.2\r\n"),
			    "sip");
	assert_string_equal(LABEL_OF_STR("SIP/2.0 200 OK\r\nVia: x\r\n"), "sip");
	/* turnutils_stunclient: binding request */
	assert_string_equal(label_hex(TW_PROTO_UDP, 51000, 40000, o,
		"000100002112a44243585b65eda6eec17b36b1c9"), "stun");
	/* chronyd client request (NTPv4, mode 3, poll 3) */
	assert_string_equal(label_hex(TW_PROTO_UDP, 51000, 40000, o,
		"230003200000000000000000000000000000000000000000"
		"000000000000000000000000000000000000000000000000"), "ntp");
	/* rsyslog omfwd (RFC 3164), and RFC 5424 octet-counted */
	assert_string_equal(LABEL_OF_STR("<13>Dec  7 01:29:07 vm backup-agent:"
					 " job 1\n"), "syslog");
	assert_string_equal(LABEL_OF_STR("87 <165>1 2026-12-07T01:29:07Z vm "
					 "app - - - hi"), "syslog");
}

/* Protocols Debian has no server for: bytes written from their specs. */
static void test_protocols_from_specs(void **state)
{
	const enum flow_dir_id o = FLOW_DIR_ORIG;

	(void)state;
	/* Kafka ApiVersions v3, correlation 1, client id "rdkafka" */
	assert_string_equal(label_hex(TW_PROTO_TCP, 51000, 40000, o,
		"0000002400120003000000010007726466616b6b61"), "kafka");
	/* Elasticsearch transport: a request (status 0), version 7.17 */
	assert_string_equal(label_hex(TW_PROTO_TCP, 51000, 40000, o,
		"4553000000640000000000000001000079a0e300"), "elasticsearch");
	assert_string_equal(LABEL_OF_STR("ES\xff\xff\xff\xff"), "elasticsearch");
	/* Elasticsearch REST: an API request names it, plain HTTP does not */
	assert_string_equal(LABEL_OF_STR("POST /logs-2026.12/_bulk HTTP/1.1\r\n"),
			    "elasticsearch");
	assert_string_equal(LABEL_OF_STR("GET /_cluster/health HTTP/1.1\r\n"),
			    "elasticsearch");
	assert_string_equal(LABEL_OF_STR("GET /index.html HTTP/1.1\r\n"), "http");
	/* MongoDB OP_MSG "hello" on admin, and a legacy OP_QUERY isMaster */
	assert_string_equal(label_hex(TW_PROTO_TCP, 51000, 40000, o,
		"3b0000000100000000000000dd070000000000000026000000"
		"1068656c6c6f0001000000"), "mongodb");
	assert_string_equal(label_hex(TW_PROTO_TCP, 51000, 40000, o,
		"3f0000000100000000000000d40700000000000061646d696e2e24636d"
		"6400"), "mongodb");
	/* IEC 60870-5-104 STARTDT act; DNP3 link header (request link status) */
	assert_string_equal(label_hex(TW_PROTO_TCP, 51000, 40000, o,
				      "680407000000"), "iec104");
	assert_string_equal(label_hex(TW_PROTO_TCP, 51000, 40000, o,
				      "056405c90a000100"), "dnp3");
	/* BitTorrent handshake, a DHT ping, a UDP tracker connect */
	assert_string_equal(LABEL_OF_STR("\x13""BitTorrent protocol\0\0\0\0"),
			    "bittorrent");
	assert_string_equal(label_hex(TW_PROTO_UDP, 51000, 40000, o,
		"64313a6164323a696432303a"), "bittorrent");
	assert_string_equal(label_hex(TW_PROTO_UDP, 51000, 40000, o,
		"0000041727101980000000000000abcd"), "bittorrent");
	/* SNMP v2c get "public", and v3 */
	assert_string_equal(label_hex(TW_PROTO_UDP, 51000, 40000, o,
		"302602010104067075626c6963a019020400"), "snmp");
	assert_string_equal(label_hex(TW_PROTO_UDP, 51000, 40000, o,
		"303e020103301102"), "snmp");
	/* collectd: host part "web3", then a hires time part */
	assert_string_equal(label_hex(TW_PROTO_UDP, 51000, 40000, o,
		"000000097765623300" "0008000c00000001"), "collectd");
	/* RTCP receiver report */
	assert_string_equal(label_hex(TW_PROTO_UDP, 51001, 40001, o,
				      "81c90007deadbeef"), "rtcp");
	/* unrelated text stays unknown */
	assert_string_equal(LABEL_OF_STR("hello world, nothing to see\r\n"),
			    "unknown");
	assert_string_equal(LABEL_OF_STR("ESC[1m bold\n"), "unknown");
}

/* RTP and Modbus are twelve or eight bytes anything binary could start
 * with: only the ports make them a guess, and a guess is marked so. */
static void test_weak_patterns_need_their_ports(void **state)
{
	static const char rtp[] = "80000001000000a0cafe0001" "ffffffffff";
	static const char modbus[] = "0001000000060103000000" "0a";
	struct flow f;
	size_t len;
	const uint8_t *b;

	(void)state;
	assert_string_equal(label_hex(TW_PROTO_UDP, 16384, 20000,
				      FLOW_DIR_ORIG, rtp), "rtp");
	assert_string_equal(label_hex(TW_PROTO_UDP, 16385, 20001,
				      FLOW_DIR_ORIG, rtp), "unknown");
	assert_string_equal(label_hex(TW_PROTO_TCP, 16384, 20000,
				      FLOW_DIR_ORIG, rtp), "unknown");
	assert_string_equal(label_hex(TW_PROTO_TCP, 51000, 502,
				      FLOW_DIR_ORIG, modbus), "modbus");
	assert_string_equal(label_hex(TW_PROTO_TCP, 502, 51000,
				      FLOW_DIR_RESP, modbus), "modbus");
	assert_string_equal(label_hex(TW_PROTO_TCP, 51000, 40000,
				      FLOW_DIR_ORIG, modbus), "unknown");

	/* guessed, so scanning goes on and a real match replaces it */
	b = from_hex(rtp, &len);
	flow_init(&f, TW_PROTO_UDP, 16384, 20000);
	flow_feed(&f, FLOW_DIR_ORIG, b, len);
	assert_true(app_is_guess(f.app));
	assert_false(app_ends_scan(f.app));
	flow_feed(&f, FLOW_DIR_RESP, "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03"
		  "\x03\x5e", 12);
	flow_finish(&f);
	assert_string_equal(app_label(&f), "tls");
	assert_false(app_is_guess(f.app));
}

static void test_new_udp_port_guesses(void **state)
{
	static const uint16_t ports[] = { 161, 162, 514, 25826, 3478, 5060,
					  88 };
	static const char *const names[] = { "snmp", "snmp", "syslog",
					     "collectd", "stun", "sip",
					     "kerberos" };
	struct flow f;

	(void)state;
	for (size_t i = 0; i < sizeof(ports) / sizeof(ports[0]); i++) {
		flow_init(&f, TW_PROTO_UDP, 41000, ports[i]);
		assert_string_equal(app_label(&f), names[i]);
		assert_true(app_is_guess(f.app));
	}
	/* a pattern names it for real */
	flow_init(&f, TW_PROTO_UDP, 41000, 161);
	flow_feed(&f, FLOW_DIR_ORIG, "\x30\x26\x02\x01\x01\x04\x06public\xa0",
		  14);
	flow_finish(&f);
	assert_string_equal(app_label(&f), "snmp");
	assert_false(app_is_guess(f.app));
	/* TCP still gets none */
	flow_init(&f, TW_PROTO_TCP, 41000, 514);
	assert_string_equal(app_label(&f), "none");
	assert_false(app_is_guess(f.app));
	/* ICMP is named by its IP protocol, not guessed */
	flow_init(&f, TW_PROTO_ICMP, 0, 0);
	assert_string_equal(app_label(&f), "icmp");
	assert_false(app_is_guess(f.app));
}

/* etcdctl watch: the HTTP/2 preface labels the flow http until the first
 * HEADERS carries content-type application/grpc (HPACK Huffman). */
static void test_grpc_refines_http2(void **state)
{
	static const char etcd_client[] =
		"505249202a20485454502f322e300d0a0d0a534d0d0a0d0a000000040000"
		"0000000000000401000000000000690104000000018386459260a924882d"
		"9dcb6571afc86924ec721a493f418c081710170b6eae1b8265d7ff5f8b1d"
		"75d0620d263d4c4d65647a8b9acac8b4c7602bb2caecff40027465864d83"
		"3505b11f";
	static const char preface[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
	static const char filler[600] = { 0 };
	struct flow f;
	size_t len;
	const uint8_t *b = from_hex(etcd_client, &len);

	(void)state;
	flow_init(&f, TW_PROTO_TCP, 51000, 2379);
	payload_done_flow = NULL;
	flow_feed(&f, FLOW_DIR_ORIG, b, 24);
	assert_string_equal(app_label(&f), "http");
	assert_null(payload_done_flow);     /* still reading for gRPC */
	flow_feed(&f, FLOW_DIR_ORIG, b + 24, len - 24);
	assert_string_equal(app_label(&f), "grpc");
	assert_ptr_equal(payload_done_flow, &f);
	flow_finish(&f);

	/* plain HTTP/2: stays http, let go of after the gRPC horizon */
	flow_init(&f, TW_PROTO_TCP, 51000, 443);
	payload_done_flow = NULL;
	flow_feed(&f, FLOW_DIR_ORIG, preface, sizeof(preface) - 1);
	flow_feed(&f, FLOW_DIR_ORIG, filler, sizeof(filler));
	assert_ptr_equal(payload_done_flow, &f);
	flow_finish(&f);
	assert_string_equal(app_label(&f), "http");

	/* gRPC never relabels anything but the preface */
	flow_init(&f, TW_PROTO_TCP, 51000, 80);
	flow_feed(&f, FLOW_DIR_ORIG, "POST /x HTTP/1.1\r\nContent-Type: "
		  "application/grpc-web\r\n\r\n", 57);
	flow_finish(&f);
	assert_string_equal(app_label(&f), "http");
}

/* The new labels are known protocols: never tunnel-like. */
static void test_service_labels_are_not_tunnel_like(void **state)
{
	struct flow f;

	(void)state;
	flow_init(&f, TW_PROTO_TCP, 51000, 40000);
	flow_feed(&f, FLOW_DIR_ORIG, "*1\r\n$4\r\nPING\r\n", 14);
	flow_finish(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ssh_banner),
		cmocka_unit_test(test_tls),
		cmocka_unit_test(test_http),
		cmocka_unit_test(test_http_body_with_ssh_banner_stays_http),
		cmocka_unit_test(test_jsonrpc),
		cmocka_unit_test(test_bitcoin),
		cmocka_unit_test(test_other_protocols),
		cmocka_unit_test(test_udp_quic_and_ssdp),
		cmocka_unit_test(test_which_labels_end_scanning),
		cmocka_unit_test(test_port_guesses),
		cmocka_unit_test(test_mid_session_and_odd_ports),
		cmocka_unit_test(test_unknown_and_none),
		cmocka_unit_test(test_first_match_wins_across_directions),
		cmocka_unit_test(test_lets_go_of_payload),
		cmocka_unit_test(test_every_pattern_id_has_a_name),
		cmocka_unit_test(test_databases_and_brokers_from_traces),
		cmocka_unit_test(test_directory_monitoring_voice_from_traces),
		cmocka_unit_test(test_protocols_from_specs),
		cmocka_unit_test(test_weak_patterns_need_their_ports),
		cmocka_unit_test(test_new_udp_port_guesses),
		cmocka_unit_test(test_grpc_refines_http2),
		cmocka_unit_test(test_service_labels_are_not_tunnel_like),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
