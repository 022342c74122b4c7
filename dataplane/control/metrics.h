/* SPDX-License-Identifier: BSD-3-Clause */
/* Prometheus / OpenMetrics text exposition (issue 15) of the `stats`
 * document (every counter: packets, drops, flows, scan, tables, decap,
 * defrag, event log, live ports, queues, workers, control socket) plus
 * hosts by verdict, findings by kind and severity and table fill levels.
 * Served by `tunnelwatch-ctl metrics` and by the HTTP listener
 * (metrics_http.c, metrics.listen). Manager thread only. */
#ifndef TW_METRICS_H
#define TW_METRICS_H

#include <jansson.h>
#include <stddef.h>

#include "config/config.h" /* metrics_listen_parse */

struct hosts;
struct tw_config;

/* The exposition text, malloc'd, NUL-terminated, *len its length; NULL
 * when out of memory. stats as `stats` answers it; hosts and cfg may be
 * NULL (their families are left out). */
char *metrics_text(const json_t *stats, struct hosts *hosts,
		   const struct tw_config *cfg, size_t *len);


#endif
