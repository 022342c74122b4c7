/* SPDX-License-Identifier: BSD-3-Clause */
/* SSH inside TLS (issue 12, item 3): stunnel, socat's OPENSSL addresses
 * or any TLS wrapper around SSH on 443 look like HTTPS by their bytes;
 * the sizes and order of the first application records do not. Each
 * record of the wrapper carries what one read from the SSH socket gave,
 * so the SSH handshake shows through the record lengths:
 *
 *  R1 banners: each side's first application record is a short line,
 *     12..TIN_BANNER_MAX bytes of plaintext ("SSH-2.0-OpenSSH_9.2p1
 *     Debian-2+deb12u3\r\n" is 41); the server's may be one record with
 *     its KEXINIT (TIN_KEXINIT_MIN+12..TIN_KEXINIT_MAX+TIN_BANNER_MAX
 *     bytes), the client's never is: OpenSSH, PuTTY and libssh wait for
 *     the server's banner before they send KEXINIT, so the server's
 *     banner record also arrives before the client's second record (an
 *     HTTP/2 client sends its requests without waiting); on the server
 *     side up to two records of 101..599 bytes may come first (TLS 1.3
 *     session tickets, which travel as application data).
 *  R2 KEXINITs: unless merged with the banner, each side's next record is
 *     TIN_KEXINIT_MIN..TIN_KEXINIT_MAX bytes (the algorithm lists).
 *  R3 the client's next record (the key exchange init: 48 bytes for
 *     curve25519, about 1.2 kB for the sntrup761 hybrid) is 32..2048
 *     bytes, and the server's next (the reply, NEWKEYS with it or not)
 *     is 64..4096 bytes.
 *  R4 binary packet arithmetic: before NEWKEYS every SSH packet is a
 *     multiple of 8 bytes (RFC 4253, 6), and both directions of a TLS
 *     connection add the same per-record overhead. So the record lengths
 *     of the unmerged KEXINITs and the client's key exchange init are
 *     congruent modulo 8, the server's reply modulo 4 (OpenSSH sends its
 *     first encrypted packet, EXT_INFO, with it: 4 mod 8 under every
 *     AEAD or encrypt-then-MAC cipher); with TLS 1.3 (told from the
 *     client's first encrypted record being application data, its
 *     Finished) the overhead is known, 17 bytes (AEAD tag and the inner
 *     content type, no padding), and the congruences are checked against
 *     17 itself. Two to four independent congruences: about one HTTPS
 *     connection in 32 to 2048 that passes R1-R3 passes R4 by chance.
 *
 * All four hold: tunnel.ssh_in_tls (high). The session is then followed
 * with ssh_infer.c on the records' plaintext sizes (length minus the
 * overhead: 17 with TLS 1.3, 24 otherwise, as AES-GCM adds): keystroke-
 * sized records answered by same-size echoes, typed from the server's
 * side (bursts driven from the far side): ssh.reverse_session; records
 * of one size at a fixed period and nothing else (autossh's keepalives):
 * ssh.keepalive_tunnel (high: SSH hidden in TLS); detail carrier "tls".
 *
 * Behind a proxy's CONNECT the walk starts over with the inner stream,
 * the CONNECT target in the detail.
 *
 * Rule M, a session picked up mid-stream (no SYN seen, flow_table.c; the
 * handshakes, outer and inner, went before): each TLS application record
 * still carries what one read from the SSH socket gave, one or more
 * whole encrypted SSH packets, and each of those is 4 mod 8 bytes
 * (chacha20-poly1305, AES-GCM, encrypt-then-MAC; ssh_mid.h) and at least
 * 28. So a record's plaintext (its length less the AEAD overhead: 17
 * with TLS 1.3, 24 with TLS 1.2 AES-GCM, 16 with its chacha20) is a
 * multiple of 4 of at least 28, and the record lengths of one flow are
 * all 1 mod 4 (TLS 1.3) or all 0 mod 4 (TLS 1.2), one of the two for
 * the whole flow (tin_mid_record). Records of TIN_MID_BULK bytes or more
 * (parts of larger writes) and the record after one are skipped, any
 * other record that does not fit ends the watch: TIN_MID_NEED records
 * that fit, TIN_MID_NEED_DIR of them each way, make the flow SSH (random
 * lengths pass one record in four: about 2^-31 for 16). The session is
 * then followed from the next record (a slot, ssh_infer.c, as after a
 * seen handshake; not from the records that told it, which may hold the
 * end of the login), its findings with `identified_by: record_sizes` and
 * `seen_from_start: false`. No tunnel.ssh_in_tls is claimed: the sizes
 * alone only say SSH-like framing, the behaviour makes the finding.
 *
 * Records are found from the TCP segments' own bytes (on_packet), not
 * from the reassembled stream, so flow.inspect_bytes (which a server's
 * certificate chain alone may exhaust) does not bound them: a header
 * walk over each in-order segment, TIN_RECORDS records per direction at
 * most before the verdict. Only flows labelled TLS by their first bytes
 * are walked; a record header that is not TLS (out of order, a gap) or
 * lies beyond the captured bytes ends the walk. After a verdict that is
 * not SSH, or TIN_RECORDS records without one, the flow costs nothing
 * more, and most stop earlier: each record is checked against R1-R3 as
 * it comes (tin_may_be_ssh), so an HTTPS request larger than a banner
 * ends the walk at the client's first record; a session found keeps
 * walking, records only.
 *
 * Memory: 88 bytes per flow; a session found takes a slot (about 200
 * bytes) from a per-worker pool of ssh.max_sessions. */
