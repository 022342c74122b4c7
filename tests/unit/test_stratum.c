/* SPDX-License-Identifier: BSD-3-Clause */
/* Mining analyzer: patterns/stratum.hs candidates plus the JSON-RPC
 * confirmation, fed through the real Hyperscan database as the worker
 * does, in whole messages and in 1-byte segments. Look-alikes (a method
 * name inside a string, no id, a web "login" without a miner's params, a
 * candidate on a TLS flow) stay silent. Also the capture texts: wallet
 * redaction and target -> difficulty. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "an_stub.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzers/analyzer.h"
#include "analyzers/stratum/mining_text.h"
#include "config/config.h"
#include "scan/app_id.h"
#include "scan/hs_db.h"
#include "scan/hs_scan.h"
#include "base/counters.h"

#ifdef TW_PATTERNS_DIR
#define PATTERNS_DIR TW_PATTERNS_DIR
#else
#define PATTERNS_DIR "patterns"
#endif

extern const struct analyzer stratum_analyzer;

/* ---- stubs of the worker ---- */


/* ---- harness ---- */

static struct hs_db *db;
static struct hs_scanner *scanner;
static struct tw_counters ctr;
static struct tw_config cfg;
static struct an_ctx actx;

struct tflow {
	struct flow f;
	uint8_t st[4096];
};

struct dispatch {
	struct tflow *t;
	enum flow_dir_id dir;
};

static int on_scan_match(void *ctx, uint32_t id, uint64_t end)
{
	struct dispatch *d = ctx;
	const struct analyzer *a = &stratum_analyzer;

	if (id >= a->match_lo && id <= a->match_hi)
		a->on_match(&actx, &d->t->f, d->t->st, d->dir, id, end);
	return 0;
}

