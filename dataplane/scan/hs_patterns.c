/* SPDX-License-Identifier: BSD-3-Clause */
/* Reading the pattern files: every *.hs file of patterns/, in name order,
 * parsed into one list of patterns for hs_db.c to compile.
 *
 * Lines are `ID:/regex/flags` exactly as Hyperscan's own tools read them, so
 * a pattern file can be checked with hscheck or benchmarked with hsbench
 * unchanged. Errors name FILE:LINE. Loading happens once at start:
 * allocation here is fine. */
#include "scan/hs_patterns.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hs.h>

int loader_fail(struct loader *ld, const char *file, unsigned line,
		const char *fmt, ...)
{
	va_list ap;
	int n = 0;

	if (!ld->err || !ld->errlen)
		return -1;
	if (line)
		n = snprintf(ld->err, ld->errlen, "%s:%u: ", file, line);
	else
		n = snprintf(ld->err, ld->errlen, "%s: ", file);
	if (n < 0 || (size_t)n >= ld->errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(ld->err + n, ld->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

static int flag_value(char c, unsigned *flag)
{
	switch (c) {
	case 'i': *flag = HS_FLAG_CASELESS; return 0;
	case 'm': *flag = HS_FLAG_MULTILINE; return 0;
	case 's': *flag = HS_FLAG_DOTALL; return 0;
	case 'H': *flag = HS_FLAG_SINGLEMATCH; return 0;
	case 'V': *flag = HS_FLAG_ALLOWEMPTY; return 0;
	case '8': *flag = HS_FLAG_UTF8; return 0;
	case 'W': *flag = HS_FLAG_UCP; return 0;
	case 'P': *flag = HS_FLAG_PREFILTER; return 0;
	case 'L': *flag = HS_FLAG_SOM_LEFTMOST; return 0;
	default: return -1;
	}
}

static void strip_line_end(char *s)
{
	size_t n = strlen(s);

	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r' ||
		     s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
}

static int is_ignored(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return *s == '\0' || *s == '#';
}

static int parse_id(const char *s, const char *end, uint32_t *id)
{
	uint64_t v = 0;

	if (s == end)
		return -1;
	for (; s < end; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > UINT32_MAX)
			return -1;
	}
	*id = (uint32_t)v;
	return 0;
}

static int add_pattern(struct loader *ld, const struct pattern *p)
{
	if (ld->n_pat == ld->cap_pat) {
		unsigned cap = ld->cap_pat ? ld->cap_pat * 2 : 64;
		struct pattern *np = realloc(ld->pat, cap * sizeof(*np));

		if (!np)
			return -1;
		ld->pat = np;
		ld->cap_pat = cap;
	}
	ld->pat[ld->n_pat++] = *p;
	return 0;
}

/* `ID:/regex/flags`: the regex runs from the '/' after the colon to the
 * last '/' of the line, so it may contain unescaped slashes. */
static int parse_line(struct loader *ld, unsigned file, unsigned lineno,
		      char *line)
{
	const char *path = ld->files[file];
	struct pattern p = { .file = file, .line = lineno };
	char *colon = strchr(line, ':');
	char *open, *close, *f;

	if (!colon)
		return loader_fail(ld, path, lineno,
				   "expected ID:/regex/flags");
	if (parse_id(line, colon, &p.id))
		return loader_fail(ld, path, lineno, "bad pattern id '%.*s'",
				   (int)(colon - line), line);
	if (p.id == 0)
		return loader_fail(ld, path, lineno,
				   "pattern id 0 is reserved (means no match)");
	open = colon + 1;
	while (*open == ' ' || *open == '\t')
		open++;
	close = strrchr(line, '/');
	if (*open != '/' || close == open)
		return loader_fail(ld, path, lineno,
				   "expected /regex/ after the id");
	for (f = close + 1; *f; f++) {
		unsigned v;

		if (flag_value(*f, &v))
			return loader_fail(ld, path, lineno,
					   "unknown flag '%c'", *f);
		p.flags |= v;
	}
	*close = '\0';
	p.regex = strdup(open + 1);
	if (!p.regex || add_pattern(ld, &p)) {
		free(p.regex);
		return loader_fail(ld, path, lineno, "out of memory");
	}
	return 0;
}

static int load_file(struct loader *ld, unsigned file)
{
	const char *path = ld->files[file];
	FILE *fp = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	unsigned lineno = 0;
	int rc = 0;

	if (!fp)
		return loader_fail(ld, path, 0, "%s", strerror(errno));
	while (getline(&line, &cap, fp) >= 0) {
		lineno++;
		strip_line_end(line);
		if (is_ignored(line))
			continue;
		rc = parse_line(ld, file, lineno, line);
		if (rc)
			break;
	}
	if (!rc && ferror(fp))
		rc = loader_fail(ld, path, lineno, "read error");
	free(line);
	fclose(fp);
	return rc;
}

static int is_pattern_file(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return d->d_name[0] != '.' && n > 3 &&
	       strcmp(d->d_name + n - 3, ".hs") == 0;
}

static int list_files(struct loader *ld)
{
	struct dirent **names;
	int n = scandir(ld->dir, &names, is_pattern_file, alphasort);
	int rc = 0;

	if (n < 0)
		return loader_fail(ld, ld->dir, 0, "%s", strerror(errno));
	ld->files = calloc(n ? (size_t)n : 1, sizeof(*ld->files));
	if (!ld->files)
		rc = loader_fail(ld, ld->dir, 0, "out of memory");
	for (int i = 0; i < n; i++) {
		if (!rc && asprintf(&ld->files[ld->n_files], "%s/%s", ld->dir,
				    names[i]->d_name) < 0)
			rc = loader_fail(ld, ld->dir, 0, "out of memory");
		else if (!rc)
			ld->n_files++;
		free(names[i]);
	}
	free(names);
	if (!rc && n == 0)
		rc = loader_fail(ld, ld->dir, 0, "no pattern files (*.hs)");
	return rc;
}

static int cmp_pattern_index(const void *a, const void *b, void *arg)
{
	const struct loader *ld = arg;
	const struct pattern *pa = &ld->pat[*(const unsigned *)a];
	const struct pattern *pb = &ld->pat[*(const unsigned *)b];

	if (pa->id != pb->id)
		return pa->id < pb->id ? -1 : 1;
	return *(const unsigned *)a < *(const unsigned *)b ? -1 : 1;
}

/* Ids are unique across all files: a match id must name one pattern. The
 * later occurrence (in load order) is the one reported. */
int loader_check_unique_ids(struct loader *ld, uint32_t *sorted_ids)
{
	unsigned *idx = malloc(ld->n_pat * sizeof(*idx));
	int rc = 0;

	if (!idx)
		return loader_fail(ld, ld->dir, 0, "out of memory");
	for (unsigned i = 0; i < ld->n_pat; i++)
		idx[i] = i;
	qsort_r(idx, ld->n_pat, sizeof(*idx), cmp_pattern_index, ld);
	for (unsigned i = 0; i < ld->n_pat; i++) {
		const struct pattern *p = &ld->pat[idx[i]];

		sorted_ids[i] = p->id;
		if (i && ld->pat[idx[i - 1]].id == p->id) {
			const struct pattern *q = &ld->pat[idx[i - 1]];

			rc = loader_fail(ld, ld->files[p->file], p->line,
					 "duplicate pattern id %u (first at "
					 "%s:%u)", p->id, ld->files[q->file],
					 q->line);
			break;
		}
	}
	free(idx);
	return rc;
}

void loader_free(struct loader *ld)
{
	for (unsigned i = 0; i < ld->n_pat; i++)
		free(ld->pat[i].regex);
	free(ld->pat);
	for (unsigned i = 0; i < ld->n_files; i++)
		free(ld->files[i]);
	free(ld->files);
}

int loader_load_all(struct loader *ld)
{
	if (list_files(ld))
		return -1;
	for (unsigned i = 0; i < ld->n_files; i++)
		if (load_file(ld, i))
			return -1;
	if (ld->n_pat == 0)
		return loader_fail(ld, ld->dir, 0,
				   "no patterns in the *.hs files");
	return 0;
}
