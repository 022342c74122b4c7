/* SPDX-License-Identifier: BSD-3-Clause */
/* DNS tunnels and exfiltration (dns.tunnel). Every DNS message over UDP
 * or TCP port 53 (or a UDP flow app_id calls DNS) is parsed (dns_parse.c)
 * and its question charged to (client, server, registered domain), the
 * registered domain from the public suffix list (libpsl with Debian's
 * publicsuffix file). The client is whoever asked: a query's sender, a
 * response's receiver; the resolver that answers is never the host.
 *
 * Per domain: queries, distinct names, names with an encoded label
 * (dns_label.c), the longest such label, record types a tunnel uses
 * (NULL and PRIVATE 65399 have no ordinary use; TXT, MX, CNAME, SRV, ANY
 * carry more bytes back), large answers, bytes. Levels:
 *   medium: one name with an encoded label of dns.long_label bytes (data
 *           sent in a single query); or a NULL/PRIVATE query; or
 *           dns.min_encoded_names encoded names with a tunnel record type,
 *           a long label or a large answer; or dns.min_unique_names
 *           distinct names of which a quarter are encoded;
 *   high:   medium, and dns.high_names tunnel-like names or dns.high_bytes
 *           bytes, or NULL/PRIVATE queries with encoded names;
 *   low:    dns.min_unique_names distinct names, nothing encoded.
 * Reported at the message that crosses a level, and again each time the
 * domain's queries doubled since (fresher counts, few reports).
 *
 * Not parsed, so never called a tunnel: DNS over TLS (853), HTTPS (DoH)
 * and DNSCrypt's encrypted queries; mDNS and LLMNR are other ports. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzers/analyzer.h"
#include "analyzers/dns_tunnel/dns_domains.h"
#include "analyzers/dns_tunnel/dns_label.h"
#include "analyzers/common/dns_parse.h"
#include "analyzers/common/dns_question.h"
#include "analyzers/dns_tunnel/dns_regdom.h"
#include "config/config.h"
#include "scan/app_id.h"
#include "decode/decode.h"

#define DNS_PORT 53
#define DNS_TYPE_PRIVATE 65399    /* iodine's PRIVATE record type */
#define DNS_ENCODED_LONGISH 24    /* an encoded label this long is data */

struct dns_flow {
	uint32_t tcp_skip[2];         /* bytes of a message split over segments */
};

struct dns_worker {
	struct dns_domains *domains;
	struct dns_regdom *regdom;
};

static bool is_rare_type(uint16_t t)
{
	return t == DNS_TYPE_NULL || t == DNS_TYPE_PRIVATE;
}

static bool is_tunnel_type(uint16_t t)
{
	return is_rare_type(t) || t == DNS_TYPE_TXT || t == DNS_TYPE_MX ||
	       t == DNS_TYPE_CNAME || t == DNS_TYPE_SRV || t == DNS_TYPE_ANY;
}

static bool ends_with(const char *s, size_t n, const char *suffix)
{
	size_t m = strlen(suffix);

	return n >= m && memcmp(s + n - m, suffix, m) == 0 &&
	       (n == m || s[n - m - 1] == '.');
}

/* The start of a name, cut to fit the report. */
static void keep_example(struct dns_domain *d, const struct dns_name *n)
{
	size_t len = n->len < sizeof(d->example) - 1 ? n->len :
						       sizeof(d->example) - 1;

	memcpy(d->example, n->text, len);
	d->example[len] = '\0';
}

/* ---- levels ---- */

static enum severity dns_level(const struct tw_config *cfg,
			       const struct dns_domain *d)
{
	uint32_t unique = dns_domain_unique(d);
	uint32_t tunnel_like = d->encoded + d->rare_types;
	bool enough = d->encoded >= cfg->dns.min_encoded_names;
	bool medium =
		d->long_encoded > 0 || d->rare_types > 0 ||
		(enough && (d->tunnel_types > 0 || d->large > 0 ||
			    d->longest_label >= DNS_ENCODED_LONGISH)) ||
		(unique >= cfg->dns.min_unique_names && d->encoded * 4 >= unique);

	if (medium && (tunnel_like >= cfg->dns.high_names ||
		       d->bytes >= cfg->dns.high_bytes ||
		       (d->rare_types > 0 && enough)))
		return SEV_HIGH;
	if (medium)
		return SEV_MEDIUM;
	if (unique >= cfg->dns.min_unique_names)
		return SEV_LOW;
	return SEV_INFO;
}

