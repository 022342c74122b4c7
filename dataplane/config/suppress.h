/* SPDX-License-Identifier: BSD-3-Clause */
/* Operators' suppressions, after Suricata's threshold.config `suppress`:
 * a finding that matches a rule still appears in reports, the event log
 * and tunnelwatch-ctl, but at info and never counted toward a verdict,
 * with the rule that silenced it (`suppressed_by`). The file
 * (hosts.suppress_file), one rule a line:
 *
 *   suppress WHAT HOST PEER [# comment]
 *
 * WHAT is a finding kind (flow.beacon) or family (flow); HOST a CIDR or
 * address; PEER a CIDR, an address or a domain (matched as a suffix of
 * the names a finding carries: DNS domain, TLS SNI, pool or service
 * name); `*` matches anything. Loaded with the config, reloaded on
 * SIGHUP with it; errors name FILE:LINE. */
#ifndef TW_SUPPRESS_H
#define TW_SUPPRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/net.h"

#define SUPPRESS_MAX_RULES 256
#define SUPPRESS_WHAT_MAX 48
#define SUPPRESS_DOMAIN_MAX 128
#define SUPPRESS_NOTE_MAX 96

struct suppress_net {
	struct ip_addr addr;
	uint8_t len;              /* prefix length over the 128-bit form */
	bool any;
};

struct suppress_rule {
	char what[SUPPRESS_WHAT_MAX];     /* kind, family or "" for any */
	struct suppress_net host;
	struct suppress_net peer;         /* unused when domain is set */
	char domain[SUPPRESS_DOMAIN_MAX]; /* lower case, "" = by address */
	char note[SUPPRESS_NOTE_MAX];     /* "FILE:LINE comment" */
};

struct suppress_list {
	uint32_t n;
	struct suppress_rule r[SUPPRESS_MAX_RULES];
};

/* Reads path into l (emptied first). 0, or -1 with "FILE:LINE: why". */
int suppress_load(const char *path, struct suppress_list *l, char *err,
		  size_t errlen);

#endif
