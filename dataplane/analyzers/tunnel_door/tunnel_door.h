/* SPDX-License-Identifier: BSD-3-Clause */
/* Tunnels' doors (tunnel_door.c): the per-flow state of the HTTP parse
 * that finds them, the framing decoders once one opened, and what opened,
 * for findings' detail. */
#ifndef TW_TUNNEL_DOOR_H
#define TW_TUNNEL_DOOR_H

#include <stdint.h>

#include "analyzers/common/frame_dec.h"

#define DOOR_TARGET_MAX 48   /* "host:port" or the request's path, truncated */
#define DOOR_LINE_MAX 24     /* a header line's first bytes, lower case */

enum door_kind {
	DOOR_K_NONE = 0,
	DOOR_K_CONNECT,     /* CONNECT answered 2xx: a raw byte pipe */
	DOOR_K_WEBSOCKET,   /* GET with Upgrade: websocket answered 101 */
	DOOR_K_BODY,        /* an HTTP body carrying httptunnel's records */
};

struct door {
	uint8_t phase[2];       /* enum door_phase, by direction */
	uint8_t eoh[2];         /* bytes of "\r\n\r\n" matched, by direction */
	uint8_t method;         /* enum door_method */
	uint8_t method_len;
	uint8_t target_len;
	uint8_t status_len;     /* bytes of "HTTP/x.y" read */
	uint8_t status_digits;  /* 1 after the space, 4 after three digits */
	uint8_t kind;           /* enum door_kind of the door that opened */
	uint16_t status;
	uint8_t opened;         /* a door opened: opened_target is valid */
	uint8_t framing_next;   /* enum tw_framing the inner stream gets */
	uint8_t body_dir;       /* the framed direction of a body door */
	uint8_t websocket;      /* the request asked for a WebSocket */
	uint8_t line_len;
	char line[DOOR_LINE_MAX];
	uint32_t content_length;
	uint8_t walk_start;     /* httptunnel: take up the decoder's state */
	uint8_t inner_ssh;      /* httptunnel: the inner stream is SSH */
	union {
		char target[DOOR_TARGET_MAX];   /* while the request is read */
		struct {
			struct frame_dec dec[2]; /* once a framed door opened */
			struct frame_dec walk;   /* httptunnel records by packet */
		} f;
	} u;
	char opened_target[DOOR_TARGET_MAX];
};

/* The CONNECT target (or the request path of a WebSocket or body door)
 * of the door that opened on this flow, NULL if none; state is the
 * analyzer's flow state. */
const char *door_target(const void *state);
/* "connect", "websocket", "http_body" or NULL. */
const char *door_kind_name(const void *state);

#endif
