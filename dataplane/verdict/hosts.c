/* SPDX-License-Identifier: BSD-3-Clause */
/* The manager's host table: which side of a finding is the host, one
 * entry per address, and the host's score and verdict. Findings from
 * every worker arrive here in any interleaving; the table is keyed by
 * address alone, a host's findings are merged, kept and ordered by
 * content (host_findings.c) and its score is computed from them afresh
 * (verdict/score.c), so the final table does not depend on that
 * interleaving. */
#include "verdict/hosts.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "verdict/host_findings.h"
#include "verdict/mining_link.h"
#include "verdict/prevalence.h"
#include "verdict/score.h"

struct hosts {
	struct prefix_list home_net;
	uint32_t max_hosts;
	uint32_t max_findings;
	uint32_t suspicious_score;
	uint32_t alert_score;
	/* how long pool answers are remembered (mining_link.c) */
	uint64_t mining_link_ttl_ns;
	struct prevalence *prevalence; /* who talks to which peer: written
					* by the workers, read here */
	const struct suppress_list *suppress; /* the config's rules */
	struct host *entries;          /* max_hosts */
	struct host_finding *pool;     /* max_hosts * max_findings */
	const struct host **scratch;   /* max_hosts, for hosts_sorted */
	uint32_t *buckets;             /* index+1 of chain head, 0 = empty */
	uint32_t bucket_mask;
	uint32_t free_head;            /* index+1, chained through hash_next */
	uint32_t next_unused;          /* entries from here on never used */
	uint32_t n_used;
	uint64_t dropped;
	/* eviction: per rank, least recently updated first (index+1) */
	struct ilist lru[HOST_RANKS];
	uint64_t idle_ns;              /* hosts.idle_timeout, 0: off */
	uint64_t now_ns;               /* newest packet time seen here */
	struct hosts_evictions evicted;
	bool lost_findings;
	size_t memory;
};

static uint32_t addr_hash(const struct ip_addr *a)
{
	uint32_t h = 2166136261u; /* FNV-1a */

	for (size_t i = 0; i < sizeof(a->b); i++) {
		h ^= a->b[i];
		h *= 16777619u;
	}
	return h;
}

static void *alloc_array(size_t n, size_t size, size_t *total)
{
	void *p;

	if (size != 0 && n > SIZE_MAX / size)
		return NULL;
	p = calloc(n ? n : 1, size);
	if (p)
		*total += n * size;
	return p;
}

static void entry_clear(struct hosts *h, uint32_t idx)
{
	struct host *hst = &h->entries[idx];

	memset(hst, 0, sizeof(*hst));
	hst->findings = &h->pool[(size_t)idx * h->max_findings];
}

struct hosts *hosts_create(const struct tw_config *cfg)
{
	struct hosts *h;
	uint32_t nb = 1;

	if (!cfg || cfg->hosts.max_hosts == 0 ||
	    cfg->hosts.max_findings_per_host == 0 ||
	    cfg->hosts.max_hosts > UINT32_MAX / 2) {
		errno = EINVAL;
		return NULL;
	}
	h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	h->memory = sizeof(*h);
	h->home_net = cfg->hosts.home_net;
	h->max_hosts = cfg->hosts.max_hosts;
	h->max_findings = cfg->hosts.max_findings_per_host;
	h->idle_ns = cfg->hosts.idle_ns;
	h->suspicious_score = cfg->hosts.suspicious_score;
	h->alert_score = cfg->hosts.alert_score;
	h->mining_link_ttl_ns = cfg->mining.link_min_ttl_ns;
	h->suppress = &cfg->suppress;
	while (nb < h->max_hosts)
		nb <<= 1;
	h->bucket_mask = nb - 1;
	h->entries = alloc_array(h->max_hosts, sizeof(*h->entries), &h->memory);
	h->scratch = alloc_array(h->max_hosts, sizeof(*h->scratch), &h->memory);
	h->buckets = alloc_array(nb, sizeof(*h->buckets), &h->memory);
	if ((size_t)h->max_hosts <= SIZE_MAX / h->max_findings)
		h->pool = alloc_array((size_t)h->max_hosts * h->max_findings,
				      sizeof(*h->pool), &h->memory);
	h->prevalence = prevalence_create(cfg->hosts.max_destinations,
					  cfg->hosts.prevalence_min_hosts);
	if (h->prevalence)
		h->memory += prevalence_memory(h->prevalence);
	if (!h->entries || !h->scratch || !h->buckets || !h->pool ||
	    !h->prevalence) {
		hosts_destroy(h);
		errno = ENOMEM;
		return NULL;
	}
	/* entries are taken in order up to next_unused and never touched
	 * before: the table costs resident memory only as hosts appear */
	return h;
}

