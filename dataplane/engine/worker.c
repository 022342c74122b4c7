/* SPDX-License-Identifier: BSD-3-Clause */
/* The per-worker pipeline: decode -> flow -> in-order payload -> scan ->
 * analyzers. Called once per packet; allocates nothing after create. This
 * file: creation, per-packet dispatch, flow end, ticks, pattern swap; the
 * payload path is worker_payload.c, the analyzers' an_* API worker_an.c. */
#include "engine/worker_int.h"

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "decode/ip_scope.h"
#include "flow/defrag.h"
#include "flow/flow_table.h"
#include "flow/tcp_stream.h"
#include "engine/ring.h"
#include "scan/hs_scan.h"
#include "verdict/prevalence.h"

/* Only the analyzers that look at this class of flow get its bits and
 * their on_flow_new (analyzer.h, flow_classes). */
static void analyzers_flow_new(struct worker *w, struct flow *f)
{
	uint32_t cls = w->class_mask[f->proto == TW_PROTO_TCP ? 0 :
				     f->proto == TW_PROTO_UDP ? 1 : 2];

	f->payload_wanted = w->payload_mask & cls;
	f->packets_wanted = w->start_packet_mask & cls;
	for (uint32_t m = w->new_mask & cls; m; m &= m - 1) {
		unsigned i = (unsigned)__builtin_ctz(m);
		struct an_ctx c = worker_an_ctx(w, i);

		analyzers[i]->on_flow_new(&c, f, flow_an_state(w, f, i));
	}
}

static void analyzers_packet(struct worker *w, struct flow *f,
			     enum flow_dir_id dir, const struct pkt_view *pv)
{
	/* only the analyzers that still want this flow's packets */
	for (uint32_t m = f->packets_wanted; m; m &= m - 1) {
		unsigned i = (unsigned)__builtin_ctz(m);
		struct an_ctx c = worker_an_ctx(w, i);

		analyzers[i]->on_packet(&c, f, flow_an_state(w, f, i), pv, dir);
	}
}

static unsigned bytes_decade(uint64_t bytes)
{
	unsigned d = 0;

	for (uint64_t limit = 100; d < 7 && bytes >= limit; limit *= 10)
		d++;
	return d;
}

static void note_host_seen(struct worker *w, const struct ip_addr *ip,
			   uint64_t ts)
{
	struct worker_host_seen *hs;

	hs = spsc_ring_reserve(w->findings, sizeof(*hs));
	while (!hs && w->opt.block_when_full) {
		sched_yield();
		hs = spsc_ring_reserve(w->findings, sizeof(*hs));
	}
	if (!hs)
		return;
	hs->ip = *ip;
	hs->ts_ns = ts;
	spsc_ring_commit(w->findings, WREC_HOST_SEEN);
}

/* Who talks to whom, for the prevalence table: answered connections to
 * peers that can be egress destinations at all, and for TCP only those
 * whose SYN we saw (a connection picked up mid-stream may name the
 * server as its originator). The inside side is the host, as for
 * findings (hosts.home_net), else the originator. */
static void note_contact(struct worker *w, const struct flow *f)
{
	const struct prefix_list *home = &w->cfg->hosts.home_net;
	bool resp_is_host;

	if (!w->opt.prevalence || !f->responded ||
	    (f->proto == TW_PROTO_TCP && !f->handshake_seen) ||
	    ip_addr_is_local_scope(&f->resp_addr) ||
	    ip_addr_is_local_scope(&f->orig_addr))
		return;
	resp_is_host = home->n > 0 &&
		       !prefix_list_contains(home, &f->orig_addr) &&
		       prefix_list_contains(home, &f->resp_addr);
	if (resp_is_host)
		prevalence_contact(w->opt.prevalence, &f->resp_addr,
				   &f->orig_addr);
	else
		prevalence_contact(w->opt.prevalence, &f->orig_addr,
				   &f->resp_addr);
}

/* The manager's timeline (HTML report) learns of each flow once, at its
 * end; offline it waits for room like a finding. Live it is dropped when
 * the ring is half full, so a burst of ended flows never crowds out a
 * finding. */
