/* SPDX-License-Identifier: BSD-3-Clause */
/* SSH used in reverse, on odd ports, as an idle tunnel (issue 4).
 *
 * A flow is SSH when its bytes say so (the app.hs banner pattern, any
 * port, either side). Until NEWKEYS the analyzer reads both directions
 * (ssh_wire.c): banners, KEXINITs (HASSH, negotiated cipher and MAC) and
 * which side sends the server's key-exchange reply. That side is the SSH
 * server, whatever the TCP handshake says:
 *  - ssh.role_inversion: the TCP originator serves SSH (connect-back);
 *  - ssh.nonstandard_port: SSH on a port outside ssh.ports;
 *  - ssh.unexpected_destination: client or server outside the allow lists.
 * After NEWKEYS payload inspection ends and only sizes and times feed
 * ssh_infer.c: ssh.reverse_session (keystrokes typed from the server's
 * side) and ssh.keepalive_tunnel (constant keepalives and nothing else),
 * both reported while the flow is open.
 *
 * A connection picked up mid-stream (no SYN seen: flow_table.c gave the
 * roles by port) whose first bytes are no banner is watched by its
 * segment sizes (ssh_mid.c); once they say SSH it is followed like one
 * past NEWKEYS, the side on the lower port being the SSH server, with
 * `identified_by: packet_sizes` in its findings. Its key exchange was
 * not seen, so no fingerprints, role inversion or port findings: an
 * operator typing from the far end of a connect-back reads as a reverse
 * session, which is what it is from the inside host's point of view.
 *
 * The host of every finding is the TCP originator: the inside host that
 * dialled out is the one running the tunnel. Through an HTTP proxy's
 * CONNECT (tunnel_door.c) the flow's inner stream is read as SSH from its
 * first byte, the port judged is the CONNECT target's and the target is
 * in the detail. Behind a WebSocket upgrade the frames' payloads are the
 * stream and each packet's size is judged without its frame header
 * (frame_dec.h); httptunnel carries each direction on a connection of
 * its own, so there one side's banner and key exchange message (which
 * tells that side's role) are enough for the handshake findings.
 *
 * Memory: every flow carries a 24-byte reference; an SSH flow takes a
 * session (about 450 bytes) from a per-worker table of ssh.max_sessions
 * until it ends (full: the flow goes unwatched), and its handshake a
 * pair of KEXINIT buffers from ssh.max_handshakes until NEWKEYS (none
 * left: no fingerprints). */
#include <errno.h>
#include <string.h>

#include "analyzers/common/frame_dec.h"
#include "analyzers/common/slot_pool.h"
#include "analyzers/ssh/ssh_flow.h"
#include "analyzers/ssh/ssh_mid.h"
#include "config/config.h"
#include "scan/app_id.h"
#include "decode/decode.h"

#define SSH_APP_BYTES 8          /* "SSH-2.0-": enough to know the label */

/* Per flow, for every flow: which session (if SSH) and the first bytes
 * of each side while the label is still unknown, so a banner split in
 * its first 8 bytes reaches the parser whole. */
struct ssh_ref {
	uint32_t sess;              /* session index + 1; 0 none */
	uint8_t decided;            /* SSH (sess) or not: no more payload */
	uint8_t mid;                /* picked up mid-stream: sizes watched */
	union {
		struct {
			uint8_t early_len[2];
			uint8_t early[2][SSH_APP_BYTES];
		};
		struct ssh_mid sizes;   /* once decided, the bytes are free */
	};
};

_Static_assert(sizeof(struct ssh_ref) == 24, "ssh_ref: 24 bytes a flow");

/* Sessions and handshake buffers come from fixed pools (slot_pool.h):
 * zeroed when taken, handed out in a fixed order so runs repeat. */
struct ssh_pool {
	struct slot_pool sessions;   /* a struct ssh_flow each */
	struct slot_pool handshakes; /* two KEXINIT buffers each */
	uint32_t slot_bytes;         /* one buffer: ssh.kexinit_max_bytes */
};

static uint8_t *pool_buf(struct ssh_pool *p, uint32_t slot1,
			 enum flow_dir_id dir)
{
	return (uint8_t *)slot_pool_at(&p->handshakes, slot1) +
	       (size_t)dir * p->slot_bytes;
}

static void pool_release(struct ssh_pool *p, struct ssh_flow *st)
{
	if (!st->slot)
		return;
	slot_pool_put(&p->handshakes, st->slot);
	st->slot = 0;
}

