/* SPDX-License-Identifier: BSD-3-Clause */
/* Scoring of one host from its findings (score.c): the rule is written
 * there, once. */
#ifndef TW_SCORE_H
#define TW_SCORE_H

#include <stdint.h>

#include "verdict/hosts.h"

/* 0-100 from hst's findings; fills hst->raised_by with what counted. */
uint32_t host_score(struct host *hst);

#endif
