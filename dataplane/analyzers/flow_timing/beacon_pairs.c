/* SPDX-License-Identifier: BSD-3-Clause */
/* The host-pair table behind cross-connection beacons (see beacon_pairs.h):
 * a fixed array of pairs chained into hash buckets and threaded on an LRU
 * list, all links as index + 1 so that 0 means none and the memory is
 * allocated once per worker.
 *
 * Most pairs see one connection: a pair keeps its first PAIR_INLINE
 * events itself and takes a full ring from a second array only when more
 * come, so a pair costs 112 bytes of first-touched memory, not 824 (on the
 * bench trace, 24,888 pairs of one connection each: 3 MB instead of 20). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "analyzers/flow_timing/beacon_pairs.h"
#include "analyzers/flow_timing/flow_timing_report.h"
#include "scan/app_id.h"
#include "base/counters.h"

#define PAIR_RING BEACON_MAX_EVENTS
#define PAIR_INLINE 4
/* With a full ring a pair is rescored every 8th connection only: a busy
 * pair that is no beacon would otherwise pay a full scoring per flow. */
#define PAIR_RESCORE_EVERY 8
#define PAIR_MIN_BUCKETS 16

struct beacon_pair {
	struct ip_addr orig, resp;
	uint8_t proto;
	uint8_t head;               /* next ring slot */
	uint8_t len;                /* ring slots filled */
	uint32_t chain;             /* next pair of the bucket, index + 1 */
	struct ilink lru;           /* prev is more recent */
	uint32_t conns;             /* answered connections seen */
	uint32_t reported_at;       /* conns at the last finding, 0 = none */
	uint32_t ring;              /* its pair_ring, index + 1; 0: inline */
	uint64_t start_ns[PAIR_INLINE];
	uint32_t bytes[PAIR_INLINE]; /* originator IP bytes, saturated */
};

/* The events of a pair past PAIR_INLINE. */
struct pair_ring {
	uint64_t start_ns[PAIR_RING];
	uint32_t bytes[PAIR_RING];
	uint32_t next_free;         /* index + 1, while free */
};

/* Where a pair's events are and how many fit. */
struct pair_events {
	uint64_t *start_ns;
	uint32_t *bytes;
	uint32_t cap;
};

/* ---- hashing and lookup ---- */

/* Fixed (runs repeat) and a word at a time: it runs once per flow end.
 * Only the chains' shape depends on it, never a result. */
static uint32_t pair_hash(const struct ip_addr *orig,
			  const struct ip_addr *resp, uint8_t proto)
{
	uint64_t w[4], h = proto;

	_Static_assert(sizeof(orig->b) == 16, "IPv6-sized addresses");
	memcpy(w, orig->b, 16);
	memcpy(w + 2, resp->b, 16);
	for (unsigned i = 0; i < 4; i++) {
		h = (h ^ w[i]) * 0x9e3779b97f4a7c15ull;
		h ^= h >> 29;
	}
	return (uint32_t)(h ^ (h >> 32));
}

static bool pair_matches(const struct beacon_pair *p, const struct flow *f)
{
	return p->proto == f->proto &&
	       memcmp(&p->orig, &f->orig_addr, sizeof(p->orig)) == 0 &&
	       memcmp(&p->resp, &f->resp_addr, sizeof(p->resp)) == 0;
}

static struct beacon_pair *pair_at(struct beacon_pairs *t, uint32_t idx1)
{
	return &t->pairs[idx1 - 1];
}

/* ---- LRU list and bucket chains ---- */

static void lru_unlink(struct beacon_pairs *t, uint32_t idx1)
{
	ilist_unlink(&t->lru, ILIST_ARRAY(t->pairs, lru), idx1);
}

static void lru_push_front(struct beacon_pairs *t, uint32_t idx1)
{
	ilist_push_head(&t->lru, ILIST_ARRAY(t->pairs, lru), idx1);
}

static void chain_unlink(struct beacon_pairs *t, uint32_t idx1)
{
	struct beacon_pair *p = pair_at(t, idx1);
	uint32_t *link = &t->bucket[pair_hash(&p->orig, &p->resp, p->proto) &
				    t->bucket_mask];

	while (*link && *link != idx1)
		link = &pair_at(t, *link)->chain;
	if (*link)
		*link = p->chain;
	p->chain = 0;
}

