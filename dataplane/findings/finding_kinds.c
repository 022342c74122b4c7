/* SPDX-License-Identifier: BSD-3-Clause */
/* The finding-kind table, from finding_kinds.def. */
#include "findings/finding_kinds.h"

#include <string.h>

const struct finding_kind_info finding_kinds[FK_COUNT] = {
#define FINDING_KIND(ID, FAMILY, NAME, SEV, ROLE, SID, SIG, DOC) \
	[FK_##ID] = { FAMILY, NAME, SEV, FINDING_##ROLE, SID, SIG, DOC },
#include "findings/finding_kinds.def"
#undef FINDING_KIND
};

enum finding_kind finding_kind_by_name(const char *name)
{
	for (unsigned k = 0; name && k < FK_COUNT; k++)
		if (strcmp(finding_kinds[k].name, name) == 0)
			return (enum finding_kind)k;
	return FK_COUNT;
}
