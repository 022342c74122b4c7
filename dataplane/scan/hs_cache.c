#include "scan/hs_cache.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#define CACHE_MAX_BYTES (256u << 20) /* a larger file is not ours */
#define CACHE_KEEP 8                 /* databases kept; older ones go */

int hs_cache_dir(const char *dir, char *out, size_t outlen)
{
	const char *base = getenv("XDG_CACHE_HOME");
	int n;

	if (dir && dir[0])
		n = snprintf(out, outlen, "%s", dir);
	else if (base && base[0] == '/')
		n = snprintf(out, outlen, "%s/tunnelwatch", base);
	else if ((base = getenv("HOME")) && base[0] == '/')
		n = snprintf(out, outlen, "%s/.cache/tunnelwatch", base);
	else
		return -1;
	return n > 0 && (size_t)n < outlen ? 0 : -1;
}

int hs_cache_key(const char *const *exprs, const unsigned *flags,
		 const unsigned *ids, unsigned n, unsigned mode,
		 char key[HS_CACHE_KEY_LEN])
{
	const char *version = hs_version();
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned md_len = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) &&
		 EVP_DigestUpdate(ctx, version, strlen(version) + 1) &&
		 EVP_DigestUpdate(ctx, &mode, sizeof(mode));

	for (unsigned i = 0; ok && i < n; i++)
		ok = EVP_DigestUpdate(ctx, &ids[i], sizeof(ids[i])) &&
		     EVP_DigestUpdate(ctx, &flags[i], sizeof(flags[i])) &&
		     EVP_DigestUpdate(ctx, exprs[i], strlen(exprs[i]) + 1);
	ok = ok && EVP_DigestFinal_ex(ctx, md, &md_len) && md_len == 32;
	EVP_MD_CTX_free(ctx);
	if (!ok)
		return -1;
	for (unsigned i = 0; i < md_len; i++)
		snprintf(key + 2 * i, 3, "%02x", md[i]);
	return 0;
}

static int cache_path(const char *dir, const char *key, const char *suffix,
		      char *out, size_t outlen)
{
	int n = snprintf(out, outlen, "%s/%s.hsdb%s", dir, key, suffix);

	return n > 0 && (size_t)n < outlen ? 0 : -1;
}

static char *read_whole(const char *path, size_t *len)
{
	struct stat st;
	char *buf = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) == 0 && st.st_size > 0 &&
	    (size_t)st.st_size <= CACHE_MAX_BYTES &&
	    (buf = malloc((size_t)st.st_size)) &&
	    read(fd, buf, (size_t)st.st_size) == st.st_size) {
		*len = (size_t)st.st_size;
	} else {
		free(buf);
		buf = NULL;
	}
	close(fd);
	return buf;
}

hs_database_t *hs_cache_load(const char *dir, const char *key)
{
	char path[1024];
	hs_database_t *db = NULL;
	size_t len = 0;
	char *bytes;

	if (cache_path(dir, key, "", path, sizeof(path)) != 0)
		return NULL;
	bytes = read_whole(path, &len);
	if (!bytes)
		return NULL;
	/* Hyperscan checks its version, the platform and a CRC of the bytes */
	if (hs_deserialize_database(bytes, len, &db) != HS_SUCCESS)
		db = NULL;
	free(bytes);
	return db;
}

static int mkdir_parents(const char *dir)
{
	char tmp[1024];
	size_t len = strlen(dir);

	if (len == 0 || len >= sizeof(tmp))
		return -1;
	memcpy(tmp, dir, len + 1);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(tmp, 0755) != 0 && errno != EEXIST ? -1 : 0;
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static int is_cache_file(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return n == HS_CACHE_KEY_LEN - 1 + 5 &&
	       strcmp(d->d_name + n - 5, ".hsdb") == 0;
}

/* Every pattern edit leaves a database behind: keep the CACHE_KEEP most
 * recently written, so the cache stays bounded on disk. */
static void prune(const char *dir)
{
	struct dirent **names;
	int n = scandir(dir, &names, is_cache_file, NULL);
	time_t cutoff[CACHE_KEEP] = { 0 }; /* newest mtimes, descending */
	char path[1024];
	struct stat st;

	for (int pass = 0; pass < 2 && n > CACHE_KEEP; pass++) {
		for (int i = 0; i < n; i++) {
			snprintf(path, sizeof(path), "%s/%s", dir,
				 names[i]->d_name);
			if (stat(path, &st) != 0)
				continue;
			if (pass == 1) {
				if (st.st_mtime < cutoff[CACHE_KEEP - 1])
					unlink(path);
				continue;
			}
			for (int k = 0; k < CACHE_KEEP; k++) {
				if (st.st_mtime <= cutoff[k])
					continue;
				memmove(&cutoff[k + 1], &cutoff[k],
					(CACHE_KEEP - 1 - (size_t)k) *
						sizeof(cutoff[0]));
				cutoff[k] = st.st_mtime;
				break;
			}
		}
	}
	for (int i = 0; i < n; i++)
		free(names[i]);
	if (n > 0)
		free(names);
}

int hs_cache_store(const char *dir, const char *key, const hs_database_t *db)
{
	char path[1024], tmp[1040];
	char *bytes = NULL;
	size_t len = 0;
	int fd, rc = -1;

	if (cache_path(dir, key, "", path, sizeof(path)) != 0 ||
	    snprintf(tmp, sizeof(tmp), "%s.%ld", path, (long)getpid()) >=
		    (int)sizeof(tmp) ||
	    mkdir_parents(dir) != 0)
		return -1;
	if (hs_serialize_database(db, &bytes, &len) != HS_SUCCESS) {
		errno = ENOMEM;
		return -1;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd >= 0) {
		rc = write_all(fd, bytes, len);
		rc = close(fd) != 0 ? -1 : rc;
		rc = rc == 0 ? rename(tmp, path) : -1;
		if (rc != 0)
			unlink(tmp);
	}
	free(bytes);
	if (rc == 0)
		prune(dir);
	return rc;
}
