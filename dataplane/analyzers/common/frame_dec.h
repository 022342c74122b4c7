/* SPDX-License-Identifier: BSD-3-Clause */
/* Framings a tunnel's door leaves around the inner protocol's bytes
 * (tunnel_door.c): WebSocket frames after a 101 upgrade (RFC 6455) and
 * httptunnel's records inside HTTP bodies (htc/hts: a type byte, a
 * 2-byte big-endian length and the data). The decoders are incremental
 * byte state machines over any split of the stream: no copy is kept, the
 * inner bytes go to `out` (never more than the input's length). Pure
 * functions, unit-tested on their own. */
#ifndef TW_FRAME_DEC_H
#define TW_FRAME_DEC_H

#include <stdbool.h>
#include <stdint.h>

/* f->framing (flow.h) values */
enum tw_framing {
	TW_FRAMING_NONE = 0,
	TW_FRAMING_WEBSOCKET,     /* both directions framed */
	TW_FRAMING_HTTPTUNNEL,    /* one direction's HTTP body framed */
};

/* httptunnel record types (its tunnel.c): those with 0x40 set are one
 * byte long, the others carry a 2-byte length and that many bytes. */
enum {
	HTC_OPEN = 0x01,
	HTC_DATA = 0x02,
	HTC_PADDING = 0x03,
	HTC_ERROR = 0x04,
	HTC_PAD1 = 0x45,
	HTC_CLOSE = 0x46,
	HTC_DISCONNECT = 0x47,
};

struct frame_dec {
	uint32_t left;      /* payload bytes of the current frame to come */
	uint8_t mask[4];    /* WebSocket masking key */
	uint8_t state;      /* decoder state, 0 = at a frame's first byte */
	uint8_t ext_left;   /* extended length bytes still to read */
	uint8_t mask_at;    /* masking key index of the next payload byte */
	uint8_t flags;      /* FD_* */
};

enum {
	FD_DEAD = 1u << 0,     /* framing lost (a gap, a bad header): no output */
	FD_SKIP = 1u << 1,     /* this frame's payload is not inner data */
	FD_MASKED = 1u << 2,   /* this frame's payload is masked */
	FD_OPAQUE = 1u << 3,   /* compressed (RSV1): the inner bytes are hidden */
	FD_RECORD = 1u << 4,   /* htc_walk: a DATA record's header just ended */
};

/* Decode len bytes of a direction; returns the inner bytes written to
 * out. A malformed header sets FD_DEAD and ends the output for good. */
uint32_t ws_unwrap(struct frame_dec *x, const uint8_t *in, uint32_t len,
		   uint8_t *out);
uint32_t htc_unwrap(struct frame_dec *x, const uint8_t *in, uint32_t len,
		    uint8_t *out);

/* httptunnel's records by size only: consumes bytes up to and including
 * the end of the next DATA record's header, then returns with FD_RECORD
 * set and x->left its length (the caller clears the flag); else consumes
 * everything. Returns the bytes consumed. */
uint32_t htc_walk(struct frame_dec *x, const uint8_t *in, uint32_t len);

/* Does an HTTP body starting with these bytes look like httptunnel's
 * records? The first record is judged (an OPEN with a short argument, a
 * DATA or PADDING record), from as many bytes as there are (at least 1). */
bool htc_body_start(const uint8_t *p, uint32_t len);

/* The inner bytes of one TCP segment of wire_len payload bytes when it
 * carries one frame, as the sizes of an encrypted inner protocol are
 * judged (ssh_infer.c): a WebSocket frame's header is 2, 4 or 10 bytes,
 * plus 4 when masked (client to server). httptunnel's segments are no
 * measure (htc writes a record's type, length and data separately):
 * tunnel_door.c reads its sizes from the records themselves. */
static inline uint32_t ws_inner_len(uint32_t n, bool masked)
{
	uint32_t m = masked ? 4 : 0;

	if (n < 2 + m)
		return n;
	if (n - 2 - m < 126)
		return n - 2 - m;
	if (n - 4 - m < 65536)
		return n - 4 - m;
	return n - 10 - m;
}

static inline uint32_t framing_inner_len(uint8_t framing, bool from_orig,
					 uint32_t n)
{
	if (framing == TW_FRAMING_WEBSOCKET)
		return ws_inner_len(n, from_orig);
	return n;
}

#endif
