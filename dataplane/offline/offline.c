/* SPDX-License-Identifier: BSD-3-Clause */
/* The offline engine: the calling thread reads the traces and is also the
 * manager; N worker threads each own a packet ring fed by the reader,
 * chosen by a hash of the host pair. Time comes from the packets: the
 * reader broadcasts a tick to every worker each sweep interval of packet
 * time, at the same place in every worker's packet sequence, so idle flows
 * end at the same packet time whatever the number of workers. This file
 * runs the engine: the worker threads' loop, their start and stop, the
 * report; the reader's side is offline_reader.c. */
#include "offline/offline.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture/source_pcap.h"
#include "config/config.h"
#include "control/html_report.h"
#include "control/report.h"
#include "engine/manager.h"
#include "offline/offline_int.h"
#include "engine/ring.h"
#include "scan/hs_db.h"
#include "engine/worker.h"
#include "decode/decode.h"

/* A worker polls its ring like a poll-mode driver polls a queue; after a
 * while with nothing it gives the core away, since offline there may be
 * more workers than cores. */
static void idle_wait(unsigned *idle)
{
	if (++*idle < 64) {
		__builtin_ia32_pause();
		return;
	}
	*idle = 0;
	sched_yield();
}

/* The next packet's flow bucket starts loading while this one is
 * processed. */
static void prefetch_next(struct offline_worker *ow)
{
	const struct decoded_record *next;
	uint32_t len, type;

	next = spsc_ring_peek_next(ow->packets, &len, &type);
	if (next && type == PREC_DECODED && next->verdict == DECODE_OK)
		worker_prefetch(ow->w, next->hash);
}

static void *worker_thread(void *arg)
{
	struct offline_worker *ow = arg;
	const struct pkt_record *rec;
	uint32_t len, type;
	unsigned idle = 0;

	for (;;) {
		rec = spsc_ring_peek(ow->packets, &len, &type);
		if (!rec) {
			idle_wait(&idle);
			continue;
		}
		idle = 0;
		if (type == PREC_DECODED) {
			const struct decoded_record *d = (const void *)rec;
			struct pkt_view pv = d->pv;

			prefetch_next(ow);
			worker_process_hashed(ow->w, &pv, d->verdict,
					      d->wirelen, d->hash);
		} else if (type == PREC_PACKET) {
			struct pkt p = {
				.data = (const uint8_t *)(rec + 1),
				.caplen = rec->caplen,
				.wirelen = rec->wirelen,
				.ts_ns = rec->ts_ns,
				.linktype = rec->linktype,
			};
			worker_process(ow->w, &p);
		} else if (type == PREC_TICK) {
			worker_tick(ow->w, rec->ts_ns);
		} else {
			spsc_ring_pop(ow->packets);
			break;
		}
		spsc_ring_pop(ow->packets);
	}
	worker_finish(ow->w);
	atomic_store_explicit(&ow->done, 1, memory_order_release);
	return NULL;
}

static int all_workers_done(struct offline *o)
{
	for (unsigned i = 0; i < o->n; i++)
		if (o->ow[i].started &&
		    !atomic_load_explicit(&o->ow[i].done, memory_order_acquire))
			return 0;
	return 1;
}

/* Ends every worker's input and waits for it, taking findings meanwhile. */
static void stop_workers(struct offline *o)
{
	for (unsigned i = 0; i < o->n; i++)
		if (o->ow[i].started)
			reader_send_control(o, &o->ow[i], PREC_END, 0);
	while (!all_workers_done(o)) {
		offline_drain_findings(o);
		sched_yield();
	}
	for (unsigned i = 0; i < o->n; i++)
		if (o->ow[i].started)
			pthread_join(o->ow[i].thread, NULL);
	offline_drain_findings(o);
}

static int start_workers(struct offline *o)
{
	char err[512] = "";

	for (unsigned i = 0; i < o->n; i++) {
		struct offline_worker *ow = &o->ow[i];
		struct worker_options wo = {
			.id = i,
			.block_when_full = true,
			.all_hosts = o->opt->all_hosts,
			.prevalence = hosts_prevalence(o->mgr.hosts),
			.flow_records = o->opt->html_path != NULL,
		};

		ow->packets = spsc_ring_create(o->cfg->engine.ring_bytes);
		ow->findings = spsc_ring_create(o->cfg->engine.finding_ring *
					    (uint32_t)sizeof(struct finding));
		if (!ow->packets || !ow->findings) {
			fprintf(stderr,
				"tunnelwatch: out of memory for rings\n");
			return -1;
		}
		spsc_ring_set_batch(ow->packets, PUBLISH_EVERY);
		ow->w = worker_create(&wo, o->cfg, o->db, ow->findings, err,
				      sizeof(err));
		if (!ow->w) {
			fprintf(stderr, "tunnelwatch: %s\n", err);
			return -1;
		}
		atomic_init(&ow->done, 0);
		if (pthread_create(&ow->thread, NULL, worker_thread, ow) != 0) {
			fprintf(stderr,
				"tunnelwatch: cannot start worker %u\n", i);
			return -1;
		}
		ow->started = 1;
	}
	return 0;
}