static struct pair_events pair_events_of(struct beacon_pairs *t,
					 struct beacon_pair *p)
{
	struct pair_ring *r;

	if (!p->ring)
		return (struct pair_events){ p->start_ns, p->bytes, PAIR_INLINE };
	r = &t->rings[p->ring - 1];
	return (struct pair_events){ r->start_ns, r->bytes, PAIR_RING };
}

static void ring_release(struct beacon_pairs *t, struct beacon_pair *p)
{
	if (!p->ring)
		return;
	ifree_push(&t->ring_free, &t->rings[p->ring - 1].next_free, p->ring);
	p->ring = 0;
}

/* Moves a pair whose inline events are full into a ring of its own: a
 * free one, else one never used (there are as many rings as pairs). */
static void ring_take(struct beacon_pairs *t, struct beacon_pair *p)
{
	struct pair_ring *r;
	uint32_t idx1 = t->ring_free;

	if (idx1)
		ifree_pop(&t->ring_free, &t->rings[idx1 - 1].next_free);
	else
		idx1 = ++t->rings_used;
	r = &t->rings[idx1 - 1];
	memcpy(r->start_ns, p->start_ns, sizeof(p->start_ns));
	memcpy(r->bytes, p->bytes, sizeof(p->bytes));
	p->ring = idx1;
	p->head = PAIR_INLINE;
}

/* A fresh slot, or the least recently used pair's slot when full. */
static uint32_t pair_take_slot(struct beacon_pairs *t)
{
	uint32_t idx1;

	if (t->used < t->cap)
		return ++t->used;
	idx1 = t->lru.tail;
	lru_unlink(t, idx1);
	chain_unlink(t, idx1);
	ring_release(t, pair_at(t, idx1));
	return idx1;
}

/* The pair of flow f when the table holds it; nothing changes. */
static struct beacon_pair *pair_find(struct beacon_pairs *t,
				     const struct flow *f)
{
	uint32_t b = pair_hash(&f->orig_addr, &f->resp_addr, f->proto) &
		     t->bucket_mask;

	for (uint32_t idx1 = t->bucket[b]; idx1;
	     idx1 = pair_at(t, idx1)->chain)
		if (pair_matches(pair_at(t, idx1), f))
			return pair_at(t, idx1);
	return NULL;
}

/* The pair of flow f, made most recently used; created (evicting the
 * least recently used one when full) if not in the table. */
static struct beacon_pair *pair_get(struct beacon_pairs *t,
				    const struct flow *f)
{
	uint32_t b = pair_hash(&f->orig_addr, &f->resp_addr, f->proto) &
		     t->bucket_mask;
	struct beacon_pair *p;
	uint32_t idx1;

	for (idx1 = t->bucket[b]; idx1; idx1 = pair_at(t, idx1)->chain) {
		if (pair_matches(pair_at(t, idx1), f)) {
			lru_unlink(t, idx1);
			lru_push_front(t, idx1);
			return pair_at(t, idx1);
		}
	}
	idx1 = pair_take_slot(t);
	p = pair_at(t, idx1);
	/* the events are written before they are read (len counts them) */
	memset(p, 0, offsetof(struct beacon_pair, start_ns));
	p->orig = f->orig_addr;
	p->resp = f->resp_addr;
	p->proto = f->proto;
	p->chain = t->bucket[b];
	t->bucket[b] = idx1;
	lru_push_front(t, idx1);
	return p;
}

/* ---- scoring ---- */

static void pair_emit(struct an_ctx *c, const struct flow *f,
		      const struct beacon_pair *p,
		      const struct beacon_result *r, uint64_t first_ns)
{
	const char *app = app_label(f);
	char addr[64], every[24], mad[24];
	struct finding fd;

	finding_init(&fd, f, FK_FLOW_BEACON, SEV_INFO);
	timing_grade_shape(&fd, f, timing_beacon_rare_severity(c->cfg, r));
	fd.first_ns = first_ns;
	finding_summary(&fd, "beacon to %s every %s (+/-%s), score %.2f, %u connections",
			ip_addr_format(&f->resp_addr, addr, sizeof(addr)),
			timing_format_interval(r->interval_median_ms, every,
					   sizeof(every)),
			timing_format_interval(r->interval_mad_ms, mad, sizeof(mad)),
			r->score, p->conns);
	timing_beacon_add_detail(&fd, r, "connections", p->conns, app,
			     "connections");
	an_emit(c, &fd);
}

