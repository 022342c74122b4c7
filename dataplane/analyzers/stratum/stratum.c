/* SPDX-License-Identifier: BSD-3-Clause */
/* Mining pool protocols in clear text: Stratum v1, CryptoNote/XMRig,
 * EthProxy and getwork, on any port (mining.stratum, high).
 *
 * Two steps, as the patterns' own comment says: a patterns/stratum.hs
 * match (ids 200-299) marks a direction as a candidate for a dialect, and
 * the streaming JSON-RPC scanner (jsonrpc_scan.c) confirms it when one
 * object carries a mining method together with params and id (XMRig's
 * job push has no id: its params must hold blob, job_id and target). A
 * candidate alone is never reported, so JSON-RPC APIs, Bitcoin, Monero
 * and Ethereum P2P stay clean.
 *
 * The miner is the side that sent client methods (or, with only pool
 * pushes seen, the other side). Evidence: dialect, miner agent, login
 * (wallet addresses shortened unless mining.redact_wallets is off), pool
 * address, job and share counts, difficulty and duration. The finding is
 * raised when the flow ends (or the input does), when those are known;
 * jobs and shares are counted in the inspected bytes (flow.inspect_bytes
 * per direction), pool and miner messages over the whole flow.
 *
 * Memory: a flow keeps 32 bytes here; the scanner and the captured texts
 * (~600 bytes) live in a per-worker pool of mining.max_sessions slots,
 * taken when a flow that may carry JSON-RPC (label none, unknown,
 * jsonrpc, http) shows payload, and given back when it turns out to be
 * something else, or when mining.scan_window bytes passed with no
 * stratum.hs candidate, or when the flow ends. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzers/analyzer.h"
#include "analyzers/stratum/jsonrpc_scan.h"
#include "analyzers/stratum/mining_methods.h"
#include "analyzers/stratum/mining_text.h"
#include "analyzers/common/slot_pool.h"
#include "config/config.h"
#include "scan/app_id.h"
#include "decode/decode.h"

#define STRATUM_ID_LO 200
#define STRATUM_ID_HI 299
#define CAP_MAX 48

/* Captures, per direction (which side said it is known at object end). */
enum { CAP_NONE = 0, CAP_P0, CAP_AUX };

struct stratum_dir {
	struct jrpc_scan scan;
	struct mtext p0;            /* params[0] or params.login */
	struct mtext aux;           /* params.agent or params.target */
	uint8_t aux_key;            /* JK_AGENT or JK_TARGET */
};

/* A flow's parsing state, in the worker's slot pool. */
struct stratum_session {
	struct stratum_dir dir[2];
	struct mtext agent, login;
	double difficulty;
};

struct stratum_flow {
	uint32_t session;           /* slot handle, 0 = none */
	uint32_t jobs, shares;      /* pattern matches in inspected bytes */
	uint32_t msgs[2];           /* payload packets per direction */
	uint8_t cand[2];            /* bit per dialect from stratum.hs */
	uint8_t mode[2];            /* jrpc_sniff() state per direction */
	uint8_t crlf[2];            /* DM_HTTP_HEAD: bytes of CRLFCRLF seen */
	uint16_t app_seen;          /* f->app when the label was last judged */
	uint8_t reported_open;      /* reported when its inspection ended */
	uint8_t dialect;            /* first confirmed */
	uint8_t miner_dir;          /* FLOW_DIR_* of the miner */
	uint8_t client_seen;        /* a client method was confirmed */
	uint8_t done;               /* payload inspection given up */
};

struct stratum_worker {
	struct slot_pool sessions;
};

/* The scanner's sink context: the flow and the direction being fed. */
struct feed_ctx {
	struct stratum_flow *st;
	struct stratum_session *ss;
	struct stratum_dir *d;
	enum flow_dir_id dir;
};

static uint8_t cap_start(void *ctx, const struct jrpc_pos *pos)
{
	struct feed_ctx *fc = ctx;
	struct stratum_dir *d = fc->d;

	if (pos->depth != 2 || pos->key1 != JK_PARAMS)
		return CAP_NONE;
	if (pos->in_array) {
		if (pos->index2 != 0)
			return CAP_NONE;
		mtext_clear(&d->p0);
		return CAP_P0;
	}
	switch (pos->key2) {
	case JK_LOGIN:
		mtext_clear(&d->p0);
		return CAP_P0;
	case JK_AGENT:
	case JK_TARGET:
		mtext_clear(&d->aux);
		d->aux_key = pos->key2;
		return CAP_AUX;
	default:
		return CAP_NONE;
	}
}

static void cap_byte(void *ctx, uint8_t cap, uint8_t byte)
{
	struct feed_ctx *fc = ctx;

	if (cap == CAP_P0)
		mtext_put(&fc->d->p0, byte);
	else if (cap == CAP_AUX)
		mtext_put(&fc->d->aux, byte);
}

