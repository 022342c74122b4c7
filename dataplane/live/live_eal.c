/* SPDX-License-Identifier: BSD-3-Clause */
/* The EAL's arguments: dpdk.eal, then those after "--", then one per
 * port (--vdev or -a), then the lcores (dpdk.lcores, or derived from
 * dpdk.workers) unless the arguments already name them. */
#include "live/live_int.h"

#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_log.h>
#include <rte_version.h>

#define EAL_ARGS_MAX 128


static bool args_name_lcores(char **argv, int argc)
{
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "-l") || !strcmp(argv[i], "-c") ||
		    !strncmp(argv[i], "--lcores", 8) ||
		    !strncmp(argv[i], "-l", 2))
			return true;
	return false;
}

/* Main lcore and one per worker, each on its own CPU when there are
 * enough, otherwise all floating over the CPUs we may use. */
static void derive_lcores(unsigned workers, char *out, size_t len)
{
	cpu_set_t set;
	int cpus[LIVE_MAX_WORKERS + 1], n = 0;
	size_t used;

	CPU_ZERO(&set);
	if (sched_getaffinity(0, sizeof(set), &set) != 0)
		CPU_SET(0, &set);
	for (int c = 0; c < CPU_SETSIZE && n <= (int)workers; c++)
		if (CPU_ISSET(c, &set))
			cpus[n++] = c;
	if (n > (int)workers) {
		used = (size_t)snprintf(out, len, "--lcores=");
		for (unsigned i = 0; i <= workers && used < len; i++)
			used += (size_t)snprintf(out + used, len - used,
						 "%s%u@%d", i ? "," : "", i,
						 cpus[i]);
		return;
	}
	used = (size_t)snprintf(out, len, "--lcores=(0-%u)@(", workers);
	for (int i = 0; i < n && used < len; i++)
		used += (size_t)snprintf(out + used, len - used, "%s%d",
					 i ? "," : "", cpus[i]);
	if (used < len)
		snprintf(out + used, len - used, ")");
}

/* An af_packet port names a kernel interface: one that is not there
 * fails here with its name, not deep in the EAL's probe (the sample
 * config's eth1 on a machine without one). */
static int ports_check_ifaces(const struct tw_config *cfg)
{
	for (unsigned i = 0; i < cfg->dpdk.ports.n; i++) {
		const char *p = cfg->dpdk.ports.s[i], *at;
		char name[IF_NAMESIZE + 1];
		size_t n;

		if (strncmp(p, "net_af_packet", 13) != 0 ||
		    !(at = strstr(p, "iface=")))
			continue;
		at += 6;
		n = strcspn(at, ",");
		if (n == 0 || n > IF_NAMESIZE) {
			live_err("dpdk.ports: \"%s\": iface= needs an interface "
				 "name\n", p);
			return -1;
		}
		memcpy(name, at, n);
		name[n] = '\0';
		if (if_nametoindex(name) == 0) {
			live_err("dpdk.ports: \"%s\": no network interface "
				 "'%s' here (`ip link` lists them); set dpdk.ports "
				 "in %s\n", p, name, cfg->path);
			return -1;
		}
	}
	return 0;
}

/* The EAL's log lines at their own level (DPDK's 1-8 are syslog's 0-7). */
static int eal_msg_level(void)
{
	int lvl = rte_log_cur_msg_loglevel();

	return lvl > 0 ? lvl - 1 : TWLOG_NOTICE;
}

int live_eal_start(struct live *l)
{
	const struct tw_config *cfg = live_cfg(l);
	static char *argv[EAL_ARGS_MAX + 1];
	static char lcores[TW_TEXT_MAX + 1200];
	char err[256];
	int argc = 0;

	FILE *eal_stream;

	if (ports_check_ifaces(cfg) != 0)
		return -1;
	/* the EAL's lines through our logger, with time and level */
	eal_stream = twlog_stream(eal_msg_level);
	if (eal_stream)
		rte_openlog_stream(eal_stream);
	argv[argc++] = "tunnelwatch";
	for (unsigned i = 0; i < cfg->dpdk.eal.n && argc < EAL_ARGS_MAX; i++)
		argv[argc++] = (char *)cfg->dpdk.eal.s[i];
	for (int i = 0; i < l->opt->eal_argc && argc < EAL_ARGS_MAX; i++)
		argv[argc++] = l->opt->eal_argv[i];
	if (source_dpdk_eal_args(cfg, argv, &argc, EAL_ARGS_MAX - 1, err,
				 sizeof(err)) != 0) {
		live_err("%s\n", err);
		return -1;
	}
	if (!args_name_lcores(argv, argc)) {
		if (cfg->dpdk.lcores[0])
			snprintf(lcores, sizeof(lcores), "--lcores=%s",
				 cfg->dpdk.lcores);
		else
			derive_lcores(cfg->dpdk.workers, lcores, sizeof(lcores));
		argv[argc++] = lcores;
	}
	argv[argc] = NULL;
	if (rte_eal_init(argc, argv) < 0) {
		live_err("EAL init failed: %s (EAL arguments: dpdk.eal and after "
		     "--)\n", rte_strerror(rte_errno));
		return -1;
	}
	l->eal_ready = 1;
	snprintf(l->engine, sizeof(l->engine), "%s", rte_version());
	return 0;
}