static void pool_take(struct ssh_pool *p, struct ssh_flow *st)
{
	if (st->slot || st->no_slot)
		return;
	st->slot = slot_pool_get(&p->handshakes);
	st->no_slot = st->slot == 0;  /* followed without fingerprints */
}

static struct ssh_flow *session_of(struct ssh_pool *p,
				   const struct ssh_ref *r)
{
	return r->sess ? slot_pool_at(&p->sessions, r->sess) : NULL;
}

/* ---- handshake ---- */

static enum flow_dir_id server_dir(const struct ssh_flow *st)
{
	return st->role_known && st->server_is_orig ? FLOW_DIR_ORIG :
						      FLOW_DIR_RESP;
}

/* Both KEXINITs parsed: fingerprints and the algorithms agreed on. */
static void fingerprints(struct ssh_pool *p, struct ssh_flow *st)
{
	enum flow_dir_id sd = server_dir(st);
	enum flow_dir_id cd = sd == FLOW_DIR_ORIG ? FLOW_DIR_RESP :
						    FLOW_DIR_ORIG;
	struct ssh_kexinit kc, ks;

	if (st->fp_done || !st->slot || !st->kexinit[0] || !st->kexinit[1])
		return;
	st->fp_done = 1;
	if (ssh_kexinit_parse(pool_buf(p, st->slot, cd),
			      st->parser[cd].kex_len, &kc) < 0 ||
	    ssh_kexinit_parse(pool_buf(p, st->slot, sd),
			      st->parser[sd].kex_len, &ks) < 0)
		return;
	st->has_hassh = ssh_hassh(&kc, false, st->hassh, NULL, 0) == 0;
	st->has_hassh_server =
		ssh_hassh(&ks, true, st->hassh_server, NULL, 0) == 0;
	ssh_negotiate(&kc, &ks, SSH_L_ENC_C2S, st->cipher, sizeof(st->cipher));
	ssh_negotiate(&kc, &ks, SSH_L_MAC_C2S, st->mac, sizeof(st->mac));
}

static void handshake_findings(struct an_ctx *c, const struct flow *f,
			       struct ssh_flow *st)
{
	const struct tw_config *cfg = c->cfg;
	const struct ip_addr *client = st->server_is_orig ? &f->resp_addr :
							    &f->orig_addr;
	const struct ip_addr *server = st->server_is_orig ? &f->orig_addr :
							    &f->resp_addr;

	if (st->handshake_reported)
		return;
	st->handshake_reported = 1;
	if (st->role_known && st->server_is_orig)
		ssh_report_role_inversion(c, f, st);
	if (!port_list_contains(&cfg->ssh.ports, flow_service_port(f)))
		ssh_report_nonstandard_port(c, f, st);
	if ((cfg->ssh.allowed_clients.n &&
	     !prefix_list_contains(&cfg->ssh.allowed_clients, client)) ||
	    (cfg->ssh.allowed_servers.n &&
	     !prefix_list_contains(&cfg->ssh.allowed_servers, server)))
		ssh_report_unexpected(c, f, st, client, server);
}

static void on_wire_events(struct an_ctx *c, struct flow *f,
			   struct ssh_flow *st, enum flow_dir_id dir,
			   unsigned ev)
{
	struct ssh_pool *p = c->wstate;

	if (ev & SSH_EV_BANNER)
		st->banner[dir] = 1;
	if (ev & SSH_EV_KEXINIT)
		st->kexinit[dir] = 1;
	if ((ev & (SSH_EV_KEX_CLIENT | SSH_EV_KEX_SERVER)) && !st->role_known) {
		bool server_here = (ev & SSH_EV_KEX_SERVER) != 0;

		st->role_known = 1;
		st->server_is_orig = (dir == FLOW_DIR_ORIG) == server_here;
	}
	if (ev & SSH_EV_NEWKEYS)
		st->newkeys_pkt[dir] = 1;
	if (st->role_known || (ev & SSH_EV_NEWKEYS)) {
		fingerprints(p, st);
		if (st->fp_done || !st->slot)
			pool_release(p, st);
		/* one banner is enough where the other side's went by
		 * (httptunnel's other connection, or before the pickup) */
		if ((st->banner[0] && st->banner[1]) ||
		    ((f->framing == TW_FRAMING_HTTPTUNNEL || f->midstream) &&
		     st->role_known && (st->banner[0] || st->banner[1])))
			handshake_findings(c, f, st);
	}
}