static void dns_emit(struct an_ctx *c, const struct flow *f,
		     const struct dns_domain *d, enum severity sev)
{
	char server[64], tbuf[16];
	struct finding fd;

	finding_init(&fd, f, FK_DNS_TUNNEL, sev);
	fd.first_ns = d->first_ns;
	fd.last_ns = d->last_ns;
	fd.host_is_orig = ip_addr_cmp(&d->client, &f->orig_addr) == 0;
	ip_addr_format(&d->server, server, sizeof(server));
	if (sev == SEV_LOW)
		finding_summary(&fd, "many names under %s via %s: %u queries, %u names, %u encoded",
				d->domain, server, d->queries,
				dns_domain_unique(d), d->encoded);
	else
		finding_summary(&fd, "DNS tunnel under %s via %s: %u queries, %u names, %u encoded (%s, %u chars), %u NULL/PRIVATE",
				d->domain, server, d->queries,
				dns_domain_unique(d), d->encoded,
				dns_label_kind_name(d->example_kind),
				d->longest_label, d->rare_types);
	finding_add_str(&fd, "domain", d->domain);
	finding_add_str(&fd, "example", d->example);
	finding_add_str(&fd, "encoding", dns_label_kind_name(d->example_kind));
	finding_add_str(&fd, "qtype", dns_type_name(d->example_type, tbuf,
						    sizeof(tbuf)));
	finding_add_int(&fd, "queries", d->queries);
	finding_add_int(&fd, "unique_names", dns_domain_unique(d));
	finding_add_int(&fd, "encoded_names", d->encoded);
	finding_add_int(&fd, "tunnel_types", d->tunnel_types);
	finding_add_int(&fd, "large_answers", d->large);
	finding_add_int(&fd, "bytes", (int64_t)d->bytes);
	an_emit(c, &fd);
}

/* ---- one message ---- */

/* Lower-cased copy and where its registered domain starts. */
static const char *registered_domain(const struct dns_worker *w,
				     const struct dns_name *n, char *lower)
{
	/* the text is printable ASCII (dns_parse.h): no locale needed */
	for (unsigned i = 0; i <= n->len; i++) {
		char ch = n->text[i];

		lower[i] = ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch;
	}
	return dns_regdom_find(w->regdom, lower, n->len);
}

static void note_query(const struct tw_config *cfg, struct dns_domain *d,
		       const struct dns_first_question *q, const char *lower,
		       size_t sub_len)
{
	struct dns_name_class nc;

	d->queries++;
	dns_domain_note_name(d, dns_text_hash(lower, q->name.len));
	if (is_tunnel_type(q->qtype))
		d->tunnel_types++;
	if (is_rare_type(q->qtype))
		d->rare_types++;
	dns_name_classify(q->name.text, sub_len, cfg->dns.encoded_min_label,
			  &nc);
	if (nc.kind == DNS_LABEL_PLAIN) {
		if (!d->example[0] && is_rare_type(q->qtype))
			keep_example(d, &q->name);
		return;
	}
	d->encoded++;
	if (nc.label_len >= cfg->dns.long_label)
		d->long_encoded++;
	if (nc.label_len > d->longest_label || !d->example[0]) {
		d->longest_label = nc.label_len > d->longest_label ?
					   nc.label_len : d->longest_label;
		d->example_kind = (uint8_t)nc.kind;
		d->example_type = q->qtype;
		keep_example(d, &q->name);
	}
}

/* Tunnels ask one question per message: the first one is judged. */
static void handle_message(struct an_ctx *c, const struct flow *f,
			   const struct pkt_view *pv,
			   const struct dns_first_question *q,
			   uint32_t wire_bytes)
{
	struct dns_worker *w = c->wstate;
	const struct ip_addr *client = q->qr ? &pv->dst : &pv->src;
	const struct ip_addr *server = q->qr ? &pv->src : &pv->dst;
	char lower[DNS_NAME_TEXT_MAX];
	struct dns_domain *d;
	bool evicted;
	const char *reg;
	enum severity sev;

	if (q->opcode != 0)
		return;
	if (q->name.len == 0 || ends_with(q->name.text, q->name.len, "arpa") ||
	    ends_with(q->name.text, q->name.len, "local"))
		return;
	reg = registered_domain(w, &q->name, lower);
	d = dns_domains_get(w->domains, client, server, reg, pv->ts_ns,
			    &evicted);
	if (evicted)
		an_count(c, TW_CTR_AN_DNS_DOMAINS_EVICTED);
	if (pv->ts_ns > d->last_ns)
		d->last_ns = pv->ts_ns;
	d->bytes += wire_bytes;
	if (q->qr) {
		d->responses++;
		if (wire_bytes > c->cfg->dns.large_answer)
			d->large++;
	} else {
		note_query(c->cfg, d, q, lower,
			   reg > lower ? (size_t)(reg - lower - 1) : 0);
	}
	sev = dns_level(c->cfg, d);
	/* A handful of names under a real domain (Active Directory's GUID
	 * SRV lookups, a CDN's hashed labels) is not a tunnel yet: volume
	 * first. A name under no listed suffix is data from the first one. */
	if (sev >= SEV_MEDIUM &&
	    dns_domain_unique(d) < c->cfg->dns.min_names_listed &&
	    dns_regdom_listed(w->regdom, d->domain))
		sev = SEV_LOW;
	/* a new level, or the same one with twice the queries: the host's
	 * report then shows counts at most a factor 2 behind */
	if (sev > d->reported ||
	    (d->reported && d->queries >= 2 * (uint64_t)d->reported_at)) {
		if (sev > d->reported)
			d->reported = (uint8_t)sev;
		d->reported_at = d->queries;
		dns_emit(c, f, d, (enum severity)d->reported);
	}
}

