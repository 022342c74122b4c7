/* SPDX-License-Identifier: BSD-3-Clause */
/* Operators' suppression rules: the file's syntax and its errors, and
 * which findings a rule matches (kind or family, host, peer address or
 * the names a finding carries). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/config.h"
#include "findings/findings.h"
#include "verdict/suppress_match.h"

static char path[64];

static void write_file(const char *text)
{
	int fd;
	FILE *fp;

	snprintf(path, sizeof(path), "/tmp/tw_suppress_XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	fp = fdopen(fd, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static struct ip_addr ip(const char *s)
{
	struct ip_addr a;

	assert_int_equal(ip_addr_parse(s, &a), 0);
	return a;
}

static void test_load_and_match(void **state)
{
	static struct suppress_list l;
	struct ip_addr host = ip("10.1.2.3"), broker = ip("192.0.2.9");
	struct finding f;
	char err[256];

	(void)state;
	write_file("# brokers\n"
		   "suppress flow.beacon 10.0.0.0/8 192.0.2.0/24 # kafka heartbeats\n"
		   "\n"
		   "suppress dns * corp.example.com\n"
		   "suppress * 10.9.9.9 *\n");
	assert_int_equal(suppress_load(path, &l, err, sizeof(err)), 0);
	assert_int_equal(l.n, 3);

	finding_init(&f, NULL, FK_FLOW_BEACON, SEV_LOW);
	assert_non_null(suppress_match(&l, &host, &broker, &f));
	assert_non_null(strstr(suppress_match(&l, &host, &broker, &f)->note,
			       ":2 kafka heartbeats"));
	/* another kind of the same family, another peer, another host */
	finding_init(&f, NULL, FK_FLOW_LONG_LIVED_LOW_BYTE, SEV_LOW);
	assert_null(suppress_match(&l, &host, &broker, &f));
	finding_init(&f, NULL, FK_FLOW_BEACON, SEV_LOW);
	{
		struct ip_addr other = ip("198.51.100.1"),
			       outside = ip("172.16.0.1");

		assert_null(suppress_match(&l, &host, &other, &f));
		assert_null(suppress_match(&l, &outside, &broker, &f));
	}
	/* a family and a domain suffix from the finding's detail */
	finding_init(&f, NULL, FK_DNS_TUNNEL, SEV_MEDIUM);
	finding_add_str(&f, "domain", "x.CORP.example.com");
	assert_non_null(suppress_match(&l, &host, &broker, &f));
	finding_init(&f, NULL, FK_DNS_TUNNEL, SEV_MEDIUM);
	finding_add_str(&f, "domain", "notcorp.example.com");
	assert_null(suppress_match(&l, &host, &broker, &f));
	/* everything of one host */
	{
		struct ip_addr h9 = ip("10.9.9.9");

		finding_init(&f, NULL, FK_SSH_REVERSE_SESSION, SEV_HIGH);
		assert_non_null(suppress_match(&l, &h9, &broker, &f));
	}
	unlink(path);
}

static void test_errors_name_file_and_line(void **state)
{
	static struct suppress_list l;
	static const char *const bad[] = {
		"suppress flow.beacon 10.0.0.0/8\n",          /* no peer */
		"allow flow.beacon * *\n",                     /* verb */
		"suppress flow.beacon 10.0.0.0/99 *\n",        /* prefix */
		"suppress flow.beacon * 10.0.0.0/8 extra\n",   /* extra word */
		"suppress * * 300.1.2.3/8\n",                  /* address */
	};
	char err[256];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char want[80];

		write_file(bad[i]);
		assert_int_equal(suppress_load(path, &l, err, sizeof(err)), -1);
		snprintf(want, sizeof(want), "%s:1: ", path);
		assert_non_null(strstr(err, want));
		unlink(path);
	}
	assert_int_equal(suppress_load("/nonexistent/suppress.txt", &l, err,
				       sizeof(err)), -1);
	assert_non_null(strstr(err, "/nonexistent/suppress.txt: cannot open"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load_and_match),
		cmocka_unit_test(test_errors_name_file_and_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