#include <errno.h>
#include <string.h>

#include "analyzers/analyzer.h"
#include "analyzers/common/slot_pool.h"
#include "analyzers/common/ssh_infer.h"
#include "analyzers/tls_inner/tls_inner.h"
#include "config/config.h"
#include "scan/app_id.h"

enum tin_phase { TIN_START = 0, TIN_WALK, TIN_SESSION, TIN_DONE };

enum {
	REC_CCS = 20,
	REC_ALERT = 21,
	REC_HANDSHAKE = 22,
	REC_APP = 23,
};

struct tin_flow {
	uint32_t left[2];          /* bytes of the current record to come */
	uint8_t hdr[2][5];         /* a record header split across segments */
	uint8_t hdr_len[2];
	uint8_t phase;             /* enum tin_phase */
	uint8_t ccs[2];            /* ChangeCipherSpec seen, by direction */
	uint8_t hs_done;           /* the client's Finished went by */
	uint8_t tls13;
	uint8_t n_app[2];          /* application records seen (capped) */
	uint8_t mid;               /* picked up mid-stream: rule M */
	uint8_t synced;            /* mid: bit per direction at a record */
	uint8_t unsynced;          /* mid: segments skipped before that */
	uint32_t sess;             /* slot in the worker's pool, 0 = none */
	union {
		struct tin_records rec;   /* the first TIN_RECORDS of each side */
		struct tin_mid m;         /* mid: rule M's state */
	} u;
};

struct tin_session {
	struct ssh_infer inf;
	uint32_t records[2];
};

struct tin_worker {
	struct slot_pool sessions;
};

/* ---- the verdict on the first records (pure, see tls_inner.h) ---- */

static bool in(uint32_t v, uint32_t lo, uint32_t hi)
{
	return v >= lo && v <= hi;
}

bool tin_ssh_handshake(const struct tin_records *r, bool tls13,
		       struct tin_shape *out)
{
	uint32_t o = tls13 ? TIN_OVERHEAD_13 : TIN_OVERHEAD_12;
	uint32_t cong[4], n_cong = 0, base;
	unsigned ci = 0, si = 0;
	struct tin_shape s;