static int setup(void **state)
{
	const char *dir = getenv("TW_PATTERNS_DIR");
	char err[512];

	(void)state;
	assert_true(stratum_analyzer.flow_state_size <= sizeof(((struct tflow *)0)->st));
	db = hs_db_load(dir ? dir : PATTERNS_DIR, err, sizeof(err));
	if (!db) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	scanner = hs_scanner_create(db, 4, err, sizeof(err));
	if (!scanner)
		return -1;
	config_defaults(&cfg);
	actx.cfg = &cfg;
	actx.wstate = calloc(1, stratum_analyzer.worker_state_size);
	assert_non_null(actx.wstate);
	assert_int_equal(stratum_analyzer.worker_init(actx.wstate, &cfg), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	stratum_analyzer.worker_fini(actx.wstate);
	free(actx.wstate);
	hs_scanner_destroy(scanner);
	hs_db_free(db);
	return 0;
}

static void tflow_start(struct tflow *t)
{
	memset(t, 0, sizeof(*t));
	t->f.proto = TW_PROTO_TCP;
	t->f.orig_addr.b[10] = t->f.orig_addr.b[11] = 0xff;
	t->f.resp_addr = t->f.orig_addr;
	t->f.orig_addr.b[15] = 2;
	t->f.resp_addr.b[15] = 1;
	t->f.orig_port = 40000;
	t->f.resp_port = 3333;
	t->f.first_ns = 1000000000ull;
	t->f.last_ns = 61000000000ull;
	an_stub_reset();
	stub_app = "jsonrpc";
	stratum_analyzer.on_flow_new(&actx, &t->f, t->st);
}

/* Feeds text as the next bytes of dir, in chunks of seg bytes. */
static void feed(struct tflow *t, enum flow_dir_id dir, const char *text,
		 size_t seg)
{
	struct dispatch d = { t, dir };
	size_t len = strlen(text);

	for (size_t off = 0; off < len; off += seg) {
		size_t n = len - off < seg ? len - off : seg;

		assert_int_equal(hs_scanner_feed(scanner, &t->f.side[dir].stream,
						 (const uint8_t *)text + off,
						 (uint32_t)n, on_scan_match, &d,
						 &ctr), 0);
		t->f.side[dir].stream.inspected += (uint32_t)n;
		stratum_analyzer.on_payload(&actx, &t->f, t->st, dir,
					    (const uint8_t *)text + off,
					    (uint32_t)n, false);
	}
}

static void finish(struct tflow *t)
{
	for (int dir = 0; dir < 2; dir++) {
		struct dispatch d = { t, (enum flow_dir_id)dir };

		hs_scanner_close(scanner, &t->f.side[dir].stream,
				 on_scan_match, &d);
	}
	stratum_analyzer.on_flow_end(&actx, &t->f, t->st, FLOW_END_CLOSED);
}

static const char *detail(const struct finding *f, const char *key)
{
	static char buf[64];

	for (unsigned i = 0; i < f->n_detail; i++) {
		if (strcmp(f->detail[i].key, key) != 0)
			continue;
		if (f->detail[i].type == DETAIL_STR)
			return f->detail[i].v.s;
		if (f->detail[i].type == DETAIL_INT)
			snprintf(buf, sizeof(buf), "%lld",
				 (long long)f->detail[i].v.i);
		else
			snprintf(buf, sizeof(buf), "%.0f", f->detail[i].v.d);
		return buf;
	}
	return NULL;
}

/* ---- sessions ---- */

static const char xmrig_login[] =
	"{\"id\":1,\"jsonrpc\":\"2.0\",\"method\":\"login\",\"params\":"
	"{\"login\":\"44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3A.rig1\","
	"\"pass\":\"x\",\"agent\":\"XMRig/6.21.0 (Linux x86_64) libuv/1.44.2 gcc/12.2.0\","
	"\"algo\":[\"rx/0\"]}}\n";
static const char xmrig_reply[] =
	"{\"id\":1,\"jsonrpc\":\"2.0\",\"error\":null,\"result\":{\"id\":\"a1\","
	"\"job\":{\"blob\":\"0707aabb\",\"job_id\":\"j1\",\"target\":\"b88d0600\","
	"\"algo\":\"rx/0\",\"seed_hash\":\"00ff\"},\"status\":\"OK\"}}\n"
	"{\"jsonrpc\":\"2.0\",\"method\":\"job\",\"params\":{\"blob\":\"0707ccdd\","
	"\"job_id\":\"j2\",\"target\":\"dc460300\",\"seed_hash\":\"00ff\"}}\n";
static const char xmrig_submit[] =
	"{\"id\":2,\"jsonrpc\":\"2.0\",\"method\":\"submit\",\"params\":"
	"{\"id\":\"a1\",\"job_id\":\"j2\",\"nonce\":\"98024001\",\"result\":\"c9be93\"}}\n";

static void run_xmrig(size_t seg)
{
	struct tflow *t = calloc(1, sizeof(*t));
	const struct finding *f;

	tflow_start(t);
	feed(t, FLOW_DIR_ORIG, xmrig_login, seg);
	feed(t, FLOW_DIR_RESP, xmrig_reply, seg);
	feed(t, FLOW_DIR_ORIG, xmrig_submit, seg);
	finish(t);
	assert_int_equal(n_found, 1);
	f = &found[0];
	assert_string_equal(f->kind, "mining.stratum");
	assert_int_equal(f->severity, SEV_HIGH);
	assert_true(f->host_is_orig);
	assert_string_equal(detail(f, "dialect"), "xmrig-cryptonote");
	assert_string_equal(detail(f, "login"), "44AF<redacted>.rig1");
	assert_non_null(strstr(detail(f, "agent"), "XMRig/6.21.0"));
	assert_string_equal(detail(f, "pool"), "0.0.0.1:3333");
	assert_string_equal(detail(f, "jobs"), "2");
	assert_string_equal(detail(f, "shares"), "1");
	assert_string_equal(detail(f, "difficulty"), "20000");
	free(t);
}

static void test_xmrig_session(void **state)
{
	(void)state;
	run_xmrig(4096);
}

static void test_xmrig_in_one_byte_segments(void **state)
{
	(void)state;
	run_xmrig(1);
}

/* Stratum v1 with spaces after ':' and ',' as many miners write it. */
static void test_stratum_v1_session(void **state)
{
	struct tflow *t = calloc(1, sizeof(*t));

	(void)state;
	tflow_start(t);
	feed(t, FLOW_DIR_ORIG,
	     "{\"id\": 1, \"method\": \"mining.subscribe\", \"params\": [\"cgminer/4.10.0\"]}\n"
	     "{\"id\": 2, \"method\": \"mining.authorize\", \"params\": [\"bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh.w1\", \"x\"]}\n", 3);
	feed(t, FLOW_DIR_RESP,
	     "{\"id\":null,\"method\":\"mining.set_difficulty\",\"params\":[512]}\n"
	     "{\"id\":null,\"method\":\"mining.notify\",\"params\":[\"1f\",\"ab\",\"01\",\"02\",[],\"20000000\",\"1d00ffff\",\"5f5e1000\",true]}\n", 7);
	finish(t);
	assert_int_equal(n_found, 1);
	assert_string_equal(detail(&found[0], "dialect"), "stratum-v1");
	assert_string_equal(detail(&found[0], "agent"), "cgminer/4.10.0");
	assert_string_equal(detail(&found[0], "login"), "bc1q<redacted>.w1");
	assert_string_equal(detail(&found[0], "difficulty"), "512");
	assert_string_equal(detail(&found[0], "jobs"), "1");
	free(t);
}

/* EthProxy writes the method last; only pool answers on the other side. */
static void test_ethproxy_method_after_params(void **state)
{
	struct tflow *t = calloc(1, sizeof(*t));

	(void)state;
	tflow_start(t);
	feed(t, FLOW_DIR_ORIG,
	     "{\"worker\": \"eth1.0\", \"jsonrpc\": \"2.0\", \"params\": "
	     "[\"0x9c99d212f7e5daa18ab50810e0fd255d1f04303b.w\", \"x\"], "
	     "\"id\": 2, \"method\": \"eth_submitLogin\"}\n", 5);
	finish(t);
	assert_int_equal(n_found, 1);
	assert_string_equal(detail(&found[0], "dialect"), "ethproxy");
	assert_string_equal(detail(&found[0], "login"), "0x9c<redacted>.w");
	free(t);
}

/* A long session is reported when a direction reaches the inspection
 * limit (still open), and again, final, when the flow ends. */
static void test_reported_while_open(void **state)
{
	struct tflow *t = calloc(1, sizeof(*t));
	static const char notify[] =
		"{\"id\":null,\"method\":\"mining.notify\",\"params\":[\"1f\","
		"\"4d16b6f85af6e2198f44ae2a6de67f78487ae5611b77c6c0440b921e00000000\",true]}\n";

	(void)state;
	tflow_start(t);
	feed(t, FLOW_DIR_ORIG,
	     "{\"id\": 1, \"method\": \"mining.subscribe\", \"params\": [\"bfgminer/5.5\"]}\n",
	     4096);
	for (unsigned sent = 0; sent < cfg.flow.inspect_bytes + 200;
	     sent += sizeof(notify) - 1)
		feed(t, FLOW_DIR_RESP, notify, 4096);
	assert_int_equal(n_found, 1);
	assert_non_null(strstr(found[0].summary, ", open"));
	finish(t);
	assert_int_equal(n_found, 2);
	assert_null(strstr(found[1].summary, ", open"));
	free(t);
}

/* Only the pool's side captured: the miner is the other end. */
static void test_pool_side_only(void **state)
{
	struct tflow *t = calloc(1, sizeof(*t));

	(void)state;
	tflow_start(t);
	feed(t, FLOW_DIR_RESP,
	     "{\"id\":null,\"method\":\"mining.notify\",\"params\":[\"1f\",true]}\n",
	     4096);
	finish(t);
	assert_int_equal(n_found, 1);
	assert_true(found[0].host_is_orig);
	free(t);
}

/* Candidates whose framing does not confirm, and framing without a
 * candidate: nothing is reported. */
static void test_look_alikes_stay_clean(void **state)
{
	static const char *const orig_texts[] = {
		/* the name inside a value, not as the method */
		"{\"jsonrpc\":\"2.0\",\"id\":3,\"result\":\"\\\"method\\\":\\\"mining.subscribe\\\"\"}\n",
		/* no id on a client request */
		"{\"method\":\"mining.subscribe\",\"params\":[]}\n",
		/* a web API's login: no miner params */
		"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"login\",\"params\":{\"user\":\"bob\",\"password\":\"x\"}}\n",
		/* an XMRig-like submit without nonce/result */
		"{\"id\":7,\"method\":\"submit\",\"params\":{\"form\":\"contact\"}}\n",
		/* generic JSON-RPC */
		"{\"jsonrpc\":\"2.0\",\"method\":\"eth_blockNumber\",\"params\":[],\"id\":1}\n",
		/* params outside the object that holds the method */
		"{\"id\":1,\"method\":\"mining.subscribe\"}{\"params\":[]}\n",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(orig_texts) / sizeof(orig_texts[0]); i++) {
		struct tflow *t = calloc(1, sizeof(*t));

		tflow_start(t);
		feed(t, FLOW_DIR_ORIG, orig_texts[i], 2);
		finish(t);
		if (n_found)
			fail_msg("flagged: %s", orig_texts[i]);
		free(t);
	}
}

/* A flow labelled as another protocol is let go at once. */
static void test_other_protocol_let_go(void **state)
{
	struct tflow *t = calloc(1, sizeof(*t));

	(void)state;
	tflow_start(t);
	stub_app = "tls";
	t->f.app = 2;           /* app_id's TLS ClientHello id */
	feed(t, FLOW_DIR_ORIG, xmrig_login, 4096);
	finish(t);
	stub_app = "jsonrpc";
	assert_true(n_payload_done > 0);
	assert_int_equal(n_found, 0);
	free(t);
}

/* getwork in an HTTP POST body, sent in 5-byte segments: the headers
 * are skipped, the body is scanned. */
static void test_getwork_over_http(void **state)
{
	struct tflow *t = calloc(1, sizeof(*t));

	(void)state;
	tflow_start(t);
	stub_app = "http";
	feed(t, FLOW_DIR_ORIG,
	     "POST / HTTP/1.1\r\nHost: pool:8332\r\nUser-Agent: cpuminer/2.5.1\r\n"
	     "X-Mining-Extensions: midstate rollntime\r\nContent-Type: application/json\r\n"
	     "Content-Length: 46\r\n\r\n"
	     "{\"method\": \"getwork\", \"params\": [], \"id\": 0}", 5);
	finish(t);
	stub_app = "jsonrpc";
	assert_int_equal(n_found, 1);
	assert_string_equal(detail(&found[0], "dialect"), "getwork");
	free(t);
}

/* An HTML page that happens to hold the method text: skipped. */
static void test_html_body_skipped(void **state)
{
	struct tflow *t = calloc(1, sizeof(*t));

	(void)state;
	tflow_start(t);
	stub_app = "http";
	feed(t, FLOW_DIR_RESP,
	     "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n"
	     "<html><script>var x = {\"id\": 1, \"method\": \"mining.subscribe\", "
	     "\"params\": []};</script></html>", 4096);
	finish(t);
	stub_app = "jsonrpc";
	assert_int_equal(n_found, 0);
	free(t);
}

/* JSON-RPC without any stratum.hs candidate is let go after
 * mining.scan_window bytes, and its session slot is given back. */
static void test_gives_up_after_window(void **state)
{
	struct tflow *t = calloc(1, sizeof(*t));
	char line[128];

	(void)state;
	tflow_start(t);
	for (int i = 0; i < 40 && !n_payload_done; i++) {
		snprintf(line, sizeof(line),
			 "{\"jsonrpc\":\"2.0\",\"id\":%d,\"method\":\"eth_call\",\"params\":[]}\n",
			 i);
		feed(t, FLOW_DIR_ORIG, line, 4096);
	}
	assert_true(n_payload_done > 0);
	assert_true(t->f.side[FLOW_DIR_ORIG].stream.inspected <
		    cfg.mining.scan_window + 128);
	finish(t);
	assert_int_equal(n_found, 0);
	free(t);
}

/* Mutated sessions and random bytes in random segment sizes: no crash, no
 * read out of bounds (the asan build), captures stay bounded. */
static void test_garbage(void **state)
{
	uint64_t x = 88172645463325252ull;
	char buf[sizeof(xmrig_login) + sizeof(xmrig_reply)];

	(void)state;
	for (int round = 0; round < 300; round++) {
		struct tflow *t = calloc(1, sizeof(*t));
		size_t n = round % 2 ? sizeof(xmrig_login) - 1 :
					sizeof(xmrig_reply) - 1;

		memcpy(buf, round % 2 ? xmrig_login : xmrig_reply, n);
		for (size_t i = 0; i < n; i++) {
			x ^= x << 13; x ^= x >> 7; x ^= x << 17;
			if (round % 3 == 0 || x % 23 == 0)
				buf[i] = (char)(x >> 24);
			if (buf[i] == '\0')
				buf[i] = '{';
		}
		buf[n] = '\0';
		tflow_start(t);
		feed(t, (enum flow_dir_id)(round & 1), buf, 1 + x % 9);
		finish(t);
		assert_true(n_found <= 1);
		free(t);
	}
}

/* ---- capture texts ---- */

static void put_text(struct mtext *m, const char *s)
{
	mtext_clear(m);
	while (*s)
		mtext_put(m, (uint8_t)*s++);
}

static void test_mining_text(void **state)
{
	struct mtext m;
	char out[80];

	(void)state;
	put_text(&m, "t1fAhZF5aUJdY7CikGULHmeYk7id8qmvbAd.rig4");
	mtext_login(&m, true, out, sizeof(out));
	assert_string_equal(out, "t1fA<redacted>.rig4");
	mtext_login(&m, false, out, sizeof(out));
	assert_string_equal(out, "t1fAhZF5aUJdY7Ci<...>.rig4");
	put_text(&m, "averyverylongworker.x");   /* 19 bytes: not a wallet */
	mtext_login(&m, true, out, sizeof(out));
	assert_string_equal(out, "averyverylongwor<...>.x");
	put_text(&m, "kvetak.worker1");
	mtext_login(&m, true, out, sizeof(out));
	assert_string_equal(out, "kvetak.worker1");
	put_text(&m, "dc460300");
	assert_int_equal((int)mtext_target_difficulty(&m), 20000);
	put_text(&m, "0004189374bc6a7ef9db22d0e5604189374bc6a7ef9db22d0e5604189374bc6a");
	assert_int_equal((int)mtext_target_difficulty(&m), 16000);
	put_text(&m, "zz");
	assert_true(mtext_target_difficulty(&m) == 0);
	put_text(&m, "1024");
	assert_true(mtext_number(&m) == 1024);
	put_text(&m, "\x01\x7f");
	mtext_plain(&m, out, sizeof(out));
	assert_string_equal(out, "??");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_xmrig_session),
		cmocka_unit_test(test_xmrig_in_one_byte_segments),
		cmocka_unit_test(test_stratum_v1_session),
		cmocka_unit_test(test_ethproxy_method_after_params),
		cmocka_unit_test(test_reported_while_open),
		cmocka_unit_test(test_pool_side_only),
		cmocka_unit_test(test_look_alikes_stay_clean),
		cmocka_unit_test(test_other_protocol_let_go),
		cmocka_unit_test(test_gives_up_after_window),
		cmocka_unit_test(test_getwork_over_http),
		cmocka_unit_test(test_html_body_skipped),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_mining_text),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
