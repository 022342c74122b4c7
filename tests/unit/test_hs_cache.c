/* SPDX-License-Identifier: BSD-3-Clause */
/* The compiled-pattern cache: a key per exact pattern set, a round trip
 * through the file system, and refusal of anything that is not a database. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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
	char dir[64], key[HS_CACHE_KEY_LEN], file[200], cmd[128], why[512];
	hs_database_t *db = NULL, *back;
	hs_compile_error_t *cerr = NULL;
	size_t size_a, size_b;
	FILE *f;

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/tw-hs-cache-%d/sub", (int)getpid());
	assert_int_equal(hs_compile_multi(exprs, flags, ids, 2, HS_MODE_STREAM,
					  NULL, &db, &cerr), HS_SUCCESS);
	hs_cache_key(exprs, flags, ids, 2, HS_MODE_STREAM, key);
	assert_null(hs_cache_load(dir, key, ids, 2, why, sizeof(why)));
	assert_string_equal(why, "");                  /* nothing yet: quiet */
	assert_int_equal(hs_cache_store(dir, key, ids, 2, db, why,
					 sizeof(why)), 0); /* makes dirs */
	back = hs_cache_load(dir, key, ids, 2, why, sizeof(why));
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
	assert_null(hs_cache_load(dir, key, ids, 2, why, sizeof(why)));
	assert_non_null(strstr(why, "not a cache file")); /* said, then
							     recompiled */
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
	assert_int_equal(hs_cache_store(dir, key, ids, 2, db, NULL, 0), 0);
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

/* ---- issue 13: a cache that cannot be swapped ---- */

static hs_database_t *compile(const char *const *e, const unsigned *f,
			      const unsigned *i, char key[HS_CACHE_KEY_LEN])
{
	hs_database_t *db = NULL;
	hs_compile_error_t *cerr = NULL;

	assert_int_equal(hs_compile_multi(e, f, i, 2, HS_MODE_STREAM, NULL,
					  &db, &cerr), HS_SUCCESS);
	assert_int_equal(hs_cache_key(e, f, i, 2, HS_MODE_STREAM, key), 0);
	return db;
}

static void copy_file(const char *from, const char *to)
{
	char buf[1 << 16];
	FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
	size_t n;

	assert_non_null(in);
	assert_non_null(out);
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		assert_int_equal(fwrite(buf, 1, n, out), n);
	fclose(in);
	fclose(out);
}

static void flip_last_byte(const char *path)
{
	FILE *f = fopen(path, "r+b");
	int c;

	assert_non_null(f);
	assert_int_equal(fseek(f, -1, SEEK_END), 0);
	c = fgetc(f);
	assert_int_equal(fseek(f, -1, SEEK_END), 0);
	fputc(c ^ 0x10, f);
	fclose(f);
}

static void expect_refused(const char *dir, const char *key,
			   const unsigned *want_ids, const char *reason)
{
	char why[512] = "";

	assert_null(hs_cache_load(dir, key, want_ids, 2, why, sizeof(why)));
	if (!strstr(why, reason))
		fail_msg("refused for '%s', expected '%s'", why, reason);
}

