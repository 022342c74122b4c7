/* SPDX-License-Identifier: BSD-3-Clause */
/* ICMP tunnels (icmp.tunnel): echo flows whose payloads are data, not
 * the patterns ping tools send (icmp_payload.c). Per echo flow (the pair
 * and the echo identifier) it counts:
 *   - odd payloads: no ping pattern, content changing between packets
 *     (a custom but constant payload is a monitoring probe, not data);
 *   - replies whose payload differs from their request's: a host echoes
 *     the request unchanged (RFC 792), a tunnel server answers with data;
 *   - ptunnel headers, the bytes carried, sizes, entropy and rate.
 * Medium from icmp.min_odd_echoes odd payloads or icmp.min_mismatches
 * mismatched replies, or from one request of icmp.content_min_bytes whose
 * payload is text or base64 (exfiltration in a handful of echoes: no
 * ping tool fills a payload with prose; a constant one repeated is a
 * monitoring probe and stops counting); high with a ptunnel header, two
 * of these at once, or icmp.high_bytes odd bytes. Reported at the packet that crosses a level
 * (a tunnel may never end while we watch), and again each time the echoes
 * doubled since, so the host's report is at most a factor 2 behind.
 * ICMP errors quote real packets and are not looked at.
 *
 * The host is the echo requester (the flow's originator): the tunnel
 * client inside, or whoever pings into the network. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "analyzers/analyzer.h"
#include "analyzers/icmp/icmp_payload.h"
#include "config/config.h"
#include "decode/decode.h"

#define NS_PER_S 1000000000ull
#define REQ_RING 4        /* recent requests kept to match replies */
#define ICMP_ECHO_REPLY 0
#define ICMP_ECHO_REQUEST 8
#define ICMPV6_ECHO_REQUEST 128
#define ICMPV6_ECHO_REPLY 129

struct req_slot {
	uint32_t hash;        /* of the judged bytes */
	uint16_t seq;
	uint16_t len;         /* payload bytes on the wire */
	uint16_t judged;      /* bytes hashed; 0 and len 0: slot empty */
};

struct icmp_flow {
	uint32_t requests, replies;
	uint32_t odd, odd_changes;
	uint32_t mismatches;
	uint32_t odd_bytes;           /* saturated */
	uint32_t last_odd_hash;
	uint32_t reported_at;         /* echoes at the last report */
	uint16_t last_odd_len;
	uint16_t size_changes;        /* odd payloads of another size */
	uint16_t high_entropy;        /* odd payloads over icmp.high_entropy */
	uint16_t text;                /* odd payloads that are text */
	uint16_t content;             /* requests of text, content_min_bytes+ */
	uint16_t ptunnel;
	uint16_t max_len;
	uint8_t reported;             /* enum severity reported, 0 = none */
	uint8_t ring_head;
	struct req_slot ring[REQ_RING];
};

static bool echo_type(const struct pkt_view *pv, bool *request)
{
	if (pv->proto == TW_PROTO_ICMP) {
		*request = pv->icmp_type == ICMP_ECHO_REQUEST;
		return *request || pv->icmp_type == ICMP_ECHO_REPLY;
	}
	if (pv->proto == TW_PROTO_ICMPV6) {
		*request = pv->icmp_type == ICMPV6_ECHO_REQUEST;
		return *request || pv->icmp_type == ICMPV6_ECHO_REPLY;
	}
	return false;
}

static uint16_t sat16(uint32_t v)
{
	return v > UINT16_MAX ? UINT16_MAX : (uint16_t)v;
}

static void inc16(uint16_t *v)
{
	if (*v < UINT16_MAX)
		(*v)++;
}