	memset(&s, 0, sizeof(s));
	if (r->n[0] < 3 || r->n[1] < 2)
		return false;
#define P(side, i) (r->len[side][i] > o ? r->len[side][i] - o : 0)
	/* R1, client: a banner on its own (the client waits for the
	 * server's banner before it sends KEXINIT) */
	if (!in(P(0, 0), 12, TIN_BANNER_MAX))
		return false;
	s.client_banner = P(0, 0);
	/* R2 */
	if (!in(P(0, 1), TIN_KEXINIT_MIN, TIN_KEXINIT_MAX))
		return false;
	s.client_kexinit = P(0, 1);
	cong[n_cong++] = r->len[0][1];
	ci = 2;
	/* R1, server: session tickets first, then the banner */
	while (si < 2 && si < r->n[1] && in(P(1, si), TIN_BANNER_MAX + 1, 599))
		si++;
	s.tickets = si;
	if (si < r->n[1] && in(P(1, si), 12, TIN_BANNER_MAX)) {
		s.server_banner = P(1, si);
		si++;
		if (si >= r->n[1] ||
		    !in(P(1, si), TIN_KEXINIT_MIN, TIN_KEXINIT_MAX))
			return false;
		s.server_kexinit = P(1, si);
		cong[n_cong++] = r->len[1][si];
		si++;
	} else if (si < r->n[1] &&
		   in(P(1, si), TIN_KEXINIT_MIN + 12,
		      TIN_KEXINIT_MAX + TIN_BANNER_MAX)) {
		s.server_kexinit = P(1, si);
		s.merged |= 2;
		si++;
	} else {
		return false;
	}
	/* R1: ... and so the server's banner came first */
	if (r->order[1][s.merged ? si - 1 : si - 2] > r->order[0][1])
		return false;
	/* R3 */
	if (ci >= r->n[0] || !in(P(0, ci), 32, 2048) || si >= r->n[1] ||
	    !in(P(1, si), 64, 4096))
		return false;
	s.client_kex = P(0, ci);
	s.server_kex = P(1, si);
	cong[n_cong++] = r->len[0][ci];
#undef P
	/* R4: the reply may carry the server's first encrypted packet too
	 * (OpenSSH sends EXT_INFO right after NEWKEYS), 4 mod 8 with every
	 * AEAD or encrypt-then-MAC cipher: modulo 4 for that record */
	base = tls13 ? TIN_OVERHEAD_13 : cong[0];
	for (uint32_t i = 0; i < n_cong; i++)
		if (((cong[i] - base) & 7) != 0)
			return false;
	if (((r->len[1][si] - base) & 3) != 0)
		return false;
	s.congruent = n_cong + 1;
	if (out)
		*out = s;
	return true;
}

bool tin_may_be_ssh(const struct tin_records *r, bool tls13)
{
	uint32_t o = tls13 ? TIN_OVERHEAD_13 : TIN_OVERHEAD_12;
	unsigned si = 0;

#define P(side, i) (r->len[side][i] > o ? r->len[side][i] - o : 0)
	if ((r->n[0] >= 1 && !in(P(0, 0), 12, TIN_BANNER_MAX)) ||
	    (r->n[0] >= 2 && !in(P(0, 1), TIN_KEXINIT_MIN, TIN_KEXINIT_MAX)) ||
	    (r->n[0] >= 3 && !in(P(0, 2), 32, 2048)))
		return false;
	while (si < 2 && si < r->n[1] && in(P(1, si), TIN_BANNER_MAX + 1, 599))
		si++;
	if (si >= r->n[1])
		return true;
	if (in(P(1, si), 12, TIN_BANNER_MAX))
		return si + 1 >= r->n[1] ||
		       in(P(1, si + 1), TIN_KEXINIT_MIN, TIN_KEXINIT_MAX);
	return in(P(1, si), TIN_KEXINIT_MIN + 12,
		  TIN_KEXINIT_MAX + TIN_BANNER_MAX);
#undef P
}

static enum tin_mid_verdict mid_decide(struct tin_mid *m,
				       enum tin_mid_verdict v)
{
	m->verdict = (uint8_t)v;
	return v;
}

enum tin_mid_verdict tin_mid_record(struct tin_mid *m, unsigned dir,
				    uint32_t len, bool *fits)
{
	uint8_t bit = (uint8_t)(1u << (dir & 1));
	uint8_t r;

	*fits = false;
	if (m->verdict != TIN_MID_UNDECIDED)
		return (enum tin_mid_verdict)m->verdict;
	if (++m->seen > TIN_MID_MAX_RECORDS)
		return mid_decide(m, TIN_MID_NOT);
	if (len >= TIN_MID_BULK) {
		m->after_bulk |= bit;
		return TIN_MID_UNDECIDED;
	}
	if (m->after_bulk & bit) {
		m->after_bulk &= (uint8_t)~bit;
		return TIN_MID_UNDECIDED;
	}
	r = (len & 3) == 1 ? TIN_MID_TLS13 : (len & 3) == 0 ? TIN_MID_TLS12 : 0;
	if (r == 0 || (m->residue && r != m->residue) ||
	    len < TIN_MID_MIN_INNER + (r == TIN_MID_TLS13 ?
					       TIN_OVERHEAD_13 :
					       TIN_OVERHEAD_12_CHACHA))
		return mid_decide(m, TIN_MID_NOT);
	m->residue = r;
	m->ok[dir & 1]++;
	*fits = true;
	if (m->ok[0] >= TIN_MID_NEED_DIR && m->ok[1] >= TIN_MID_NEED_DIR &&
	    m->ok[0] + m->ok[1] >= TIN_MID_NEED)
		return mid_decide(m, TIN_MID_SSH);
	return TIN_MID_UNDECIDED;
}

