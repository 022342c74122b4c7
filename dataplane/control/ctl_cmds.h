/* SPDX-License-Identifier: BSD-3-Clause */
/* The control socket's commands: a static table of name, argument and
 * handler; each answer is one JSON document on one line. The host table
 * and the latest findings live here on the manager's side; what only the
 * live engine knows (counters, open flows) comes through the backend. */
#ifndef TW_CTL_CMDS_H
#define TW_CTL_CMDS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "decode/decode.h"
#include "findings/findings.h"

struct manager;

/* The latest findings, oldest overwritten first (control.findings_kept). */
struct finding_log {
	struct finding *f;
	uint8_t *host_is_orig;
	uint32_t cap, next;
	uint64_t total;
};

int finding_log_init(struct finding_log *l, uint32_t cap);
void finding_log_add(struct finding_log *l, const struct finding *f,
		     int host_is_orig);
void finding_log_fini(struct finding_log *l);

struct ctl_backend {
	struct manager *mgr;
	struct finding_log *log;
	const char *engine;           /* "DPDK 22.11.1" for `version` */
	void *ctx;
	/* the stats object */
	json_t *(*stats)(void *ctx);
	/* {"flows":[...],"total":N,"truncated":bool,"workers_unanswered":N} */
	json_t *(*flows)(void *ctx, const struct ip_addr *ip);
	/* the HTML report as of now, malloc'd into *page; NULL: none here */
	int (*html)(void *ctx, char **page, size_t *len);
};

/* ctl_answer_fn for ctl_server_open; ctx is a struct ctl_backend. */
char *ctl_cmds_answer(void *ctx, const char *line);

#endif