static void note_odd(const struct tw_config *cfg, struct icmp_flow *st,
		     const struct icmp_pl_class *pc, uint32_t wire_len,
		     bool request)
{
	uint64_t bytes = (uint64_t)st->odd_bytes + wire_len;

	if (st->odd > 0 && pc->content_hash != st->last_odd_hash)
		st->odd_changes++;
	if (st->odd > 0 && sat16(wire_len) != st->last_odd_len)
		inc16(&st->size_changes);
	st->odd++;
	st->odd_bytes = bytes > UINT32_MAX ? UINT32_MAX : (uint32_t)bytes;
	st->last_odd_hash = pc->content_hash;
	st->last_odd_len = sat16(wire_len);
	if (pc->entropy_ratio >= cfg->icmp.high_entropy)
		inc16(&st->high_entropy);
	if (pc->kind == ICMP_PL_TEXT)
		inc16(&st->text);
	if (pc->kind == ICMP_PL_TEXT && request &&
	    wire_len >= cfg->icmp.content_min_bytes)
		inc16(&st->content);
	if (pc->kind == ICMP_PL_PTUNNEL)
		inc16(&st->ptunnel);
}

static void remember_request(struct icmp_flow *st, const struct pkt_view *pv,
			     const struct icmp_pl_class *pc)
{
	struct req_slot *s = &st->ring[st->ring_head];

	s->seq = pv->icmp_seq;
	s->len = sat16(pv->payload_wire_len);
	s->hash = pc->full_hash;
	s->judged = sat16(pc->judged);
	st->ring_head = (uint8_t)((st->ring_head + 1) % REQ_RING);
}

/* A reply to a remembered request whose bytes differ. Replies cut
 * shorter by the snaplen than their request are not compared. */
static void check_reply(struct icmp_flow *st, const struct pkt_view *pv,
			const uint8_t *p, const struct icmp_pl_class *pc)
{
	for (unsigned i = 0; i < REQ_RING; i++) {
		struct req_slot *s = &st->ring[i];
		struct icmp_pl_class same;

		if (!s->judged && !s->len)
			continue;
		if (s->seq != pv->icmp_seq)
			continue;
		if (s->len != sat16(pv->payload_wire_len)) {
			st->mismatches++;
		} else if (pc->judged >= s->judged) {
			icmp_payload_classify(p, s->judged, &same);
			if (same.full_hash != s->hash)
				st->mismatches++;
		}
		memset(s, 0, sizeof(*s));
		return;
	}
}

/* at_end: the flow is over, so a lone text echo is known not to be a
 * probe that repeats itself; while open, text counts once it changed. */
static enum severity icmp_level(const struct tw_config *cfg,
				const struct icmp_flow *st, bool at_end)
{
	bool odd = st->odd >= cfg->icmp.min_odd_echoes && st->odd_changes > 0;
	bool mismatch = st->mismatches >= cfg->icmp.min_mismatches;
	/* the same text again and again is a probe's signature, not data */
	bool content = st->content > 0 &&
		       (st->odd_changes > 0 ||
			(at_end && st->odd < cfg->icmp.min_odd_echoes));
	unsigned signs = (unsigned)odd + (unsigned)mismatch + (unsigned)content;

	if (st->ptunnel > 0 || signs >= 2 ||
	    (signs && st->odd_bytes >= cfg->icmp.high_bytes))
		return SEV_HIGH;
	if (signs)
		return SEV_MEDIUM;
	return SEV_INFO;
}

static const char *evidence_kind(const struct icmp_flow *st)
{
	if (st->ptunnel)
		return "ptunnel";
	if (st->high_entropy * 2 > st->odd)
		return "binary";
	if (st->text * 2 > st->odd)
		return "text";
	return st->odd ? "binary" : "mismatched";
}

