/* SPDX-License-Identifier: BSD-3-Clause */
/* A streaming JSON-RPC object scanner: fed the bytes of one direction in
 * order, in chunks of any size (1-byte TCP segments included), it follows
 * each top-level JSON object and says, when the object closes, which
 * JSON-RPC members it held (method, params, id ...), the method's name and
 * which keys the params object had. Chosen values (say params[0], or
 * params.agent) are handed to the caller byte by byte as they pass.
 *
 * It is no validator: bytes outside an object are skipped (HTTP headers
 * before a body, newlines between messages), and garbage inside one only
 * costs the rest of that object. State is a few dozen bytes per direction,
 * no allocation; work is O(1) per byte. */
#ifndef TW_JSONRPC_SCAN_H
#define TW_JSONRPC_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JRPC_METHOD_MAX 32       /* method name bytes kept, NUL included */
#define JRPC_KEY_MAX 12          /* key bytes compared (longer: JK_OTHER) */

/* Keys the scanner names; others are JK_OTHER. */
enum jrpc_key {
	JK_NONE = 0, JK_OTHER, JK_METHOD, JK_PARAMS, JK_ID, JK_JSONRPC,
	JK_RESULT, JK_ERROR, JK_LOGIN, JK_PASS, JK_AGENT, JK_TARGET,
	JK_JOB, JK_JOB_ID, JK_BLOB, JK_NONCE, JK_WORKER,
};
#define JRPC_BIT(k) (1u << (k))

/* Where a value starts: what the caller decides to capture by. */
struct jrpc_pos {
	uint8_t depth;               /* 1: member of the object, 2: inside it */
	uint8_t key1;                /* the depth-1 member it is (under) */
	uint8_t key2;                /* depth 2 in an object: its key */
	uint8_t index2;              /* depth 2 in an array: its index */
	bool in_array;               /* the depth-2 container is an array */
};

struct jrpc_sink {
	/* A string or bare value starts: return a capture id, 0 for none. */
	uint8_t (*capture_start)(void *ctx, const struct jrpc_pos *pos);
	/* One byte of the captured value (string bytes unescaped naively). */
	void (*capture_byte)(void *ctx, uint8_t cap, uint8_t byte);
	/* A depth-1 object closed. */
	void (*object_end)(void *ctx, uint32_t keys1, uint32_t keys2,
			   const char *method);
	void *ctx;
};

struct jrpc_scan {
	uint32_t keys1;              /* JRPC_BIT()s of the object's members */
	uint32_t keys2;              /* ... of its params object's keys */
	uint8_t depth;
	uint8_t arrays;              /* bit d-1: level d is an array (d <= 8) */
	uint8_t state;               /* internal */
	uint8_t key_string;          /* the open string is a key */
	uint8_t expect_key;          /* the next string of this object is a key */
	uint8_t key1, key2, index2;
	uint8_t params_array;
	uint8_t cap;                 /* capture id of the open value */
	uint8_t buf_len, method_len;
	char buf[JRPC_KEY_MAX];
	char method[JRPC_METHOD_MAX];
};

void jrpc_reset(struct jrpc_scan *s);
/* Feeds the next bytes of the direction. */
void jrpc_feed(struct jrpc_scan *s, const uint8_t *data, size_t len,
	       const struct jrpc_sink *sink);

/* What a direction's bytes are, decided from its first ones: JSON-RPC
 * ('{' or '[' first), HTTP ('P' or 'H' first: a POST/PUT request or a
 * status line) whose bodies may be JSON, or anything else, which is
 * skipped. Only JSON need reach the scanner: HTML, scripts and binary
 * protocols cost a look at their first bytes. */
enum jrpc_sniff_mode {
	JRPC_SNIFF_START = 0, JRPC_SNIFF_HTTP_HEAD, JRPC_SNIFF_BODY_START,
	JRPC_SNIFF_JSON, JRPC_SNIFF_SKIP,
	/* A direction picked up mid-stream (set by the caller at flow start):
	 * its first byte may be inside a message, so what is not JSON or
	 * HTTP there is skipped to the next newline, where JSON-RPC and
	 * Stratum lines start, and looked at again (MID_START); the caller
	 * bounds how far (mining.scan_window). */
	JRPC_SNIFF_MID_START, JRPC_SNIFF_LINE,
};

/* Advances one direction's sniff state (*mode, *crlf: zeroed at flow
 * start) over data; returns the offset where JSON starts, len when none
 * does in this chunk. */
uint32_t jrpc_sniff(uint8_t *mode, uint8_t *crlf, const uint8_t *data,
		    uint32_t len);

#endif