static bool wire_finished(const struct ssh_dir_parser *p)
{
	return p->phase >= SSH_PH_ENCRYPTED;
}

static void wire_feed(struct an_ctx *c, struct flow *f, struct ssh_flow *st,
		      enum flow_dir_id dir, const uint8_t *data, uint32_t len)
{
	struct ssh_pool *p = c->wstate;
	struct ssh_kex_buf kb = { NULL, p->slot_bytes };

	if (st->slot)
		kb.data = pool_buf(p, st->slot, dir);
	if (!st->fed[dir]) {
		st->fed[dir] = 1;
		/* picked up after this side's banner (the other side's made
		 * the flow SSH): its key exchange packets from here */
		if (f->midstream && st->parser[dir].phase == SSH_PH_BANNER &&
		    ssh_mid_kex_packet(data, len))
			st->parser[dir].phase = SSH_PH_PACKETS;
	}
	on_wire_events(c, f, st, dir,
		       ssh_dir_feed(&st->parser[dir], &kb, data, len));
}

/* The label says SSH: a session starts and the bytes kept so far are
 * parsed first. */
static struct ssh_flow *session_start(struct an_ctx *c, struct flow *f,
				      struct ssh_ref *r)
{
	struct ssh_pool *p = c->wstate;
	struct ssh_flow *st;

	r->decided = 1;
	r->sess = slot_pool_get(&p->sessions);
	st = session_of(p, r);
	if (!st) {
		an_count(c, TW_CTR_AN_SSH_SESSIONS_FULL);
		return NULL;    /* table full: this flow goes unwatched */
	}
	/* the originator is the client unless inverted: it must open with
	 * its banner, and junk there ends the watch at once */
	st->parser[FLOW_DIR_ORIG].no_prebanner = 1;
	pool_take(p, st);
	if (st->no_slot) /* followed, but without its fingerprints */
		an_count(c, TW_CTR_AN_SSH_HANDSHAKES_FULL);
	for (int d = FLOW_DIR_ORIG; d <= FLOW_DIR_RESP; d++)
		if (r->early_len[d])
			wire_feed(c, f, st, (enum flow_dir_id)d, r->early[d],
				  r->early_len[d]);
	return st;
}

/* Before the label is known. Returns the session once the flow is SSH,
 * NULL while undecided or (decided set) when it is not. */
static struct ssh_flow *classify(struct an_ctx *c, struct flow *f,
				 struct ssh_ref *r, enum flow_dir_id dir,
				 const uint8_t *data, uint32_t len)
{
	uint32_t before = f->side[dir].stream.inspected;

	/* the pattern runs before the analyzers: a banner in these bytes
	 * has set the label already */
	if (f->app && strcmp(app_label(f), "ssh") == 0)
		return session_start(c, f, r);
	if (f->app || before + len >= SSH_APP_BYTES ||
	    r->early_len[dir] + len > SSH_APP_BYTES) {
		r->decided = 1;
		return NULL;
	}
	memcpy(r->early[dir] + r->early_len[dir], data, len);
	r->early_len[dir] = (uint8_t)(r->early_len[dir] + len);
	return NULL;
}

/* Not SSH, or no session free: nothing more to read, packets included
 * (ssh_on_packet looks at sessions only), unless the flow was picked up
 * mid-stream: then its segment sizes are watched (ssh_mid.c). */
static void unwatched(struct an_ctx *c, struct flow *f, struct ssh_ref *r)
{
	an_payload_done(c, f);
	if (r->sess)
		return;
	if (!r->mid && f->midstream && f->proto == TW_PROTO_TCP &&
	    !f->nested) {
		r->mid = 1;
		memset(&r->sizes, 0, sizeof(r->sizes));
		return;
	}
	if (r->mid != 1)
		an_packets_done(c, f);
}

/* Followed by sizes alone from here, as if past NEWKEYS, the responder
 * (the lower port) serving; login: the next packets are the login (a
 * NEWKEYS was just seen), else it went before. */
static void sized(struct ssh_flow *st, bool login)
{
	memset(st, 0, sizeof(*st));
	st->no_slot = 1;
	st->by_size = 1;
	st->parser[FLOW_DIR_ORIG].phase = SSH_PH_ENCRYPTED;
	st->parser[FLOW_DIR_RESP].phase = SSH_PH_ENCRYPTED;
	st->inf.auth = login ? SSH_AUTH_WAIT_CLIENT : SSH_AUTH_UNKNOWN;
}

