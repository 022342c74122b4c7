/* SPDX-License-Identifier: BSD-3-Clause */
/* SIGHUP: reload what can change without dropping a flow. */
#include "live/live_int.h"

#include <stddef.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "analyzers/common/name_list.h"
#include "scan/hs_db.h"


/* The name lists the workers will read: checked here first, so that a
 * bad one refuses the reload instead of failing in every worker. */
static int lists_check(const struct tw_config *cfg, char *err, size_t errlen)
{
	static const struct {
		size_t file_off, max_off, on_off;
		const char *deflt, *what;
	} lists[] = {
		{ offsetof(struct tw_config, mining.pools_file),
		  offsetof(struct tw_config, mining.max_pool_names),
		  offsetof(struct tw_config, mining.enabled), "pools.txt",
		  "mining pools" },
		{ offsetof(struct tw_config, tunnel.names_file),
		  offsetof(struct tw_config, tunnel.max_names),
		  offsetof(struct tw_config, tunnel.enabled), "services.txt",
		  "tunnel services" },
	};

	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		const char *file = (const char *)cfg + lists[i].file_off;
		uint32_t max;
		bool on;
		char path[TW_PATH_MAX + 16], why[256];
		struct name_list *nl = NULL;

		memcpy(&max, (const char *)cfg + lists[i].max_off, sizeof(max));
		memcpy(&on, (const char *)cfg + lists[i].on_off, sizeof(on));
		if (!on)
			continue;
		if (file[0])
			snprintf(path, sizeof(path), "%s", file);
		else
			snprintf(path, sizeof(path), "%s/%s",
				 cfg->scan.patterns_dir, lists[i].deflt);
		if (name_list_load(path, max, &nl, why, sizeof(why)) != 0) {
			snprintf(err, errlen, "%s: %s", lists[i].what, why);
			return -1;
		}
		name_list_free(nl);
	}
	return 0;
}

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
	static char changed[2048], restart[1024];
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
	if (lists_check(l->fresh, err, sizeof(err)) != 0) {
		hs_db_free(db);
		live_log("SIGHUP: %s; keeping the running configuration\n", err);
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
	config_reload_merge(next, l->fresh, changed, sizeof(changed), restart,
			    sizeof(restart));
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
	live_log("SIGHUP: %s reloaded (generation %llu): changed: %s; %u "
		 "suppressions, name lists read again, %u patterns from %s "
		 "for new flows\n",
		 path, (unsigned long long)l->cfg_gen,
		 changed[0] ? changed : "nothing", next->suppress.n,
		 hs_db_pattern_count(db), l->fresh->scan.patterns_dir);
	if (restart[0])
		live_warn("SIGHUP: %s: these differ but take effect at the "
			  "next start: %s\n", path, restart);
}
