/* SPDX-License-Identifier: BSD-3-Clause */
/* Conversations for the HTML report's timelines (see timeline.h for why
 * every step is independent of the order flows arrive in). Owned by the
 * manager thread; allocates once at create. */
#include "verdict/timeline.h"

#include <stdlib.h>
#include <string.h>

#include "base/mix.h"
#include "findings/flow_record.h"

#define HIST_MIN_SHIFT 20 /* ~1 ms bins at the finest */

struct timeline {
	struct tl_conv *convs;     /* cap entries, n used, compact */
	struct tl_bar *bars;       /* cap * bars_per_lane */
	uint32_t *buckets;         /* n_buckets heads, index+1 */
	uint32_t cap, n, n_buckets, bars_per_lane;
	unsigned level;            /* keep hashes with this many low zero bits */
	uint64_t flows, sampled_out;
	uint64_t first_ns, last_ns;
};

static uint64_t conv_hash(const struct worker_flow_end *fe)
{
	uint64_t h = 0x74696d656c696e65ULL;
	uint64_t w;

	for (unsigned i = 0; i < 16; i += 8) {
		memcpy(&w, fe->orig.b + i, 8);
		h = mix64(h ^ w);
		memcpy(&w, fe->resp.b + i, 8);
		h = mix64(h ^ w);
	}
	return mix64(h ^ ((uint64_t)fe->resp_port << 8 | fe->proto));
}

static int conv_matches(const struct tl_conv *c, const struct worker_flow_end *fe)
{
	return c->resp_port == fe->resp_port && c->proto == fe->proto &&
	       !memcmp(&c->orig, &fe->orig, sizeof(c->orig)) &&
	       !memcmp(&c->resp, &fe->resp, sizeof(c->resp));
}

/* The bucket index uses the high bits, the sampling the low ones. */
static uint32_t bucket_of(const struct timeline *tl, uint64_t hash)
{
	return (uint32_t)(hash >> 32) & (tl->n_buckets - 1);
}

static int passes_level(const struct timeline *tl, uint64_t hash)
{
	return tl->level == 0 || (hash & ((1ULL << tl->level) - 1)) == 0;
}

struct timeline *timeline_create(uint32_t max_conversations,
				 uint32_t bars_per_lane)
{
	struct timeline *tl = calloc(1, sizeof(*tl));

	if (!tl)
		return NULL;
	if (bars_per_lane > TL_MAX_BARS)
		bars_per_lane = TL_MAX_BARS;
	tl->cap = max_conversations ? max_conversations : 1;
	tl->bars_per_lane = bars_per_lane ? bars_per_lane : 1;
	tl->first_ns = UINT64_MAX;
	tl->n_buckets = 1;
	while (tl->n_buckets < tl->cap * 2u)
		tl->n_buckets <<= 1;
	/* calloc'd pages are touched only as conversations arrive */
	tl->convs = calloc(tl->cap, sizeof(*tl->convs));
	tl->bars = calloc((size_t)tl->cap * tl->bars_per_lane,
			  sizeof(*tl->bars));
	tl->buckets = calloc(tl->n_buckets, sizeof(*tl->buckets));
	if (!tl->convs || !tl->bars || !tl->buckets) {
		timeline_destroy(tl);
		return NULL;
	}
	return tl;
}

void timeline_destroy(struct timeline *tl)
{
	if (!tl)
		return;
	free(tl->convs);
	free(tl->bars);
	free(tl->buckets);
	free(tl);
}

static void link_conv(struct timeline *tl, uint32_t i)
{
	uint32_t b = bucket_of(tl, tl->convs[i].hash);

	tl->convs[i].bucket_next = tl->buckets[b];
	tl->buckets[b] = i + 1;
}

/* Raises the sampling level by one: drops the conversations that no longer
 * pass, keeps the others in place (bars move with them). */
static void raise_level(struct timeline *tl)
{
	uint32_t kept = 0;

	tl->level++;
	memset(tl->buckets, 0, tl->n_buckets * sizeof(*tl->buckets));
	for (uint32_t i = 0; i < tl->n; i++) {
		struct tl_conv *c = &tl->convs[i];

		if (!passes_level(tl, c->hash)) {
			tl->sampled_out += c->flows;
			continue;
		}
		if (kept != i) {
			struct tl_bar *to = tl->bars +
					    (size_t)kept * tl->bars_per_lane;

			memcpy(to, c->bars, c->n_bars * sizeof(*to));
			tl->convs[kept] = *c;
			tl->convs[kept].bars = to;
		}
		link_conv(tl, kept);
		kept++;
	}
	tl->n = kept;
}

static struct tl_conv *conv_get(struct timeline *tl,
				const struct worker_flow_end *fe)
{
	uint64_t h = conv_hash(fe);
	struct tl_conv *c;

	if (!passes_level(tl, h))
		return NULL;
	for (uint32_t i = tl->buckets[bucket_of(tl, h)]; i;
	     i = tl->convs[i - 1].bucket_next)
		if (tl->convs[i - 1].hash == h &&
		    conv_matches(&tl->convs[i - 1], fe))
			return &tl->convs[i - 1];
	while (tl->n == tl->cap) {
		raise_level(tl);
		if (!passes_level(tl, h))
			return NULL;
	}
	c = &tl->convs[tl->n];
	memset(c, 0, sizeof(*c));
	c->orig = fe->orig;
	c->resp = fe->resp;
	c->resp_port = fe->resp_port;
	c->proto = fe->proto;
	c->hash = h;
	c->first_ns = UINT64_MAX;
	c->bars = tl->bars + (size_t)tl->n * tl->bars_per_lane;
	link_conv(tl, tl->n);
	tl->n++;
	return c;
}

