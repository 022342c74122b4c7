/* SPDX-License-Identifier: BSD-3-Clause */
#include "base/counters.h"

const char *const tw_counter_names[TW_CTR_COUNT] = {
#define TW_COUNTER_NAME(id, name) [TW_CTR_##id] = name,
	TW_COUNTERS(TW_COUNTER_NAME)
#undef TW_COUNTER_NAME
};
