/* SPDX-License-Identifier: BSD-3-Clause */
/* Live mode: start in order (socket, EAL, patterns, manager, ports,
 * workers), run the manager loop on the main lcore, unwind in reverse.
 * Signals arrive on a signalfd in that loop, never in a handler: SIGINT
 * and SIGTERM stop, SIGHUP reloads thresholds and patterns. */
#include "live/live_int.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_lcore.h>
#include <rte_launch.h>
#include <rte_ring.h>

#ifdef TW_HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#endif

#include "control/eve.h"
#include "control/metrics.h"
#include "control/metrics_http.h"
#include "engine/ring.h"
#include "scan/hs_db.h"
#include "engine/worker.h"

#define LOOP_WAIT_MS 10
/* Any failure to start: nothing was watched (README, exit status). */
#define LIVE_EXIT_START 2
#define STOP_SLOW_NS (3ull * 1000000000ull)
/* STATUS= for systemctl status, this often (wall clock) */
#define STATUS_EVERY_NS (10ull * 1000000000ull)


static uint64_t wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* ---- workers ---- */

static int worker_alloc(struct live *l, struct live_worker *lw, unsigned id)
{
	const struct tw_config *cfg = live_cfg(l);
	struct worker_options wo = {
		.id = id,
		.block_when_full = l->sh.lossless,
		.prevalence = hosts_prevalence(l->mgr.hosts),
		.flow_records = true,
	};
	char err[512] = "", name[32];

	lw->sh = &l->sh;
	lw->id = id;
	lw->findings = spsc_ring_create(cfg->engine.finding_ring *
					(uint32_t)sizeof(struct finding));
	lw->linear = malloc(LIVE_LINEAR_BYTES);
	lw->ans_max = cfg->control.flows_listed;
	lw->ans = calloc(lw->ans_max, sizeof(*lw->ans));
	if (!lw->findings || !lw->linear || !lw->ans) {
		live_err("worker %u: out of memory\n", id);
		return -1;
	}
	lw->w = worker_create(&wo, cfg, l->db, lw->findings, err, sizeof(err));
	atomic_store_explicit(&lw->db_in_use, l->db, memory_order_relaxed);
	if (!lw->w) {
		live_err("%s\n", err);
		return -1;
	}
	if (id > 0 && l->lw[0].dispatches) {
		snprintf(name, sizeof(name), "tw_inbox_%u", id);
		lw->inbox = rte_ring_create(name, cfg->dpdk.dispatch_ring,
					    (int)rte_socket_id(),
					    RING_F_SP_ENQ | RING_F_SC_DEQ |
						    RING_F_EXACT_SZ);
		if (!lw->inbox) {
			live_err("worker %u: no memory for a %u-packet ring "
			     "(dpdk.dispatch_ring)\n", id,
			     cfg->dpdk.dispatch_ring);
			return -1;
		}
	}
	return 0;
}

/* Multi-queue ports: queue k to worker k (symmetric RSS). One-queue
 * ports: worker 0, which spreads them when there are other workers. */
static void queues_assign(struct live *l)
{
	bool all_ts = true, all_replay = true;

	for (unsigned i = 0; i < l->ports.n; i++) {
		const struct dpdk_port *p = &l->ports.port[i];
		bool multi = p->n_queues == l->n && l->n > 1;

		for (unsigned k = 0; k < (multi ? l->n : 1); k++) {
			struct live_worker *lw = &l->lw[k];
			struct live_rxq *q = &lw->rxq[lw->n_rxq++];

			q->port = p->id;
			q->queue = (uint16_t)k;
			q->replay = p->replay;
			q->spread = !multi && l->n > 1;
			if (q->spread)
				l->lw[0].dispatches = true;
		}
		all_ts = all_ts && p->timestamps;
		all_replay = all_replay && p->replay;
	}
	l->sh.packet_clock = all_ts;
	l->sh.lossless = all_replay;
	l->sh.finish_at_end = all_replay && live_cfg(l)->dpdk.replay_finish;
}

