/* SPDX-License-Identifier: BSD-3-Clause */
/* Mining pools by name (mining.pool_name): a DNS question or answer, or a
 * TLS SNI, for a domain of patterns/pools.txt (name_list.c, suffix match).
 *
 *   - DNS over UDP or TCP port 53 (or a flow app_id calls dns): every
 *     question and CNAME target is matched; a pool lookup is medium, on
 *     the client that asked (the query's sender, the answer's receiver).
 *     An answer's finding carries the resolved addresses and their
 *     smallest TTL, so a later connection to them can be tied to the name
 *     (verdict/mining_link.c does it in the manager, order-independently:
 *     the lookup and the connection are different host pairs and may be
 *     on different workers).
 *   - TLS: the SNI of the ClientHello. A pool-named TLS flow is medium at
 *     once; when it also shows the pool/miner rhythm it is raised to high
 *     at its end: it lasted mining.tls_min_duration, the server pushed at
 *     least mining.tls_min_pushes messages unprompted (a new job: server
 *     payload a second or more after the client's last), and the client's
 *     messages are small (shares, at most mining.tls_max_client_bytes on
 *     average). Inside TLS nothing else is visible: no dialect, login or
 *     share result; Stratum V2 (Noise-encrypted) is seen the same way.
 *
 * A ClientHello cut before its SNI (post-quantum key shares split it over
 * two segments) is collected in one of mining.hello_buffers per-worker
 * buffers of 4 KB until it is whole. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "analyzers/analyzer.h"
#include "analyzers/common/dns_parse.h"
#include "analyzers/pool_names/hello_buf.h"
#include "analyzers/common/name_list.h"
#include "analyzers/common/tls_parse.h"
#include "config/config.h"
#include "scan/app_id.h"
#include "decode/decode.h"

#define DNS_PORT 53
#define NS_PER_S 1000000000ull
#define PUSH_GAP_NS NS_PER_S   /* server data this long after the client's */

enum pn_mode { POOL_NAME_UNDECIDED = 0, POOL_NAME_DNS, POOL_NAME_HELLO, POOL_NAME_TLS, POOL_NAME_DONE };

struct pn_flow {
	union {
		struct {                    /* TCP: the TLS rhythm */
			const char *pool;   /* listed name the SNI matched */
			uint64_t last_orig_ns; /* last client payload */
			uint64_t orig_bytes;
			uint32_t orig_msgs;
			uint32_t pushes;
		};
		uint32_t udp_seen[2];       /* UDP: bytes read per direction */
	};
	uint32_t hello;             /* hello buffer handle, 0 = none */
	uint8_t mode;
	uint8_t query_reported;     /* DNS: a pool question was reported */
};

struct pn_worker {
	struct name_list *names;
	struct dns_msg msg;
	struct tls_client_hello ch;
	struct hello_bufs hello;
};

static void let_go(struct an_ctx *c, struct flow *f, struct pn_flow *st)
{
	st->mode = POOL_NAME_DONE;
	an_payload_done(c, f);
	an_packets_done(c, f);
}

static bool is_dns_flow(const struct flow *f)
{
	return f->orig_port == DNS_PORT || f->resp_port == DNS_PORT ||
	       strcmp(app_label(f), "dns") == 0;
}

/* ---- DNS ---- */

/* The listed pool name the message asks about, or NULL. */
static const char *dns_pool(const struct pn_worker *w, const char **asked)
{
	const struct dns_msg *m = &w->msg;
	const char *hit;

	for (unsigned i = 0; i < m->n_questions; i++) {
		hit = name_list_match(w->names, m->q[i].name.text,
				      m->q[i].name.len);
		if (hit) {
			*asked = m->q[i].name.text;
			return hit;
		}
	}
	for (unsigned i = 0; i < m->n_answers; i++) {
		const struct dns_name *t = &m->an[i].target;

		hit = t->len ? name_list_match(w->names, t->text, t->len) : NULL;
		if (hit) {
			*asked = m->n_questions ? m->q[0].name.text : t->text;
			return hit;
		}
	}
	return NULL;
}

/* A pool lookup, on the client that asked. A query is reported once per
 * flow; an answer when it resolved addresses (or when its query went
 * unseen). An answer's finding names the first resolved address as its
 * peer, so that two answers merge only when they agree, the report shows
 * the pool's address, and a later question (no addresses) cannot replace
 * it in the host's table (verdict/mining_link.c reads its "addrs"). */
