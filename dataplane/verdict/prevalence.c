/* SPDX-License-Identifier: BSD-3-Clause */
/* Destination prevalence (prevalence.h): an insert-only lock-free table.
 *
 * Workers write it directly when a connection ends or a DNS answer is
 * parsed (never per packet): going through the manager cost the reader's
 * thread, which runs the manager offline, 13% of its throughput. One
 * open-addressing table keyed by a 64-bit hash of the address: its low
 * bits pick the slot, its high 32 bits are the tag a worker claims the
 * slot with (compare-and-swap); flags only ever get set (fetch-or). So
 * the final content is the same whatever order the workers wrote in, and
 * a reader racing them sees a subset of it. An entry keeps the tag of the
 * first inside host that talked to it and whether another one did: which
 * host came first matters only while no second one exists. Two addresses
 * share a tag and a probe path one time in 2^32 or more; the worst that
 * does is call a peer shared or named, never rare. */
#include "verdict/prevalence.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "decode/ip_scope.h"
#include "base/mix.h"

enum {
	DEST_CONTACTED = 1u << 0,   /* first_host is set */
	DEST_SHARED = 1u << 1,      /* a second inside host contacted it */
	DEST_NAMED = 1u << 2,       /* a DNS answer named this address */
	DEST_RESOLVES = 1u << 3,    /* this address received DNS answers */
};

struct dest {
	_Atomic uint32_t tag;          /* 0: free */
	_Atomic uint32_t first_host;   /* tag of the first inside host */
	_Atomic uint8_t flags;
};

struct prevalence {
	struct dest *slots;            /* mask + 1 entries, at most half full */
	uint32_t mask;
	uint32_t max_dests;
	uint32_t min_hosts;
	_Atomic uint32_t n_dests;      /* slots claimed */
	_Atomic uint64_t dropped;      /* not stored: table full */
	/* tags of the first inside hosts seen (0: free), min_hosts used */
	_Atomic uint32_t population[PREVALENCE_POPULATION_MAX];
};

static uint64_t addr_hash(const struct ip_addr *a)
{
	uint64_t lo, hi;

	memcpy(&lo, a->b, 8);
	memcpy(&hi, a->b + 8, 8);
	return mix64(lo ^ mix64(hi));
}

static uint32_t tag_of(uint64_t h)
{
	uint32_t t = (uint32_t)(h >> 32);

	return t ? t : 1;   /* 0 marks a free slot */
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

/* The address's slot, or NULL when it is not in the table. */
static struct dest *dest_find(const struct prevalence *p,
			      const struct ip_addr *addr)
{
	uint64_t h = addr_hash(addr);
	uint32_t tag = tag_of(h), i = (uint32_t)h & p->mask;

	for (uint32_t n = 0; n <= p->mask; n++, i = (i + 1) & p->mask) {
		uint32_t t = atomic_load_explicit(&p->slots[i].tag,
						  memory_order_acquire);

		if (t == tag)
			return &p->slots[i];
		if (t == 0)
			return NULL;
	}
	return NULL;
}

/* The address's slot, claimed when absent; NULL when the table is full
 * (counted). */
static struct dest *dest_get(struct prevalence *p, const struct ip_addr *addr)
{
	uint64_t h = addr_hash(addr);
	uint32_t tag = tag_of(h), i = (uint32_t)h & p->mask;

	for (uint32_t n = 0; n <= p->mask; n++, i = (i + 1) & p->mask) {
		struct dest *d = &p->slots[i];
		uint32_t t = atomic_load_explicit(&d->tag, memory_order_acquire);

		if (t == tag)
			return d;
		if (t != 0)
			continue;
		if (atomic_fetch_add_explicit(&p->n_dests, 1,
					      memory_order_relaxed) >=
		    p->max_dests) {
			atomic_fetch_sub_explicit(&p->n_dests, 1,
						  memory_order_relaxed);
			break;
		}
		if (atomic_compare_exchange_strong_explicit(
			    &d->tag, &t, tag, memory_order_acq_rel,
			    memory_order_acquire))
			return d;
		/* another worker took this slot first: maybe for us */
		atomic_fetch_sub_explicit(&p->n_dests, 1, memory_order_relaxed);
		if (t == tag)
			return d;
	}
	atomic_fetch_add_explicit(&p->dropped, 1, memory_order_relaxed);
	return NULL;
}

static uint8_t flags_of(const struct dest *d)
{
	return d ? atomic_load_explicit(&d->flags, memory_order_acquire) : 0;
}

static void flag_set(struct dest *d, uint8_t flag)
{
	if (d && !(flags_of(d) & flag))
		atomic_fetch_or_explicit(&d->flags, flag, memory_order_release);
}

static void population_add(struct prevalence *p, uint32_t host_tag)
{
	for (uint32_t i = 0; i < p->min_hosts; i++) {
		uint32_t t = atomic_load_explicit(&p->population[i],
						  memory_order_relaxed);

		if (t == 0 &&
		    !atomic_compare_exchange_strong_explicit(
			    &p->population[i], &t, host_tag,
			    memory_order_relaxed, memory_order_relaxed) &&
		    t != host_tag)
			continue;   /* lost the slot to another host */
		if (t == 0 || t == host_tag)
			return;
	}
}

static uint32_t population_size(const struct prevalence *p)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < p->min_hosts; i++)
		n += atomic_load_explicit(&p->population[i],
					  memory_order_relaxed) != 0;
	return n;
}

