/* SPDX-License-Identifier: BSD-3-Clause */
/* Event log: one line per finding, shaped like Suricata's EVE `alert` so
 * pipelines that already ingest Suricata (Filebeat, Vector, Splunk) take
 * it as is, plus a `tunnelwatch` object with what EVE has no field for.
 *
 * For SIEMs (issue 15): one signature text per signature_id (the figures
 * are in tunnelwatch.summary and .detail); the flow's own 5-tuple,
 * app_proto, flow{} and ICMP type/code as Suricata writes them;
 * alert.source (the peer) and alert.target (the watched host); in_iface
 * live. Analyzers report a finding again as it grows (a DNS tunnel at 1,
 * 2, 4 ... queries): the log takes one event when a finding first appears
 * and one each time its severity rises (count, first and last seen summed
 * over the reports in between), keyed by kind, host, peer and peer port
 * as the host table merges them. */
#include "control/eve.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "control/json_util.h"
#include "decode/decode.h"
#include "scan/app_id.h"

#define EVE_GID 1
#define EVE_REV 1
/* findings remembered for "already logged at this severity"; a full
 * table forgets the oldest slot (its next report is logged again) */
#define EVE_SEEN_SLOTS 65536u

struct eve_seen {
	uint64_t key;             /* 0: free */
	uint64_t first_ns, last_ns;
	uint64_t count;
	uint8_t severity;         /* the highest logged */
};

struct eve {
	int fd;
	int first_error;          /* errno of the first failed write, or 0 */
	int last_error;           /* errno of the latest failed write */
	uint64_t write_errors;    /* findings that did not reach the file */
	uint64_t repeats;         /* reports folded into an earlier event */
	struct eve_seen *seen;    /* EVE_SEEN_SLOTS, open addressing */
	char in_iface[128];       /* live: the ports, "" offline */
	char path[4096];
};

/* Append: a restart or a second run never truncates what a SIEM shipper
 * has not read yet. Not a stdio stream: one write() per line, so a failed
 * write (disk full) loses that line only and leaves no error state or
 * half-buffered line behind for the next one. */
