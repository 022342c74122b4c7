/* SPDX-License-Identifier: BSD-3-Clause */
/* Matching a finding against the operators' suppression rules
 * (config/suppress.h, loaded with the config). */
#ifndef TW_SUPPRESS_MATCH_H
#define TW_SUPPRESS_MATCH_H

#include "config/suppress.h"

struct finding;

/* The first rule matching finding f of host (peer as the host sees it),
 * or NULL. */
const struct suppress_rule *suppress_match(const struct suppress_list *l,
					   const struct ip_addr *host,
					   const struct ip_addr *peer,
					   const struct finding *f);

#endif
