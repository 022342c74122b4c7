/* SPDX-License-Identifier: BSD-3-Clause */
/* Reverse-tunnel services and tools (tunnel.service, medium): the agent
 * inside the network that exposes a local port through ngrok, Cloudflare
 * Tunnel, localtunnel, serveo, bore, chisel, frp ... is known by
 *   - the names it looks up or connects to: DNS questions over UDP 53 and
 *     the SNI of its TLS ClientHello, matched by suffix against
 *     patterns/services.txt (name_list.c);
 *   - its wire markers, when not inside TLS: patterns/services.hs (ids
 *     300-399), e.g. chisel's WebSocket subprotocol, frp's login, bore's
 *     NUL-delimited JSON hello and heartbeat.
 * A service alone is medium (a developer's ngrok is still a hole in the
 * perimeter); with other evidence on the host (a long-lived low-byte
 * flow, a beacon) the host verdict goes to alert (verdict/hosts.c).
 * The host is the originator: the agent dials out, or asks the resolver.
 *
 * Payload: a TCP flow labelled HTTP, or not (yet) labelled, stays
 * inspected for the markers up to TUNNEL_HORIZON bytes per direction; a
 * TLS flow is let go once its ClientHello was read, any other label at
 * once. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "analyzers/analyzer.h"
#include "analyzers/common/dns_question.h"
#include "analyzers/common/name_list.h"
#include "analyzers/common/tls_parse.h"
#include "config/config.h"
#include "scan/app_id.h"
#include "decode/decode.h"

#define TUNNEL_ID_FIRST 300
#define TUNNEL_ID_LAST 399
#define TUNNEL_HORIZON 512u
#define DNS_PORT 53

struct marker {
	uint32_t id;
	const char *tool;
	const char *what;
};

/* One row per pattern of services.hs. */
static const struct marker markers[] = {
	{ 300, "chisel", "WebSocket subprotocol chisel-v*" },
	{ 301, "chisel", "SSH-chisel banner" },
	{ 302, "frp", "frp Login message" },
	{ 303, "frp", "frp NewProxy message" },
	{ 304, "bore", "bore Hello" },
	{ 305, "bore", "bore Heartbeat" },
	{ 306, "bore", "bore Accept/Connection" },
	{ 307, "bore", "bore Challenge/Authenticate" },
};

struct service_flow {
	uint32_t reported;        /* bit per marker row; bit 31: a name */
	uint8_t tls_tried;
	uint8_t resp_seen;        /* the responder's first bytes were seen */
	uint8_t done;             /* payload let go: only the SNI check left */
};

struct service_worker {
	struct name_list *names;
	struct tls_client_hello ch;
};

#define REPORTED_NAME (1u << 31)

static const struct marker *marker_find(uint32_t id, unsigned *row)
{
	for (unsigned i = 0; i < sizeof(markers) / sizeof(markers[0]); i++) {
		if (markers[i].id == id) {
			*row = i;
			return &markers[i];
		}
	}
	return NULL;
}

static void peer_text(const struct flow *f, char *buf, size_t len)
{
	char a[64];

	ip_addr_format(&f->resp_addr, a, sizeof(a));
	snprintf(buf, len, ip_addr_is_v4(&f->resp_addr) ? "%s:%u" : "[%s]:%u",
		 a, f->resp_port);
}

static void emit_marker(struct an_ctx *c, const struct flow *f,
			const struct marker *m)
{
	char peer[80];
	struct finding fd;

	peer_text(f, peer, sizeof(peer));
	finding_init(&fd, f, FK_TUNNEL_SERVICE, SEV_MEDIUM);
	fd.last_ns = f->last_ns;
	finding_summary(&fd, "%s tunnel to %s: %s", m->tool, peer, m->what);
	finding_add_str(&fd, "tool", m->tool);
	finding_add_str(&fd, "evidence", m->what);
	finding_add_str(&fd, "via", "wire");
	finding_add_str(&fd, "app", app_label(f));
	an_emit(c, &fd);
}

