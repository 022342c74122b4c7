/* The manager's host table. Findings from every worker arrive here in any
 * interleaving; each rule below (merge, eviction, order) is written so the
 * final table does not depend on that interleaving. The score and verdict
 * of a host come from verdict/score.c. */
#include "verdict/hosts.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "verdict/mining_link.h"
#include "verdict/score.h"


struct hosts {
	struct prefix_list home_net;
	uint32_t max_hosts;
	uint32_t max_findings;
	uint32_t suspicious_score;
	uint32_t alert_score;
	uint64_t mining_link_ttl_ns;   /* pool answers remembered (mining_link.c) */
	struct host *entries;          /* max_hosts */
	struct host_finding *pool;     /* max_hosts * max_findings */
	const struct host **scratch;   /* max_hosts, for hosts_sorted */
	uint32_t *buckets;             /* index+1 of the chain head, 0 = empty */
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
	while (nb < h->max_hosts)
		nb <<= 1;
	h->bucket_mask = nb - 1;
	h->entries = alloc_array(h->max_hosts, sizeof(*h->entries), &h->memory);
	h->scratch = alloc_array(h->max_hosts, sizeof(*h->scratch), &h->memory);
	h->buckets = alloc_array(nb, sizeof(*h->buckets), &h->memory);
	if ((size_t)h->max_hosts <= SIZE_MAX / h->max_findings)
		h->pool = alloc_array((size_t)h->max_hosts * h->max_findings,
				      sizeof(*h->pool), &h->memory);
	if (!h->entries || !h->scratch || !h->buckets || !h->pool) {
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

static int cmp_u64(uint64_t a, uint64_t b)
{
	return (a > b) - (a < b);
}

static int cmp_str(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "");
}

static int detail_cmp(const struct finding *a, const struct finding *b)
{
	int c = cmp_u64(a->n_detail, b->n_detail);

	for (unsigned i = 0; !c && i < a->n_detail && i < FINDING_DETAIL_MAX;
	     i++) {
		const struct finding_kv *x = &a->detail[i], *y = &b->detail[i];

		c = cmp_str(x->key, y->key);
		if (!c)
			c = cmp_u64(x->type, y->type);
		if (c)
			break;
		if (x->type == DETAIL_STR)
			c = strcmp(x->v.s, y->v.s);
		else if (x->type == DETAIL_DOUBLE)
			c = (x->v.d > y->v.d) - (x->v.d < y->v.d);
		else
			c = (x->v.i > y->v.i) - (x->v.i < y->v.i);
	}
	return c;
}

/* Which of two reports is the stronger evidence: higher severity, then the
 * later one, then the larger summary and detail; the flow fields make it
 * a total order, so the kept report never depends on arrival order. */
static int report_cmp(const struct finding *a, uint64_t a_last,
		      const struct finding *b, uint64_t b_last)
{
	int c = cmp_u64(a->severity, b->severity);

	if (!c)
		c = cmp_u64(a_last, b_last);
	if (!c)
		c = strcmp(a->summary, b->summary);
	if (!c)
		c = detail_cmp(a, b);
	if (!c)
		c = cmp_u64(a->flow_id, b->flow_id);
	if (!c)
		c = ip_addr_cmp(&a->orig, &b->orig);
	if (!c)
		c = cmp_u64(a->orig_port, b->orig_port);
	if (!c)
		c = ip_addr_cmp(&a->resp, &b->resp);
	if (!c)
		c = cmp_u64(a->resp_port, b->resp_port);
	if (!c)
		c = cmp_u64(a->proto, b->proto);
	if (!c)
		c = cmp_u64(a->first_ns, b->first_ns);
	return c;
}

static int merge_key_cmp(const struct host_finding *a,
			 const struct host_finding *b)
{
	int c = cmp_str(a->f.kind, b->f.kind);

	if (!c)
		c = ip_addr_cmp(&a->peer, &b->peer);
	if (!c)
		c = cmp_u64(a->peer_port, b->peer_port);
	return c;
}

static int entry_strength_cmp(const struct host_finding *a,
			      const struct host_finding *b)
{
	int c = report_cmp(&a->f, a->rep_last_ns, &b->f, b->rep_last_ns);

	return c ? c : merge_key_cmp(a, b);
}

static void entry_set(struct host_finding *hf, const struct finding *f,
		      int host_is_orig)
{
	hf->f = *f;
	hf->peer = host_is_orig ? f->resp : f->orig;
	hf->peer_port = host_is_orig ? f->resp_port : f->orig_port;
	hf->host_is_orig = (uint8_t)host_is_orig;
	hf->rep_last_ns = f->last_ns;
}

/* Count summed, times widened, and the detail of the stronger report;
 * severity is the first strength key, so the kept one has the maximum. */
static void entry_merge(struct host_finding *hf, const struct finding *f,
			int host_is_orig)
{
	uint64_t count = (uint64_t)hf->f.count + f->count;
	uint64_t first = hf->f.first_ns < f->first_ns ? hf->f.first_ns :
							f->first_ns;
	uint64_t last = hf->f.last_ns > f->last_ns ? hf->f.last_ns :
						     f->last_ns;

	if (report_cmp(f, f->last_ns, &hf->f, hf->rep_last_ns) > 0)
		entry_set(hf, f, host_is_orig);
	hf->f.count = count > UINT32_MAX ? UINT32_MAX : (uint32_t)count;
	hf->f.first_ns = first;
	hf->f.last_ns = last;
}

static struct host_finding *weakest_entry(const struct host *hst)
{
	struct host_finding *w = &hst->findings[0];

