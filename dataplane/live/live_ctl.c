/* SPDX-License-Identifier: BSD-3-Clause */
/* What the control socket asks of the live engine: the stats document
 * (the offline report's stats plus ports, workers and the socket) and
 * the open flows of one address, which only the workers know. A flow
 * request is a sequence number each worker answers between two bursts;
 * the manager waits a bounded time and says which workers did not answer. */
#include "live/live_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_pause.h>

#include "control/eve.h"
#include "control/html_report.h"
#include "control/json_util.h"
#include "flow/flow.h"
#include "engine/ring.h"
#include "scan/app_id.h"
#include "scan/hs_db.h"
#include "engine/worker.h"
#include "base/counters.h"

#define FLOW_ANSWER_WAIT_MS 200

unsigned live_drain(struct live *l)
{
	unsigned n = 0;

	for (unsigned k = 0; k < l->n; k++)
		if (l->lw[k].findings)
			n += manager_drain(&l->mgr, l->lw[k].findings);
	return n;
}

static json_t *workers_json(struct live *l)
{
	json_t *arr = json_array();

	for (unsigned k = 0; arr && k < l->n; k++) {
		struct live_worker *lw = &l->lw[k];
		const struct tw_counters *c = worker_counters(lw->w);

		uint64_t busy = atomic_load_explicit(&lw->busy_cycles,
						     memory_order_relaxed);

		json_array_append_new(arr, json_pack(
			"{s:i, s:i, s:o, s:I, s:I, s:I, s:I, s:I, s:b, s:I}",
			"worker", (int)k, "lcore", (int)lw->lcore,
			"busy_s", json_real3((double)busy /
					     (double)l->sh.tsc_hz),
			"packets", json_int_u64(c->v[TW_CTR_PKTS]),
			"bytes", json_int_u64(c->v[TW_CTR_BYTES]),
			"flows_created",
			json_int_u64(c->v[TW_CTR_FLOWS_CREATED]),
			"findings_dropped_ring_full",
			json_int_u64(c->v[TW_CTR_FINDINGS_DROPPED_RING_FULL]),
			"dispatch_dropped",
			json_int_u64(atomic_load_explicit(
				&lw->dispatch_dropped, memory_order_relaxed)),
			"input_ended",
			atomic_load_explicit(&lw->input_ended,
					     memory_order_acquire) != 0,
			"patterns_failed",
			json_int_u64(atomic_load_explicit(
				&lw->patterns_failed, memory_order_relaxed))));
	}
	return arr;
}

static json_t *control_json(struct live *l)
{
	const struct ctl_counters *c = ctl_server_counters(l->ctl);

	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
			 "connections", json_int_u64(c->accepted),
			 "refused", json_int_u64(c->refused),
			 "idle_closed", json_int_u64(c->idle_closed),
			 "evicted_idle", json_int_u64(c->evicted_idle),
			 "answers_too_large",
			 json_int_u64(c->answers_too_large),
			 "clients", json_int_u64(c->clients),
			 "commands", json_int_u64(c->lines),
			 "bad_lines", json_int_u64(c->bad_lines),
			 "closed_mid_answer",
			 json_int_u64(c->disconnects_pending),
			 "config_generation", json_int_u64(l->cfg_gen));
}

/* The event log's health: a full disk must show here, not only at exit. */
static json_t *output_json(struct live *l)
{
	return json_pack("{s:s, s:I, s:I, s:I}",
			 "eve_path", live_eve_path(l),
			 "eve_write_errors",
			 json_int_u64(manager_eve_write_errors(&l->mgr)),
			 "eve_reopened", json_int_u64(l->eve_reopened),
			 "eve_repeats_folded",
			 json_int_u64(eve_repeats(l->mgr.eve)));
}

