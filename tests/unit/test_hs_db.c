/* SPDX-License-Identifier: BSD-3-Clause */
/* hs_db: the pattern file format, its errors (named FILE:LINE), and the
 * project's own patterns/ directory. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hs.h>

#include "config/config.h"
#include "scan/hs_db.h"

/* The build passes the source tree's patterns/ as TW_PATTERNS_DIR; the
 * environment variable of that name overrides it (a copy under test). */
#ifdef TW_PATTERNS_DIR
#define PATTERNS_DIR TW_PATTERNS_DIR
#else
#define PATTERNS_DIR "patterns"
#endif

struct tmpdir {
	char path[64];
	char err[512];
};

static void write_file(struct tmpdir *t, const char *name, const char *text)
{
	char p[128];
	FILE *fp;

	snprintf(p, sizeof(p), "%s/%s", t->path, name);
	fp = fopen(p, "w");
	assert_non_null(fp);
	assert_int_equal(fputs(text, fp) >= 0, 1);
	assert_int_equal(fclose(fp), 0);
}

static int setup_dir(void **state)
{
	struct tmpdir *t = calloc(1, sizeof(*t));

	if (!t)
		return -1;
	snprintf(t->path, sizeof(t->path), "/tmp/tw_hs_db_XXXXXX");
	if (!mkdtemp(t->path)) {
		free(t);
		return -1;
	}
	*state = t;
	return 0;
}

static int teardown_dir(void **state)
{
	struct tmpdir *t = *state;
	DIR *d = opendir(t->path);
	struct dirent *e;
	char p[384];

	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", t->path, e->d_name);
		unlink(p);
	}
	if (d)
		closedir(d);
	rmdir(t->path);
	free(t);
	return 0;
}

static struct hs_db *load(struct tmpdir *t)
{
	return hs_db_load(t->path, t->err, sizeof(t->err));
}

/* The error names this file and line of the temp dir. */
static void assert_error_at(struct tmpdir *t, const char *file, unsigned line,
			    const char *what)
{
	char where[160];

	snprintf(where, sizeof(where), "%s/%s:%u: ", t->path, file, line);
	if (strncmp(t->err, where, strlen(where)) != 0 ||
	    !strstr(t->err, what))
		fail_msg("\"%s\" is not \"%s...%s\"", t->err, where, what);
}

static int on_match_record(unsigned id, unsigned long long from,
			   unsigned long long to, unsigned flags, void *ctx)
{
	unsigned long long *last = ctx;

	(void)from;
	(void)flags;
	last[0] = id;
	last[1] = to;
	last[2]++;
	return 0;
}

/* Scans text as one stream of db and returns the number of matches; the
 * last match's id and end land in last[0], last[1]. */
static unsigned long long scan_text(const struct hs_db *db, const char *text,
				    unsigned long long last[3])
{
	const hs_database_t *h = hs_db_handle(db);
	hs_scratch_t *scratch = NULL;
	hs_stream_t *s = NULL;

	last[0] = last[1] = last[2] = 0;
	assert_int_equal(hs_alloc_scratch(h, &scratch), HS_SUCCESS);
	assert_int_equal(hs_open_stream(h, 0, &s), HS_SUCCESS);
	assert_int_equal(hs_scan_stream(s, text, (unsigned)strlen(text), 0,
					scratch, on_match_record, last),
			 HS_SUCCESS);
	assert_int_equal(hs_close_stream(s, scratch, on_match_record, last),
			 HS_SUCCESS);
	hs_free_scratch(scratch);
	return last[2];
}

static void test_good_files_load(void **state)
{
	struct tmpdir *t = *state;
	struct hs_db *db;
	unsigned long long last[3];

	write_file(t, "b.hs", "# comment\n\n20:/world/\n");
	write_file(t, "a.hs", "  # indented comment\n1:/hello/i\r\n"
		   "3:/a/b/s\n");
	write_file(t, "notes.txt", "this is not a pattern file\n");
	db = load(t);
	if (!db)
		fail_msg("load failed: %s", t->err);
	assert_int_equal(hs_db_pattern_count(db), 3);
	assert_true(hs_db_has_id(db, 1));
	assert_true(hs_db_has_id(db, 3));
	assert_true(hs_db_has_id(db, 20));
	assert_false(hs_db_has_id(db, 2));
	assert_true(hs_db_stream_size(db) > 0);
	assert_true(hs_db_memory(db) > 0);
	assert_non_null(hs_db_handle(db));

	/* flag i reached the compiler */
	assert_int_equal(scan_text(db, "say HeLLo", last), 1);
	assert_int_equal(last[0], 1);
	assert_int_equal(last[1], 9);
	/* the regex runs to the last '/', so "a/b" is one regex */
	assert_int_equal(scan_text(db, "xa/bx", last), 1);
	assert_int_equal(last[0], 3);
	assert_int_equal(last[1], 4);
	hs_db_free(db);
}

