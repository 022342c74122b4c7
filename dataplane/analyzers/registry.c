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

uint32_t analyzers_payload_mask(const struct tw_config *cfg)
{
	uint32_t mask = 0;

	for (unsigned i = 0; i < n_analyzers; i++)
		if (on(analyzers[i], cfg) &&
		    (analyzers[i]->on_payload || analyzers[i]->on_match ||
		     analyzers[i]->find_door))
			mask |= 1u << i;
	return mask;
}

uint32_t analyzers_door_mask(const struct tw_config *cfg)
{
	uint32_t mask = 0;

	for (unsigned i = 0; i < n_analyzers; i++)
		if (on(analyzers[i], cfg) && analyzers[i]->find_door)
			mask |= 1u << i;
	return mask;
}

uint32_t analyzers_inner_mask(const struct tw_config *cfg)
{
	uint32_t mask = 0;

	for (unsigned i = 0; i < n_analyzers; i++)
		if (on(analyzers[i], cfg) && analyzers[i]->on_inner_stream)
			mask |= 1u << i;
	return mask;
}

uint32_t analyzers_match_mask(void)
{
	uint32_t mask = 0;

	for (unsigned i = 0; i < n_analyzers; i++)
		if (analyzers[i]->on_match)
			mask |= 1u << i;
	return mask;
}

uint32_t analyzers_end_mask(void)
{
	uint32_t mask = 0;

	for (unsigned i = 0; i < n_analyzers; i++)
		if (analyzers[i]->on_flow_end)
			mask |= 1u << i;
	return mask;
}

uint32_t analyzers_new_mask(void)
{
	uint32_t mask = 0;

	for (unsigned i = 0; i < n_analyzers; i++)
		if (analyzers[i]->on_flow_new)
			mask |= 1u << i;
	return mask;
}

uint32_t analyzers_class_mask(const struct tw_config *cfg, unsigned cls)
{
	uint32_t mask = 0;

	for (unsigned i = 0; i < n_analyzers; i++)
		if (!analyzers[i]->flow_classes ||
		    (analyzers[i]->flow_classes(cfg) & cls))
			mask |= 1u << i;
	return mask;
}

uint32_t analyzers_start_packet_mask(const struct tw_config *cfg)
{
	uint32_t mask = 0;

	for (unsigned i = 0; i < n_analyzers; i++)
		if (on(analyzers[i], cfg) && analyzers[i]->on_packet &&
		    !analyzers[i]->packets_inner_only)
			mask |= 1u << i;
	return mask;
}

uint32_t analyzers_packet_mask(const struct tw_config *cfg)
{
	uint32_t mask = 0;

	for (unsigned i = 0; i < n_analyzers; i++)
		if (on(analyzers[i], cfg) && analyzers[i]->on_packet)
			mask |= 1u << i;
	return mask;
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