static void send_flow_end(struct worker *w, const struct flow *f,
			  enum flow_end_reason why)
{
	struct worker_flow_end *fe;

	if (!w->opt.block_when_full &&
	    spsc_ring_written(w->findings) - spsc_ring_consumed(w->findings) >
		    spsc_ring_memory(w->findings) / 2)
		return;
	fe = spsc_ring_reserve(w->findings, sizeof(*fe));
	while (!fe && w->opt.block_when_full) {
		sched_yield();
		fe = spsc_ring_reserve(w->findings, sizeof(*fe));
	}
	if (!fe)
		return;
	memset(fe, 0, sizeof(*fe));
	fe->orig = f->orig_addr;
	fe->resp = f->resp_addr;
	fe->orig_port = f->orig_port;
	fe->resp_port = f->resp_port;
	fe->proto = f->proto;
	fe->open = why == FLOW_END_INPUT;
	fe->app = f->app;
	fe->first_ns = f->first_ns;
	fe->last_ns = f->last_ns;
	fe->bytes = flow_total_bytes(f);
	fe->pkts = f->side[0].pkts + f->side[1].pkts;
	fe->n_events = w->end_n_ev;
	memcpy(fe->ev_ms, w->end_ev_ms, w->end_n_ev * sizeof(fe->ev_ms[0]));
	spsc_ring_commit(w->findings, WREC_FLOW_END);
}

/* flow_table calls this before a flow's entry is reused. */
static void on_flow_end(void *ctx, struct flow *f, enum flow_end_reason why)
{
	struct worker *w = ctx;
	uint64_t bytes = flow_total_bytes(f);

	w->end_n_ev = 0;
	tcp_stream_flush(w->reorder, f, w->cfg->flow.inspect_bytes,
			 deliver_payload, w, &w->ctr);
	scan_close(w, f, FLOW_DIR_ORIG);
	scan_close(w, f, FLOW_DIR_RESP);
	for (uint32_t m = w->end_mask; m; m &= m - 1) {
		unsigned i = (unsigned)__builtin_ctz(m);
		struct an_ctx c = worker_an_ctx(w, i);

		analyzers[i]->on_flow_end(&c, f, flow_an_state(w, f, i), why);
	}
	note_contact(w, f);
	w->fstats.flow_bytes_hist[bytes_decade(bytes)]++;
	if (bytes > w->fstats.flow_bytes_max)
		w->fstats.flow_bytes_max = bytes;
	w->fstats.app_flows[(f->app & 0xff) < 100 ? (f->app & 0xff) : 0]++;
	if (w->opt.flow_records)
		send_flow_end(w, f, why);
	if (w->opt.all_hosts) {
		note_host_seen(w, &f->orig_addr, f->last_ns);
		note_host_seen(w, &f->resp_addr, f->last_ns);
	}
}

/* Findings of the worker itself (fragment and TCP evasion) and of the
 * analyzers take the same way to the manager. */
void worker_emit(struct worker *w, const struct finding *f)
{
	struct finding *slot = spsc_ring_reserve(w->findings, sizeof(*f));

	/* Offline there is no deadline, and a dropped finding would make the
	 * report depend on thread timing; live, a worker never waits. */
	while (!slot && w->opt.block_when_full) {
		sched_yield();
		slot = spsc_ring_reserve(w->findings, sizeof(*f));
	}
	if (!slot) {
		counter_inc(&w->ctr, TW_CTR_FINDINGS_DROPPED_RING_FULL);
		return;
	}
	memcpy(slot, f, sizeof(*f));
	spsc_ring_commit(w->findings, WREC_FINDING);
	counter_inc(&w->ctr, TW_CTR_FINDINGS_EMITTED);
}

/* A bit per removed layer kind, a reason for a layer left in place. */
static void count_tunnel(struct worker *w, const struct pkt_tunnel *t)
{
	for (uint32_t m = t->layers; m; m &= m - 1)
		counter_inc(&w->ctr, (enum tw_counter)(TW_CTR_DECAP_VXLAN +
				     __builtin_ctz(m) - DECAP_VXLAN));
	if (t->left)
		counter_inc(&w->ctr, (enum tw_counter)(TW_CTR_DECAP_LEFT_DISABLED +
				     t->left - DECAP_LEFT_DISABLED));
}