static void emit_name(struct an_ctx *c, const struct flow *f, bool host_orig,
		      const char *name, const char *listed, const char *via,
		      uint64_t ts)
{
	char peer[80];
	struct finding fd;

	peer_text(f, peer, sizeof(peer));
	finding_init(&fd, f, FK_TUNNEL_SERVICE, SEV_MEDIUM);
	fd.host_is_orig = host_orig;
	fd.last_ns = ts;
	if (strcmp(via, "dns") == 0)
		finding_summary(&fd, "DNS lookup of reverse-tunnel service %s (%s)",
				name, listed);
	else
		finding_summary(&fd, "TLS to reverse-tunnel service %s (%s) at %s",
				name, listed, peer);
	finding_add_str(&fd, "name", name);
	finding_add_str(&fd, "service", listed);
	finding_add_str(&fd, "via", via);
	finding_add_str(&fd, "server", peer);
	an_emit(c, &fd);
}

/* ---- DNS questions ---- */

static void service_on_packet(struct an_ctx *c, struct flow *f, void *state,
			 const struct pkt_view *pv, enum flow_dir_id dir)
{
	struct service_worker *w = c->wstate;
	struct service_flow *st = state;
	struct dns_first_question q;
	const char *listed;

	(void)dir;
	/* queries only (QR clear): the answer repeats the question */
	if (pv->payload_len < DNS_HEADER_LEN || (pv->payload[2] & 0x80) ||
	    (st->reported & REPORTED_NAME) ||
	    !dns_first_question(pv->payload, pv->payload_len, &q))
		return;
	listed = name_list_match(w->names, q.name.text, q.name.len);
	if (!listed)
		return;
	st->reported |= REPORTED_NAME;
	emit_name(c, f, ip_addr_cmp(&pv->src, &f->orig_addr) == 0,
		  q.name.text, listed, "dns", pv->ts_ns);
}

/* ---- TLS SNI and wire markers ---- */

static void check_sni(struct an_ctx *c, const struct flow *f,
		      struct service_flow *st, const uint8_t *data, uint32_t len)
{
	struct service_worker *w = c->wstate;
	const char *listed;
	int rc;

	st->tls_tried = 1;
	if (len < 6 || data[0] != 0x16)
		return;
	rc = tls_parse_client_hello(data, len, &w->ch, NULL);
	if ((rc != TLS_OK && rc != TLS_NEED_MORE) || !w->ch.has_sni)
		return;
	listed = name_list_match(w->names, w->ch.sni, w->ch.sni_len);
	if (!listed || (st->reported & REPORTED_NAME))
		return;
	st->reported |= REPORTED_NAME;
	emit_name(c, f, true, w->ch.sni, listed, "tls-sni", f->last_ns);
}

/* The markers live in HTTP (chisel) or in protocols app_id does not
 * know (frp, bore; bore's JSON has no JSON-RPC key): any other label, TLS
 * included, ends our inspection of the flow. */
static bool may_carry_markers(const struct flow *f)
{
	const char *app = app_label(f);

	return strcmp(app, "http") == 0 || strcmp(app, "unknown") == 0 ||
	       strcmp(app, "none") == 0;
}

static void let_go(struct an_ctx *c, struct flow *f, struct service_flow *st)
{
	st->done = 1;
	an_payload_done(c, f);
}

static void service_on_payload(struct an_ctx *c, struct flow *f, void *state,
			  enum flow_dir_id dir, const uint8_t *data,
			  uint32_t len, bool gap)
{
	struct service_flow *st = state;
	uint32_t orig = f->side[FLOW_DIR_ORIG].stream.inspected;
	uint32_t resp = f->side[FLOW_DIR_RESP].stream.inspected;

	if (dir == FLOW_DIR_ORIG && !st->tls_tried && !gap)
		check_sni(c, f, st, data, len);
	/* other analyzers' payload still comes here: once let go, only the
	 * SNI check above is left (it runs as before on the first bytes) */
	if (st->done)
		return;
	/* HTTP: only a WebSocket upgrade (101) can go on to chisel's banner;
	 * the request's subprotocol header was scanned before the answer */
	if (dir == FLOW_DIR_RESP && !st->resp_seen) {
		st->resp_seen = 1;
		if (strcmp(app_label(f), "http") == 0 &&
		    (len < 12 || memcmp(data + 8, " 101", 4) != 0)) {
			let_go(c, f, st);
			return;
		}
	}
	/* TLS hides the markers: once the hello was read, let go */
	if (!may_carry_markers(f) || (st->tls_tried && len && data[0] == 0x16) ||
	    (orig >= TUNNEL_HORIZON && resp >= TUNNEL_HORIZON) ||
	    orig >= 8 * TUNNEL_HORIZON || resp >= 8 * TUNNEL_HORIZON)
		let_go(c, f, st);
}

