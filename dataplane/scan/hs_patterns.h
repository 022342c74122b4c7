/* SPDX-License-Identifier: BSD-3-Clause */
/* Reading the pattern files: the *.hs files of patterns/ parsed into one
 * list of patterns, for hs_db.c to compile. Internal to scan/. */
#ifndef TW_HS_PATTERNS_H
#define TW_HS_PATTERNS_H

#include <stddef.h>
#include <stdint.h>

#include "scan/hs_cache.h"

/* One parsed line, kept until compile so that a compile error on
 * expression i can be reported at its file and line. */
struct pattern {
	char *regex;
	unsigned flags;
	uint32_t id;
	unsigned file;           /* index into loader.files */
	unsigned line;
};

/* The patterns of one directory and where each came from; also carries
 * the error buffer and the cache fields hs_db.c uses while compiling. */
struct loader {
	const char *dir;
	const char *cache_dir;   /* NULL: always compile */
	char **files;            /* full paths, sorted by name */
	unsigned n_files;
	struct pattern *pat;
	unsigned n_pat, cap_pat;
	char *err;
	size_t errlen;
	char key[HS_CACHE_KEY_LEN]; /* cache key of these patterns */
};

/* Writes "FILE:LINE: what" (or "FILE: what" when line is 0) into ld->err;
 * always returns -1. */
int loader_fail(struct loader *ld, const char *file, unsigned line,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Lists ld->dir and parses every *.hs file of it, in name order. */
int loader_load_all(struct loader *ld);
/* Fills sorted_ids (ld->n_pat of them); -1 on a duplicate id. */
int loader_check_unique_ids(struct loader *ld, uint32_t *sorted_ids);
void loader_free(struct loader *ld);

#endif