static int workers_create(struct live *l)
{
	const struct tw_config *cfg = live_cfg(l);
	unsigned lcore, k = 0;

	l->n = cfg->dpdk.workers;
	if (rte_lcore_count() < l->n + 1) {
		live_err("dpdk.workers = %u needs %u lcores, the EAL has %u "
		     "(dpdk.lcores, or -l/--lcores in the EAL arguments)\n",
		     l->n, l->n + 1, rte_lcore_count());
		return -1;
	}
	l->sh.ports = &l->ports;
	l->sh.workers = l->lw;
	l->sh.n_workers = l->n;
	l->sh.burst = cfg->dpdk.burst > LIVE_MAX_BURST ? LIVE_MAX_BURST
						       : cfg->dpdk.burst;
	l->sh.idle_sleep_us = cfg->dpdk.idle_sleep_us;
	l->sh.sweep_ns = cfg->flow.sweep_interval_ns;
	l->sh.tsc_hz = rte_get_tsc_hz();
	l->sh.tsc0 = rte_rdtsc();
	l->sh.wall0_ns = wall_ns();
	queues_assign(l);
	for (unsigned i = 0; i < l->n; i++)
		if (worker_alloc(l, &l->lw[i], i) != 0)
			return -1;
	if (l->lw[0].dispatches) {
		l->lw[0].stage = calloc((size_t)l->n * LIVE_MAX_BURST,
					sizeof(*l->lw[0].stage));
		l->lw[0].staged = calloc(l->n, sizeof(*l->lw[0].staged));
		if (!l->lw[0].stage || !l->lw[0].staged)
			return -1;
	}
	RTE_LCORE_FOREACH_WORKER(lcore) {
		if (k == l->n)
			break;
		l->lw[k++].lcore = lcore;
	}
	return 0;
}

static int workers_launch(struct live *l)
{
	for (unsigned k = 0; k < l->n; k++) {
		if (rte_eal_remote_launch(live_worker_main, &l->lw[k],
					  l->lw[k].lcore) != 0) {
			live_err("cannot launch worker %u on lcore %u\n", k,
			     l->lw[k].lcore);
			return -1;
		}
		l->launched++;
	}
	return 0;
}

static bool workers_done(const struct live *l)
{
	for (unsigned k = 0; k < l->launched; k++)
		if (!atomic_load_explicit(&l->lw[k].done, memory_order_acquire))
			return false;
	return true;
}

/* Names the workers a stop is still waiting for: a stop should take
 * milliseconds, so seconds mean a stuck worker and the operator (or the
 * journal) learns which one. */
static void workers_note_slow(const struct live *l)
{
	for (unsigned k = 0; k < l->launched; k++)
		if (!atomic_load_explicit(&l->lw[k].done, memory_order_acquire))
			live_warn("stopping: worker %u has not finished after "
				 "%u s\n", k,
				 (unsigned)(STOP_SLOW_NS / 1000000000ull));
}

/* Stop: workers take what is queued, evaluate their open flows and
 * leave; every finding is in the event log before we return. */
static void workers_stop(struct live *l)
{
	uint64_t t0 = wall_ns();
	bool told = false;

	atomic_store_explicit(&l->sh.stop, 1, memory_order_release);
	while (!workers_done(l)) {
		if (!live_drain(l))
			usleep(100);
		if (!told && wall_ns() - t0 > STOP_SLOW_NS) {
			told = true;
			workers_note_slow(l);
		}
	}
	rte_eal_mp_wait_lcore();
	live_drain(l);
}

/* ---- signals and the loop ---- */

static int signals_block(struct live *l)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	/* before the EAL starts its threads, so that they inherit it and
	 * the signals reach the signalfd only */
	if (pthread_sigmask(SIG_BLOCK, &set, NULL) != 0)
		return -1;
	signal(SIGPIPE, SIG_IGN);
	l->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	return l->sigfd < 0 ? -1 : 0;
}

/* logrotate moves the file away and sends SIGHUP: new findings go to a
 * new file at the configured path. Whatever the config reload makes of
 * the file, this happens. */
static void event_log_reopen(struct live *l)
{
	char err[1024] = "";

	if (!l->mgr.eve)
		return;
	if (eve_reopen(l->mgr.eve, err, sizeof(err)) != 0) {
		live_warn("SIGHUP: %s; still writing to the file open before\n",
			 err);
		return;
	}
	l->eve_reopened++;
	live_log("SIGHUP: event log %s reopened\n", live_eve_path(l));
}

/* 1 when asked to stop. */
static int signals_take(struct live *l)
{
	struct signalfd_siginfo si;

	while (read(l->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			event_log_reopen(l);
			live_reload(l);
			continue;
		}
		live_log("%s: stopping\n", strsignal((int)si.ssi_signo));
		return 1;
	}
	return 0;
}

static void note_input_end(struct live *l)
{
	if (l->input_end_logged || !l->sh.lossless)
		return;
	for (unsigned k = 0; k < l->n; k++)
		if (!atomic_load_explicit(&l->lw[k].input_ended,
					  memory_order_acquire))
			return;
	l->input_end_logged = 1;
	live_log("the pcap files ended; %s; serving the control socket until "
	     "SIGTERM\n", l->sh.finish_at_end ? "open flows evaluated"
					       : "flows kept open");
}

