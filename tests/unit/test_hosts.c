/* SPDX-License-Identifier: BSD-3-Clause */
/* The host table: which side is the host, how findings merge, that the
 * result does not depend on arrival order, scoring, bounds and order. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "verdict/hosts.h"
#include "verdict/prevalence.h"

#define T0 1700000000000000000ull
#define SEC 1000000000ull

static void cfg_small(struct tw_config *cfg, uint32_t max_hosts,
		      uint32_t max_findings)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->hosts.max_hosts = max_hosts;
	cfg->hosts.max_findings_per_host = max_findings;
	cfg->hosts.suspicious_score = 40;
	cfg->hosts.alert_score = 70;
}

static struct ip_addr ip(const char *s)
{
	struct ip_addr a;

	assert_int_equal(ip_addr_parse(s, &a), 0);
	return a;
}

static void add_home(struct tw_config *cfg, const char *prefix)
{
	struct prefix_list *l = &cfg->hosts.home_net;

	assert_int_equal(ip_prefix_parse(prefix, &l->p[l->n]), 0);
	l->n++;
}

static struct finding mk(const char *kind, enum severity sev,
			 const char *orig, uint16_t oport, const char *resp,
			 uint16_t rport, uint64_t first, uint64_t last,
			 const char *summary)
{
	struct finding f;

	assert_int_not_equal(finding_kind_by_name(kind), FK_COUNT);
	finding_init(&f, NULL, finding_kind_by_name(kind), sev);
	f.orig = ip(orig);
	f.resp = ip(resp);
	f.orig_port = oport;
	f.resp_port = rport;
	f.proto = 6;
	f.first_ns = first;
	f.last_ns = last;
	finding_summary(&f, "%s", summary);
	return f;
}

static const struct host *find(struct hosts *h, const char *s)
{
	struct ip_addr a = ip(s);

	return hosts_find(h, &a);
}

/* Every field a report shows, in hosts_sorted order, as text. */
static void dump(struct hosts *h, char *out, size_t size)
{
	const struct host *list[64];
	unsigned n = hosts_sorted(h, list, 64, true);
	size_t used = 0;
	char a[64], b[64], fam[64];

	out[0] = '\0';
	for (unsigned i = 0; i < n; i++) {
		const struct host *hst = list[i];

		used += snprintf(out + used, size - used,
				 "%s score=%u v=%u n=%u %llu-%llu [%s]\n",
				 ip_addr_format(&hst->ip, a, sizeof(a)),
				 hst->score, hst->verdict, hst->n_findings,
				 (unsigned long long)hst->first_ns,
				 (unsigned long long)hst->last_ns,
				 host_families(hst, fam, sizeof(fam)));
		for (unsigned j = 0; j < hst->n_findings; j++) {
			const struct host_finding *hf = &hst->findings[j];

			used += snprintf(out + used, size - used,
				" %s sev=%u peer=%s:%u orig=%s c=%u %llu-%llu"
				" hio=%u fid=%llu '%s' d=%u\n",
				hf->f.kind, hf->f.severity,
				ip_addr_format(&hf->peer, a, sizeof(a)),
				hf->peer_port,
				ip_addr_format(&hf->f.orig, b, sizeof(b)),
				hf->f.count,
				(unsigned long long)hf->f.first_ns,
				(unsigned long long)hf->f.last_ns,
				hf->host_is_orig,
				(unsigned long long)hf->f.flow_id,
				hf->f.summary, hf->f.n_detail);
			assert_true(used < size);
		}
	}
}

static void test_side_without_home_net(void **state)
{
	struct tw_config cfg;
	struct hosts *h;
	struct finding f;

	(void)state;
	cfg_small(&cfg, 16, 8);
	h = hosts_create(&cfg);
	assert_non_null(h);
	f = mk("ssh.reverse_session", SEV_HIGH, "10.0.0.5", 40000,
	       "198.51.100.7", 22, T0, T0 + SEC, "x");
	assert_int_equal(hosts_apply_finding(h, &f), 1);
	assert_non_null(find(h, "10.0.0.5"));
	assert_null(find(h, "198.51.100.7"));
	/* The analyzer may name the responder. */
	f.host_is_orig = 0;
	assert_int_equal(hosts_apply_finding(h, &f), 0);
	assert_non_null(find(h, "198.51.100.7"));
	assert_int_equal(find(h, "198.51.100.7")->findings[0].peer_port,
			 40000);
	hosts_destroy(h);
}

