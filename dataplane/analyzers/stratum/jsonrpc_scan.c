/* SPDX-License-Identifier: BSD-3-Clause */
/* Streaming JSON-RPC object scanner: see jsonrpc_scan.h. One switch per
 * byte on a small state; keys are compared once, when their string ends. */
#include "analyzers/stratum/jsonrpc_scan.h"

#include <string.h>

enum { S_OUT = 0, S_STR, S_STR_ESC, S_BARE };

static const struct {
	const char *name;
	uint8_t key;
} key_names[] = {
	{ "method", JK_METHOD }, { "params", JK_PARAMS }, { "id", JK_ID },
	{ "jsonrpc", JK_JSONRPC }, { "result", JK_RESULT },
	{ "error", JK_ERROR }, { "login", JK_LOGIN }, { "pass", JK_PASS },
	{ "agent", JK_AGENT }, { "target", JK_TARGET }, { "job", JK_JOB },
	{ "job_id", JK_JOB_ID }, { "blob", JK_BLOB }, { "nonce", JK_NONCE },
	{ "worker", JK_WORKER },
};

void jrpc_reset(struct jrpc_scan *s)
{
	memset(s, 0, sizeof(*s));
}

static uint8_t key_lookup(const char *buf, unsigned len)
{
	if (len >= JRPC_KEY_MAX)
		return JK_OTHER;
	for (size_t i = 0; i < sizeof(key_names) / sizeof(key_names[0]); i++)
		if (strlen(key_names[i].name) == len &&
		    memcmp(key_names[i].name, buf, len) == 0)
			return key_names[i].key;
	return JK_OTHER;
}

static bool level_is_array(const struct jrpc_scan *s)
{
	return s->depth >= 1 && s->depth <= 8 &&
	       (s->arrays >> (s->depth - 1)) & 1;
}

static void value_start(struct jrpc_scan *s, const struct jrpc_sink *sink)
{
	struct jrpc_pos pos = {
		.depth = s->depth, .key1 = s->key1, .key2 = s->key2,
		.index2 = s->index2, .in_array = s->params_array,
	};

	s->cap = 0;
	if (s->depth == 1 || s->depth == 2)
		s->cap = sink->capture_start(sink->ctx, &pos);
}

static void string_end(struct jrpc_scan *s)
{
	uint8_t k;

	if (!s->key_string)
		return;
	k = key_lookup(s->buf, s->buf_len);
	if (s->depth == 1) {
		s->key1 = k;
		s->keys1 |= JRPC_BIT(k);
	} else if (s->depth == 2) {
		s->key2 = k;
		if (s->key1 == JK_PARAMS)
			s->keys2 |= JRPC_BIT(k);
	}
}

static void string_byte(struct jrpc_scan *s, uint8_t c,
			const struct jrpc_sink *sink)
{
	if (s->key_string) {
		if (s->buf_len < JRPC_KEY_MAX)
			s->buf[s->buf_len] = (char)c;
		if (s->buf_len < 255)
			s->buf_len++;
		return;
	}
	if (s->depth == 1 && s->key1 == JK_METHOD &&
	    s->method_len < JRPC_METHOD_MAX - 1) {
		s->method[s->method_len++] = (char)c;
		s->method[s->method_len] = '\0';
	}
	if (s->cap)
		sink->capture_byte(sink->ctx, s->cap, c);
}

static void object_open(struct jrpc_scan *s, uint8_t c)
{
	if (s->depth == 0) {
		s->keys1 = s->keys2 = 0;
		s->method_len = 0;
		s->method[0] = '\0';
		s->key1 = JK_NONE;
		s->arrays = 0;
	}
	if (s->depth == 1 && s->key1 == JK_PARAMS)
		s->params_array = c == '[';
	if (s->depth < 255)
		s->depth++;
	if (s->depth <= 8) {
		if (c == '[')
			s->arrays |= (uint8_t)(1u << (s->depth - 1));
		else
			s->arrays &= (uint8_t)~(1u << (s->depth - 1));
	}
	if (s->depth == 2) {
		s->key2 = JK_NONE;
		s->index2 = 0;
	}
	s->expect_key = c == '{';
}

static void object_close(struct jrpc_scan *s, const struct jrpc_sink *sink)
{
	if (s->depth == 0)
		return;
	s->depth--;
	s->expect_key = 0;
	if (s->depth == 0)
		sink->object_end(sink->ctx, s->keys1, s->keys2, s->method);
}

