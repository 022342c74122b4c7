/* SPDX-License-Identifier: BSD-3-Clause */
/* libFuzzer target: the ICMP echo payload classifier. Every kind must
 * have a name, and the ratio stays within [0, 1]. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "analyzers/icmp/icmp_payload.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct icmp_pl_class c;

	icmp_payload_classify(data, (uint32_t)(size > UINT32_MAX ? UINT32_MAX :
						size), &c);
	if ((unsigned)c.kind >= ICMP_PL_KIND_COUNT || c.entropy_ratio < 0 ||
	    c.entropy_ratio > 1.0000001 || c.judged > ICMP_PL_CLASSIFY_MAX)
		abort();
	(void)icmp_pl_kind_name(c.kind);
	return 0;
}
