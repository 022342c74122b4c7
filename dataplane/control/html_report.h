/* SPDX-License-Identifier: BSD-3-Clause */
/* The HTML report: one self-contained page (inline CSS and SVG, a few
 * lines of optional script, a Content-Security-Policy that forbids every
 * fetch) with the run's summary, the host table and, for each non-clean
 * host and each host asked for, a timeline, its findings and the evidence
 * behind its score. Nothing depends on the wall clock or on the order the
 * manager received things in: the same run gives the same bytes with any
 * number of workers. */
#ifndef TW_HTML_REPORT_H
#define TW_HTML_REPORT_H

#include <stdio.h>

#include "control/report.h"
#include "verdict/hosts.h"

struct timeline;
struct tw_config;

#define HTML_MAX_ASKED 64     /* --html-host addresses */
#define HTML_HOST_ROWS 500    /* host table rows at most */

struct html_report_input {
	const struct tw_config *cfg;     /* report.* limits */
	const struct report_stats *st;
	struct hosts *hosts;
	const struct timeline *tl;       /* NULL: findings only */
	const char *const *traces;       /* offline: the --read files */
	unsigned n_traces;
	const struct ip_addr *asked;     /* --html-host: drawn even if clean */
	unsigned n_asked;
	const char *source;              /* "offline" or "live" */
};

/* Returns 0, or -1 when out of memory or on a write error. */
int html_report_write(FILE *out, const struct html_report_input *in);
/* The same into a file at path (written whole, then renamed into place);
 * -1 with errno set on failure. */
int html_report_save(const char *path, const struct html_report_input *in);

#endif
