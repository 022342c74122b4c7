/* SPDX-License-Identifier: BSD-3-Clause */
/* The id-range table of patterns/README.md ("## Id ranges") against the
 * registry: every analyzer that subscribes to pattern ids has one row
 * with its file and range, every row names such an analyzer, reserved
 * ranges hold no analyzer's ids, and each analyzer's file holds patterns
 * in its range. The README cannot drift from the code. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "analyzers/analyzer.h"

struct row {
	unsigned lo, hi;
	char file[64];
	char analyzer[64];
};

/* "| 1-99    | `app.hs`       | `app_id`   | what |": the cells without
 * spaces and backquotes; false for any other line. */
static bool parse_row(const char *line, struct row *r)
{
	char cell[4][64];   /* as long as row.file and row.analyzer */
	const char *p = line;

	if (sscanf(line, "| %u-%u |", &r->lo, &r->hi) != 2)
		return false;
	for (int i = 0; i < 4; i++) {
		size_t n = 0;

		p = strchr(p, '|');
		if (!p)
			return false;
		p++;
		while (*p && *p != '|') {
			if (*p != ' ' && *p != '`' && n + 1 < sizeof(cell[i]))
				cell[i][n++] = *p;
			p++;
		}
		cell[i][n] = 0;
	}
	snprintf(r->file, sizeof(r->file), "%s", cell[1]);
	snprintf(r->analyzer, sizeof(r->analyzer), "%s", cell[2]);
	return true;
}

static unsigned read_rows(struct row *rows, unsigned max)
{
	FILE *f = fopen(TW_SOURCE_DIR "/patterns/README.md", "r");
	char line[512];
	bool in = false;
	unsigned n = 0;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		if (line[0] == '#')
			in = strncmp(line, "## Id ranges", 12) == 0;
		else if (in && n < max && parse_row(line, &rows[n]))
			n++;
	}
	fclose(f);
	return n;
}

/* How many patterns of patterns/<file> have an id in [lo, hi]. */
static unsigned ids_in_file(const char *file, unsigned lo, unsigned hi)
{
	char path[512], line[4096];
	unsigned n = 0, id;
	FILE *f;

	snprintf(path, sizeof(path), TW_SOURCE_DIR "/patterns/%s", file);
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%u:/", &id) == 1 && id >= lo && id <= hi)
			n++;
	fclose(f);
	return n;
}

static void test_readme_table_is_the_registry(void **state)
{
	struct row rows[32];
	unsigned n = read_rows(rows, 32), used = 0, reserved = 0;

	(void)state;
	assert_true(n >= 2);
	for (unsigned i = 0; i < n_analyzers; i++) {
		const struct analyzer *a = analyzers[i];
		unsigned found = 0;

		if (!a->match_hi) {
			assert_null(a->patterns);
			continue;
		}
		assert_non_null(a->patterns);
		for (unsigned k = 0; k < n; k++) {
			if (strcmp(rows[k].file, "reserved") == 0) {
				/* no analyzer subscribes inside a reserved range */
				assert_true(a->match_hi < rows[k].lo ||
					    a->match_lo > rows[k].hi);
				continue;
			}
			if (strcmp(rows[k].analyzer, a->name) != 0)
				continue;
			found++;
			assert_string_equal(rows[k].file, a->patterns);
			assert_int_equal(rows[k].lo, a->match_lo);
			assert_int_equal(rows[k].hi, a->match_hi);
		}
		if (found != 1)
			fail_msg("patterns/README.md: %u rows for analyzer %s",
				 found, a->name);
		used++;
		assert_true(ids_in_file(a->patterns, a->match_lo,
					a->match_hi) > 0);
	}
	for (unsigned k = 0; k < n; k++)
		if (strcmp(rows[k].file, "reserved") == 0)
			reserved++;
	/* every other row is an analyzer's (none names a missing one) */
	assert_int_equal(used + reserved, n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_readme_table_is_the_registry),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