static void dns_emit(struct an_ctx *c, const struct flow *f,
		     const struct pn_worker *w, struct pn_flow *st,
		     enum flow_dir_id dir, const char *pool,
		     const char *asked)
{
	const struct dns_msg *m = &w->msg;
	char addrs[FINDING_STR_MAX], tbuf[16];
	struct ip_addr first;
	struct finding fd;
	uint32_t ttl = 0;
	bool answer = m->hdr.qr, client_is_orig = (dir == FLOW_DIR_ORIG) != answer;
	unsigned n_addrs = 0;

	addrs[0] = '\0';
	if (answer)
		n_addrs = dns_answer_addrs(m, addrs, sizeof(addrs), &ttl,
					   first.b);
	if ((!answer || !n_addrs) && st->query_reported)
		return;
	if (!answer || !n_addrs)
		st->query_reported = 1;

	finding_init(&fd, f, FK_MINING_POOL_NAME, SEV_MEDIUM);
	fd.host_is_orig = client_is_orig;
	if (n_addrs) {
		/* client -> resolved pool address, port 0 */
		fd.orig = client_is_orig ? f->orig_addr : f->resp_addr;
		fd.orig_port = client_is_orig ? f->orig_port : f->resp_port;
		fd.resp = first;
		fd.resp_port = 0;
		fd.host_is_orig = 1;
	}
	finding_summary(&fd, "DNS %s for mining pool %s (%s)%s%s",
			answer ? "answer" : "query", asked, pool,
			addrs[0] ? " -> " : "", addrs);
	finding_add_str(&fd, "source", n_addrs ? "dns-answer" : "dns-query");
	finding_add_str(&fd, "name", asked);
	finding_add_str(&fd, "pool", pool);
	if (m->n_questions)
		finding_add_str(&fd, "qtype",
				dns_type_name(m->q[0].qtype, tbuf,
					      sizeof(tbuf)));
	if (n_addrs) {
		finding_add_str(&fd, "addrs", addrs);
		finding_add_int(&fd, "ttl", ttl);
	}
	an_emit(c, &fd);
}

/* Every address an answer names, for the manager: a connection to an
 * address no answer named, from a host whose lookups we see, is evidence
 * (verdict/prevalence.h). This analyzer parses the answers anyway. */
static void note_named(struct an_ctx *c, const struct flow *f,
		       enum flow_dir_id dir, const struct dns_msg *m)
{
	const struct ip_addr *client = dir == FLOW_DIR_RESP ? &f->orig_addr
							    : &f->resp_addr;

	if (!m->hdr.qr)
		return;
	for (unsigned i = 0; i < m->n_answers; i++) {
		const struct dns_rr *rr = &m->an[i];
		struct ip_addr a;

		if (rr->type == DNS_TYPE_A) {
			ip_addr_from_v4(&a, rr->addr.a);
		} else if (rr->type == DNS_TYPE_AAAA) {
			memcpy(a.b, rr->addr.aaaa, sizeof(a.b));
		} else {
			continue;
		}
		an_note_named(c, client, &a);
	}
}

static void dns_payload(struct an_ctx *c, struct flow *f, struct pn_flow *st,
			enum flow_dir_id dir, const uint8_t *data,
			uint32_t len)
{
	struct pn_worker *w = c->wstate;
	const char *pool, *asked = "";

	/* TCP: a chunk that starts a message (the common case), whole after
	 * its 2-byte length; UDP: one datagram each. A cut answer still
	 * gives its question. */
	if (f->proto == TW_PROTO_TCP) {
		size_t mlen = len >= 2 ? (size_t)(data[0] << 8 | data[1]) : 0;

		if (len < 2 || len - 2 < mlen)
			return;
		data += 2;
		len = (uint32_t)mlen;
	}
	dns_parse_answers(data, len, &w->msg);
	note_named(c, f, dir, &w->msg);
	pool = dns_pool(w, &asked);
	if (pool)
		dns_emit(c, f, w, st, dir, pool, asked);
}

/* ---- TLS ---- */

static void tls_emit(struct an_ctx *c, const struct flow *f,
		     const struct pn_flow *st, const char *sni,
		     enum severity sev, uint64_t dur_ns)
{
	struct finding fd;
	char peer[64];

	finding_init(&fd, f, FK_MINING_POOL_NAME, sev);
	ip_addr_format(&f->resp_addr, peer, sizeof(peer));
	if (sev == SEV_HIGH)
		finding_summary(&fd, "TLS to mining pool %s (%s:%u) with a miner's rhythm: %u job pushes, %u client messages, %.0f s",
				st->pool, peer, f->resp_port, st->pushes,
				st->orig_msgs, (double)dur_ns / 1e9);
	else
		finding_summary(&fd, "TLS to mining pool %s (%s:%u), SNI %s",
				st->pool, peer, f->resp_port, sni);
	finding_add_str(&fd, "source", "tls-sni");
	finding_add_str(&fd, "name", sni);
	finding_add_str(&fd, "pool", st->pool);
	if (sev == SEV_HIGH) {
		finding_add_int(&fd, "pushes", st->pushes);
		finding_add_int(&fd, "client_msgs", st->orig_msgs);
		finding_add_double(&fd, "client_avg_bytes",
				   st->orig_msgs ? (double)st->orig_bytes /
							   st->orig_msgs : 0);
		finding_add_double(&fd, "duration_s", (double)dur_ns / 1e9);
	}
	an_emit(c, &fd);
}

