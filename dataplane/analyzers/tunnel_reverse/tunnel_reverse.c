/* SPDX-License-Identifier: BSD-3-Clause */
/* Reverse channels of any protocol (issue 12, item 2). The side that
 * opened the TCP connection is the client: HTTP and TLS fix that the
 * client speaks first with its own part (a request line, a ClientHello).
 * When the responder opens its byte stream with the client's part, or the
 * originator opens with the server's part (a status line), the roles are
 * inverted: an inside host dialled out and is now driven from outside, as
 * ngrok-style agents, frp and chisel's reverse mode are. SSH's own
 * inversion (the originator serves SSH) is ssh.role_inversion.
 *
 *  - tunnel.reverse_tls (high): the responder sends a TLS ClientHello. No
 *    standard protocol does; a TCP responder that starts TLS as client is
 *    a controller talking to an agent that called it.
 *  - tunnel.reverse_http (high): the responder sends an HTTP request line;
 *    medium when only the originator answers with a status line (weaker:
 *    a few streaming protocols open with an HTTP-like status).
 *
 * The HTTP app patterns (app.hs ids 10, 11) are anchored at a
 * direction's first byte, so a match in a direction is what that side
 * said first; a ClientHello is read from a direction's first bytes (TLS
 * record type 22, version 3.x, handshake type 1). Only flows whose
 * SYN and SYN-ACK were seen are judged, or flows picked up mid-stream
 * from an ephemeral port to a lower one (flow_roles_known()); such a
 * flow's first bytes are only the first seen, so it is judged on both
 * sides at once: a request line from the responder and a status line
 * from the originator. A stream behind a proxy's door (tunnel_door.c) is judged again
 * from its first byte. The host is the originator.
 *
 * Memory: 72 bytes per flow, nothing per worker. */
#include <string.h>

#include "analyzers/analyzer.h"
#include "scan/app_id.h"

/* app.hs ids this analyzer reads. A TLS ClientHello is told from the
 * bytes instead: pattern 5 (any TLS record) ends the scan at byte 4,
 * before pattern 2 can name the handshake message. */
enum {
	PAT_HTTP_REQUEST = 10,
	PAT_HTTP_RESPONSE = 11,
};

#define LINE_MAX 64

enum reverse_kind { REV_NONE = 0, REV_HTTP_REQUEST, REV_HTTP_STATUS, REV_TLS };

/* A flow picked up mid-stream shows both halves of the inversion. */
enum { MID_STATUS_FROM_ORIG = 1, MID_REQUEST_FROM_RESP = 2 };

struct reverse_flow {
	uint8_t kind;          /* enum reverse_kind seen, not yet reported */
	uint8_t reported;
	uint8_t client_first;  /* the originator opened as a client: done */
	uint8_t mid_seen;      /* mid-stream: MID_* parts seen so far */
	char line[LINE_MAX];   /* first line of the inverted side */
};

static void report(struct an_ctx *c, const struct flow *f,
		   struct reverse_flow *r)
{
	bool tls = r->kind == REV_TLS;
	bool request = r->kind == REV_HTTP_REQUEST;
	char peer[64];
	struct finding fd;

	r->reported = 1;
	finding_init(&fd, f, tls ? FK_TUNNEL_REVERSE_TLS : FK_TUNNEL_REVERSE_HTTP,
		     tls || request ? SEV_HIGH : SEV_MEDIUM);
	ip_addr_format(&f->resp_addr, peer, sizeof(peer));
	if (tls)
		finding_summary(&fd, "dialled out to %s:%u, which then started TLS as the client: a reverse TLS channel",
				peer, flow_service_port(f));
	else if (request)
		finding_summary(&fd, "dialled out to %s:%u and receives HTTP requests over it (\"%.40s\"): a reverse HTTP channel",
				peer, flow_service_port(f), r->line);
	else
		finding_summary(&fd, "dialled out to %s:%u and answers it with an HTTP status line: a reverse HTTP channel",
				peer, flow_service_port(f));
	an_add_nesting(c, f, &fd);
	finding_add_int(&fd, "port", flow_service_port(f));
	finding_add_str(&fd, "client_part_from",
			r->kind == REV_HTTP_STATUS ? "originator (server part)" :
						     "responder");
	finding_add_str(&fd, "evidence",
			tls ? "tls_client_hello" :
			request ? "http_request_line" : "http_status_line");
	if (r->line[0])
		finding_add_str(&fd, "first_line", r->line);
	an_emit(c, &fd);
}

static void rev_on_match(struct an_ctx *c, struct flow *f, void *state,
			 enum flow_dir_id dir, uint32_t id, uint64_t end)
{
	struct reverse_flow *r = state;

