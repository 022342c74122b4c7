/* The offline engine: the calling thread reads the traces and is also the
 * manager; N worker threads each own a packet ring fed by the reader,
 * chosen by a hash of the host pair. Time comes from the packets: the
 * reader broadcasts a tick to every worker each sweep interval of packet
 * time, at the same place in every worker's packet sequence, so idle flows
 * end at the same packet time whatever the number of workers. */
#include "offline.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/source_pcap.h"
#include "config.h"
#include "control/report.h"
#include "flow/flow_table.h"
#include "manager.h"
#include "ring.h"
#include "scan/hs_db.h"
#include "worker.h"

#define OFFLINE_MAX_WORKERS 64
#define DRAIN_EVERY 512 /* packets between two looks at the findings */
/* Packet records per store of a ring's head: an idle worker polls that
 * cache line, and a store per packet would pull it back to the reader
 * for every packet (measured: 8 workers on 16 cores ran at half the speed
 * of 2). */
#define PUBLISH_EVERY 32
#define RELEASE_STEP (16u << 20) /* mapped trace bytes released at a time */
#define RELEASE_MARKS 4

enum pkt_record_type {
	PREC_PACKET = 1, /* struct pkt_record + data */
	PREC_DECODED,    /* struct decoded_record, pointing into data the
			  * reader keeps mapped until every worker is done */
	PREC_TICK,       /* struct pkt_record, caplen 0 */
	PREC_END,
};

struct pkt_record {
	uint64_t ts_ns;
	uint32_t caplen;
	uint32_t wirelen;
	uint16_t linktype;
	uint8_t pad[6];
};

/* A packet whose bytes stay mapped crosses the ring as its decoded view,
 * pointers into the map included. */
struct decoded_record {
	struct pkt_view pv;
	uint32_t wirelen;
	uint32_t verdict;        /* enum tw_counter from decode_packet */
	uint32_t hash;           /* flow_view_hash(), when decoded */
};

struct offline_worker {
	struct worker *w;
	struct spsc_ring *packets;       /* producer: reader; consumer: worker */
	struct spsc_ring *findings;      /* producer: worker; consumer: manager */
	pthread_t thread;
	int started;
	_Atomic int done;                /* written by worker, read by manager */
};

/* A point in the mapped trace and where each worker's ring stood when the
 * reader passed it: once every worker has consumed up to there, the trace
 * before it is no longer referenced. */
struct release_mark {
	size_t offset;
	uint64_t written[OFFLINE_MAX_WORKERS];
};

struct offline {
	const struct tw_config *cfg;
	const struct offline_options *opt;
	struct hs_db *db;
	struct manager mgr;
	struct offline_worker ow[OFFLINE_MAX_WORKERS];
	unsigned n;
	uint64_t next_tick_ns;
	/* open traces whose packets workers may still reference; closed
	 * once the workers have stopped */
	struct source_pcap **sources;
	unsigned n_sources;
	struct release_mark marks[RELEASE_MARKS]; /* FIFO, oldest first */
	unsigned n_marks;
	size_t last_mark;        /* offset of the newest mark in this file */
};

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
	if (next && type == PREC_DECODED && next->verdict == TW_CTR_PKTS)
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

static void drain_findings(struct offline *o)
{
	for (unsigned i = 0; i < o->n; i++)
		manager_drain(&o->mgr, o->ow[i].findings);
}

/* Waits for room on a worker's ring; the worker may itself be waiting for
 * the manager to take its findings, so drain while waiting. */
static void *reserve_or_wait(struct offline *o, struct offline_worker *ow,
			     uint32_t len)
{
	void *slot;

	while (!(slot = spsc_ring_reserve(ow->packets, len))) {
		spsc_ring_publish(ow->packets); /* the worker may be waiting */
		drain_findings(o);
		sched_yield();
	}
	return slot;
}

static void send_control(struct offline *o, struct offline_worker *ow,
			 enum pkt_record_type type, uint64_t ts_ns)
{
	struct pkt_record *r = reserve_or_wait(o, ow, sizeof(*r));

	memset(r, 0, sizeof(*r));
	r->ts_ns = ts_ns;
	spsc_ring_commit(ow->packets, type);
	spsc_ring_publish(ow->packets);
}

static void maybe_tick(struct offline *o, uint64_t ts_ns)
{
	uint64_t interval = o->cfg->flow.sweep_interval_ns;

	if (ts_ns < o->next_tick_ns)
		return;
	for (unsigned i = 0; i < o->n; i++)
		send_control(o, &o->ow[i], PREC_TICK, ts_ns);
	o->next_tick_ns = ts_ns - ts_ns % interval + interval;
}

static unsigned pick_worker(const struct offline *o, const struct pkt *p)
{
	struct pkt_view pv;

	if (o->n == 1 || decode_packet(p, &pv) != TW_CTR_PKTS)
		return 0; /* undecodable packets are counted by worker 0 */
	return decode_pair_hash(&pv) % o->n;
}

/* Decodes here, so the reader's core takes the decode and the first touch
 * of the headers off the worker's, and copies a view, not the frame. */
static void send_decoded(struct offline *o, const struct pkt *p)
{
	struct decoded_record *r;
	struct pkt_view pv;
	enum tw_counter verdict = decode_packet(p, &pv);
	unsigned i = o->n == 1 || verdict != TW_CTR_PKTS ?
			     0 : decode_pair_hash(&pv) % o->n;

	maybe_tick(o, p->ts_ns);
	r = reserve_or_wait(o, &o->ow[i], (uint32_t)sizeof(*r));
	memcpy(&r->pv, &pv, sizeof(pv));
	r->wirelen = p->wirelen;
	r->verdict = verdict;
	r->hash = verdict == TW_CTR_PKTS ? flow_view_hash(&pv) : 0;
	spsc_ring_commit(o->ow[i].packets, PREC_DECODED);
}

