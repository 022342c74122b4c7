/* SPDX-License-Identifier: BSD-3-Clause */
/* Mining methods by dialect: see mining_methods.h. */
#include "analyzers/stratum/mining_methods.h"

#include <string.h>

static const char *const dialect_names[] = {
	"", "stratum-v1", "xmrig-cryptonote", "ethproxy", "getwork",
};

/* Mining methods: dialect, who sends it, what its params[0] (or params'
 * keys) mean, and the params keys the confirmation requires. */
static const struct mining_method methods[] = {
	{ "mining.subscribe", D_STRATUM, R_CLIENT, A_AGENT, 0 },
	{ "mining.authorize", D_STRATUM, R_CLIENT, A_LOGIN, 0 },
	{ "mining.submit", D_STRATUM, R_CLIENT, A_SHARE, 0 },
	{ "mining.configure", D_STRATUM, R_CLIENT, A_OTHER, 0 },
	{ "mining.extranonce.subscribe", D_STRATUM, R_CLIENT, A_OTHER, 0 },
	{ "mining.suggest_difficulty", D_STRATUM, R_CLIENT, A_OTHER, 0 },
	{ "mining.suggest_target", D_STRATUM, R_CLIENT, A_OTHER, 0 },
	{ "mining.get_transactions", D_STRATUM, R_CLIENT, A_OTHER, 0 },
	{ "mining.notify", D_STRATUM, R_POOL, A_JOB, 0 },
	{ "mining.set_difficulty", D_STRATUM, R_POOL, A_DIFF, 0 },
	{ "mining.set_target", D_STRATUM, R_POOL, A_TARGET, 0 },
	{ "mining.set_extranonce", D_STRATUM, R_POOL, A_OTHER, 0 },
	{ "login", D_XMRIG, R_CLIENT, A_LOGIN, JRPC_BIT(JK_LOGIN) },
	{ "submit", D_XMRIG, R_CLIENT, A_SHARE,
	  JRPC_BIT(JK_NONCE) | JRPC_BIT(JK_RESULT) },
	{ "keepalived", D_XMRIG, R_CLIENT, A_OTHER, JRPC_BIT(JK_ID) },
	{ "getjob", D_XMRIG, R_CLIENT, A_OTHER, JRPC_BIT(JK_ID) },
	{ "job", D_XMRIG, R_POOL, A_JOB,
	  JRPC_BIT(JK_BLOB) | JRPC_BIT(JK_JOB_ID) | JRPC_BIT(JK_TARGET) },
	{ "eth_submitLogin", D_ETHPROXY, R_CLIENT, A_LOGIN, 0 },
	{ "eth_getWork", D_ETHPROXY, R_CLIENT, A_OTHER, 0 },
	{ "eth_submitWork", D_ETHPROXY, R_CLIENT, A_SHARE, 0 },
	{ "eth_submitHashrate", D_ETHPROXY, R_CLIENT, A_OTHER, 0 },
	{ "getwork", D_GETWORK, R_CLIENT, A_OTHER, 0 },
	{ "getblocktemplate", D_GETWORK, R_CLIENT, A_OTHER, 0 },
	{ "submitblock", D_GETWORK, R_CLIENT, A_SHARE, 0 },
};

/* Pattern id -> dialect (candidate) and what a match counts as. */
uint8_t mining_id_dialect(uint32_t id)
{
	if (id < 230)
		return D_STRATUM;
	if (id < 240)
		return D_XMRIG;
	if (id < 250)
		return D_ETHPROXY;
	return D_GETWORK;
}

uint8_t mining_id_act(uint32_t id)
{
	switch (id) {
	case 202: case 231: case 242: case 252:
		return A_SHARE;
	case 210: case 235: case 236: case 244:
		return A_JOB;
	default:
		return A_OTHER;
	}
}

const char *mining_dialect_name(uint8_t d)
{
	return d < sizeof(dialect_names) / sizeof(dialect_names[0]) ?
		dialect_names[d] : "";
}

const struct mining_method *mining_method_find(const char *name)
{
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (strcmp(methods[i].name, name) == 0)
			return &methods[i];
	return NULL;
}

/* JSON-RPC framing: method (this one), params and id in one object; a
 * pool push may lack the id when its params say what it is. */
bool mining_framing_confirms(const struct mining_method *m, uint32_t keys1,
			     uint32_t keys2)
{
	uint32_t need1 = JRPC_BIT(JK_METHOD) | JRPC_BIT(JK_PARAMS);

	if ((keys2 & m->need_keys2) != m->need_keys2)
		return false;
	if (m->role == R_POOL && m->need_keys2)
		return (keys1 & need1) == need1;
	need1 |= JRPC_BIT(JK_ID);
	return (keys1 & need1) == need1;
}