static void test_side_with_home_net(void **state)
{
	struct tw_config cfg;
	struct hosts *h;
	struct finding out_in, both, neither;
	const struct host *hst;

	(void)state;
	cfg_small(&cfg, 16, 8);
	add_home(&cfg, "10.0.0.0/8");
	add_home(&cfg, "fd00::/8");
	h = hosts_create(&cfg);
	assert_non_null(h);
	/* Outside originator, inside responder: the inside side wins over
	 * the analyzer's choice. */
	out_in = mk("mining.stratum", SEV_HIGH, "198.51.100.7", 3333,
		    "10.1.2.3", 50000, T0, T0, "x");
	assert_int_equal(hosts_apply_finding(h, &out_in), 0);
	hst = find(h, "10.1.2.3");
	assert_non_null(hst);
	assert_int_equal(hst->findings[0].peer_port, 3333);
	assert_int_equal(hst->findings[0].host_is_orig, 0);
	assert_null(find(h, "198.51.100.7"));
	/* Both inside: the analyzer's choice. */
	both = mk("ssh.role_inversion", SEV_MEDIUM, "10.9.9.9", 1, "fd00::1",
		  22, T0, T0, "x");
	both.host_is_orig = 0;
	assert_int_equal(hosts_apply_finding(h, &both), 0);
	assert_non_null(find(h, "fd00::1"));
	assert_null(find(h, "10.9.9.9"));
	/* Neither inside: the analyzer's choice too. */
	neither = mk("flow.beacon", SEV_LOW, "192.0.2.1", 1, "192.0.2.2", 80,
		     T0, T0, "x");
	assert_int_equal(hosts_apply_finding(h, &neither), 1);
	assert_non_null(find(h, "192.0.2.1"));
	hosts_destroy(h);
}

static void test_merge_rules(void **state)
{
	struct tw_config cfg;
	struct hosts *h;
	struct finding a, b, c, other_port;
	const struct host *hst;

	(void)state;
	cfg_small(&cfg, 16, 8);
	h = hosts_create(&cfg);
	a = mk("flow.beacon", SEV_LOW, "10.0.0.5", 40000, "203.0.113.9", 443,
	       T0 + 10 * SEC, T0 + 20 * SEC, "weak early");
	a.count = 3;
	b = mk("flow.beacon", SEV_MEDIUM, "10.0.0.5", 40001, "203.0.113.9",
	       443, T0 + 15 * SEC, T0 + 18 * SEC, "strong");
	finding_add_int(&b, "events", 42);
	b.flow_id = 9;
	c = mk("flow.beacon", SEV_LOW, "10.0.0.5", 40002, "203.0.113.9", 443,
	       T0 + 5 * SEC, T0 + 30 * SEC, "weak late");
	other_port = mk("flow.beacon", SEV_LOW, "10.0.0.5", 40003,
			"203.0.113.9", 8443, T0, T0, "other port");
	hosts_apply_finding(h, &a);
	hosts_apply_finding(h, &b);
	hosts_apply_finding(h, &c);
	hosts_apply_finding(h, &other_port);
	hst = find(h, "10.0.0.5");
	assert_non_null(hst);
	assert_int_equal(hst->n_findings, 2);
	/* Sorted: medium first. */
	assert_int_equal(hst->findings[0].peer_port, 443);
	assert_int_equal(hst->findings[0].f.count, 5);
	assert_int_equal(hst->findings[0].f.first_ns, T0 + 5 * SEC);
	assert_int_equal(hst->findings[0].f.last_ns, T0 + 30 * SEC);
	assert_int_equal(hst->findings[0].f.severity, SEV_MEDIUM);
	assert_string_equal(hst->findings[0].f.summary, "strong");
	assert_int_equal(hst->findings[0].f.n_detail, 1);
	assert_int_equal(hst->findings[0].f.flow_id, 9);
	assert_int_equal(hst->findings[1].peer_port, 8443);
	assert_int_equal(hst->first_ns, T0);
	assert_int_equal(hst->last_ns, T0 + 30 * SEC);
	hosts_destroy(h);
}

static void test_merge_ties(void **state)
{
	struct tw_config cfg;
	struct hosts *h;
	struct finding early, late, late_b;
	const struct host *hst;

	(void)state;
	cfg_small(&cfg, 16, 8);
	h = hosts_create(&cfg);
	/* Same severity: the later report's detail is kept... */
	early = mk("dns.tunnel", SEV_MEDIUM, "10.0.0.5", 5353, "192.0.2.53",
		   53, T0, T0 + 50 * SEC, "zzz early");
	late = mk("dns.tunnel", SEV_MEDIUM, "10.0.0.5", 5354, "192.0.2.53",
		  53, T0 + SEC, T0 + 60 * SEC, "aaa late");
	hosts_apply_finding(h, &late);
	hosts_apply_finding(h, &early);
	hst = find(h, "10.0.0.5");
	assert_string_equal(hst->findings[0].f.summary, "aaa late");
	/* ...and on a time tie, the larger summary. */
	late_b = late;
	finding_summary(&late_b, "bbb late");
	hosts_apply_finding(h, &late_b);
	assert_string_equal(hst->findings[0].f.summary, "bbb late");
	hosts_apply_finding(h, &late);
	assert_string_equal(hst->findings[0].f.summary, "bbb late");
	assert_int_equal(hst->findings[0].f.count, 4);
	hosts_destroy(h);
}

