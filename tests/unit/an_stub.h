/* SPDX-License-Identifier: BSD-3-Clause */
/* The worker's side of the analyzer seam, for unit tests that drive one
 * analyzer without a worker: findings are captured in order, let-go calls
 * counted, and the flow's app label is whatever the test says. */
#ifndef TW_AN_STUB_H
#define TW_AN_STUB_H

#include "analyzers/analyzer.h"
#include "base/counters.h"

#define AN_STUB_MAX_FOUND 128

extern struct finding found[AN_STUB_MAX_FOUND]; /* an_emit(), in order */
extern unsigned n_found;
extern unsigned n_payload_done;   /* an_payload_done() calls */
extern unsigned n_packets_done;   /* an_packets_done() calls */
#define AN_STUB_MAX_NAMED 64
/* an_note_named(): (client, address) pairs, in order */
extern struct ip_addr named_client[AN_STUB_MAX_NAMED];
extern struct ip_addr named_addr[AN_STUB_MAX_NAMED];
extern unsigned n_named;
extern struct tw_counters an_counted; /* an_count() calls */
/* app_label() answers stub_app_fn(f) when set, else stub_app. */
extern const char *stub_app;
extern const char *(*stub_app_fn)(const struct flow *f);

/* Back to no findings, no calls, app "unknown". */
void an_stub_reset(void);

#endif
