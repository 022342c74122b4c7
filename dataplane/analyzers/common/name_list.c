/* SPDX-License-Identifier: BSD-3-Clause */
/* Domain name list with label-boundary suffix matching: see name_list.h.
 * Names are stored lowercased, without a trailing dot, in one text arena;
 * an open-addressing table of arena offsets finds a name in one probe
 * sequence. A lookup walks the name once from its end, lowercasing and
 * hashing (the hash runs backwards, so each suffix's hash is a step of
 * the walk); at each label start whose suffix length some listed name has,
 * the table is probed; the longest hit wins. */
#include "analyzers/common/name_list.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct name_list {
	char *arena;          /* NUL-terminated names back to back */
	uint32_t *slot;       /* arena offset + 1, 0 = empty */
	uint32_t mask;        /* slots - 1 */
	uint32_t count;
	uint64_t lens[4];     /* bit n: a listed name is n bytes long */
	uint32_t max_len;     /* the longest listed name */
};

#define FNV_BASIS 2166136261u
#define FNV_PRIME 16777619u

/* FNV-1a over the bytes from last to first. */
static uint32_t hash_name(const char *s, size_t n)
{
	uint32_t h = FNV_BASIS;

	while (n-- > 0)
		h = (h ^ (uint8_t)s[n]) * FNV_PRIME;
	return h;
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool name_char_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_' || c == '.';
}

/* Finds name (lowercase, n bytes) in the table. */
static const char *table_find_hashed(const struct name_list *l,
				     const char *name, size_t n, uint32_t h)
{
	uint32_t i = h & l->mask;

	for (; l->slot[i]; i = (i + 1) & l->mask) {
		const char *s = l->arena + l->slot[i] - 1;

		if (strncmp(s, name, n) == 0 && s[n] == '\0')
			return s;
	}
	return NULL;
}

static const char *table_find(const struct name_list *l, const char *name,
			      size_t n)
{
	return table_find_hashed(l, name, n, hash_name(name, n));
}

static void table_insert(struct name_list *l, uint32_t off)
{
	const char *s = l->arena + off;
	size_t n = strlen(s);
	uint32_t i;

	if (table_find(l, s, n))
		return;           /* duplicate line: one entry */
	i = hash_name(s, n) & l->mask;
	while (l->slot[i])
		i = (i + 1) & l->mask;
	l->slot[i] = off + 1;
	l->count++;
	if (n < NAME_LIST_NAME_MAX)
		l->lens[n / 64] |= 1ull << (n % 64);
	if (n > l->max_len)
		l->max_len = (uint32_t)n;
}

/* One line's name, normalised into out; "" for a blank or comment line.
 * Returns 0 or -1 with the reason in *why. */
static int line_name(const char *line, size_t n, char *out, const char **why)
{
	size_t a = 0, b, k = 0;

	while (a < n && (line[a] == ' ' || line[a] == '\t'))
		a++;
	b = a;
	while (b < n && line[b] != '#' && line[b] != ' ' && line[b] != '\t' &&
	       line[b] != '\r')
		b++;
	for (size_t i = b; i < n && line[i] != '#'; i++) {
		if (line[i] != ' ' && line[i] != '\t' && line[i] != '\r') {
			*why = "one name per line";
			return -1;
		}
	}
	if (b - a >= 2 && line[a] == '*' && line[a + 1] == '.')
		a += 2;
	else if (b > a && line[a] == '.')
		a += 1;
	if (b > a && line[b - 1] == '.')
		b--;
	if (b - a >= NAME_LIST_NAME_MAX) {
		*why = "name longer than 253 bytes";
		return -1;
	}
	for (size_t i = a; i < b; i++) {
		char c = lower(line[i]);

		if (!name_char_ok(c) || (c == '.' && (i == a || out[k - 1] == '.'))) {
			*why = "bad character or empty label in name";
			return -1;
		}
		out[k++] = c;
	}
	if (k > 0 && out[k - 1] == '.') {
		*why = "bad character or empty label in name";
		return -1;
	}
	out[k] = '\0';
	return 0;
}

static uint32_t table_size(uint32_t n)
{
	uint32_t s = 16;

	while (s < 2 * n && s < (1u << 30))
		s <<= 1;
	return s;
}

