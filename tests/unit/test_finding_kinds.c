/* SPDX-License-Identifier: BSD-3-Clause */
/* The finding-kind table (findings/finding_kinds.def): EVE signature ids
 * are the ones the event log always had, names and families agree, roles
 * are a family's, and the README's list is the table. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "findings/finding_kinds.h"

#define README_BEGIN "<!-- finding kinds: generated from " \
	"dataplane/findings/finding_kinds.def, checked by test_finding_kinds -->\n"
#define README_END "<!-- end of finding kinds -->\n"

/* What the EVE signature_id was before the table: FNV-1a of the kind
 * name in 9000000..9099999. A published sid never changes. */
static uint32_t legacy_sid(const char *kind)
{
	uint32_t h = 2166136261u;

	for (const char *p = kind; *p; p++) {
		h ^= (unsigned char)*p;
		h *= 16777619u;
	}
	return 9000000u + h % 100000u;
}

static void test_sids_as_before(void **state)
{
	(void)state;
	for (unsigned k = 0; k < FK_COUNT; k++) {
		if (finding_kinds[k].sid != legacy_sid(finding_kinds[k].name))
			fail_msg("%s: sid %u, the event log has used %u",
				 finding_kinds[k].name, finding_kinds[k].sid,
				 legacy_sid(finding_kinds[k].name));
		for (unsigned j = 0; j < k; j++)
			assert_int_not_equal(finding_kinds[k].sid,
					     finding_kinds[j].sid);
	}
}

static void test_names_families(void **state)
{
	(void)state;
	for (unsigned k = 0; k < FK_COUNT; k++) {
		const struct finding_kind_info *i = &finding_kinds[k];
		size_t n = strlen(i->family);

		assert_int_equal(strncmp(i->name, i->family, n), 0);
		assert_int_equal(i->name[n], '.');
		assert_null(strchr(i->name + n + 1, '.'));
		assert_int_equal(finding_kind_by_name(i->name), k);
		assert_true(i->severity <= SEV_HIGH);
		assert_true(i->signature[0] && i->doc[0]);
		/* stable text: no figures, no format */
		assert_null(strpbrk(i->signature, "0123456789%"));
		for (unsigned j = 0; j < k; j++)
			assert_string_not_equal(i->name, finding_kinds[j].name);
	}
	assert_int_equal(finding_kind_by_name("tls.sni"), FK_COUNT);
	assert_int_equal(finding_kind_by_name(NULL), FK_COUNT);
	assert_ptr_equal(finding_kind_info(FK_COUNT), &finding_kinds[0]);
}

/* score.c decides covert channels and shapes by family: every kind of
 * a family must agree on those two roles. */
static void test_roles_per_family(void **state)
{
	(void)state;
	for (unsigned k = 0; k < FK_COUNT; k++)
		for (unsigned j = 0; j < FK_COUNT; j++) {
			const struct finding_kind_info *a = &finding_kinds[k];
			const struct finding_kind_info *b = &finding_kinds[j];

			if (strcmp(a->family, b->family) != 0)
				continue;
			if ((a->role == FINDING_ROLE_COVERT) !=
			    (b->role == FINDING_ROLE_COVERT) ||
			    (a->role == FINDING_ROLE_SHAPE) !=
			    (b->role == FINDING_ROLE_SHAPE))
				fail_msg("%s and %s: one family, other roles",
					 a->name, b->name);
		}
	assert_int_equal(finding_kinds[FK_FLOW_BEACON].role,
			 FINDING_ROLE_SHAPE);
	assert_int_equal(finding_kinds[FK_DNS_TUNNEL].role,
			 FINDING_ROLE_COVERT);
	assert_int_equal(finding_kinds[FK_MINING_POOL_NAME].role,
			 FINDING_ROLE_POOL_NAME);
}

static const char *const sev_names[] = { "info", "low", "medium", "high" };
static const char *const role_names[] = {
	[FINDING_ROLE_NONE] = "",
	[FINDING_ROLE_SHAPE] = "shape",
	[FINDING_ROLE_COVERT] = "covert channel",
	[FINDING_ROLE_POOL_NAME] = "pool name",
};

static char *readme_block_expected(void)
{
	size_t cap = 16384, used = 0;
	char *s = malloc(cap);

	assert_non_null(s);
	used += (size_t)snprintf(s + used, cap - used, "%s%s%s", README_BEGIN,
				 "| kind | usual severity | fusion | EVE sid | what |\n",
				 "|---|---|---|---|---|\n");
	for (unsigned k = 0; k < FK_COUNT; k++) {
		const struct finding_kind_info *i = &finding_kinds[k];

		used += (size_t)snprintf(s + used, cap - used,
					 "| `%s` | %s | %s | %u | %s |\n",
					 i->name, sev_names[i->severity],
					 role_names[i->role], i->sid, i->doc);
		assert_true(used < cap);
	}
	snprintf(s + used, cap - used, "%s", README_END);
	return s;
}

static void test_readme_lists_the_table(void **state)
{
	char *want = readme_block_expected(), *text, *begin, *end;
	FILE *f = fopen(TW_SOURCE_DIR "/README.md", "r");
	long n;

	(void)state;
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n > 0);
	rewind(f);
	text = calloc(1, (size_t)n + 1);
	assert_non_null(text);
	assert_int_equal(fread(text, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	begin = strstr(text, README_BEGIN);
	end = begin ? strstr(begin, README_END) : NULL;
	if (!begin || !end ||
	    (size_t)(end - begin) + strlen(README_END) != strlen(want) ||
	    memcmp(begin, want, strlen(want)) != 0) {
		fprintf(stderr, "%s", want);
		fail_msg("README.md's list of finding kinds is not the table; "
			 "it should read as above");
	}
	free(text);
	free(want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sids_as_before),
		cmocka_unit_test(test_names_families),
		cmocka_unit_test(test_roles_per_family),
		cmocka_unit_test(test_readme_lists_the_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