/* The client's first bytes: parsed when whole; a hello cut before its
 * SNI is collected in a hello buffer until it is (hello_buf.h). */
static void tls_payload(struct an_ctx *c, struct flow *f, struct pn_flow *st,
			const uint8_t *data, uint32_t len)
{
	struct pn_worker *w = c->wstate;
	const uint8_t *p = data;
	uint32_t n = len;
	size_t need = 0;
	int rc;

	if (st->hello)
		hello_collect(&w->hello, &st->hello, data, len, &p, &n);
	rc = tls_parse_client_hello(p, n, &w->ch, &need);
	if (rc == TLS_NEED_MORE && !w->ch.has_sni && n < HELLO_BUF_BYTES &&
	    need <= HELLO_BUF_BYTES) {
		if (!st->hello)
			hello_collect(&w->hello, &st->hello, data, len, &p, &n);
		if (st->hello) {
			st->mode = POOL_NAME_HELLO;
			return;         /* wait for the rest */
		}
	}
	hello_release(&w->hello, &st->hello);
	st->pool = (rc == TLS_OK || rc == TLS_NEED_MORE) && w->ch.has_sni ?
		name_list_match(w->names, w->ch.sni, w->ch.sni_len) : NULL;
	if (!st->pool) {
		let_go(c, f, st);
		return;
	}
	st->mode = POOL_NAME_TLS;
	an_payload_done(c, f);      /* the rhythm needs packets only */
	tls_emit(c, f, st, w->ch.sni, SEV_MEDIUM, 0);
}

static bool tls_rhythm(const struct tw_config *cfg, const struct pn_flow *st,
		       uint64_t dur_ns)
{
	return dur_ns >= cfg->mining.tls_min_duration_ns &&
	       st->pushes >= cfg->mining.tls_min_pushes && st->orig_msgs > 0 &&
	       (double)st->orig_bytes / st->orig_msgs <=
		       cfg->mining.tls_max_client_bytes;
}

/* ---- callbacks ---- */

/* UDP datagrams are read in on_packet, not as payload: a DNS flow then
 * costs no stream scan beyond what app_id asks for (the answers, here
 * alone, were most of it). Like payload inspection, the first
 * flow.inspect_bytes of each direction are read. */
static void pn_on_flow_new(struct an_ctx *c, struct flow *f, void *state)
{
	struct pn_flow *st = state;

	if (f->proto != TW_PROTO_TCP && f->proto != TW_PROTO_UDP)
		let_go(c, f, st);
	else if (f->proto == TW_PROTO_UDP)
		an_payload_done(c, f);
}

static void udp_packet(struct an_ctx *c, struct flow *f, struct pn_flow *st,
		       const struct pkt_view *pv, enum flow_dir_id dir)
{
	uint32_t limit = c->cfg->flow.inspect_bytes, n = pv->payload_len;

	if (n == 0 || st->udp_seen[dir] >= limit)
		return;
	if (n > limit - st->udp_seen[dir])
		n = limit - st->udp_seen[dir];
	st->udp_seen[dir] += n;
	/* judged at its first payload, as app_id's label stands then */
	if (st->mode == POOL_NAME_UNDECIDED) {
		if (!is_dns_flow(f)) {
			let_go(c, f, st);
			return;
		}
		st->mode = POOL_NAME_DNS;
	}
	dns_payload(c, f, st, dir, pv->payload, n);
	if (st->udp_seen[FLOW_DIR_ORIG] >= limit &&
	    st->udp_seen[FLOW_DIR_RESP] >= limit)
		let_go(c, f, st);
}

