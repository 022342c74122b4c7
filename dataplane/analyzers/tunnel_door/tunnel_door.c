/* SPDX-License-Identifier: BSD-3-Clause */
/* Tunnels' doors (issue 12, item 1): places in an HTTP conversation past
 * which the connection carries another protocol. This analyzer tells the
 * worker where the inner stream starts (find_door) and, where the inner
 * bytes are framed, removes the framing (unwrap); the worker starts the
 * stream over: the app patterns, anchored at a stream's first byte, label
 * the inner protocol and the analyzers of stream contents (app_id, ssh,
 * tunnel_reverse ...) read it from its first byte. Doors:
 *
 *  - CONNECT host:port answered 2xx: the rest is a raw byte pipe to the
 *    target (SSH through `ProxyCommand proxytunnel`, TLS, a miner);
 *  - GET with an Upgrade: websocket header answered 101: both directions
 *    are WebSocket frames (RFC 6455; websocat, wstunnel, chisel); the
 *    frames' payloads, unmasked, are the inner stream; control frames are
 *    skipped and compressed frames (permessage-deflate, RSV1) make the
 *    rest opaque (a chat over deflate is read as nothing);
 *  - a long-polling body: a POST/PUT with a Content-Length of at least
 *    DOOR_BODY_MIN, or a 200 answer to a GET with one, whose body starts
 *    with httptunnel's records (htc/hts: type, 2-byte length, data;
 *    frame_dec.c). That direction's DATA records are the inner stream;
 *    httptunnel sends each direction on its own connection (the client's
 *    bytes in a POST, the server's in a GET's answer), so each flow holds
 *    one direction of the inner protocol.
 *
 * The flow stays the originator's connection to the proxy or web server,
 * so every finding on the inner stream names the inside host (the
 * originator, or the home_net side) and that server as peer; the door
 * travels in the detail (an_add_nesting) and a CONNECT target's port in
 * f->inner_port.
 *
 * Parsing is incremental over the first request and answer of each flow
 * only: the method, its target, the request's header lines' first
 * DOOR_LINE_MAX bytes (Content-Length, "websocket"; a line found whole
 * with memchr is checked 8 bytes at a time, header_line_fast(), else
 * byte by byte), the rest of each line skipped with memchr; the answer's
 * status, its Content-Length and
 * the end of its headers, its other lines skipped. Anything else (another
 * method, a gap, an answer that opens nothing) ends the watch. A CONNECT
 * inside a CONNECT opens a second door, no deeper than DOOR_DEPTH; a
 * framed door is the last.
 *
 * httptunnel's two connections are joined for SSH's sizes and timing:
 * past the door, the framed direction's records are walked in each
 * segment's own bytes (on_packet, only for these flows), each DATA
 * record's length is an inner packet, and the pair (client, server,
 * port; both connections land on one worker) feeds one ssh_infer.c
 * session: keystrokes typed from the server's side, echoed in the
 * other connection, are ssh.reverse_session (carrier httptunnel).
 *
 * Cost: flows that are not HTTP leave at their first byte; a framed
 * flow's bytes are decoded only while some analyzer inspects it (within
 * flow.inspect_bytes); only httptunnel flows get packet calls. Memory:
 * about 200 bytes per flow; per worker HTC_PAIRS sessions (~15 kB).
 *
 * Not done: chunked bodies and raw (unframed) long-polling bodies. */
#include <stdlib.h>
#include <string.h>

#include "analyzers/analyzer.h"
#include "base/bytes.h"
#include "analyzers/common/ssh_infer.h"
#include "analyzers/tunnel_door/tunnel_door.h"
#include "config/config.h"
#include "scan/app_id.h"

#define DOOR_DEPTH 2
#define HTC_PAIRS 64         /* httptunnels followed at once per worker */

/* One httptunnel's two connections joined (the client's bytes in a
 * POST, the server's in a GET's answer, between the same two hosts and
 * port, so on the same worker): SSH's sizes and timing read across both
 * as one session (ssh_infer.c), from the DATA records' lengths. */
struct htc_pair {
	struct ip_addr client, server;
	uint16_t port;
	uint8_t used;
	uint8_t reported;
	uint64_t last_ns;
	struct ssh_infer inf;
};

