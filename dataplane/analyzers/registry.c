/* SPDX-License-Identifier: BSD-3-Clause */
/* The static analyzer table, from the `analyzers` list of
 * dataplane/analyzers/meson.build (analyzer_list.h, generated): the
 * order there is the order in which analyzers see each event. app_id
 * comes first so every other analyzer already knows the flow's
 * application label. */
#include "analyzers/analyzer.h"

#define TW_ANALYZER(name) extern const struct analyzer name##_analyzer;
#include "analyzers/analyzer_list.h"
#undef TW_ANALYZER

const struct analyzer *const analyzers[] = {
#define TW_ANALYZER(name) &name##_analyzer,
#include "analyzers/analyzer_list.h"
#undef TW_ANALYZER
};

const unsigned n_analyzers = sizeof(analyzers) / sizeof(analyzers[0]);

static uint32_t align8(uint32_t v)
{
	return (v + 7u) & ~7u;
}

static bool on(const struct analyzer *a, const struct tw_config *cfg)
{
	return !a->enabled || a->enabled(cfg);
}

/* What a mask asks of one analyzer: cfg may be NULL for masks that do
 * not depend on the configuration; cls is a flow class (class mask). */
typedef bool mask_test(const struct analyzer *a, const struct tw_config *cfg,
		       unsigned cls);

/* Bit i set for each analyzers[i] that passes test; masks are taken once
 * per worker at start, never per packet. */
static uint32_t mask_of(mask_test *test, const struct tw_config *cfg,
			unsigned cls)
{
	uint32_t mask = 0;

	for (unsigned i = 0; i < n_analyzers; i++)
		if (test(analyzers[i], cfg, cls))
			mask |= 1u << i;
	return mask;
}

static bool wants_payload(const struct analyzer *a,
			  const struct tw_config *cfg, unsigned cls)
{
	(void)cls;
	return on(a, cfg) && (a->on_payload || a->on_match || a->find_door);
}

static bool has_door(const struct analyzer *a, const struct tw_config *cfg,
		     unsigned cls)
{
	(void)cls;
	return on(a, cfg) && a->find_door;
}

static bool has_inner(const struct analyzer *a, const struct tw_config *cfg,
		      unsigned cls)
{
	(void)cls;
	return on(a, cfg) && a->on_inner_stream;
}

static bool has_match(const struct analyzer *a, const struct tw_config *cfg,
		      unsigned cls)
{
	(void)cfg;
	(void)cls;
	return a->on_match;
}

static bool has_end(const struct analyzer *a, const struct tw_config *cfg,
		    unsigned cls)
{
	(void)cfg;
	(void)cls;
	return a->on_flow_end;
}

static bool has_new(const struct analyzer *a, const struct tw_config *cfg,
		    unsigned cls)
{
	(void)cfg;
	(void)cls;
	return a->on_flow_new;
}

static bool looks_at(const struct analyzer *a, const struct tw_config *cfg,
		     unsigned cls)
{
	return !a->flow_classes || (a->flow_classes(cfg) & cls);
}

static bool packets_from_start(const struct analyzer *a,
			       const struct tw_config *cfg, unsigned cls)
{
	(void)cls;
	return on(a, cfg) && a->on_packet && !a->packets_inner_only;
}

static bool has_packet(const struct analyzer *a, const struct tw_config *cfg,
		       unsigned cls)
{
	(void)cls;
	return on(a, cfg) && a->on_packet;
}

uint32_t analyzers_payload_mask(const struct tw_config *cfg)
{
	return mask_of(wants_payload, cfg, 0);
}

uint32_t analyzers_door_mask(const struct tw_config *cfg)
{
	return mask_of(has_door, cfg, 0);
}

uint32_t analyzers_inner_mask(const struct tw_config *cfg)
{
	return mask_of(has_inner, cfg, 0);
}

uint32_t analyzers_match_mask(void)
{
	return mask_of(has_match, NULL, 0);
}

uint32_t analyzers_end_mask(void)
{
	return mask_of(has_end, NULL, 0);
}

uint32_t analyzers_new_mask(void)
{
	return mask_of(has_new, NULL, 0);
}

uint32_t analyzers_class_mask(const struct tw_config *cfg, unsigned cls)
{
	return mask_of(looks_at, cfg, cls);
}

uint32_t analyzers_start_packet_mask(const struct tw_config *cfg)
{
	return mask_of(packets_from_start, cfg, 0);
}

uint32_t analyzers_packet_mask(const struct tw_config *cfg)
{
	return mask_of(has_packet, cfg, 0);
}

void analyzers_layout(struct analyzer_layout *l)
{
	uint32_t flow_off = 0, worker_off = 0;

	_Static_assert(sizeof(analyzers) / sizeof(analyzers[0]) <=
			       sizeof(l->flow_off) / sizeof(l->flow_off[0]),
		       "analyzer_layout holds 16 analyzers");
	for (unsigned i = 0; i < n_analyzers; i++) {
		l->flow_off[i] = flow_off;
		l->worker_off[i] = worker_off;
		flow_off += align8(analyzers[i]->flow_state_size);
		worker_off += align8(analyzers[i]->worker_state_size);
	}
	l->flow_total = flow_off;
	l->worker_total = worker_off;
}
