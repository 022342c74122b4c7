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
#include "counters.h"
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
	assert_true(app_is_tunnel_like(&f));
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
	assert_false(app_is_tunnel_like(&f));
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
	assert_false(app_is_tunnel_like(&f));

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
	assert_false(app_is_tunnel_like(&f));

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
	assert_true(app_is_tunnel_like(&f));

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
	assert_false(app_is_tunnel_like(&f));
	flow_feed(&f, FLOW_DIR_RESP, noise, sizeof(noise));
	flow_finish(&f);
	assert_string_equal(app_label(&f), "unknown");
	assert_true(app_is_tunnel_like(&f));
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
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