struct door_worker {
	struct htc_pair pair[HTC_PAIRS];
};
#define DOOR_BODY_MIN 1024   /* a long-polling body is declared large */

static const char http_version[] = "HTTP/";
static const char end_of_headers[] = "\r\n\r\n";

enum door_phase {
	DOOR_METHOD = 0,   /* orig: the method up to a space */
	DOOR_TARGET,       /* orig: host:port or path up to the space */
	DOOR_HEADERS,      /* either: up to the empty line */
	DOOR_WAIT,         /* orig: request complete, waiting for the answer */
	DOOR_BODY_PEEK,    /* either: the body's first byte decides */
	DOOR_OFF,
};

enum door_method { M_NONE = 0, M_CONNECT, M_GET, M_BODY };

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

static uint32_t parse_uint(const char *s)
{
	uint64_t v = 0;

	while (*s == ' ' || *s == '\t')
		s++;
	for (; *s >= '0' && *s <= '9'; s++)
		if ((v = v * 10 + (uint64_t)(*s - '0')) > UINT32_MAX)
			return UINT32_MAX;
	return (uint32_t)v;
}

/* A header line ended: what the doors need from it. */
static void header_line(struct door *d)
{
	static const char cl[] = "content-length:";

	d->line[d->line_len] = 0;
	if (strncmp(d->line, cl, sizeof(cl) - 1) == 0)
		d->content_length = parse_uint(d->line + sizeof(cl) - 1);
	/* Upgrade: websocket, Sec-WebSocket-Key/-Version: any of them */
	if (strstr(d->line, "websocket"))
		d->websocket = 1;
	d->line_len = 0;
}

/* One header byte of either side; true at the end of the headers. Of
 * the answer's header lines only Content-Length is read: a line that
 * starts otherwise is skipped from its first byte. */
static bool header_byte(struct door *d, enum flow_dir_id dir, uint8_t b)
{
	if (end_of_headers_byte(&d->eoh[dir], b))
		return true;
	if (b == '\n')
		header_line(d);
	else if (b != '\r' && dir == FLOW_DIR_RESP && d->line_len == 0 &&
		 (b | 0x20) != 'c')
		d->line_len = DOOR_LINE_MAX - 1;
	else if (b != '\r' && d->line_len < DOOR_LINE_MAX - 1)
		d->line[d->line_len++] =
			(char)(b >= 'A' && b <= 'Z' ? b + 32 : b);
	return false;
}

/* Some byte of v is zero (exact as to whether, not which). */
static bool has_zero_byte(uint64_t v)
{
	return ((v - BYTES_ONES) & ~v & BYTES_HIGHS) != 0;
}

/* What the first n bytes of a header line hold, n <= DOOR_LINE_MAX - 1,
 * 8 bytes at a time (the last word overlapping): a CR or a NUL (such a
 * line is read byte by byte: a CR is not kept, a NUL ends the kept
 * string), and a 'w' or 'W' before the last 8 (where "websocket" may
 * start). */
enum { WIN_CR_NUL = 1, WIN_W = 2 };

static unsigned window_bytes(const uint8_t *p, uint32_t n)
{
	unsigned r = 0;

	if (n < 8) {
		for (uint32_t k = 0; k < n; k++)
			if (p[k] == '\r' || p[k] == 0)
				return WIN_CR_NUL;
		return 0;
	}
	for (uint32_t k = 0;; k += 8) {
		uint32_t at = k + 8 <= n ? k : n - 8;
		uint64_t v = load64(p + at);

		if (has_zero_byte(v) || has_zero_byte(v ^ (BYTES_ONES * '\r')))
			return WIN_CR_NUL;
		/* 'w' | 0x20 and 'W' | 0x20 only are 'w' */
		if (at < n - 8 && has_zero_byte((v | (BYTES_ONES * 0x20)) ^
						(BYTES_ONES * 'w')))
			r = WIN_W;
		if (at + 8 >= n)
			return r;
	}
}

static uint8_t lower(uint8_t b)
{
	return b >= 'A' && b <= 'Z' ? (uint8_t)(b + 32) : b;
}