static json_t *live_stats(void *ctx)
{
	struct live *l = ctx;
	struct worker *workers[LIVE_MAX_WORKERS];
	struct report_stats *st = calloc(1, sizeof(*st));
	size_t ring_mem;
	json_t *obj;

	if (!st)
		return NULL;
	live_drain(l); /* counters and findings as of now */
	for (unsigned k = 0; k < l->n; k++)
		workers[k] = l->lw[k].w;
	ring_mem = l->n ? spsc_ring_memory(l->lw[0].findings) : 0;
	manager_collect(&l->mgr, workers, l->n, ring_mem, hs_db_memory(l->db),
			st);
	obj = report_stats_json(st, l->mgr.hosts);
	free(st);
	if (obj)
		json_object_set_new(obj, "output", output_json(l));
	if (obj)
		json_object_set_new(obj, "live", json_pack(
			"{s:f, s:o, s:o, s:o}",
			"uptime_s",
			(double)(live_now_ns(&l->sh) - l->started_ns) / 1e9,
			"workers", workers_json(l),
			"ports", source_dpdk_stats_json(&l->ports),
			"control", control_json(l)));
	return obj;
}

/* ---- open flows of one address ---- */

static const char *tcp_state_name(uint8_t s)
{
	static const char *const names[] = {
		[FLOW_TCP_NONE] = "-", [FLOW_TCP_SYN_SENT] = "syn_sent",
		[FLOW_TCP_ESTABLISHED] = "established",
		[FLOW_TCP_CLOSING] = "closing", [FLOW_TCP_CLOSED] = "closed",
	};

	return s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}

static json_t *flow_info_json(const struct live_flow_info *fi)
{
	char orig[64], resp[64], proto[8];
	const char *app = app_name(fi->app);
	uint64_t dur = fi->last_ns > fi->first_ns ? fi->last_ns - fi->first_ns
						  : 0;
	json_t *obj;

	obj = json_pack(
		"{s:I, s:s, s:s, s:i, s:s, s:i, s:s, s:s, s:o, s:o, s:o,"
		" s:I, s:I, s:I, s:I, s:b}",
		"flow_id", (json_int_t)(fi->id & INT64_MAX),
		"proto", json_proto_name(fi->proto, false, proto, sizeof(proto)),
		"orig_ip", ip_addr_format(&fi->orig, orig, sizeof(orig)),
		"orig_port", (int)fi->orig_port,
		"resp_ip", ip_addr_format(&fi->resp, resp, sizeof(resp)),
		"resp_port", (int)fi->resp_port,
		"app", app ? app : "unknown",
		"tcp_state", tcp_state_name(fi->tcp_state),
		"first_seen", json_time(fi->first_ns),
		"last_seen", json_time(fi->last_ns),
		"duration_s", json_real3((double)dur / 1e9),
		"packets_orig", json_int_u64(fi->pkts[0]),
		"packets_resp", json_int_u64(fi->pkts[1]),
		"bytes_orig", json_int_u64(fi->bytes[0]),
		"bytes_resp", json_int_u64(fi->bytes[1]),
		"app_guess", app_is_guess(fi->app));
	/* what the flow came wrapped in, as EVE writes it */
	if (obj && json_add_tunnel(obj, &fi->tunnel) != 0) {
		json_decref(obj);
		return NULL;
	}
	return obj;
}

static int flow_info_cmp(const void *pa, const void *pb)
{
	const struct live_flow_info *a = pa, *b = pb;

	if (a->first_ns != b->first_ns)
		return a->first_ns < b->first_ns ? -1 : 1;
	return (a->id > b->id) - (a->id < b->id);
}

/* Asks every running worker whose last request is answered; the others
 * are counted as unanswered and not touched (their req_ip may be read). */
