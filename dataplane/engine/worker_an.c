/* SPDX-License-Identifier: BSD-3-Clause */
/* The analyzer-facing API (analyzers/analyzer.h): every an_* function an
 * analyzer calls on its worker, in one place. An analyzer reaches the
 * worker only through these. */
#include "engine/worker_int.h"

#include <string.h>

#include "analyzers/tunnel_door/tunnel_door.h"
#include "verdict/prevalence.h"

void an_packets_done(struct an_ctx *c, struct flow *f)
{
	f->packets_wanted &= ~(1u << c->index);
}

void an_note_named(struct an_ctx *c, const struct ip_addr *client,
		   const struct ip_addr *addr)
{
	if (c->worker->opt.prevalence)
		prevalence_named(c->worker->opt.prevalence, client, addr);
}

void an_flow_events(struct an_ctx *c, const uint32_t *ev_ms, unsigned n)
{
	struct worker *w = c->worker;

	if (!w->opt.flow_records)
		return;
	if (n > WORKER_FLOW_EVENTS) {
		ev_ms += n - WORKER_FLOW_EVENTS;
		n = WORKER_FLOW_EVENTS;
	}
	memcpy(w->end_ev_ms, ev_ms, n * sizeof(*ev_ms));
	w->end_n_ev = (uint8_t)n;
}

void an_count(struct an_ctx *c, enum tw_counter id)
{
	counter_inc(&c->worker->ctr, id);
}

void an_emit(struct an_ctx *c, const struct finding *f)
{
	worker_emit(c->worker, f);
}

void an_payload_done(struct an_ctx *c, struct flow *f)
{
	f->payload_wanted &= ~(1u << c->index);
}

void an_scan_done(struct an_ctx *c, struct flow *f)
{
	(void)c;
	f->scan_ended = 1;
}

void an_add_nesting(struct an_ctx *c, const struct flow *f,
		    struct finding *fd)
{
	struct worker *w = c->worker;
	const void *st;
	const char *target, *kind;

	if (!f->nested || !w->door_mask)
		return;
	st = flow_an_state(w, (struct flow *)f,
			   (unsigned)__builtin_ctz(w->door_mask));
	target = door_target(st);
	kind = door_kind_name(st);
	if (kind && strcmp(kind, "connect") != 0) {
		finding_add_str(fd, "door", kind);
		finding_add_str(fd, "door_request", target ? target : "?");
		return;
	}
	finding_add_str(fd, "connect_target", target ? target : "?");
}