static struct finding order_set[16];
static unsigned order_n;

static void build_order_set(void)
{
	struct finding *s = order_set;

	order_n = 0;
	s[order_n++] = mk("ssh.reverse_session", SEV_HIGH, "10.0.0.5", 40000,
			  "198.51.100.7", 22, T0, T0 + 100 * SEC, "rev 1");
	s[order_n++] = mk("ssh.reverse_session", SEV_HIGH, "10.0.0.5", 40010,
			  "198.51.100.7", 22, T0 + SEC, T0 + 90 * SEC, "rev 2");
	s[order_n++] = mk("ssh.reverse_session", SEV_MEDIUM, "10.0.0.5",
			  40020, "198.51.100.7", 22, T0 + 2 * SEC,
			  T0 + 200 * SEC, "rev 3 later but weaker");
	s[order_n++] = mk("flow.beacon", SEV_LOW, "10.0.0.5", 41000,
			  "203.0.113.1", 443, T0, T0 + 10 * SEC, "b");
	s[order_n++] = mk("flow.beacon", SEV_LOW, "10.0.0.5", 41001,
			  "203.0.113.1", 443, T0, T0 + 10 * SEC, "a");
	s[order_n++] = mk("flow.beacon", SEV_LOW, "10.0.0.6", 41001,
			  "203.0.113.1", 443, T0, T0 + 10 * SEC, "a");
	s[order_n++] = mk("mining.stratum", SEV_HIGH, "10.0.0.6", 41002,
			  "203.0.113.2", 3333, T0 + 3 * SEC, T0 + 4 * SEC,
			  "stratum");
	s[order_n++] = mk("dns.tunnel", SEV_MEDIUM, "10.0.0.7", 5000,
			  "192.0.2.53", 53, T0, T0 + SEC, "dns x");
	s[order_n++] = mk("dns.tunnel", SEV_MEDIUM, "10.0.0.7", 5001,
			  "192.0.2.53", 53, T0, T0 + SEC, "dns y");
	s[order_n++] = mk("icmp.tunnel", SEV_MEDIUM, "10.0.0.7", 7,
			  "192.0.2.99", 7, T0 + 5 * SEC, T0 + 6 * SEC, "icmp");
	for (unsigned i = 0; i < order_n; i++)
		s[i].flow_id = 100 + i;
	finding_add_int(&s[7], "labels", 7);
	finding_add_int(&s[8], "labels", 8);
}

static void apply_in_order(struct hosts *h, const unsigned *perm)
{
	for (unsigned i = 0; i < order_n; i++)
		hosts_apply_finding(h, &order_set[perm[i]]);
}

static void test_order_independence(void **state)
{
	static char want[8192], got[8192];
	struct tw_config cfg;
	unsigned perm[16];
	uint32_t rng = 12345;
	struct hosts *h;

	(void)state;
	cfg_small(&cfg, 16, 8);
	build_order_set();
	for (unsigned i = 0; i < order_n; i++)
		perm[i] = i;
	h = hosts_create(&cfg);
	apply_in_order(h, perm);
	dump(h, want, sizeof(want));
	hosts_destroy(h);
	assert_non_null(strstr(want, "'rev 1'"));
	assert_null(strstr(want, "'rev 3"));
	for (int round = 0; round < 200; round++) {
		/* Fisher-Yates with a fixed LCG: reproducible shuffles. */
		for (unsigned i = order_n - 1; i > 0; i--) {
			unsigned j, t;

			rng = rng * 1103515245u + 12345u;
			j = (rng >> 16) % (i + 1);
			t = perm[i];
			perm[i] = perm[j];
			perm[j] = t;
		}
		h = hosts_create(&cfg);
		apply_in_order(h, perm);
		dump(h, got, sizeof(got));
		hosts_destroy(h);
		assert_string_equal(got, want);
	}
}

struct score_case {
	enum severity sev[3];
	const char *kind[3];
	unsigned n;
	uint32_t score;
	enum verdict verdict;
};

