/* SPDX-License-Identifier: BSD-3-Clause */
/* A cache of compiled pattern databases. Compiling the patterns costs tens
 * of milliseconds at every start, more than reading a small trace; a
 * database serialized once loads in well under one. The cache key is a
 * SHA-256 over Hyperscan's version, the platform (tune, CPU features),
 * the mode and every pattern (id, flags, expression), so an edited pattern
 * file or a new Hyperscan never loads a stale database. Each file carries
 * a header with its key, the pattern ids and the database's SHA-256, so a
 * swapped, foreign or damaged file is refused; the directory must be
 * ours and writable by no one else, since its files choose the patterns
 * we run. */
#ifndef TW_HS_CACHE_H
#define TW_HS_CACHE_H

#include <stddef.h>

#include <hs.h>

#define HS_CACHE_KEY_LEN 65 /* hex SHA-256 and its NUL */

/* The directory the cache lives in: dir when not empty, else
 * $XDG_CACHE_HOME/tunnelwatch or $HOME/.cache/tunnelwatch. 0, or -1 when
 * none can be named. */
int hs_cache_dir(const char *dir, char *out, size_t outlen);
int hs_cache_key(const char *const *exprs, const unsigned *flags,
		 const unsigned *ids, unsigned n, unsigned mode,
		 char key[HS_CACHE_KEY_LEN]);
/* 0 when dir can serve as the cache: missing (created at the first
 * store), or a directory owned by this process's user and writable by no
 * one else; -1 with why otherwise. */
int hs_cache_check_dir(const char *dir, char *why, size_t whylen);
/* The cached database for key, built for exactly these pattern ids: its
 * header must name key and ids and hold the SHA-256 of the database that
 * follows. NULL when there is none (why "") or it is refused (why says
 * why: the caller warns and compiles). */
hs_database_t *hs_cache_load(const char *dir, const char *key,
			     const unsigned *ids, unsigned n_ids, char *why,
			     size_t whylen);
/* Stores db under key, the directory created 0700 when missing. Written
 * to a new temporary file (O_EXCL|O_NOFOLLOW, mode 0600) and renamed, so
 * a concurrent start never reads half a database and nothing planted in
 * the directory is followed. 0, or -1 with why. */
int hs_cache_store(const char *dir, const char *key, const unsigned *ids,
		   unsigned n_ids, const hs_database_t *db, char *why,
		   size_t whylen);

#endif
