/* SPDX-License-Identifier: BSD-3-Clause */
/* A finding: one piece of evidence an analyzer raises about a host, and the
 * ring that carries it from a worker to the manager. */
#ifndef TW_FINDINGS_H
#define TW_FINDINGS_H

#include <stdbool.h>
#include <stdint.h>

#include "base/net.h"
#include "decode/tunnel.h"
#include "findings/finding_kinds.h"

#define FINDING_DETAIL_MAX 12
#define FINDING_STR_MAX 96
#define FINDING_SUMMARY_MAX 160

enum detail_type { DETAIL_INT, DETAIL_DOUBLE, DETAIL_STR, DETAIL_BOOL };

struct finding_kv {
	const char *key;          /* static string */
	uint8_t type;             /* enum detail_type */
	union {
		int64_t i;
		double d;
		char s[FINDING_STR_MAX];
	} v;
};

struct finding {
	const char *kind;         /* finding_kinds[kind_id].name, to print */
	uint8_t kind_id;          /* enum finding_kind: what code compares */
	uint8_t severity;         /* enum severity */
	/* The severity the finding takes when the manager knows its peer to
	 * be rare (verdict/prevalence.h): a flow's shape is only evidence of
	 * a tunnel with more evidence beside it. SEV_INFO: no such rise. */
	uint8_t rare_severity;
	/* the flow's start was seen (TCP handshake, or UDP): had its peer
	 * been looked up, the answer would have been seen too */
	uint8_t start_seen;
	uint8_t proto;
	uint8_t host_is_orig;     /* analyzer's view of which side is the host */
	uint8_t n_detail;
	struct ip_addr orig, resp; /* originator and responder of the flow */
	uint16_t orig_port, resp_port;
	uint64_t flow_id;
	uint64_t first_ns, last_ns;
	uint32_t count;
	char summary[FINDING_SUMMARY_MAX];
	struct finding_kv detail[FINDING_DETAIL_MAX];
	struct pkt_tunnel tunnel;  /* the flow's outer layers, if any */
	/* The flow the finding was raised on, as it was then, for the event
	 * log (EVE's 5-tuple, app_proto, flow{}): orig/resp above may name
	 * another peer (a pool an answer resolved to). has_flow 0: none. */
	uint8_t has_flow;
	uint16_t app;              /* app label id (scan/app_id.h) */
	uint16_t flow_orig_port, flow_resp_port;
	struct ip_addr flow_orig, flow_resp;
	uint64_t flow_start_ns;
	uint64_t flow_pkts[2], flow_bytes[2]; /* [0] from the originator */
};

struct flow;

/* Prefills f from the flow: endpoints, proto, flow id, first/last time,
 * count 1, host = originator. */
void finding_init(struct finding *f, const struct flow *flow,
		  enum finding_kind kind, enum severity sev);
/* Makes f a finding of another kind (a link made from it). */
void finding_set_kind(struct finding *f, enum finding_kind kind);
void finding_summary(struct finding *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void finding_add_int(struct finding *f, const char *key, int64_t v);
void finding_add_double(struct finding *f, const char *key, double v);
void finding_add_str(struct finding *f, const char *key, const char *v);
void finding_add_bool(struct finding *f, const char *key, bool v);

/* "ssh" for "ssh.reverse_session", written into buf. */
const char *finding_family(const char *kind, char *buf, unsigned len);
const char *severity_name(enum severity s);
/* RFC 3339 UTC with microseconds: 2024-01-02T03:04:05.123456Z */
const char *time_format_rfc3339(uint64_t ts_ns, char *buf, unsigned len);

#endif