/* The report's raised_by: what made the score, the fusion marked. */
static void test_raised_by(void **state)
{
	struct tw_config cfg;
	struct hosts *h;
	struct finding a, b;
	const struct host *hst;

	(void)state;
	cfg_small(&cfg, 16, 8);
	h = hosts_create(&cfg);
	a = mk("icmp.tunnel", SEV_MEDIUM, "10.0.0.5", 0, "192.0.2.1", 0, T0,
	       T0, "odd echoes");
	b = mk("flow.long_lived_low_byte", SEV_LOW, "10.0.0.5", 1000,
	       "192.0.2.1", 0, T0, T0, "long");
	hosts_apply_finding(h, &a);
	hst = find(h, "10.0.0.5");
	assert_string_equal(hst->raised_by, "icmp.tunnel medium +45");
	hosts_apply_finding(h, &b);
	assert_int_equal(hst->score, 70);
	assert_string_equal(hst->raised_by,
			    "icmp.tunnel medium +45;"
			    "flow.long_lived_low_byte low +25 corroborates");
	hosts_destroy(h);
}

static void test_scoring_table(void **state)
{
	static const struct score_case cases[] = {
		{ { SEV_INFO }, { "evasion.tcp_overlap" }, 1, 0,
		  VERDICT_CLEAN },
		{ { SEV_LOW }, { "flow.beacon" }, 1, 15, VERDICT_CLEAN },
		{ { SEV_MEDIUM }, { "flow.beacon" }, 1, 45,
		  VERDICT_SUSPICIOUS },
		{ { SEV_HIGH }, { "ssh.reverse_session" }, 1, 75,
		  VERDICT_ALERT },
		{ { SEV_MEDIUM, SEV_MEDIUM }, { "flow.beacon", "dns.tunnel" },
		  2, 70, VERDICT_ALERT },
		{ { SEV_MEDIUM, SEV_MEDIUM }, { "flow.beacon", "flow.long_lived_low_byte" }, 2,
		  45, VERDICT_SUSPICIOUS },
		{ { SEV_MEDIUM, SEV_LOW }, { "flow.beacon", "dns.tunnel" }, 2,
		  55, VERDICT_SUSPICIOUS },
		{ { SEV_LOW, SEV_LOW }, { "flow.beacon", "dns.tunnel" }, 2, 25,
		  VERDICT_CLEAN },
		{ { SEV_LOW, SEV_INFO }, { "flow.beacon", "evasion.tcp_overlap" }, 2, 15,
		  VERDICT_CLEAN },
		{ { SEV_HIGH, SEV_MEDIUM, SEV_HIGH },
		  { "ssh.nonstandard_port", "dns.tunnel", "mining.stratum" }, 3, 100,
		  VERDICT_ALERT },
		{ { SEV_LOW, SEV_LOW, SEV_LOW },
		  { "flow.beacon", "dns.tunnel", "icmp.tunnel" }, 3, 35,
		  VERDICT_CLEAN },
		/* fusion: a flow finding corroborates a covert channel */
		{ { SEV_MEDIUM, SEV_LOW },
		  { "tunnel.service", "flow.long_lived_low_byte" }, 2, 70,
		  VERDICT_ALERT },
		{ { SEV_LOW, SEV_MEDIUM }, { "flow.beacon", "dns.tunnel" }, 2,
		  70, VERDICT_ALERT },
		{ { SEV_MEDIUM, SEV_LOW }, { "ssh.nonstandard_port", "flow.beacon" }, 2, 55,
		  VERDICT_SUSPICIOUS },
	};
	struct tw_config cfg;

	(void)state;
	cfg_small(&cfg, 16, 8);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct hosts *h = hosts_create(&cfg);
		const struct host *hst;

		for (unsigned j = 0; j < cases[i].n; j++) {
			struct finding f = mk(cases[i].kind[j],
					      cases[i].sev[j], "10.0.0.5",
					      1000, "192.0.2.1",
					      (uint16_t)(100 + j), T0, T0,
					      "s");

			hosts_apply_finding(h, &f);
		}
		hst = find(h, "10.0.0.5");
		assert_non_null(hst);
		if (hst->score != cases[i].score ||
		    hst->verdict != cases[i].verdict)
			fail_msg("case %zu: score %u verdict %s, want %u %s",
				 i, hst->score,
				 verdict_name((enum verdict)hst->verdict),
				 cases[i].score,
				 verdict_name(cases[i].verdict));
		hosts_destroy(h);
	}
}

static void add(struct hosts *h, const char *addr, enum severity sev,
		uint64_t t)
{
	struct finding f = mk("flow.beacon", sev, addr, 1, "192.0.2.1", 443,
			      t, t, "s");

	hosts_apply_finding(h, &f);
}

static void seen(struct hosts *h, const char *addr, uint64_t t)
{
	struct ip_addr a = ip(addr);

	hosts_note_seen(h, &a, t);
}