static void icmp_emit(struct an_ctx *c, const struct flow *f,
		      const struct icmp_flow *st, enum severity sev,
		      uint64_t ts)
{
	uint64_t dur = ts > f->first_ns ? ts - f->first_ns : 0;
	double secs = (double)dur / (double)NS_PER_S;
	double rate = secs > 0 ? (double)(st->requests + st->replies) / secs : 0;
	char peer[64];
	struct finding fd;

	finding_init(&fd, f, FK_ICMP_TUNNEL, sev);
	fd.last_ns = ts;
	fd.host_is_orig = 1;
	finding_summary(&fd, "ICMP echo tunnel to %s: %u of %u echoes carry %s data (%u B), %u replies unlike their request",
			ip_addr_format(&f->resp_addr, peer, sizeof(peer)),
			st->odd, st->requests + st->replies,
			evidence_kind(st), st->odd_bytes, st->mismatches);
	finding_add_str(&fd, "payload", evidence_kind(st));
	finding_add_int(&fd, "requests", st->requests);
	finding_add_int(&fd, "replies", st->replies);
	finding_add_int(&fd, "odd_payloads", st->odd);
	finding_add_int(&fd, "odd_bytes", st->odd_bytes);
	finding_add_int(&fd, "mismatched_replies", st->mismatches);
	finding_add_int(&fd, "high_entropy", st->high_entropy);
	finding_add_int(&fd, "size_changes", st->size_changes);
	finding_add_int(&fd, "max_payload", st->max_len);
	finding_add_int(&fd, "text_requests", st->content);
	finding_add_double(&fd, "packets_per_sec", rate);
	an_emit(c, &fd);
}

/* A new level, or the same one with twice the echoes: the report then
 * shows counts at most a factor 2 behind. */
static void icmp_report(struct an_ctx *c, const struct flow *f,
			struct icmp_flow *st, enum severity sev, uint64_t ts)
{
	if (sev > st->reported ||
	    (st->reported &&
	     st->requests + st->replies >= 2 * (uint64_t)st->reported_at)) {
		if (sev > st->reported)
			st->reported = (uint8_t)sev;
		st->reported_at = st->requests + st->replies;
		icmp_emit(c, f, st, (enum severity)st->reported, ts);
	}
}

static void icmp_on_packet(struct an_ctx *c, struct flow *f, void *state,
			   const struct pkt_view *pv, enum flow_dir_id dir)
{
	struct icmp_flow *st = state;
	struct icmp_pl_class pc;
	bool request;

	(void)dir;
	if (!echo_type(pv, &request))
		return;
	icmp_payload_classify(pv->payload, pv->payload_len, &pc);
	if (request) {
		st->requests++;
		remember_request(st, pv, &pc);
	} else {
		st->replies++;
		check_reply(st, pv, pv->payload, &pc);
	}
	if (sat16(pv->payload_wire_len) > st->max_len)
		st->max_len = sat16(pv->payload_wire_len);
	if (!icmp_pl_is_standard(pc.kind))
		note_odd(c->cfg, st, &pc, pv->payload_wire_len, request);
	icmp_report(c, f, st, icmp_level(c->cfg, st, false), pv->ts_ns);
}

/* A handful of echoes may end before any level is crossed while open. */
static void icmp_on_flow_end(struct an_ctx *c, struct flow *f, void *state,
			     enum flow_end_reason why)
{
	struct icmp_flow *st = state;
	enum severity sev;

	(void)why;
	if (st->requests + st->replies == 0)   /* none, or disabled */
		return;
	sev = icmp_level(c->cfg, st, true);
	if (sev > st->reported)
		icmp_report(c, f, st, sev, f->last_ns);
}

/* Only echo flows interest us: every other flow stops calling us. */
static void icmp_on_flow_new(struct an_ctx *c, struct flow *f, void *state)
{
	(void)state;
	if (f->proto != TW_PROTO_ICMP && f->proto != TW_PROTO_ICMPV6)
		an_packets_done(c, f);
}

static bool icmp_enabled(const struct tw_config *cfg)
{
	return cfg->icmp.enabled;
}

const struct analyzer icmp_analyzer = {
	.name = "icmp",
	.enabled = icmp_enabled,
	.flow_state_size = sizeof(struct icmp_flow),
	.on_flow_new = icmp_on_flow_new,
	.on_packet = icmp_on_packet,
	.on_flow_end = icmp_on_flow_end,
};