static void process_view(struct worker *w, struct pkt_view *pv,
			 uint32_t hash)
{
	enum flow_dir_id dir;
	struct flow *f;
	int created;

	if (pv->ts_ns > w->now_ns)
		w->now_ns = pv->ts_ns;
	f = flow_table_lookup_hashed(w->flows, pv, hash, &dir, &created);
	if (!f)
		return;
	if (created) {
		f->tunnel = pv->tunnel;
		analyzers_flow_new(w, f);
	}
	flow_table_update(w->flows, f, dir, pv);
	inspect_payload(w, f, dir, pv);
	analyzers_packet(w, f, dir, pv);
}

/* A fragment goes to the reassembly table; a completed datagram is
 * decoded (it may carry further layers) and analysed like a packet. A
 * fragment of the reassembled datagram again is not reassembled twice. */
static void process_fragment(struct worker *w, struct pkt_view *pv)
{
	struct pkt_view whole;
	const uint8_t *ip;
	uint32_t len;
	uint8_t version;
	enum decode_result rc;

	if (!w->defrag) {
		counter_inc(&w->ctr, TW_CTR_DROP_IP_FRAGMENT);
		return;
	}
	if (pv->ts_ns > w->now_ns)
		w->now_ns = pv->ts_ns;
	ip = defrag_add(w->defrag, pv, &len, &version);
	if (!ip)
		return;
	whole.ts_ns = pv->ts_ns;
	whole.tunnel = pv->tunnel;
	rc = decode_ip_packet(ip, len, version, &whole);
	if (whole.tunnel.layers != pv->tunnel.layers) {
		struct pkt_tunnel added = whole.tunnel;

		added.layers &= (uint16_t)~pv->tunnel.layers;
		added.left = 0;
		count_tunnel(w, &added);
	}
	if (rc != DECODE_OK) {
		counter_inc(&w->ctr, rc == DECODE_IP_FRAGMENT ?
			     TW_CTR_DROP_IP_FRAGMENT : decode_result_counter(rc));
		return;
	}
	process_view(w, &whole, flow_view_hash(&whole));
}

static const char *ip_version_text(uint8_t v)
{
	return v == 4 ? "IPv4" : "IPv6";
}

/* defrag.c found an evasion: a finding about the sender of the
 * fragments (there is no flow yet: the datagram is its first packet). */
static void on_defrag_alert(void *ctx, const struct defrag_alert *a)
{
	struct worker *w = ctx;
	struct finding f;

	finding_init(&f, NULL,
		     a->kind == DEFRAG_ALERT_OVERLAP ?
			     FK_EVASION_IP_FRAGMENT_OVERLAP :
			     FK_EVASION_IP_FRAGMENT_FLOOD,
		     SEV_MEDIUM);
	f.orig = a->src;
	f.resp = a->dst;
	f.proto = a->proto;
	f.first_ns = a->first_ns;
	f.last_ns = a->last_ns;
	f.tunnel = a->tunnel;
	if (a->kind == DEFRAG_ALERT_OVERLAP) {
		finding_summary(&f, "%s fragments overlap with different "
				"content (%u bytes)", ip_version_text(a->ip_version),
				a->count);
		finding_add_int(&f, "conflicting_bytes", a->count);
	} else {
		finding_summary(&f, "%u incomplete %s datagrams to one host",
				a->count, ip_version_text(a->ip_version));
		finding_add_int(&f, "incomplete_datagrams", a->count);
	}
	finding_add_str(&f, "policy", "first fragment wins");
	worker_emit(w, &f);
}

void worker_process(struct worker *w, const struct pkt *p)
{
	struct pkt_view pv;
	enum decode_result verdict = decode_packet(p, &pv);

	worker_process_decoded(w, &pv, verdict, p->wirelen);
}

void worker_process_decoded(struct worker *w, struct pkt_view *pv,
			    enum decode_result verdict, uint32_t wirelen)
{
	worker_process_hashed(w, pv, verdict, wirelen,
			      verdict == DECODE_OK ? flow_view_hash(pv) : 0);
}

