/* SPDX-License-Identifier: BSD-3-Clause */
/* The live worker's poll loop: rx burst -> (worker 0: spread by host
 * pair) -> worker_process, with periodic ticks, answers to the manager's
 * flow requests and config switches between bursts. Nothing here
 * allocates, locks or makes a system call per packet. */
#include "live/live_worker.h"

#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_pause.h>
#include <rte_prefetch.h>
#include <rte_ring.h>

#include "engine/worker.h"

#define MAX_BURST LIVE_MAX_BURST
#define IDLE_POLLS_BEFORE_NAP 1024
/* dispatch ring entries that are not mbufs: mbufs are 64-byte aligned, so
 * the low two bits tell them apart */
#define TAG_TICK 1u       /* (ts << 2) | 1: tick at packet time ts */
#define TAG_FINISH 2u     /* the files ended: evaluate open flows */

uint64_t live_now_ns(const struct live_shared *sh)
{
	uint64_t d = rte_rdtsc() - sh->tsc0;

	return sh->wall0_ns + d / sh->tsc_hz * 1000000000ull +
	       d % sh->tsc_hz * 1000000000ull / sh->tsc_hz;
}

static void *tagged(uint64_t value, unsigned tag)
{
	return (void *)(uintptr_t)((value << 2) | tag);
}

/* ---- input of one packet ---- */

static void process_mbuf(struct live_worker *lw, struct rte_mbuf *m,
			 uint64_t now_ns)
{
	const struct live_shared *sh = lw->sh;
	uint64_t ts = sh->packet_clock ? source_dpdk_ts(sh->ports, m) : 0;
	struct pkt p;

	source_dpdk_pkt(m, lw->linear, LIVE_LINEAR_BYTES, ts ? ts : now_ns, &p);
	worker_process(lw->w, &p);
}

/* Packet time crossed a sweep boundary (packet clock): idle flows end at
 * the same packet positions as offline, whatever the number of workers. */
static bool tick_due(struct live_worker *lw, uint64_t ts)
{
	uint64_t iv = lw->sh->sweep_ns;

	if (ts < lw->next_tick_ns)
		return false;
	lw->next_tick_ns = ts - ts % iv + iv;
	return true;
}

/* ---- worker 0: spreading one-queue ports ---- */

static void ring_put(struct live_worker *lw, struct live_worker *to,
		     void *const *objs, uint32_t n)
{
	uint32_t done = 0;

	while (done < n) {
		done += rte_ring_sp_enqueue_burst(to->inbox, objs + done,
						  n - done, NULL);
		if (done == n)
			break;
		/* a file cannot overflow: wait for the peer; live traffic
		 * is dropped and counted rather than stall the port */
		if (!lw->sh->lossless && !((uintptr_t)objs[done] & 3u)) {
			for (uint32_t i = done; i < n; i++)
				rte_pktmbuf_free(objs[i]);
			atomic_fetch_add_explicit(&to->dispatch_dropped,
						  n - done,
						  memory_order_relaxed);
			return;
		}
		rte_pause();
	}
}

static void flush_stages(struct live_worker *lw)
{
	const struct live_shared *sh = lw->sh;

	for (unsigned t = 1; t < sh->n_workers; t++) {
		if (!lw->staged[t])
			continue;
		ring_put(lw, &sh->workers[t],
			 (void *const *)&lw->stage[t * MAX_BURST],
			 lw->staged[t]);
		lw->staged[t] = 0;
	}
}

static void broadcast(struct live_worker *lw, void *marker)
{
	flush_stages(lw);
	for (unsigned t = 1; t < lw->sh->n_workers; t++)
		ring_put(lw, &lw->sh->workers[t], &marker, 1);
}

/* Decodes once: the view serves the pair hash and, for worker 0's own
 * share, the pipeline. Undecodable packets are counted by worker 0. */
