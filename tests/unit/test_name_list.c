/* SPDX-License-Identifier: BSD-3-Clause */
/* Name lists: suffix match on label boundaries only, comments and the
 * accepted spellings, errors that name FILE:LINE, and the bound. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzers/common/name_list.h"

static const char text[] =
	"# mining pools\n"
	"\n"
	"  pool.example   # trailing comment\n"
	"*.Nanopool.ORG\n"
	".supportxmr.com.\n"
	"eu.pool.example\n"
	"pool.example\n"          /* duplicate */
	"\r\n";

static struct name_list *load_text(void)
{
	struct name_list *l = NULL;
	char err[256];

	assert_int_equal(name_list_parse(text, strlen(text), "pools.txt", 16,
					 &l, err, sizeof(err)), 0);
	return l;
}

static const char *match(const struct name_list *l, const char *name)
{
	return name_list_match(l, name, strlen(name));
}

static void test_suffix_on_label_boundary(void **state)
{
	struct name_list *l = load_text();

	(void)state;
	assert_int_equal(name_list_count(l), 4);
	assert_string_equal(match(l, "pool.example"), "pool.example");
	assert_string_equal(match(l, "a.b.POOL.example."), "pool.example");
	assert_string_equal(match(l, "xmr-eu1.nanopool.org"), "nanopool.org");
	assert_string_equal(match(l, "supportxmr.com"), "supportxmr.com");
	/* longest listed suffix wins */
	assert_string_equal(match(l, "x.eu.pool.example"), "eu.pool.example");
	assert_null(match(l, "xpool.example"));
	assert_null(match(l, "example"));
	assert_null(match(l, "pool.example.net"));
	assert_null(match(l, ""));
	assert_null(match(l, "."));
	assert_null(name_list_match(NULL, "pool.example", 12));
	name_list_free(l);
}

static void test_errors_name_file_and_line(void **state)
{
	struct name_list *l = NULL;
	char err[256];

	(void)state;
	assert_int_equal(name_list_parse("a.example\nbad name\n", 19, "x.txt",
					 16, &l, err, sizeof(err)), -1);
	assert_string_equal(err, "x.txt:2: one name per line");
	assert_int_equal(name_list_parse("ok\nfoo..bar\n", 12, "x.txt", 16, &l,
					 err, sizeof(err)), -1);
	assert_non_null(strstr(err, "x.txt:2: "));
	assert_int_equal(name_list_parse("a\nb/c\n", 6, "x.txt", 16, &l, err,
					 sizeof(err)), -1);
	assert_non_null(strstr(err, "x.txt:2: "));
	assert_int_equal(name_list_parse("a\nb\nc\n", 6, "x.txt", 2, &l, err,
					 sizeof(err)), -1);
	assert_non_null(strstr(err, "x.txt:3: more than 2 names"));
	assert_int_equal(name_list_load("/nonexistent/pools.txt", 16, &l, err,
					sizeof(err)), -1);
	assert_non_null(strstr(err, "/nonexistent/pools.txt: "));
}

static void test_oversized_name_refused(void **state)
{
	struct name_list *l = NULL;
	char line[400], err[256];

	(void)state;
	memset(line, 'a', 300);
	line[300] = '\n';
	assert_int_equal(name_list_parse(line, 301, "x.txt", 16, &l, err,
					 sizeof(err)), -1);
	assert_non_null(strstr(err, "x.txt:1: name longer"));
	/* a queried name too long to be listed matches nothing */
	l = load_text();
	memset(line, 'a', 390);
	memcpy(line + 390 - 13, ".pool.example", 13);
	assert_null(name_list_match(l, line, 390));
	name_list_free(l);
}

/* The shipped pools.txt loads (when run from the source tree). */
static void test_shipped_list_loads(void **state)
{
	const char *dir = getenv("TW_PATTERNS_DIR");
	struct name_list *l = NULL;
	char path[512], err[256];

	(void)state;
	if (!dir)
		skip();
	snprintf(path, sizeof(path), "%s/pools.txt", dir);
	if (name_list_load(path, 100000, &l, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_true(name_list_count(l) > 20);
	assert_non_null(match(l, "xmr-eu1.nanopool.org"));
	assert_null(match(l, "www.example.com"));
	name_list_free(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_suffix_on_label_boundary),
		cmocka_unit_test(test_errors_name_file_and_line),
		cmocka_unit_test(test_oversized_name_refused),
		cmocka_unit_test(test_shipped_list_loads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
