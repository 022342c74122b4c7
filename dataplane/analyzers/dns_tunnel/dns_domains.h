/* SPDX-License-Identifier: BSD-3-Clause */
/* The DNS tunnel analyzer's memory: one entry per (client, server,
 * registered domain), bounded by dns.max_domains per worker, the least
 * recently used entry dropped when full. Keyed with the server too: the
 * worker sees every flow of an address pair, so an entry's counts depend
 * only on that pair's packets, whatever the number of workers. */
#ifndef TW_DNS_DOMAINS_H
#define TW_DNS_DOMAINS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/index_list.h"
#include "decode/decode.h"

#define DNS_DOMAIN_TEXT 64        /* registered domain kept, NUL included */
#define DNS_EXAMPLE_TEXT 80       /* one suspect name kept for the report */
/* Distinct names: a HyperLogLog of 512 4-bit registers (256 bytes). */
#define DNS_UNIQUE_REGISTERS 512

struct dns_domain {
	struct ip_addr client, server;
	uint64_t key_hash;            /* of the registered domain */
	char domain[DNS_DOMAIN_TEXT];
	char example[DNS_EXAMPLE_TEXT];
	uint64_t first_ns, last_ns;
	uint64_t bytes;               /* DNS message bytes, both ways */
	uint32_t queries, responses;
	uint32_t encoded;             /* query names with an encoded label */
	uint32_t long_encoded;        /* ... of at least dns.long_label */
	uint32_t tunnel_types;        /* NULL, PRIVATE, TXT, MX, CNAME, ANY ... */
	uint32_t rare_types;          /* NULL, PRIVATE: no ordinary use */
	uint32_t large;               /* messages over dns.large_answer */
	uint16_t longest_label;
	uint16_t example_type;        /* qtype of the example name */
	uint8_t example_kind;         /* enum dns_label_kind */
	uint8_t reported;             /* enum severity reported, 0 = none */
	uint32_t reported_at;         /* queries at the last report */
	uint16_t unique_set;          /* registers not zero */
	uint32_t unique_deficit;      /* sum of 2^15 - 2^(15 - register) */
	uint8_t unique[DNS_UNIQUE_REGISTERS / 2]; /* two 4-bit registers a byte */
	/* table bookkeeping */
	uint32_t chain;             /* index + 1 */
	struct ilink lru;
};

struct dns_domains;

/* What the table gave up (stats dns.domains). */
struct dns_domains_stats {
	uint64_t evicted;             /* least recently used entry dropped */
	uint32_t used, capacity;
};

/* NULL on allocation failure (errno set). */
struct dns_domains *dns_domains_create(uint32_t max);
void dns_domains_destroy(struct dns_domains *t);
/* The entry, created (zeroed, keys filled) when absent; *evicted tells
 * whether the least recently used entry gave its slot for it. */
struct dns_domain *dns_domains_get(struct dns_domains *t,
				   const struct ip_addr *client,
				   const struct ip_addr *server,
				   const char *domain, uint64_t ts_ns,
				   bool *evicted);
/* Marks a name as seen; the distinct-name estimate. */
void dns_domain_note_name(struct dns_domain *d, uint64_t name_hash);
uint32_t dns_domain_unique(const struct dns_domain *d);
void dns_domains_stats(const struct dns_domains *t, struct dns_domains_stats *out);
uint64_t dns_text_hash(const char *s, size_t n);

#endif