static void spread_one(struct live_worker *lw, struct rte_mbuf *m,
		       uint64_t now_ns)
{
	const struct live_shared *sh = lw->sh;
	uint64_t ts = sh->packet_clock ? source_dpdk_ts(sh->ports, m) : 0;
	enum decode_result verdict;
	struct pkt_view pv;
	struct pkt p;
	unsigned t = 0;

	source_dpdk_pkt(m, lw->linear, LIVE_LINEAR_BYTES, ts ? ts : now_ns, &p);
	verdict = decode_packet(&p, &pv);
	/* the innermost pair: tunnels and fragments spread like the rest */
	if (verdict == DECODE_OK || verdict == DECODE_IP_FRAGMENT)
		t = decode_pair_hash(&pv) % sh->n_workers;
	if (t == 0) {
		worker_process_decoded(lw->w, &pv, verdict, p.wirelen);
		rte_pktmbuf_free(m);
		return;
	}
	lw->stage[t * MAX_BURST + lw->staged[t]++] = m;
}

static void spread_burst(struct live_worker *lw, struct rte_mbuf **pkts,
			 uint16_t n, uint64_t now_ns)
{
	const struct live_shared *sh = lw->sh;

	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];

		if (i + 1 < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 1], void *));
		if (sh->packet_clock) {
			uint64_t ts = source_dpdk_ts(sh->ports, m);

			if (ts && tick_due(lw, ts)) {
				broadcast(lw, tagged(ts, TAG_TICK));
				worker_tick(lw->w, ts);
			}
		}
		spread_one(lw, m, now_ns);
	}
	flush_stages(lw);
}

/* ---- every worker ---- */

static void own_burst(struct live_worker *lw, struct rte_mbuf **pkts,
		      uint16_t n, uint64_t now_ns)
{
	const struct live_shared *sh = lw->sh;

	for (uint16_t i = 0; i < n; i++) {
		if (i + 1 < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 1], void *));
		if (sh->packet_clock) {
			uint64_t ts = source_dpdk_ts(sh->ports, pkts[i]);

			if (ts && tick_due(lw, ts))
				worker_tick(lw->w, ts);
		}
		process_mbuf(lw, pkts[i], now_ns);
	}
	rte_pktmbuf_free_bulk(pkts, n);
}

static void input_end(struct live_worker *lw)
{
	if (lw->finished)
		return;
	lw->finished = true;
	if (lw->sh->finish_at_end)
		worker_finish(lw->w);
	atomic_store_explicit(&lw->input_ended, 1, memory_order_release);
}

/* Dispatched packets and markers from worker 0; returns how many. */
static unsigned poll_inbox(struct live_worker *lw, uint64_t now_ns)
{
	void *objs[MAX_BURST];
	struct rte_mbuf *done[MAX_BURST];
	unsigned n, nd = 0;

	n = rte_ring_sc_dequeue_burst(lw->inbox, objs, lw->sh->burst, NULL);
	for (unsigned i = 0; i < n; i++) {
		uintptr_t v = (uintptr_t)objs[i];

		switch (v & 3u) {
		case 0:
			if (i + 1 < n && !((uintptr_t)objs[i + 1] & 3u))
				rte_prefetch0(rte_pktmbuf_mtod(
					(struct rte_mbuf *)objs[i + 1], void *));
			process_mbuf(lw, objs[i], now_ns);
			done[nd++] = objs[i];
			break;
		case TAG_TICK:
			worker_tick(lw->w, (uint64_t)(v >> 2));
			break;
		default:
			lw->finish_seen = true;
			break;
		}
	}
	if (nd)
		rte_pktmbuf_free_bulk(done, nd);
	return n;
}

/* A file queue that returns nothing is at its end, unless the pool was
 * empty for the moment (mbufs still in flight to other workers). */
static void note_empty(struct live_worker *lw, struct live_rxq *q)
{
	if (q->replay &&
	    rte_mempool_avail_count(lw->sh->ports->pool) > 2 * MAX_BURST)
		q->ended = true;
}

/* A worker's input has ended when each of its file queues has, and
 * worker 0 has said so for the packets it spreads. */
