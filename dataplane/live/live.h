/* SPDX-License-Identifier: BSD-3-Clause */
/* Live mode: the appliance on DPDK ports (tunnelwatch --config FILE
 * [-- EAL args]). Workers are lcores running the offline pipeline; the
 * main lcore is the manager and serves the control socket. */
#ifndef TW_LIVE_H
#define TW_LIVE_H

struct tw_config;

struct live_options {
	const char *config_path;  /* reloaded on SIGHUP */
	const char *eve_path;     /* --eve, else output.eve_path */
	int eal_argc;             /* arguments after "--" */
	char **eal_argv;
};

/* Runs until SIGINT or SIGTERM; 0 after a clean stop, 1 when it could
 * not start (reason on stderr). */
int live_run(const struct tw_config *cfg, const struct live_options *o);

#endif