void hosts_destroy(struct hosts *h)
{
	if (!h)
		return;
	free(h->entries);
	free(h->scratch);
	free(h->buckets);
	free(h->pool);
	prevalence_destroy(h->prevalence);
	free(h);
}

static struct host *lookup(const struct hosts *h, const struct ip_addr *ip)
{
	uint32_t i = h->buckets[addr_hash(ip) & h->bucket_mask];

	while (i) {
		struct host *hst = &h->entries[i - 1];

		if (ip_addr_cmp(&hst->ip, ip) == 0)
			return hst;
		i = hst->hash_next;
	}
	return NULL;
}

static void lru_unlink(struct hosts *h, uint32_t idx)
{
	ilist_unlink(&h->lru[h->entries[idx].rank],
		     ILIST_ARRAY(h->entries, lru), idx + 1);
}

static void lru_append(struct hosts *h, uint32_t idx)
{
	ilist_push_tail(&h->lru[h->entries[idx].rank],
			ILIST_ARRAY(h->entries, lru), idx + 1);
}

static enum host_rank rank_of_severity(enum severity sev)
{
	switch (sev) {
	case SEV_LOW:
		return HOST_RANK_LOW;
	case SEV_MEDIUM:
		return HOST_RANK_MEDIUM;
	case SEV_HIGH:
		return HOST_RANK_HIGH;
	default:
		return HOST_RANK_CLEAN;
	}
}

static enum host_rank host_rank(const struct host *hst)
{
	enum host_rank r = HOST_RANK_CLEAN;

	for (uint32_t i = 0; i < hst->n_findings; i++) {
		enum host_rank fr = rank_of_severity(hst->findings[i].f.severity);

		if (fr > r)
			r = fr;
	}
	return r;
}

/* The host was just updated: it moves to the recent end of its rank. */
static void host_touch(struct hosts *h, struct host *hst)
{
	uint32_t idx = (uint32_t)(hst - h->entries);

	lru_unlink(h, idx);
	hst->rank = (uint8_t)host_rank(hst);
	lru_append(h, idx);
}

static void entry_free(struct hosts *h, uint32_t idx)
{
	struct host *hst = &h->entries[idx];
	uint32_t *link = &h->buckets[addr_hash(&hst->ip) & h->bucket_mask];

	while (*link && *link != idx + 1)
		link = &h->entries[*link - 1].hash_next;
	if (*link)
		*link = hst->hash_next;
	lru_unlink(h, idx);
	entry_clear(h, idx);
	ifree_push(&h->free_head, &hst->hash_next, idx + 1);
	h->n_used--;
}

static bool host_idle(const struct hosts *h, const struct host *hst)
{
	return h->idle_ns && hst->verdict == VERDICT_CLEAN &&
	       hst->last_ns + h->idle_ns < h->now_ns;
}

/* Makes room in a full table for a host of rank want: a clean host idle
 * past hosts.idle_timeout first, then the least recently updated host of
 * the lowest rank, never one above want. Returns 0 when nothing may go. */
static int evict_for(struct hosts *h, enum host_rank want)
{
	uint32_t victim = 0;

	for (int r = HOST_RANK_CLEAN; r <= HOST_RANK_LOW && !victim; r++) {
		uint32_t head = h->lru[r].head;

		if (head && host_idle(h, &h->entries[head - 1])) {
			victim = head;
			h->evicted.idle++;
		}
	}
	for (int r = HOST_RANK_CLEAN; r <= (int)want && !victim; r++) {
		if (h->lru[r].head) {
			victim = h->lru[r].head;
			h->evicted.by_rank[r]++;
		}
	}
	if (!victim)
		return 0;
	if (h->entries[victim - 1].n_findings)
		h->lost_findings = true;
	entry_free(h, victim - 1);
	return 1;
}

/* The host entry for ip, created on first sight (evicting a host that
 * ranks no higher than want when the table is full); NULL when there is
 * no room for it (the caller counts the drop). */
static struct host *host_get(struct hosts *h, const struct ip_addr *ip,
			     enum host_rank want)
{
	struct host *hst = lookup(h, ip);
	uint32_t *bucket, idx;

	if (hst)
		return hst;
	if (!h->free_head && h->next_unused >= h->max_hosts &&
	    !evict_for(h, want))
		return NULL;
	if (h->free_head) {
		idx = ifree_pop(&h->free_head,
				&h->entries[h->free_head - 1].hash_next) - 1;
	} else {
		idx = h->next_unused++;
	}
	entry_clear(h, idx);
	hst = &h->entries[idx];
	hst->ip = *ip;
	hst->first_ns = UINT64_MAX;
	bucket = &h->buckets[addr_hash(ip) & h->bucket_mask];
	hst->hash_next = *bucket;
	*bucket = idx + 1;
	hst->rank = HOST_RANK_CLEAN;
	lru_append(h, idx);
	h->n_used++;
	return hst;
}

