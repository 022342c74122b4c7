/* SPDX-License-Identifier: BSD-3-Clause */
/* The offline reader: the calling thread reads each trace in order, picks
 * a worker by host-pair hash and sends it the packet (decoded here when the
 * trace stays mapped), broadcasts ticks of packet time, drains findings so
 * no worker blocks on a full findings ring, and releases the part of a
 * mapped trace every worker is done with. */
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "capture/source_pcap.h"
#include "config/config.h"
#include "flow/flow_key.h"
#include "engine/manager.h"
#include "offline/offline_int.h"
#include "engine/ring.h"

void offline_drain_findings(struct offline *o)
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
		offline_drain_findings(o);
		sched_yield();
	}
	return slot;
}

void reader_send_control(struct offline *o, struct offline_worker *ow,
			 enum pkt_record_type type, uint64_t ts_ns)
{
	struct pkt_record *r = reserve_or_wait(o, ow, sizeof(*r));

	memset(r, 0, sizeof(*r));
	r->ts_ns = ts_ns;
	spsc_ring_commit(ow->packets, type);
	spsc_ring_publish(ow->packets);
}

static void send_ticks(struct offline *o, uint64_t ts_ns)
{
	uint64_t interval = o->cfg->flow.sweep_interval_ns;

	for (unsigned i = 0; i < o->n; i++)
		reader_send_control(o, &o->ow[i], PREC_TICK, o->clock_ns);
	o->next_tick_ns = ts_ns - ts_ns % interval + interval;
}

/* Every packet passes here; a tick is due once per sweep interval. */
static inline void maybe_tick(struct offline *o, uint64_t ts_ns)
{
	if (ts_ns > o->clock_ns)
		o->clock_ns = ts_ns;
	if (ts_ns >= o->next_tick_ns)
		send_ticks(o, ts_ns);
}

/* Packets and fragments go by their (innermost) address pair, so every
 * fragment of a datagram meets the others on one worker; undecodable
 * packets are counted by worker 0. */
static unsigned worker_of(const struct offline *o, const struct pkt_view *pv,
			  enum decode_result verdict)
{
	if (o->n == 1 ||
	    (verdict != DECODE_OK && verdict != DECODE_IP_FRAGMENT))
		return 0;
	return decode_pair_hash(pv) % o->n;
}

static unsigned pick_worker(const struct offline *o, const struct pkt *p)
{
	struct pkt_view pv;

	if (o->n == 1)
		return 0;
	return worker_of(o, &pv, decode_packet(p, &pv));
}

/* Decodes here, so the reader's core takes the decode and the first touch
 * of the headers off the worker's, and copies a view, not the frame. */
static void send_decoded(struct offline *o, const struct pkt *p)
{
	struct decoded_record *r;
	struct pkt_view pv;
	enum decode_result verdict = decode_packet(p, &pv);
	unsigned i = worker_of(o, &pv, verdict);

	maybe_tick(o, p->ts_ns);
	r = reserve_or_wait(o, &o->ow[i], (uint32_t)sizeof(*r));
	if (pkt_view_has_tail(&pv))
		memcpy(&r->pv, &pv, sizeof(pv));
	else
		memcpy(&r->pv, &pv, PKT_VIEW_HEAD_SIZE);
	r->wirelen = p->wirelen;
	r->verdict = verdict;
	r->hash = verdict == DECODE_OK ? flow_view_hash(&pv) : 0;
	spsc_ring_commit(o->ow[i].packets, PREC_DECODED);
}

static int send_packet(struct offline *o, const struct pkt *p,
		       const char *path, uint64_t number)
{
	struct offline_worker *ow = &o->ow[pick_worker(o, p)];
	struct pkt_record *r;

	if (p->caplen + sizeof(*r) > spsc_ring_max_record(ow->packets)) {
		fprintf(stderr,
			"tunnelwatch: %s: packet %llu: %u captured bytes "
			"exceed engine.ring_bytes/2\n",
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

/* A record that cannot be read ends this file, not the run: every packet
 * before it is evaluated and reported, as Suricata, Zeek and tcpdump do,
 * and the exit status says the input was partial. */
static void warn_partial(const char *err, uint64_t number)
{
	if (number == 0)
		fprintf(stderr, "tunnelwatch: %s; report covers no packet of it\n",
			err);
	else
		fprintf(stderr,
			"tunnelwatch: %s; report covers packets 1..%llu\n", err,
			(unsigned long long)number);
}

enum read_outcome reader_read_trace(struct offline *o, const char *path)
{
	char err[512];
	struct source_pcap *src = source_pcap_open(path, err, sizeof(err));
	uint64_t number = 0;
	bool stable, too_big = false;
	struct pkt p;
	int rc;

	if (!src) {
		fprintf(stderr, "tunnelwatch: %s\n", err);
		return READ_FAILED;
	}
	stable = source_pcap_data_stable(src);
	while ((rc = source_pcap_next(src, &p, err, sizeof(err))) == 1) {
		if (stable) {
			send_decoded(o, &p);
		} else if (send_packet(o, &p, path, number + 1) != 0) {
			too_big = true; /* a limit of ours, said there */
			break;
		}
		if (++number % DRAIN_EVERY == 0) {
			offline_drain_findings(o);
			if (stable)
				release_behind(o, src);
		}
	}
	o->n_marks = 0; /* marks are offsets into this file */
	o->last_mark = 0;
	if (rc < 0)
		warn_partial(err, number);
	if (stable)
		o->sources[o->n_sources++] = src;
	else
		source_pcap_close(src);
	return too_big ? READ_FAILED : rc < 0 ? READ_PARTIAL : READ_WHOLE;
}
