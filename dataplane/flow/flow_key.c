/* SPDX-License-Identifier: BSD-3-Clause */
/* The normalised 5-tuple, its hash and the flow id (see flow_key.h). */
#include <string.h>

#include "flow/flow_key.h"
#include "base/bytes.h"
#include "base/mix.h"
#include "decode/decode.h"

/* 64x64->128 multiply folded to 64 bits (the "mum" step of wyhash). */
__extension__ typedef unsigned __int128 u128;

static uint64_t mum(uint64_t a, uint64_t b)
{
	u128 r = (u128)a * b;

	return (uint64_t)r ^ (uint64_t)(r >> 64);
}

#define K0 0xa0761d6478bd642fULL
#define K1 0xe7037ed1a0b428dbULL
#define K2 0x8ebc6af09c88c6e3ULL
#define K3 0x589965cc75374cc3ULL
#define K4 0x1d8e4e27c47d124fULL
#define K5 0x9e3779b97f4a7c15ULL

/* Three independent multiplies over the key's five words, then one to
 * combine, instead of a serial chain of mixes. */
static uint64_t hash_words(const struct ip_addr *a0, const struct ip_addr *a1,
			   uint64_t w4, uint64_t seed)
{
	return mum(mum(load64(a0->b) ^ K0, load64(a0->b + 8) ^ K1) ^
			   mum(load64(a1->b) ^ K2, load64(a1->b + 8) ^ K3),
		   mum(w4 ^ K4, seed ^ K5));
}

/* The key's last word: both ports, the protocol, zero padding. */
static uint64_t ports_word(uint16_t p0, uint16_t p1, uint8_t proto)
{
	uint16_t v[4] = { p0, p1, proto, 0 };
	uint64_t w;

	memcpy(&w, v, sizeof(w));
	return w;
}

static uint64_t flow_key_hash64(const struct flow_key *k, uint64_t seed)
{
	_Static_assert(sizeof(*k) == 40, "flow_key is five words");
	return hash_words(&k->addr[0], &k->addr[1],
			  ports_word(k->port[0], k->port[1], k->proto), seed);
}

uint32_t flow_key_hash(const struct flow_key *k)
{
	uint64_t h = flow_key_hash64(k, 0);

	return (uint32_t)(h ^ (h >> 32));
}

static uint64_t be64(const uint8_t *p)
{
	return __builtin_bswap64(load64(p));
}

/* memcmp's order on the address bytes, then the port. */
static int endpoint_cmp(const struct ip_addr *a, uint16_t ap,
			const struct ip_addr *b, uint16_t bp)
{
	uint64_t x = be64(a->b), y = be64(b->b);

	if (x == y) {
		x = be64(a->b + 8);
		y = be64(b->b + 8);
	}
	if (x != y)
		return x < y ? -1 : 1;
	return (ap > bp) - (ap < bp);
}

void flow_key_from_view(const struct pkt_view *pv, struct flow_key *k)
{
	/* zeroed so that padding takes part in hash and memcmp as 0 */
	memset(k, 0, sizeof(*k));
	if (endpoint_cmp(&pv->src, pv->sport, &pv->dst, pv->dport) <= 0) {
		k->addr[0] = pv->src;
		k->port[0] = pv->sport;
		k->addr[1] = pv->dst;
		k->port[1] = pv->dport;
	} else {
		k->addr[0] = pv->dst;
		k->port[0] = pv->dport;
		k->addr[1] = pv->src;
		k->port[1] = pv->sport;
	}
	k->proto = pv->proto;
}

uint64_t flow_key_id(const struct flow_key *k, uint64_t first_ns)
{
	uint64_t id = mix64(flow_key_hash64(k, 0x666c6f77ULL) ^ mix64(first_ns));

	id &= (1ULL << 53) - 1;
	return id ? id : 1;
}

static bool addr_eq(const struct ip_addr *a, const struct ip_addr *b)
{
	return memcmp(a->b, b->b, sizeof(a->b)) == 0;   /* inlined: 16 bytes */
}

bool flow_key_is_view(const struct flow_key *k, const struct pkt_view *pv)
{
	if (k->proto != pv->proto)
		return false;
	if (k->port[0] == pv->sport && k->port[1] == pv->dport &&
	    addr_eq(&k->addr[0], &pv->src) && addr_eq(&k->addr[1], &pv->dst))
		return true;
	return k->port[0] == pv->dport && k->port[1] == pv->sport &&
	       addr_eq(&k->addr[0], &pv->dst) && addr_eq(&k->addr[1], &pv->src);
}

/* flow_key_hash of pv's key, from pv's fields in registers: runs once per
 * packet on the reader, where building the key in memory and reading it
 * back cost more than the hash. */
uint32_t flow_view_hash(const struct pkt_view *pv)
{
	uint64_t h;

	if (endpoint_cmp(&pv->src, pv->sport, &pv->dst, pv->dport) <= 0)
		h = hash_words(&pv->src, &pv->dst,
			       ports_word(pv->sport, pv->dport, pv->proto), 0);
	else
		h = hash_words(&pv->dst, &pv->src,
			       ports_word(pv->dport, pv->sport, pv->proto), 0);
	return (uint32_t)(h ^ (h >> 32));
}
