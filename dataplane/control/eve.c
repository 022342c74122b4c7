/* Event log: one line per finding, shaped like Suricata's EVE `alert` so
 * pipelines that already ingest Suricata (Filebeat, Vector, Splunk) take
 * it as is, plus a `tunnelwatch` object with what EVE has no field for. */
#include "control/eve.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "control/json_util.h"
#include "decode/decode.h"

#define EVE_GID 1
#define EVE_REV 1

struct eve {
	int fd;
	int first_error;          /* errno of the first failed write, or 0 */
	int last_error;           /* errno of the latest failed write */
	uint64_t write_errors;    /* findings that did not reach the file */
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
	e->fd = eve_open_fd(path, err, errlen);
	if (e->fd < 0) {
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
	return 0;
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

/* signature_id: the kind's, from verdict/finding_kinds.def. */
static json_t *alert_json(const struct finding *f, const char *family)
{
	char sig[FINDING_SUMMARY_MAX + 64];

	snprintf(sig, sizeof(sig), "TUNNELWATCH %s %s", f->kind ? f->kind : "",
		 f->summary);
	return json_pack("{s:s, s:i, s:I, s:i, s:o, s:s, s:i}",
			 "action", "allowed",
			 "gid", EVE_GID,
			 "signature_id", (json_int_t)finding_kind_info(f->kind_id)->sid,
			 "rev", EVE_REV,
			 "signature", json_text(sig),
			 "category", family,
			 "severity", eve_severity(f->severity));
}

static json_t *tunnelwatch_json(const struct finding *f, const char *family,
				int host_is_orig)
{
	char host[64];

	ip_addr_format(host_is_orig ? &f->orig : &f->resp, host, sizeof(host));
	return json_pack("{s:s, s:s, s:s, s:s, s:b, s:I, s:o, s:o, s:o}",
			 "kind", f->kind ? f->kind : "",
			 "family", family,
			 "severity", severity_name((enum severity)f->severity),
			 "host", host,
			 "host_is_src", host_is_orig != 0,
			 "count", (json_int_t)f->count,
			 "first_seen", json_time(f->first_ns),
			 "last_seen", json_time(f->last_ns),
			 "detail", json_finding_detail(f));
}

/* Ports only where the protocol has them, as Suricata does for ICMP. */
static bool proto_has_ports(uint8_t proto)
{
	return proto == TW_PROTO_TCP || proto == TW_PROTO_UDP;
}

static json_t *event_json(const struct finding *f, int host_is_orig)
{
	char ts[48], src[64], dst[64], proto[8], family[32];
	json_t *ev;

	finding_family(f->kind, family, sizeof(family));
	ev = json_pack("{s:s, s:I, s:s, s:s}",
		       "timestamp", eve_timestamp(f->last_ns, ts, sizeof(ts)),
		       "flow_id", (json_int_t)(f->flow_id & INT64_MAX),
		       "event_type", "alert",
		       "src_ip", ip_addr_format(&f->orig, src, sizeof(src)));
	if (!ev)
		return NULL;
	if (proto_has_ports(f->proto) &&
	    json_object_set_new(ev, "src_port", json_integer(f->orig_port)))
		goto fail;
	if (json_object_set_new(ev, "dest_ip",
				json_string(ip_addr_format(&f->resp, dst,
							   sizeof(dst)))))
		goto fail;
	if (proto_has_ports(f->proto) &&
	    json_object_set_new(ev, "dest_port", json_integer(f->resp_port)))
		goto fail;
	if (json_object_set_new(ev, "proto",
				json_string(json_proto_name(f->proto, true,
							    proto,
							    sizeof(proto)))) ||
	    json_add_tunnel(ev, &f->tunnel) ||
	    json_object_set_new(ev, "alert", alert_json(f, family)) ||
	    json_object_set_new(ev, "tunnelwatch",
				tunnelwatch_json(f, family, host_is_orig)))
		goto fail;
	return ev;
fail:
	json_decref(ev);
	return NULL;
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

	if (!e || !f)
		return -1;
	ev = event_json(f, host_is_orig);
	line = ev ? json_dumps(ev, TW_JSON_DUMP_FLAGS) : NULL;
	json_decref(ev);
	if (!line) {
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
	if (e->first_error) {
		errno = e->first_error;
		rc = -1;
	}
	free(e);
	return rc;
}
