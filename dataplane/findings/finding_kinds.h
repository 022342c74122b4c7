/* SPDX-License-Identifier: BSD-3-Clause */
/* The finding kinds: every kind declared once in finding_kinds.def, with
 * its family, usual severity, part in fusion, EVE signature and doc.
 * Code refers to a kind by its FK_* identifier, never by its text. */
#ifndef TW_FINDING_KINDS_H
#define TW_FINDING_KINDS_H

#include <stdint.h>

enum severity { SEV_INFO = 0, SEV_LOW, SEV_MEDIUM, SEV_HIGH };

/* A kind's part in fusion (verdict/score.c) and links
 * (verdict/mining_link.c). */
enum finding_role {
	FINDING_ROLE_NONE = 0,
	FINDING_ROLE_SHAPE,      /* a flow's shape: long-lived, beacon */
	FINDING_ROLE_COVERT,     /* a covert channel a shape corroborates */
	FINDING_ROLE_POOL_NAME,  /* a pool's name whose addresses a shape's
				  * peer may be (source dns-answer) */
};

enum finding_kind {
#define FINDING_KIND(ID, FAMILY, NAME, SEV, ROLE, SID, SIG, DOC) FK_##ID,
#include "findings/finding_kinds.def"
#undef FINDING_KIND
	FK_COUNT
};

struct finding_kind_info {
	const char *family;     /* "ssh" */
	const char *name;       /* "ssh.reverse_session" */
	uint8_t severity;       /* enum severity, the usual one */
	uint8_t role;           /* enum finding_role */
	uint32_t sid;           /* EVE signature_id */
	const char *signature;  /* stable text, no figures */
	const char *doc;        /* one line */
};

extern const struct finding_kind_info finding_kinds[FK_COUNT];

static inline const struct finding_kind_info *
finding_kind_info(enum finding_kind k)
{
	return &finding_kinds[(unsigned)k < FK_COUNT ? k : 0];
}

/* The kind named "family.name", or FK_COUNT when there is none. */
enum finding_kind finding_kind_by_name(const char *name);

#endif