/* a before b in the bars kept: longer first, then earlier, larger, and
 * the open flag last (a total order on what a bar holds) */
static int bar_before(const struct tl_bar *a, const struct tl_bar *b)
{
	uint64_t da = a->last_ns - a->first_ns, db = b->last_ns - b->first_ns;

	if (da != db)
		return da > db;
	if (a->first_ns != b->first_ns)
		return a->first_ns < b->first_ns;
	if (a->last_ns != b->last_ns)
		return a->last_ns < b->last_ns;
	return a->bytes > b->bytes;
}

static void keep_bar(struct timeline *tl, struct tl_conv *c,
		     const struct tl_bar *nb)
{
	unsigned worst = 0;

	if (c->n_bars < tl->bars_per_lane) {
		c->bars[c->n_bars++] = *nb;
		return;
	}
	for (unsigned i = 1; i < c->n_bars; i++)
		if (bar_before(&c->bars[worst], &c->bars[i]))
			worst = i;
	if (bar_before(nb, &c->bars[worst]))
		c->bars[worst] = *nb;
}

/* Re-bins for a new lowest time or a wider bin: old bins nest exactly in
 * the new ones (widths are powers of two). */
static void hist_rebin(struct tl_hist *h, uint64_t new_min, unsigned new_shift)
{
	uint32_t old[TL_HIST_BINS];
	uint64_t old_lo = h->min >> h->shift;
	uint64_t new_lo = new_min >> new_shift;

	memcpy(old, h->bins, sizeof(old));
	memset(h->bins, 0, sizeof(h->bins));
	for (unsigned i = 0; i < TL_HIST_BINS; i++) {
		if (!old[i])
			continue;
		h->bins[((old_lo + i) >> (new_shift - h->shift)) - new_lo] +=
			old[i];
	}
	h->shift = (uint8_t)new_shift;
}

/* The bin width ends as the smallest power of two that fits every time
 * added, whatever their order. */
static void hist_add(struct tl_hist *h, uint64_t t)
{
	uint64_t lo, hi;
	unsigned shift;

	if (h->n++ == 0) {
		h->min = h->max = t;
		h->shift = HIST_MIN_SHIFT;
		h->bins[0] = 1;
		return;
	}
	lo = t < h->min ? t : h->min;
	hi = t > h->max ? t : h->max;
	shift = h->shift;
	while ((hi >> shift) - (lo >> shift) >= TL_HIST_BINS)
		shift++;
	if (lo != h->min || shift != h->shift)
		hist_rebin(h, lo, shift);
	h->min = lo;
	h->max = hi;
	h->bins[(t >> shift) - (lo >> shift)]++;
}

static void conv_add(struct timeline *tl, struct tl_conv *c,
		     const struct worker_flow_end *fe)
{
	struct tl_bar b = {
		.first_ns = fe->first_ns,
		.last_ns = fe->last_ns > fe->first_ns ? fe->last_ns : fe->first_ns,
		.bytes = (fe->bytes & ~TL_BAR_OPEN) | (fe->open ? TL_BAR_OPEN : 0),
	};

	c->flows++;
	c->open_flows += fe->open;
	c->bytes += fe->bytes;
	c->pkts += fe->pkts;
	if (fe->first_ns < c->first_ns)
		c->first_ns = fe->first_ns;
	if (b.last_ns > c->last_ns)
		c->last_ns = b.last_ns;
	if (fe->bytes > c->app_bytes ||
	    (fe->bytes == c->app_bytes && fe->app > c->app)) {
		c->app_bytes = fe->bytes;
		c->app = fe->app;
	}
	keep_bar(tl, c, &b);
	hist_add(&c->starts, fe->first_ns);
	for (uint32_t i = 0; i < fe->n_events && i < WORKER_FLOW_EVENTS; i++)
		hist_add(&c->events,
			 fe->first_ns + (uint64_t)fe->ev_ms[i] * 1000000u);
}

void timeline_add(struct timeline *tl, const struct worker_flow_end *fe)
{
	struct tl_conv *c;

	tl->flows++;
	if (fe->first_ns < tl->first_ns)
		tl->first_ns = fe->first_ns;
	if (fe->last_ns > tl->last_ns)
		tl->last_ns = fe->last_ns;
	c = conv_get(tl, fe);
	if (c)
		conv_add(tl, c, fe);
	else
		tl->sampled_out++;
}

unsigned timeline_host_convs(const struct timeline *tl,
			     const struct ip_addr *host,
			     const struct tl_conv **out, unsigned max)
{
	unsigned n = 0;

	for (uint32_t i = 0; i < tl->n && n < max; i++) {
		const struct tl_conv *c = &tl->convs[i];

		if (!memcmp(&c->orig, host, sizeof(*host)) ||
		    !memcmp(&c->resp, host, sizeof(*host)))
			out[n++] = c;
	}
	return n;
}

uint64_t timeline_flows(const struct timeline *tl)
{
	return tl->flows;
}

void timeline_span(const struct timeline *tl, uint64_t *first_ns,
		   uint64_t *last_ns)
{
	*first_ns = tl->flows ? tl->first_ns : 0;
	*last_ns = tl->last_ns;
}

uint64_t timeline_sampled_out(const struct timeline *tl)
{
	return tl->sampled_out;
}

size_t timeline_memory(const struct timeline *tl)
{
	return sizeof(*tl) + (size_t)tl->cap * sizeof(*tl->convs) +
	       (size_t)tl->cap * tl->bars_per_lane * sizeof(*tl->bars) +
	       (size_t)tl->n_buckets * sizeof(*tl->buckets);
}