static void out_byte(struct jrpc_scan *s, uint8_t c,
		     const struct jrpc_sink *sink)
{
	if (s->depth == 0) {
		if (c == '{')
			object_open(s, c);
		return;
	}
	switch (c) {
	case ' ': case '\t': case '\r': case '\n':
		return;
	case '"':
		s->key_string = s->expect_key && !level_is_array(s);
		s->buf_len = 0;
		if (!s->key_string) {
			if (s->depth == 1 && s->key1 == JK_METHOD)
				s->method_len = 0;
			value_start(s, sink);
		} else {
			s->cap = 0;
		}
		s->state = S_STR;
		return;
	case ':':
		s->expect_key = 0;
		return;
	case ',':
		if (!level_is_array(s))
			s->expect_key = 1;
		else if (s->depth == 2 && s->index2 < 255)
			s->index2++;
		return;
	case '{': case '[':
		object_open(s, c);
		return;
	case '}': case ']':
		object_close(s, sink);
		return;
	default:
		/* number, true, false, null */
		value_start(s, sink);
		if (s->cap)
			sink->capture_byte(sink->ctx, s->cap, c);
		s->state = S_BARE;
		return;
	}
}

void jrpc_feed(struct jrpc_scan *s, const uint8_t *data, size_t len,
	       const struct jrpc_sink *sink)
{
	for (size_t i = 0; i < len; i++) {
		uint8_t c = data[i];

		switch (s->state) {
		case S_STR:
			if (c == '\\') {
				s->state = S_STR_ESC;
			} else if (c == '"') {
				s->state = S_OUT;
				string_end(s);
			} else {
				string_byte(s, c, sink);
			}
			break;
		case S_STR_ESC:
			s->state = S_STR;
			string_byte(s, c, sink);
			break;
		case S_BARE:
			if (c == ',' || c == '}' || c == ']' || c == ' ' ||
			    c == '\t' || c == '\r' || c == '\n') {
				s->state = S_OUT;
				out_byte(s, c, sink);
			} else if (s->cap) {
				sink->capture_byte(sink->ctx, s->cap, c);
			}
			break;
		default:
			if (s->depth == 0) {
				/* skip to the next object in one step */
				const uint8_t *brace = memchr(data + i, '{',
							      len - i);

				if (!brace)
					return;
				i = (size_t)(brace - data);
			}
			out_byte(s, data[i], sink);
			break;
		}
	}
}

/* ---- where JSON starts in a direction (jsonrpc_scan.h) ---- */

static bool is_space(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

uint32_t jrpc_sniff(uint8_t *mode, uint8_t *crlf, const uint8_t *data,
		    uint32_t len)
{
	static const char head_end[] = "\r\n\r\n";

	for (uint32_t i = 0; i < len; i++) {
		uint8_t c = data[i];

		switch (*mode) {
		case JRPC_SNIFF_MID_START:
			if (is_space(c))
				break;
			if (c == '{' || c == '[') {
				*mode = JRPC_SNIFF_JSON;
				return i;
			}
			*mode = c == 'P' || c == 'H' ? JRPC_SNIFF_HTTP_HEAD :
						       JRPC_SNIFF_LINE;
			break;
		case JRPC_SNIFF_LINE:
			if (c == '\n')
				*mode = JRPC_SNIFF_MID_START;
			break;
		case JRPC_SNIFF_START:
		case JRPC_SNIFF_BODY_START:
			if (is_space(c))
				break;
			if (c == '{' || c == '[') {
				*mode = JRPC_SNIFF_JSON;
				return i;
			}
			/* POST/PUT requests and responses (HTTP/) may carry
			 * a JSON body; GET and the like do not */
			*mode = *mode == JRPC_SNIFF_START &&
					(c == 'P' || c == 'H') ?
				JRPC_SNIFF_HTTP_HEAD : JRPC_SNIFF_SKIP;
			if (*mode == JRPC_SNIFF_SKIP)
				return len;
			break;
		case JRPC_SNIFF_HTTP_HEAD:
			*crlf = c == (uint8_t)head_end[*crlf] ? *crlf + 1 :
								 c == '\r';
			if (*crlf == 4)
				*mode = JRPC_SNIFF_BODY_START;
			break;
		case JRPC_SNIFF_JSON:
			return i;
		default:
			return len;
		}
	}
	return len;
}