/* ---- systemd: Type=notify, STATUS=, WatchdogSec= (sd_notify is a no-op
 * without NOTIFY_SOCKET, so a run by hand is unaffected) ---- */

static void notify(const char *state)
{
#ifdef TW_HAVE_SYSTEMD
	sd_notify(0, state);
#else
	(void)state;
#endif
}

static void notify_status(struct live *l)
{
	uint64_t pkts = 0;
	char msg[256];

	for (unsigned k = 0; k < l->n; k++)
		pkts += worker_counters(l->lw[k].w)->v[TW_CTR_PKTS];
	snprintf(msg, sizeof(msg),
		 "STATUS=watching %u port%s, %u worker%s: %llu packets, "
		 "%u hosts, %llu findings", l->ports.n,
		 l->ports.n == 1 ? "" : "s", l->n, l->n == 1 ? "" : "s",
		 (unsigned long long)pkts, hosts_count(l->mgr.hosts),
		 (unsigned long long)l->log.total);
	notify(msg);
}

static void notify_ready(struct live *l)
{
#ifdef TW_HAVE_SYSTEMD
	uint64_t usec = 0;

	if (sd_watchdog_enabled(0, &usec) > 0 && usec)
		l->watchdog_ns = usec * 1000ull;
#endif
	notify("READY=1");
	notify_status(l);
	l->watchdog_last_ns = l->status_last_ns = wall_ns();
}

/* From the manager loop only: a wedged loop stops the pings and systemd
 * restarts the appliance (WatchdogSec=). */
static void notify_tick(struct live *l)
{
	uint64_t now;

	if (!l->watchdog_ns && !getenv("NOTIFY_SOCKET"))
		return;
	now = wall_ns();
	if (l->watchdog_ns && now - l->watchdog_last_ns >= l->watchdog_ns / 2) {
		notify("WATCHDOG=1");
		l->watchdog_last_ns = now;
	}
	if (now - l->status_last_ns >= STATUS_EVERY_NS) {
		notify_status(l);
		l->status_last_ns = now;
	}
}

static char *metrics_render(void *ctx, size_t *len)
{
	struct live *l = ctx;
	json_t *stats = l->backend.stats(l->backend.ctx);
	char *text = metrics_text(stats, l->mgr.hosts, live_cfg(l), len);

	json_decref(stats);
	return text;
}

static int metrics_start(struct live *l)
{
	const struct tw_config *cfg = live_cfg(l);
	char err[256];

	if (!cfg->metrics.listen[0])
		return 0;
	l->http = metrics_http_start(cfg->metrics.listen, metrics_render, l,
				     err, sizeof(err));
	if (!l->http) {
		live_err("%s\n", err);
		return -1;
	}
	live_log("metrics on http://%s/metrics\n", cfg->metrics.listen);
	return 0;
}

static void manager_loop(struct live *l)
{
	int wait_ms = LOOP_WAIT_MS;

	for (;;) {
		ctl_server_poll(l->ctl, wait_ms);
		metrics_http_run(l->http);
		notify_tick(l);
		/* findings waiting: come back at once, the ring may be full */
		wait_ms = live_drain(l) ? 0 : LOOP_WAIT_MS;
		if (signals_take(l))
			return;
		note_input_end(l);
	}
}

/* ---- start and unwind ---- */

static void on_finding(void *ctx, const struct finding *f, int host_is_orig)
{
	struct live *l = ctx;
	char host[64];

	finding_log_add(&l->log, f, host_is_orig);
	if (twlog_level() < TWLOG_INFO)
		return;
	ip_addr_format(host_is_orig ? &f->orig : &f->resp, host, sizeof(host));
	twlog_finding(TWLOG_INFO, f->kind, host, "finding %s %s host %s: %s", f->kind,
		      severity_name((enum severity)f->severity), host,
		      f->summary);
}

static void workers_free(struct live *l)
{
	for (unsigned k = 0; k < l->n; k++) {
		struct live_worker *lw = &l->lw[k];

		worker_destroy(lw->w);
		spsc_ring_destroy(lw->findings);
		rte_ring_free(lw->inbox);
		free(lw->linear);
		free(lw->ans);
		free(lw->stage);
		free(lw->staged);
	}
}

/* EVE's in_iface: the watched ports as the kernel or the EAL names them
 * ("eth1" of net_af_packet0,iface=eth1; "net_pcap0"; a PCI address). */
