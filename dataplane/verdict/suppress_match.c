/* SPDX-License-Identifier: BSD-3-Clause */
/* Matching operators' suppression rules (config/suppress.h) against a
 * finding: runs in the manager when a host's verdict is recomputed, never
 * per packet. */
#include "verdict/suppress_match.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "findings/findings.h"

static bool prefix_contains(const struct suppress_net *n,
			    const struct ip_addr *a)
{
	unsigned full = n->len / 8, rest = n->len % 8;

	if (n->any)
		return true;
	if (memcmp(n->addr.b, a->b, full) != 0)
		return false;
	return rest == 0 ||
	       ((n->addr.b[full] ^ a->b[full]) & (0xff00u >> rest) & 0xff) == 0;
}

static bool what_matches(const char *what, const char *kind)
{
	size_t n = strlen(what);

	if (!what[0])
		return true;
	if (strcmp(what, kind) == 0)
		return true;
	/* a family: "flow" matches "flow.beacon" */
	return strncmp(what, kind, n) == 0 && kind[n] == '.';
}

static bool domain_suffix(const char *name, const char *domain)
{
	size_t n = strlen(name), m = strlen(domain);

	if (m == 0 || n < m || strncasecmp(name + n - m, domain, m) != 0)
		return false;
	return n == m || name[n - m - 1] == '.';
}

/* The names a finding carries in its detail (DNS domain, SNI, pool,
 * service). */
static bool finding_names(const struct finding *f, const char *domain)
{
	static const char *const keys[] = { "domain", "name", "pool",
					    "service", "sni" };

	for (unsigned i = 0; i < f->n_detail && i < FINDING_DETAIL_MAX; i++) {
		const struct finding_kv *kv = &f->detail[i];

		if (kv->type != DETAIL_STR)
			continue;
		for (unsigned k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
			if (strcmp(kv->key, keys[k]) == 0 &&
			    domain_suffix(kv->v.s, domain))
				return true;
	}
	return false;
}

const struct suppress_rule *suppress_match(const struct suppress_list *l,
					   const struct ip_addr *host,
					   const struct ip_addr *peer,
					   const struct finding *f)
{
	for (uint32_t i = 0; l && i < l->n; i++) {
		const struct suppress_rule *r = &l->r[i];

		if (!what_matches(r->what, f->kind) ||
		    !prefix_contains(&r->host, host))
			continue;
		if (r->domain[0] ? finding_names(f, r->domain)
				 : prefix_contains(&r->peer, peer))
			return r;
	}
	return NULL;
}
