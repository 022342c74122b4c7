/* SIGHUP: reload what can change without dropping a flow. */
#include "live_int.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "scan/hs_db.h"

static bool reload_pending(const struct live *l)
{
	for (unsigned k = 0; k < l->n; k++)
		if (atomic_load_explicit(&l->lw[k].cfg_ack,
					 memory_order_acquire) != l->cfg_gen)
			return true;
	return false;
}

/* Frees the replaced pattern sets no worker scans with any more (every
 * worker has acknowledged the reload that replaced them). */
static void retired_free(struct live *l)
{
	unsigned kept = 0;

	for (unsigned i = 0; i < l->n_retired; i++) {
		bool used = false;

		for (unsigned k = 0; k < l->n; k++)
			used = used || atomic_load_explicit(
					       &l->lw[k].db_in_use,
					       memory_order_acquire) ==
					       l->retired[i];
		if (used)
			l->retired[kept++] = l->retired[i];
		else
			hs_db_free(l->retired[i]);
	}
	l->n_retired = kept;
}

/* Parse and check everything first; switch only when all of it is good,
 * so a bad file leaves the running config untouched. */
void live_reload(struct live *l)
{
	const char *path = l->opt->config_path;
	struct tw_config *next = l->cfgs[1 - l->cur];
	char err[1024];
	struct hs_db *db;

	if (config_load(path, l->fresh, err, sizeof(err)) != 0) {
		live_log("SIGHUP: %s; keeping the running configuration\n", err);
		return;
	}
	if (reload_pending(l)) {
		live_log("SIGHUP: a worker has not taken the previous reload yet; "
		     "try again\n");
		return;
	}
	db = hs_db_open(l->fresh, err, sizeof(err));
	if (!db) {
		live_log("SIGHUP: patterns: %s; keeping the running "
		     "configuration\n", err);
		return;
	}
	retired_free(l);
	if (l->n_retired == LIVE_RETIRED_MAX) {
		hs_db_free(db);
		live_log("SIGHUP: workers still scan with %u older pattern sets "
		     "(see stats patterns_failed); keeping the running "
		     "configuration\n", l->n_retired);
		return;
	}
	l->retired[l->n_retired++] = l->db;
	l->db = db;
	*next = *live_cfg(l);
	/* What a reload may change: the rows marked reloadable in
	 * config_keys.c (thresholds, home_net, suppressions, the flow-timing
	 * parameters, the pattern directory: compiled here, taken by each
	 * worker for its new flows). Sizes (tables, rings, pools), ports
	 * and the other paths were fixed at start and stay. */
	config_copy_reloadable(next, l->fresh);
	l->cfg_gen++;
	for (unsigned k = 0; k < l->n; k++) {
		l->lw[k].cfg_next = next;
		l->lw[k].db_next = db;
		atomic_store_explicit(&l->lw[k].cfg_gen, l->cfg_gen,
				      memory_order_release);
	}
	l->mgr.cfg = next;
	hosts_set_config(l->mgr.hosts, next);
	l->cur = 1 - l->cur;
	live_log("SIGHUP: %s reloaded (generation %llu): thresholds, home_net, "
	     "%u suppressions, flowtiming, %u patterns from %s for new flows (sizes, ports "
	     "and paths apply at restart)\n",
	     path, (unsigned long long)l->cfg_gen, next->suppress.n,
	     hs_db_pattern_count(db),
	     l->fresh->scan.patterns_dir);
}