static void pn_on_payload(struct an_ctx *c, struct flow *f, void *state,
			  enum flow_dir_id dir, const uint8_t *data,
			  uint32_t len, bool gap)
{
	struct pn_flow *st = state;

	if (st->mode == POOL_NAME_DONE || st->mode == POOL_NAME_TLS ||
	    f->proto == TW_PROTO_UDP)
		return;
	if (st->mode == POOL_NAME_DNS ||
	    (st->mode == POOL_NAME_UNDECIDED && is_dns_flow(f))) {
		if (st->mode != POOL_NAME_DNS)
			an_packets_done(c, f);
		st->mode = POOL_NAME_DNS;
		if (!gap)
			dns_payload(c, f, st, dir, data, len);
		return;
	}
	if (st->mode == POOL_NAME_HELLO) {
		if (gap) {              /* the hello will not be whole */
			hello_release(&((struct pn_worker *)c->wstate)->hello,
				      &st->hello);
			let_go(c, f, st);
		} else if (dir == FLOW_DIR_ORIG) {
			tls_payload(c, f, st, data, len);
		}
		return;
	}
	if (f->proto == TW_PROTO_TCP && dir == FLOW_DIR_ORIG && !gap &&
	    len > 0 && data[0] == 0x16)
		tls_payload(c, f, st, data, len);
	else
		let_go(c, f, st);
}

static void pn_on_packet(struct an_ctx *c, struct flow *f, void *state,
			 const struct pkt_view *pv, enum flow_dir_id dir)
{
	struct pn_flow *st = state;

	if (f->proto == TW_PROTO_UDP) {
		udp_packet(c, f, st, pv, dir);
		return;
	}
	if (st->mode != POOL_NAME_TLS || pv->payload_wire_len == 0 || pv->retransmit)
		return;
	if (dir == FLOW_DIR_ORIG) {
		st->orig_msgs++;
		st->orig_bytes += pv->payload_wire_len;
		st->last_orig_ns = pv->ts_ns;
	} else if (pv->ts_ns >= st->last_orig_ns + PUSH_GAP_NS) {
		st->pushes++;
		/* a push spread over segments counts once */
		st->last_orig_ns = pv->ts_ns;
	}
}

static void pn_on_flow_end(struct an_ctx *c, struct flow *f, void *state,
			   enum flow_end_reason why)
{
	struct pn_flow *st = state;
	uint64_t dur = flow_duration_ns(f);

	(void)why;
	hello_release(&((struct pn_worker *)c->wstate)->hello, &st->hello);
	if (st->mode != POOL_NAME_TLS || !tls_rhythm(c->cfg, st, dur))
		return;
	/* the SNI text is gone with its packet: the listed name stands in */
	tls_emit(c, f, st, st->pool, SEV_HIGH, dur);
}

static int pn_worker_init(void *wstate, const struct tw_config *cfg)
{
	struct pn_worker *w = wstate;
	char path[TW_PATH_MAX + 16], err[256];

	if (!cfg->mining.enabled)
		return 0;
	if (cfg->mining.pools_file[0])
		snprintf(path, sizeof(path), "%s", cfg->mining.pools_file);
	else
		snprintf(path, sizeof(path), "%s/pools.txt",
			 cfg->scan.patterns_dir);
	if (name_list_load(path, cfg->mining.max_pool_names, &w->names, err,
			   sizeof(err)) != 0) {
		fprintf(stderr, "tunnelwatch: mining pools: %s\n", err);
		return -EINVAL;
	}
	return hello_bufs_init(&w->hello, cfg->mining.hello_buffers);
}

/* SIGHUP: the pool list again (a new pool name applies to new queries). */
static int pn_worker_reload(void *wstate, const struct tw_config *cfg)
{
	struct pn_worker *w = wstate;
	char path[TW_PATH_MAX + 16], err[256];
	struct name_list *next = NULL;

	if (!w->names)
		return 0; /* mining was off at start */
	if (cfg->mining.pools_file[0])
		snprintf(path, sizeof(path), "%s", cfg->mining.pools_file);
	else
		snprintf(path, sizeof(path), "%s/pools.txt",
			 cfg->scan.patterns_dir);
	if (name_list_load(path, cfg->mining.max_pool_names, &next, err,
			   sizeof(err)) != 0)
		return -1;
	name_list_free(w->names);
	w->names = next;
	return 0;
}

static void pn_worker_fini(void *wstate)
{
	struct pn_worker *w = wstate;

	name_list_free(w->names);
	w->names = NULL;
	hello_bufs_fini(&w->hello);
}

static bool pn_enabled(const struct tw_config *cfg)
{
	return cfg->mining.enabled;
}

const struct analyzer pool_names_analyzer = {
	.name = "pool_names",
	.enabled = pn_enabled,
	.flow_state_size = sizeof(struct pn_flow),
	.worker_state_size = sizeof(struct pn_worker),
	.worker_init = pn_worker_init,
	.worker_fini = pn_worker_fini,
	.worker_reload = pn_worker_reload,
	.on_flow_new = pn_on_flow_new,
	.on_packet = pn_on_packet,
	.on_payload = pn_on_payload,
	.on_flow_end = pn_on_flow_end,
};