static bool input_over(const struct live_worker *lw)
{
	if (lw->n_rxq == 0 && !lw->inbox)
		return false;
	if (lw->inbox && !lw->finish_seen)
		return false;
	for (unsigned i = 0; i < lw->n_rxq; i++)
		if (!lw->rxq[i].ended)
			return false;
	return true;
}

static unsigned poll_ports(struct live_worker *lw, uint64_t now_ns)
{
	struct rte_mbuf *pkts[MAX_BURST];
	unsigned total = 0;

	for (unsigned i = 0; i < lw->n_rxq; i++) {
		struct live_rxq *q = &lw->rxq[i];
		uint16_t n;

		if (q->ended)
			continue;
		/* net_pcap reads the file before it takes an mbuf: an empty
		 * pool would lose a packet of a file, so wait for one */
		if (q->replay && rte_mempool_avail_count(lw->sh->ports->pool) <=
					 lw->sh->burst)
			continue;
		n = rte_eth_rx_burst(q->port, q->queue, pkts,
				     (uint16_t)lw->sh->burst);
		if (n == 0) {
			note_empty(lw, q);
			continue;
		}
		total += n;
		if (q->spread)
			spread_burst(lw, pkts, n, now_ns);
		else
			own_burst(lw, pkts, n, now_ns);
	}
	return total;
}

/* Wall-clock ticks when the ports give no packet time. */
static void clock_tick(struct live_worker *lw, uint64_t now_ns)
{
	if (lw->sh->packet_clock || now_ns < lw->next_tick_ns)
		return;
	lw->next_tick_ns = now_ns + lw->sh->sweep_ns;
	worker_tick(lw->w, now_ns);
}

static void idle(struct live_worker *lw, unsigned *empty)
{
	if (++*empty < IDLE_POLLS_BEFORE_NAP || !lw->sh->idle_sleep_us) {
		rte_pause();
		return;
	}
	*empty = 0;
	usleep(lw->sh->idle_sleep_us);
}

/* After stop. Worker 0 hands over what it still holds, then closes the
 * dispatch (a state, not a record in the rings: a record could be taken
 * by a poll of the main loop and the stop would wait for it forever).
 * The others keep polling until they see it closed, since worker 0 may
 * be waiting for room in their ring, then take everything left: every
 * packet enqueued before the close is in the ring by then. */
static void drain_at_stop(struct live_worker *lw)
{
	struct live_shared *sh = lw->sh;

	if (lw->dispatches) {
		flush_stages(lw);
		atomic_store_explicit(&sh->dispatch_closed, 1,
				      memory_order_release);
	}
	if (!lw->inbox)
		return;
	while (!atomic_load_explicit(&sh->dispatch_closed,
				     memory_order_acquire))
		if (!poll_inbox(lw, live_now_ns(sh)))
			rte_pause();
	while (poll_inbox(lw, live_now_ns(sh)))
		;
}

int live_worker_main(void *arg)
{
	struct live_worker *lw = arg;
	struct live_shared *sh = lw->sh;
	unsigned empty = 0;

	atomic_store_explicit(&lw->running, 1, memory_order_release);
	while (!atomic_load_explicit(&sh->stop, memory_order_relaxed)) {
		uint64_t t0 = rte_rdtsc();
		uint64_t now = live_now_ns(sh);
		unsigned n = poll_ports(lw, now);

		if (lw->inbox)
			n += poll_inbox(lw, now);
		if (!lw->finished && input_over(lw)) {
			if (lw->dispatches)
				broadcast(lw, tagged(0, TAG_FINISH));
			input_end(lw);
		}
		live_worker_serve(lw);
		clock_tick(lw, now);
		if (n) {
			empty = 0;
			/* one store per burst: the cost figure of `stats` */
			atomic_store_explicit(&lw->busy_cycles,
					      lw->busy_cycles_own +=
					      rte_rdtsc() - t0,
					      memory_order_relaxed);
		} else
			idle(lw, &empty);
	}
	drain_at_stop(lw);
	/* shutdown: every open flow is evaluated, as at the end of a trace */
	worker_finish(lw->w);
	atomic_store_explicit(&lw->done, 1, memory_order_release);
	return 0;
}