static void test_refuses_swapped_foreign_and_flipped(void **state)
{
	static const char *other_exprs[] = { "SSH-2\\.0-", "stratum\\+tcp" };
	static const unsigned other_ids[] = { 1, 201 };
	char dir[64], a[HS_CACHE_KEY_LEN], b[HS_CACHE_KEY_LEN];
	char file_a[200], file_b[200], cmd[128], why[512];
	hs_database_t *db_a, *db_b, *back;

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/tw-hs-swap-%d", (int)getpid());
	db_a = compile(exprs, flags, ids, a);
	db_b = compile(other_exprs, flags, ids, b);
	snprintf(file_a, sizeof(file_a), "%s/%s.hsdb", dir, a);
	snprintf(file_b, sizeof(file_b), "%s/%s.hsdb", dir, b);

	/* swapped: another pattern set's file under this key's name */
	assert_int_equal(hs_cache_store(dir, b, ids, 2, db_b, why,
					 sizeof(why)), 0);
	copy_file(file_b, file_a);
	expect_refused(dir, a, ids, "key differs");

	/* foreign ids: the right key, a database built for other ids */
	assert_int_equal(hs_cache_store(dir, a, other_ids, 2, db_a, why,
					 sizeof(why)), 0);
	expect_refused(dir, a, ids, "pattern ids other");

	/* one flipped bit in the database */
	assert_int_equal(hs_cache_store(dir, a, ids, 2, db_a, why,
					 sizeof(why)), 0);
	back = hs_cache_load(dir, a, ids, 2, why, sizeof(why));
	assert_non_null(back);  /* the good one loads */
	hs_free_database(back);
	flip_last_byte(file_a);
	expect_refused(dir, a, ids, "SHA-256");

	hs_free_database(db_a);
	hs_free_database(db_b);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

static void test_temp_symlink_not_followed(void **state)
{
	char dir[64], key[HS_CACHE_KEY_LEN], tmp[300], victim[80], cmd[160];
	char why[512] = "", buf[16] = "";
	hs_database_t *db;
	FILE *f;

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/tw-hs-link-%d", (int)getpid());
	snprintf(victim, sizeof(victim), "/tmp/tw-hs-victim-%d", (int)getpid());
	db = compile(exprs, flags, ids, key);
	assert_int_equal(mkdir(dir, 0700), 0);
	f = fopen(victim, "w");
	assert_non_null(f);
	fputs("keep", f);
	fclose(f);
	snprintf(tmp, sizeof(tmp), "%s/%s.hsdb.%ld", dir, key, (long)getpid());
	assert_int_equal(symlink(victim, tmp), 0);
	assert_int_equal(hs_cache_store(dir, key, ids, 2, db, why,
					 sizeof(why)), -1);
	assert_non_null(strstr(why, "in the way"));
	f = fopen(victim, "r");
	assert_non_null(f);
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	assert_string_equal(buf, "keep");
	hs_free_database(db);
	unlink(victim);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

static void test_dir_created_private_and_checked(void **state)
{
	char top[64], dir[96], key[HS_CACHE_KEY_LEN], cmd[128], why[512];
	hs_database_t *db;
	struct stat st;

	(void)state;
	snprintf(top, sizeof(top), "/tmp/tw-hs-dir-%d", (int)getpid());
	snprintf(dir, sizeof(dir), "%s/a/b", top);
	db = compile(exprs, flags, ids, key);
	assert_int_equal(hs_cache_check_dir(dir, why, sizeof(why)), 0);
	assert_int_equal(hs_cache_store(dir, key, ids, 2, db, why,
					 sizeof(why)), 0);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_int_equal(stat(top, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);

	assert_int_equal(chmod(dir, 0777), 0);
	assert_int_equal(hs_cache_check_dir(dir, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "writable by group or others"));
	assert_null(hs_cache_load(dir, key, ids, 2, why, sizeof(why)));
	assert_non_null(strstr(why, "writable by group or others"));
	assert_int_equal(hs_cache_store(dir, key, ids, 2, db, why,
					 sizeof(why)), -1);
	assert_int_equal(chmod(dir, 0700), 0);
	if (geteuid() == 0) {  /* another owner: only root can make one */
		assert_int_equal(chown(dir, 65534, 65534), 0);
		assert_int_equal(hs_cache_check_dir(dir, why, sizeof(why)), -1);
		assert_non_null(strstr(why, "owned by uid 65534"));
		assert_null(hs_cache_load(dir, key, ids, 2, why, sizeof(why)));
	}
	hs_free_database(db);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", top);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_covers_every_pattern_field),
		cmocka_unit_test(test_store_then_load_and_refuse_garbage),
		cmocka_unit_test(test_store_prunes_oldest),
		cmocka_unit_test(test_cache_dir_choice),
		cmocka_unit_test(test_refuses_swapped_foreign_and_flipped),
		cmocka_unit_test(test_temp_symlink_not_followed),
		cmocka_unit_test(test_dir_created_private_and_checked),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