static uint64_t evicted(struct hosts *h, int rank)
{
	struct hosts_evictions ev;

	hosts_evictions(h, &ev);
	return rank < 0 ? ev.idle : ev.by_rank[rank];
}

/* A full table gives up the least important host, least recently updated
 * first, and never one that ranks above the newcomer. */
static void test_table_full(void **state)
{
	struct tw_config cfg;
	struct hosts *h;

	(void)state;
	cfg_small(&cfg, 4, 2);
	h = hosts_create(&cfg);
	add(h, "10.0.0.1", SEV_HIGH, T0);
	add(h, "10.0.0.2", SEV_MEDIUM, T0);
	add(h, "10.0.0.3", SEV_LOW, T0);
	seen(h, "10.0.0.4", T0);
	add(h, "10.0.0.5", SEV_LOW, T0);     /* takes the clean one's slot */
	assert_null(find(h, "10.0.0.4"));
	assert_int_equal(evicted(h, HOST_RANK_CLEAN), 1);
	assert_false(hosts_lost_findings(h));
	add(h, "10.0.0.6", SEV_MEDIUM, T0);  /* the oldest low one goes */
	assert_null(find(h, "10.0.0.3"));
	assert_non_null(find(h, "10.0.0.5"));
	assert_true(hosts_lost_findings(h));
	seen(h, "10.9.9.9", T0);             /* nothing ranks that low */
	add(h, "10.0.0.7", SEV_INFO, T0);
	assert_null(find(h, "10.9.9.9"));
	assert_null(find(h, "10.0.0.7"));
	assert_int_equal(hosts_dropped(h), 2);
	add(h, "10.0.0.8", SEV_HIGH, T0);    /* low .5, then medium .2 */
	add(h, "10.0.0.9", SEV_HIGH, T0);
	assert_null(find(h, "10.0.0.5"));
	assert_null(find(h, "10.0.0.2"));
	assert_non_null(find(h, "10.0.0.6"));
	add(h, "10.0.0.1", SEV_LOW, T0 + 1); /* .1 is now the most recent */
	add(h, "10.0.0.10", SEV_MEDIUM, T0); /* equal rank: the older medium */
	assert_null(find(h, "10.0.0.6"));
	add(h, "10.0.0.11", SEV_LOW, T0);    /* below the medium: refused */
	assert_null(find(h, "10.0.0.11"));
	add(h, "10.0.0.12", SEV_HIGH, T0);   /* the medium, then .8 */
	add(h, "10.0.0.13", SEV_HIGH, T0);
	assert_null(find(h, "10.0.0.10"));
	assert_null(find(h, "10.0.0.8"));
	assert_non_null(find(h, "10.0.0.1"));
	assert_non_null(find(h, "10.0.0.9"));
	assert_int_equal(hosts_count(h), 4);
	assert_int_equal(hosts_dropped(h), 3);
	assert_int_equal(evicted(h, HOST_RANK_LOW), 2);
	assert_int_equal(evicted(h, HOST_RANK_MEDIUM), 3);
	assert_int_equal(evicted(h, HOST_RANK_HIGH), 1);
	assert_int_equal(evicted(h, -1), 0);
	assert_true(hosts_memory(h) >= 4 * 2 * sizeof(struct host_finding));
	hosts_destroy(h);
}

/* Clean hosts idle past hosts.idle_timeout go before any other. */
static void test_idle_clean_hosts_go_first(void **state)
{
	struct tw_config cfg;
	struct hosts *h;

	(void)state;
	cfg_small(&cfg, 4, 2);
	cfg.hosts.idle_ns = 100 * SEC;
	h = hosts_create(&cfg);
	add(h, "10.0.0.1", SEV_LOW, T0);          /* clean: score 15 */
	seen(h, "10.0.0.2", T0 + 50 * SEC);
	add(h, "10.0.0.3", SEV_MEDIUM, T0);
	add(h, "10.0.0.4", SEV_MEDIUM, T0 + 120 * SEC);
	add(h, "10.0.0.5", SEV_MEDIUM, T0 + 121 * SEC);
	assert_null(find(h, "10.0.0.1"));         /* idle 121 s: first */
	assert_non_null(find(h, "10.0.0.2"));     /* idle 71 s */
	assert_int_equal(evicted(h, -1), 1);
	add(h, "10.0.0.6", SEV_MEDIUM, T0 + 160 * SEC);
	assert_null(find(h, "10.0.0.2"));
	assert_int_equal(evicted(h, -1), 2);
	add(h, "10.0.0.7", SEV_MEDIUM, T0 + 161 * SEC); /* suspicious .3 */
	assert_null(find(h, "10.0.0.3"));
	assert_int_equal(evicted(h, -1), 2);
	assert_int_equal(evicted(h, HOST_RANK_MEDIUM), 1);
	hosts_destroy(h);
}

