/* SPDX-License-Identifier: BSD-3-Clause */
/* Offline report: the host table for people, or the DESIGN.md §3a JSON
 * document for scripts; and the stats object both share with `stats`. */
#ifndef TW_REPORT_H
#define TW_REPORT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "base/counters.h"
#include "verdict/hosts.h"

/* Everything the report says about the run besides the hosts. */
struct report_stats {
	struct tw_counters total;         /* summed over workers */
	uint64_t flow_bytes_hist[8];      /* flows by total bytes, decades from <100 B */
	uint64_t flow_bytes_max;
	uint64_t app_flows[100];          /* flows per app id, [0] = none/unknown */
	/* Reserved at start. Per worker, not in total: the report must be the
	 * same whatever the number of workers. */
	uint64_t memory_per_worker;
	uint64_t memory_shared;           /* patterns, host table */
	uint64_t findings_received;
};

json_t *report_stats_json(const struct report_stats *st, struct hosts *h);
json_t *report_host_json(const struct host *hst);
/* {"version":1,"stats":{...},"hosts":[...]} */
json_t *report_json(const struct report_stats *st, struct hosts *h, bool all);
int report_print_json(FILE *out, const struct report_stats *st,
		      struct hosts *h, bool all);
int report_print_table(FILE *out, const struct report_stats *st,
		       struct hosts *h, bool all);

#endif
