/* SPDX-License-Identifier: BSD-3-Clause */
/* A worker: one flow table, one Hyperscan scratch, one set of counters,
 * fed packets one at a time by whatever source owns the thread or lcore.
 * Nothing in a worker is touched by another thread except the findings
 * ring (consumer: manager) and the counters (read-only for the manager). */
#ifndef TW_WORKER_H
#define TW_WORKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/counters.h"
#include "decode/decode.h"
#include "findings/flow_record.h"

struct tw_config;
struct hs_db;
struct spsc_ring;
struct flow;

/* Record types on the findings ring. */
enum worker_record {
	WREC_FINDING = 1,   /* struct finding */
	WREC_HOST_SEEN,     /* struct worker_host_seen (--all-hosts) */
	WREC_FLOW_END,      /* struct worker_flow_end (the HTML report) */
};

struct worker_host_seen {
	struct ip_addr ip;
	uint64_t ts_ns;
};

/* What the report needs from a worker besides its counters. */
struct worker_flow_stats {
	uint64_t flow_bytes_hist[8];   /* decades from <100 B to >=100 MB */
	uint64_t flow_bytes_max;
	uint64_t app_flows[100];       /* ended flows per app id */
};

struct worker_options {
	unsigned id;
	bool block_when_full;  /* offline: wait for the manager, never drop */
	bool all_hosts;        /* report every host seen, not only flagged ones */
	/* who talks to whom (the manager's, shared): written at flow end
	 * and per DNS answer, never per packet; NULL: not kept */
	struct prevalence *prevalence;
	bool flow_records;     /* send WREC_FLOW_END for the HTML report */
};

/* The counter a decode result is counted under (stats.decode). */
static inline enum tw_counter decode_result_counter(enum decode_result r)
{
	static const enum tw_counter by_result[] = {
		[DECODE_OK] = TW_CTR_PKTS,
		[DECODE_IP_FRAGMENT] = TW_CTR_IP_FRAGMENTS,
		[DECODE_DROP_LINKTYPE] = TW_CTR_DROP_LINKTYPE,
		[DECODE_DROP_L2_TRUNCATED] = TW_CTR_DROP_L2_TRUNCATED,
		[DECODE_DROP_NOT_IP] = TW_CTR_DROP_NOT_IP,
		[DECODE_DROP_IPV4_TRUNCATED] = TW_CTR_DROP_IPV4_TRUNCATED,
		[DECODE_DROP_IPV4_BAD_HEADER] = TW_CTR_DROP_IPV4_BAD_HEADER,
		[DECODE_DROP_IPV6_TRUNCATED] = TW_CTR_DROP_IPV6_TRUNCATED,
		[DECODE_DROP_IPV6_BAD_EXT] = TW_CTR_DROP_IPV6_BAD_EXT,
		[DECODE_DROP_L4_TRUNCATED] = TW_CTR_DROP_L4_TRUNCATED,
		[DECODE_DROP_TCP_BAD_HEADER] = TW_CTR_DROP_TCP_BAD_HEADER,
	};

	return by_result[r];
}

struct worker;

struct worker *worker_create(const struct worker_options *opt,
			     const struct tw_config *cfg,
			     const struct hs_db *db, struct spsc_ring *findings,
			     char *err, size_t errlen);
void worker_destroy(struct worker *w);

void worker_process(struct worker *w, const struct pkt *p);
/* The same for a packet someone else decoded (the offline reader does,
 * to share the work with the worker); verdict is decode_packet's. */
void worker_process_decoded(struct worker *w, struct pkt_view *pv,
			    enum decode_result verdict, uint32_t wirelen);
/* ... with hash = flow_view_hash(pv) computed by the caller, who may have
 * called worker_prefetch(w, hash) a packet earlier. */
void worker_process_hashed(struct worker *w, struct pkt_view *pv,
			   enum decode_result verdict, uint32_t wirelen,
			   uint32_t hash);
void worker_prefetch(const struct worker *w, uint32_t hash);
/* Reaps idle flows and runs periodic analyzer work at now_ns. */
void worker_tick(struct worker *w, uint64_t now_ns);
/* Ends every flow as open (end of input or shutdown). */
void worker_finish(struct worker *w);

/* Live mode, called on the worker's own lcore between packets. */
/* Visits the open flows; stops when fn returns non-0. */
int worker_foreach_flow(struct worker *w,
			int (*fn)(void *ctx, const struct flow *f), void *ctx);
/* Analyzers read cfg from now on (SIGHUP reload of thresholds); tables
 * keep the sizes they were created with. */
void worker_set_config(struct worker *w, const struct tw_config *cfg);
/* SIGHUP: the analyzers read their files again (name lists) under the
 * configuration set last; returns how many failed (they keep the old). */
int worker_reload_files(struct worker *w);
/* Live SIGHUP: scans with db from now on. Streams opened with the old
 * database are closed (their end-of-data matches delivered) and those
 * flow directions are not scanned further; new flows use db. 0, or -1
 * with err when no scanner could be made for db (the old one stays). */
int worker_set_patterns(struct worker *w, const struct hs_db *db, char *err,
			size_t errlen);

const struct tw_counters *worker_counters(const struct worker *w);
const struct worker_flow_stats *worker_flow_stats(const struct worker *w);
size_t worker_memory(const struct worker *w);

#endif