	for (uint32_t i = 1; i < hst->n_findings; i++) {
		if (entry_strength_cmp(&hst->findings[i], w) < 0)
			w = &hst->findings[i];
	}
	return w;
}

/* A full host keeps its strongest findings: a flood of low findings must
 * not hide a later high one. */
static void host_add_finding(struct hosts *h, struct host *hst,
			     const struct finding *f, int host_is_orig)
{
	struct host_finding cand, *w;

	entry_set(&cand, f, host_is_orig);
	for (uint32_t i = 0; i < hst->n_findings; i++) {
		if (merge_key_cmp(&hst->findings[i], &cand) == 0) {
			entry_merge(&hst->findings[i], f, host_is_orig);
			return;
		}
	}
	if (hst->n_findings < h->max_findings) {
		hst->findings[hst->n_findings++] = cand;
		return;
	}
	hst->findings_dropped++;
	w = weakest_entry(hst);
	if (entry_strength_cmp(&cand, w) > 0)
		*w = cand;
}

static int finding_order_cmp(const void *pa, const void *pb)
{
	const struct host_finding *a = pa, *b = pb;
	int c = cmp_u64(b->f.severity, a->f.severity);

	if (!c)
		c = cmp_u64(a->f.first_ns, b->f.first_ns);
	return c ? c : merge_key_cmp(a, b);
}

static void host_update_verdict(const struct hosts *h, struct host *hst)
{
	qsort(hst->findings, hst->n_findings, sizeof(*hst->findings),
	      finding_order_cmp);
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

	host_add_finding(c->h, c->hst, f, host_is_orig);
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
	host_add_finding(h, hst, f, is_orig);
	mining_link(hst, f, is_orig, h->mining_link_ttl_ns, link_add,
		    &(struct link_ctx){ h, hst });
	host_update_verdict(h, hst);
	return is_orig;
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
	for (uint32_t b = 0; b <= h->bucket_mask; b++)
		for (uint32_t i = h->buckets[b]; i;
		     i = h->entries[i - 1].hash_next)
			host_update_verdict(h, &h->entries[i - 1]);
}

const struct host *hosts_find(const struct hosts *h, const struct ip_addr *ip)
{
	return lookup(h, ip);
}

static int host_order_cmp(const void *pa, const void *pb)
{
	const struct host *a = *(const struct host *const *)pa;
	const struct host *b = *(const struct host *const *)pb;
	int c = cmp_u64(b->score, a->score);

	return c ? c : ip_addr_cmp(&a->ip, &b->ip);
}

unsigned hosts_sorted(struct hosts *h, const struct host **out, unsigned max,
		      bool all)
{
	unsigned n = 0;

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