static void test_findings_full_keeps_strongest(void **state)
{
	struct tw_config cfg;
	struct hosts *h;
	const struct host *hst;

	(void)state;
	cfg_small(&cfg, 4, 2);
	h = hosts_create(&cfg);
	for (uint16_t p = 1; p <= 5; p++) {
		struct finding f = mk("flow.beacon", SEV_LOW, "10.0.0.5", 1,
				      "192.0.2.1", p, T0, T0 + p, "low");

		hosts_apply_finding(h, &f);
	}
	{
		struct finding f = mk("ssh.reverse_session", SEV_HIGH,
				      "10.0.0.5", 1, "192.0.2.2", 22, T0, T0,
				      "high");

		hosts_apply_finding(h, &f);
	}
	hst = find(h, "10.0.0.5");
	assert_int_equal(hst->n_findings, 2);
	assert_int_equal(hst->findings_dropped, 4);
	assert_string_equal(hst->findings[0].f.kind, "ssh.reverse_session");
	/* The latest low one survives beside it. */
	assert_int_equal(hst->findings[1].peer_port, 5);
	assert_int_equal(hst->verdict, VERDICT_ALERT);
	hosts_destroy(h);
}

static void test_reset(void **state)
{
	struct tw_config cfg;
	struct hosts *h;
	struct finding f;
	struct ip_addr a = ip("10.0.0.5"), unknown = ip("10.0.0.99");

	(void)state;
	cfg_small(&cfg, 2, 2);
	h = hosts_create(&cfg);
	f = mk("flow.beacon", SEV_MEDIUM, "10.0.0.5", 1, "192.0.2.1", 443, T0,
	       T0, "s");
	hosts_apply_finding(h, &f);
	f = mk("flow.beacon", SEV_MEDIUM, "10.0.0.6", 1, "192.0.2.1", 443, T0,
	       T0, "s");
	hosts_apply_finding(h, &f);
	assert_int_equal(hosts_count(h), 2);
	assert_int_equal(hosts_reset(h, &unknown), -1);
	assert_int_equal(hosts_reset(h, &a), 0);
	assert_null(hosts_find(h, &a));
	assert_non_null(find(h, "10.0.0.6"));
	assert_int_equal(hosts_count(h), 1);
	assert_int_equal(hosts_reset(h, &a), -1);
	/* The freed entry is reused, and starts empty. */
	f = mk("dns.tunnel", SEV_LOW, "10.0.0.7", 1, "192.0.2.1", 53, T0, T0,
	       "s");
	hosts_apply_finding(h, &f);
	assert_int_equal(hosts_count(h), 2);
	assert_int_equal(hosts_dropped(h), 0);
	assert_int_equal(find(h, "10.0.0.7")->n_findings, 1);
	assert_int_equal(find(h, "10.0.0.7")->score, 15);
	hosts_destroy(h);
}

static void test_sorting_and_all(void **state)
{
	struct tw_config cfg;
	struct hosts *h;
	const struct host *list[8];
	struct ip_addr seen = ip("10.0.0.1");
	struct finding f;
	char a[64];
	unsigned n;

	(void)state;
	cfg_small(&cfg, 8, 8);
	h = hosts_create(&cfg);
	f = mk("flow.beacon", SEV_MEDIUM, "10.0.0.9", 1, "192.0.2.1", 443,
	       T0 + 5, T0 + 5, "s");
	hosts_apply_finding(h, &f);
	f = mk("ssh.reverse_session", SEV_HIGH, "10.0.0.9", 1, "192.0.2.1",
	       22, T0 + 9, T0 + 9, "s");
	hosts_apply_finding(h, &f);
	f = mk("dns.tunnel", SEV_MEDIUM, "10.0.0.9", 1, "192.0.2.1", 53, T0,
	       T0, "s");
	hosts_apply_finding(h, &f);
	f = mk("flow.beacon", SEV_MEDIUM, "10.0.0.3", 1, "192.0.2.1", 443,
	       T0, T0, "s");
	hosts_apply_finding(h, &f);
	f = mk("flow.beacon", SEV_MEDIUM, "10.0.0.2", 1, "192.0.2.1", 443,
	       T0, T0, "s");
	hosts_apply_finding(h, &f);
	hosts_note_seen(h, &seen, T0);

	n = hosts_sorted(h, list, 8, false);
	assert_int_equal(n, 3);
	assert_string_equal(ip_addr_format(&list[0]->ip, a, sizeof(a)),
			    "10.0.0.9");
	assert_string_equal(ip_addr_format(&list[1]->ip, a, sizeof(a)),
			    "10.0.0.2");
	assert_string_equal(ip_addr_format(&list[2]->ip, a, sizeof(a)),
			    "10.0.0.3");
	/* Severity first, then time: dns (T0) before flow (T0+5). */
	assert_string_equal(list[0]->findings[0].f.kind,
			    "ssh.reverse_session");
	assert_string_equal(list[0]->findings[1].f.kind, "dns.tunnel");
	assert_string_equal(list[0]->findings[2].f.kind, "flow.beacon");
	assert_string_equal(host_families(list[0], a, sizeof(a)),
			    "dns,flow,ssh");
	assert_string_equal(host_families(list[0], a, 9), "dns,flow");

	n = hosts_sorted(h, list, 8, true);
	assert_int_equal(n, 4);
	assert_string_equal(ip_addr_format(&list[3]->ip, a, sizeof(a)),
			    "10.0.0.1");
	assert_int_equal(list[3]->score, 0);
	assert_int_equal(list[3]->verdict, VERDICT_CLEAN);
	assert_string_equal(host_families(list[3], a, sizeof(a)), "");
	/* A short output array gets the worst hosts. */
	assert_int_equal(hosts_sorted(h, list, 1, true), 1);
	assert_string_equal(ip_addr_format(&list[0]->ip, a, sizeof(a)),
			    "10.0.0.9");
	hosts_destroy(h);
}

