/* SPDX-License-Identifier: BSD-3-Clause */
/* Pattern database: the patterns hs_patterns.c reads, compiled once into a
 * single streaming Hyperscan database (or loaded from hs_cache.c's cache of
 * an earlier compile), and the accessors the scanner uses. Loading happens
 * once at start: allocation here is fine. */
#include "scan/hs_db.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hs.h>

#include "config/config.h"
#include "scan/hs_cache.h"
#include "scan/hs_patterns.h"

struct hs_db {
	hs_database_t *db;
	uint32_t *ids;           /* sorted, for hs_db_has_id */
	unsigned n_ids;
	size_t stream_size;
	size_t memory;
};

/* The database compiled for exactly these patterns by an earlier start,
 * or NULL (and ld->key set for cache_store). A cache file that is there
 * but refused is said on stderr, then compiled over. */
static hs_database_t *cached_compile(struct loader *ld, const char **exprs,
				     const unsigned *flags,
				     const unsigned *ids, unsigned mode)
{
	char why[1024] = "";
	hs_database_t *db;

	if (hs_cache_key(exprs, flags, ids, ld->n_pat, mode, ld->key) != 0) {
		ld->key[0] = '\0';
		return NULL;
	}
	db = hs_cache_load(ld->cache_dir, ld->key, ids, ld->n_pat, why,
			   sizeof(why));
	if (!db && why[0])
		fprintf(stderr, "tunnelwatch: warning: %s; compiling the "
			"patterns again\n", why);
	return db;
}

/* A cache that cannot be written only costs the next start a compile:
 * said once on stderr, never an error. */
static void cache_store(struct loader *ld, const unsigned *ids,
			const hs_database_t *db)
{
	char why[1024] = "";

	if (ld->key[0] && hs_cache_store(ld->cache_dir, ld->key, ids,
					 ld->n_pat, db, why, sizeof(why)) != 0)
		fprintf(stderr,
			"tunnelwatch: note: cannot cache the compiled patterns: "
			"%s (set scan.cache_dir, or scan.cache = false)\n",
			why);
}

static int compile_patterns(struct loader *ld, hs_database_t **db)
{
	const char **exprs = calloc(ld->n_pat, sizeof(*exprs));
	unsigned *flags = calloc(ld->n_pat, sizeof(*flags));
	unsigned *ids = calloc(ld->n_pat, sizeof(*ids));
	unsigned mode = HS_MODE_STREAM;
	hs_compile_error_t *cerr = NULL;
	int rc = 0;

	if (!exprs || !flags || !ids) {
		rc = loader_fail(ld, ld->dir, 0, "out of memory");
		goto out;
	}
	for (unsigned i = 0; i < ld->n_pat; i++) {
		exprs[i] = ld->pat[i].regex;
		flags[i] = ld->pat[i].flags;
		ids[i] = ld->pat[i].id;
		if (flags[i] & HS_FLAG_SOM_LEFTMOST)
			mode |= HS_MODE_SOM_HORIZON_LARGE;
	}
	if (ld->cache_dir &&
	    (*db = cached_compile(ld, exprs, flags, ids, mode)) != NULL)
		goto out;
	if (hs_compile_multi(exprs, flags, ids, ld->n_pat, mode, NULL, db,
			     &cerr) != HS_SUCCESS) {
		const char *msg = cerr ? cerr->message : "compile failed";

		if (cerr && cerr->expression >= 0 &&
		    (unsigned)cerr->expression < ld->n_pat) {
			const struct pattern *p = &ld->pat[cerr->expression];

			rc = loader_fail(ld, ld->files[p->file], p->line,
					 "pattern %u: %s", p->id, msg);
		} else {
			rc = loader_fail(ld, ld->dir, 0, "%s", msg);
		}
		hs_free_compile_error(cerr);
		*db = NULL;
	} else if (ld->cache_dir) {
		cache_store(ld, ids, *db);
	}
out:
	free(exprs);
	free(flags);
	free(ids);
	return rc;
}

static int db_measure(struct loader *ld, struct hs_db *db)
{
	if (hs_stream_size(db->db, &db->stream_size) != HS_SUCCESS ||
	    hs_database_size(db->db, &db->memory) != HS_SUCCESS)
		return loader_fail(ld, ld->dir, 0, "cannot size the database");
	return 0;
}

struct hs_db *hs_db_load(const char *dir, char *err, size_t errlen)
{
	return hs_db_load_cached(dir, NULL, err, errlen);
}

struct hs_db *hs_db_load_cached(const char *dir, const char *cache_dir,
				char *err, size_t errlen)
{
	struct loader ld = { .dir = dir, .cache_dir = cache_dir, .err = err,
			     .errlen = errlen };
	struct hs_db *db = calloc(1, sizeof(*db));

	if (err && errlen)
		err[0] = '\0';
	if (!db) {
		loader_fail(&ld, dir, 0, "out of memory");
		return NULL;
	}
	if (loader_load_all(&ld))
		goto fail;
	db->ids = malloc(ld.n_pat * sizeof(*db->ids));
	if (!db->ids) {
		loader_fail(&ld, dir, 0, "out of memory");
		goto fail;
	}
	db->n_ids = ld.n_pat;
	if (loader_check_unique_ids(&ld, db->ids) ||
	    compile_patterns(&ld, &db->db) || db_measure(&ld, db))
		goto fail;
	loader_free(&ld);
	return db;
fail:
	loader_free(&ld);
	hs_db_free(db);
	return NULL;
}

struct hs_db *hs_db_open(const struct tw_config *cfg, char *err,
			 size_t errlen)
{
	char cache_dir[TW_PATH_MAX];

	char why[1024] = "";

	if (!cfg->scan.cache ||
	    hs_cache_dir(cfg->scan.cache_dir, cache_dir, sizeof(cache_dir)) != 0)
		return hs_db_load(cfg->scan.patterns_dir, err, errlen);
	/* a directory others may write is refused, with the reason, and the
	 * patterns compiled without it: whoever writes it picks what runs */
	if (hs_cache_check_dir(cache_dir, why, sizeof(why)) != 0) {
		fprintf(stderr, "tunnelwatch: warning: %s\n", why);
		return hs_db_load(cfg->scan.patterns_dir, err, errlen);
	}
	return hs_db_load_cached(cfg->scan.patterns_dir, cache_dir, err, errlen);
}

void hs_db_free(struct hs_db *db)
{
	if (!db)
		return;
	if (db->db)
		hs_free_database(db->db);
	free(db->ids);
	free(db);
}

unsigned hs_db_pattern_count(const struct hs_db *db)
{
	return db->n_ids;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

int hs_db_has_id(const struct hs_db *db, uint32_t id)
{
	return bsearch(&id, db->ids, db->n_ids, sizeof(id), cmp_u32) != NULL;
}

size_t hs_db_stream_size(const struct hs_db *db)
{
	return db->stream_size;
}

size_t hs_db_memory(const struct hs_db *db)
{
	return db->memory;
}

const void *hs_db_handle(const struct hs_db *db)
{
	return db->db;
}
