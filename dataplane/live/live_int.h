/* SPDX-License-Identifier: BSD-3-Clause */
/* Live mode's state, shared by live.c (start, loop, stop) and live_ctl.c
 * (what the control socket asks of the engine). Manager thread only. */
#ifndef TW_LIVE_INT_H
#define TW_LIVE_INT_H

#include <stdint.h>
#include <stdio.h>

#include "capture/source_dpdk.h"
#include "control/ctl_cmds.h"
#include "control/ctl_socket.h"
#include "live/live.h"
#include "live/live_worker.h"
#include "engine/manager.h"
#include "base/twlog.h"

struct hs_db;
struct metrics_http;

#define LIVE_RETIRED_MAX 4

/* Operators read these on stderr with time and level, or in the journal
 * under systemd (twlog.h). */
#define live_log(...) twlog(TWLOG_NOTICE, __VA_ARGS__)
#define live_warn(...) twlog(TWLOG_WARNING, __VA_ARGS__)
#define live_err(...) twlog(TWLOG_ERR, __VA_ARGS__)

struct live {
	const struct live_options *opt;
	struct tw_config *cfgs[2];    /* the one in use, the next reload's */
	unsigned cur;
	struct tw_config *fresh;      /* a reload is parsed here first */
	uint64_t cfg_gen;
	struct hs_db *db;             /* the patterns new flows get */
	struct hs_db *retired[LIVE_RETIRED_MAX]; /* replaced, maybe in use */
	unsigned n_retired;
	struct manager mgr;
	struct dpdk_ports ports;
	struct live_shared sh;
	struct live_worker lw[LIVE_MAX_WORKERS];
	unsigned n;
	unsigned launched;
	struct ctl_server *ctl;
	struct ctl_backend backend;
	struct finding_log log;
	int sigfd;
	uint64_t flow_req_seq;
	uint64_t started_ns;
	int eal_ready;
	int input_end_logged;
	uint64_t eve_reopened;        /* SIGHUPs that reopened the event log */
	char engine[64];
	/* issue 15: the metrics listener, systemd's watchdog and status */
	struct metrics_http *http;
	uint64_t watchdog_ns;         /* 0: no WatchdogSec= */
	uint64_t watchdog_last_ns, status_last_ns;
};

static inline const struct tw_config *live_cfg(const struct live *l)
{
	return l->cfgs[l->cur];
}

/* The event log named at start (--eve, else output.eve_path), or "". */
static inline const char *live_eve_path(const struct live *l)
{
	return l->opt->eve_path ? l->opt->eve_path
				: l->cfgs[0]->output.eve_path;
}

/* live_eal.c: builds the EAL's arguments and starts it. */
int live_eal_start(struct live *l);
/* live_reload.c: SIGHUP. */
void live_reload(struct live *l);

/* live_ctl.c: the control socket's backend. */
void live_ctl_init(struct live *l);
/* Takes the workers' findings into the host table; how many. */
unsigned live_drain(struct live *l);

#endif
