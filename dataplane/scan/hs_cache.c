/* SPDX-License-Identifier: BSD-3-Clause */
#include "scan/hs_cache.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
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

	const char *unit = getenv("CACHE_DIRECTORY");

	if (dir && dir[0])
		n = snprintf(out, outlen, "%s", dir);
	else if (unit && unit[0] == '/')
		/* systemd's CacheDirectory= (/var/cache/tunnelwatch); the
		 * first of a colon-separated list */
		n = snprintf(out, outlen, "%.*s", (int)strcspn(unit, ":"),
			     unit);
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
	hs_platform_info_t plat;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok;

	/* the CPU the database is tuned for: another host's cache (a copied
	 * disk image) is another key, not a database that may misbehave */
	memset(&plat, 0, sizeof(plat));
	if (hs_populate_platform(&plat) != HS_SUCCESS) {
		EVP_MD_CTX_free(ctx);
		return -1;
	}
	ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) &&
	     EVP_DigestUpdate(ctx, version, strlen(version) + 1) &&
	     EVP_DigestUpdate(ctx, &plat.tune, sizeof(plat.tune)) &&
	     EVP_DigestUpdate(ctx, &plat.cpu_features,
			      sizeof(plat.cpu_features)) &&
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

#define CACHE_MAGIC "TWHSDB2\n"

/* What a cache file starts with; ids[n_ids] and the serialized database
 * follow. Native byte order: a cache belongs to one machine. */
struct cache_header {
	char magic[8];
	char key[HS_CACHE_KEY_LEN - 1];   /* hex, no NUL */
	uint8_t db_sha256[32];
	uint64_t db_len;
	uint32_t n_ids;
	uint32_t reserved;
};

