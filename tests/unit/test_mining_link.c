/* SPDX-License-Identifier: BSD-3-Clause */
/* Pool answer + flow shape -> linked pool connection (mining_link.c via
 * hosts.c): the link is made whichever arrives first, with the same
 * result; it needs the address in the answer, the same host, and a
 * connection inside the answer's window. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <string.h>

#include "config/config.h"
#include "verdict/hosts.h"

#define SEC 1000000000ull

static struct ip_addr ip(const char *s)
{
	struct ip_addr a = { 0 };

	a.b[10] = a.b[11] = 0xff;
	assert_int_equal(inet_pton(AF_INET, s, a.b + 12), 1);
	return a;
}

/* DNS answer: client 10.0.0.5 asked, pool.example resolved to addrs. */
static struct finding answer(const char *addrs, uint64_t t)
{
	struct finding f;

	finding_init(&f, NULL, FK_MINING_POOL_NAME, SEV_MEDIUM);
	f.orig = ip("10.0.0.5");
	f.resp = ip("198.51.100.7");
	f.orig_port = 40000;
	f.proto = 17;
	f.first_ns = f.last_ns = t;
	finding_summary(&f, "DNS answer for mining pool pool.example");
	finding_add_str(&f, "source", "dns-answer");
	finding_add_str(&f, "name", "xmr.pool.example");
	finding_add_str(&f, "pool", "pool.example");
	finding_add_str(&f, "addrs", addrs);
	finding_add_int(&f, "ttl", 60);
	return f;
}

static struct finding beacon(const char *from, const char *to, uint64_t t)
{
	struct finding f;

	finding_init(&f, NULL, FK_FLOW_BEACON, SEV_LOW);
	f.orig = ip(from);
	f.resp = ip(to);
	f.orig_port = 41000;
	f.resp_port = 8443;
	f.proto = 6;
	f.first_ns = t;
	f.last_ns = t + 900 * SEC;
	finding_summary(&f, "in-flow beacon");
	return f;
}

static const struct host_finding *linked(const struct host *h)
{
	for (uint32_t i = 0; i < h->n_findings; i++) {
		const struct finding *f = &h->findings[i].f;

		if (strcmp(f->kind, "mining.pool_name") == 0 &&
		    f->severity == SEV_HIGH)
			return &h->findings[i];
	}
	return NULL;
}

static struct hosts *make(void)
{
	struct tw_config cfg;

	config_defaults(&cfg);
	return hosts_create(&cfg);
}

static void test_either_order_links_the_same(void **state)
{
	struct finding a = answer("203.0.113.9,198.51.100.7", 100 * SEC);
	struct finding b = beacon("10.0.0.5", "198.51.100.7", 105 * SEC);
	struct hosts *h1 = make(), *h2 = make();
	const struct host_finding *l1, *l2;

	(void)state;
	hosts_apply_finding(h1, &a);
	hosts_apply_finding(h1, &b);
	hosts_apply_finding(h2, &b);
	hosts_apply_finding(h2, &a);
	l1 = linked(hosts_find(h1, &a.orig));
	l2 = linked(hosts_find(h2, &a.orig));
	assert_non_null(l1);
	assert_non_null(l2);
	assert_string_equal(l1->f.summary, l2->f.summary);
	assert_int_equal(l1->peer_port, 8443);
	assert_memory_equal(&l1->peer, &b.resp, sizeof(b.resp));
	assert_non_null(strstr(l1->f.summary, "xmr.pool.example"));
	assert_int_equal(hosts_find(h1, &a.orig)->verdict, VERDICT_ALERT);
	hosts_destroy(h1);
	hosts_destroy(h2);
}

static void test_no_link_without_match(void **state)
{
	struct hosts *h = make();
	struct finding a = answer("198.51.100.7", 100 * SEC);
	struct finding other = beacon("10.0.0.5", "198.51.100.70", 105 * SEC);
	struct finding late = beacon("10.0.0.5", "198.51.100.7", 2000 * SEC);
	struct finding before = beacon("10.0.0.5", "198.51.100.7", 10 * SEC);
	struct finding elsewhere = beacon("10.0.0.6", "198.51.100.7", 105 * SEC);

	(void)state;
	hosts_apply_finding(h, &a);
	hosts_apply_finding(h, &other);      /* another address */
	hosts_apply_finding(h, &late);       /* after the window */
	hosts_apply_finding(h, &before);     /* before the lookup */
	hosts_apply_finding(h, &elsewhere);  /* another host */
	assert_null(linked(hosts_find(h, &a.orig)));
	assert_null(linked(hosts_find(h, &elsewhere.orig)));
	hosts_destroy(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_either_order_links_the_same),
		cmocka_unit_test(test_no_link_without_match),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