/* Mid-stream, the sizes said SSH: a session by sizes. */
static void session_start_sized(struct an_ctx *c, struct flow *f,
				struct ssh_ref *r)
{
	struct ssh_pool *p = c->wstate;
	bool login = r->sizes.newkeys;
	struct ssh_flow *st;

	r->mid = 2;
	r->sess = slot_pool_get(&p->sessions);
	st = session_of(p, r);
	if (!st) {
		an_count(c, TW_CTR_AN_SSH_SESSIONS_FULL);
		an_packets_done(c, f);
		return;
	}
	sized(st, login);
}

static void watch_sizes(struct an_ctx *c, struct flow *f, struct ssh_ref *r,
			const struct pkt_view *pv, enum flow_dir_id dir)
{
	uint32_t cap = pv->payload_len < pv->payload_wire_len ?
			       pv->payload_len : pv->payload_wire_len;
	bool ssh_port = port_list_contains(&c->cfg->ssh.ports, f->resp_port);
	enum ssh_mid_verdict v;

	/* bytes a pattern named (TLS, HTTP ...) are no SSH */
	v = f->app ? SSH_MID_NOT :
		     ssh_mid_segment(&r->sizes, dir, pv->payload, cap,
				     pv->payload_wire_len, ssh_port);
	if (v == SSH_MID_SSH) {
		an_count(c, TW_CTR_AN_SSH_MIDSTREAM);
		session_start_sized(c, f, r);
	} else if (v == SSH_MID_NOT) {
		r->mid = 3;
		an_packets_done(c, f);
	}
}

static void ssh_on_payload(struct an_ctx *c, struct flow *f, void *state,
			   enum flow_dir_id dir, const uint8_t *data,
			   uint32_t len, bool gap)
{
	struct ssh_ref *r = state;
	struct ssh_pool *p = c->wstate;
	struct ssh_flow *st;

	/* off, not SSH (or unwatched), or the start lost to a gap */
	if ((r->decided && !r->sess) ||
	    (!r->decided && gap)) {
		r->decided = 1;
		unwatched(c, f, r);
		return;
	}
	if (!r->decided) {
		st = classify(c, f, r, dir, data, len);
		if (!st) {
			if (r->decided)
				unwatched(c, f, r);
			return;
		}
	} else {
		st = session_of(p, r);
		if (gap && st->parser[dir].phase < SSH_PH_ENCRYPTED)
			st->parser[dir].phase = SSH_PH_DEAD;
	}
	wire_feed(c, f, st, dir, data, len);
	for (int d = FLOW_DIR_ORIG; d <= FLOW_DIR_RESP; d++)
		if (st->parser[d].phase == SSH_PH_DEAD && !st->banner[d])
			st->broken = 1;
	if (st->broken && f->midstream && !st->by_size) {
		/* SSH by the other side's banner, this side picked up where
		 * its bytes cannot be parsed: followed by sizes */
		pool_release(p, st);
		sized(st, false);
		an_count(c, TW_CTR_AN_SSH_MIDSTREAM);
		an_payload_done(c, f);
		return;
	}
	if (st->broken ||
	    (wire_finished(&st->parser[0]) && wire_finished(&st->parser[1]))) {
		pool_release(p, st);
		an_payload_done(c, f);
	}
}

/* The ssh.* thresholds the inference reads; shared with the analyzers
 * that follow SSH inside other carriers (tls_inner.c, tunnel_door.c). */
struct ssh_infer_cfg ssh_infer_cfg_of(const struct tw_config *cfg)
{
	return (struct ssh_infer_cfg){
		cfg->ssh.keystroke_max_bytes, cfg->ssh.echo_max_ns,
		cfg->ssh.reverse_min_keystrokes, cfg->ssh.keepalive_min_events,
		cfg->ssh.keepalive_min_interval_ns,
		cfg->ssh.keepalive_max_jitter,
	};
}