static int send_packet(struct offline *o, const struct pkt *p,
		       const char *path, uint64_t number)
{
	struct offline_worker *ow = &o->ow[pick_worker(o, p)];
	struct pkt_record *r;

	if (p->caplen + sizeof(*r) > spsc_ring_max_record(ow->packets)) {
		fprintf(stderr,
			"tunnelwatch: %s: packet %llu: %u captured bytes exceed "
			"engine.ring_bytes/2\n",
			path, (unsigned long long)number, p->caplen);
		return -1;
	}
	maybe_tick(o, p->ts_ns);
	r = reserve_or_wait(o, ow, (uint32_t)sizeof(*r) + p->caplen);
	r->ts_ns = p->ts_ns;
	r->caplen = p->caplen;
	r->wirelen = p->wirelen;
	r->linktype = p->linktype;
	memcpy(r + 1, p->data, p->caplen);
	spsc_ring_commit(ow->packets, PREC_PACKET);
	return 0;
}

static bool mark_passed(struct offline *o, const struct release_mark *m)
{
	for (unsigned i = 0; i < o->n; i++)
		if (spsc_ring_consumed(o->ow[i].packets) < m->written[i])
			return false;
	return true;
}

/* Lets the workers' finished part of a mapped trace go, so resident
 * memory stays near RELEASE_STEP * RELEASE_MARKS, not the trace size. */
static void release_behind(struct offline *o, struct source_pcap *src)
{
	size_t off = source_pcap_offset(src);
	struct release_mark *m;

	while (o->n_marks > 0 && mark_passed(o, &o->marks[0])) {
		source_pcap_release(src, o->marks[0].offset);
		memmove(&o->marks[0], &o->marks[1],
			--o->n_marks * sizeof(o->marks[0]));
	}
	if (o->n_marks == RELEASE_MARKS || off - o->last_mark < RELEASE_STEP)
		return;
	m = &o->marks[o->n_marks++];
	m->offset = o->last_mark = off;
	for (unsigned i = 0; i < o->n; i++)
		m->written[i] = spsc_ring_written(o->ow[i].packets);
}

static int read_trace(struct offline *o, const char *path)
{
	char err[512];
	struct source_pcap *src = source_pcap_open(path, err, sizeof(err));
	uint64_t number = 0;
	bool stable;
	struct pkt p;
	int rc;

	if (!src) {
		fprintf(stderr, "tunnelwatch: %s\n", err);
		return -1;
	}
	stable = source_pcap_data_stable(src);
	while ((rc = source_pcap_next(src, &p, err, sizeof(err))) == 1) {
		if (stable) {
			send_decoded(o, &p);
		} else if (send_packet(o, &p, path, number + 1) != 0) {
			rc = -1;
			break;
		}
		if (++number % DRAIN_EVERY == 0) {
			drain_findings(o);
			if (stable)
				release_behind(o, src);
		}
	}
	o->n_marks = 0; /* marks are offsets into this file */
	o->last_mark = 0;
	if (rc < 0 && err[0])
		fprintf(stderr, "tunnelwatch: %s\n", err);
	if (stable)
		o->sources[o->n_sources++] = src;
	else
		source_pcap_close(src);
	return rc < 0 ? -1 : 0;
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
			send_control(o, &o->ow[i], PREC_END, 0);
	while (!all_workers_done(o)) {
		drain_findings(o);
		sched_yield();
	}
	for (unsigned i = 0; i < o->n; i++)
		if (o->ow[i].started)
			pthread_join(o->ow[i].thread, NULL);
	drain_findings(o);
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
		};

		ow->packets = spsc_ring_create(o->cfg->engine.ring_bytes);
		ow->findings = spsc_ring_create(o->cfg->engine.finding_ring *
						(uint32_t)sizeof(struct finding));
		if (!ow->packets || !ow->findings) {
			fprintf(stderr, "tunnelwatch: out of memory for rings\n");
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
			fprintf(stderr, "tunnelwatch: cannot start worker %u\n", i);
			return -1;
		}
		ow->started = 1;
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
		rc = report_print_json(stdout, st, o->mgr.hosts, o->opt->all_hosts);
	else
		rc = report_print_table(stdout, st, o->mgr.hosts, o->opt->all_hosts);
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
	int rc = 1, read_failed = 0;

	if (!o)
		return 1;
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
		fprintf(stderr, "tunnelwatch: patterns: %s\n", err);
		free(o->sources);
		free(o);
		return 1;
	}
	if (manager_init(&o->mgr, cfg, opt->eve_path, err, sizeof(err)) != 0) {
		fprintf(stderr, "tunnelwatch: %s\n", err);
		hs_db_free(o->db);
		free(o->sources);
		free(o);
		return 1;
	}
	if (start_workers(o) == 0) {
		for (unsigned i = 0; i < opt->n_files && !read_failed; i++)
			read_failed = read_trace(o, opt->files[i]) != 0;
		stop_workers(o);
		/* a trace that could not be read whole gives no report: a
		 * partial verdict would read as a clean bill of health */
		if (!read_failed)
			rc = print_report(o) == 0 ? 0 : 1;
	} else {
		stop_workers(o);
	}
	if (manager_fini(&o->mgr) != 0) {
		fprintf(stderr, "tunnelwatch: %s: write error in the event log\n",
			opt->eve_path);
		rc = 1;
	}
	offline_free(o);
	free(o);
	return rc;
}
