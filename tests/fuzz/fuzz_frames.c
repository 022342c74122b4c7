/* SPDX-License-Identifier: BSD-3-Clause */
/* libFuzzer target: the framing decoders behind tunnels' doors
 * (frame_dec.c: WebSocket, httptunnel records, their size walk, the body
 * test) and the SSH-in-TLS verdict on record lengths (tls_inner.c). The
 * input is split where its first byte says, as segments split a stream;
 * the decoders must write no more than they read and agree across the
 * split. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analyzers/common/frame_dec.h"
#include "analyzers/tls_inner/tls_inner.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void decode_split(uint32_t (*fn)(struct frame_dec *, const uint8_t *,
					uint32_t, uint8_t *),
			 const uint8_t *in, uint32_t n, uint32_t cut,
			 uint8_t *out)
{
	struct frame_dec a, b;
	uint32_t whole, parts;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	whole = fn(&a, in, n, out);
	if (whole > n)
		abort();
	parts = fn(&b, in, cut, out);
	parts += fn(&b, in + cut, n - cut, out + parts);
	if (parts != whole)   /* the same bytes, however split */
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t n = size > 65536 ? 65536 : (uint32_t)size;
	uint32_t cut = n ? data[0] % (n + 1) : 0;
	uint8_t *in = malloc(n ? n : 1), *out = malloc(n ? n : 1);
	struct tin_records r;
	struct frame_dec w;

	if (!in || !out)
		abort();
	memcpy(in, data, n);   /* exactly n bytes: overreads caught */
	decode_split(ws_unwrap, in, n, cut, out);
	decode_split(htc_unwrap, in, n, cut, out);
	(void)htc_body_start(in, n);
	memset(&w, 0, sizeof(w));
	for (uint32_t i = 0; i < n;) {
		uint32_t k = htc_walk(&w, in + i, n - i);

		if (k == 0 && !(w.flags & FD_DEAD) && !(w.flags & FD_RECORD))
			abort();   /* no progress */
		i += k;
		w.flags &= (uint8_t)~FD_RECORD;
		if (w.flags & FD_DEAD)
			break;
	}
	/* record lengths and orders from the input, both TLS versions */
	memset(&r, 0, sizeof(r));
	for (uint32_t i = 0; i + 3 <= n && i / 3 < 2 * TIN_RECORDS; i += 3) {
		unsigned side = (i / 3) & 1, k = (i / 3) / 2;

		r.len[side][k] = (uint16_t)(in[i] << 8 | in[i + 1]);
		r.order[side][k] = in[i + 2];
		r.n[side] = (uint8_t)(k + 1);
	}
	(void)tin_may_be_ssh(&r, true);
	(void)tin_ssh_handshake(&r, true, NULL);
	(void)tin_may_be_ssh(&r, false);
	(void)tin_ssh_handshake(&r, false, NULL);
	free(in);
	free(out);
	return 0;
}
