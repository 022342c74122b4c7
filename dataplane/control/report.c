/* SPDX-License-Identifier: BSD-3-Clause */
/* The offline report: DESIGN.md §3a's JSON document for scripts, or a
 * table for people. Nothing in it may depend on the number of workers or
 * on the wall clock: the same trace gives the same bytes every time. */
#include "control/report.h"

#include <stdlib.h>
#include <string.h>

#include "control/json_util.h"
#include "scan/app_id.h"
#include "base/counters.h"

#define REPORT_VERSION 1
#define EVIDENCE_WIDTH_MAX 60   /* table: longer summaries end in "..." */

struct counter_def {
	enum tw_counter id;
	const char *ident;        /* "DROP_L2_TRUNCATED" */
	const char *name;         /* "drop_l2_truncated" */
};

static const struct counter_def counter_defs[] = {
#define TW_COUNTER_DEF(id, name) { TW_CTR_##id, #id, name },
	TW_COUNTERS(TW_COUNTER_DEF)
#undef TW_COUNTER_DEF
};

static const char *const flow_bytes_labels[8] = {
	"<100", "<1K", "<10K", "<100K", "<1M", "<10M", "<100M", ">=100M",
};

/* Every counter whose identifier starts with ident ("DROP_"), zeros
 * included, keyed by its name without prefix ("drop_"): "l2_truncated". */
static json_t *counters_json(const struct tw_counters *c, const char *ident,
			     const char *prefix)
{
	size_t ilen = strlen(ident), plen = strlen(prefix);
	json_t *obj = json_object();

	for (size_t i = 0; obj && i < sizeof(counter_defs) /
					      sizeof(counter_defs[0]); i++) {
		const struct counter_def *d = &counter_defs[i];
		const char *reason = d->name;

		if (strncmp(d->ident, ident, ilen) != 0)
			continue;
		if (strncmp(reason, prefix, plen) == 0)
			reason += plen;
		if (json_object_set_new(obj, reason, json_u64(c->v[d->id]))) {
			json_decref(obj);
			return NULL;
		}
	}
	return obj;
}

static json_t *flow_bytes_json(const struct report_stats *st)
{
	json_t *hist = json_object();

	for (unsigned i = 0; hist && i < 8; i++) {
		if (json_object_set_new(hist, flow_bytes_labels[i],
					json_u64(st->flow_bytes_hist[i]))) {
			json_decref(hist);
			return NULL;
		}
	}
	return json_pack("{s:I, s:o}",
			 "max", json_int_u64(st->flow_bytes_max),
			 "histogram", hist);
}

static int apps_add(json_t *obj, const char *label, uint64_t flows)
{
	json_t *old = json_object_get(obj, label);

	if (old)
		flows += (uint64_t)json_integer_value(old);
	return json_object_set_new(obj, label, json_u64(flows));
}

/* Flows per application label, in app id order; unlabelled flows and ids
 * without a name are "other", last. */
static json_t *apps_json(const struct report_stats *st)
{
	json_t *obj = json_object();
	uint64_t other = st->app_flows[0];

	for (unsigned id = APP_ID_FIRST; obj && id <= APP_ID_LAST; id++) {
		const char *name;

		if (!st->app_flows[id])
			continue;
		name = app_name((uint16_t)id);
		if (!name) {
			other += st->app_flows[id];
			continue;
		}
		if (apps_add(obj, name, st->app_flows[id])) {
			json_decref(obj);
			return NULL;
		}
	}
	if (obj && other && apps_add(obj, "other", other)) {
		json_decref(obj);
		return NULL;
	}
	return obj;
}

static unsigned hosts_with_findings(struct hosts *h)
{
	const struct host **list;
	unsigned n;

	if (!h || hosts_count(h) == 0)
		return 0;
	list = malloc(hosts_count(h) * sizeof(*list));
	if (!list)
		return 0;
	n = hosts_sorted(h, list, hosts_count(h), false);
	free(list);
	return n;
}

/* The host table: its size, what it could not take, and the hosts it
 * gave up by reason (hosts.c, eviction). */
static json_t *hosts_stats_json(struct hosts *h)
{
	struct hosts_evictions ev = { 0 };

	if (h)
		hosts_evictions(h, &ev);
	return json_pack(
		"{s:I, s:I, s:I, s:I, s:I, s:{s:I, s:I, s:I, s:I, s:I}}",
		"with_findings", (json_int_t)hosts_with_findings(h),
		"tracked", (json_int_t)(h ? hosts_count(h) : 0),
		"dropped_table_full", json_int_u64(h ? hosts_dropped(h) : 0),
		"destinations_tracked",
		(json_int_t)(h ? hosts_destinations(h) : 0),
		"destinations_dropped",
		json_int_u64(h ? hosts_destinations_dropped(h) : 0),
		"evicted",
		"idle", json_int_u64(ev.idle),
		"clean", json_int_u64(ev.by_rank[HOST_RANK_CLEAN]),
		"low", json_int_u64(ev.by_rank[HOST_RANK_LOW]),
		"medium", json_int_u64(ev.by_rank[HOST_RANK_MEDIUM]),
		"high", json_int_u64(ev.by_rank[HOST_RANK_HIGH]));
}

