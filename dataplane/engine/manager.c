/* SPDX-License-Identifier: BSD-3-Clause */
#include "engine/manager.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "config/config.h"
#include "control/eve.h"
#include "engine/ring.h"
#include "verdict/timeline.h"
#include "engine/worker.h"
#include "base/counters.h"

int manager_init(struct manager *m, const struct tw_config *cfg,
		 const char *eve_path, char *err, size_t errlen)
{
	memset(m, 0, sizeof(*m));
	m->cfg = cfg;
	m->hosts = hosts_create(cfg);
	if (!m->hosts) {
		snprintf(err, errlen,
			 "out of memory for %u hosts (hosts.max_hosts)",
			 cfg->hosts.max_hosts);
		return -1;
	}
	if (eve_path && eve_path[0]) {
		m->eve = eve_open(eve_path, err, (unsigned)errlen);
		if (!m->eve) {
			/* a failed init leaves nothing for manager_fini */
			hosts_destroy(m->hosts);
			m->hosts = NULL;
			return -1;
		}
	}
	return 0;
}

#define EVE_ERROR_LOG_EVERY_NS (60ull * 1000000000ull)

static uint64_t monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* A full disk fails every line: say so at the first failure and then at
 * most once a minute, with the count so far, rather than once per
 * finding or not at all. */
static void eve_error_note(struct manager *m)
{
	uint64_t now = monotonic_ns();

	if (m->eve_error_logged_ns &&
	    now - m->eve_error_logged_ns < EVE_ERROR_LOG_EVERY_NS)
		return;
	m->eve_error_logged_ns = now;
	fprintf(stderr, "tunnelwatch: event log %s: write: %s; %llu "
		"finding%s not written so far (output.eve_write_errors)\n",
		eve_path(m->eve), strerror(eve_last_error(m->eve)),
		(unsigned long long)eve_write_errors(m->eve),
		eve_write_errors(m->eve) == 1 ? "" : "s");
}

int manager_keep_flows(struct manager *m, char *err, size_t errlen)
{
	m->timeline = timeline_create(m->cfg->report.max_conversations,
				      m->cfg->report.bars_per_lane);
	if (!m->timeline) {
		snprintf(err, errlen,
			 "out of memory for %u conversations (report.max_conversations)",
			 m->cfg->report.max_conversations);
		return -1;
	}
	return 0;
}

static void manager_apply(struct manager *m, const void *rec, uint32_t type)
{
	if (type == WREC_FINDING) {
		const struct finding *f = rec;
		int host_is_orig = hosts_apply_finding(m->hosts, f);

		m->findings_received++;
		if (m->eve && eve_write(m->eve, f, host_is_orig) != 0) {
			m->eve_failed = 1;
			eve_error_note(m);
		}
		if (m->on_finding)
			m->on_finding(m->on_finding_ctx, f, host_is_orig);
	} else if (type == WREC_HOST_SEEN) {
		const struct worker_host_seen *hs = rec;

		hosts_note_seen(m->hosts, &hs->ip, hs->ts_ns);
	} else if (type == WREC_FLOW_END && m->timeline) {
		timeline_add(m->timeline, rec);
	}
}

unsigned manager_drain(struct manager *m, struct spsc_ring *ring)
{
	const void *rec;
	uint32_t len, type;
	unsigned n = 0;

	while ((rec = spsc_ring_peek(ring, &len, &type)) != NULL) {
		manager_apply(m, rec, type);
		spsc_ring_pop(ring);
		n++;
	}
	return n;
}

void manager_collect(const struct manager *m, struct worker *const *workers,
		     unsigned n, size_t ring_memory, size_t shared_memory,
		     struct report_stats *st)
{
	memset(st, 0, sizeof(*st));
	for (unsigned i = 0; i < n; i++) {
		const struct tw_counters *c = worker_counters(workers[i]);
		const struct worker_flow_stats *fs = worker_flow_stats(workers[i]);

		for (unsigned k = 0; k < TW_CTR_COUNT; k++)
			st->total.v[k] += c->v[k];
		for (unsigned k = 0; k < 8; k++)
			st->flow_bytes_hist[k] += fs->flow_bytes_hist[k];
		for (unsigned k = 0; k < 100; k++)
			st->app_flows[k] += fs->app_flows[k];
		if (fs->flow_bytes_max > st->flow_bytes_max)
			st->flow_bytes_max = fs->flow_bytes_max;
	}
	st->memory_per_worker = n ? worker_memory(workers[0]) + ring_memory : 0;
	st->memory_shared = shared_memory + hosts_memory(m->hosts);
	st->findings_received = m->findings_received;
}

uint64_t manager_eve_write_errors(const struct manager *m)
{
	return eve_write_errors(m->eve);
}

int manager_fini(struct manager *m)
{
	int rc = m->eve_failed ? -1 : 0;

	int why = 0;

	errno = 0;
	if (m->eve && eve_close(m->eve) != 0) {
		rc = -1;
		why = errno;
	}
	hosts_destroy(m->hosts);
	timeline_destroy(m->timeline);
	m->timeline = NULL;
	m->eve = NULL;
	m->hosts = NULL;
	errno = why;
	return rc;
}
