/* SPDX-License-Identifier: BSD-3-Clause */
/* Prometheus text exposition: see metrics.h. The stats document is walked
 * generically, so a counter added to `stats` is exposed without a line
 * here: a number is a counter (`_total`) unless its name says it is a
 * level (gauge_keys), objects of named counts become one family with a
 * label (label_groups), arrays of workers, ports and queues become labels.
 * Samples are gathered, then written family by family as the format
 * wants (one HELP and TYPE line each, every sample of a family together). */
#include "control/metrics.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "findings/findings.h"
#include "verdict/hosts.h"

#define NAME_MAX_LEN 160
#define LABELS_MAX_LEN 256

struct sample {
	char name[NAME_MAX_LEN];     /* family name, without _total */
	char labels[LABELS_MAX_LEN]; /* `a="x",b="y"` or "" */
	double value;
	bool counter;
	const char *help;
	unsigned order;
};

struct samples {
	struct sample *s;
	size_t n, cap;
	bool oom;
};

/* Objects whose members are named counts of one thing: one family, the
 * member's name as the label's value. */
static const struct {
	const char *path;
	const char *label;
	const char *name;      /* the family's, when not the path */
} label_groups[] = {
	{ "drops", "reason", NULL },
	{ "flows_evicted_by_reason", "reason", NULL },
	{ "flow_bytes_histogram", "bytes", "flows_by_size" },
	{ "apps", "app", "flows_by_app" },
	{ "hosts_evicted", "rank", NULL },
};

/* Levels, not counts (by the last part of the path). */
static const char *const gauge_keys[] = {
	"max", "with_findings", "tracked", "destinations_tracked",
	"per_pipeline_bytes", "shared_bytes", "uptime_seconds", "link_up",
	"clients", "config_generation", "input_ended", "open_at_end",
	"lcore", "flows_open", "link_speed_mbps", "id",
};

static bool is_gauge(const char *key)
{
	for (size_t i = 0; i < sizeof(gauge_keys) / sizeof(gauge_keys[0]); i++)
		if (strcmp(key, gauge_keys[i]) == 0)
			return true;
	return false;
}

static void sample_add(struct samples *ss, const char *name,
		       const char *labels, double value, bool counter,
		       const char *help)
{
	struct sample *s;

	if (ss->n == ss->cap) {
		size_t cap = ss->cap ? ss->cap * 2 : 256;
		struct sample *p = realloc(ss->s, cap * sizeof(*p));

		if (!p) {
			ss->oom = true;
			return;
		}
		ss->s = p;
		ss->cap = cap;
	}
	s = &ss->s[ss->n];
	snprintf(s->name, sizeof(s->name), "%s", name);
	snprintf(s->labels, sizeof(s->labels), "%s", labels);
	s->value = value;
	s->counter = counter;
	s->help = help;
	s->order = (unsigned)ss->n++;
}

/* [a-zA-Z0-9_] only; "busy_s" -> "busy_seconds" (base units). */
static void name_part(char *out, size_t outlen, const char *in)
{
	size_t n = 0, len = strlen(in);

	for (size_t i = 0; i < len && n + 1 < outlen; i++) {
		char c = in[i];

		out[n++] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
				   (c >= '0' && c <= '9') ? c : '_';
	}
	out[n] = '\0';
	if (n >= 2 && strcmp(out + n - 2, "_s") == 0 && n + 6 < outlen)
		strcpy(out + n - 2, "_seconds");
}

/* A label value as the format escapes it. */
static void label_value(char *out, size_t outlen, const char *in)
{
	size_t n = 0;

	for (; *in && n + 3 < outlen; in++) {
		if (*in == '"' || *in == '\\') {
			out[n++] = '\\';
			out[n++] = *in;
		} else if (*in == '\n') {
			out[n++] = '\\';
			out[n++] = 'n';
		} else {
			out[n++] = *in;
		}
	}
	out[n] = '\0';
}

static void labels_add(char *out, size_t outlen, const char *labels,
		       const char *key, const char *value)
{
	char v[128];

	label_value(v, sizeof(v), value);
	snprintf(out, outlen, "%s%s%s=\"%s\"", labels, labels[0] ? "," : "",
		 key, v);
}

static const char *group_label(const char *path, const char **name)
{
	for (size_t i = 0; i < sizeof(label_groups) / sizeof(label_groups[0]);
	     i++)
		if (strcmp(path, label_groups[i].path) == 0) {
			*name = label_groups[i].name ? label_groups[i].name
						     : path;
			return label_groups[i].label;
		}
	return NULL;
}