static void clock_advance(struct hosts *h, uint64_t ts_ns)
{
	if (ts_ns > h->now_ns)
		h->now_ns = ts_ns;
}

static void host_widen(struct host *hst, uint64_t first_ns, uint64_t last_ns)
{
	if (first_ns < hst->first_ns)
		hst->first_ns = first_ns;
	if (last_ns > hst->last_ns)
		hst->last_ns = last_ns;
}

/* What a finding is worth now: an operator's suppression makes it info;
 * one that rises at a rare peer takes its severity from what the
 * prevalence table says now (the table only grows, so the final report
 * does not depend on the order contacts and findings arrived in). */
static void host_resolve_severities(const struct hosts *h, struct host *hst)
{
	for (uint32_t i = 0; i < hst->n_findings; i++) {
		struct host_finding *hf = &hst->findings[i];
		uint8_t sev = hf->base_severity;

		hf->suppressed_by = suppress_match(h->suppress, &hst->ip,
						   &hf->peer, &hf->f);
		hf->rarity = RARITY_NONE;
		if (hf->suppressed_by) {
			sev = SEV_INFO;
		} else if (hf->f.rare_severity > sev) {
			hf->rarity = (uint8_t)prevalence_rarity(
				h->prevalence, &hst->ip, &hf->peer,
				hf->f.start_seen);
			if (hf->rarity != RARITY_NONE)
				sev = hf->f.rare_severity;
		}
		hf->f.severity = sev;
	}
}

static void host_update_verdict(const struct hosts *h, struct host *hst)
{
	host_resolve_severities(h, hst);
	host_findings_sort(hst);
	hst->score = host_score(hst);
	if (hst->n_findings && hst->score >= h->alert_score)
		hst->verdict = VERDICT_ALERT;
	else if (hst->n_findings && hst->score >= h->suspicious_score)
		hst->verdict = VERDICT_SUSPICIOUS;
	else
		hst->verdict = VERDICT_CLEAN;
}

/* home_net decides when exactly one side is inside it; otherwise (both,
 * neither, or no home_net) the analyzer's own choice stands. */
static int host_side_is_orig(const struct hosts *h, const struct finding *f)
{
	if (h->home_net.n > 0) {
		bool orig_in = prefix_list_contains(&h->home_net, &f->orig);
		bool resp_in = prefix_list_contains(&h->home_net, &f->resp);

		if (orig_in != resp_in)
			return orig_in;
	}
	return f->host_is_orig ? 1 : 0;
}

/* A finding mining_link.c derived (a pool name tied to a connection). */
struct link_ctx {
	struct hosts *h;
	struct host *hst;
};

static void link_add(void *ctx, const struct finding *f, int host_is_orig)
{
	struct link_ctx *c = ctx;

	host_findings_add(c->hst, c->h->max_findings, f, host_is_orig);
}

int hosts_apply_finding(struct hosts *h, const struct finding *f)
{
	int is_orig = host_side_is_orig(h, f);
	struct host *hst;

	clock_advance(h, f->last_ns);
	/* admitted at what it may become: a rare peer raises it later */
	hst = host_get(h, is_orig ? &f->orig : &f->resp,
		       rank_of_severity(f->rare_severity > f->severity ?
						f->rare_severity :
						f->severity));
	if (!hst) {
		h->dropped++;
		if (f->severity > SEV_INFO)
			h->lost_findings = true;
		return is_orig;
	}
	host_widen(hst, f->first_ns, f->last_ns);
	prevalence_note_host(h->prevalence, &hst->ip);
	host_findings_add(hst, h->max_findings, f, is_orig);
	mining_link(hst, f, is_orig, h->mining_link_ttl_ns, link_add,
		    &(struct link_ctx){ h, hst });
	host_update_verdict(h, hst);
	host_touch(h, hst);
	return is_orig;
}

/* Severities may have moved (suppression, prevalence): a host whose rank
 * changed goes to its new rank's list. */
static void host_rerank(struct hosts *h, struct host *hst)
{
	if (host_rank(hst) != hst->rank)
		host_touch(h, hst);
}