static void commit(struct stratum_session *ss, struct stratum_dir *d,
		   const struct mining_method *m)
{
	switch (m->act) {
	case A_AGENT:
		if (!ss->agent.len)
			ss->agent = d->p0;
		break;
	case A_LOGIN:
		if (!ss->login.len)
			ss->login = d->p0;
		if (d->aux_key == JK_AGENT && d->aux.len && !ss->agent.len)
			ss->agent = d->aux;
		break;
	case A_DIFF:
		ss->difficulty = mtext_number(&d->p0);
		break;
	case A_TARGET:
		ss->difficulty = mtext_target_difficulty(&d->p0);
		break;
	case A_JOB:
		if (d->aux_key == JK_TARGET && d->aux.len)
			ss->difficulty = mtext_target_difficulty(&d->aux);
		break;
	default:
		break;
	}
}

static void object_end(void *ctx, uint32_t keys1, uint32_t keys2,
		       const char *method)
{
	struct feed_ctx *fc = ctx;
	struct stratum_flow *st = fc->st;
	const struct mining_method *m;

	if (!st->cand[fc->dir])
		return;                 /* no candidate: nothing to confirm */
	m = mining_method_find(method);
	if (!m || !(st->cand[fc->dir] & (1u << m->dialect)) ||
	    !mining_framing_confirms(m, keys1, keys2))
		return;
	if (!st->dialect)
		st->dialect = m->dialect;
	if (m->role == R_CLIENT && !st->client_seen) {
		st->client_seen = 1;
		st->miner_dir = (uint8_t)fc->dir;
	} else if (!st->client_seen) {
		st->miner_dir = (uint8_t)(fc->dir ^ 1);
	}
	commit(fc->ss, fc->d, m);
	/* the object's captures are used up */
	fc->d->aux_key = JK_NONE;
}

/* Labels that may carry mining JSON-RPC: anything else is let go. */
static bool label_may_mine(const struct flow *f)
{
	const char *l = app_label(f);

	return strcmp(l, "none") == 0 || strcmp(l, "unknown") == 0 ||
	       strcmp(l, "jsonrpc") == 0 || strcmp(l, "http") == 0;
}

static void session_release(struct an_ctx *c, struct stratum_flow *st)
{
	struct stratum_worker *w = c->wstate;

	slot_pool_put(&w->sessions, st->session);
	st->session = 0;
}

static void give_up(struct an_ctx *c, struct flow *f, struct stratum_flow *st)
{
	st->done = 1;
	session_release(c, st);
	an_payload_done(c, f);
	an_packets_done(c, f);
}

static void stratum_on_flow_new(struct an_ctx *c, struct flow *f, void *state)
{
	struct stratum_flow *st = state;

	if (!c->cfg->mining.enabled || f->proto != TW_PROTO_TCP)
		give_up(c, f, st);
	else if (f->midstream)   /* from the next line when not at one */
		st->mode[0] = st->mode[1] = JRPC_SNIFF_MID_START;
}

static void stratum_on_packet(struct an_ctx *c, struct flow *f, void *state,
			 const struct pkt_view *pv, enum flow_dir_id dir)
{
	struct stratum_flow *st = state;

	(void)c;
	(void)f;
	if (pv->payload_wire_len > 0 && !pv->retransmit &&
	    st->msgs[dir] < UINT32_MAX)
		st->msgs[dir]++;
}

static void stratum_on_match(struct an_ctx *c, struct flow *f, void *state,
			enum flow_dir_id dir, uint32_t id, uint64_t end)
{
	struct stratum_flow *st = state;

	(void)c;
	(void)f;
	(void)end;
	if (st->done)
		return;
	st->cand[dir] |= (uint8_t)(1u << mining_id_dialect(id));
	if (mining_id_act(id) == A_JOB && st->jobs < UINT32_MAX)
		st->jobs++;
	else if (mining_id_act(id) == A_SHARE && st->shares < UINT32_MAX)
		st->shares++;
}

/* The finding, from what the session holds now: raised once the
 * inspection of a confirmed flow ends (a miner may stay connected for
 * days) and again when the flow ends, with the final duration and
 * message counts (the host table keeps the later report). */
static void report(struct an_ctx *c, const struct flow *f,
		   const struct stratum_flow *st, bool open)
{
	struct stratum_session *ss = slot_pool_at(
		&((struct stratum_worker *)c->wstate)->sessions, st->session);
	enum flow_dir_id miner;
	char pool[80], addr[64], login[CAP_MAX + 16], agent[CAP_MAX + 8];
	const struct ip_addr *pa;
	uint16_t pport;
	struct finding fd;
	double dur;

	miner = (enum flow_dir_id)st->miner_dir;
	pa = miner == FLOW_DIR_ORIG ? &f->resp_addr : &f->orig_addr;
	pport = miner == FLOW_DIR_ORIG ? f->resp_port : f->orig_port;
	ip_addr_format(pa, addr, sizeof(addr));
	snprintf(pool, sizeof(pool), ip_addr_is_v4(pa) ? "%s:%u" : "[%s]:%u",
		 addr, pport);
	mtext_login(&ss->login, c->cfg->mining.redact_wallets, login,
		    sizeof(login));
	mtext_plain(&ss->agent, agent, sizeof(agent));
	dur = (double)flow_duration_ns(f) / 1e9;

	finding_init(&fd, f, FK_MINING_STRATUM, SEV_HIGH);
	fd.host_is_orig = miner == FLOW_DIR_ORIG;
	finding_summary(&fd, "%s mining to pool %s%s%s, %u jobs, %u shares, %.0f s%s",
			mining_dialect_name(st->dialect), pool,
			agent[0] ? " by " : "", agent, st->jobs, st->shares,
			dur, open ? ", open" : "");
	finding_add_str(&fd, "dialect", mining_dialect_name(st->dialect));
	if (agent[0])
		finding_add_str(&fd, "agent", agent);
	if (login[0])
		finding_add_str(&fd, "login", login);
	finding_add_str(&fd, "pool", pool);
	finding_add_int(&fd, "jobs", st->jobs);
	finding_add_int(&fd, "shares", st->shares);
	if (ss->difficulty > 0 && isfinite(ss->difficulty))
		finding_add_double(&fd, "difficulty", ss->difficulty);
	finding_add_double(&fd, "duration_s", dur);
	finding_add_int(&fd, "pool_msgs", st->msgs[miner ^ 1]);
	finding_add_int(&fd, "miner_msgs", st->msgs[miner]);
	an_emit(c, &fd);
}

