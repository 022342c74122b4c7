/* Destination prevalence (prevalence.h). One open-addressing table keyed
 * by the peer address; an entry keeps the first inside host seen talking
 * to it and whether a second one did: "rare" needs nothing more. */
#include "verdict/prevalence.h"

#include <stdlib.h>
#include <string.h>

#include "mix.h"

struct dest {
	struct ip_addr peer;
	struct ip_addr first_host;
	uint8_t used;
	uint8_t contacted;         /* first_host is set */
	uint8_t shared;            /* a second inside host contacted it */
	uint8_t named;             /* a DNS answer named this address */
	uint8_t resolves;          /* this address received DNS answers */
};

struct prevalence {
	struct dest *slots;        /* mask + 1 entries, at most half full */
	uint32_t mask;
	uint32_t max_dests, n_dests;
	uint32_t min_hosts;
	uint32_t n_population;
	struct ip_addr population[PREVALENCE_POPULATION_MAX];
	uint64_t generation;
	uint64_t dropped;
};

static uint32_t addr_hash(const struct ip_addr *a)
{
	uint64_t lo, hi;

	memcpy(&lo, a->b, 8);
	memcpy(&hi, a->b + 8, 8);
	return (uint32_t)mix64(lo ^ mix64(hi));
}

struct prevalence *prevalence_create(uint32_t max_dests, uint32_t min_hosts)
{
	struct prevalence *p = calloc(1, sizeof(*p));
	uint32_t n = 2;

	if (!p)
		return NULL;
	while (n < 2 * (uint64_t)max_dests && n < (1u << 30))
		n <<= 1;
	p->slots = calloc(n, sizeof(*p->slots));
	if (!p->slots) {
		free(p);
		return NULL;
	}
	p->mask = n - 1;
	p->max_dests = max_dests < n / 2 ? max_dests : n / 2;
	p->min_hosts = min_hosts < 1 ? 1 :
		       min_hosts > PREVALENCE_POPULATION_MAX ?
		       PREVALENCE_POPULATION_MAX : min_hosts;
	return p;
}

void prevalence_destroy(struct prevalence *p)
{
	if (!p)
		return;
	free(p->slots);
	free(p);
}

/* The peer's slot, or the empty slot where it would go. */
static struct dest *slot_for(const struct prevalence *p,
			     const struct ip_addr *peer)
{
	uint32_t i = addr_hash(peer) & p->mask;

	while (p->slots[i].used && ip_addr_cmp(&p->slots[i].peer, peer) != 0)
		i = (i + 1) & p->mask;
	return &p->slots[i];
}

void prevalence_note_host(struct prevalence *p, const struct ip_addr *host)
{
	if (p->n_population >= p->min_hosts)
		return;
	for (uint32_t i = 0; i < p->n_population; i++)
		if (ip_addr_cmp(&p->population[i], host) == 0)
			return;
	p->population[p->n_population++] = *host;
	p->generation++;
}

/* The entry for addr, created when absent; NULL when the table is full
 * (counted). */
static struct dest *dest_get(struct prevalence *p, const struct ip_addr *addr)
{
	struct dest *d = slot_for(p, addr);

	if (d->used)
		return d;
	if (p->n_dests >= p->max_dests) {
		p->dropped++;
		return NULL;
	}
	d->used = 1;
	d->peer = *addr;
	p->n_dests++;
	return d;
}

void prevalence_contact(struct prevalence *p, const struct ip_addr *host,
			const struct ip_addr *peer)
{
	struct dest *d;

	prevalence_note_host(p, host);
	d = dest_get(p, peer);
	if (!d)
		return;
	if (!d->contacted) {
		d->contacted = 1;
		d->first_host = *host;
		p->generation++;
	} else if (!d->shared && ip_addr_cmp(&d->first_host, host) != 0) {
		d->shared = 1;
		p->generation++;
	}
}

void prevalence_named(struct prevalence *p, const struct ip_addr *client,
		      const struct ip_addr *addr)
{
	struct dest *a = dest_get(p, addr);
	struct dest *c = a ? dest_get(p, client) : NULL;

	if (a && !a->named) {
		a->named = 1;
		p->generation++;
	}
	if (c && !c->resolves) {
		c->resolves = 1;
		p->generation++;
	}
}

static bool sole_host(const struct prevalence *p, const struct ip_addr *host,
		      const struct dest *d)
{
	if (p->n_population < p->min_hosts)
		return false;
	if (!d->used || !d->contacted)
		/* not contacted yet (the flow is still open), or the table
		 * was full: only a peer we know no one else uses is rare */
		return p->n_dests < p->max_dests;
	return !d->shared && ip_addr_cmp(&d->first_host, host) == 0;
}

enum rarity prevalence_rarity(const struct prevalence *p,
			      const struct ip_addr *host,
			      const struct ip_addr *peer, bool start_seen)
{
	const struct dest *d = slot_for(p, peer);
	const struct dest *h;

	if (sole_host(p, host, d))
		return RARITY_SOLE_HOST;
	if (!start_seen || (d->used && d->named))
		return RARITY_NONE;
	h = slot_for(p, host);
	/* an address missing from a full table may have been named */
	if (!h->used || !h->resolves || (!d->used && p->dropped))
		return RARITY_NONE;
	return RARITY_UNNAMED;
}

const char *rarity_name(enum rarity r)
{
	switch (r) {
	case RARITY_SOLE_HOST:
		return "rare peer";
	case RARITY_UNNAMED:
		return "peer no DNS answer named";
	case RARITY_NONE:
		break;
	}
	return "";
}

uint64_t prevalence_generation(const struct prevalence *p)
{
	return p->generation;
}

uint32_t prevalence_destinations(const struct prevalence *p)
{
	return p->n_dests;
}

uint64_t prevalence_dropped(const struct prevalence *p)
{
	return p->dropped;
}

size_t prevalence_memory(const struct prevalence *p)
{
	return sizeof(*p) + ((size_t)p->mask + 1) * sizeof(*p->slots);
}