void prevalence_note_host(struct prevalence *p, const struct ip_addr *host)
{
	population_add(p, tag_of(addr_hash(host)));
}

void prevalence_contact(struct prevalence *p, const struct ip_addr *host,
			const struct ip_addr *peer)
{
	uint32_t host_tag = tag_of(addr_hash(host));
	struct dest *d;
	uint32_t first = 0;

	population_add(p, host_tag);
	d = dest_get(p, peer);
	if (!d)
		return;
	if (!atomic_compare_exchange_strong_explicit(
		    &d->first_host, &first, host_tag, memory_order_acq_rel,
		    memory_order_acquire) &&
	    first != host_tag)
		flag_set(d, DEST_SHARED);
	flag_set(d, DEST_CONTACTED);
}

void prevalence_named(struct prevalence *p, const struct ip_addr *client,
		      const struct ip_addr *addr)
{
	struct dest *a = dest_get(p, addr);

	flag_set(a, DEST_NAMED);
	if (a)
		flag_set(dest_get(p, client), DEST_RESOLVES);
}

static bool sole_host(const struct prevalence *p, const struct ip_addr *host,
		      const struct dest *d)
{
	uint8_t f = flags_of(d);

	if (population_size(p) < p->min_hosts)
		return false;
	if (!(f & DEST_CONTACTED))
		/* not contacted yet (the flow is still open), or the table
		 * was full: only a peer we know no one else uses is rare */
		return d || atomic_load_explicit(&p->dropped,
						 memory_order_relaxed) == 0;
	return !(f & DEST_SHARED) &&
	       atomic_load_explicit(&d->first_host, memory_order_acquire) ==
		       tag_of(addr_hash(host));
}

enum rarity prevalence_rarity(const struct prevalence *p,
			      const struct ip_addr *host,
			      const struct ip_addr *peer, bool start_seen)
{
	const struct dest *d = dest_find(p, peer);

	if (sole_host(p, host, d))
		return RARITY_SOLE_HOST;
	/* a site's own machines are reached by number all day */
	if (!start_seen || (flags_of(d) & DEST_NAMED) ||
	    ip_addr_is_private(peer) || ip_addr_is_local_scope(peer))
		return RARITY_NONE;
	/* an address missing from a full table may have been named */
	if (!(flags_of(dest_find(p, host)) & DEST_RESOLVES) ||
	    (!d && atomic_load_explicit(&p->dropped, memory_order_relaxed)))
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

uint32_t prevalence_destinations(const struct prevalence *p)
{
	return atomic_load_explicit(&((struct prevalence *)p)->n_dests,
				    memory_order_relaxed);
}

uint64_t prevalence_dropped(const struct prevalence *p)
{
	return atomic_load_explicit(&((struct prevalence *)p)->dropped,
				    memory_order_relaxed);
}

size_t prevalence_memory(const struct prevalence *p)
{
	return sizeof(*p) + ((size_t)p->mask + 1) * sizeof(*p->slots);
}