static void walk(struct samples *ss, const json_t *v, const char *path,
		 const char *key, const char *labels);

static void walk_array(struct samples *ss, const json_t *arr,
		       const char *path, const char *key, const char *labels)
{
	/* live.workers[] -> worker="k", live.ports[] -> port="k",
	 * queues[] -> queue="k" */
	char label[32], lab[LABELS_MAX_LEN], idx[24];
	size_t i;
	json_t *el;

	snprintf(label, sizeof(label), "%s", key);
	if (strlen(label) > 1 && label[strlen(label) - 1] == 's')
		label[strlen(label) - 1] = '\0';
	json_array_foreach(arr, i, el) {
		if (!json_is_object(el))
			continue;
		snprintf(idx, sizeof(idx), "%zu", i);
		labels_add(lab, sizeof(lab), labels, label, idx);
		walk(ss, el, path, key, lab);
	}
}

static void walk(struct samples *ss, const json_t *v, const char *path,
		 const char *key, const char *labels)
{
	char name[NAME_MAX_LEN], part[96], lab[LABELS_MAX_LEN];
	const char *k, *glabel, *gname = path;
	json_t *m;

	if (json_is_object(v)) {
		glabel = group_label(path, &gname);
		json_object_foreach((json_t *)v, k, m) {
			if (glabel && json_is_number(m)) {
				labels_add(lab, sizeof(lab), labels, glabel, k);
				sample_add(ss, gname, lab, json_number_value(m),
					   true, "tunnelwatch stats, by the label");
				continue;
			}
			/* the index labels say which worker, port or queue */
			char needle[64];

			snprintf(needle, sizeof(needle), "%s=\"", k);
			if (json_is_number(m) && strstr(labels, needle))
				continue;
			name_part(part, sizeof(part), k);
			snprintf(name, sizeof(name), "%s%s%s", path,
				 path[0] ? "_" : "", part);
			if (json_is_string(m)) {
				/* a port's name, the event log's path: an
				 * info family with the text as a label */
				char info[NAME_MAX_LEN + 8];
				bool is_port = strcmp(part, "port") == 0;

				labels_add(lab, sizeof(lab), labels,
					   is_port ? "name" : part,
					   json_string_value(m));
				snprintf(info, sizeof(info), "%s_info",
					 is_port ? path : name);
				sample_add(ss, info, lab, 1, false,
					   "tunnelwatch stats text, as a label");
				continue;
			}
			walk(ss, m, name, part, labels);
		}
	} else if (json_is_array(v)) {
		walk_array(ss, v, path, key, labels);
	} else if (json_is_number(v)) {
		sample_add(ss, path, labels, json_number_value(v),
			   !is_gauge(key), "tunnelwatch stats");
	} else if (json_is_boolean(v)) {
		sample_add(ss, path, labels, json_is_true(v) ? 1 : 0, false,
			   "tunnelwatch stats, 1 for true");
	}
}

/* ---- hosts, findings, tables ---- */

static void add_hosts(struct samples *ss, struct hosts *h)
{
	unsigned n = hosts_count(h), got;
	const struct host **all = calloc(n ? n : 1, sizeof(*all));
	uint64_t verdicts[3] = { 0 };
	struct {
		const char *kind;
		uint64_t n[4];
	} kinds[64];
	unsigned n_kinds = 0;
	char lab[LABELS_MAX_LEN];

	if (!all) {
		ss->oom = true;
		return;
	}
	hosts_refresh(h);
	got = hosts_sorted(h, all, n, true);
	for (unsigned i = 0; i < got; i++) {
		const struct host *hst = all[i];

		if (hst->verdict < 3)
			verdicts[hst->verdict]++;
		for (uint32_t j = 0; j < hst->n_findings; j++) {
			const struct finding *f = &hst->findings[j].f;
			unsigned k = 0;

			while (k < n_kinds && strcmp(kinds[k].kind, f->kind))
				k++;
			if (k == n_kinds) {
				if (n_kinds == 64)
					continue;
				kinds[k].kind = f->kind;
				memset(kinds[k].n, 0, sizeof(kinds[k].n));
				n_kinds++;
			}
			if (f->severity < 4)
				kinds[k].n[f->severity]++;
		}
	}
	free(all);
	for (unsigned v = 0; v < 3; v++) {
		labels_add(lab, sizeof(lab), "", "verdict",
			   verdict_name((enum verdict)v));
		sample_add(ss, "host_verdicts", lab, (double)verdicts[v], false,
			   "hosts in the host table by verdict now");
	}
	for (unsigned k = 0; k < n_kinds; k++)
		for (unsigned s = 0; s < 4; s++) {
			char l1[LABELS_MAX_LEN];

			labels_add(l1, sizeof(l1), "", "kind", kinds[k].kind);
			labels_add(lab, sizeof(lab), l1, "severity",
				   severity_name((enum severity)s));
			sample_add(ss, "host_findings", lab,
				   (double)kinds[k].n[s], false,
				   "findings held in the host table by kind and "
				   "severity now");
		}
}

