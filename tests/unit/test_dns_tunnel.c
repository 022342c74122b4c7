/* SPDX-License-Identifier: BSD-3-Clause */

/* DNS tunnel analyzer: queries and answers built by hand, over UDP and
 * over TCP (a message split across segments), charged to the client that
 * asked; the levels of dns_tunnel.c; ordinary lookups stay silent. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "an_stub.h"
#include "dns_build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzers/analyzer.h"
#include "analyzers/dns_tunnel/dns_regdom.h"
#include "config/config.h"
#include "decode/decode.h"

extern const struct analyzer dns_tunnel_analyzer;


struct harness {
	struct tw_config cfg;
	struct an_ctx ctx;
	void *wstate;
	struct flow f;
	uint8_t st[64];
	uint64_t ts;
};

static void start(struct harness *h, uint8_t proto)
{
	memset(h, 0, sizeof(*h));
	config_defaults(&h->cfg);
	h->wstate = calloc(1, dns_tunnel_analyzer.worker_state_size);
	assert_non_null(h->wstate);
	assert_int_equal(dns_tunnel_analyzer.worker_init(h->wstate, &h->cfg),
			 0);
	h->ctx.cfg = &h->cfg;
	h->ctx.wstate = h->wstate;
	assert_int_equal(ip_addr_parse("10.0.0.2", &h->f.orig_addr), 0);
	assert_int_equal(ip_addr_parse("10.0.0.53", &h->f.resp_addr), 0);
	h->f.orig_port = 40000;
	h->f.resp_port = 53;
	h->f.proto = proto;
	h->ts = 1700000000000000000ull;
	an_stub_reset();
	stub_app = "quic";
	dns_tunnel_analyzer.on_flow_new(&h->ctx, &h->f, h->st);
}

static void stop(struct harness *h)
{
	dns_tunnel_analyzer.worker_fini(h->wstate);
	free(h->wstate);
}

/* A query (or, with response, its answer header) for name and qtype. */
static uint32_t dns_msg(uint8_t *p, const char *name, uint16_t qtype,
			bool response)
{
	uint32_t n = 12;

	memset(p, 0, 12);
	p[0] = 0x42;
	p[2] = response ? 0x81 : 0x01;
	p[5] = 1;
	n += db_name(p + n, name);
	p[n++] = (uint8_t)(qtype >> 8);
	p[n++] = (uint8_t)qtype;
	p[n++] = 0;
	p[n++] = 1;
	return n;
}

static void packet(struct harness *h, bool from_client, const uint8_t *p,
		   uint32_t n)
{
	struct pkt_view pv;

	memset(&pv, 0, sizeof(pv));
	pv.src = from_client ? h->f.orig_addr : h->f.resp_addr;
	pv.dst = from_client ? h->f.resp_addr : h->f.orig_addr;
	pv.proto = h->f.proto;
	pv.payload = p;
	pv.payload_len = pv.payload_wire_len = n;
	pv.ts_ns = h->ts;
	h->ts += 1000000;
	dns_tunnel_analyzer.on_packet(&h->ctx, &h->f, h->st, &pv,
				      from_client ? FLOW_DIR_ORIG :
						    FLOW_DIR_RESP);
}

static void test_ordinary_lookups_are_silent(void **state)
{
	static const char *const names[] = {
		"www.example.com", "mail.example.com", "api.example.com",
		"cdn.example.com", "41-courier.push.apple.com",
		"d1a2b3c4.cloudfront.net", "4.3.2.1.in-addr.arpa",
	};
	struct harness h;
	uint8_t p[512];

	(void)state;
	start(&h, TW_PROTO_UDP);
	for (int r = 0; r < 20; r++)
		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			packet(&h, true, p, dns_msg(p, names[i], 1, false));
			packet(&h, false, p, dns_msg(p, names[i], 1, true));
		}
	packet(&h, true, p, dns_msg(p, "example.com", 16, false)); /* SPF */
	assert_int_equal(n_found, 0);
	stop(&h);
}

/* A full domain table drops its least recently used entry, and says so
 * in the worker's counters (stats tables.dns_domains_evicted). */
