/* Tunnels' doors (issue 12, item 1): an HTTP proxy's CONNECT answered
 * with 2xx turns the rest of the connection into a byte pipe to the
 * CONNECT target. Past that answer the flow speaks another protocol (SSH
 * through `ProxyCommand proxytunnel`, TLS, a miner), so this analyzer
 * tells the worker where the inner stream starts (find_door) and the
 * worker starts it over: the app patterns, anchored at a stream's first
 * byte, label the inner protocol and the analyzers of stream contents
 * (app_id, ssh, tunnel_reverse ...) read it from its first byte.
 *
 * The flow stays the originator's connection to the proxy, so every
 * finding on the inner stream names the inside host (the originator, or
 * the home_net side) and the proxy as peer; the CONNECT target travels in
 * the detail (an_add_nesting) and its port in f->inner_port.
 *
 * Parsing is incremental and byte by byte over the first bytes of each
 * direction only: the request's method, its target and the end of its
 * headers; the answer's status and the end of its headers. Anything else
 * (not CONNECT, a gap, an answer other than 2xx) ends the watch. A CONNECT
 * inside the inner stream opens a second door, no deeper than DOOR_DEPTH.
 *
 * Memory: DOOR_TARGET_MAX + 16 bytes per flow, no per-worker state.
 *
 * Not done: a WebSocket upgrade (101) would need its frames unmasked and
 * joined before the inner bytes could be scanned. */
#include <stdlib.h>
#include <string.h>

#include "analyzers/analyzer.h"
#include "analyzers/tunnel_door.h"

#define DOOR_DEPTH 2

static const char connect_method[] = "CONNECT ";
static const char http_version[] = "HTTP/";
static const char end_of_headers[] = "\r\n\r\n";

enum door_phase {
	DOOR_METHOD = 0,   /* orig: "CONNECT " */
	DOOR_TARGET,       /* orig: host:port up to the space */
	DOOR_HEADERS,      /* orig: up to the empty line */
	DOOR_WAIT,         /* orig: request complete, waiting for the answer */
	DOOR_STATUS,       /* resp: "HTTP/x.y NNN" */
	DOOR_OFF,
};

static void door_give_up(struct an_ctx *c, struct flow *f, struct door *d)
{
	d->phase[FLOW_DIR_ORIG] = DOOR_OFF;
	d->phase[FLOW_DIR_RESP] = DOOR_OFF;
	an_payload_done(c, f);
}

static uint16_t target_port(const char *target)
{
	const char *colon = strrchr(target, ':');
	long v;
	char *end;

	if (!colon || !colon[1])
		return 0;
	v = strtol(colon + 1, &end, 10);
	return (*end == 0 && v > 0 && v <= 65535) ? (uint16_t)v : 0;
}

/* One byte of "\r\n\r\n": true when it completes the empty line. */
static bool end_of_headers_byte(uint8_t *matched, uint8_t b)
{
	if (b == (uint8_t)end_of_headers[*matched])
		(*matched)++;
	else
		*matched = b == '\r' ? 1 : 0;
	return *matched == 4;
}

/* The request side. Returns false when the flow is no CONNECT. */
static bool request_bytes(struct door *d, const uint8_t *data, uint32_t len)
{
	for (uint32_t i = 0; i < len; i++) {
		uint8_t b = data[i];

		switch (d->phase[FLOW_DIR_ORIG]) {
		case DOOR_METHOD:
			if (b != (uint8_t)connect_method[d->method_len])
				return false;
			if (++d->method_len == sizeof(connect_method) - 1)
				d->phase[FLOW_DIR_ORIG] = DOOR_TARGET;
			break;
		case DOOR_TARGET:
			if (b == ' ') {
				d->target[d->target_len] = 0;
				d->phase[FLOW_DIR_ORIG] = DOOR_HEADERS;
			} else if (b < 0x21 || b > 0x7e) {
				return false;
			} else if (d->target_len < DOOR_TARGET_MAX - 1) {
				d->target[d->target_len++] = (char)b;
			}
			break;
		case DOOR_HEADERS:
			if (end_of_headers_byte(&d->eoh[FLOW_DIR_ORIG], b)) {
				d->phase[FLOW_DIR_ORIG] = DOOR_WAIT;
				return true;
			}
			break;
		default:
			return true;
		}
	}
	return true;
}

