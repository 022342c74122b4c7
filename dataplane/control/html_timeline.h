/* SPDX-License-Identifier: BSD-3-Clause */
/* One host's timeline in the HTML report: an inline SVG with one lane per
 * peer, protocol and server port (the manager's conversations), flows as
 * bars shaded by bytes per second, flow starts as ticks, findings as
 * markers numbered like the findings list below it. */
#ifndef TW_HTML_TIMELINE_H
#define TW_HTML_TIMELINE_H

#include <stdint.h>
#include <stdio.h>

struct host;
struct ip_addr;
struct timeline;
struct tw_config;

struct html_timeline_ctx {
	const struct tw_config *cfg;    /* report.max_lanes */
	const struct timeline *tl;      /* NULL: findings only */
};

/* Writes the timeline of the host at ip; hst (its findings) may be NULL
 * for a host asked for that has none. Returns 0, or -1 when out of
 * memory. */
int html_timeline_write(FILE *out, const struct html_timeline_ctx *c,
			const struct ip_addr *ip, const struct host *hst);

#endif