static int eve_open_fd(const char *path, char *err, unsigned errlen)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC |
				    O_NOCTTY, 0666);

	if (fd < 0) {
		snprintf(err, errlen, "event log %s: cannot open for appending: "
			 "%s", path, strerror(errno));
		return -1;
	}
	/* An empty write reaches the file's own write: one that can never
	 * take a line (/proc/version) is refused now, not at the first
	 * finding. A full disk may empty: that one is counted later. */
	if (write(fd, "", 0) < 0 && errno != ENOSPC && errno != EDQUOT &&
	    errno != EAGAIN && errno != EINTR) {
		snprintf(err, errlen, "event log %s: opened, but a test write "
			 "fails: %s (not a file that takes appended lines)",
			 path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

struct eve *eve_open(const char *path, char *err, unsigned errlen)
{
	struct eve *e = calloc(1, sizeof(*e));

	if (!e) {
		snprintf(err, errlen, "event log %s: %s", path,
			 strerror(errno));
		return NULL;
	}
	if (strlen(path) >= sizeof(e->path)) {
		snprintf(err, errlen, "event log %.64s...: path longer than "
			 "%zu bytes", path, sizeof(e->path) - 1);
		free(e);
		return NULL;
	}
	e->seen = calloc(EVE_SEEN_SLOTS, sizeof(*e->seen));
	e->fd = e->seen ? eve_open_fd(path, err, errlen) : -1;
	if (!e->seen)
		snprintf(err, errlen, "event log %s: out of memory", path);
	if (e->fd < 0) {
		free(e->seen);
		free(e);
		return NULL;
	}
	memcpy(e->path, path, strlen(path) + 1);
	return e;
}

int eve_reopen(struct eve *e, char *err, unsigned errlen)
{
	int fd;

	if (!e)
		return 0;
	/* the new file first: when it cannot be opened the old one stays */
	fd = eve_open_fd(e->path, err, errlen);
	if (fd < 0)
		return -1;
	close(e->fd);
	e->fd = fd;
	/* a rotated log stands alone: findings still reported are logged
	 * afresh in the new file */
	memset(e->seen, 0, EVE_SEEN_SLOTS * sizeof(*e->seen));
	return 0;
}

void eve_set_iface(struct eve *e, const char *in_iface)
{
	if (e)
		snprintf(e->in_iface, sizeof(e->in_iface), "%s", in_iface);
}

uint64_t eve_repeats(const struct eve *e)
{
	return e ? e->repeats : 0;
}

const char *eve_path(const struct eve *e)
{
	return e ? e->path : "";
}

uint64_t eve_write_errors(const struct eve *e)
{
	return e ? e->write_errors : 0;
}

int eve_last_error(const struct eve *e)
{
	return e ? e->last_error : 0;
}

/* Suricata's scale: 1 is the most severe. */
static int eve_severity(uint8_t sev)
{
	switch (sev) {
	case SEV_HIGH:
		return 1;
	case SEV_MEDIUM:
		return 2;
	default:
		return 3;
	}
}

/* Suricata's "2024-01-02T03:04:05.123456+0000" from our RFC 3339 "...Z". */
static const char *eve_timestamp(uint64_t ts_ns, char *buf, unsigned len)
{
	char rfc[40];
	size_t n;

	time_format_rfc3339(ts_ns, rfc, sizeof(rfc));
	n = strlen(rfc);
	if (n > 0 && rfc[n - 1] == 'Z')
		rfc[n - 1] = '\0';
	snprintf(buf, len, "%s+0000", rfc);
	return buf;
}

/* One text per kind, hence per signature_id: findings/finding_kinds.def. */
static void signature_text(const struct finding *f, char *buf, size_t len)
{
	snprintf(buf, len, "TUNNELWATCH %s",
		 finding_kind_info(f->kind_id)->signature);
}

/* {"ip": ...}: Suricata's schema (etc/schema.json) allows nothing else
 * in alert.source and alert.target; the ports are the event's own. */
static json_t *endpoint_json(const struct ip_addr *ip)
{
	char addr[64];

	return json_pack("{s:s}", "ip", ip_addr_format(ip, addr, sizeof(addr)));
}

/* Suricata 6+: source the attacker's side, target the protected asset:
 * here the peer and the watched host. */
static json_t *alert_json(const struct finding *f, const char *family,
			  int host_is_orig)
{
	char sig[160];
	const struct ip_addr *host = host_is_orig ? &f->orig : &f->resp;
	const struct ip_addr *peer = host_is_orig ? &f->resp : &f->orig;

	signature_text(f, sig, sizeof(sig));
	return json_pack("{s:s, s:i, s:I, s:i, s:s, s:s, s:i, s:o, s:o}",
			 "action", "allowed",
			 "gid", EVE_GID,
			 "signature_id", (json_int_t)finding_kind_info(f->kind_id)->sid,
			 "rev", EVE_REV,
			 "signature", sig,
			 "category", family,
			 "severity", eve_severity(f->severity),
			 "source", endpoint_json(peer),
			 "target", endpoint_json(host));
}

/* What an event says beyond one report: counts summed since the finding
 * appeared, and why this line (new, or its severity rose). */
struct eve_event {
	uint64_t count, first_ns, last_ns;
	const char *why;
	struct eve_seen *slot;    /* to undo when the line is not written */
	int prev_severity;        /* -1: the slot was new */
};

static json_t *tunnelwatch_json(const struct finding *f, const char *family,
				int host_is_orig, bool host_is_src,
				const struct eve_event *ev)
{
	char host[64], peer[64];

	ip_addr_format(host_is_orig ? &f->orig : &f->resp, host, sizeof(host));
	ip_addr_format(host_is_orig ? &f->resp : &f->orig, peer, sizeof(peer));
	return json_pack("{s:s, s:s, s:s, s:s, s:b, s:s, s:i, s:s, s:o, s:I, "
			 "s:o, s:o, s:o}",
			 "kind", f->kind ? f->kind : "",
			 "family", family,
			 "severity", severity_name((enum severity)f->severity),
			 "host", host,
			 "host_is_src", host_is_src,
			 "peer", peer,
			 "peer_port", host_is_orig ? f->resp_port : f->orig_port,
			 "event", ev->why,
			 "summary", json_text(f->summary),
			 "count", (json_int_t)ev->count,
			 "first_seen", json_time(ev->first_ns),
			 "last_seen", json_time(ev->last_ns),
			 "detail", json_finding_detail(f));
}

/* Ports only where the protocol has them, as Suricata does for ICMP. */
static bool proto_has_ports(uint8_t proto)
{
	return proto == TW_PROTO_TCP || proto == TW_PROTO_UDP;
}

/* Suricata's flow object, from the flow as it was at the finding. */
static json_t *flow_json(const struct finding *f)
{
	char ts[48];

	return json_pack("{s:I, s:I, s:I, s:I, s:s}",
			 "pkts_toserver", (json_int_t)(f->flow_pkts[0] & INT64_MAX),
			 "pkts_toclient", (json_int_t)(f->flow_pkts[1] & INT64_MAX),
			 "bytes_toserver", (json_int_t)(f->flow_bytes[0] & INT64_MAX),
			 "bytes_toclient", (json_int_t)(f->flow_bytes[1] & INT64_MAX),
			 "start", eve_timestamp(f->flow_start_ns, ts, sizeof(ts)));
}

/* Suricata's tunnel object has src_ip, dest_ip, src_port, dest_port,
 * proto, depth (and pcap_cnt, pkt_src) only: the encapsulation's type and
 * ids (vni, erspan_session, gre_key ...) go to tunnelwatch.tunnel. */
static void tunnel_split(json_t *ev)
{
	static const char *const suricata[] = { "src_ip", "dest_ip", "src_port",
						"dest_port", "proto", "depth",
						"pcap_cnt", "pkt_src" };
	json_t *t = json_object_get(ev, "tunnel"), *ours, *v;
	const char *k;
	void *tmp;

	if (!json_is_object(t))
		return;
	ours = json_object();
	if (!ours)
		return;
	json_object_foreach_safe(t, tmp, k, v) {
		bool keep = false;

		for (size_t i = 0; i < sizeof(suricata) / sizeof(suricata[0]); i++)
			keep = keep || strcmp(k, suricata[i]) == 0;
		if (keep)
			continue;
		json_object_set(ours, k, v);
		json_object_del(t, k);
	}
	json_object_set_new(json_object_get(ev, "tunnelwatch"), "tunnel", ours);
}

static json_t *event_json(const struct eve *e, const struct finding *f,
			  int host_is_orig, const struct eve_event *why)
{
	char ts[48], src[64], dst[64], proto[8], family[32];
	/* the flow's own 5-tuple: for a finding about another peer (a pool
	 * an answer resolved to) the DNS flow's, the peer in tunnelwatch */
	const struct ip_addr *s_ip = f->has_flow ? &f->flow_orig : &f->orig;
	const struct ip_addr *d_ip = f->has_flow ? &f->flow_resp : &f->resp;
	uint16_t s_port = f->has_flow ? f->flow_orig_port : f->orig_port;
	uint16_t d_port = f->has_flow ? f->flow_resp_port : f->resp_port;
	const struct ip_addr *host = host_is_orig ? &f->orig : &f->resp;
	bool ports = proto_has_ports(f->proto);
	json_t *ev;

	finding_family(f->kind, family, sizeof(family));
	ev = json_pack("{s:s, s:I}",
		       "timestamp", eve_timestamp(why->last_ns, ts, sizeof(ts)),
		       "flow_id", (json_int_t)(f->flow_id & INT64_MAX));
	if (!ev)
		return NULL;
	if (e->in_iface[0] &&
	    json_object_set_new(ev, "in_iface", json_string(e->in_iface)))
		goto fail;
	if (json_object_set_new(ev, "event_type", json_string("alert")) ||
	    json_object_set_new(ev, "src_ip",
				json_string(ip_addr_format(s_ip, src,
							   sizeof(src)))))
		goto fail;
	if (ports && json_object_set_new(ev, "src_port", json_integer(s_port)))
		goto fail;
	if (json_object_set_new(ev, "dest_ip",
				json_string(ip_addr_format(d_ip, dst,
							   sizeof(dst)))))
		goto fail;
	if (ports && json_object_set_new(ev, "dest_port", json_integer(d_port)))
		goto fail;
	if (json_object_set_new(ev, "proto",
				json_string(json_proto_name(f->proto, true,
							    proto,
							    sizeof(proto)))))
		goto fail;
	/* icmp.tunnel is about echo flows; the host is the requester */
	if ((f->proto == TW_PROTO_ICMP || f->proto == TW_PROTO_ICMPV6) &&
	    (json_object_set_new(ev, "icmp_type",
				 json_integer(f->proto == TW_PROTO_ICMP ? 8
									: 128)) ||
	     json_object_set_new(ev, "icmp_code", json_integer(0))))
		goto fail;
	if (ports && f->has_flow &&
	    json_object_set_new(ev, "app_proto",
				json_string(app_name(f->app) ? app_name(f->app)
							     : "failed")))
		goto fail;
	if (json_add_tunnel(ev, &f->tunnel) ||
	    json_object_set_new(ev, "alert",
				alert_json(f, family, host_is_orig)) ||
	    (f->has_flow &&
	     json_object_set_new(ev, "flow", flow_json(f))) ||
	    json_object_set_new(ev, "tunnelwatch",
				tunnelwatch_json(f, family, host_is_orig,
						 ip_addr_cmp(host, s_ip) == 0,
						 why)))
		goto fail;
	tunnel_split(ev);
	return ev;
fail:
	json_decref(ev);
	return NULL;
}

/* ---- one event per appearance and per severity rise ---- */

static uint64_t mix64(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= 1099511628211ull;
	}
	return h;
}

/* The host table's merge key: kind, host, peer, peer port. */
static uint64_t seen_key(const struct finding *f, int host_is_orig)
{
	const struct ip_addr *host = host_is_orig ? &f->orig : &f->resp;
	const struct ip_addr *peer = host_is_orig ? &f->resp : &f->orig;
	uint16_t peer_port = host_is_orig ? f->resp_port : f->orig_port;
	uint64_t h = 14695981039346656037ull;

	h = mix64(h, f->kind ? f->kind : "", f->kind ? strlen(f->kind) : 0);
	h = mix64(h, host, sizeof(*host));
	h = mix64(h, peer, sizeof(*peer));
	h = mix64(h, &peer_port, sizeof(peer_port));
	return h ? h : 1;
}

/* Folds f into its slot; 1 when it must be logged (new, or a higher
 * severity), with the event's figures in *ev. */
static int seen_take(struct eve *e, const struct finding *f,
		     int host_is_orig, struct eve_event *ev)
{
	uint64_t key = seen_key(f, host_is_orig);
	uint32_t at = (uint32_t)(key % EVE_SEEN_SLOTS);
	struct eve_seen *s = NULL;

	for (uint32_t i = 0; i < 8; i++) {
		struct eve_seen *c = &e->seen[(at + i) % EVE_SEEN_SLOTS];

		if (c->key == key || c->key == 0) {
			s = c;
			break;
		}
	}
	if (!s) { /* a full neighbourhood: the first slot starts over */
		s = &e->seen[at];
		s->key = 0;
	}
	if (s->key == 0) {
		s->key = key;
		s->first_ns = f->first_ns;
		s->last_ns = f->last_ns;
		s->count = f->count;
		s->severity = f->severity;
		*ev = (struct eve_event){ s->count, s->first_ns, s->last_ns,
					  "new", s, -1 };
		return 1;
	}
	s->count += f->count;
	if (f->first_ns < s->first_ns)
		s->first_ns = f->first_ns;
	if (f->last_ns > s->last_ns)
		s->last_ns = f->last_ns;
	if (f->severity <= s->severity) {
		e->repeats++;
		return 0;
	}
	*ev = (struct eve_event){ s->count, s->first_ns, s->last_ns,
				  "severity_raised", s, s->severity };
	s->severity = f->severity;
	return 1;
}

/* A line that did not reach the file: its next report is logged afresh. */
static void seen_undo(const struct eve_event *ev)
{
	if (ev->prev_severity < 0)
		ev->slot->key = 0;
	else
		ev->slot->severity = (uint8_t)ev->prev_severity;
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0) {
			errno = EIO;
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static void eve_failed(struct eve *e, int why)
{
	e->write_errors++;
	e->last_error = why ? why : EIO;
	if (!e->first_error)
		e->first_error = e->last_error;
}

int eve_write(struct eve *e, const struct finding *f, int host_is_orig)
{
	json_t *ev;
	char *line;
	size_t len;
	int rc;

	struct eve_event why;

	if (!e || !f)
		return -1;
	if (!seen_take(e, f, host_is_orig, &why))
		return 0;
	ev = event_json(e, f, host_is_orig, &why);
	line = ev ? json_dumps(ev, TW_JSON_DUMP_FLAGS) : NULL;
	json_decref(ev);
	if (!line) {
		seen_undo(&why);
		eve_failed(e, ENOMEM);
		return -1;
	}
	len = strlen(line);
	/* json_dumps' string has room only for its NUL: the newline goes
	 * in its place and is written in the same call */
	line[len] = '\n';
	rc = write_all(e->fd, line, len + 1);
	free(line);
	if (rc != 0) {
		seen_undo(&why);
		eve_failed(e, errno);
		return -1;
	}
	return 0;
}

int eve_close(struct eve *e)
{
	int rc = 0;

	if (!e)
		return 0;
	if (close(e->fd) != 0 && !e->first_error)
		e->first_error = errno;
	free(e->seen);
	if (e->first_error) {
		errno = e->first_error;
		rc = -1;
	}
	free(e);
	return rc;
}
