/* SPDX-License-Identifier: BSD-3-Clause */
/* DNS label classification (hex, base32, base64, binary, plain) on the
 * names real tunnels and real services use, and the per-domain table
 * (keys, LRU eviction, distinct-name estimate). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "analyzers/dns_tunnel/dns_domains.h"
#include "analyzers/dns_tunnel/dns_label.h"

static enum dns_label_kind kind(const char *label)
{
	struct dns_label_class c;

	dns_label_classify(label, strlen(label), 12, &c);
	return c.kind;
}

static void test_tunnel_labels(void **state)
{
	(void)state;
	/* dnscat2 */
	assert_int_equal(kind("147901b8d3df9cc46c59d600078b3316ce"),
			 DNS_LABEL_HEX);
	/* iodine, base32 downstream handshake */
	assert_int_equal(kind("laczi1dwmfbaywb0fm5xhkrgz0heotzq"),
			 DNS_LABEL_BASE32);
	/* dns2tcp */
	assert_int_equal(kind("oneFgAABADc0QUU3NjcyN0I4OUEzRENFQzg3OEE4QzEzQUI1"),
			 DNS_LABEL_BASE64);
	assert_int_equal(kind("AyNTYsZWNkaC1zaGEy+blUlhWmPH7L/5c"),
			 DNS_LABEL_BASE64);
	/* raw bytes, written as '?' by the parser */
	assert_int_equal(kind("z0pjaA-La-fl?te-na?ve"), DNS_LABEL_BINARY);
	assert_string_equal(dns_label_kind_name(DNS_LABEL_HEX), "hex");
	assert_string_equal(dns_label_kind_name(DNS_LABEL_KIND_COUNT),
			    "unknown");
}

static void test_ordinary_labels(void **state)
{
	(void)state;
	assert_int_equal(kind("www"), DNS_LABEL_PLAIN);
	assert_int_equal(kind("41-courier"), DNS_LABEL_PLAIN);
	assert_int_equal(kind("configuration"), DNS_LABEL_PLAIN);
	assert_int_equal(kind("outlook-namsouth"), DNS_LABEL_PLAIN);
	assert_int_equal(kind("r4---sn-4g5e6nz7"), DNS_LABEL_PLAIN);
	assert_int_equal(kind("_domainkey"), DNS_LABEL_PLAIN);
	assert_int_equal(kind("dnscrypt-cert"), DNS_LABEL_PLAIN);
	assert_int_equal(kind("alt2-mtalk"), DNS_LABEL_PLAIN);
	assert_int_equal(kind("safebrowsing"), DNS_LABEL_PLAIN);
	assert_int_equal(kind("ec2-54-144-215-114"), DNS_LABEL_PLAIN);
	/* short labels are never judged, whatever they hold */
	assert_int_equal(kind("a1b2c3d4"), DNS_LABEL_PLAIN);
}

static void test_name_classify(void **state)
{
	const char *n = "oncAAAACCFNTSC0yLjAtT3BlblNTSF84LjlwMSBVYnVudHU.K.dns2tcp.hsc.fr";
	struct dns_name_class c;

	(void)state;
	/* subdomain part: everything left of ".hsc.fr" */
	dns_name_classify(n, strlen(n) - strlen(".hsc.fr"), 12, &c);
	assert_int_equal(c.kind, DNS_LABEL_BASE64);
	assert_int_equal(c.label_len, 47);
	assert_int_equal(c.sub_labels, 3);
	dns_name_classify("www.example.com", 3, 12, &c);
	assert_int_equal(c.kind, DNS_LABEL_PLAIN);
	assert_int_equal(c.longest_label, 3);
	dns_name_classify("example.com", 0, 12, &c);
	assert_int_equal(c.sub_labels, 0);
}

static void test_domains_table(void **state)
{
	struct ip_addr a, b, s;
	struct dns_domains *t = dns_domains_create(2);
	bool ev;
	struct dns_domain *d1, *d2;
	char name[32];

	(void)state;
	assert_non_null(t);
	assert_int_equal(ip_addr_parse("10.0.0.1", &a), 0);
	assert_int_equal(ip_addr_parse("10.0.0.2", &b), 0);
	assert_int_equal(ip_addr_parse("10.0.0.53", &s), 0);
	d1 = dns_domains_get(t, &a, &s, "example.com", 1, &ev);
	d1->queries = 7;
	assert_ptr_equal(dns_domains_get(t, &a, &s, "example.com", 2, &ev), d1);
	d2 = dns_domains_get(t, &b, &s, "example.com", 3, &ev);
	assert_ptr_not_equal(d2, d1);
	assert_int_equal(d2->queries, 0);
	/* full: the least recently used (a, example.com) goes */
	dns_domains_get(t, &b, &s, "example.com", 4, &ev);
	dns_domains_get(t, &a, &s, "other.org", 5, &ev);
	assert_int_equal(dns_domains_get(t, &a, &s, "example.com", 6, &ev)->queries,
			 0);
	/* distinct names: exact while small, duplicates not counted */
	for (int i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "n%d.example.com", i % 20);
		dns_domain_note_name(d1, dns_text_hash(name, strlen(name)));
	}
	assert_in_range(dns_domain_unique(d1), 19, 21);
	for (int i = 0; i < 300; i++) {
		snprintf(name, sizeof(name), "m%d.example.com", i);
		dns_domain_note_name(d1, dns_text_hash(name, strlen(name)));
	}
	assert_in_range(dns_domain_unique(d1), 280, 360);
	{
		struct dns_domains_stats st;

		dns_domains_stats(t, &st);
		assert_int_equal(st.evicted, 2);
		assert_int_equal(st.used, 2);
		assert_int_equal(st.capacity, 2);
	}
	dns_domains_destroy(t);
}

/* A flood of distinct names reads as its size (HyperLogLog), not as the
 * ceiling of a bitmap (3,194 for a million names before). */
static void test_unique_names_under_a_flood(void **state)
{
	struct dns_domains *t = dns_domains_create(4);
	bool ev;
	struct ip_addr a, s;
	struct dns_domain *d;
	char name[48];
	static const uint32_t checks[] = { 1000, 5000, 50000, 1000000 };
	unsigned next = 0;

	(void)state;
	assert_int_equal(ip_addr_parse("10.0.0.1", &a), 0);
	assert_int_equal(ip_addr_parse("10.0.0.53", &s), 0);
	d = dns_domains_get(t, &a, &s, "flood.example", 1, &ev);
	for (uint32_t i = 1; i <= 1000000; i++) {
		int n = snprintf(name, sizeof(name), "%08x.flood.example", i);

		dns_domain_note_name(d, dns_text_hash(name, (size_t)n));
		if (i == checks[next]) {
			uint32_t u = dns_domain_unique(d);

			/* 4.6 % standard error: within 15 % always */
			assert_in_range(u, i - i * 15 / 100, i + i * 15 / 100);
			next++;
		}
	}
	assert_int_equal(next, 4);
	/* repeats add nothing */
	for (uint32_t i = 1; i <= 1000; i++) {
		int n = snprintf(name, sizeof(name), "%08x.flood.example", i);
		uint32_t before = dns_domain_unique(d);

		dns_domain_note_name(d, dns_text_hash(name, (size_t)n));
		assert_int_equal(dns_domain_unique(d), before);
	}
	dns_domains_destroy(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tunnel_labels),
		cmocka_unit_test(test_unique_names_under_a_flood),
		cmocka_unit_test(test_ordinary_labels),
		cmocka_unit_test(test_name_classify),
		cmocka_unit_test(test_domains_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
