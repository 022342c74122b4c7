/* SPDX-License-Identifier: BSD-3-Clause */
/* A whole worker over the project's patterns with small tables, for tests
 * that drive crafted packets through the pipeline (test_worker,
 * test_ssh_analyzer). */
#ifndef TW_WORKER_FIXTURE_H
#define TW_WORKER_FIXTURE_H

#include "config/config.h"
#include "engine/ring.h"
#include "scan/hs_db.h"
#include "engine/worker.h"
#include "findings/findings.h"

struct worker_fixture {
	struct tw_config cfg;
	struct hs_db *db;
	struct spsc_ring *ring;  /* the worker's findings */
	struct worker *w;
};

/* Defaults with small tables; a test may change cfg before start. */
void worker_fixture_config(struct worker_fixture *fx);
void worker_fixture_start(struct worker_fixture *fx);
void worker_fixture_stop(struct worker_fixture *fx);

/* Moves the findings waiting on the worker's ring into found[*n..max)
 * (those beyond max are dropped). */
void worker_fixture_collect(struct worker_fixture *fx, struct finding *found,
			    unsigned *n, unsigned max);
/* The first of found[0..n) of that kind, or NULL. */
const struct finding *findings_of_kind(const struct finding *found,
				       unsigned n, const char *kind);
/* A finding's string detail under key, or NULL. */
const char *finding_detail_str(const struct finding *f, const char *key);

#endif
