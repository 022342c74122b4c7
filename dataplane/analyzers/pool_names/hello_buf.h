/* SPDX-License-Identifier: BSD-3-Clause */
/* Buffers for ClientHellos that span TCP segments: a hello with
 * post-quantum key shares is ~1.8 KB, over two segments, and its SNI may
 * sit in the second (browsers shuffle the extensions). A flow takes one
 * buffer from a per-worker pool (mining.hello_buffers) only while its
 * hello is incomplete, so the cost is bounded by config, not by flows. */
#ifndef TW_HELLO_BUF_H
#define TW_HELLO_BUF_H

#include <stdint.h>

#include "analyzers/common/slot_pool.h"

#define HELLO_BUF_BYTES 4096     /* longer hellos are parsed as cut */

struct hello_bufs {
	struct slot_pool pool;
};

int hello_bufs_init(struct hello_bufs *b, uint32_t n);
void hello_bufs_fini(struct hello_bufs *b);

/* Appends data to the flow's buffer (*handle, 0 = none: one is taken)
 * and returns the bytes collected so far in *out / *out_len. Without a
 * free buffer the chunk itself is returned and *handle stays 0. */
void hello_collect(struct hello_bufs *b, uint32_t *handle,
		   const uint8_t *data, uint32_t len, const uint8_t **out,
		   uint32_t *out_len);
void hello_release(struct hello_bufs *b, uint32_t *handle);

#endif