/* Enough connections, not reported since they doubled, and (with a full
 * ring) a rescoring turn. */
static bool pair_due_for_scoring(const struct tw_config *cfg,
				 const struct beacon_pair *p)
{
	if (p->len < timing_beacon_needed_events(cfg, PAIR_RING))
		return false;
	/* Report again only once the connections doubled. */
	if (p->reported_at && p->conns < 2 * (uint64_t)p->reported_at)
		return false;
	return !(p->len == PAIR_RING && p->conns % PAIR_RESCORE_EVERY != 0);
}

static void pair_evaluate(struct an_ctx *c, struct beacon_pairs *t,
			  const struct flow *f, struct beacon_pair *p)
{
	const struct tw_config *cfg = c->cfg;
	uint64_t lo = UINT64_MAX, hi = 0;
	struct pair_events ev = pair_events_of(t, p);
	struct beacon_result r;

	if (!pair_due_for_scoring(cfg, p))
		return;
	/* Flows end out of start order: the events are not sorted. */
	for (unsigned i = 0; i < p->len; i++) {
		if (ev.start_ns[i] < lo)
			lo = ev.start_ns[i];
		if (ev.start_ns[i] > hi)
			hi = ev.start_ns[i];
	}
	if (hi - lo < cfg->flowtiming.beacon_min_span_ns)
		return;
	if (beacon_score(ev.start_ns, ev.bytes, p->len, &r) != 0 ||
	    !timing_beacon_reportable(cfg, &r))
		return;
	p->reported_at = p->conns;
	pair_emit(c, f, p, &r, lo);
}

void beacon_pairs_record(struct an_ctx *c, struct beacon_pairs *t,
			 const struct flow *f)
{
	struct pair_events ev;
	struct beacon_pair *p;

	if (!t->pairs)
		return;
	if (t->used == t->cap && !pair_find(t, f))
		an_count(c, TW_CTR_AN_BEACON_PAIRS_EVICTED);
	p = pair_get(t, f);
	if (!p->ring && p->len == PAIR_INLINE)
		ring_take(t, p);
	ev = pair_events_of(t, p);
	ev.start_ns[p->head] = f->first_ns;
	ev.bytes[p->head] = saturate_u32(f->side[FLOW_DIR_ORIG].bytes);
	p->head = (uint8_t)((p->head + 1) % ev.cap);
	if (p->len < ev.cap)
		p->len++;
	if (p->conns < UINT32_MAX)
		p->conns++;
	pair_evaluate(c, t, f, p);
}

/* ---- lifetime ---- */

/* Buckets: a power of two at least max_pairs, so chains stay short. */
static uint32_t bucket_count(uint32_t max_pairs)
{
	uint32_t n = PAIR_MIN_BUCKETS;

	while (n < max_pairs && n < (1u << 31))
		n <<= 1;
	return n;
}

int beacon_pairs_init(struct beacon_pairs *t, uint32_t max_pairs)
{
	uint32_t nb;

	if (max_pairs == 0)
		return 0;
	nb = bucket_count(max_pairs);
	t->pairs = calloc(max_pairs, sizeof(*t->pairs));
	t->rings = calloc(max_pairs, sizeof(*t->rings));
	t->bucket = calloc(nb, sizeof(*t->bucket));
	if (!t->pairs || !t->rings || !t->bucket) {
		beacon_pairs_fini(t);
		return -ENOMEM;
	}
	t->bucket_mask = nb - 1;
	t->cap = max_pairs;
	return 0;
}

void beacon_pairs_fini(struct beacon_pairs *t)
{
	free(t->pairs);
	free(t->rings);
	free(t->bucket);
	memset(t, 0, sizeof(*t));
}