	(void)c;
	(void)end;
	if (r->reported || r->client_first || r->kind || !flow_roles_known(f))
		return;
	if (!f->handshake_seen) {
		if (dir == FLOW_DIR_ORIG && id == PAT_HTTP_RESPONSE)
			r->mid_seen |= MID_STATUS_FROM_ORIG;
		else if (dir == FLOW_DIR_RESP && id == PAT_HTTP_REQUEST)
			r->mid_seen |= MID_REQUEST_FROM_RESP;
		else
			r->client_first = 1;
		if (r->mid_seen == (MID_STATUS_FROM_ORIG | MID_REQUEST_FROM_RESP))
			r->kind = REV_HTTP_REQUEST;
		return;
	}
	if (dir == FLOW_DIR_ORIG) {
		if (id == PAT_HTTP_RESPONSE)
			r->kind = REV_HTTP_STATUS;
		else if (id == PAT_HTTP_REQUEST)
			r->client_first = 1;
		return;
	}
	if (id == PAT_HTTP_REQUEST)
		r->kind = REV_HTTP_REQUEST;
}

/* A direction's first bytes: a TLS handshake record holding a
 * ClientHello. */
static bool client_hello_start(const uint8_t *data, uint32_t len)
{
	return len >= 6 && data[0] == 0x16 && data[1] == 0x03 &&
	       data[2] <= 0x04 && data[5] == 0x01;
}

/* The first line of the chunk that held the match, printable bytes only. */
static void keep_first_line(struct reverse_flow *r, const uint8_t *data,
			    uint32_t len)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < len && n < LINE_MAX - 1; i++) {
		if (data[i] == '\r' || data[i] == '\n')
			break;
		r->line[n++] = data[i] >= 0x20 && data[i] < 0x7f ?
				       (char)data[i] : '.';
	}
	r->line[n] = 0;
}

/* What each side said first is known once both spoke and a label was
 * found (the labelling match came before this chunk's analyzers), or past
 * the app horizon. */
static bool first_words_known(const struct flow *f, enum flow_dir_id dir,
			      uint32_t len)
{
	uint32_t orig = f->side[FLOW_DIR_ORIG].stream.inspected;
	uint32_t resp = f->side[FLOW_DIR_RESP].stream.inspected;

	if (dir == FLOW_DIR_ORIG)
		orig += len;
	else
		resp += len;
	return (f->app && orig && resp) || resp >= 128 || orig >= 256;
}

/* Matches arrive before the analyzers see the chunk that holds them: the
 * first chunk of the inverted side gives the detail, then the finding. */
static void rev_on_payload(struct an_ctx *c, struct flow *f, void *state,
			   enum flow_dir_id dir, const uint8_t *data,
			   uint32_t len, bool gap)
{
	struct reverse_flow *r = state;
	uint32_t before = f->side[dir].stream.inspected;

	(void)gap;
	/* mid-stream, a handshake record at the first byte seen may be an
	 * encrypted renegotiation (its type byte is any): not judged */
	if (before == 0 && !r->kind && !r->client_first &&
	    f->handshake_seen && client_hello_start(data, len)) {
		if (dir == FLOW_DIR_ORIG)
			r->client_first = 1;
		else
			r->kind = REV_TLS;
	}
	if (r->kind && !r->reported) {
		bool inverted_side = (r->kind == REV_HTTP_STATUS) ==
				     (dir == FLOW_DIR_ORIG);

		if (inverted_side && before == 0 && r->kind != REV_TLS)
			keep_first_line(r, data, len);
		report(c, f, r);
	} else if (!r->kind && dir == FLOW_DIR_RESP && before == 0 &&
		   (r->mid_seen & MID_REQUEST_FROM_RESP)) {
		keep_first_line(r, data, len);  /* the other half may follow */
	}
	if (r->reported || r->client_first || !flow_roles_known(f) ||
	    first_words_known(f, dir, len))
		an_payload_done(c, f);
}

static unsigned rev_flow_classes(const struct tw_config *cfg)
{
	(void)cfg;
	return AN_FLOWS_TCP;
}

static void rev_on_inner_stream(struct an_ctx *c, struct flow *f,
				void *state)
{
	(void)c;
	(void)f;
	memset(state, 0, sizeof(struct reverse_flow));
}

const struct analyzer tunnel_reverse_analyzer = {
	.name = "tunnel_reverse",
	.flow_state_size = sizeof(struct reverse_flow),
	.patterns = "app.hs",   /* app_id's HTTP openings */
	.match_lo = PAT_HTTP_REQUEST,
	.match_hi = PAT_HTTP_RESPONSE,
	.flow_classes = rev_flow_classes,
	.on_match = rev_on_match,
	.on_payload = rev_on_payload,
	.on_inner_stream = rev_on_inner_stream,
};
