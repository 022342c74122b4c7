/* SPDX-License-Identifier: BSD-3-Clause */
/* Registered domains with a cache (dns_regdom.h). A libpsl lookup costs
 * about 1-3 us (thousands of instructions), and tunnels, CDNs and
 * telemetry ask for names whose first label is new every time; their
 * parent ("datadoghq.com" of "s318.datadoghq.com") is not. So the cache is
 * keyed by the parent P of a name x.P and holds P's own answer:
 *   - P has a registered domain R: so has x.P, the same R;
 *   - P is a public suffix ("github.io"): x.P is itself registered;
 *   - P has a wildcard rule ("*.kawasaki.jp", probed once with a label no
 *     list holds): x.P is asked of libpsl as it is.
 * The one answer this differs from libpsl on: a name that is itself an
 * exact rule of the list ("s3.amazonaws.com") is grouped under its
 * parent's registered domain rather than being nobody's. A hit gives what
 * a miss would, so results never depend on what else the worker saw. */
#include "analyzers/dns_tunnel/dns_regdom.h"

#include <libpsl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>


#define REGDOM_PROBE "tw--probe"   /* a label no suffix rule names */

enum { PARENT_REGISTERED, PARENT_SUFFIX, PARENT_WILDCARD };

struct regdom_slot {
	uint64_t key;             /* hash of the parent's text, 0 = empty */
	uint8_t kind;             /* PARENT_* */
	uint8_t labels;           /* PARENT_REGISTERED: labels of its domain */
};

struct dns_regdom {
	psl_ctx_t *psl;
	bool builtin;             /* psl is libpsl's static list */
	struct regdom_slot *slot;
	uint32_t mask;
};

struct dns_regdom *dns_regdom_create(uint32_t entries)
{
	struct dns_regdom *r = calloc(1, sizeof(*r));
	uint32_t n = 16;

	if (!r)
		return NULL;
	while (n < entries && n < (1u << 24))
		n <<= 1;
	r->slot = calloc(n, sizeof(*r->slot));
	/* the newer of libpsl's built-in list and Debian's publicsuffix */
	r->psl = psl_latest(NULL);
	if (!r->psl) {
		r->psl = (psl_ctx_t *)psl_builtin();
		r->builtin = true;
	}
	if (!r->slot || !r->psl) {
		dns_regdom_destroy(r);
		return NULL;
	}
	r->mask = n - 1;
	return r;
}

void dns_regdom_destroy(struct dns_regdom *r)
{
	if (!r)
		return;
	if (r->psl && !r->builtin)
		psl_free(r->psl);
	free(r->slot);
	free(r);
}

/* Start of the last n labels of s (s itself when it has fewer). */
static const char *last_labels(const char *s, size_t len, unsigned n)
{
	for (size_t i = len; i > 0; i--)
		if (s[i - 1] == '.' && --n == 0)
			return s + i;
	return s;
}

static unsigned count_labels(const char *s)
{
	unsigned n = 1;

	for (; *s; s++)
		n += *s == '.';
	return n;
}

static uint64_t hash_text(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a 64 */

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return h | 1; /* never 0, the empty mark */
}

/* What the cache keeps about a parent name p (lower case). */
static void parent_learn(struct dns_regdom *r, const char *p, size_t len,
			 struct regdom_slot *s)
{
	char probe[DNS_REGDOM_TEXT_MAX + sizeof(REGDOM_PROBE) + 1];
	const char *reg = psl_registrable_domain(r->psl, p);

	s->labels = 0;
	if (len + sizeof(REGDOM_PROBE) + 1 <= sizeof(probe)) {
		memcpy(probe, REGDOM_PROBE ".", sizeof(REGDOM_PROBE));
		memcpy(probe + sizeof(REGDOM_PROBE), p, len);
		probe[sizeof(REGDOM_PROBE) + len] = '\0';
		if (psl_is_public_suffix(r->psl, probe)) {
			s->kind = PARENT_WILDCARD;
			return;
		}
	}
	if (!reg) {
		s->kind = PARENT_SUFFIX;
		return;
	}
	s->kind = PARENT_REGISTERED;
	s->labels = (uint8_t)count_labels(reg);
}

const char *dns_regdom_find(struct dns_regdom *r, const char *lower,
			    size_t len)
{
	const char *dot = memchr(lower, '.', len);
	const char *parent, *reg;
	struct regdom_slot *s;
	size_t plen;
	uint64_t h;

	if (!dot || dot + 1 >= lower + len)
		return lower;
	parent = dot + 1;
	plen = len - (size_t)(parent - lower);
	h = hash_text(parent, plen);
	s = &r->slot[h & r->mask];
	if (s->key != h) {
		parent_learn(r, parent, plen, s);
		s->key = h;
	}
	switch (s->kind) {
	case PARENT_REGISTERED:
		return last_labels(lower, len, s->labels);
	case PARENT_SUFFIX:
		return lower;
	default:
		reg = psl_registrable_domain(r->psl, lower);
		return reg ? reg : lower;
	}
}

bool dns_regdom_listed(const struct dns_regdom *r, const char *domain)
{
	const char *dot = strchr(domain, '.');

	return dot && dot[1] &&
	       psl_is_public_suffix2(r->psl, dot + 1,
				     PSL_TYPE_ANY | PSL_TYPE_NO_STAR_RULE);
}
