/* SPDX-License-Identifier: BSD-3-Clause */
/* The finding record: what an analyzer fills before it hands the finding
 * to the manager. Every writer here bounds its copy, since summaries and
 * detail strings often quote bytes an attacker chose. */
#include "findings/findings.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "flow/flow.h"

/* A cut at len must not split a UTF-8 sequence: step back over
 * continuation bytes to the start of the character that did not fit. */
static size_t utf8_cut(const char *s, size_t len)
{
	while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80)
		len--;
	return len;
}

static void copy_bounded(char *dst, size_t size, const char *src)
{
	size_t n = strnlen(src, size);

	if (n >= size)
		n = utf8_cut(src, size - 1);
	memcpy(dst, src, n);
	dst[n] = '\0';
}

void finding_set_kind(struct finding *f, enum finding_kind kind)
{
	f->kind_id = (uint8_t)kind;
	f->kind = finding_kind_info(kind)->name;
}

void finding_init(struct finding *f, const struct flow *flow,
		  enum finding_kind kind, enum severity sev)
{
	memset(f, 0, sizeof(*f));
	finding_set_kind(f, kind);
	f->severity = (uint8_t)sev;
	f->host_is_orig = 1;
	f->count = 1;
	if (!flow)
		return;
	f->orig = flow->orig_addr;
	f->resp = flow->resp_addr;
	f->orig_port = flow->orig_port;
	f->resp_port = flow->resp_port;
	f->proto = flow->proto;
	f->flow_id = flow->id;
	f->start_seen = flow->proto != TW_PROTO_TCP || flow->handshake_seen;
	f->first_ns = flow->first_ns;
	f->last_ns = flow->last_ns;
	f->tunnel = flow->tunnel;
	f->has_flow = 1;
	f->app = flow->app;
	f->flow_orig = flow->orig_addr;
	f->flow_resp = flow->resp_addr;
	f->flow_orig_port = flow->orig_port;
	f->flow_resp_port = flow->resp_port;
	f->flow_start_ns = flow->first_ns;
	for (int d = 0; d < 2; d++) {
		f->flow_pkts[d] = flow->side[d].pkts;
		f->flow_bytes[d] = flow->side[d].bytes;
	}
	/* picked up mid-stream: ages and counts run from the first packet
	 * seen, and the roles were inferred (flow_table.c) */
	if (flow->midstream)
		finding_add_bool(f, "seen_from_start", false);
}

void finding_summary(struct finding *f, const char *fmt, ...)
{
	char tmp[FINDING_SUMMARY_MAX + 8];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0)
		tmp[0] = '\0';
	copy_bounded(f->summary, sizeof(f->summary), tmp);
}

/* The first FINDING_DETAIL_MAX keys are kept: analyzers add the most
 * telling facts first. */
static struct finding_kv *detail_slot(struct finding *f, const char *key,
				      enum detail_type type)
{
	struct finding_kv *kv;

	if (!key || f->n_detail >= FINDING_DETAIL_MAX)
		return NULL;
	kv = &f->detail[f->n_detail++];
	kv->key = key;
	kv->type = (uint8_t)type;
	return kv;
}

void finding_add_int(struct finding *f, const char *key, int64_t v)
{
	struct finding_kv *kv = detail_slot(f, key, DETAIL_INT);

	if (kv)
		kv->v.i = v;
}

void finding_add_double(struct finding *f, const char *key, double v)
{
	struct finding_kv *kv = detail_slot(f, key, DETAIL_DOUBLE);

	if (kv)
		kv->v.d = v;
}

void finding_add_str(struct finding *f, const char *key, const char *v)
{
	struct finding_kv *kv = detail_slot(f, key, DETAIL_STR);

	if (kv)
		copy_bounded(kv->v.s, sizeof(kv->v.s), v ? v : "");
}

void finding_add_bool(struct finding *f, const char *key, bool v)
{
	struct finding_kv *kv = detail_slot(f, key, DETAIL_BOOL);

	if (kv)
		kv->v.i = v ? 1 : 0;
}

const char *finding_family(const char *kind, char *buf, unsigned len)
{
	size_t n;

	if (!buf || len == 0)
		return NULL;
	if (!kind)
		kind = "";
	n = strcspn(kind, ".");
	if (n >= len)
		n = len - 1;
	memcpy(buf, kind, n);
	buf[n] = '\0';
	return buf;
}

const char *severity_name(enum severity s)
{
	switch (s) {
	case SEV_INFO:
		return "info";
	case SEV_LOW:
		return "low";
	case SEV_MEDIUM:
		return "medium";
	case SEV_HIGH:
		return "high";
	}
	return "unknown";
}

const char *time_format_rfc3339(uint64_t ts_ns, char *buf, unsigned len)
{
	time_t secs = (time_t)(ts_ns / 1000000000u);
	unsigned usec = (unsigned)(ts_ns % 1000000000u / 1000u);
	char date[32];
	struct tm tm;

	if (!buf || len == 0)
		return NULL;
	if (!gmtime_r(&secs, &tm) ||
	    strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm) == 0) {
		buf[0] = '\0';
		return buf;
	}
	snprintf(buf, len, "%s.%06uZ", date, usec);
	return buf;
}