static void test_names_and_bad_config(void **state)
{
	struct tw_config cfg;

	(void)state;
	assert_string_equal(verdict_name(VERDICT_CLEAN), "clean");
	assert_string_equal(verdict_name(VERDICT_SUSPICIOUS), "suspicious");
	assert_string_equal(verdict_name(VERDICT_ALERT), "alert");
	cfg_small(&cfg, 0, 4);
	assert_null(hosts_create(&cfg));
	cfg_small(&cfg, 4, 0);
	assert_null(hosts_create(&cfg));
	assert_null(hosts_create(NULL));
	hosts_destroy(NULL);
}

/* A flow's shape rises from low to its rare_severity only while no other
 * inside host talks to the peer, among enough inside hosts; the answer
 * follows the prevalence table, whatever order contacts came in. */
static void test_rare_peer_raises_shape(void **state)
{
	struct tw_config cfg;
	struct hosts *h;
	struct finding f;
	struct ip_addr a = ip("10.0.0.1"), b = ip("10.0.0.2"),
		       c = ip("10.0.0.3"), tun = ip("198.51.100.9"),
		       shared = ip("203.0.113.5");
	const struct host *hst;
	const struct host *list[8];

	(void)state;
	cfg_small(&cfg, 16, 8);
	cfg.hosts.max_destinations = 64;
	cfg.hosts.prevalence_min_hosts = 3;
	h = hosts_create(&cfg);
	assert_non_null(h);
	f = mk("flow.long_lived_low_byte", SEV_LOW, "10.0.0.1", 40000,
	       "198.51.100.9", 443, T0, T0 + 700 * SEC, "trickle");
	f.rare_severity = SEV_MEDIUM;
	hosts_apply_finding(h, &f);
	/* one inside host so far: nothing is rare yet */
	hst = find(h, "10.0.0.1");
	assert_int_equal(hst->findings[0].f.severity, SEV_LOW);
	assert_int_equal(hst->verdict, VERDICT_CLEAN);

	prevalence_contact(hosts_prevalence(h), &b, &shared);
	prevalence_contact(hosts_prevalence(h), &c, &shared);
	prevalence_contact(hosts_prevalence(h), &a, &tun);
	assert_int_equal(hosts_sorted(h, list, 8, false), 1);
	assert_int_equal(hst->findings[0].f.severity, SEV_MEDIUM);
	assert_int_equal(hst->findings[0].base_severity, SEV_LOW);
	assert_int_equal(hst->verdict, VERDICT_SUSPICIOUS);
	assert_non_null(strstr(hst->raised_by, "rare peer"));
	assert_int_equal(hosts_destinations(h), 2);

	/* a second inside host talks to it: shared, back to low */
	prevalence_contact(hosts_prevalence(h), &b, &tun);
	hosts_refresh(h);
	assert_int_equal(hst->findings[0].f.severity, SEV_LOW);
	assert_int_equal(hst->verdict, VERDICT_CLEAN);
	hosts_destroy(h);
}

/* A host whose DNS lookups are seen, connecting (start captured) to an
 * address no answer named: the shape rises; a named peer, or a flow
 * picked up mid-stream, does not. */