/* p[0..n) equals the lower-case s[0..n) once lowered. */
static bool lower_eq(const uint8_t *p, const char *s, uint32_t n)
{
	for (uint32_t k = 0; k < n; k++)
		if (lower(p[k]) != (uint8_t)s[k])
			return false;
	return true;
}

static bool has_websocket(const uint8_t *p, uint32_t n)
{
	for (uint32_t k = 0; k + 9 <= n; k++)
		if ((p[k] | 0x20) == 'w' && lower_eq(p + k, "websocket", 9))
			return true;
	return false;
}

enum line_fast { LINE_SLOW = 0, LINE_DONE, LINE_END };

/* A whole header line data[i..nl] (nl: its line feed) that starts with
 * nothing of it kept (line_len 0), read as header_byte() reads it byte by
 * byte, with the same effects, without copying it: only a Content-Length
 * line is kept in d->line, as a later line that the answer skips reads
 * the line kept last again (header_line() on the old bytes: only its
 * Content-Length matters, "websocket" was counted when it was read).
 * "websocket" is only looked for where it can open a door (a GET).
 * LINE_END: the empty line that ends the headers; LINE_SLOW: a CR or NUL
 * inside the bytes kept, left to the byte path. */
static enum line_fast header_line_fast(struct door *d, enum flow_dir_id dir,
				       const uint8_t *data, uint32_t i,
				       uint32_t nl)
{
	static const char cl[] = "content-length:";
	uint32_t n = nl - i, w;
	unsigned win;
	bool cr = n > 0 && data[nl - 1] == '\r';
	const uint8_t *p = data + i;

	if (cr)
		n--;
	w = n < DOOR_LINE_MAX - 1 ? n : DOOR_LINE_MAX - 1;
	win = window_bytes(p, w);
	if (win & WIN_CR_NUL)
		return LINE_SLOW;
	if (n == 0) {               /* "\n" or "\r\n": the automaton */
		uint8_t e = d->eoh[dir];

		if (cr)
			e = e == 2 ? 3 : 1;
		if (e == 3) {
			d->eoh[dir] = 4;
			return LINE_END;
		}
		d->eoh[dir] = e == 1 ? 2 : 0;
		d->line[0] = 0;     /* an empty line kept */
		return LINE_DONE;
	}
	if (dir == FLOW_DIR_RESP && (p[0] | 0x20) != 'c') {
		/* skipped from its first byte: the line kept is read again */
		d->eoh[dir] = n >= 2 || cr ? 2 : 0;
		if (d->line[0]) {
			d->line_len = DOOR_LINE_MAX - 1;
			header_line(d);
		}
		return LINE_DONE;
	}
	d->eoh[dir] = cr || n > DOOR_LINE_MAX - 1 ? 2 : 0;
	if (w >= sizeof(cl) - 1 && lower_eq(p, cl, sizeof(cl) - 1)) {
		for (uint32_t k = 0; k < w; k++)
			d->line[k] = (char)lower(p[k]);
		d->line_len = (uint8_t)w;
		header_line(d);
		return LINE_DONE;
	}
	if (d->method == M_GET && (win & WIN_W) && has_websocket(p, w))
		d->websocket = 1;
	d->line[0] = 0;
	return LINE_DONE;
}

/* Header bytes of one side from data[i]: the offset just past the empty
 * line that ends them, UINT32_MAX when they go on past len. A line that
 * starts here and ends in data is read whole (header_line_fast());
 * otherwise a line's first DOOR_LINE_MAX bytes are read one by one, its
 * rest skipped to the line feed (memchr); the skipped line is taken to
 * end in CR LF. */
static uint32_t header_bytes(struct door *d, enum flow_dir_id dir,
			     const uint8_t *data, uint32_t i, uint32_t len)
{
	uint32_t slow_end = 0;  /* bytes before it go the byte path */

	while (i < len) {
		if (d->line_len == 0 && i >= slow_end) {
			const uint8_t *nl = memchr(data + i, '\n', len - i);
			uint32_t e = nl ? (uint32_t)(nl - data) : 0;

			switch (nl ? header_line_fast(d, dir, data, i, e) :
				     LINE_SLOW) {
			case LINE_END:
				return e + 1;
			case LINE_DONE:
				i = e + 1;
				continue;
			case LINE_SLOW:   /* this line, or the rest */
				slow_end = nl ? e + 1 : len;
				break;
			}
		}
		if (d->line_len >= DOOR_LINE_MAX - 1 && data[i] != '\n') {
			const uint8_t *nl = memchr(data + i, '\n', len - i);

			if (!nl)
				return UINT32_MAX;
			i = (uint32_t)(nl - data);
			d->eoh[dir] = 1;
		}
		if (header_byte(d, dir, data[i++]))
			return i;
	}
	return UINT32_MAX;
}

