/* SPDX-License-Identifier: BSD-3-Clause */
/* The optional HTTP metrics listener (metrics.listen): GET /metrics
 * answers the Prometheus text exposition (metrics.h). libmicrohttpd with
 * no thread of its own: the manager loop calls metrics_http_run() between
 * its other work, so the exposition reads the manager's state on the
 * manager's thread, as the control socket does. */
#ifndef TW_METRICS_HTTP_H
#define TW_METRICS_HTTP_H

#include <stddef.h>

struct metrics_http;

/* The text (malloc'd) and its length, or NULL. */
typedef char *(*metrics_render_fn)(void *ctx, size_t *len);

/* listen as metrics.listen writes it (not ""); NULL with err on failure,
 * also when built without libmicrohttpd. */
struct metrics_http *metrics_http_start(const char *listen,
					metrics_render_fn render, void *ctx,
					char *err, size_t errlen);
/* Serves what is ready, without blocking. */
void metrics_http_run(struct metrics_http *h);
/* Scrapes answered so far. */
unsigned long long metrics_http_scrapes(const struct metrics_http *h);
void metrics_http_stop(struct metrics_http *h);

#endif
