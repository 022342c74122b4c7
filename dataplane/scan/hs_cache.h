/* A cache of compiled pattern databases. Compiling the patterns costs tens
 * of milliseconds at every start, more than reading a small trace; a
 * database serialized once loads in well under one. The cache key is a
 * SHA-256 over Hyperscan's version, the mode and every pattern (id, flags,
 * expression), so an edited pattern file or a new Hyperscan never loads a
 * stale database; Hyperscan itself refuses one built for another CPU. */
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
/* The cached database for key, or NULL when there is none that loads. */
hs_database_t *hs_cache_load(const char *dir, const char *key);
/* Stores db under key (write to a temporary file, then rename, so a
 * concurrent start never reads half a database). 0, or -1 with errno. */
int hs_cache_store(const char *dir, const char *key, const hs_database_t *db);

#endif
