/* SPDX-License-Identifier: BSD-3-Clause */
/* Pattern database: loads the *.hs files of patterns/ (`ID:/regex/flags`,
 * Hyperscan's own tools' format), compiles them once into one streaming
 * database. */
#ifndef TW_HS_DB_H
#define TW_HS_DB_H

#include <stddef.h>
#include <stdint.h>

struct hs_db;
struct tw_config;

/* Loads every *.hs file of dir (sorted by name). On error returns NULL and
 * writes "FILE:LINE: what is wrong" into err. */
struct hs_db *hs_db_load(const char *dir, char *err, size_t errlen);
/* The same, reusing the database an earlier start compiled for exactly
 * these patterns from cache_dir (hs_cache.h); NULL cache_dir: compile. */
struct hs_db *hs_db_load_cached(const char *dir, const char *cache_dir,
				char *err, size_t errlen);
/* What every mode calls: the patterns of cfg->scan.patterns_dir, through
 * the cache of cfg->scan.cache_dir when cfg->scan.cache is set. */
struct hs_db *hs_db_open(const struct tw_config *cfg, char *err,
			 size_t errlen);
void hs_db_free(struct hs_db *db);

unsigned hs_db_pattern_count(const struct hs_db *db);
/* True when a pattern with this id was loaded. */
int hs_db_has_id(const struct hs_db *db, uint32_t id);
size_t hs_db_stream_size(const struct hs_db *db);
size_t hs_db_memory(const struct hs_db *db);
/* The hs_database_t *, for hs_scan.c. */
const void *hs_db_handle(const struct hs_db *db);

#endif