/* ---- the engine side ---- */

static void done(struct an_ctx *c, struct flow *f, struct tin_flow *t)
{
	struct tin_worker *w = c->wstate;

	t->phase = TIN_DONE;
	if (t->sess) {
		slot_pool_put(&w->sessions, t->sess);
		t->sess = 0;
	}
	an_packets_done(c, f);
}

static void report_handshake(struct an_ctx *c, const struct flow *f,
			     const struct tin_flow *t,
			     const struct tin_shape *s)
{
	char peer[64];
	struct finding fd;

	finding_init(&fd, f, FK_TUNNEL_SSH_IN_TLS, SEV_HIGH);
	ip_addr_format(&f->resp_addr, peer, sizeof(peer));
	finding_summary(&fd, "SSH inside TLS to %s:%u: banner, KEXINIT and key exchange sizes in the first application records",
			peer, flow_service_port(f));
	an_add_nesting(c, f, &fd);
	finding_add_int(&fd, "port", flow_service_port(f));
	finding_add_str(&fd, "tls", t->tls13 ? "1.3" : "1.2 or older");
	finding_add_int(&fd, "client_banner_bytes", s->client_banner);
	finding_add_int(&fd, "server_banner_bytes", s->server_banner);
	finding_add_int(&fd, "client_kexinit_bytes", s->client_kexinit);
	finding_add_int(&fd, "server_kexinit_bytes", s->server_kexinit);
	finding_add_int(&fd, "client_kex_bytes", s->client_kex);
	finding_add_int(&fd, "server_kex_bytes", s->server_kex);
	finding_add_int(&fd, "records_congruent_mod8", s->congruent);
	finding_add_int(&fd, "session_tickets", s->tickets);
	an_emit(c, &fd);
}

static void report_reverse(struct an_ctx *c, const struct flow *f,
			   const struct tin_session *s)
{
	char peer[64];
	const char *typing;
	struct finding fd;
	double cv;

	typing = ssh_infer_typing(&s->inf, SSH_SERVER, &cv);
	finding_init(&fd, f, FK_SSH_REVERSE_SESSION, SEV_HIGH);
	if (s->inf.first_server_key_ns)
		fd.first_ns = s->inf.first_server_key_ns;
	ip_addr_format(&f->resp_addr, peer, sizeof(peer));
	finding_summary(&fd, "reverse SSH session inside TLS to %s:%u: %u keystrokes typed from the server side (%u B records), %s typing",
			peer, flow_service_port(f), s->inf.keys[SSH_SERVER],
			s->inf.key_size[SSH_SERVER], typing);
	an_add_nesting(c, f, &fd);
	finding_add_str(&fd, "carrier", "tls");
	finding_add_int(&fd, "server_keystrokes", s->inf.keys[SSH_SERVER]);
	finding_add_int(&fd, "client_keystrokes", s->inf.keys[SSH_CLIENT]);
	finding_add_int(&fd, "keystroke_bytes", s->inf.key_size[SSH_SERVER]);
	finding_add_str(&fd, "typing", typing);
	finding_add_double(&fd, "typing_gap_cv", cv);
	if (f->midstream)
		finding_add_str(&fd, "identified_by", "record_sizes");
	an_emit(c, &fd);
}

