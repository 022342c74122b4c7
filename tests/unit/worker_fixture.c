/* SPDX-License-Identifier: BSD-3-Clause */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "worker_fixture.h"

void worker_fixture_config(struct worker_fixture *fx)
{
	memset(fx, 0, sizeof(*fx));
	config_defaults(&fx->cfg);
	fx->cfg.flow.max_flows = 64;
	fx->cfg.scan.max_streams = 64;
	fx->cfg.flow.reorder_slots = 16;
}

void worker_fixture_start(struct worker_fixture *fx)
{
	struct worker_options wo = { .id = 0 };
	char err[512];

	fx->db = hs_db_load(fx->cfg.scan.patterns_dir, err, sizeof(err));
	assert_non_null(fx->db);
	fx->ring = spsc_ring_create(1 << 20);
	assert_non_null(fx->ring);
	fx->w = worker_create(&wo, &fx->cfg, fx->db, fx->ring, err,
			      sizeof(err));
	assert_non_null(fx->w);
}

void worker_fixture_stop(struct worker_fixture *fx)
{
	worker_destroy(fx->w);
	spsc_ring_destroy(fx->ring);
	hs_db_free(fx->db);
}

void worker_fixture_collect(struct worker_fixture *fx, struct finding *found,
			    unsigned *n, unsigned max)
{
	const struct finding *f;
	uint32_t len, type;

	while ((f = spsc_ring_peek(fx->ring, &len, &type)) != NULL) {
		if (type == WREC_FINDING && *n < max)
			found[(*n)++] = *f;
		spsc_ring_pop(fx->ring);
	}
}

const struct finding *findings_of_kind(const struct finding *found,
				       unsigned n, const char *kind)
{
	for (unsigned i = 0; i < n; i++)
		if (strcmp(found[i].kind, kind) == 0)
			return &found[i];
	return NULL;
}

const char *finding_detail_str(const struct finding *f, const char *key)
{
	for (unsigned i = 0; i < f->n_detail; i++)
		if (strcmp(f->detail[i].key, key) == 0 &&
		    f->detail[i].type == DETAIL_STR)
			return f->detail[i].v.s;
	return NULL;
}
