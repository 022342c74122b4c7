/* Tunnels' doors (tunnel_door.c): the per-flow state of the HTTP CONNECT
 * parse, and the target of the door that opened, for findings' detail. */
#ifndef TW_TUNNEL_DOOR_H
#define TW_TUNNEL_DOOR_H

#include <stdint.h>

#define DOOR_TARGET_MAX 48   /* "host:port" kept, truncated beyond */

struct door {
	uint8_t phase[2];       /* enum door_phase, by direction */
	uint8_t eoh[2];         /* bytes of "\r\n\r\n" matched, by direction */
	uint8_t method_len;     /* bytes of "CONNECT " matched */
	uint8_t target_len;
	uint8_t status_len;     /* bytes of "HTTP/x.y" read */
	uint8_t status_digits;  /* 1 after the space, 4 after three digits */
	uint16_t status;
	uint8_t opened;         /* a door opened: opened_target is valid */
	char target[DOOR_TARGET_MAX];
	char opened_target[DOOR_TARGET_MAX];
};

/* The CONNECT target of the door that opened on this flow, NULL if none;
 * state is the analyzer's flow state. */
const char *door_target(const void *state);

#endif