static void report_keepalive(struct an_ctx *c, const struct flow *f,
			     const struct tin_session *s)
{
	const struct ssh_infer *i = &s->inf;
	double mean = (double)i->ka_sum_ms / 1000.0 / (double)(i->ka_events - 1);
	char peer[64];
	struct finding fd;

	finding_init(&fd, f, FK_SSH_KEEPALIVE_TUNNEL, SEV_HIGH);
	ip_addr_format(&f->resp_addr, peer, sizeof(peer));
	finding_summary(&fd, "idle SSH tunnel inside TLS to %s:%u: only %u B keepalive records every %.1f s from the %s, no typing",
			peer, flow_service_port(f), i->ka_size, mean,
			i->ka_side == SSH_CLIENT ? "client" : "server");
	an_add_nesting(c, f, &fd);
	finding_add_str(&fd, "carrier", "tls");
	finding_add_double(&fd, "interval_s", mean);
	finding_add_int(&fd, "keepalives", i->ka_events);
	finding_add_int(&fd, "keepalive_bytes", i->ka_size);
	finding_add_str(&fd, "sent_by", i->ka_side == SSH_CLIENT ? "client" :
								   "server");
	finding_add_int(&fd, "port", flow_service_port(f));
	if (f->midstream)
		finding_add_str(&fd, "identified_by", "record_sizes");
	an_emit(c, &fd);
}

/* Both sides have shown enough records: SSH or not. */
static void judge(struct an_ctx *c, struct flow *f, struct tin_flow *t)
{
	struct tin_worker *w = c->wstate;
	struct tin_shape s;

	if (!tin_ssh_handshake(&t->u.rec, t->tls13, &s)) {
		done(c, f, t);
		return;
	}
	report_handshake(c, f, t, &s);
	t->sess = slot_pool_get(&w->sessions);
	if (!t->sess) {
		done(c, f, t);
		return;
	}
	/* the login's sizes are not judged (ssh.c reads them from the
	 * packets it sees after NEWKEYS; here the records that carried them
	 * were spent on the verdict): keystrokes from the next record on */
	((struct tin_session *)slot_pool_at(&w->sessions, t->sess))->inf.auth =
		SSH_AUTH_UNKNOWN;
	t->phase = TIN_SESSION;
}

static void session_record(struct an_ctx *c, struct flow *f,
			   struct tin_flow *t, enum flow_dir_id dir,
			   uint32_t len, uint64_t ts)
{
	struct tin_worker *w = c->wstate;
	struct tin_session *s = slot_pool_at(&w->sessions, t->sess);
	uint32_t o = t->tls13 ? TIN_OVERHEAD_13 : TIN_OVERHEAD_12;
	struct ssh_infer_cfg icfg = ssh_infer_cfg_of(c->cfg);
	/* the TCP originator is the SSH client: a role inversion inside
	 * TLS would show as the server's banner coming first, not judged */
	enum ssh_side side = dir == FLOW_DIR_ORIG ? SSH_CLIENT : SSH_SERVER;

	unsigned ev;

	s->records[dir]++;
	ev = ssh_infer_packet(&s->inf, &icfg, side, len > o ? len - o : len,
			      ts);
	if (ev & SSH_INF_REVERSE)
		report_reverse(c, f, s);
	if (ev & SSH_INF_KEEPALIVE)
		report_keepalive(c, f, s);
}

/* Rule M: one application record of a flow picked up mid-stream. */
static void mid_record(struct an_ctx *c, struct flow *f, struct tin_flow *t,
		       enum flow_dir_id dir, uint32_t len, uint64_t ts)
{
	struct tin_worker *w = c->wstate;
	enum tin_mid_verdict v;
	bool fits;

	(void)ts;
	v = tin_mid_record(&t->u.m, dir, len, &fits);
	if (v == TIN_MID_UNDECIDED)
		return;
	t->sess = v == TIN_MID_SSH ? slot_pool_get(&w->sessions) : 0;
	if (!t->sess) {
		done(c, f, t);   /* not SSH, or no slot: unwatched */
		return;
	}
	an_count(c, TW_CTR_AN_SSH_MIDSTREAM);
	t->tls13 = t->u.m.residue == TIN_MID_TLS13;
	/* followed from the next record, as ssh.c follows a connection
	 * its segment sizes told: the records that told it may carry the
	 * end of the login, which is no typing */
	((struct tin_session *)slot_pool_at(&w->sessions, t->sess))->inf.auth =
		SSH_AUTH_UNKNOWN;
	t->phase = TIN_SESSION;
}