int name_list_parse(const char *text, size_t len, const char *label,
		    uint32_t max_names, struct name_list **out, char *err,
		    size_t errlen)
{
	struct name_list *l = calloc(1, sizeof(*l));
	uint32_t used = 0, lines = 0, n_names = 0;
	size_t pos = 0;

	if (!l || !(l->arena = malloc(len + 1))) {
		free(l);
		snprintf(err, errlen, "%s: out of memory", label);
		return -1;
	}
	/* First pass: names into the arena (never longer than the text). */
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
		const char *why = NULL;

		lines++;
		if (line_name(text + pos, n, l->arena + used, &why) < 0) {
			snprintf(err, errlen, "%s:%u: %s", label, lines, why);
			name_list_free(l);
			return -1;
		}
		if (l->arena[used] != '\0') {
			if (++n_names > max_names) {
				snprintf(err, errlen,
					 "%s:%u: more than %u names (raise the limit)",
					 label, lines, max_names);
				name_list_free(l);
				return -1;
			}
			used += (uint32_t)strlen(l->arena + used) + 1;
		}
		pos += n + 1;
	}
	l->mask = table_size(n_names) - 1;
	l->slot = calloc((size_t)l->mask + 1, sizeof(*l->slot));
	if (!l->slot) {
		snprintf(err, errlen, "%s: out of memory", label);
		name_list_free(l);
		return -1;
	}
	for (uint32_t off = 0; off < used; off += (uint32_t)strlen(l->arena + off) + 1)
		table_insert(l, off);
	*out = l;
	return 0;
}

int name_list_load(const char *path, uint32_t max_names,
		   struct name_list **out, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	char *text;
	long size;
	int rc;

	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0 || size > (64L << 20)) {
		snprintf(err, errlen, "%s: cannot size the file (limit 64 MiB)",
			 path);
		fclose(f);
		return -1;
	}
	text = malloc((size_t)size + 1);
	if (!text || fread(text, 1, (size_t)size, f) != (size_t)size) {
		snprintf(err, errlen, "%s: %s", path,
			 text ? "read error" : "out of memory");
		free(text);
		fclose(f);
		return -1;
	}
	fclose(f);
	rc = name_list_parse(text, (size_t)size, path, max_names, out, err,
			     errlen);
	free(text);
	return rc;
}

void name_list_free(struct name_list *l)
{
	if (!l)
		return;
	free(l->arena);
	free(l->slot);
	free(l);
}

uint32_t name_list_count(const struct name_list *l)
{
	return l ? l->count : 0;
}

/* A listed name of n bytes exists; lens is a local copy of the list's
 * bitmap (the name's bytes, written as they are read, could alias the
 * list's fields and force a reload per byte). */
static bool len_listed(const uint64_t lens[4], size_t n)
{
	return (lens[n / 64] >> (n % 64)) & 1u;
}

const char *name_list_match(const struct name_list *l, const char *name,
			    size_t len)
{
	char low[NAME_LIST_NAME_MAX];
	const char *best = NULL, *hit;
	uint32_t h = FNV_BASIS;
	uint64_t lens[4];
	size_t stop, i;

	if (!l || l->count == 0 || !name)
		return NULL;
	if (len > 0 && name[len - 1] == '.')
		len--;
	if (len == 0 || len >= sizeof(low))
		return NULL;
	memcpy(lens, l->lens, sizeof(lens));
	/* no listed name is longer than max_len: of the bytes before such
	 * a suffix only the one next to it matters (a '.' starts it) */
	stop = len > l->max_len + 1 ? len - l->max_len - 1 : 0;
	/* Backwards: a '.' ends the label after it, whose suffix's hash is
	 * the one so far; suffixes come shortest first, so the last hit is
	 * the longest listed suffix. */
	for (i = len; i > stop;) {
		char ch = lower(name[--i]);

		if (ch == '.' && len_listed(lens, len - i - 1) &&
		    (hit = table_find_hashed(l, low + i + 1, len - i - 1, h)))
			best = hit;
		low[i] = ch;
		h = (h ^ (uint8_t)ch) * FNV_PRIME;
	}
	if (i == 0 && len_listed(lens, len) &&
	    (hit = table_find_hashed(l, low, len, h)))
		best = hit;
	return best;
}