static void test_som_flag_compiles(void **state)
{
	struct tmpdir *t = *state;
	struct hs_db *db;

	/* needs a SOM horizon in the mode, else Hyperscan refuses it */
	write_file(t, "som.hs", "7:/ab+c/L\n8:/x.y/sH\n");
	db = load(t);
	if (!db)
		fail_msg("load failed: %s", t->err);
	assert_int_equal(hs_db_pattern_count(db), 2);
	hs_db_free(db);
}

static void test_bad_regex_names_file_and_line(void **state)
{
	struct tmpdir *t = *state;

	write_file(t, "a.hs", "1:/one/\n2:/two/\n");
	write_file(t, "b.hs", "# ok so far\n10:/fine/\n11:/unbalanced(/\n");
	assert_null(load(t));
	assert_error_at(t, "b.hs", 3, "pattern 11");
}

static void test_duplicate_id_across_files(void **state)
{
	struct tmpdir *t = *state;

	write_file(t, "a.hs", "1:/one/\n5:/five/\n");
	write_file(t, "b.hs", "\n\n\n5:/again/\n");
	assert_null(load(t));
	assert_error_at(t, "b.hs", 4, "duplicate pattern id 5");
	assert_non_null(strstr(t->err, "a.hs:2"));
}

static void test_unknown_flag(void **state)
{
	struct tmpdir *t = *state;

	write_file(t, "a.hs", "1:/one/\n2:/two/iq\n");
	assert_null(load(t));
	assert_error_at(t, "a.hs", 2, "unknown flag 'q'");
}

static void test_bad_lines(void **state)
{
	struct tmpdir *t = *state;

	write_file(t, "a.hs", "no colon here\n");
	assert_null(load(t));
	assert_error_at(t, "a.hs", 1, "expected ID:/regex/flags");

	write_file(t, "a.hs", "1:/ok/\nx2:/bad id/\n");
	assert_null(load(t));
	assert_error_at(t, "a.hs", 2, "bad pattern id");

	write_file(t, "a.hs", "99999999999:/too big/\n");
	assert_null(load(t));
	assert_error_at(t, "a.hs", 1, "bad pattern id");

	write_file(t, "a.hs", "0:/zero/\n");
	assert_null(load(t));
	assert_error_at(t, "a.hs", 1, "reserved");

	write_file(t, "a.hs", "3:no slashes\n");
	assert_null(load(t));
	assert_error_at(t, "a.hs", 1, "expected /regex/");

	write_file(t, "a.hs", "3:/only one slash\n");
	assert_null(load(t));
	assert_error_at(t, "a.hs", 1, "expected /regex/");
}

static void test_empty_dir(void **state)
{
	struct tmpdir *t = *state;

	assert_null(load(t));
	assert_non_null(strstr(t->err, t->path));
	assert_non_null(strstr(t->err, "no pattern files"));
}

static void test_comments_only(void **state)
{
	struct tmpdir *t = *state;

	write_file(t, "a.hs", "# nothing yet\n\n");
	assert_null(load(t));
	assert_non_null(strstr(t->err, "no patterns"));
}

static void test_missing_dir(void **state)
{
	char err[256];

	(void)state;
	assert_null(hs_db_load("/nonexistent/tw_patterns", err, sizeof(err)));
	assert_non_null(strstr(err, "/nonexistent/tw_patterns"));
}

static void test_project_patterns_load(void **state)
{
	const char *dir = getenv("TW_PATTERNS_DIR");
	char err[512];
	struct hs_db *db;

	(void)state;
	db = hs_db_load(dir ? dir : PATTERNS_DIR, err, sizeof(err));
	if (!db)
		fail_msg("%s", err);
	assert_true(hs_db_pattern_count(db) >= 10);
	assert_true(hs_db_has_id(db, 1));   /* the SSH banner */
	hs_db_free(db);
}

static unsigned count_cached(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	unsigned n = 0;

	while (d && (e = readdir(d)))
		n += strstr(e->d_name, ".hsdb") != NULL;
	if (d)
		closedir(d);
	return n;
}

/* hs_db_open, as offline and live start it: with scan.cache the compiled
 * database lands in scan.cache_dir and the next start loads it; without,
 * nothing is written. */