/* One whole record header: where the handshake is, what is data. */
static void record(struct an_ctx *c, struct flow *f, struct tin_flow *t,
		   enum flow_dir_id dir, uint8_t type, uint32_t len,
		   uint64_t ts)
{
	if (t->mid) {   /* no handshake to place: data only */
		if (type != REC_APP)
			return;
		if (t->phase == TIN_SESSION)
			session_record(c, f, t, dir, len, ts);
		else
			mid_record(c, f, t, dir, len, ts);
		return;
	}
	if (type == REC_CCS) {
		t->ccs[dir] = 1;
		return;
	}
	if (!t->hs_done) {
		if (dir == FLOW_DIR_ORIG && t->ccs[dir] &&
		    (type == REC_HANDSHAKE || type == REC_APP)) {
			/* the client's Finished, encrypted: TLS 1.2 sends it
			 * as a handshake record, 1.3 as application data */
			t->hs_done = 1;
			t->tls13 = type == REC_APP;
		} else if (dir == FLOW_DIR_ORIG && type == REC_APP) {
			t->hs_done = 1;   /* 1.3 without the compatibility CCS */
			t->tls13 = 1;
		}
		return;   /* the server's encrypted flight (1.3) included */
	}
	if (type != REC_APP)
		return;
	if (t->phase == TIN_SESSION) {
		session_record(c, f, t, dir, len, ts);
		return;
	}
	if (t->n_app[dir] < TIN_RECORDS)
	{
		t->u.rec.len[dir][t->n_app[dir]] = (uint16_t)len;
		t->u.rec.order[dir][t->n_app[dir]] =
			(uint8_t)(t->u.rec.n[0] + t->u.rec.n[1]);
	}
	t->n_app[dir]++;
	t->u.rec.n[dir] = t->n_app[dir] < TIN_RECORDS ? t->n_app[dir] :
						      TIN_RECORDS;
	if (!tin_may_be_ssh(&t->u.rec, t->tls13))
		done(c, f, t);   /* most HTTPS ends here, at a record or two */
	else if (t->u.rec.n[FLOW_DIR_ORIG] >= TIN_JUDGE_AT &&
		 t->u.rec.n[FLOW_DIR_RESP] >= TIN_JUDGE_AT)
		judge(c, f, t);
	else if (t->n_app[dir] >= 4 * TIN_RECORDS)
		done(c, f, t);   /* one side talks, the other does not */
}

/* Walks one in-order segment's record headers. */
static void walk(struct an_ctx *c, struct flow *f, struct tin_flow *t,
		 enum flow_dir_id dir, const struct pkt_view *pv)
{
	uint32_t wire = pv->payload_wire_len, cap = pv->payload_len, i = 0;

	if (t->mid && !(t->synced & (1u << dir))) {
		/* picked up inside a record: from the first segment of this
		 * direction that starts with an application record's header */
		if (cap < 3 || pv->payload[0] != REC_APP ||
		    pv->payload[1] != 3 || pv->payload[2] != 3) {
			if (++t->unsynced > 8)
				done(c, f, t);
			return;
		}
		t->synced |= (uint8_t)(1u << dir);
	}

	while (i < wire && t->phase != TIN_DONE) {
		const uint8_t *h;
		uint32_t len;

		if (t->left[dir]) {
			uint32_t k = wire - i < t->left[dir] ? wire - i :
							      t->left[dir];

			t->left[dir] -= k;
			i += k;
			continue;
		}
		if (i >= cap) {          /* the header was not captured */
			done(c, f, t);
			return;
		}
		if (t->hdr_len[dir] == 0 && cap - i >= 5) {
			h = pv->payload + i;   /* read in place */
			i += 5;
		} else {
			t->hdr[dir][t->hdr_len[dir]++] = pv->payload[i++];
			if (t->hdr_len[dir] < 5)
				continue;
			t->hdr_len[dir] = 0;
			h = t->hdr[dir];
		}
		len = (uint32_t)h[3] << 8 | h[4];
		if (h[0] < REC_CCS || h[0] > REC_APP || h[1] != 3 ||
		    h[2] > 4 || len == 0 || len > 16384 + 2048) {
			done(c, f, t);   /* lost the records (a gap, reorder) */
			return;
		}
		t->left[dir] = len;
		record(c, f, t, dir, h[0], len, pv->ts_ns);
	}
}