/* The answer side: where the inner stream starts in data, UINT32_MAX
 * while the headers go on; *refused when the answer is not 2xx. */
static uint32_t answer_bytes(struct door *d, const uint8_t *data,
			     uint32_t len, bool *refused)
{
	for (uint32_t i = 0; i < len; i++) {
		uint8_t b = data[i];

		if (d->phase[FLOW_DIR_RESP] == DOOR_HEADERS) {
			if (end_of_headers_byte(&d->eoh[FLOW_DIR_RESP], b))
				return i + 1;
			continue;
		}
		/* "HTTP/" then the version up to a space, then 3 digits */
		if (d->status_len < sizeof(http_version) - 1) {
			if (b != (uint8_t)http_version[d->status_len++]) {
				*refused = true;
				return UINT32_MAX;
			}
		} else if (d->status_digits == 0 && b != ' ') {
			if (++d->status_len > 12) {
				*refused = true;
				return UINT32_MAX;
			}
		} else if (b == ' ' && d->status_digits == 0) {
			d->status_digits = 1;
		} else if (d->status_digits <= 3 && b >= '0' && b <= '9') {
			d->status = (uint16_t)(d->status * 10 + (b - '0'));
			if (++d->status_digits == 4) {
				if (d->status < 200 || d->status > 299) {
					*refused = true;
					return UINT32_MAX;
				}
				d->phase[FLOW_DIR_RESP] = DOOR_HEADERS;
				/* the status line's own CR LF starts the match */
			}
		} else {
			*refused = true;
			return UINT32_MAX;
		}
	}
	return UINT32_MAX;
}

static uint32_t door_find(struct an_ctx *c, struct flow *f, void *state,
			  enum flow_dir_id dir, const uint8_t *data,
			  uint32_t len)
{
	struct door *d = state;
	bool refused = false;
	uint32_t at;

	if (dir == FLOW_DIR_ORIG) {
		if (d->phase[FLOW_DIR_ORIG] == DOOR_WAIT)
			return UINT32_MAX;   /* pipelined bytes stay outer */
		if (!request_bytes(d, data, len))
			door_give_up(c, f, d);
		return UINT32_MAX;
	}
	if (d->phase[FLOW_DIR_ORIG] != DOOR_WAIT) {
		/* an answer before a whole CONNECT: not a proxy tunnel */
		door_give_up(c, f, d);
		return UINT32_MAX;
	}
	at = answer_bytes(d, data, len, &refused);
	if (refused) {
		door_give_up(c, f, d);
		return UINT32_MAX;
	}
	if (at == UINT32_MAX)
		return UINT32_MAX;
	/* the door opens: the inner stream starts at data + at */
	memcpy(d->opened_target, d->target, sizeof(d->opened_target));
	d->opened = 1;
	f->nested++;
	f->inner_port = target_port(d->target);
	return at;
}

static void door_on_flow_new(struct an_ctx *c, struct flow *f, void *state)
{
	(void)state;
	if (f->proto != TW_PROTO_TCP)
		an_payload_done(c, f);
}

/* The door analyzer watches the inner stream for a second CONNECT; the
 * target of the door that opened last stays for the findings. */
static void door_on_inner_stream(struct an_ctx *c, struct flow *f,
				 void *state)
{
	struct door *d = state;
	char kept[DOOR_TARGET_MAX];

	memcpy(kept, d->opened_target, sizeof(kept));
	memset(d, 0, sizeof(*d));
	memcpy(d->opened_target, kept, sizeof(kept));
	d->opened = 1;
	if (f->nested >= DOOR_DEPTH)
		door_give_up(c, f, d);
}

/* A payload gap ends the watch: a byte-exact parse needs every byte. */
static void door_on_payload(struct an_ctx *c, struct flow *f, void *state,
			    enum flow_dir_id dir, const uint8_t *data,
			    uint32_t len, bool gap)
{
	(void)dir;
	(void)data;
	(void)len;
	if (gap)
		door_give_up(c, f, state);
}

const char *door_target(const void *state)
{
	const struct door *d = state;

	return d->opened ? d->opened_target : NULL;
}

const struct analyzer tunnel_door_analyzer = {
	.name = "tunnel_door",
	.flow_state_size = sizeof(struct door),
	.on_flow_new = door_on_flow_new,
	.on_payload = door_on_payload,
	.find_door = door_find,
	.on_inner_stream = door_on_inner_stream,
};