void worker_prefetch(const struct worker *w, uint32_t hash)
{
	flow_table_prefetch(w->flows, hash);
}

void worker_process_hashed(struct worker *w, struct pkt_view *pv,
			   enum decode_result verdict, uint32_t wirelen,
			   uint32_t hash)
{
	counter_inc(&w->ctr, TW_CTR_PKTS);
	counter_add(&w->ctr, TW_CTR_BYTES, wirelen);
	if (__builtin_expect(pv->tunnel.layers | pv->tunnel.left, 0))
		count_tunnel(w, &pv->tunnel);
	if (verdict != DECODE_OK) {
		counter_inc(&w->ctr, decode_result_counter(verdict));
		if (verdict == DECODE_IP_FRAGMENT)
			process_fragment(w, pv);
		return;
	}
	process_view(w, pv, hash);
}

void worker_tick(struct worker *w, uint64_t now_ns)
{
	if (now_ns > w->now_ns)
		w->now_ns = now_ns;
	flow_table_expire(w->flows, w->now_ns);
	if (w->defrag)
		defrag_expire(w->defrag, w->now_ns);
	for (unsigned i = 0; i < n_analyzers; i++) {
		struct an_ctx c;

		if (!analyzers[i]->on_tick)
			continue;
		c = worker_an_ctx(w, i);
		analyzers[i]->on_tick(&c);
	}
}

void worker_finish(struct worker *w)
{
	flow_table_flush(w->flows);
}

static int analyzers_worker_init(struct worker *w, char *err, size_t errlen)
{
	for (unsigned i = 0; i < n_analyzers; i++) {
		const struct analyzer *a = analyzers[i];

		if (a->worker_init &&
		    a->worker_init(w->an_wstate + w->layout.worker_off[i],
				   w->cfg) != 0) {
			snprintf(err, errlen, "worker %u: analyzer %s: init failed",
				 w->opt.id, a->name);
			return -1;
		}
	}
	return 0;
}

struct worker *worker_create(const struct worker_options *opt,
			     const struct tw_config *cfg,
			     const struct hs_db *db, struct spsc_ring *findings,
			     char *err, size_t errlen)
{
	struct worker *w = calloc(1, sizeof(*w));
	struct flow_table_config ftc;

	if (!w) {
		snprintf(err, errlen, "worker %u: out of memory", opt->id);
		return NULL;
	}
	w->opt = *opt;
	w->cfg = cfg;
	w->findings = findings;
	analyzers_layout(&w->layout);
	w->payload_mask = (uint16_t)analyzers_payload_mask(cfg);
	w->packet_mask = (uint16_t)analyzers_packet_mask(cfg);
	w->start_packet_mask = (uint16_t)analyzers_start_packet_mask(cfg);
	w->new_mask = (uint16_t)analyzers_new_mask();
	w->class_mask[0] = (uint16_t)analyzers_class_mask(cfg, AN_FLOWS_TCP);
	w->class_mask[1] = (uint16_t)analyzers_class_mask(cfg, AN_FLOWS_UDP);
	w->class_mask[2] = (uint16_t)analyzers_class_mask(cfg, AN_FLOWS_OTHER);
	w->door_mask = (uint16_t)analyzers_door_mask(cfg);
	w->inner_mask = (uint16_t)analyzers_inner_mask(cfg);
	w->match_mask = (uint16_t)analyzers_match_mask();
	w->end_mask = (uint16_t)analyzers_end_mask();
	ftc = (struct flow_table_config){
		.max_flows = cfg->flow.max_flows,
		.an_state_size = w->layout.flow_total,
		.tcp_idle_ns = cfg->flow.tcp_idle_ns,
		.tcp_handshake_ns = cfg->flow.tcp_handshake_ns,
		.tcp_closed_ns = cfg->flow.tcp_closed_ns,
		.udp_idle_ns = cfg->flow.udp_idle_ns,
		.other_idle_ns = cfg->flow.other_idle_ns,
	};
	w->an_wstate = calloc(1, w->layout.worker_total ? w->layout.worker_total : 1);
	w->flows = flow_table_create(&ftc, on_flow_end, w, &w->ctr);
	w->reorder = reorder_pool_create(cfg->flow.reorder_slots,
					 cfg->flow.reorder_slot_bytes);
	if (!w->an_wstate || !w->flows || !w->reorder) {
		snprintf(err, errlen,
			 "worker %u: out of memory for %u flows (flow.max_flows)",
			 opt->id, cfg->flow.max_flows);
		goto fail;
	}
	if (cfg->defrag.max_datagrams) {
		struct defrag_config dc = {
			.max_datagrams = cfg->defrag.max_datagrams,
			.max_datagram_bytes = cfg->defrag.max_datagram_bytes,
			.timeout_ns = cfg->defrag.timeout_ns,
			.flood_incomplete = cfg->defrag.flood_incomplete,
		};

		w->defrag = defrag_create(&dc, &w->ctr, on_defrag_alert, w);
		if (!w->defrag) {
			snprintf(err, errlen, "worker %u: out of memory for %u "
				 "datagrams (defrag.max_datagrams)", opt->id,
				 cfg->defrag.max_datagrams);
			goto fail;
		}
	}
	w->scanner = hs_scanner_create(db, cfg->scan.max_streams, err, errlen);
	if (!w->scanner)
		goto fail;
	if (analyzers_worker_init(w, err, errlen) != 0)
		goto fail;
	return w;
fail:
	worker_destroy(w);
	return NULL;
}

