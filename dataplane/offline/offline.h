/* SPDX-License-Identifier: BSD-3-Clause */
/* Offline mode: recorded traces through the same workers as live. */
#ifndef TW_OFFLINE_H
#define TW_OFFLINE_H

#include <stdbool.h>

#include "decode/decode.h"

struct tw_config;

struct offline_options {
	const char *const *files;
	unsigned n_files;
	unsigned workers;
	const char *eve_path;
	bool json;
	bool all_hosts;
	const char *html_path;        /* --html: also write the HTML report */
	const struct ip_addr *html_hosts; /* --html-host: drawn even if clean */
	unsigned n_html_hosts;
};

/* Exit status of a run whose report covers only part of the input: a
 * truncated or corrupt record ended a trace early (README, exit status). */
#define OFFLINE_EXIT_PARTIAL 3

/* Runs the traces and prints the report on stdout. Returns 0;
 * OFFLINE_EXIT_PARTIAL after a report on what was read before a bad
 * record (warned about on stderr); or 1 after printing why on stderr
 * (unopenable trace, no memory: no report). */
int offline_run(const struct tw_config *cfg, const struct offline_options *o);

#endif