/* No candidate after this many inspected bytes: not a mining session. */
static bool window_passed(const struct tw_config *cfg, const struct flow *f,
			  const struct stratum_flow *st)
{
	return !st->cand[0] && !st->cand[1] &&
	       f->side[0].stream.inspected + f->side[1].stream.inspected >=
		       cfg->mining.scan_window;
}

static void stratum_on_payload(struct an_ctx *c, struct flow *f, void *state,
			  enum flow_dir_id dir, const uint8_t *data,
			  uint32_t len, bool gap)
{
	struct stratum_flow *st = state;
	struct stratum_worker *w = c->wstate;
	struct feed_ctx fc;
	struct jrpc_sink sink = { cap_start, cap_byte, object_end, &fc };
	uint32_t off;

	if (st->done)
		return;
	/* the label is looked at when it changes, not per chunk */
	if (!st->dialect && f->app != st->app_seen) {
		st->app_seen = f->app;
		if (!label_may_mine(f)) {
			give_up(c, f, st);
			return;
		}
	}
	if (!st->dialect && window_passed(c->cfg, f, st)) {
		give_up(c, f, st);
		return;
	}
	off = jrpc_sniff(&st->mode[dir], &st->crlf[dir], data, len);
	if (!st->dialect && st->mode[0] == JRPC_SNIFF_SKIP &&
	    st->mode[1] == JRPC_SNIFF_SKIP) {
		give_up(c, f, st);
		return;
	}
	if (off >= len)
		return;
	if (!st->session && !(st->session = slot_pool_get(&w->sessions))) {
		an_count(c, TW_CTR_AN_MINING_SESSIONS_FULL);
		give_up(c, f, st);      /* pool full */
		return;
	}
	fc = (struct feed_ctx){ st, slot_pool_at(&w->sessions, st->session),
				NULL, dir };
	fc.d = &fc.ss->dir[dir];
	if (gap)
		jrpc_reset(&fc.d->scan);
	jrpc_feed(&fc.d->scan, data + off, len - off, &sink);
	/* a direction of a confirmed flow reached the inspection limit:
	 * report now (a miner may stay connected for days); the other
	 * direction and the messages go on counting for the report at its
	 * end */
	if (st->dialect && !st->reported_open &&
	    f->side[dir].stream.inspected + len >= c->cfg->flow.inspect_bytes) {
		st->reported_open = 1;
		report(c, f, st, true);
	}
}

static void stratum_on_flow_end(struct an_ctx *c, struct flow *f, void *state,
			   enum flow_end_reason why)
{
	struct stratum_flow *st = state;

	(void)why;
	if (st->dialect && st->session)
		report(c, f, st, false);
	session_release(c, st);
}

static int stratum_worker_init(void *wstate, const struct tw_config *cfg)
{
	struct stratum_worker *w = wstate;

	if (!cfg->mining.enabled)
		return slot_pool_init(&w->sessions, 0, 0);
	return slot_pool_init(&w->sessions, cfg->mining.max_sessions,
			      sizeof(struct stratum_session));
}

static void stratum_worker_fini(void *wstate)
{
	struct stratum_worker *w = wstate;

	slot_pool_fini(&w->sessions);
}

static bool stratum_enabled(const struct tw_config *cfg)
{
	return cfg->mining.enabled;
}

const struct analyzer stratum_analyzer = {
	.name = "stratum",
	.enabled = stratum_enabled,
	.flow_state_size = sizeof(struct stratum_flow),
	.worker_state_size = sizeof(struct stratum_worker),
	.patterns = "stratum.hs",
	.match_lo = STRATUM_ID_LO,
	.match_hi = STRATUM_ID_HI,
	.worker_init = stratum_worker_init,
	.worker_fini = stratum_worker_fini,
	.on_flow_new = stratum_on_flow_new,
	.on_packet = stratum_on_packet,
	.on_payload = stratum_on_payload,
	.on_match = stratum_on_match,
	.on_flow_end = stratum_on_flow_end,
};
