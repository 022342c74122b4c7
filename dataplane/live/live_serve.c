/* SPDX-License-Identifier: BSD-3-Clause */
/* A live worker's side of the manager's requests, taken between two
 * bursts on the worker's own lcore: open flows of one address (`flows`,
 * `host`) and a new configuration and pattern set (SIGHUP). */
#include "live/live_worker.h"

#include <string.h>

#include "flow/flow.h"
#include "engine/worker.h"

static int flow_of_ip(void *ctx, const struct flow *f)
{
	struct live_worker *lw = ctx;
	struct live_flow_info *fi;

	if (ip_addr_cmp(&f->orig_addr, &lw->req_ip) != 0 &&
	    ip_addr_cmp(&f->resp_addr, &lw->req_ip) != 0)
		return 0;
	/* closed TCP flows wait out tcp_closed_timeout in the table: not
	 * open, not listed */
	if (f->tcp_state == FLOW_TCP_CLOSED)
		return 0;
	lw->ans_total++;
	if (lw->ans_n == lw->ans_max)
		return 0;
	fi = &lw->ans[lw->ans_n++];
	fi->orig = f->orig_addr;
	fi->resp = f->resp_addr;
	fi->orig_port = f->orig_port;
	fi->resp_port = f->resp_port;
	fi->proto = f->proto;
	fi->tcp_state = f->tcp_state;
	fi->app = f->app;
	fi->id = f->id;
	fi->first_ns = f->first_ns;
	fi->last_ns = f->last_ns;
	fi->tunnel = f->tunnel;
	for (int d = 0; d < 2; d++) {
		fi->pkts[d] = f->side[d].pkts;
		fi->bytes[d] = f->side[d].bytes;
	}
	return 0;
}

void live_worker_serve(struct live_worker *lw)
{
	uint64_t seq = atomic_load_explicit(&lw->req_seq, memory_order_acquire);
	uint64_t gen;

	if (seq != atomic_load_explicit(&lw->ans_seq, memory_order_relaxed)) {
		lw->ans_n = 0;
		lw->ans_total = 0;
		worker_foreach_flow(lw->w, flow_of_ip, lw);
		atomic_store_explicit(&lw->ans_seq, seq, memory_order_release);
	}
	gen = atomic_load_explicit(&lw->cfg_gen, memory_order_acquire);
	if (gen != lw->cfg_gen_seen) {
		const struct hs_db *db = atomic_load_explicit(
			&lw->db_in_use, memory_order_relaxed);
		char err[256];

		worker_set_config(lw->w, lw->cfg_next);
		if (worker_reload_files(lw->w))
			atomic_fetch_add_explicit(&lw->patterns_failed, 1,
						  memory_order_relaxed);
		if (lw->db_next && lw->db_next != db) {
			if (worker_set_patterns(lw->w, lw->db_next, err,
						sizeof(err)) == 0)
				atomic_store_explicit(&lw->db_in_use,
						      lw->db_next,
						      memory_order_release);
			else
				atomic_fetch_add_explicit(&lw->patterns_failed,
							  1,
							  memory_order_relaxed);
		}
		lw->cfg_gen_seen = gen;
		atomic_store_explicit(&lw->cfg_ack, gen, memory_order_release);
	}
}

