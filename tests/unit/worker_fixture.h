/* A whole worker over the project's patterns with small tables, for tests
 * that drive crafted packets through the pipeline (test_worker,
 * test_ssh_analyzer). */
#ifndef TW_WORKER_FIXTURE_H
#define TW_WORKER_FIXTURE_H

#include "config/config.h"
#include "engine/ring.h"
#include "scan/hs_db.h"
#include "engine/worker.h"

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

#endif
