/* The compiled-pattern cache: a key per exact pattern set, a round trip
 * through the file system, and refusal of anything that is not a database. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include <cmocka.h>

#include "scan/hs_cache.h"

static const char *exprs[] = { "SSH-2\\.0-", "mining\\.subscribe" };
static const unsigned flags[] = { 0, HS_FLAG_CASELESS };
static const unsigned ids[] = { 1, 200 };

static void test_key_covers_every_pattern_field(void **state)
{
	char a[HS_CACHE_KEY_LEN], b[HS_CACHE_KEY_LEN];
	const char *other_exprs[] = { "SSH-2\\.0-", "mining\\.authorize" };
	const unsigned other_flags[] = { 0, 0 };
	const unsigned other_ids[] = { 1, 201 };

	(void)state;
	assert_int_equal(hs_cache_key(exprs, flags, ids, 2, HS_MODE_STREAM, a), 0);
	assert_int_equal(strlen(a), 64);
	assert_int_equal(hs_cache_key(exprs, flags, ids, 2, HS_MODE_STREAM, b), 0);
	assert_string_equal(a, b);
	hs_cache_key(other_exprs, flags, ids, 2, HS_MODE_STREAM, b);
	assert_string_not_equal(a, b);
	hs_cache_key(exprs, other_flags, ids, 2, HS_MODE_STREAM, b);
	assert_string_not_equal(a, b);
	hs_cache_key(exprs, flags, other_ids, 2, HS_MODE_STREAM, b);
	assert_string_not_equal(a, b);
	hs_cache_key(exprs, flags, ids, 1, HS_MODE_STREAM, b);
	assert_string_not_equal(a, b);
	hs_cache_key(exprs, flags, ids, 2, HS_MODE_BLOCK, b);
	assert_string_not_equal(a, b);
}

static void test_store_then_load_and_refuse_garbage(void **state)
{
	char dir[64], key[HS_CACHE_KEY_LEN], file[200], cmd[128];
	hs_database_t *db = NULL, *back;
	hs_compile_error_t *cerr = NULL;
	size_t size_a, size_b;
	FILE *f;

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/tw-hs-cache-%d/sub", (int)getpid());
	assert_int_equal(hs_compile_multi(exprs, flags, ids, 2, HS_MODE_STREAM,
					  NULL, &db, &cerr), HS_SUCCESS);
	hs_cache_key(exprs, flags, ids, 2, HS_MODE_STREAM, key);
	assert_null(hs_cache_load(dir, key));          /* nothing yet */
	assert_int_equal(hs_cache_store(dir, key, db), 0); /* makes dirs */
	back = hs_cache_load(dir, key);
	assert_non_null(back);
	hs_database_size(db, &size_a);
	hs_database_size(back, &size_b);
	assert_int_equal(size_a, size_b);
	hs_free_database(back);

	snprintf(file, sizeof(file), "%s/%s.hsdb", dir, key);
	f = fopen(file, "wb");
	assert_non_null(f);
	fputs("not a database", f);
	fclose(f);
	assert_null(hs_cache_load(dir, key));          /* recompile instead */
	hs_free_database(db);
	snprintf(cmd, sizeof(cmd), "rm -rf /tmp/tw-hs-cache-%d", (int)getpid());
	assert_int_equal(system(cmd), 0);
}

static unsigned count_files(const char *dir)
{
	char cmd[160], buf[32] = "";
	FILE *p;

	snprintf(cmd, sizeof(cmd), "ls %s | grep -c 'hsdb$'", dir);
	p = popen(cmd, "r");
	assert_non_null(p);
	assert_non_null(fgets(buf, sizeof(buf), p));
	pclose(p);
	return (unsigned)atoi(buf);
}

/* The cache keeps the newest databases only: stale ones from edited
 * patterns do not pile up. */
static void test_store_prunes_oldest(void **state)
{
	char dir[64], name[200], key[HS_CACHE_KEY_LEN], cmd[128];
	hs_database_t *db = NULL;
	hs_compile_error_t *cerr = NULL;
	struct timeval old[2];

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/tw-hs-prune-%d", (int)getpid());
	snprintf(cmd, sizeof(cmd), "mkdir -p %s", dir);
	assert_int_equal(system(cmd), 0);
	for (int i = 0; i < 10; i++) {
		FILE *f;

		snprintf(name, sizeof(name), "%s/%064d.hsdb", dir, i);
		f = fopen(name, "wb");
		assert_non_null(f);
		fclose(f);
		old[0].tv_sec = old[1].tv_sec = 1000000 + i * 10;
		old[0].tv_usec = old[1].tv_usec = 0;
		assert_int_equal(utimes(name, old), 0);
	}
	assert_int_equal(count_files(dir), 10);
	assert_int_equal(hs_compile_multi(exprs, flags, ids, 2, HS_MODE_STREAM,
					  NULL, &db, &cerr), HS_SUCCESS);
	hs_cache_key(exprs, flags, ids, 2, HS_MODE_STREAM, key);
	assert_int_equal(hs_cache_store(dir, key, db), 0);
	assert_int_equal(count_files(dir), 8);
	snprintf(name, sizeof(name), "%s/%064d.hsdb", dir, 9); /* newest old */
	assert_int_equal(access(name, F_OK), 0);
	snprintf(name, sizeof(name), "%s/%064d.hsdb", dir, 0); /* oldest */
	assert_int_not_equal(access(name, F_OK), 0);
	hs_free_database(db);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

static void test_cache_dir_choice(void **state)
{
	char out[256];

	(void)state;
	assert_int_equal(hs_cache_dir("/srv/tw", out, sizeof(out)), 0);
	assert_string_equal(out, "/srv/tw");
	setenv("XDG_CACHE_HOME", "/x/cache", 1);
	assert_int_equal(hs_cache_dir("", out, sizeof(out)), 0);
	assert_string_equal(out, "/x/cache/tunnelwatch");
	unsetenv("XDG_CACHE_HOME");
	setenv("HOME", "/home/op", 1);
	assert_int_equal(hs_cache_dir(NULL, out, sizeof(out)), 0);
	assert_string_equal(out, "/home/op/.cache/tunnelwatch");
	unsetenv("HOME");
	assert_int_equal(hs_cache_dir("", out, sizeof(out)), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_covers_every_pattern_field),
		cmocka_unit_test(test_store_then_load_and_refuse_garbage),
		cmocka_unit_test(test_store_prunes_oldest),
		cmocka_unit_test(test_cache_dir_choice),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
