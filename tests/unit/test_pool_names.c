/* SPDX-License-Identifier: BSD-3-Clause */
/* Pool names: DNS questions and answers and TLS SNI matched against
 * patterns/pools.txt; a hello split over segments is collected; the
 * rhythm of a pool-named TLS flow makes it high; other names stay
 * silent. Stubs stand in for the worker. */
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
#include "config/config.h"
#include "scan/app_id.h"
#include "decode/decode.h"

#ifdef TW_PATTERNS_DIR
#define PATTERNS_DIR TW_PATTERNS_DIR
#else
#define PATTERNS_DIR "patterns"
#endif
#define SEC 1000000000ull

extern const struct analyzer pool_names_analyzer;


static const char *app_of(const struct flow *f)
{
	return f->proto == TW_PROTO_UDP ? "dns" : "tls";
}

static struct tw_config cfg;
static struct an_ctx actx;

struct tflow {
	struct flow f;
	uint8_t st[256];
};

static int setup(void **state)
{
	const char *dir = getenv("TW_PATTERNS_DIR");

	(void)state;
	config_defaults(&cfg);
	snprintf(cfg.scan.patterns_dir, sizeof(cfg.scan.patterns_dir), "%s",
		 dir ? dir : PATTERNS_DIR);
	actx.cfg = &cfg;
	actx.wstate = calloc(1, pool_names_analyzer.worker_state_size);
	return pool_names_analyzer.worker_init(actx.wstate, &cfg);
}

static int teardown(void **state)
{
	(void)state;
	pool_names_analyzer.worker_fini(actx.wstate);
	free(actx.wstate);
	return 0;
}

static void tflow_start(struct tflow *t, uint8_t proto, uint16_t dport)
{
	memset(t, 0, sizeof(*t));
	t->f.proto = proto;
	t->f.orig_addr.b[10] = t->f.orig_addr.b[11] = 0xff;
	t->f.resp_addr = t->f.orig_addr;
	t->f.orig_addr.b[15] = 2;
	t->f.resp_addr.b[15] = 1;
	t->f.orig_port = 40000;
	t->f.resp_port = dport;
	an_stub_reset();
	stub_app_fn = app_of;
	pool_names_analyzer.on_flow_new(&actx, &t->f, t->st);
}

/* UDP datagrams go to on_packet (pool_names reads them there), TCP
 * payload to on_payload. */
static void payload(struct tflow *t, enum flow_dir_id dir, const uint8_t *p,
		    size_t n)
{
	struct pkt_view pv = { .payload = p, .payload_len = (uint32_t)n,
			       .payload_wire_len = (uint32_t)n,
			       .proto = t->f.proto };

	if (t->f.proto == TW_PROTO_UDP)
		pool_names_analyzer.on_packet(&actx, &t->f, t->st, &pv, dir);
	else
		pool_names_analyzer.on_payload(&actx, &t->f, t->st, dir, p,
					       (uint32_t)n, false);
}

static const char *detail(const struct finding *f, const char *key)
{
	for (unsigned i = 0; i < f->n_detail; i++)
		if (strcmp(f->detail[i].key, key) == 0 &&
		    f->detail[i].type == DETAIL_STR)
			return f->detail[i].v.s;
	return NULL;
}

/* ---- DNS ---- */

static size_t dns_msg(uint8_t *b, const char *name, bool answer)
{
	static const uint8_t head_q[] = { 0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0,
					  0, 0, 0, 0 };
	size_t n = sizeof(head_q);

	memcpy(b, head_q, n);
	if (answer) {
		b[2] = 0x81;
		b[3] = 0x80;
		b[7] = 1;
	}
	n += db_name(b + n, name);
	b[n++] = 0; b[n++] = 1; b[n++] = 0; b[n++] = 1;
	if (answer) {
		static const uint8_t rr[] = { 0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0,
					      60, 0, 4, 198, 51, 100, 7 };

		memcpy(b + n, rr, sizeof(rr));
		n += sizeof(rr);
	}
	return n;
}

static void test_dns_query_and_answer(void **state)
{
	struct tflow t;
	uint8_t b[512];
	size_t n;

	(void)state;
	tflow_start(&t, TW_PROTO_UDP, 53);
	n = dns_msg(b, "xmr-eu1.NANOPOOL.org", false);
	payload(&t, FLOW_DIR_ORIG, b, n);
	payload(&t, FLOW_DIR_ORIG, b, n);       /* a retry: reported once */
	n = dns_msg(b, "xmr-eu1.NANOPOOL.org", true);
	payload(&t, FLOW_DIR_RESP, b, n);
	assert_int_equal(n_found, 2);
	assert_string_equal(detail(&found[0], "source"), "dns-query");
	assert_true(found[0].host_is_orig);
	assert_string_equal(detail(&found[0], "pool"), "nanopool.org");
	assert_string_equal(detail(&found[1], "source"), "dns-answer");
	assert_string_equal(detail(&found[1], "addrs"), "198.51.100.7");
	assert_true(found[1].host_is_orig);
	assert_int_equal(found[1].resp.b[15], 7);   /* peer: the pool */
	assert_int_equal(found[1].resp_port, 0);
}

