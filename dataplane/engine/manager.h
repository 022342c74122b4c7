/* SPDX-License-Identifier: BSD-3-Clause */
/* The manager: the one thread that owns the host table and the event log.
 * It drains the workers' findings rings; workers never wait for it live. */
#ifndef TW_MANAGER_H
#define TW_MANAGER_H

#include <stdbool.h>
#include <stddef.h>

#include "control/report.h"
#include "verdict/hosts.h"

struct tw_config;
struct spsc_ring;
struct worker;

struct manager {
	const struct tw_config *cfg;
	struct hosts *hosts;
	struct eve *eve;                 /* NULL without an event log */
	struct timeline *timeline;       /* flows for the HTML report, or NULL */
	uint64_t findings_received;
	int eve_failed;                  /* a write to the event log failed */
	uint64_t eve_error_logged_ns;    /* last "write failed" log line */
	/* live: told of every finding after the host table (control
	 * socket's `findings`); NULL offline */
	void (*on_finding)(void *ctx, const struct finding *f, int host_is_orig);
	void *on_finding_ctx;
};

int manager_init(struct manager *m, const struct tw_config *cfg,
		 const char *eve_path, char *err, size_t errlen);
/* Keeps the flows workers send (WREC_FLOW_END) for the HTML report, in
 * report.max_conversations; 0, or -1 with err when out of memory. */
int manager_keep_flows(struct manager *m, char *err, size_t errlen);
/* Applies every record waiting on ring; returns how many. */
unsigned manager_drain(struct manager *m, struct spsc_ring *ring);
/* Sums the workers' counters and flow statistics into st; the memory of
 * one pipeline is a worker's plus ring_memory (its rings), the shared
 * memory shared_memory plus the host table. */
void manager_collect(const struct manager *m, struct worker *const *workers,
		     unsigned n, size_t ring_memory, size_t shared_memory,
		     struct report_stats *st);
/* Findings the event log could not take (output.eve_write_errors). */
uint64_t manager_eve_write_errors(const struct manager *m);
/* Closes the event log; -1 when any write to it failed, errno the first
 * failure's (0 when unknown). */
int manager_fini(struct manager *m);

#endif