static unsigned flows_ask(struct live *l, const struct ip_addr *ip,
			  uint64_t seq, bool *asked)
{
	unsigned unanswered = 0;

	for (unsigned k = 0; k < l->n; k++) {
		struct live_worker *lw = &l->lw[k];

		asked[k] = false;
		if (!atomic_load_explicit(&lw->running, memory_order_acquire) ||
		    atomic_load_explicit(&lw->done, memory_order_acquire) ||
		    atomic_load_explicit(&lw->ans_seq, memory_order_acquire) !=
			    atomic_load_explicit(&lw->req_seq,
						 memory_order_relaxed)) {
			unanswered++;
			continue;
		}
		lw->req_ip = *ip;
		atomic_store_explicit(&lw->req_seq, seq, memory_order_release);
		asked[k] = true;
	}
	return unanswered;
}

static bool flows_answered(struct live *l, uint64_t seq, const bool *asked)
{
	for (unsigned k = 0; k < l->n; k++)
		if (asked[k] && atomic_load_explicit(&l->lw[k].ans_seq,
						     memory_order_acquire) != seq)
			return false;
	return true;
}

static json_t *live_flows(void *ctx, const struct ip_addr *ip)
{
	struct live *l = ctx;
	uint64_t seq = ++l->flow_req_seq;
	uint64_t deadline = rte_rdtsc() +
			    rte_get_tsc_hz() * FLOW_ANSWER_WAIT_MS / 1000;
	bool asked[LIVE_MAX_WORKERS];
	unsigned unanswered = flows_ask(l, ip, seq, asked), n = 0;
	uint64_t total = 0;
	struct live_flow_info *all;
	json_t *arr;

	/* a worker waiting on a full findings ring (file replay) answers
	 * only once we take its findings */
	while (!flows_answered(l, seq, asked) && rte_rdtsc() < deadline)
		if (!live_drain(l))
			rte_pause();
	all = calloc((size_t)l->n * live_cfg(l)->control.flows_listed + 1,
		     sizeof(*all));
	for (unsigned k = 0; all && k < l->n; k++) {
		struct live_worker *lw = &l->lw[k];

		if (!asked[k])
			continue;
		if (atomic_load_explicit(&lw->ans_seq, memory_order_acquire) !=
		    seq) {
			unanswered++;
			continue;
		}
		memcpy(all + n, lw->ans, lw->ans_n * sizeof(*all));
		n += lw->ans_n;
		total += lw->ans_total;
	}
	qsort(all, n, sizeof(*all), flow_info_cmp);
	arr = json_array();
	for (unsigned i = 0; arr && all && i < n; i++)
		json_array_append_new(arr, flow_info_json(&all[i]));
	free(all);
	return json_pack("{s:o, s:I, s:b, s:i}", "flows", arr, "total",
			 json_int_u64(total), "truncated", total > n,
			 "workers_unanswered", (int)unanswered);
}

/* ---- the HTML report ---- */

static int live_html(void *ctx, char **page, size_t *len)
{
	struct live *l = ctx;
	struct worker *workers[LIVE_MAX_WORKERS];
	struct report_stats *st = calloc(1, sizeof(*st));
	struct html_report_input in = {
		.cfg = live_cfg(l),
		.st = st,
		.hosts = l->mgr.hosts,
		.tl = l->mgr.timeline,
		.source = "live",
	};
	FILE *out;
	int rc;

	*page = NULL;
	*len = 0;
	if (!st)
		return -1;
	live_drain(l); /* counters, findings and ended flows as of now */
	for (unsigned k = 0; k < l->n; k++)
		workers[k] = l->lw[k].w;
	manager_collect(&l->mgr, workers, l->n, 0, 0, st);
	out = open_memstream(page, len);
	if (!out) {
		free(st);
		return -1;
	}
	rc = html_report_write(out, &in);
	if (fclose(out) != 0)
		rc = -1;
	free(st);
	return rc;
}

void live_ctl_init(struct live *l)
{
	l->backend = (struct ctl_backend){
		.mgr = &l->mgr,
		.log = &l->log,
		.engine = l->engine,
		.ctx = l,
		.stats = live_stats,
		.flows = live_flows,
		.html = live_html,
	};
}
