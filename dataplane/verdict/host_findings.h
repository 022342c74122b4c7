/* SPDX-License-Identifier: BSD-3-Clause */
/* One host's list of findings (host_findings.c), internal to verdict/:
 * the host table (hosts.c) adds each finding here and sorts the list
 * before it scores the host. */
#ifndef TW_HOST_FINDINGS_H
#define TW_HOST_FINDINGS_H

#include <stdint.h>

#include "verdict/hosts.h"

/* Adds f to hst (host side host_is_orig): merged into the entry with the
 * same kind, peer and peer port; else appended while fewer than
 * max_findings; else counted as dropped, and it takes the weakest entry's
 * place when it is stronger. */
void host_findings_add(struct host *hst, uint32_t max_findings,
		       const struct finding *f, int host_is_orig);
/* Sorts hst's findings into report order: severity (highest first), then
 * first seen, kind, peer and peer port. */
void host_findings_sort(struct host *hst);

#endif
