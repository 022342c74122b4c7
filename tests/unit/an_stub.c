/* SPDX-License-Identifier: BSD-3-Clause */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "an_stub.h"
#include "base/counters.h"

struct finding found[AN_STUB_MAX_FOUND];
unsigned n_found, n_payload_done, n_packets_done;
const char *stub_app = "unknown";
const char *(*stub_app_fn)(const struct flow *f);

void an_stub_reset(void)
{
	n_found = n_payload_done = n_packets_done = n_named = 0;
	memset(&an_counted, 0, sizeof(an_counted));
	stub_app = "unknown";
	stub_app_fn = NULL;
}

void an_emit(struct an_ctx *c, const struct finding *f)
{
	(void)c;
	assert_true(n_found < AN_STUB_MAX_FOUND);
	found[n_found++] = *f;
}

struct ip_addr named_client[AN_STUB_MAX_NAMED];
struct ip_addr named_addr[AN_STUB_MAX_NAMED];
unsigned n_named;

void an_note_named(struct an_ctx *c, const struct ip_addr *client,
		   const struct ip_addr *addr)
{
	(void)c;
	if (n_named < AN_STUB_MAX_NAMED) {
		named_client[n_named] = *client;
		named_addr[n_named] = *addr;
	}
	n_named++;
}

void an_flow_events(struct an_ctx *c, const uint32_t *ev_ms, unsigned n)
{
	(void)c;
	(void)ev_ms;
	(void)n;
}

struct tw_counters an_counted;

void an_count(struct an_ctx *c, enum tw_counter id)
{
	(void)c;
	counter_inc(&an_counted, id);
}

void an_payload_done(struct an_ctx *c, struct flow *f)
{
	(void)c;
	(void)f;
	n_payload_done++;
}

void an_scan_done(struct an_ctx *c, struct flow *f)
{
	(void)c;
	f->scan_ended = 1;
}

void an_packets_done(struct an_ctx *c, struct flow *f)
{
	(void)c;
	(void)f;
	n_packets_done++;
}

const char *app_label(const struct flow *f)
{
	return stub_app_fn ? stub_app_fn(f) : stub_app;
}