static void event_log_iface(struct live *l)
{
	const struct tw_config *cfg = live_cfg(l);
	char names[128] = "";
	size_t used = 0;

	for (unsigned i = 0; i < cfg->dpdk.ports.n && used < sizeof(names);
	     i++) {
		const char *p = cfg->dpdk.ports.s[i], *at = strstr(p, "iface=");
		int n;

		if (at)
			p = at + 6;
		n = snprintf(names + used, sizeof(names) - used, "%s%.*s",
			     i ? "," : "", (int)strcspn(p, ","), p);
		used += n > 0 ? (size_t)n : 0;
	}
	eve_set_iface(l->mgr.eve, names);
}

static int engine_start(struct live *l)
{
	const struct tw_config *cfg = live_cfg(l);
	const char *eve = live_eve_path(l);
	char err[1024] = "";

	if (live_eal_start(l) != 0)
		return -1;
	l->db = hs_db_open(cfg, err, sizeof(err));
	if (!l->db) {
		live_err("patterns: %s\n", err);
		return -1;
	}
	if (manager_init(&l->mgr, cfg, eve, err, sizeof(err)) != 0 ||
	    manager_keep_flows(&l->mgr, err, sizeof(err)) != 0) {
		live_err("%s\n", err);
		return -1;
	}
	event_log_iface(l);
	l->mgr.on_finding = on_finding;
	l->mgr.on_finding_ctx = l;
	if (source_dpdk_open(cfg, cfg->dpdk.workers, &l->ports, err,
			     sizeof(err)) != 0) {
		live_err("%s\n", err);
		return -1;
	}
	if (workers_create(l) != 0 || workers_launch(l) != 0)
		return -1;
	live_log("watching %u port%s with %u worker%s%s; control socket %s\n",
	     l->ports.n, l->ports.n == 1 ? "" : "s", l->n, l->n == 1 ? "" : "s",
	     l->sh.packet_clock ? " (packet time from the files)" : "",
	     cfg->control.socket);
	return 0;
}

static int live_unwind(struct live *l, int rc)
{
	uint64_t eve_errors;

	if (l->launched)
		workers_stop(l);
	metrics_http_stop(l->http);
	ctl_server_close(l->ctl);
	eve_errors = manager_eve_write_errors(&l->mgr);
	if (l->mgr.hosts && manager_fini(&l->mgr) != 0) {
		live_err("event log %s: %llu finding%s not written: %s\n",
			 live_eve_path(l), (unsigned long long)eve_errors,
			 eve_errors == 1 ? "" : "s",
			 strerror(errno ? errno : EIO));
		rc = 1;
	}
	workers_free(l);
	if (l->ports.pool)
		source_dpdk_close(&l->ports);
	hs_db_free(l->db);
	for (unsigned i = 0; i < l->n_retired; i++)
		hs_db_free(l->retired[i]);
	finding_log_fini(&l->log);
	if (l->eal_ready)
		rte_eal_cleanup();
	if (l->sigfd >= 0)
		close(l->sigfd);
	free(l->cfgs[0]);
	free(l->cfgs[1]);
	free(l->fresh);
	free(l);
	return rc;
}

int live_run(const struct tw_config *cfg, const struct live_options *o)
{
	struct live *l = calloc(1, sizeof(*l));
	char err[1024];

	if (!l) {
		live_err("out of memory\n");
		return LIVE_EXIT_START;
	}
	l->opt = o;
	l->sigfd = -1;
	l->cfgs[0] = malloc(sizeof(*cfg));
	l->cfgs[1] = malloc(sizeof(*cfg));
	l->fresh = malloc(sizeof(*cfg));
	if (!l->cfgs[0] || !l->cfgs[1] || !l->fresh ||
	    finding_log_init(&l->log, cfg->control.findings_kept) != 0) {
		live_err("out of memory\n");
		return live_unwind(l, LIVE_EXIT_START);
	}
	*l->cfgs[0] = *cfg;
	l->started_ns = wall_ns();
	if (signals_block(l) != 0) {
		live_err("cannot set up signals: %s\n", strerror(errno));
		return live_unwind(l, LIVE_EXIT_START);
	}
	live_ctl_init(l);
	/* the socket first: a second instance stops before touching ports */
	l->ctl = ctl_server_open(cfg, ctl_cmds_answer, &l->backend, err,
				 sizeof(err));
	if (!l->ctl) {
		live_err("%s\n", err);
		return live_unwind(l, LIVE_EXIT_START);
	}
	if (engine_start(l) != 0 || metrics_start(l) != 0)
		return live_unwind(l, LIVE_EXIT_START);
	notify_ready(l);
	manager_loop(l);
	notify("STOPPING=1");
	return live_unwind(l, 0);
}