static bool method_is(const struct door *d, const char *m)
{
	size_t n = strlen(m);

	return d->method_len == n && memcmp(d->u.target, m, n) == 0;
}

/* The method token, kept in u.target until the space. */
static bool method_byte(struct door *d, uint8_t b)
{
	if (b == ' ') {
		d->method = method_is(d, "CONNECT") ? M_CONNECT :
			    method_is(d, "GET") ? M_GET :
			    method_is(d, "POST") || method_is(d, "PUT") ?
			    M_BODY : M_NONE;
		d->phase[FLOW_DIR_ORIG] = DOOR_TARGET;
		return d->method != M_NONE;
	}
	if (b < 'A' || b > 'Z' || d->method_len >= 7)
		return false;
	d->u.target[d->method_len++] = (char)b;
	return true;
}

static void door_open(struct flow *f, struct door *d, enum door_kind kind,
		      enum flow_dir_id body_dir)
{
	memcpy(d->opened_target, d->u.target, sizeof(d->opened_target));
	d->opened = 1;
	d->kind = (uint8_t)kind;
	d->framing_next = kind == DOOR_K_WEBSOCKET ? TW_FRAMING_WEBSOCKET :
			  kind == DOOR_K_BODY ? TW_FRAMING_HTTPTUNNEL :
						TW_FRAMING_NONE;
	d->body_dir = (uint8_t)body_dir;
	f->nested++;
	if (kind == DOOR_K_CONNECT)
		f->inner_port = target_port(d->u.target);
}

/* The first bytes of a body: a door when they are httptunnel's records;
 * returns false when the watch is over either way. */
static bool body_peek(struct flow *f, struct door *d, enum flow_dir_id dir,
		      const uint8_t *data, uint32_t len)
{
	if (!htc_body_start(data, len))
		return false;
	door_open(f, d, DOOR_K_BODY, dir);
	return true;
}

/* The request side: where a body door opens in data, UINT32_MAX when
 * none does here; *stop when the flow is no door. */
static uint32_t request_bytes(struct flow *f, struct door *d,
			      const uint8_t *data, uint32_t len, bool *stop)
{
	for (uint32_t i = 0; i < len; i++) {
		uint8_t b = data[i];

		switch (d->phase[FLOW_DIR_ORIG]) {
		case DOOR_METHOD:
			if (!method_byte(d, b)) {
				*stop = true;
				return UINT32_MAX;
			}
			break;
		case DOOR_TARGET: {
			uint32_t j = i;

			/* visible bytes up to the space, the first kept */
			while (j < len && data[j] >= 0x21 && data[j] <= 0x7e)
				j++;
			for (uint32_t k = i; k < j && d->target_len <
					     DOOR_TARGET_MAX - 1; k++)
				d->u.target[d->target_len++] = (char)data[k];
			if (j == len)
				return UINT32_MAX;
			if (data[j] != ' ') {
				*stop = true;
				return UINT32_MAX;
			}
			d->u.target[d->target_len] = 0;
			d->phase[FLOW_DIR_ORIG] = DOOR_HEADERS;
			i = j;          /* the space */
			break;
		}
		case DOOR_HEADERS: {
			uint32_t end = header_bytes(d, FLOW_DIR_ORIG, data, i,
						    len);

			if (end == UINT32_MAX)
				return UINT32_MAX;
			i = end - 1;    /* the empty line's last byte */
			if (d->method != M_BODY) {
				d->phase[FLOW_DIR_ORIG] = DOOR_WAIT;
				return UINT32_MAX; /* pipelined bytes stay outer */
			}
			if (d->content_length < DOOR_BODY_MIN) {
				*stop = true;
				return UINT32_MAX;
			}
			d->phase[FLOW_DIR_ORIG] = DOOR_BODY_PEEK;
			if (i + 1 == len)
				return UINT32_MAX;
			if (body_peek(f, d, FLOW_DIR_ORIG, data + i + 1,
				      len - i - 1))
				return i + 1;
			*stop = true;
			return UINT32_MAX;
		}
		case DOOR_BODY_PEEK:
			if (body_peek(f, d, FLOW_DIR_ORIG, data + i, len - i))
				return i;
			*stop = true;
			return UINT32_MAX;
		default:
			return UINT32_MAX;
		}
	}
	return UINT32_MAX;
}