static void hosts_update_all(struct hosts *h)
{
	for (uint32_t b = 0; b <= h->bucket_mask; b++)
		for (uint32_t i = h->buckets[b]; i;
		     i = h->entries[i - 1].hash_next) {
			host_update_verdict(h, &h->entries[i - 1]);
			host_rerank(h, &h->entries[i - 1]);
		}
}

void hosts_refresh(struct hosts *h)
{
	hosts_update_all(h);
}

struct prevalence *hosts_prevalence(struct hosts *h)
{
	return h->prevalence;
}

void hosts_note_seen(struct hosts *h, const struct ip_addr *ip, uint64_t ts_ns)
{
	struct host *hst;

	clock_advance(h, ts_ns);
	hst = host_get(h, ip, HOST_RANK_CLEAN);
	if (!hst) {
		h->dropped++;
		return;
	}
	host_widen(hst, ts_ns, ts_ns);
	host_touch(h, hst);
}

int hosts_reset(struct hosts *h, const struct ip_addr *ip)
{
	struct host *hst = lookup(h, ip);

	if (!hst)
		return -1;
	entry_free(h, (uint32_t)(hst - h->entries));
	return 0;
}

int hosts_reset_keep_open(struct hosts *h, const struct ip_addr *ip,
			  const uint64_t *open_ids, unsigned n_open,
			  unsigned *kept)
{
	struct host *hst = lookup(h, ip);
	struct finding *keep;
	unsigned n = 0;

	*kept = 0;
	if (!hst)
		return -1;
	keep = n_open && hst->n_findings
		       ? malloc(hst->n_findings * sizeof(*keep)) : NULL;
	for (uint32_t j = 0; keep && j < hst->n_findings; j++)
		for (unsigned k = 0; k < n_open; k++)
			if ((hst->findings[j].f.flow_id & INT64_MAX) ==
			    open_ids[k]) {
				keep[n++] = hst->findings[j].f;
				break;
			}
	entry_free(h, (uint32_t)(hst - h->entries));
	for (unsigned i = 0; i < n; i++)
		hosts_apply_finding(h, &keep[i]);
	free(keep);
	*kept = n;
	return 0;
}

void hosts_set_config(struct hosts *h, const struct tw_config *cfg)
{
	h->home_net = cfg->hosts.home_net;
	h->suspicious_score = cfg->hosts.suspicious_score;
	h->alert_score = cfg->hosts.alert_score;
	h->mining_link_ttl_ns = cfg->mining.link_min_ttl_ns;
	h->idle_ns = cfg->hosts.idle_ns;
	h->suppress = &cfg->suppress;
	hosts_update_all(h);
}

const struct host *hosts_find(const struct hosts *h, const struct ip_addr *ip)
{
	return lookup(h, ip);
}

static int host_order_cmp(const void *pa, const void *pb)
{
	const struct host *a = *(const struct host *const *)pa;
	const struct host *b = *(const struct host *const *)pb;
	/* highest score first */
	int c = (b->score > a->score) - (b->score < a->score);

	return c ? c : ip_addr_cmp(&a->ip, &b->ip);
}

unsigned hosts_sorted(struct hosts *h, const struct host **out, unsigned max,
		      bool all)
{
	unsigned n = 0;

	hosts_refresh(h);
	for (uint32_t b = 0; b <= h->bucket_mask; b++) {
		for (uint32_t i = h->buckets[b]; i;
		     i = h->entries[i - 1].hash_next) {
			const struct host *hst = &h->entries[i - 1];

			if (all || hst->n_findings > 0)
				h->scratch[n++] = hst;
		}
	}
	qsort(h->scratch, n, sizeof(*h->scratch), host_order_cmp);
	if (n > max)
		n = max;
	if (n)
		memcpy(out, h->scratch, n * sizeof(*out));
	return n;
}

unsigned hosts_count(const struct hosts *h)
{
	return h->n_used;
}

uint32_t hosts_destinations(const struct hosts *h)
{
	return prevalence_destinations(h->prevalence);
}

uint64_t hosts_destinations_dropped(const struct hosts *h)
{
	return prevalence_dropped(h->prevalence);
}

uint64_t hosts_dropped(const struct hosts *h)
{
	return h->dropped;
}

void hosts_evictions(const struct hosts *h, struct hosts_evictions *out)
{
	*out = h->evicted;
}

bool hosts_lost_findings(const struct hosts *h)
{
	return h->lost_findings;
}

size_t hosts_memory(const struct hosts *h)
{
	return h->memory;
}

const char *verdict_name(enum verdict v)
{
	switch (v) {
	case VERDICT_CLEAN:
		return "clean";
	case VERDICT_SUSPICIOUS:
		return "suspicious";
	case VERDICT_ALERT:
		return "alert";
	}
	return "unknown";
}
