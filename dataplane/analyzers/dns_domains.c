/* Bounded LRU table of DNS domains per client and server (dns_domains.h).
 * Allocated once at worker start; a lookup hashes the key and walks one
 * chain. Distinct names are counted in a 512-bit linear counter: exact
 * while small, about 2 % off at a few hundred, saturating near 3000 --
 * far past where a tunnel has been reported. */
#include "analyzers/dns_domains.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

struct dns_domains {
	struct dns_domain *e;
	uint32_t *bucket;             /* index + 1 */
	uint32_t mask, cap, used;
	uint32_t lru_head, lru_tail;  /* most / least recent, index + 1 */
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
	struct dns_domain *d = at(t, i);

	if (d->lru_prev)
		at(t, d->lru_prev)->lru_next = d->lru_next;
	else
		t->lru_head = d->lru_next;
	if (d->lru_next)
		at(t, d->lru_next)->lru_prev = d->lru_prev;
	else
		t->lru_tail = d->lru_prev;
	d->lru_prev = d->lru_next = 0;
}

static void lru_front(struct dns_domains *t, uint32_t i)
{
	struct dns_domain *d = at(t, i);

	d->lru_next = t->lru_head;
	if (t->lru_head)
		at(t, t->lru_head)->lru_prev = i;
	t->lru_head = i;
	if (!t->lru_tail)
		t->lru_tail = i;
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
	i = t->lru_tail;
	lru_unlink(t, i);
	chain_unlink(t, i);
	return i;
}

struct dns_domain *dns_domains_get(struct dns_domains *t,
				   const struct ip_addr *client,
				   const struct ip_addr *server,
				   const char *domain, uint64_t ts_ns)
{
	size_t n = strnlen(domain, DNS_DOMAIN_TEXT - 1);
	uint64_t h = dns_text_hash(domain, n);
	uint32_t b = key_bucket(t, client, server, h), i;
	struct dns_domain *d;

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

void dns_domain_note_name(struct dns_domain *d, uint64_t name_hash)
{
	uint32_t bit = (uint32_t)(name_hash >> 40) % DNS_UNIQUE_BITS;
	uint8_t m = (uint8_t)(1u << (bit % 8));

	if (!(d->unique[bit / 8] & m))
		d->unique_set++;
	d->unique[bit / 8] |= m;
}

uint32_t dns_domain_unique(const struct dns_domain *d)
{
	unsigned zeros = DNS_UNIQUE_BITS - d->unique_set;

	if (zeros == 0)
		zeros = 1; /* saturated: report the ceiling */
	return (uint32_t)lround(-(double)DNS_UNIQUE_BITS *
				log((double)zeros / DNS_UNIQUE_BITS));
}
