/* SPDX-License-Identifier: BSD-3-Clause */
/* The mining methods the stratum analyzer knows, per dialect: who sends
 * each, what its params carry, and what the JSON-RPC framing must hold
 * for an object with it to confirm a stratum.hs candidate. Also what each
 * stratum.hs pattern id means (its dialect; a job or a share). */
#ifndef TW_MINING_METHODS_H
#define TW_MINING_METHODS_H

#include <stdbool.h>
#include <stdint.h>

#include "analyzers/stratum/jsonrpc_scan.h"

enum dialect { D_NONE = 0, D_STRATUM, D_XMRIG, D_ETHPROXY, D_GETWORK };
enum role { R_CLIENT, R_POOL };
/* What a method's params mean to the evidence. */
enum act { A_OTHER, A_AGENT, A_LOGIN, A_SHARE, A_JOB, A_DIFF, A_TARGET };

struct mining_method {
	const char *name;
	uint8_t dialect, role, act;
	uint32_t need_keys2;         /* JRPC_BIT()s params must hold */
};

/* "stratum-v1", "xmrig-cryptonote", "ethproxy", "getwork"; "" for none. */
const char *mining_dialect_name(uint8_t d);
const struct mining_method *mining_method_find(const char *name);
/* JSON-RPC framing: method, params and id in one object (keys1), the
 * params keys the method needs (keys2); a pool push that names its params
 * may lack the id (XMRig's job). */
bool mining_framing_confirms(const struct mining_method *m, uint32_t keys1,
			     uint32_t keys2);
/* stratum.hs id -> enum dialect, and A_JOB / A_SHARE / A_OTHER. */
uint8_t mining_id_dialect(uint32_t id);
uint8_t mining_id_act(uint32_t id);

#endif
