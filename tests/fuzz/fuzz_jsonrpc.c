/* SPDX-License-Identifier: BSD-3-Clause */
/* libFuzzer target: the JSON-RPC / Stratum path of stratum.c: the sniffer
 * that decides a direction is JSON (or HTTP carrying JSON), the streaming
 * object scanner fed in chunks whose sizes come from the input, with
 * captures, and the method table on every object's method. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analyzers/stratum/jsonrpc_scan.h"
#include "analyzers/stratum/mining_methods.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct capture {
	uint8_t buf[256];
	size_t len;
};

static uint8_t on_start(void *ctx, const struct jrpc_pos *pos)
{
	(void)ctx;
	return (uint8_t)(1 + (pos->key1 + pos->key2 + pos->index2) % 3);
}

static void on_byte(void *ctx, uint8_t cap, uint8_t byte)
{
	struct capture *c = ctx;

	(void)cap;
	if (c->len < sizeof(c->buf))
		c->buf[c->len++] = byte;
}

static void on_end(void *ctx, uint32_t keys1, uint32_t keys2,
		   const char *method)
{
	const struct mining_method *m = method ? mining_method_find(method) :
						 NULL;

	(void)ctx;
	if (m)
		mining_framing_confirms(m, keys1, keys2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct capture cap = { .len = 0 };
	struct jrpc_sink sink = { on_start, on_byte, on_end, &cap };
	struct jrpc_scan s;
	uint8_t mode = 0, crlf = 0;
	size_t off = 0;

	jrpc_reset(&s);
	while (off < size) {
		size_t chunk = 1 + data[off] % 64;
		uint8_t *piece;
		uint32_t skip;

		off++;
		if (chunk > size - off)
			chunk = size - off;
		piece = malloc(chunk ? chunk : 1);
		if (!piece)
			abort();
		memcpy(piece, data + off, chunk);
		skip = jrpc_sniff(&mode, &crlf, piece, chunk);
		if (mode == JRPC_SNIFF_SKIP) {
			free(piece);
			break;
		}
		if (skip < chunk)
			jrpc_feed(&s, piece + skip, chunk - skip, &sink);
		free(piece);
		off += chunk;
	}
	return 0;
}
