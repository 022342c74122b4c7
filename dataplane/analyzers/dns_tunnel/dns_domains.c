/* SPDX-License-Identifier: BSD-3-Clause */
/* Bounded LRU table of DNS domains per client and server (dns_domains.h).
 * Allocated once at worker start; a lookup hashes the key and walks one
 * chain. Distinct names are counted by a HyperLogLog of 512 4-bit
 * registers: below about 1,300 names it is linear counting over which
 * registers are set (exact while small, about 2 % off at a few hundred),
 * above it the HyperLogLog estimate (about 4.6 % standard error) -- a
 * flood of a million distinct names reads as about a million, not as the
 * ceiling of a bitmap. 4-bit registers cap the rank at 15, which starts
 * to bias the estimate low only past tens of millions of names. */
#include "analyzers/dns_tunnel/dns_domains.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

struct dns_domains {
	struct dns_domain *e;
	uint32_t *bucket;             /* index + 1 */
	uint32_t mask, cap, used;
	struct ilist lru;             /* most recent first */
	uint64_t evicted;
};

uint64_t dns_text_hash(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a 64 */

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return h;
}

struct dns_domains *dns_domains_create(uint32_t max)
{
	struct dns_domains *t = calloc(1, sizeof(*t));
	uint32_t nb = 16;

	if (!t)
		return NULL;
	while (nb < max && nb < (1u << 30))
		nb <<= 1;
	t->e = calloc(max, sizeof(*t->e));
	t->bucket = calloc(nb, sizeof(*t->bucket));
	if (!t->e || !t->bucket || max == 0) {
		dns_domains_destroy(t);
		errno = ENOMEM;
		return NULL;
	}
	t->mask = nb - 1;
	t->cap = max;
	return t;
}

void dns_domains_destroy(struct dns_domains *t)
{
	if (!t)
		return;
	free(t->e);
	free(t->bucket);
	free(t);
}

static struct dns_domain *at(struct dns_domains *t, uint32_t idx1)
{
	return &t->e[idx1 - 1];
}

static uint32_t key_bucket(const struct dns_domains *t,
			   const struct ip_addr *c, const struct ip_addr *s,
			   uint64_t h)
{
	for (unsigned i = 0; i < 16; i++)
		h = (h ^ c->b[i] ^ ((uint64_t)s->b[i] << 8)) * 1099511628211ull;
	return (uint32_t)(h ^ (h >> 32)) & t->mask;
}

static void lru_unlink(struct dns_domains *t, uint32_t i)
{
	ilist_unlink(&t->lru, ILIST_ARRAY(t->e, lru), i);
}

static void lru_front(struct dns_domains *t, uint32_t i)
{
	ilist_push_head(&t->lru, ILIST_ARRAY(t->e, lru), i);
}

static void chain_unlink(struct dns_domains *t, uint32_t i)
{
	struct dns_domain *d = at(t, i);
	uint32_t *link = &t->bucket[key_bucket(t, &d->client, &d->server,
					       d->key_hash)];

	while (*link && *link != i)
		link = &at(t, *link)->chain;
	if (*link)
		*link = d->chain;
}

static uint32_t take_slot(struct dns_domains *t)
{
	uint32_t i;

	if (t->used < t->cap)
		return ++t->used;
	i = t->lru.tail;
	t->evicted++;
	lru_unlink(t, i);
	chain_unlink(t, i);
	return i;
}

struct dns_domain *dns_domains_get(struct dns_domains *t,
				   const struct ip_addr *client,
				   const struct ip_addr *server,
				   const char *domain, uint64_t ts_ns,
				   bool *evicted)
{
	size_t n = strnlen(domain, DNS_DOMAIN_TEXT - 1);
	uint64_t h = dns_text_hash(domain, n);
	uint32_t b = key_bucket(t, client, server, h), i;
	struct dns_domain *d;

	*evicted = false;
	for (i = t->bucket[b]; i; i = at(t, i)->chain) {
		d = at(t, i);
		if (d->key_hash == h &&
		    memcmp(&d->client, client, sizeof(*client)) == 0 &&
		    memcmp(&d->server, server, sizeof(*server)) == 0 &&
		    strncmp(d->domain, domain, n) == 0 && !d->domain[n]) {
			lru_unlink(t, i);
			lru_front(t, i);
			return d;
		}
	}
	*evicted = t->used == t->cap;
	i = take_slot(t);
	d = at(t, i);
	memset(d, 0, sizeof(*d));
	d->client = *client;
	d->server = *server;
	d->key_hash = h;
	memcpy(d->domain, domain, n);
	d->first_ns = d->last_ns = ts_ns;
	d->chain = t->bucket[b];
	t->bucket[b] = i;
	lru_front(t, i);
	return d;
}

/* The register's bits of the hash stay those the earlier linear counter
 * used, so small counts read exactly as before; the rank comes from the
 * rest, mixed (FNV's low bits alone are not random enough). */
static unsigned hll_register(uint64_t name_hash)
{
	return (unsigned)((name_hash >> 40) % DNS_UNIQUE_REGISTERS);
}

static unsigned hll_rank(uint64_t name_hash)
{
	uint64_t x = name_hash;
	unsigned r;

	x ^= x >> 33; /* murmur3's finalizer */
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ull;
	x ^= x >> 33;
	r = x ? (unsigned)__builtin_clzll(x) + 1 : 65;
	return r > 15 ? 15 : r;
}

static unsigned hll_get(const struct dns_domain *d, unsigned reg)
{
	return (d->unique[reg / 2] >> (reg % 2 * 4)) & 0x0f;
}

void dns_domain_note_name(struct dns_domain *d, uint64_t name_hash)
{
	unsigned reg = hll_register(name_hash);
	unsigned rank = hll_rank(name_hash), old = hll_get(d, reg);

	if (rank <= old)
		return;
	if (old == 0)
		d->unique_set++;
	/* the estimator's sum, kept exact in fixed point as registers grow */
	d->unique_deficit += (1u << (15 - old)) - (1u << (15 - rank));
	d->unique[reg / 2] = (uint8_t)((d->unique[reg / 2] &
					~(0x0f << (reg % 2 * 4))) |
				       (rank << (reg % 2 * 4)));
}

uint32_t dns_domain_unique(const struct dns_domain *d)
{
	const double m = DNS_UNIQUE_REGISTERS;
	unsigned zeros = DNS_UNIQUE_REGISTERS - d->unique_set;
	double sum = ((double)DNS_UNIQUE_REGISTERS * (1u << 15) -
		      d->unique_deficit) / (1u << 15);
	double e = 0.7213 / (1 + 1.079 / m) * m * m / sum;
	if (e <= 2.5 * m && zeros > 0) /* small range: linear counting */
		e = -m * log((double)zeros / m);
	return e >= UINT32_MAX ? UINT32_MAX : (uint32_t)lround(e);
}

void dns_domains_stats(const struct dns_domains *t,
		       struct dns_domains_stats *out)
{
	out->evicted = t->evicted;
	out->used = t->used;
	out->capacity = t->cap;
}
