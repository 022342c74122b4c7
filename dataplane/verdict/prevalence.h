/* SPDX-License-Identifier: BSD-3-Clause */
/* Prevalence of destinations, as RITA scores it: how many inside hosts
 * talk to a peer. A tunnel's far end is a destination that one host
 * contacts and no other; a message broker, a search cluster or a
 * monitoring sink is shared by many. Written by the workers (each
 * answered connection when it ends, each address a DNS answer names),
 * read by the manager when it resolves severities: insert-only and
 * lock-free (prevalence.c), so its final content does not depend on the
 * workers' interleaving. Bounded: hosts.max_destinations addresses, then
 * new ones are counted as dropped and never called rare.
 *
 * A second kind of rarity: a host whose lookups we see and that connects
 * to a public address no answer named went there by a number it already
 * had: how a C2 agent reaches its server, rarely how software reaches an
 * Internet service (a site's private addresses are reached by number all
 * day and never count). */
#ifndef TW_PREVALENCE_H
#define TW_PREVALENCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/net.h"

/* Inside hosts remembered to decide that enough of them were seen. */
#define PREVALENCE_POPULATION_MAX 16

struct prevalence;

/* max_dests peers at most; a peer can be rare only once min_hosts
 * distinct inside hosts were seen (1..PREVALENCE_POPULATION_MAX). */
struct prevalence *prevalence_create(uint32_t max_dests, uint32_t min_hosts);
void prevalence_destroy(struct prevalence *p);

/* host opened an answered connection to peer. */
void prevalence_contact(struct prevalence *p, const struct ip_addr *host,
			const struct ip_addr *peer);
/* A DNS answer to client named addr. */
void prevalence_named(struct prevalence *p, const struct ip_addr *client,
		      const struct ip_addr *addr);
/* host is an inside host (it holds a finding). */
void prevalence_note_host(struct prevalence *p, const struct ip_addr *host);

enum rarity {
	RARITY_NONE = 0,
	RARITY_SOLE_HOST,   /* no other inside host talks to the peer */
	RARITY_UNNAMED,     /* the host resolves names, no answer named it */
};

/* Why peer is rare for host, if it is: RARITY_SOLE_HOST when no other
 * host than `host` contacted peer among at least min_hosts inside hosts
 * seen; RARITY_UNNAMED when start_seen (the connection's start was
 * captured), the host's own lookups were seen and no answer named peer. */
enum rarity prevalence_rarity(const struct prevalence *p,
			      const struct ip_addr *host,
			      const struct ip_addr *peer, bool start_seen);
const char *rarity_name(enum rarity r);

uint32_t prevalence_destinations(const struct prevalence *p);
uint64_t prevalence_dropped(const struct prevalence *p);
size_t prevalence_memory(const struct prevalence *p);

#endif
