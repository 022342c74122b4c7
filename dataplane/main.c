/* SPDX-License-Identifier: BSD-3-Clause */
/* tunnelwatch: options, ordered init, run, unwind. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "offline/offline.h"
#include "base/twlog.h"

#ifndef TW_VERSION
#define TW_VERSION "0.1.0"
#endif

#ifndef TW_SYSCONF_DIR
#define TW_SYSCONF_DIR "/etc/tunnelwatch"
#endif

#define MAX_READ_FILES 256
#define MAX_HTML_HOSTS 64

static void usage(FILE *out)
{
	fprintf(out,
		"usage: tunnelwatch --read FILE [--read FILE ...] [--config FILE]\n"
		"                   [--workers N] [--eve FILE] [--json] [--all-hosts]\n"
		"                   [--html FILE [--html-host IP ...]]\n"
		"       tunnelwatch --config FILE [-- EAL args]   (live appliance)\n"
		"\n"
		"  -r, --read FILE     pcap or pcapng trace (repeat for several)\n"
		"  -c, --config FILE   libconfig file (" TW_SYSCONF_DIR "/offline.cfg,\n"
		"                      " TW_SYSCONF_DIR "/tunnelwatch.cfg)\n"
		"  -w, --workers N     worker threads (default engine.workers, 1)\n"
		"  -e, --eve FILE      append one EVE-style JSON event per finding\n"
		"  -j, --json          print the JSON report instead of the table\n"
		"  -a, --all-hosts     list hosts without findings too\n"
		"      --html FILE     also write the HTML report (timelines)\n"
		"      --html-host IP  draw this host's timeline even if clean\n"
		"      --log-level L   err, warning, notice, info, debug (default\n"
		"                      log.level, notice); info logs each finding\n"
		"  -V, --version       print the version\n"
		"  -h, --help          this text\n");
}

static int parse_workers(const char *s, unsigned *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < 1 || v > 64)
		return -1;
	*out = (unsigned)v;
	return 0;
}

#ifdef TW_HAVE_DPDK
#include "live/live.h"
#include "decode/decode.h"

static int run_live(const struct tw_config *cfg, const char *config_path,
		    const char *eve_path, int eal_argc, char **eal_argv)
{
	struct live_options lo = {
		.config_path = config_path,
		.eve_path = eve_path,
		.eal_argc = eal_argc,
		.eal_argv = eal_argv,
	};

	return live_run(cfg, &lo);
}
#else
static int run_live(const struct tw_config *cfg, const char *config_path,
		    const char *eve_path, int eal_argc, char **eal_argv)
{
	(void)cfg;
	(void)config_path;
	(void)eve_path;
	(void)eal_argc;
	(void)eal_argv;
	fprintf(stderr, "tunnelwatch: built without DPDK (libdpdk-dev): "
			"live mode unavailable; use --read FILE\n");
	return 2;
}
#endif

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "read", required_argument, NULL, 'r' },
		{ "config", required_argument, NULL, 'c' },
		{ "workers", required_argument, NULL, 'w' },
		{ "eve", required_argument, NULL, 'e' },
		{ "json", no_argument, NULL, 'j' },
		{ "all-hosts", no_argument, NULL, 'a' },
		{ "html", required_argument, NULL, 'H' },
		{ "html-host", required_argument, NULL, 'I' },
		{ "log-level", required_argument, NULL, 'L' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const char *files[MAX_READ_FILES];
	static struct ip_addr html_hosts[MAX_HTML_HOSTS];
	static struct tw_config cfg;
	struct decap_config dc;
	struct offline_options o = { .files = files, .html_hosts = html_hosts };
	const char *config_path = NULL;
	int log_level = -1;
	unsigned workers = 0;
	char err[1024];
	int c;

	while ((c = getopt_long(argc, argv, "r:c:w:e:jaVh", longopts, NULL)) != -1) {
		switch (c) {
		case 'r':
			if (o.n_files == MAX_READ_FILES) {
				fprintf(stderr, "tunnelwatch: at most %d --read files\n",
					MAX_READ_FILES);
				return 2;
			}
			files[o.n_files++] = optarg;
			break;
		case 'c':
			config_path = optarg;
			break;
		case 'w':
			if (parse_workers(optarg, &workers) != 0) {
				fprintf(stderr,
					"tunnelwatch: --workers: '%s' is not a number from 1 to 64\n",
					optarg);
				return 2;
			}
			break;
		case 'e':
			o.eve_path = optarg;
			break;
		case 'j':
			o.json = true;
			break;
		case 'a':
			o.all_hosts = true;
			break;
		case 'H':
			o.html_path = optarg;
			break;
		case 'I':
			if (o.n_html_hosts == MAX_HTML_HOSTS ||
			    ip_addr_parse(optarg, &html_hosts[o.n_html_hosts]) != 0) {
				fprintf(stderr,
					"tunnelwatch: --html-host: '%s' is not an IP address (at most %d)\n",
					optarg, MAX_HTML_HOSTS);
				return 2;
			}
			o.n_html_hosts++;
			break;
		case 'L':
			log_level = twlog_level_parse(optarg);
			if (log_level < 0) {
				fprintf(stderr,
					"tunnelwatch: --log-level: '%s' is not err, "
					"warning, notice, info or debug\n", optarg);
				return 2;
			}
			break;
		case 'V':
			printf("tunnelwatch %s\n", TW_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}

	config_defaults(&cfg);
	if (config_path && config_load(config_path, &cfg, err, sizeof(err)) != 0) {
		fprintf(stderr, "tunnelwatch: %s\n", err);
		return 2;
	}
	twlog_setup(log_level >= 0 ? log_level : twlog_level_parse(cfg.log.level),
		    twlog_format_parse(cfg.log.format));
	config_decap(&cfg, &dc);
	decap_configure(&dc);  /* before any thread decodes */
	if (o.n_files == 0) {
		if (!config_path) {
			usage(stderr);
			return 2;
		}
		return run_live(&cfg, config_path, o.eve_path, argc - optind,
				argv + optind);
	}
	if (optind < argc) {
		fprintf(stderr, "tunnelwatch: unexpected argument '%s'\n",
			argv[optind]);
		return 2;
	}
	if (o.n_html_hosts && !o.html_path) {
		fprintf(stderr, "tunnelwatch: --html-host needs --html FILE\n");
		return 2;
	}
	o.workers = workers ? workers : cfg.engine.workers;
	if (!o.eve_path && cfg.output.eve_path[0])
		o.eve_path = cfg.output.eve_path;
	return offline_run(&cfg, &o);
}