void worker_destroy(struct worker *w)
{
	if (!w)
		return;
	for (unsigned i = 0; w->an_wstate && i < n_analyzers; i++)
		if (analyzers[i]->worker_fini)
			analyzers[i]->worker_fini(w->an_wstate +
						  w->layout.worker_off[i]);
	hs_scanner_destroy(w->scanner);
	defrag_destroy(w->defrag);
	reorder_pool_destroy(w->reorder);
	flow_table_destroy(w->flows);
	free(w->an_wstate);
	free(w);
}

int worker_foreach_flow(struct worker *w,
			int (*fn)(void *ctx, const struct flow *f), void *ctx)
{
	return flow_table_foreach(w->flows, fn, ctx);
}

void worker_set_config(struct worker *w, const struct tw_config *cfg)
{
	w->cfg = cfg;
}

int worker_reload_files(struct worker *w)
{
	int failed = 0;

	for (unsigned i = 0; i < n_analyzers; i++)
		if (analyzers[i]->worker_reload &&
		    analyzers[i]->worker_reload(w->an_wstate +
							w->layout.worker_off[i],
						w->cfg) != 0)
			failed++;
	return failed;
}

/* The table is this worker's own: its flows are not const to it. */
static int close_old_streams(void *ctx, const struct flow *cf)
{
	struct worker *w = ctx;
	struct flow *f = (struct flow *)cf;

	for (int d = FLOW_DIR_ORIG; d <= FLOW_DIR_RESP; d++) {
		if (!f->side[d].stream.hs_stream)
			continue;
		scan_close(w, f, (enum flow_dir_id)d);
		f->side[d].stream.scan_failed = 1;
	}
	return 0;
}

int worker_set_patterns(struct worker *w, const struct hs_db *db, char *err,
			size_t errlen)
{
	struct hs_scanner *next = hs_scanner_create(db, w->cfg->scan.max_streams,
						    err, errlen);

	if (!next)
		return -1;
	flow_table_foreach(w->flows, close_old_streams, w);
	hs_scanner_destroy(w->scanner);
	w->scanner = next;
	return 0;
}

const struct tw_counters *worker_counters(const struct worker *w)
{
	return &w->ctr;
}

const struct worker_flow_stats *worker_flow_stats(const struct worker *w)
{
	return &w->fstats;
}

size_t worker_memory(const struct worker *w)
{
	return sizeof(*w) + w->layout.worker_total +
	       flow_table_memory(w->flows) + reorder_pool_memory(w->reorder) +
	       (w->defrag ? defrag_memory(w->defrag) : 0) +
	       hs_scanner_memory(w->scanner);
}