static void say(char *why, size_t whylen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void say(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	if (!why || !whylen)
		return;
	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
}

static int sha256(const void *buf, size_t len, uint8_t out[32])
{
	unsigned md_len = 0;

	return EVP_Digest(buf, len, out, &md_len, EVP_sha256(), NULL) &&
			       md_len == 32
		       ? 0
		       : -1;
}

/* Every missing directory of dir, each created 0700: the cache is ours
 * alone. */
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
		if (mkdir(tmp, 0700) != 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(tmp, 0700) != 0 && errno != EEXIST ? -1 : 0;
}

/* The cache directory, opened once and checked on that open descriptor
 * (so it cannot be swapped between the check and the use): ours, and
 * writable by nobody else, since whoever can write it chooses the
 * patterns we run. -1 with why ("" when it simply does not exist yet). */
static int cache_dir_open(const char *dir, bool create, char *why,
			  size_t whylen)
{
	struct stat st;
	int fd;

	say(why, whylen, "%s", "");
	if (create && mkdir_parents(dir) != 0) {
		say(why, whylen, "pattern cache %s: cannot create: %s", dir,
		    strerror(errno));
		return -1;
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		if (errno != ENOENT)
			say(why, whylen, "pattern cache %s: cannot open: %s",
			    dir, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0) {
		say(why, whylen, "pattern cache %s: %s", dir, strerror(errno));
	} else if (st.st_uid != geteuid()) {
		say(why, whylen, "pattern cache %s is owned by uid %u, not by "
		    "this process (uid %u): not used (whoever owns it chooses "
		    "the patterns); set scan.cache_dir", dir,
		    (unsigned)st.st_uid, (unsigned)geteuid());
	} else if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		say(why, whylen, "pattern cache %s is writable by group or "
		    "others (mode %04o): not used; chmod go-w it, or set "
		    "scan.cache_dir", dir, (unsigned)(st.st_mode & 07777));
	} else {
		return fd;
	}
	close(fd);
	return -1;
}

int hs_cache_check_dir(const char *dir, char *why, size_t whylen)
{
	int fd = cache_dir_open(dir, false, why, whylen);

	if (fd >= 0) {
		close(fd);
		return 0;
	}
	return why && why[0] ? -1 : 0;
}

static int cache_name(const char *key, const char *suffix, char *out,
		      size_t outlen)
{
	int n = snprintf(out, outlen, "%s.hsdb%s", key, suffix);

	return n > 0 && (size_t)n < outlen ? 0 : -1;
}

/* The whole file, at most CACHE_MAX_BYTES; a symbolic link is not
 * followed. NULL with why, or with why "" when there is no file. */
static char *read_whole(int dfd, const char *name, size_t *len, char *why,
			size_t whylen)
{
	struct stat st;
	char *buf = NULL;
	int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0) {
		if (errno != ENOENT)
			say(why, whylen, "cannot open %s: %s", name,
			    errno == ELOOP ? "a symbolic link"
					   : strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    st.st_size < (off_t)sizeof(struct cache_header) ||
	    (size_t)st.st_size > CACHE_MAX_BYTES) {
		say(why, whylen, "%s is not a cache file (size or type)", name);
	} else if (!(buf = malloc((size_t)st.st_size)) ||
		   read(fd, buf, (size_t)st.st_size) != st.st_size) {
		say(why, whylen, "cannot read %s", name);
		free(buf);
		buf = NULL;
	} else {
		*len = (size_t)st.st_size;
	}
	close(fd);
	return buf;
}

/* The header says what the database was built from and holds its hash:
 * a file renamed from another key, built for other pattern ids, cut short
 * or with a flipped bit is refused here, before Hyperscan reads it. */
static const char *header_mismatch(const char *bytes, size_t len,
				   const char *key, const unsigned *ids,
				   unsigned n_ids)
{
	struct cache_header h;
	const char *db;
	uint8_t md[32];

	memcpy(&h, bytes, sizeof(h));
	if (memcmp(h.magic, CACHE_MAGIC, sizeof(h.magic)) != 0)
		return "not a tunnelwatch cache file (or an older format)";
	if (memcmp(h.key, key, sizeof(h.key)) != 0)
		return "built from another pattern set, Hyperscan or CPU "
		       "(its key differs from its name: swapped or renamed)";
	if (h.n_ids != n_ids ||
	    (len - sizeof(h)) / sizeof(uint32_t) < n_ids)
		return "holds another number of pattern ids";
	for (unsigned i = 0; i < n_ids; i++) {
		uint32_t id;

		memcpy(&id, bytes + sizeof(h) + i * sizeof(id), sizeof(id));
		if (id != ids[i])
			return "holds pattern ids other than those loaded";
	}
	db = bytes + sizeof(h) + (size_t)n_ids * sizeof(uint32_t);
	if (h.db_len != (uint64_t)(bytes + len - db))
		return "truncated or padded";
	if (sha256(db, h.db_len, md) != 0 ||
	    memcmp(md, h.db_sha256, sizeof(md)) != 0)
		return "its database does not match its SHA-256 (corrupt)";
	return NULL;
}

hs_database_t *hs_cache_load(const char *dir, const char *key,
			     const unsigned *ids, unsigned n_ids, char *why,
			     size_t whylen)
{
	char name[256], reason[256] = "";
	hs_database_t *db = NULL;
	const char *bad;
	size_t len = 0, off;
	char *bytes;
	int dfd = cache_dir_open(dir, false, why, whylen);

	if (dfd < 0 || cache_name(key, "", name, sizeof(name)) != 0) {
		if (dfd >= 0)
			close(dfd);
		return NULL;
	}
	bytes = read_whole(dfd, name, &len, reason, sizeof(reason));
	close(dfd);
	if (!bytes) {
		if (reason[0])
			say(why, whylen, "pattern cache %s: %s", dir, reason);
		return NULL;
	}
	bad = header_mismatch(bytes, len, key, ids, n_ids);
	off = sizeof(struct cache_header) + (size_t)n_ids * sizeof(uint32_t);
	if (bad)
		say(why, whylen, "pattern cache %s/%s: %s", dir, name, bad);
	/* Hyperscan checks its version and the platform once more */
	else if (hs_deserialize_database(bytes + off, len - off, &db) !=
		 HS_SUCCESS) {
		say(why, whylen, "pattern cache %s/%s: Hyperscan refuses the "
		    "database", dir, name);
		db = NULL;
	}
	free(bytes);
	return db;
}

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int is_cache_file(const char *name)
{
	size_t n = strlen(name);

	return n == HS_CACHE_KEY_LEN - 1 + 5 &&
	       strcmp(name + n - 5, ".hsdb") == 0;
}

/* Every pattern edit leaves a database behind: keep the CACHE_KEEP most
 * recently written, so the cache stays bounded on disk. */
static void prune(int dfd)
{
	time_t cutoff[CACHE_KEEP] = { 0 }; /* newest mtimes, descending */
	int n = 0, lfd = dup(dfd);
	DIR *d = lfd >= 0 ? fdopendir(lfd) : NULL;
	struct dirent *e;
	struct stat st;

	if (!d) {
		if (lfd >= 0)
			close(lfd);
		return;
	}
	for (int pass = 0; pass < 2; pass++) {
		rewinddir(d);
		while ((e = readdir(d)) != NULL) {
			if (!is_cache_file(e->d_name) ||
			    fstatat(dfd, e->d_name, &st,
				    AT_SYMLINK_NOFOLLOW) != 0)
				continue;
			if (pass == 1) {
				if (n > CACHE_KEEP &&
				    st.st_mtime < cutoff[CACHE_KEEP - 1])
					unlinkat(dfd, e->d_name, 0);
				continue;
			}
			n++;
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
	closedir(d);
}

static int write_cache_file(int fd, const char *key, const unsigned *ids,
			    unsigned n_ids, const char *db, size_t db_len)
{
	struct cache_header h;

	memset(&h, 0, sizeof(h));
	memcpy(h.magic, CACHE_MAGIC, sizeof(h.magic));
	memcpy(h.key, key, sizeof(h.key));
	h.db_len = db_len;
	h.n_ids = n_ids;
	if (sha256(db, db_len, h.db_sha256) != 0 ||
	    write_all(fd, &h, sizeof(h)) != 0)
		return -1;
	for (unsigned i = 0; i < n_ids; i++) {
		uint32_t id = ids[i];

		if (write_all(fd, &id, sizeof(id)) != 0)
			return -1;
	}
	return write_all(fd, db, db_len);
}

int hs_cache_store(const char *dir, const char *key, const unsigned *ids,
		   unsigned n_ids, const hs_database_t *db, char *why,
		   size_t whylen)
{
	char name[256], tmp[300], pid[24];
	char *bytes = NULL;
	size_t len = 0;
	int dfd, fd, rc = -1;

	snprintf(pid, sizeof(pid), ".%ld", (long)getpid());
	if (strlen(key) != HS_CACHE_KEY_LEN - 1 ||
	    cache_name(key, "", name, sizeof(name)) != 0 ||
	    cache_name(key, pid, tmp, sizeof(tmp)) != 0) {
		say(why, whylen, "pattern cache: bad key");
		return -1;
	}
	dfd = cache_dir_open(dir, true, why, whylen);
	if (dfd < 0)
		return -1;
	if (hs_serialize_database(db, &bytes, &len) != HS_SUCCESS) {
		say(why, whylen, "pattern cache: cannot serialize the database");
		close(dfd);
		return -1;
	}
	/* a new file or nothing: a link or file planted at the temporary
	 * name is never followed or truncated */
	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
				      O_CLOEXEC, 0600);
	if (fd < 0) {
		say(why, whylen, "pattern cache %s: cannot create %s: %s%s",
		    dir, tmp, strerror(errno),
		    errno == EEXIST ? " (something is in the way; not "
				      "touched)" : "");
	} else {
		rc = write_cache_file(fd, key, ids, n_ids, bytes, len);
		rc = close(fd) != 0 ? -1 : rc;
		rc = rc == 0 ? renameat(dfd, tmp, dfd, name) : -1;
		if (rc != 0) {
			say(why, whylen, "pattern cache %s: cannot write %s: %s",
			    dir, name, strerror(errno));
			unlinkat(dfd, tmp, 0);
		}
	}
	free(bytes);
	if (rc == 0)
		prune(dfd);
	close(dfd);
	return rc;
}