static int write_html(struct offline *o, const struct report_stats *st)
{
	struct html_report_input in = {
		.cfg = o->cfg,
		.st = st,
		.hosts = o->mgr.hosts,
		.tl = o->mgr.timeline,
		.traces = o->opt->files,
		.n_traces = o->opt->n_files,
		.asked = o->opt->html_hosts,
		.n_asked = o->opt->n_html_hosts,
		.source = "offline",
	};

	if (html_report_save(o->opt->html_path, &in) != 0) {
		fprintf(stderr, "tunnelwatch: %s: cannot write the HTML report: %s\n",
			o->opt->html_path, strerror(errno));
		return -1;
	}
	return 0;
}

static int print_report(struct offline *o)
{
	struct worker *workers[OFFLINE_MAX_WORKERS];
	struct report_stats *st = calloc(1, sizeof(*st));
	int rc;

	if (!st)
		return -1;
	for (unsigned i = 0; i < o->n; i++)
		workers[i] = o->ow[i].w;
	/* each worker's rings are part of its pipeline: the same for all */
	manager_collect(&o->mgr, workers, o->n,
			spsc_ring_memory(o->ow[0].packets) +
				spsc_ring_memory(o->ow[0].findings),
			hs_db_memory(o->db), st);
	if (o->opt->json)
		rc = report_print_json(stdout, st, o->mgr.hosts,
				       o->opt->all_hosts);
	else
		rc = report_print_table(stdout, st, o->mgr.hosts,
					o->opt->all_hosts);
	if (rc == 0 && o->opt->html_path)
		rc = write_html(o, st);
	free(st);
	if (fflush(stdout) != 0)
		rc = -1;
	return rc;
}

static void offline_free(struct offline *o)
{
	for (unsigned i = 0; i < o->n; i++) {
		worker_destroy(o->ow[i].w);
		spsc_ring_destroy(o->ow[i].packets);
		spsc_ring_destroy(o->ow[i].findings);
	}
	for (unsigned i = 0; i < o->n_sources; i++)
		source_pcap_close(o->sources[i]);
	free(o->sources);
	hs_db_free(o->db);
}

int offline_run(const struct tw_config *cfg, const struct offline_options *opt)
{
	struct offline *o = calloc(1, sizeof(*o));
	char err[1024] = "";
	int rc = 1, read_failed = 0, partial = 0;
	uint64_t eve_errors;

	struct decap_config dc;

	if (!o)
		return 1;
	/* before any thread decodes */
	config_decap(cfg, &dc);
	decap_configure(&dc);
	o->cfg = cfg;
	o->opt = opt;
	o->n = opt->workers;
	o->sources = calloc(opt->n_files ? opt->n_files : 1,
			    sizeof(*o->sources));
	if (!o->sources) {
		free(o);
		return 1;
	}
	if (o->n == 0 || o->n > OFFLINE_MAX_WORKERS) {
		fprintf(stderr, "tunnelwatch: --workers must be 1-%d\n",
			OFFLINE_MAX_WORKERS);
		free(o->sources);
		free(o);
		return 1;
	}
	o->db = hs_db_open(cfg, err, sizeof(err));
	if (!o->db) {
		/* a bad pattern file is a bad configuration (2), like a bad
		 * config file: FILE:LINE: why, nothing read */
		fprintf(stderr, "tunnelwatch: patterns: %s%s\n", err,
			access(cfg->scan.patterns_dir, F_OK) == 0 ? "" :
			" (set scan.patterns_dir, or install tunnelwatch: "
			"meson install)");
		free(o->sources);
		free(o);
		return 2;
	}
	if (manager_init(&o->mgr, cfg, opt->eve_path, err, sizeof(err)) != 0 ||
	    (opt->html_path &&
	     manager_keep_flows(&o->mgr, err, sizeof(err)) != 0)) {
		/* an output that cannot be opened is a bad option (2), not
		 * a trace error (1); nothing has been read yet */
		fprintf(stderr, "tunnelwatch: %s\n", err);
		hs_db_free(o->db);
		free(o->sources);
		free(o);
		return 2;
	}
	if (start_workers(o) == 0) {
		for (unsigned i = 0; i < opt->n_files && !read_failed; i++) {
			enum read_outcome r = reader_read_trace(o, opt->files[i]);

			read_failed = r == READ_FAILED;
			partial |= r == READ_PARTIAL;
		}
		stop_workers(o);
		/* a trace that could not be opened gives no report; one cut
		 * short by a bad record reports what was read before it, and
		 * the exit status (and the warning) says it is partial */
		if (!read_failed)
			rc = print_report(o) != 0 ? 1 :
			     partial		  ? OFFLINE_EXIT_PARTIAL :
						    0;
	} else {
		stop_workers(o);
	}
	eve_errors = manager_eve_write_errors(&o->mgr);
	if (manager_fini(&o->mgr) != 0) {
		fprintf(stderr, "tunnelwatch: event log %s: %llu finding%s not "
			"written: %s\n", opt->eve_path,
			(unsigned long long)eve_errors, eve_errors == 1 ? "" : "s",
			strerror(errno ? errno : EIO));
		rc = 1;
	}
	offline_free(o);
	free(o);
	return rc;
}