static void ssh_on_packet(struct an_ctx *c, struct flow *f, void *state,
			  const struct pkt_view *pv, enum flow_dir_id dir)
{
	struct ssh_ref *r = state;
	struct ssh_infer_cfg icfg;
	struct ssh_flow *st;
	enum ssh_side side;
	uint32_t len;
	unsigned ev;

	if (pv->payload_wire_len == 0 || pv->retransmit)
		return;
	if (!r->sess) {
		if (r->mid == 1 && r->decided)
			watch_sizes(c, f, r, pv, dir);
		return;
	}
	st = session_of(c->wstate, r);
	if (st->broken)
		return;
	if (st->newkeys_pkt[dir]) {   /* carried NEWKEYS itself */
		st->newkeys_pkt[dir] = 0;
		return;
	}
	/* a side past flow.inspect_bytes without NEWKEYS (a huge key
	 * exchange) is taken as encrypted from here: sizes still count */
	if (!wire_finished(&st->parser[dir]) && f->side[dir].stream.done &&
	    st->banner[dir])
		st->parser[dir].phase = SSH_PH_DEAD;
	if (!wire_finished(&st->parser[0]) || !wire_finished(&st->parser[1]))
		return;
	icfg = ssh_infer_cfg_of(c->cfg);
	side = dir == server_dir(st) ? SSH_SERVER : SSH_CLIENT;
	if (r->mid == 2 && (r->sizes.ws & SSH_MID_WS_FRAMED))
		/* frames told mid-stream (ssh_mid.c): masked one way */
		len = ws_inner_len(pv->payload_wire_len,
				   ((r->sizes.ws & SSH_MID_WS_MASK0) != 0) ==
					   (dir == FLOW_DIR_ORIG));
	else
		len = framing_inner_len(f->framing, dir == FLOW_DIR_ORIG,
					pv->payload_wire_len);
	ev = ssh_infer_packet(&st->inf, &icfg, side, len, pv->ts_ns);
	if (ev & SSH_INF_REVERSE)
		ssh_report_reverse(c, f, st);
	if (ev & SSH_INF_KEEPALIVE)
		ssh_report_keepalive(c, f, st);
}

static void ssh_on_flow_end(struct an_ctx *c, struct flow *f, void *state,
			    enum flow_end_reason why)
{
	struct ssh_ref *r = state;
	struct ssh_pool *p = c->wstate;
	struct ssh_flow *st = session_of(p, r);
	struct ssh_infer_cfg icfg = ssh_infer_cfg_of(c->cfg);

	(void)why;
	if (!st)
		return;
	if (st->banner[0] && st->banner[1]) {
		fingerprints(p, st);
		handshake_findings(c, f, st);
	}
	if (ssh_infer_finish(&st->inf, &icfg) & SSH_INF_REVERSE)
		ssh_report_reverse(c, f, st);
	pool_release(p, st);
	slot_pool_put(&p->sessions, r->sess);
	r->sess = 0;
}

/* A proxy let the flow through (tunnel_door.c): SSH may start now. */
static void ssh_on_inner_stream(struct an_ctx *c, struct flow *f,
				void *state)
{
	struct ssh_ref *r = state;
	struct ssh_pool *p = c->wstate;
	struct ssh_flow *st = session_of(p, r);

	(void)f;
	if (st) {
		pool_release(p, st);
		slot_pool_put(&p->sessions, r->sess);
	}
	memset(r, 0, sizeof(*r));
}

static void ssh_worker_fini(void *wstate)
{
	struct ssh_pool *p = wstate;

	slot_pool_fini(&p->sessions);
	slot_pool_fini(&p->handshakes);
}

static int ssh_worker_init(void *wstate, const struct tw_config *cfg)
{
	struct ssh_pool *p = wstate;
	uint32_t nh = cfg->ssh.max_handshakes, ns = cfg->ssh.max_sessions;

	if (!cfg->ssh.enabled)
		return 0;
	p->slot_bytes = cfg->ssh.kexinit_max_bytes;
	if (slot_pool_init(&p->handshakes, nh, 2 * (size_t)p->slot_bytes) < 0 ||
	    slot_pool_init(&p->sessions, ns, sizeof(struct ssh_flow)) < 0) {
		ssh_worker_fini(p);
		return -ENOMEM;
	}
	return 0;
}

static bool ssh_enabled(const struct tw_config *cfg)
{
	return cfg->ssh.enabled;
}

const struct analyzer ssh_analyzer = {
	.name = "ssh",
	.enabled = ssh_enabled,
	.flow_state_size = sizeof(struct ssh_ref),
	.worker_state_size = sizeof(struct ssh_pool),
	.worker_init = ssh_worker_init,
	.worker_fini = ssh_worker_fini,
	.on_payload = ssh_on_payload,
	.on_packet = ssh_on_packet,
	.on_flow_end = ssh_on_flow_end,
	.on_inner_stream = ssh_on_inner_stream,
};