static void test_full_domain_table_is_counted(void **state)
{
	struct harness h;
	uint8_t p[512];
	char name[64];

	(void)state;
	start(&h, TW_PROTO_UDP);
	dns_tunnel_analyzer.worker_fini(h.wstate);
	memset(h.wstate, 0, dns_tunnel_analyzer.worker_state_size);
	h.cfg.dns.max_domains = 16;
	assert_int_equal(dns_tunnel_analyzer.worker_init(h.wstate, &h.cfg), 0);
	for (int i = 0; i < 20; i++) {
		snprintf(name, sizeof(name), "www.site%d.com", i);
		packet(&h, true, p, dns_msg(p, name, 1, false));
	}
	assert_int_equal(an_counted.v[TW_CTR_AN_DNS_DOMAINS_EVICTED], 4);
	packet(&h, true, p, dns_msg(p, "www.site19.com", 1, false));
	assert_int_equal(an_counted.v[TW_CTR_AN_DNS_DOMAINS_EVICTED], 4);
	stop(&h);
}

static void test_one_long_label_is_exfiltration(void **state)
{
	struct harness h;
	uint8_t p[512];

	(void)state;
	start(&h, TW_PROTO_UDP);
	/* the resolver's answer alone says nothing; the question does */
	packet(&h, false, p, dns_msg(p, "H4sICN03a2QAA3Rlc3QudHh0AAvJyCxWAKJEheLU5KLUEoW0zJxULgAge.test.txt", 1, true));
	assert_int_equal(n_found, 0);
	packet(&h, true, p, dns_msg(p, "H4sICN03a2QAA3Rlc3QudHh0AAvJyCxWAKJEheLU5KLUEoW0zJxULgAge.test.txt", 1, false));
	assert_int_equal(n_found, 1);
	assert_string_equal(found[0].kind, "dns.tunnel");
	assert_int_equal(found[0].severity, SEV_MEDIUM);
	assert_true(found[0].host_is_orig); /* the client, not the resolver */
	stop(&h);
}

/* Under a domain of a listed suffix, a handful of encoded SRV/TXT names
 * (Active Directory's GUID lookups) is low; the tunnel's volume makes it
 * medium at dns.min_names_listed distinct names. */
static void test_real_domain_needs_volume(void **state)
{
	struct harness h;
	uint8_t p[512];
	char name[128];
	uint32_t need;

	(void)state;
	start(&h, TW_PROTO_UDP);
	need = h.cfg.dns.min_names_listed;
	assert_true(need > 3);
	for (uint32_t i = 0; i < need; i++) {
		snprintf(name, sizeof(name),
			 "_ldap._tcp.%08x4c1f45a89b3e0f5d7a2c%04x.domains._msdcs.uni-example.edu",
			 0x5a17c3e1u * (i + 1), i);
		packet(&h, true, p, dns_msg(p, name, 33, false)); /* SRV */
		if (i + 1 < need)
			for (unsigned k = 0; k < n_found; k++)
				assert_int_equal(found[k].severity, SEV_LOW);
	}
	assert_true(n_found >= 1);
	assert_int_equal(found[n_found - 1].severity, SEV_MEDIUM);
	stop(&h);
}

static void test_null_records_then_encoded_names_is_high(void **state)
{
	static const char *const names[] = {
		"yrbcq0.t1.tunnel.test",
		"lackqicltkbnmudp4sbdetxpq0dwiuha.t1.tunnel.test",
		"paaaiuni2kxq7mzd4w1.t1.tunnel.test",
		"kaaj3xq0bz9wdd2mmfl.t1.tunnel.test",
	};
	struct harness h;
	uint8_t p[512];

	(void)state;
	start(&h, TW_PROTO_UDP);
	packet(&h, true, p, dns_msg(p, names[0], 10, false));
	assert_int_equal(n_found, 1);
	assert_int_equal(found[0].severity, SEV_MEDIUM);
	for (int i = 1; i < 4; i++)
		packet(&h, true, p, dns_msg(p, names[i], 10, false));
	/* medium refreshed at the 2nd query (twice the first), high at the
	 * 4th, when three names are encoded */
	assert_int_equal(n_found, 3);
	assert_int_equal(found[1].severity, SEV_MEDIUM);
	assert_int_equal(found[2].severity, SEV_HIGH);
	stop(&h);
}

/* dnscat2-style hex names with TXT/MX over TCP, the third message split
 * over two segments and a segment holding two messages. */