/* A summed counter as json_pack's "I". */
#define CTR(id) json_int_u64(st->total.v[TW_CTR_##id])

static json_t *stats_core_json(const struct report_stats *st, struct hosts *h)
{
	return json_pack(
		"{s:I, s:I, s:o,"
		" s:{s:I, s:I, s:I, s:I, s:{s:I, s:I}, s:I, s:I, s:I},"
		" s:o,"
		" s:{s:I, s:I, s:I, s:I},"
		" s:{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I},"
		" s:o,"
		" s:{s:I, s:I, s:I},"
		" s:o,"
		" s:{s:I, s:I, s:I, s:I, s:I},"
		" s:{s:I, s:I}}",
		"packets", CTR(PKTS),
		"bytes", CTR(BYTES),
		"drops", counters_json(&st->total, "DROP_", "drop_"),
		"flows",
		"created", CTR(FLOWS_CREATED),
		"midstream", CTR(FLOWS_MIDSTREAM),
		"ended", CTR(FLOWS_ENDED),
		"evicted", CTR(FLOWS_EVICTED),
		"evicted_by_reason",
		"no_payload", CTR(FLOWS_EVICTED_NO_PAYLOAD),
		"with_payload", CTR(FLOWS_EVICTED_WITH_PAYLOAD),
		"timed_out", CTR(FLOWS_TIMED_OUT),
		"closed", CTR(FLOWS_CLOSED),
		"open_at_end", CTR(FLOWS_OPEN_AT_END),
		"flow_bytes", flow_bytes_json(st),
		"tcp",
		"retransmitted", CTR(TCP_RETRANSMITTED),
		"reordered", CTR(TCP_REORDERED),
		"gaps", CTR(TCP_GAPS),
		"payload_bytes_inspected", CTR(PAYLOAD_INSPECTED),
		"scan",
		"streams_opened", CTR(SCAN_STREAMS_OPENED),
		"streams_exhausted", CTR(SCAN_STREAMS_EXHAUSTED),
		"streams_stopped", CTR(SCAN_STREAMS_STOPPED),
		"errors", CTR(SCAN_ERRORS),
		"matches", CTR(SCAN_MATCHES),
		"inner_streams", CTR(SCAN_INNER_STREAMS),
		"fully_encrypted_checked", CTR(FEP_CHECKED),
		"fully_encrypted_tripped", CTR(FEP_TRIPPED),
		"ssh_by_sizes", CTR(AN_SSH_MIDSTREAM),
		"apps", apps_json(st),
		"findings",
		"emitted", CTR(FINDINGS_EMITTED),
		"dropped_ring_full", CTR(FINDINGS_DROPPED_RING_FULL),
		"received", json_int_u64(st->findings_received),
		"hosts", hosts_stats_json(h),
		"tables",
		"dns_domains_evicted", CTR(AN_DNS_DOMAINS_EVICTED),
		"beacon_pairs_evicted", CTR(AN_BEACON_PAIRS_EVICTED),
		"ssh_sessions_full", CTR(AN_SSH_SESSIONS_FULL),
		"ssh_handshakes_full", CTR(AN_SSH_HANDSHAKES_FULL),
		"mining_sessions_full", CTR(AN_MINING_SESSIONS_FULL),
		"memory",
		"per_pipeline_bytes", json_int_u64(st->memory_per_worker),
		"shared_bytes", json_int_u64(st->memory_shared));
}

/* Layers removed (decap), fragments and their reassembly (defrag), TCP
 * overlaps: added beside the core stats. */
json_t *report_stats_json(const struct report_stats *st, struct hosts *h)
{
	json_t *doc = stats_core_json(st, h);
	json_t *tcp = doc ? json_object_get(doc, "tcp") : NULL;
	json_t *defrag = counters_json(&st->total, "DEFRAG_", "defrag_");

	if (!doc || !tcp || !defrag ||
	    json_object_set_new(defrag, "fragments",
				json_u64(st->total.v[TW_CTR_IP_FRAGMENTS])) ||
	    json_object_set_new(doc, "decap", counters_json(&st->total,
							    "DECAP_",
							    "decap_")) ||
	    json_object_set_new(doc, "defrag", defrag) ||
	    json_object_set_new(tcp, "overlap_same",
				json_u64(st->total.v[TW_CTR_TCP_OVERLAP_SAME])) ||
	    json_object_set_new(tcp, "overlap_conflict",
				json_u64(st->total.v[TW_CTR_TCP_OVERLAP_CONFLICT]))) {
		/* set_new took defrag even when it failed */
		json_decref(doc);
		return NULL;
	}
	return doc;
}