/* "HTTP/" then the version up to a space, then 3 digits; false when the
 * answer is no HTTP status line. */
static bool status_byte(struct door *d, uint8_t b)
{
	if (d->status_len < sizeof(http_version) - 1)
		return b == (uint8_t)http_version[d->status_len++];
	if (d->status_digits == 0 && b != ' ')
		return ++d->status_len <= 12;
	if (b == ' ' && d->status_digits == 0) {
		d->status_digits = 1;
		return true;
	}
	if (d->status_digits <= 3 && b >= '0' && b <= '9') {
		d->status = (uint16_t)(d->status * 10 + (b - '0'));
		if (++d->status_digits == 4) {
			d->phase[FLOW_DIR_RESP] = DOOR_HEADERS;
			d->content_length = 0;
			d->line_len = 0;
			/* the status line's own CR LF starts the match */
		}
		return true;
	}
	return false;
}

/* The answer's headers ended: which door, if any, opens after them. */
static enum door_kind answer_door(const struct door *d)
{
	if (d->method == M_CONNECT && d->status >= 200 && d->status <= 299)
		return DOOR_K_CONNECT;
	if (d->method == M_GET && d->websocket && d->status == 101)
		return DOOR_K_WEBSOCKET;
	if (d->method == M_GET && d->status == 200 &&
	    d->content_length >= DOOR_BODY_MIN)
		return DOOR_K_BODY;     /* if the body starts with records */
	return DOOR_K_NONE;
}

/* The answer side: where the inner stream starts in data, UINT32_MAX
 * while it does not; *stop when no door opens. */
static uint32_t answer_bytes(struct flow *f, struct door *d,
			     const uint8_t *data, uint32_t len, bool *stop)
{
	for (uint32_t i = 0; i < len; i++) {
		uint8_t b = data[i];
		enum door_kind k;

		if (d->phase[FLOW_DIR_RESP] == DOOR_BODY_PEEK) {
			if (body_peek(f, d, FLOW_DIR_RESP, data + i, len - i))
				return i;
			*stop = true;
			return UINT32_MAX;
		}
		if (d->phase[FLOW_DIR_RESP] != DOOR_HEADERS) {
			if (!status_byte(d, b)) {
				*stop = true;
				return UINT32_MAX;
			}
			continue;
		}
		i = header_bytes(d, FLOW_DIR_RESP, data, i, len);
		if (i == UINT32_MAX)
			return UINT32_MAX;
		i--;                    /* the empty line's last byte */
		k = answer_door(d);
		if (k == DOOR_K_NONE) {
			*stop = true;
			return UINT32_MAX;
		}
		if (k != DOOR_K_BODY) {
			door_open(f, d, k, FLOW_DIR_RESP);
			return i + 1;
		}
		d->phase[FLOW_DIR_RESP] = DOOR_BODY_PEEK;
	}
	return UINT32_MAX;
}

static uint32_t door_find(struct an_ctx *c, struct flow *f, void *state,
			  enum flow_dir_id dir, const uint8_t *data,
			  uint32_t len)
{
	struct door *d = state;
	bool stop = false;
	uint32_t at;

	if (dir == FLOW_DIR_ORIG) {
		at = request_bytes(f, d, data, len, &stop);
	} else if (d->phase[FLOW_DIR_ORIG] != DOOR_WAIT) {
		/* an answer before a whole request: not a door */
		stop = true;
		at = UINT32_MAX;
	} else {
		at = answer_bytes(f, d, data, len, &stop);
	}
	if (stop)
		door_give_up(c, f, d);
	return at;
}