static void test_unnamed_peer_raises_shape(void **state)
{
	struct tw_config cfg;
	struct hosts *h;
	struct finding f, g;
	struct ip_addr a = ip("10.0.0.1"), cdn = ip("203.0.113.80"),
		       raw = ip("198.51.100.9");
	const struct host *hst;
	const struct host *list[8];

	(void)state;
	cfg_small(&cfg, 16, 8);
	cfg.hosts.max_destinations = 64;
	cfg.hosts.prevalence_min_hosts = 16; /* sole-host rarity out of play */
	h = hosts_create(&cfg);
	assert_non_null(h);
	f = mk("flow.beacon", SEV_LOW, "10.0.0.1", 40000, "198.51.100.9", 443,
	       T0, T0 + 300 * SEC, "beacon to a raw address");
	f.rare_severity = SEV_MEDIUM;
	f.start_seen = 1;
	g = mk("flow.beacon", SEV_LOW, "10.0.0.1", 40001, "203.0.113.80", 443,
	       T0, T0 + 300 * SEC, "beacon to a named address");
	g.rare_severity = SEV_MEDIUM;
	g.start_seen = 1;
	hosts_apply_finding(h, &f);
	hosts_apply_finding(h, &g);
	hst = find(h, "10.0.0.1");
	/* no lookup of this host seen: nothing known */
	assert_int_equal(hosts_sorted(h, list, 8, false), 1);
	assert_int_equal(hst->verdict, VERDICT_CLEAN);

	prevalence_named(hosts_prevalence(h), &a, &cdn);
	hosts_sorted(h, list, 8, false);
	assert_int_equal(hst->verdict, VERDICT_SUSPICIOUS);
	for (uint32_t i = 0; i < hst->n_findings; i++) {
		const struct host_finding *hf = &hst->findings[i];
		bool to_raw = ip_addr_cmp(&hf->peer, &raw) == 0;

		assert_int_equal(hf->f.severity, to_raw ? SEV_MEDIUM : SEV_LOW);
	}
	assert_non_null(strstr(hst->raised_by, "peer no DNS answer named"));
	hosts_destroy(h);

	/* a private peer is reached by number all day: never unnamed-rare */
	h = hosts_create(&cfg);
	assert_non_null(h);
	f.resp = ip("192.168.1.50");
	hosts_apply_finding(h, &f);
	prevalence_named(hosts_prevalence(h), &a, &cdn);
	hosts_sorted(h, list, 8, false);
	assert_int_equal(find(h, "10.0.0.1")->verdict, VERDICT_CLEAN);
	hosts_destroy(h);
	f.resp = raw;

	/* the same, picked up mid-stream: the lookup may predate the capture */
	h = hosts_create(&cfg);
	assert_non_null(h);
	f.start_seen = 0;
	hosts_apply_finding(h, &f);
	prevalence_named(hosts_prevalence(h), &a, &cdn);
	hosts_sorted(h, list, 8, false);
	assert_int_equal(find(h, "10.0.0.1")->verdict, VERDICT_CLEAN);
	hosts_destroy(h);
}

/* The destination table is bounded: beyond it peers are dropped, counted,
 * and never called rare. */
static void test_destinations_bounded(void **state)
{
	struct tw_config cfg;
	struct hosts *h;
	char addr[32];

	(void)state;
	cfg_small(&cfg, 16, 8);
	cfg.hosts.max_destinations = 16;
	cfg.hosts.prevalence_min_hosts = 1;
	h = hosts_create(&cfg);
	assert_non_null(h);
	for (int i = 0; i < 40; i++) {
		struct ip_addr host = ip("10.0.0.1"), peer;

		snprintf(addr, sizeof(addr), "198.51.100.%d", i + 1);
		peer = ip(addr);
		prevalence_contact(hosts_prevalence(h), &host, &peer);
	}
	assert_int_equal(hosts_destinations(h), 16);
	assert_int_equal(hosts_destinations_dropped(h), 24);
	hosts_destroy(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_side_without_home_net),
		cmocka_unit_test(test_side_with_home_net),
		cmocka_unit_test(test_merge_rules),
		cmocka_unit_test(test_merge_ties),
		cmocka_unit_test(test_order_independence),
		cmocka_unit_test(test_scoring_table),
		cmocka_unit_test(test_raised_by),
		cmocka_unit_test(test_table_full),
		cmocka_unit_test(test_idle_clean_hosts_go_first),
		cmocka_unit_test(test_findings_full_keeps_strongest),
		cmocka_unit_test(test_reset),
		cmocka_unit_test(test_sorting_and_all),
		cmocka_unit_test(test_names_and_bad_config),
		cmocka_unit_test(test_rare_peer_raises_shape),
		cmocka_unit_test(test_unnamed_peer_raises_shape),
		cmocka_unit_test(test_destinations_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