static void service_on_match(struct an_ctx *c, struct flow *f, void *state,
			enum flow_dir_id dir, uint32_t id, uint64_t end_offset)
{
	struct service_flow *st = state;
	const struct marker *m;
	unsigned row;

	(void)dir;
	(void)end_offset;
	m = marker_find(id, &row);
	if (!m || (st->reported & (1u << row)))
		return;
	st->reported |= 1u << row;
	emit_marker(c, f, m);
}

/* UDP 53 for names, TCP for SNI and markers; nothing else. */
static void service_on_flow_new(struct an_ctx *c, struct flow *f, void *state)
{
	struct service_flow *st = state;

	if (!c->cfg->tunnel.enabled)
		st->tls_tried = 1;      /* no list to match an SNI against */
	if (!c->cfg->tunnel.enabled || f->proto != TW_PROTO_TCP)
		let_go(c, f, st);
	if (!c->cfg->tunnel.enabled || f->proto != TW_PROTO_UDP ||
	    (f->orig_port != DNS_PORT && f->resp_port != DNS_PORT))
		an_packets_done(c, f);
}

static int service_worker_init(void *wstate, const struct tw_config *cfg)
{
	struct service_worker *w = wstate;
	char path[TW_PATH_MAX + 16], err[256];

	if (!cfg->tunnel.enabled)
		return 0;
	if (cfg->tunnel.names_file[0])
		snprintf(path, sizeof(path), "%s", cfg->tunnel.names_file);
	else
		snprintf(path, sizeof(path), "%s/services.txt",
			 cfg->scan.patterns_dir);
	if (name_list_load(path, cfg->tunnel.max_names, &w->names, err,
			   sizeof(err)) != 0) {
		fprintf(stderr, "tunnelwatch: tunnel services: %s\n", err);
		return -EINVAL;
	}
	return 0;
}

/* SIGHUP: the service list again. */
static int service_worker_reload(void *wstate, const struct tw_config *cfg)
{
	struct service_worker *w = wstate;
	char path[TW_PATH_MAX + 16], err[256];
	struct name_list *next = NULL;

	if (!w->names)
		return 0; /* off at start */
	if (cfg->tunnel.names_file[0])
		snprintf(path, sizeof(path), "%s", cfg->tunnel.names_file);
	else
		snprintf(path, sizeof(path), "%s/services.txt",
			 cfg->scan.patterns_dir);
	if (name_list_load(path, cfg->tunnel.max_names, &next, err,
			   sizeof(err)) != 0)
		return -1;
	name_list_free(w->names);
	w->names = next;
	return 0;
}

static void service_worker_fini(void *wstate)
{
	struct service_worker *w = wstate;

	name_list_free(w->names);
	w->names = NULL;
}

static bool service_enabled(const struct tw_config *cfg)
{
	return cfg->tunnel.enabled;
}

const struct analyzer tunnel_service_analyzer = {
	.name = "tunnel_service",
	.enabled = service_enabled,
	.flow_state_size = sizeof(struct service_flow),
	.worker_state_size = sizeof(struct service_worker),
	.patterns = "services.hs",
	.match_lo = TUNNEL_ID_FIRST,
	.match_hi = TUNNEL_ID_LAST,
	.worker_init = service_worker_init,
	.worker_fini = service_worker_fini,
	.worker_reload = service_worker_reload,
	.on_flow_new = service_on_flow_new,
	.on_packet = service_on_packet,
	.on_payload = service_on_payload,
	.on_match = service_on_match,
};