static unsigned door_flow_classes(const struct tw_config *cfg)
{
	(void)cfg;
	return AN_FLOWS_TCP;
}

static struct htc_pair *pair_of(struct door_worker *w, const struct flow *f,
				uint64_t now)
{
	struct htc_pair *old = &w->pair[0];

	for (unsigned i = 0; i < HTC_PAIRS; i++) {
		struct htc_pair *p = &w->pair[i];

		if (p->used && p->port == f->resp_port &&
		    memcmp(&p->client, &f->orig_addr, sizeof(p->client)) == 0 &&
		    memcmp(&p->server, &f->resp_addr, sizeof(p->server)) == 0)
			return p;
		if (!p->used || (old->used && p->last_ns < old->last_ns))
			old = p;
	}
	memset(old, 0, sizeof(*old));
	old->used = 1;
	old->client = f->orig_addr;
	old->server = f->resp_addr;
	old->port = f->resp_port;
	old->last_ns = now;
	/* the login's sizes are not judged: keystrokes from the start */
	old->inf.auth = SSH_AUTH_UNKNOWN;
	return old;
}

static void report_reverse(struct an_ctx *c, const struct flow *f,
			   const struct htc_pair *p)
{
	char peer[64];
	const char *typing;
	struct finding fd;
	double cv;

	typing = ssh_infer_typing(&p->inf, SSH_SERVER, &cv);
	finding_init(&fd, f, FK_SSH_REVERSE_SESSION, SEV_HIGH);
	if (p->inf.first_server_key_ns)
		fd.first_ns = p->inf.first_server_key_ns;
	ip_addr_format(&f->resp_addr, peer, sizeof(peer));
	finding_summary(&fd, "reverse SSH session over httptunnel to %s:%u: %u keystrokes typed from the server side (%u B), %s typing",
			peer, f->resp_port, p->inf.keys[SSH_SERVER],
			p->inf.key_size[SSH_SERVER], typing);
	an_add_nesting(c, f, &fd);
	finding_add_str(&fd, "carrier", "httptunnel");
	finding_add_int(&fd, "server_keystrokes", p->inf.keys[SSH_SERVER]);
	finding_add_int(&fd, "client_keystrokes", p->inf.keys[SSH_CLIENT]);
	finding_add_int(&fd, "keystroke_bytes", p->inf.key_size[SSH_SERVER]);
	finding_add_str(&fd, "typing", typing);
	finding_add_double(&fd, "typing_gap_cv", cv);
	an_emit(c, &fd);
}

/* One inner packet (a DATA record) of an httptunnel half. */
static void pair_record(struct an_ctx *c, const struct flow *f,
			const struct door *d, uint32_t len, uint64_t ts)
{
	struct door_worker *w = c->wstate;
	struct htc_pair *p = pair_of(w, f, ts);
	struct ssh_infer_cfg icfg = ssh_infer_cfg_of(c->cfg);
	/* the POST carries the client's bytes, the answer the server's */
	enum ssh_side side = d->body_dir == FLOW_DIR_ORIG ? SSH_CLIENT :
							    SSH_SERVER;

	p->last_ns = ts;
	if ((ssh_infer_packet(&p->inf, &icfg, side, len, ts) &
	     SSH_INF_REVERSE) && !p->reported) {
		p->reported = 1;
		report_reverse(c, f, p);
	}
}

/* Behind an httptunnel door, the framed direction's records are read
 * from each segment's own bytes (past flow.inspect_bytes too): the
 * length of each DATA record is an inner packet's size. Only when the
 * inner stream is SSH; a gap or trimmed bytes end it. */
