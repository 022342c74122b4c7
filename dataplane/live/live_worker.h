/* SPDX-License-Identifier: BSD-3-Clause */
/* A live worker: one DPDK lcore running the offline pipeline (worker.c)
 * over RX bursts. Worker 0 also reads the ports that have a single queue
 * and hands each packet to the worker its host pair hashes to, as the
 * offline reader does, over one rte_ring per other worker.
 *
 * Everything the manager and a worker share is below, each field written
 * by one side only and published with release/acquire pairs: no lock. */
#ifndef TW_LIVE_WORKER_H
#define TW_LIVE_WORKER_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "capture/source_dpdk.h"
#include "config/config.h"
#include "decode/decode.h"

#define LIVE_MAX_WORKERS 64
#define LIVE_LINEAR_BYTES 65536   /* a chained mbuf is copied into this */
#define LIVE_MAX_BURST 512        /* dpdk.burst upper bound */

struct worker;
struct spsc_ring;
struct rte_ring;

struct live_rxq {
	uint16_t port, queue;
	bool replay;              /* a file: an empty poll means its end */
	bool spread;              /* one queue for all workers: spread it */
	bool ended;
};

/* One open flow, as `flows IP` shows it. */
struct live_flow_info {
	struct ip_addr orig, resp;
	uint16_t orig_port, resp_port;
	uint8_t proto, tcp_state;
	uint16_t app;
	uint64_t id, first_ns, last_ns;
	uint64_t pkts[2], bytes[2];   /* originator, responder */
	struct pkt_tunnel tunnel;     /* outer layers, VLAN ids */
};

/* Read-only for every worker once they run, except stop and
 * dispatch_closed. */
struct live_shared {
	const struct dpdk_ports *ports;
	struct live_worker *workers;
	unsigned n_workers;
	_Atomic int stop;             /* manager -> workers */
	_Atomic int dispatch_closed;  /* worker 0 -> others: after stop, all
					 it will ever enqueue is enqueued */
	bool packet_clock;            /* every port gives file time */
	bool lossless;                /* every port is a file: wait, never drop */
	bool finish_at_end;           /* dpdk.replay_finish with files only */
	uint32_t burst;
	uint32_t idle_sleep_us;
	uint64_t sweep_ns;
	uint64_t tsc_hz, tsc0, wall0_ns;
};

struct live_worker {
	struct live_shared *sh;
	struct worker *w;
	struct spsc_ring *findings;   /* worker -> manager */
	unsigned id, lcore;
	struct live_rxq rxq[TW_STRINGS_MAX];
	unsigned n_rxq;
	bool dispatches;              /* worker 0 with one-queue ports, >1 worker */
	struct rte_ring *inbox;       /* worker 0 -> this worker, or NULL */
	struct rte_mbuf **stage;      /* worker 0: per-target pending mbufs */
	uint32_t *staged;
	uint8_t *linear;
	uint64_t next_tick_ns;
	bool finish_seen;             /* worker 0 said its files ended */
	bool finished;                /* worker_finish done after input end */

	/* published by the worker */
	_Atomic int running, done, input_ended;
	_Atomic uint64_t dispatch_dropped;  /* written by worker 0 only */
	_Atomic uint64_t cfg_ack;
	_Atomic uint64_t busy_cycles;       /* TSC spent on non-empty polls */

	/* flow request: manager writes req_ip, then req_seq (release);
	 * the worker fills ans, then ans_seq (release) */
	struct ip_addr req_ip;
	_Atomic uint64_t req_seq, ans_seq;
	struct live_flow_info *ans;
	uint32_t ans_max, ans_n, ans_total;

	/* config reload: manager writes cfg_next and db_next, then cfg_gen
	 * (release); the worker switches, sets db_in_use, acks cfg_gen */
	const struct tw_config *cfg_next;
	const struct hs_db *db_next;
	_Atomic(const struct hs_db *) db_in_use;
	_Atomic uint64_t patterns_failed;   /* reloads it could not take */
	_Atomic uint64_t cfg_gen;
	uint64_t cfg_gen_seen;        /* worker's own */
	uint64_t busy_cycles_own;     /* worker's own copy of busy_cycles */
};

/* rte_eal_remote_launch entry; returns 0 after stop. */
int live_worker_main(void *arg);

/* live_serve.c: answers the manager's flow request and takes a new
 * configuration, when there is one; called between bursts. */
void live_worker_serve(struct live_worker *lw);

/* Nanoseconds since the epoch from the TSC. */
uint64_t live_now_ns(const struct live_shared *sh);

#endif
