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

#include "config.h"
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

/* The host entry for ip, created on first sight; NULL when the table is
 * full (the caller counts the drop). */
static struct host *host_get(struct hosts *h, const struct ip_addr *ip)
{
	struct host *hst = lookup(h, ip);
	uint32_t *bucket, idx;

	if (hst)
		return hst;
	if (h->free_head) {
		idx = h->free_head - 1;
		h->free_head = h->entries[idx].hash_next;
	} else if (h->next_unused < h->max_hosts) {
		idx = h->next_unused++;
	} else {
		return NULL;
	}
	entry_clear(h, idx);
	hst = &h->entries[idx];
	hst->ip = *ip;
	hst->first_ns = UINT64_MAX;
	bucket = &h->buckets[addr_hash(ip) & h->bucket_mask];
	hst->hash_next = *bucket;
	*bucket = idx + 1;
	h->n_used++;
	return hst;
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
	struct host *hst = host_get(h, is_orig ? &f->orig : &f->resp);

	if (!hst) {
		h->dropped++;
		return is_orig;
	}
	host_widen(hst, f->first_ns, f->last_ns);
	prevalence_note_host(h->prevalence, &hst->ip);
	host_findings_add(hst, h->max_findings, f, is_orig);
	mining_link(hst, f, is_orig, h->mining_link_ttl_ns, link_add,
		    &(struct link_ctx){ h, hst });
	host_update_verdict(h, hst);
	return is_orig;
}

static void hosts_update_all(struct hosts *h)
{
	for (uint32_t b = 0; b <= h->bucket_mask; b++)
		for (uint32_t i = h->buckets[b]; i;
		     i = h->entries[i - 1].hash_next)
			host_update_verdict(h, &h->entries[i - 1]);
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
	struct host *hst = host_get(h, ip);

	if (!hst) {
		h->dropped++;
		return;
	}
	host_widen(hst, ts_ns, ts_ns);
}

int hosts_reset(struct hosts *h, const struct ip_addr *ip)
{
	uint32_t *link = &h->buckets[addr_hash(ip) & h->bucket_mask];

	while (*link) {
		uint32_t idx = *link - 1;
		struct host *hst = &h->entries[idx];

		if (ip_addr_cmp(&hst->ip, ip) == 0) {
			*link = hst->hash_next;
			entry_clear(h, idx);
			hst->hash_next = h->free_head;
			h->free_head = idx + 1;
			h->n_used--;
			return 0;
		}
		link = &hst->hash_next;
	}
	return -1;
}

void hosts_set_config(struct hosts *h, const struct tw_config *cfg)
{
	h->home_net = cfg->hosts.home_net;
	h->suspicious_score = cfg->hosts.suspicious_score;
	h->alert_score = cfg->hosts.alert_score;
	h->mining_link_ttl_ns = cfg->mining.link_min_ttl_ns;
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