static __attribute__((noinline)) void
tin_packet_bytes(struct an_ctx *c, struct flow *f, struct tin_flow *t,
		 const struct pkt_view *pv, enum flow_dir_id dir)
{
	if (t->phase == TIN_START && f->midstream && !f->nested) {
		/* no handshake: TLS by the first record seen (the pattern
		 * for any record at a stream's start), either side */
		if (f->app && strcmp(app_label(f), "tls") != 0) {
			done(c, f, t);
			return;
		}
		if (!f->app) {   /* inside a record, or not TLS */
			if (++t->unsynced > 8)
				done(c, f, t);
			return;
		}
		t->phase = TIN_WALK;
		t->mid = 1;
		t->unsynced = 0;
	} else if (t->phase == TIN_START) {
		/* TLS by the client's first bytes (the pattern ran on this
		 * packet): anything else is not walked. Behind a proxy's
		 * door the answer that opened it comes first: waited out. */
		if (dir != FLOW_DIR_ORIG)
			return;
		if (!f->app || strcmp(app_label(f), "tls") != 0) {
			done(c, f, t);
			return;
		}
		t->phase = TIN_WALK;
	}
	walk(c, f, t, dir, pv);
}

/* Most packets carry no payload (the handshake, ACKs): they leave here,
 * before the walk's frame is set up. */
static void tin_on_packet(struct an_ctx *c, struct flow *f, void *state,
			  const struct pkt_view *pv, enum flow_dir_id dir)
{
	if (pv->payload_wire_len == 0 || pv->retransmit)
		return;
	tin_packet_bytes(c, f, state, pv, dir);
}

/* Through a proxy's CONNECT (tunnel_door.c) TLS starts over. */
static void tin_on_inner_stream(struct an_ctx *c, struct flow *f,
				void *state)
{
	struct tin_flow *t = state;
	struct tin_worker *w = c->wstate;

	if (t->sess)
		slot_pool_put(&w->sessions, t->sess);
	memset(t, 0, sizeof(*t));
	if (f->framing)
		an_packets_done(c, f);   /* framed: no record headers to walk */
}

static unsigned tin_flow_classes(const struct tw_config *cfg)
{
	(void)cfg;
	return AN_FLOWS_TCP;
}

static void tin_on_flow_end(struct an_ctx *c, struct flow *f, void *state,
			    enum flow_end_reason why)
{
	struct tin_flow *t = state;
	struct tin_worker *w = c->wstate;

	(void)why;
	if (t->phase == TIN_WALK && t->hs_done && !t->mid)
		judge(c, f, t);
	if (t->sess && t->phase == TIN_SESSION) {
		struct tin_session *s = slot_pool_at(&w->sessions, t->sess);
		struct ssh_infer_cfg icfg = ssh_infer_cfg_of(c->cfg);

		if (ssh_infer_finish(&s->inf, &icfg) & SSH_INF_REVERSE)
			report_reverse(c, f, s);
	}
	if (t->sess) {
		slot_pool_put(&w->sessions, t->sess);
		t->sess = 0;
	}
}

static int tin_worker_init(void *wstate, const struct tw_config *cfg)
{
	struct tin_worker *w = wstate;

	return slot_pool_init(&w->sessions,
			      cfg->ssh.enabled ? cfg->ssh.max_sessions : 0,
			      sizeof(struct tin_session));
}

static void tin_worker_fini(void *wstate)
{
	struct tin_worker *w = wstate;

	slot_pool_fini(&w->sessions);
}

static bool tin_enabled(const struct tw_config *cfg)
{
	return cfg->ssh.enabled;
}

_Static_assert(sizeof(struct tin_flow) == 88, "tin_flow: 88 bytes a flow");

const struct analyzer tls_inner_analyzer = {
	.name = "tls_inner",
	.enabled = tin_enabled,   /* ssh.enabled: SSH in TLS */
	.flow_state_size = sizeof(struct tin_flow),
	.worker_state_size = sizeof(struct tin_worker),
	.worker_init = tin_worker_init,
	.worker_fini = tin_worker_fini,
	.flow_classes = tin_flow_classes,
	.on_packet = tin_on_packet,
	.on_flow_end = tin_on_flow_end,
	.on_inner_stream = tin_on_inner_stream,
};