/* ---- transports ---- */

static void on_udp(struct an_ctx *c, const struct flow *f,
		   const struct pkt_view *pv)
{
	struct dns_first_question q;

	/* a snaplen-cut message still names its question */
	if (dns_first_question(pv->payload, pv->payload_len, &q))
		handle_message(c, f, pv, &q, pv->payload_wire_len);
}

/* Messages of a TCP segment: a 2-byte length, then the message. One that
 * goes on past the segment is judged by its start and the rest skipped. */
static void on_tcp(struct an_ctx *c, const struct flow *f, struct dns_flow *st,
		   const struct pkt_view *pv, enum flow_dir_id dir)
{
	const uint8_t *p = pv->payload;
	uint32_t left = pv->payload_len;

	if (pv->retransmit)
		return;
	while (left > 0) {
		struct dns_first_question q;
		uint32_t msg_len, used;

		if (st->tcp_skip[dir]) {
			uint32_t n = left < st->tcp_skip[dir] ? left :
								st->tcp_skip[dir];

			st->tcp_skip[dir] -= n;
			p += n;
			left -= n;
			continue;
		}
		if (left < 2 + DNS_HEADER_LEN)
			return;
		msg_len = (uint32_t)(p[0] << 8 | p[1]);
		used = 2 + msg_len;
		if (dns_first_question(p + 2, used <= left ? msg_len : left - 2,
				       &q))
			handle_message(c, f, pv, &q, msg_len);
		if (used > left) {
			st->tcp_skip[dir] = used - left;
			return;
		}
		p += used;
		left -= used;
	}
}

static bool port_53(const struct flow *f)
{
	return f->orig_port == DNS_PORT || f->resp_port == DNS_PORT;
}

static void dns_on_flow_new(struct an_ctx *c, struct flow *f, void *state)
{
	(void)state;
	if ((f->proto != TW_PROTO_UDP && f->proto != TW_PROTO_TCP) ||
	    (f->proto == TW_PROTO_TCP && !port_53(f)))
		an_packets_done(c, f);
}

static void dns_on_packet(struct an_ctx *c, struct flow *f, void *state,
			  const struct pkt_view *pv, enum flow_dir_id dir)
{
	if (pv->payload_len == 0)
		return;
	if (f->proto == TW_PROTO_TCP) {
		on_tcp(c, f, state, pv, dir);
		return;
	}
	/* UDP off port 53: only what app_id recognised as DNS (the first
	 * payload is labelled before analyzers see the packet). */
	if (!port_53(f) && strcmp(app_label(f), "dns") != 0) {
		an_packets_done(c, f);
		return;
	}
	on_udp(c, f, pv);
}

static int dns_worker_init(void *wstate, const struct tw_config *cfg)
{
	struct dns_worker *w = wstate;

	if (!cfg->dns.enabled)
		return 0;
	w->domains = dns_domains_create(cfg->dns.max_domains);
	w->regdom = dns_regdom_create(cfg->dns.suffix_cache);
	if (!w->domains || !w->regdom) {
		dns_domains_destroy(w->domains);
		dns_regdom_destroy(w->regdom);
		memset(w, 0, sizeof(*w));
		return -ENOMEM;
	}
	return 0;
}

static void dns_worker_fini(void *wstate)
{
	struct dns_worker *w = wstate;

	dns_domains_destroy(w->domains);
	dns_regdom_destroy(w->regdom);
	memset(w, 0, sizeof(*w));
}

static bool dns_enabled(const struct tw_config *cfg)
{
	return cfg->dns.enabled;
}

const struct analyzer dns_tunnel_analyzer = {
	.name = "dns_tunnel",
	.enabled = dns_enabled,
	.flow_state_size = sizeof(struct dns_flow),
	.worker_state_size = sizeof(struct dns_worker),
	.worker_init = dns_worker_init,
	.worker_fini = dns_worker_fini,
	.on_flow_new = dns_on_flow_new,
	.on_packet = dns_on_packet,
};