#undef CTR

/* The finding as the host keeps it; a suppressed one names its rule in
 * detail.suppressed_by ("FILE:LINE comment"). */
static json_t *finding_json(const struct host_finding *hf)
{
	json_t *obj = json_finding(&hf->f, &hf->peer, hf->peer_port);
	json_t *detail = obj ? json_object_get(obj, "detail") : NULL;

	if (detail && hf->suppressed_by &&
	    json_object_set_new(detail, "suppressed_by",
				json_string(hf->suppressed_by->note)) < 0) {
		json_decref(obj);
		return NULL;
	}
	return obj;
}

static json_t *families_json(const struct host *hst)
{
	char buf[256];
	json_t *arr = json_array();
	char *save = NULL;

	if (!arr)
		return NULL;
	host_families(hst, buf, sizeof(buf));
	for (char *tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (json_array_append_new(arr, json_string(tok))) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

/* The evidence that raised the score, strongest first (hosts.c). */
static json_t *raised_by_json(const struct host *hst)
{
	char buf[HOST_RAISED_MAX];
	json_t *arr = json_array();
	char *save = NULL;

	if (!arr)
		return NULL;
	memcpy(buf, hst->raised_by, sizeof(buf));
	buf[sizeof(buf) - 1] = '\0';
	for (char *tok = strtok_r(buf, ";", &save); tok;
	     tok = strtok_r(NULL, ";", &save)) {
		if (json_array_append_new(arr, json_string(tok))) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

json_t *report_host_json(const struct host *hst)
{
	json_t *findings = json_array();
	char ip[64];

	for (uint32_t i = 0; findings && i < hst->n_findings; i++) {
		if (json_array_append_new(findings,
					  finding_json(&hst->findings[i]))) {
			json_decref(findings);
			return NULL;
		}
	}
	return json_pack("{s:s, s:s, s:i, s:o, s:o, s:o}",
			 "ip", ip_addr_format(&hst->ip, ip, sizeof(ip)),
			 "verdict", verdict_name((enum verdict)hst->verdict),
			 "score", (int)hst->score,
			 "families", families_json(hst),
			 "raised_by", raised_by_json(hst),
			 "findings", findings);
}

/* Hosts worst first; *n is how many. NULL with *n == 0 is an empty table. */
static const struct host **sorted_hosts(struct hosts *h, bool all,
					unsigned *n, int *err)
{
	const struct host **list;

	*n = 0;
	*err = 0;
	if (!h || hosts_count(h) == 0)
		return NULL;
	list = malloc(hosts_count(h) * sizeof(*list));
	if (!list) {
		*err = -1;
		return NULL;
	}
	*n = hosts_sorted(h, list, hosts_count(h), all);
	return list;
}

static json_t *hosts_json(struct hosts *h, bool all)
{
	json_t *arr = json_array();
	const struct host **list;
	unsigned n;
	int err;

	if (!arr)
		return NULL;
	list = sorted_hosts(h, all, &n, &err);
	for (unsigned i = 0; !err && i < n; i++)
		err = json_array_append_new(arr, report_host_json(list[i]));
	free(list);
	if (err) {
		json_decref(arr);
		return NULL;
	}
	return arr;
}

json_t *report_json(const struct report_stats *st, struct hosts *h, bool all)
{
	return json_pack("{s:i, s:o, s:o}", "version", REPORT_VERSION,
			 "stats", report_stats_json(st, h),
			 "hosts", hosts_json(h, all));
}

static int finish_output(FILE *out)
{
	if (fflush(out) != 0 || ferror(out))
		return -1;
	return 0;
}

int report_print_json(FILE *out, const struct report_stats *st,
		      struct hosts *h, bool all)
{
	json_t *doc = report_json(st, h, all);
	int rc;

	if (!doc)
		return -1;
	rc = json_dumpf(doc, out, TW_JSON_DUMP_FLAGS);
	json_decref(doc);
	if (rc != 0 || fputc('\n', out) == EOF)
		return -1;
	return finish_output(out);
}

/* One table row, as text already safe for a terminal. */
struct table_row {
	char verdict[16];
	char score[8];
	char host[64];
	char families[128];
	char evidence[EVIDENCE_WIDTH_MAX + 1];
	char last_seen[32];
};

/* Summaries quote bytes from the wire: keep printable ASCII only, so no
 * escape sequence reaches the terminal and widths are byte counts. */
static void terminal_copy(char *dst, size_t size, const char *src)
{
	size_t n = 0;

	for (; src[n] && n + 1 < size; n++) {
		unsigned char c = (unsigned char)src[n];

		dst[n] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	dst[n] = '\0';
	if (src[n] && size > 4)
		memcpy(dst + size - 4, "...", 4);
}

/* "2024-01-02 03:04:05" (UTC), or "-" when never seen. */
static void people_time(uint64_t ts_ns, char *buf, size_t size)
{
	char full[40];

	time_format_rfc3339(ts_ns, full, sizeof(full));
	if (ts_ns == 0 || strlen(full) < 19) {
		snprintf(buf, size, "-");
		return;
	}
	full[10] = ' ';
	snprintf(buf, size, "%.19s", full);
}

static void row_fill(struct table_row *r, const struct host *hst)
{
	snprintf(r->verdict, sizeof(r->verdict), "%s",
		 verdict_name((enum verdict)hst->verdict));
	snprintf(r->score, sizeof(r->score), "%u", (unsigned)hst->score);
	ip_addr_format(&hst->ip, r->host, sizeof(r->host));
	host_families(hst, r->families, sizeof(r->families));
	if (!r->families[0])
		snprintf(r->families, sizeof(r->families), "-");
	terminal_copy(r->evidence, sizeof(r->evidence),
		      hst->n_findings ? hst->findings[0].f.summary : "-");
	if (!r->evidence[0])
		snprintf(r->evidence, sizeof(r->evidence), "%s",
			 hst->findings[0].f.kind ? hst->findings[0].f.kind :
						   "-");
	people_time(hst->last_ns, r->last_seen, sizeof(r->last_seen));
}

struct table_widths {
	int verdict, score, host, families, evidence;
};

static int max_int(int a, size_t b)
{
	return (size_t)a > b ? a : (int)b;
}

static void widths_update(struct table_widths *w, const struct table_row *r)
{
	w->verdict = max_int(w->verdict, strlen(r->verdict));
	w->score = max_int(w->score, strlen(r->score));
	w->host = max_int(w->host, strlen(r->host));
	w->families = max_int(w->families, strlen(r->families));
	w->evidence = max_int(w->evidence, strlen(r->evidence));
}

static void row_print(FILE *out, const struct table_widths *w,
		      const struct table_row *r)
{
	fprintf(out, "%-*s  %*s  %-*s  %-*s  %-*s  %s\n", w->verdict,
		r->verdict, w->score, r->score, w->host, r->host, w->families,
		r->families, w->evidence, r->evidence, r->last_seen);
}

static unsigned count_flagged(const struct host **list, unsigned n)
{
	unsigned flagged = 0;

	for (unsigned i = 0; i < n; i++)
		flagged += list[i]->verdict != VERDICT_CLEAN;
	return flagged;
}

int report_print_table(FILE *out, const struct report_stats *st,
		       struct hosts *h, bool all)
{
	static const struct table_row head = {
		"VERDICT", "SCORE", "HOST", "FAMILIES", "STRONGEST EVIDENCE",
		"LAST SEEN (UTC)",
	};
	struct table_widths w = { 0 };
	struct table_row *rows;
	const struct host **list;
	unsigned n, flagged;
	int err;

	list = sorted_hosts(h, all, &n, &err);
	if (err)
		return -1;
	flagged = count_flagged(list, n);
	fprintf(out, "%llu packets, %llu flows, %u hosts tracked, "
		"%u flagged\n",
		(unsigned long long)st->total.v[TW_CTR_PKTS],
		(unsigned long long)st->total.v[TW_CTR_FLOWS_CREATED],
		h ? hosts_count(h) : 0, flagged);
	if (flagged == 0)
		fprintf(out, "no host flagged\n");
	if (n == 0) {
		free(list);
		return finish_output(out);
	}
	rows = calloc(n, sizeof(*rows));
	if (!rows) {
		free(list);
		return -1;
	}
	widths_update(&w, &head);
	for (unsigned i = 0; i < n; i++) {
		row_fill(&rows[i], list[i]);
		widths_update(&w, &rows[i]);
	}
	fputc('\n', out);
	row_print(out, &w, &head);
	for (unsigned i = 0; i < n; i++)
		row_print(out, &w, &rows[i]);
	free(rows);
	free(list);
	return finish_output(out);
}
