/* A worker: one flow table, one Hyperscan scratch, one set of counters,
 * fed packets one at a time by whatever source owns the thread or lcore.
 * Nothing in a worker is touched by another thread except the findings
 * ring (consumer: manager) and the counters (read-only for the manager). */
#ifndef TW_WORKER_H
#define TW_WORKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "counters.h"
#include "decode/decode.h"

struct tw_config;
struct hs_db;
struct spsc_ring;

/* Record types on the findings ring. */
enum worker_record {
	WREC_FINDING = 1,   /* struct finding */
	WREC_HOST_SEEN,     /* struct worker_host_seen (--all-hosts) */
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
};

struct worker;

struct worker *worker_create(const struct worker_options *opt,
			     const struct tw_config *cfg,
			     const struct hs_db *db, struct spsc_ring *findings,
			     char *err, size_t errlen);
void worker_destroy(struct worker *w);

void worker_process(struct worker *w, const struct pkt *p);
/* Reaps idle flows and runs periodic analyzer work at now_ns. */
void worker_tick(struct worker *w, uint64_t now_ns);
/* Ends every flow as open (end of input or shutdown). */
void worker_finish(struct worker *w);

const struct tw_counters *worker_counters(const struct worker *w);
const struct worker_flow_stats *worker_flow_stats(const struct worker *w);
size_t worker_memory(const struct worker *w);

#endif