static void door_on_packet(struct an_ctx *c, struct flow *f, void *state,
			   const struct pkt_view *pv, enum flow_dir_id dir)
{
	struct door *d = state;
	struct frame_dec *x = &d->u.f.walk;

	if (dir != d->body_dir || pv->payload_wire_len == 0 || pv->retransmit)
		return;
	if (d->walk_start) {
		/* the door's own segment: its records were decoded with the
		 * payload; go on from where that decoder stands */
		*x = d->u.f.dec[dir];
		d->walk_start = 0;
		return;
	}
	if (!d->inner_ssh && f->app) {
		if (strcmp(app_label(f), "ssh") != 0 || !c->cfg->ssh.enabled) {
			an_packets_done(c, f);
			return;
		}
		d->inner_ssh = 1;
	} else if (!d->inner_ssh && !f->payload_wanted) {
		an_packets_done(c, f);   /* inspected, and no label came */
		return;
	}
	if (pv->payload_len < pv->payload_wire_len || (x->flags & FD_DEAD)) {
		an_packets_done(c, f);
		return;
	}
	for (uint32_t i = 0; i < pv->payload_len;) {
		uint32_t n = htc_walk(x, pv->payload + i, pv->payload_len - i);

		i += n;
		if (x->flags & FD_DEAD) {
			an_packets_done(c, f);
			return;
		}
		if (x->flags & FD_RECORD) {   /* a DATA record's header ended */
			x->flags &= (uint8_t)~FD_RECORD;
			if (d->inner_ssh)
				pair_record(c, f, d, x->left, pv->ts_ns);
		}
	}
}

static void door_on_flow_end(struct an_ctx *c, struct flow *f, void *state,
			     enum flow_end_reason why)
{
	struct door *d = state;
	struct door_worker *w = c->wstate;
	struct ssh_infer_cfg icfg;
	struct htc_pair *p;

	(void)why;
	if (!d->inner_ssh)
		return;
	icfg = ssh_infer_cfg_of(c->cfg);
	p = pair_of(w, f, f->last_ns);
	if ((ssh_infer_finish(&p->inf, &icfg) & SSH_INF_REVERSE) &&
	    !p->reported) {
		p->reported = 1;
		report_reverse(c, f, p);
	}
}

/* The door analyzer watches the inner stream of a CONNECT for a second
 * one; a framed inner stream gets its decoders and ends the watch. The
 * door that opened last stays for the findings. */
static void door_on_inner_stream(struct an_ctx *c, struct flow *f,
				 void *state)
{
	struct door *d = state;
	struct door kept = *d;

	memset(d, 0, sizeof(*d));
	memcpy(d->opened_target, kept.opened_target, sizeof(d->opened_target));
	d->opened = 1;
	d->kind = kept.kind;
	f->framing = kept.framing_next;
	d->body_dir = kept.body_dir;
	if (f->framing == TW_FRAMING_HTTPTUNNEL) { /* one direction framed */
		d->u.f.dec[!kept.body_dir].flags = FD_DEAD;
		d->walk_start = 1;
	} else {
		an_packets_done(c, f);
	}
	if (f->framing || f->nested >= DOOR_DEPTH)
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

/* A framed flow's bytes, framing removed (see frame_dec.c). */
static uint32_t door_unwrap(struct an_ctx *c, struct flow *f, void *state,
			    enum flow_dir_id dir, const uint8_t *data,
			    uint32_t len, bool gap, uint8_t *out)
{
	struct door *d = state;
	struct frame_dec *x = &d->u.f.dec[dir];

	(void)c;
	if (gap)
		x->flags |= FD_DEAD;
	if (f->framing == TW_FRAMING_WEBSOCKET)
		return ws_unwrap(x, data, len, out);
	return htc_unwrap(x, data, len, out);
}

const char *door_target(const void *state)
{
	const struct door *d = state;

	return d->opened ? d->opened_target : NULL;
}

const char *door_kind_name(const void *state)
{
	const struct door *d = state;

	if (!d->opened)
		return NULL;
	return d->kind == DOOR_K_WEBSOCKET ? "websocket" :
	       d->kind == DOOR_K_BODY ? "http_body" : "connect";
}

const struct analyzer tunnel_door_analyzer = {
	.name = "tunnel_door",
	.flow_state_size = sizeof(struct door),
	.worker_state_size = sizeof(struct door_worker),
	.flow_classes = door_flow_classes,
	/* packets only behind an httptunnel door: the worker sets the bit
	 * when an inner stream starts */
	.packets_inner_only = true,
	.on_packet = door_on_packet,
	.on_flow_end = door_on_flow_end,
	.on_payload = door_on_payload,
	.find_door = door_find,
	.unwrap = door_unwrap,
	.on_inner_stream = door_on_inner_stream,
};
