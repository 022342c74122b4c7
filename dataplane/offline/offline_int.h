/* SPDX-License-Identifier: BSD-3-Clause */
/* The offline engine's state, internal to offline*.c: shared by
 * offline.c (workers, run, report) and offline_reader.c (the reader
 * thread's side: traces in, packet records out). */
#ifndef TW_OFFLINE_INT_H
#define TW_OFFLINE_INT_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "decode/decode.h"
#include "engine/manager.h"
#include "offline/offline.h"

struct hs_db;
struct source_pcap;
struct spsc_ring;
struct tw_config;
struct worker;

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
	uint32_t verdict;        /* enum decode_result from decode_packet */
	uint32_t hash;           /* flow_view_hash(), when decoded */
};

struct offline_worker {
	struct worker *w;
	struct spsc_ring *packets;     /* producer: reader; consumer: worker */
	struct spsc_ring *findings;    /* producer: worker; consumer: manager */
	pthread_t thread;
	int started;
	_Atomic int done;              /* written by worker, read by manager */
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
	/* the latest packet time read so far: ticks carry it, so every
	 * worker expires by the same clock even when a later trace (or a
	 * capture of concurrent recordings) steps back in time */
	uint64_t clock_ns;
	/* open traces whose packets workers may still reference; closed
	 * once the workers have stopped */
	struct source_pcap **sources;
	unsigned n_sources;
	struct release_mark marks[RELEASE_MARKS]; /* FIFO, oldest first */
	unsigned n_marks;
	size_t last_mark;        /* offset of the newest mark in this file */
};

/* offline_reader.c */
void offline_drain_findings(struct offline *o);
void reader_send_control(struct offline *o, struct offline_worker *ow,
			 enum pkt_record_type type, uint64_t ts_ns);
enum read_outcome {
	READ_WHOLE,   /* to the end */
	READ_PARTIAL, /* a bad record ended the file; the packets before it
		       * were read (and warned about) */
	READ_FAILED,  /* not read at all, or a packet over our own limit */
};
enum read_outcome reader_read_trace(struct offline *o, const char *path);

#endif