static void test_tcp_framing(void **state)
{
	struct harness h;
	uint8_t seg[1024], a[300], b[300], c[300];
	uint32_t na, nb, nc, n;

	(void)state;
	start(&h, TW_PROTO_TCP);
	assert_int_equal(n_packets_done, 0);
	na = dns_msg(a + 2, "147901b8d3df9cc46c59d600078b3316ce.example.org", 16, false);
	nb = dns_msg(b + 2, "504d01b8d3d714495f7e54000838b18a3b.example.org", 15, false);
	nc = dns_msg(c + 2, "bc4401b8d36101a30d1ca10009904e7bf9.example.org", 16, false);
	a[0] = 0; a[1] = (uint8_t)na;
	b[0] = 0; b[1] = (uint8_t)nb;
	c[0] = 0; c[1] = (uint8_t)nc;
	memcpy(seg, a, na + 2);
	memcpy(seg + na + 2, b, nb + 2);
	n = na + nb + 4;
	/* the third message is cut after its question (2 + 12 + 48 + 4) */
	memcpy(seg + n, c, 66);
	packet(&h, true, seg, n + 66);
	assert_int_equal(n_found, 1); /* the third one, judged by its start */
	packet(&h, true, c + 66, nc + 2 - 66);
	/* the rest of a split message is skipped, not read as a message */
	assert_int_equal(n_found, 1);
	/* three names under a real domain: low until dns.min_names_listed */
	assert_int_equal(found[0].severity, SEV_LOW);
	stop(&h);
	/* other TCP ports are let go at once */
	start(&h, TW_PROTO_TCP);
	h.f.resp_port = 443;
	n_packets_done = 0;
	dns_tunnel_analyzer.on_flow_new(&h.ctx, &h.f, h.st);
	assert_int_equal(n_packets_done, 1);
	stop(&h);
}

static void test_udp_off_port_53_is_let_go(void **state)
{
	struct harness h;
	uint8_t p[512];

	(void)state;
	start(&h, TW_PROTO_UDP);
	h.f.resp_port = 443;
	packet(&h, true, p, dns_msg(p, "lackqicltkbnmudp4sbdetxpq0dwiuha.x.test", 10, false));
	assert_int_equal(n_packets_done, 1);
	assert_int_equal(n_found, 0);
	stop(&h);
}

/* Cached answers equal libpsl's, first lookup or not. */
static void test_registered_domain_cache(void **state)
{
	static const char *const cases[][2] = {
		{ "a.b.example.co.uk", "example.co.uk" },
		{ "c.d.example.co.uk", "example.co.uk" },
		{ "x.y.z.w.v.example.com", "example.com" },
		{ "q.y.z.w.v.example.com", "example.com" },
		{ "foo.github.io", "foo.github.io" },
		{ "bar.foo.github.io", "foo.github.io" },
		{ "h4sicn03.test.txt", "test.txt" },
		{ "com", "com" },
		{ "t1.tunnel.test", "tunnel.test" },
		{ "www.example.com", "example.com" },
		{ "example.com", "example.com" },
		{ "a.b.city.kawasaki.jp", "city.kawasaki.jp" },
		{ "a.b.x.kawasaki.jp", "b.x.kawasaki.jp" },
		{ "q.r.s.x.kawasaki.jp", "s.x.kawasaki.jp" },
		{ "foo.x.kawasaki.jp", "foo.x.kawasaki.jp" },
		{ "x.kawasaki.jp", "x.kawasaki.jp" },
		{ "github.io", "github.io" },
	};
	struct dns_regdom *r = dns_regdom_create(16);

	(void)state;
	assert_non_null(r);
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
			assert_string_equal(dns_regdom_find(r, cases[i][0],
							    strlen(cases[i][0])),
					    cases[i][1]);
	dns_regdom_destroy(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ordinary_lookups_are_silent),
		cmocka_unit_test(test_full_domain_table_is_counted),
		cmocka_unit_test(test_one_long_label_is_exfiltration),
		cmocka_unit_test(test_null_records_then_encoded_names_is_high),
		cmocka_unit_test(test_real_domain_needs_volume),
		cmocka_unit_test(test_tcp_framing),
		cmocka_unit_test(test_udp_off_port_53_is_let_go),
		cmocka_unit_test(test_registered_domain_cache),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