static void test_other_names_silent(void **state)
{
	struct tflow t;
	uint8_t b[512];
	size_t n;

	(void)state;
	tflow_start(&t, TW_PROTO_UDP, 53);
	n = dns_msg(b, "www.example.org", true);
	payload(&t, FLOW_DIR_RESP, b, n);
	n = dns_msg(b, "notnanopool.org", false);
	payload(&t, FLOW_DIR_ORIG, b, n);
	assert_int_equal(n_found, 0);
	/* every answer's address still goes to the manager (prevalence):
	 * the client is the response's receiver; queries name nothing */
	assert_int_equal(n_named, 1);
	assert_int_equal(named_addr[0].b[15], 7);
	assert_int_equal(ip_addr_cmp(&named_client[0], &t.f.orig_addr), 0);
}

/* ---- TLS ---- */

struct hb {
	uint8_t b[2048];
	size_t n;
};

static void put16(struct hb *h, unsigned v)
{
	h->b[h->n++] = (uint8_t)(v >> 8);
	h->b[h->n++] = (uint8_t)v;
}

/* ClientHello with a padding extension of pad bytes before the SNI. */
static void build_hello(struct hb *h, const char *sni, size_t pad)
{
	size_t rec, hs, ext, l = strlen(sni);

	h->n = 0;
	h->b[h->n++] = 22;
	put16(h, 0x0301);
	rec = h->n; put16(h, 0);
	h->b[h->n++] = 1;
	hs = h->n; h->b[h->n++] = 0; put16(h, 0);
	put16(h, 0x0303);
	memset(h->b + h->n, 0, 32);
	h->n += 32;
	h->b[h->n++] = 0;                       /* session id */
	put16(h, 2); put16(h, 0x1301);
	h->b[h->n++] = 1; h->b[h->n++] = 0;
	ext = h->n; put16(h, 0);
	put16(h, 21); put16(h, (unsigned)pad);
	memset(h->b + h->n, 0, pad);
	h->n += pad;
	put16(h, 0); put16(h, (unsigned)(l + 5)); put16(h, (unsigned)(l + 3));
	h->b[h->n++] = 0; put16(h, (unsigned)l);
	memcpy(h->b + h->n, sni, l);
	h->n += l;
	h->b[ext] = (uint8_t)((h->n - ext - 2) >> 8);
	h->b[ext + 1] = (uint8_t)(h->n - ext - 2);
	h->b[hs + 1] = (uint8_t)((h->n - hs - 3) >> 8);
	h->b[hs + 2] = (uint8_t)(h->n - hs - 3);
	h->b[rec] = (uint8_t)((h->n - rec - 2) >> 8);
	h->b[rec + 1] = (uint8_t)(h->n - rec - 2);
}

static void packet(struct tflow *t, enum flow_dir_id dir, uint64_t ts,
		   uint32_t bytes)
{
	struct pkt_view pv = { .ts_ns = ts, .payload_wire_len = bytes };

	t->f.last_ns = ts;
	pool_names_analyzer.on_packet(&actx, &t->f, t->st, &pv, dir);
}

/* The SNI in the second segment; then 3 minutes of jobs pushed every
 * 10 s and small shares: medium at the hello, high at the end. */
static void test_split_hello_and_rhythm(void **state)
{
	struct tflow t;
	struct hb h;

	(void)state;
	tflow_start(&t, TW_PROTO_TCP, 14433);
	build_hello(&h, "xmr-eu1.nanopool.org", 1400);
	payload(&t, FLOW_DIR_ORIG, h.b, 1448);
	assert_int_equal(n_found, 0);
	payload(&t, FLOW_DIR_ORIG, h.b + 1448, h.n - 1448);
	assert_int_equal(n_found, 1);
	assert_int_equal(found[0].severity, SEV_MEDIUM);
	assert_string_equal(detail(&found[0], "name"), "xmr-eu1.nanopool.org");

	t.f.first_ns = 1 * SEC;
	for (unsigned i = 0; i < 18; i++) {
		uint64_t at = (1 + 10 * i) * SEC;

		packet(&t, FLOW_DIR_RESP, at, 300);          /* a new job */
		if (i % 2)
			packet(&t, FLOW_DIR_ORIG, at + SEC / 2, 200); /* share */
	}
	pool_names_analyzer.on_flow_end(&actx, &t.f, t.st, FLOW_END_INPUT);
	assert_int_equal(n_found, 2);
	assert_int_equal(found[1].severity, SEV_HIGH);
}

/* A short pool-named TLS flow stays medium. */
static void test_short_tls_stays_medium(void **state)
{
	struct tflow t;
	struct hb h;

	(void)state;
	tflow_start(&t, TW_PROTO_TCP, 443);
	build_hello(&h, "supportxmr.com", 0);
	payload(&t, FLOW_DIR_ORIG, h.b, h.n);
	t.f.first_ns = 1 * SEC;
	packet(&t, FLOW_DIR_RESP, 20 * SEC, 300);
	pool_names_analyzer.on_flow_end(&actx, &t.f, t.st, FLOW_END_CLOSED);
	assert_int_equal(n_found, 1);
	assert_int_equal(found[0].severity, SEV_MEDIUM);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dns_query_and_answer),
		cmocka_unit_test(test_other_names_silent),
		cmocka_unit_test(test_split_hello_and_rhythm),
		cmocka_unit_test(test_short_tls_stays_medium),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
