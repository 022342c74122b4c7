/* SPDX-License-Identifier: BSD-3-Clause */
/* WebSocket and httptunnel framing removed (see frame_dec.h). */
#include "analyzers/common/frame_dec.h"

enum { WS_B0 = 0, WS_B1, WS_EXT, WS_MASK, WS_DATA };
enum { HT_TYPE = 0, HT_LEN0, HT_LEN1, HT_DATA };

static uint32_t dead(struct frame_dec *x, uint32_t out)
{
	x->flags |= FD_DEAD;
	return out;
}

static uint32_t copy_payload(struct frame_dec *x, const uint8_t *in,
			     uint32_t n, uint8_t *out)
{
	uint32_t k = n < x->left ? n : x->left;

	if (!(x->flags & FD_SKIP)) {
		if (x->flags & FD_MASKED)
			for (uint32_t j = 0; j < k; j++)
				out[j] = in[j] ^ x->mask[(x->mask_at + j) & 3];
		else
			for (uint32_t j = 0; j < k; j++)
				out[j] = in[j];
	}
	x->mask_at = (uint8_t)((x->mask_at + k) & 3);
	x->left -= k;
	return k;
}

/* The header is read byte by byte (it may be split anywhere); the
 * payload in runs. Control frames (close, ping, pong) are skipped; a
 * frame with RSV bits (permessage-deflate) makes the rest opaque: its
 * bytes are compressed, no inner protocol can be read from them. */
uint32_t ws_unwrap(struct frame_dec *x, const uint8_t *in, uint32_t len,
		   uint8_t *out)
{
	uint32_t o = 0, i = 0;

	if (x->flags & (FD_DEAD | FD_OPAQUE))
		return 0;
	while (i < len) {
		uint8_t b = in[i];

		switch (x->state) {
		case WS_B0: {
			uint8_t op = b & 0x0f;

			if (b & 0x70) {
				x->flags |= FD_OPAQUE;
				return o;
			}
			if (op > 2 && op != 8 && op != 9 && op != 10)
				return dead(x, o);
			x->flags = (uint8_t)((x->flags & ~(FD_SKIP | FD_MASKED)) |
					     (op >= 8 ? FD_SKIP : 0));
			x->state = WS_B1;
			i++;
			break;
		}
		case WS_B1:
			if (b & 0x80)
				x->flags |= FD_MASKED;
			x->mask_at = 0;
			x->left = b & 0x7f;
			x->ext_left = 0;
			if (x->left == 126)
				x->ext_left = 2;
			else if (x->left == 127)
				x->ext_left = 8;
			if (x->ext_left)
				x->left = 0;
			x->state = x->ext_left ? WS_EXT :
				   (x->flags & FD_MASKED) ? WS_MASK :
				   x->left ? WS_DATA : WS_B0;
			i++;
			break;
		case WS_EXT:
			/* frames over 16 MiB are no tunnel's keystrokes: the
			 * length would not fit, the framing is dropped */
			if (x->left > 0xffffu)
				return dead(x, o);
			x->left = (x->left << 8) | b;
			if (--x->ext_left == 0)
				x->state = (x->flags & FD_MASKED) ? WS_MASK :
					   x->left ? WS_DATA : WS_B0;
			i++;
			break;
		case WS_MASK:
			x->mask[x->mask_at++] = b;
			if (x->mask_at == 4) {
				x->mask_at = 0;
				x->state = x->left ? WS_DATA : WS_B0;
			}
			i++;
			break;
		default: { /* WS_DATA */
			uint32_t k = copy_payload(x, in + i, len - i, out + o);

			if (!(x->flags & FD_SKIP))
				o += k;
			i += k;
			if (x->left == 0)
				x->state = WS_B0;
			break;
		}
		}
	}
	return o;
}

uint32_t htc_unwrap(struct frame_dec *x, const uint8_t *in, uint32_t len,
		    uint8_t *out)
{
	uint32_t o = 0, i = 0;

	if (x->flags & FD_DEAD)
		return 0;
	while (i < len) {
		uint8_t b = in[i];

		switch (x->state) {
		case HT_TYPE:
			if (b == HTC_PAD1 || b == HTC_CLOSE ||
			    b == HTC_DISCONNECT) {
				i++;
				break;
			}
			if (b < HTC_OPEN || b > HTC_ERROR)
				return dead(x, o);
			x->flags = (uint8_t)((x->flags & ~FD_SKIP) |
					     (b != HTC_DATA ? FD_SKIP : 0));
			x->state = HT_LEN0;
			i++;
			break;
		case HT_LEN0:
			x->left = b;
			x->state = HT_LEN1;
			i++;
			break;
		case HT_LEN1:
			x->left = (x->left << 8) | b;
			x->state = x->left ? HT_DATA : HT_TYPE;
			i++;
			break;
		default: { /* HT_DATA */
			uint32_t k = copy_payload(x, in + i, len - i, out + o);

			if (!(x->flags & FD_SKIP))
				o += k;
			i += k;
			if (x->left == 0)
				x->state = HT_TYPE;
			break;
		}
		}
	}
	return o;
}

uint32_t htc_walk(struct frame_dec *x, const uint8_t *in, uint32_t len)
{
	uint32_t i = 0;

	while (i < len && !(x->flags & FD_DEAD)) {
		uint8_t b = in[i];

		switch (x->state) {
		case HT_TYPE:
			i++;
			if (b == HTC_PAD1 || b == HTC_CLOSE ||
			    b == HTC_DISCONNECT)
				break;
			if (b < HTC_OPEN || b > HTC_ERROR)
				return dead(x, i);
			x->flags = (uint8_t)((x->flags & ~FD_SKIP) |
					     (b != HTC_DATA ? FD_SKIP : 0));
			x->state = HT_LEN0;
			break;
		case HT_LEN0:
			i++;
			x->left = b;
			x->state = HT_LEN1;
			break;
		case HT_LEN1:
			i++;
			x->left = (x->left << 8) | b;
			x->state = x->left ? HT_DATA : HT_TYPE;
			if (x->left && !(x->flags & FD_SKIP)) {
				x->flags |= FD_RECORD;
				return i;
			}
			break;
		default: { /* HT_DATA */
			uint32_t k = len - i < x->left ? len - i : x->left;

			/* the record's length was reported; left counts down */
			x->left -= k;
			i += k;
			if (x->left == 0)
				x->state = HT_TYPE;
			break;
		}
		}
	}
	return i;
}

bool htc_body_start(const uint8_t *p, uint32_t len)
{
	uint32_t n;

	if (len == 0)
		return false;
	if (p[0] != HTC_OPEN && p[0] != HTC_DATA && p[0] != HTC_PADDING)
		return false;
	if (len < 3)
		return true;
	n = (uint32_t)p[1] << 8 | p[2];
	/* OPEN carries a short argument (httptunnel sends its auth string,
	 * usually none); DATA and PADDING a non-empty run */
	return p[0] == HTC_OPEN ? n <= 255 : n > 0;
}
