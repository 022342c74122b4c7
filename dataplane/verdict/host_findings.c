/* SPDX-License-Identifier: BSD-3-Clause */
/* One host's list of findings: repeats of the same kind, peer and peer
 * port merge into one entry, a full host keeps its strongest
 * max_findings_per_host entries, and the list is sorted into report
 * order. Findings from every worker arrive in any interleaving, so every
 * rule here ranks reports by a total order on their content (severity,
 * time, summary, detail, flow fields), never by arrival: the kept entries,
 * their detail and their order come out the same whatever came first. */
#include "verdict/host_findings.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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
static int report_cmp(const struct finding *a, uint8_t a_sev, uint64_t a_last,
		      const struct finding *b, uint8_t b_sev, uint64_t b_last)
{
	int c = cmp_u64(a_sev, b_sev);

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
	int c = report_cmp(&a->f, a->base_severity, a->rep_last_ns,
			   &b->f, b->base_severity, b->rep_last_ns);

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
	hf->base_severity = f->severity;
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

	if (report_cmp(f, f->severity, f->last_ns, &hf->f, hf->base_severity,
		       hf->rep_last_ns) > 0)
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
void host_findings_add(struct host *hst, uint32_t max_findings,
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
	if (hst->n_findings < max_findings) {
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

void host_findings_sort(struct host *hst)
{
	qsort(hst->findings, hst->n_findings, sizeof(*hst->findings),
	      finding_order_cmp);
}