static void test_open_uses_the_configured_cache(void **state)
{
	struct tmpdir *t = *state;
	struct tw_config cfg;
	struct hs_db *db;
	char cache[96];

	memset(&cfg, 0, sizeof(cfg));
	write_file(t, "a.hs", "1:/SSH-2\\.0-/\n");
	snprintf(cfg.scan.patterns_dir, sizeof(cfg.scan.patterns_dir), "%s",
		 t->path);
	snprintf(cache, sizeof(cache), "%s/cache", t->path);
	snprintf(cfg.scan.cache_dir, sizeof(cfg.scan.cache_dir), "%s", cache);

	db = hs_db_open(&cfg, t->err, sizeof(t->err)); /* cache off */
	assert_non_null(db);
	hs_db_free(db);
	assert_int_equal(count_cached(cache), 0);

	cfg.scan.cache = true;
	db = hs_db_open(&cfg, t->err, sizeof(t->err));
	assert_non_null(db);
	hs_db_free(db);
	assert_int_equal(count_cached(cache), 1);
	db = hs_db_open(&cfg, t->err, sizeof(t->err)); /* from the cache */
	assert_non_null(db);
	assert_true(hs_db_has_id(db, 1));
	hs_db_free(db);
	assert_int_equal(count_cached(cache), 1);

	snprintf(t->err, sizeof(t->err), "rm -rf %s", cache);
	assert_int_equal(system(t->err), 0);
}

/* The one cache file in dir, read whole into buf; its size. */
static size_t read_cached(const char *dir, char *path, size_t pathlen,
			  char *buf, size_t buflen)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;
	FILE *f;

	assert_non_null(d);
	path[0] = '\0';
	while ((e = readdir(d)))
		if (strstr(e->d_name, ".hsdb"))
			snprintf(path, pathlen, "%s/%s", dir, e->d_name);
	closedir(d);
	assert_true(path[0]);
	f = fopen(path, "rb");
	assert_non_null(f);
	n = fread(buf, 1, buflen, f);
	fclose(f);
	return n;
}

/* Issue 13: a damaged cache file is refused with a warning and compiled
 * over (the same bytes come back); a cache directory others may write is
 * not used at all. */
static void test_damaged_cache_rebuilt(void **state)
{
	static char first[1 << 20], again[1 << 20];
	struct tmpdir *t = *state;
	struct tw_config cfg;
	struct hs_db *db;
	char cache[96], path[400];
	size_t n1, n2;
	FILE *f;

	memset(&cfg, 0, sizeof(cfg));
	write_file(t, "a.hs", "1:/SSH-2\\.0-/\n2:/mining\\.subscribe/\n");
	snprintf(cfg.scan.patterns_dir, sizeof(cfg.scan.patterns_dir), "%s",
		 t->path);
	snprintf(cache, sizeof(cache), "%s/cache", t->path);
	snprintf(cfg.scan.cache_dir, sizeof(cfg.scan.cache_dir), "%s", cache);
	cfg.scan.cache = true;
	db = hs_db_open(&cfg, t->err, sizeof(t->err));
	assert_non_null(db);
	hs_db_free(db);
	n1 = read_cached(cache, path, sizeof(path), first, sizeof(first));
	assert_true(n1 > 100 && n1 < sizeof(first));

	f = fopen(path, "r+b");  /* one bit in the middle of the database */
	assert_non_null(f);
	assert_int_equal(fseek(f, (long)n1 / 2 + 64, SEEK_SET), 0);
	fputc(first[n1 / 2 + 64] ^ 0x01, f);
	fclose(f);
	db = hs_db_open(&cfg, t->err, sizeof(t->err));
	assert_non_null(db);
	assert_true(hs_db_has_id(db, 2));
	hs_db_free(db);
	n2 = read_cached(cache, path, sizeof(path), again, sizeof(again));
	assert_int_equal(n1, n2);
	assert_memory_equal(first, again, n1);

	assert_int_equal(chmod(cache, 0777), 0);
	assert_int_equal(unlink(path), 0);
	db = hs_db_open(&cfg, t->err, sizeof(t->err));
	assert_non_null(db);  /* compiled, the directory left alone */
	hs_db_free(db);
	assert_int_equal(count_cached(cache), 0);

	snprintf(t->err, sizeof(t->err), "rm -rf %s", cache);
	assert_int_equal(system(t->err), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup_dir, teardown_dir)
		T(test_good_files_load),
		T(test_damaged_cache_rebuilt),
		T(test_som_flag_compiles),
		T(test_bad_regex_names_file_and_line),
		T(test_duplicate_id_across_files),
		T(test_unknown_flag),
		T(test_bad_lines),
		T(test_empty_dir),
		T(test_comments_only),
		T(test_open_uses_the_configured_cache),
#undef T
		cmocka_unit_test(test_missing_dir),
		cmocka_unit_test(test_project_patterns_load),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