static void add_capacity(struct samples *ss, const struct tw_config *cfg)
{
	static const struct {
		const char *table;
		size_t off;
	} caps[] = {
		{ "hosts", offsetof(struct tw_config, hosts.max_hosts) },
		{ "flows_per_worker", offsetof(struct tw_config, flow.max_flows) },
		{ "control_clients",
		  offsetof(struct tw_config, control.max_clients) },
		{ "findings_kept",
		  offsetof(struct tw_config, control.findings_kept) },
		{ "scan_streams_per_worker",
		  offsetof(struct tw_config, scan.max_streams) },
	};
	char lab[LABELS_MAX_LEN];

	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		uint32_t v;

		memcpy(&v, (const char *)cfg + caps[i].off, sizeof(v));
		labels_add(lab, sizeof(lab), "", "table", caps[i].table);
		sample_add(ss, "table_capacity", lab, (double)v, false,
			   "entries a table holds at most (the config)");
	}
}

/* ---- output ---- */

struct out {
	char *p;
	size_t len, cap;
	bool oom;
};

static void out_printf(struct out *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void out_printf(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		if (o->oom)
			return;
		va_start(ap, fmt);
		n = vsnprintf(o->p + o->len, o->cap - o->len, fmt, ap);
		va_end(ap);
		if (n < 0) {
			o->oom = true;
			return;
		}
		if ((size_t)n < o->cap - o->len) {
			o->len += (size_t)n;
			return;
		}
		size_t cap = (o->cap + (size_t)n) * 2;
		char *p = realloc(o->p, cap);

		if (!p) {
			o->oom = true;
			return;
		}
		o->p = p;
		o->cap = cap;
	}
}

static int sample_cmp(const void *a, const void *b)
{
	const struct sample *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c)
		return c;
	return x->order < y->order ? -1 : x->order > y->order;
}

static void value_print(struct out *o, double v)
{
	if (v == (double)(int64_t)v && v < 9.0e15 && v > -9.0e15)
		out_printf(o, "%lld\n", (long long)v);
	else
		out_printf(o, "%.17g\n", v);
}

char *metrics_text(const json_t *stats, struct hosts *hosts,
		   const struct tw_config *cfg, size_t *len)
{
	struct samples ss = { 0 };
	struct out o = { 0 };

	if (stats)
		walk(&ss, stats, "", "", "");
	if (hosts)
		add_hosts(&ss, hosts);
	if (cfg)
		add_capacity(&ss, cfg);
	o.cap = 4096 + ss.n * 96;
	o.p = malloc(o.cap);
	if (!o.p || ss.oom) {
		free(ss.s);
		free(o.p);
		return NULL;
	}
	o.p[0] = '\0';
	qsort(ss.s, ss.n, sizeof(*ss.s), sample_cmp);
	for (size_t i = 0; i < ss.n; i++) {
		const struct sample *s = &ss.s[i];
		const char *suffix = s->counter ? "_total" : "";

		if (i == 0 || strcmp(s->name, ss.s[i - 1].name) != 0) {
			out_printf(&o, "# HELP tunnelwatch_%s%s %s\n", s->name,
				   suffix, s->help);
			out_printf(&o, "# TYPE tunnelwatch_%s%s %s\n", s->name,
				   suffix, s->counter ? "counter" : "gauge");
		} else if (s->counter != ss.s[i - 1].counter) {
			continue; /* one type per family */
		}
		out_printf(&o, "tunnelwatch_%s%s%s%s%s ", s->name, suffix,
			   s->labels[0] ? "{" : "", s->labels,
			   s->labels[0] ? "}" : "");
		value_print(&o, s->value);
	}
	free(ss.s);
	if (o.oom) {
		free(o.p);
		return NULL;
	}
	*len = o.len;
	return o.p;
}
