/* SPDX-License-Identifier: BSD-3-Clause */
#include "control/ctl_cmds.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "control/ctl_socket.h"
#include "control/json_util.h"
#include "control/metrics.h"
#include "control/report.h"
#include "engine/manager.h"

#ifndef TW_VERSION
#define TW_VERSION "0.1.0"
#endif

#define ARG_MAX 128
#define FINDINGS_DEFAULT 20

enum arg_kind { ARG_NONE, ARG_IP, ARG_COUNT };

struct ctl_cmd {
	const char *name;
	enum arg_kind arg;
	const char *usage;
	const char *help;
	json_t *(*run)(struct ctl_backend *b, const char *arg);
};

#define N_COMMANDS 11
static const struct ctl_cmd commands[N_COMMANDS + 1];

/* ---- finding log ---- */

int finding_log_init(struct finding_log *l, uint32_t cap)
{
	memset(l, 0, sizeof(*l));
	l->f = calloc(cap, sizeof(*l->f));
	l->host_is_orig = calloc(cap, 1);
	l->cap = cap;
	if (!l->f || !l->host_is_orig) {
		finding_log_fini(l);
		return -1;
	}
	return 0;
}

void finding_log_add(struct finding_log *l, const struct finding *f,
		     int host_is_orig)
{
	l->f[l->next] = *f;
	l->host_is_orig[l->next] = (uint8_t)host_is_orig;
	l->next = (l->next + 1) % l->cap;
	l->total++;
}

void finding_log_fini(struct finding_log *l)
{
	free(l->f);
	free(l->host_is_orig);
	memset(l, 0, sizeof(*l));
}

/* ---- answers ---- */

static json_t *cmd_help(struct ctl_backend *b, const char *arg)
{
	json_t *arr = json_array();

	(void)b;
	(void)arg;
	for (const struct ctl_cmd *c = commands; arr && c->name; c++)
		json_array_append_new(arr, json_pack("{s:s, s:s}", "usage",
						     c->usage, "help", c->help));
	return json_pack("{s:o}", "commands", arr);
}

static json_t *cmd_version(struct ctl_backend *b, const char *arg)
{
	(void)arg;
	return json_pack("{s:s, s:s}", "version", TW_VERSION, "engine",
			 b->engine ? b->engine : "");
}

static json_t *cmd_stats(struct ctl_backend *b, const char *arg)
{
	(void)arg;
	return json_pack("{s:o}", "stats", b->stats(b->ctx));
}

/* The same host objects, in the same order, as the offline --json
 * report, so a replay can be compared with `tunnelwatch --read`. */
static json_t *cmd_hosts(struct ctl_backend *b, const char *arg)
{
	json_t *doc = report_json(&(struct report_stats){ 0 }, b->mgr->hosts,
				  false);

	(void)arg;
	if (doc)
		json_object_del(doc, "stats");
	return doc;
}

static json_t *cmd_host(struct ctl_backend *b, const char *arg)
{
	struct ip_addr ip;
	const struct host *hst;
	json_t *obj;

	ip_addr_parse(arg, &ip);
	hosts_refresh(b->mgr->hosts);
	hst = hosts_find(b->mgr->hosts, &ip);
	if (hst) {
		obj = report_host_json(hst);
		json_object_set_new(obj, "first_seen", json_time(hst->first_ns));
		json_object_set_new(obj, "last_seen", json_time(hst->last_ns));
	} else if (hosts_lost_findings(b->mgr->hosts)) {
		/* the table gave up hosts with findings: this one may be
		 * among them, its findings in the event log; never "clean" */
		obj = json_pack("{s:s, s:s, s:s, s:[], s:[]}", "ip", arg,
				"verdict", "not tracked", "reason",
				"not tracked: table full", "families",
				"findings");
	} else {
		obj = json_pack("{s:s, s:s, s:i, s:[], s:[]}", "ip", arg,
				"verdict", "clean", "score", 0, "families",
				"findings");
	}
	if (obj)
		json_object_set_new(obj, "open_flows", b->flows(b->ctx, &ip));
	return json_pack("{s:o}", "host", obj);
}

static json_t *cmd_flows(struct ctl_backend *b, const char *arg)
{
	struct ip_addr ip;
	json_t *obj;

	ip_addr_parse(arg, &ip);
	obj = b->flows(b->ctx, &ip);
	if (obj)
		json_object_set_new(obj, "ip", json_string(arg));
	return obj;
}

/* A finding from the latest-findings log, with the host it was put on. */
static json_t *finding_entry(const struct finding *f, int host_is_orig)
{
	char host[64];
	json_t *obj = json_finding(f, host_is_orig ? &f->resp : &f->orig,
				   host_is_orig ? f->resp_port : f->orig_port);

	if (obj)
		json_object_set_new(obj, "host",
				    json_string(ip_addr_format(
					    host_is_orig ? &f->orig : &f->resp,
					    host, sizeof(host))));
	return obj;
}

/* Kept entries, newest first by their last_seen (workers deliver out of
 * time order), then by arrival. */
static const struct finding_log *sort_log;

static int by_time_desc(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	const struct finding_log *l = sort_log;
	uint64_t tx = l->f[x].last_ns, ty = l->f[y].last_ns;
	uint32_t ax = (x + l->cap - l->next) % l->cap;
	uint32_t ay = (y + l->cap - l->next) % l->cap;

	if (tx != ty)
		return tx > ty ? -1 : 1;
	return ax > ay ? -1 : ax < ay;
}

/* The latest N findings, newest first (by time). */
static json_t *cmd_findings(struct ctl_backend *b, const char *arg)
{
	const struct finding_log *l = b->log;
	uint64_t have = l->total < l->cap ? l->total : l->cap;
	uint64_t n = arg[0] ? strtoull(arg, NULL, 10) : FINDINGS_DEFAULT;
	uint32_t *order = malloc((have ? have : 1) * sizeof(*order));
	json_t *arr = json_array();

	if (!order) {
		json_decref(arr);
		return NULL;
	}
	for (uint64_t i = 0; i < have; i++)
		order[i] = (uint32_t)((l->next + l->cap - 1 - i) % l->cap);
	sort_log = l;
	qsort(order, have, sizeof(*order), by_time_desc);
	if (n > have)
		n = have;
	for (uint64_t i = 0; arr && i < n; i++)
		json_array_append_new(arr, finding_entry(&l->f[order[i]],
							 l->host_is_orig[order[i]]));
	free(order);
	return json_pack("{s:o, s:I}", "findings", arr, "total",
			 json_int_u64(l->total));
}

/* Findings logged after the first SEQ (of `total`), oldest first: what
 * `tunnelwatch-ctl follow` asks for again and again. "lost" counts those
 * already overwritten (control.findings_kept). */
static json_t *cmd_since(struct ctl_backend *b, const char *arg)
{
	const struct finding_log *l = b->log;
	uint64_t seq = strtoull(arg, NULL, 10), first, lost = 0;
	json_t *arr = json_array();

	first = l->total > l->cap ? l->total - l->cap : 0;
	if (seq > l->total)
		seq = l->total;
	if (seq < first) {
		lost = first - seq;
		seq = first;
	}
	for (uint64_t i = seq; arr && i < l->total; i++) {
		uint32_t at = (uint32_t)(i % l->cap);

		json_array_append_new(arr, finding_entry(&l->f[at],
							 l->host_is_orig[at]));
	}
	return json_pack("{s:o, s:I, s:I}", "findings", arr, "total",
			 json_int_u64(l->total), "lost", json_int_u64(lost));
}

/* Prometheus text exposition of stats, hosts and tables (metrics.h). */
static json_t *cmd_metrics(struct ctl_backend *b, const char *arg)
{
	json_t *stats = b->stats(b->ctx), *doc;
	size_t len = 0;
	char *text;

	(void)arg;
	text = metrics_text(stats, b->mgr->hosts, b->mgr->cfg, &len);
	json_decref(stats);
	if (!text)
		return json_pack("{s:s}", "error",
				 "cannot build the metrics (out of memory)");
	doc = json_pack("{s:s%}", "metrics", text, len);
	free(text);
	return doc;
}

/* Forgets the host's verdict and findings, but not those of its flows
 * still open (the workers say which): their evidence is current. */
static json_t *cmd_reset(struct ctl_backend *b, const char *arg)
{
	uint64_t ids[1024];
	unsigned n = 0, kept = 0;
	struct ip_addr ip;
	json_t *open, *fl;
	size_t i;
	int rc;

	ip_addr_parse(arg, &ip);
	open = b->flows ? b->flows(b->ctx, &ip) : NULL;
	json_array_foreach(json_object_get(open, "flows"), i, fl) {
		json_t *id = json_object_get(fl, "flow_id");

		if (json_is_integer(id) && n < sizeof(ids) / sizeof(ids[0]))
			ids[n++] = (uint64_t)json_integer_value(id);
	}
	json_decref(open);
	rc = hosts_reset_keep_open(b->mgr->hosts, &ip, ids, n, &kept);
	return json_pack("{s:s, s:b, s:i}", "reset", arg, "found", rc == 0,
			 "kept_open", (int)kept);
}

/* The HTML report as one JSON string: tunnelwatch-ctl --html FILE
 * writes it out. */
static json_t *cmd_report(struct ctl_backend *b, const char *arg)
{
	char *page = NULL;
	size_t len = 0;
	json_t *doc;

	(void)arg;
	if (!b->html)
		return json_pack("{s:s}", "error", "no HTML report here");
	if (b->html(b->ctx, &page, &len) != 0) {
		free(page);
		return json_pack("{s:s}", "error",
				 "cannot build the HTML report (out of memory)");
	}
	doc = json_pack("{s:s%, s:I}", "html", page, len, "bytes",
			(json_int_t)len);
	free(page);
	return doc;
}

static const struct ctl_cmd commands[N_COMMANDS + 1] = {
	{ "help", ARG_NONE, "help", "this list", cmd_help },
	{ "version", ARG_NONE, "version", "program and engine version",
	  cmd_version },
	{ "stats", ARG_NONE, "stats",
	  "counters: packets, drops by reason, flows, findings, ports, "
	  "workers, control socket", cmd_stats },
	{ "hosts", ARG_NONE, "hosts", "hosts with findings, worst first",
	  cmd_hosts },
	{ "host", ARG_IP, "host IP",
	  "one host: verdict, score, findings with evidence, open flows",
	  cmd_host },
	{ "flows", ARG_IP, "flows IP", "open flows of one address",
	  cmd_flows },
	{ "findings", ARG_COUNT, "findings [N]",
	  "latest N findings, newest first by time (default 20)", cmd_findings },
	{ "since", ARG_COUNT, "since SEQ",
	  "findings logged after the first SEQ (of total), oldest first "
	  "(tunnelwatch-ctl follow)", cmd_since },
	{ "metrics", ARG_NONE, "metrics",
	  "Prometheus text exposition of the counters, hosts by verdict, "
	  "findings by kind, table sizes", cmd_metrics },
	{ "reset", ARG_IP, "reset IP",
	  "forget one host's verdict and findings but those of flows still open",
	  cmd_reset },
	{ "report", ARG_NONE, "report",
	  "the HTML report (timelines) as a JSON string; tunnelwatch-ctl "
	  "report --html FILE saves it", cmd_report },
	{ NULL, ARG_NONE, NULL, NULL, NULL },
};

/* ---- parsing ---- */

static const struct ctl_cmd *cmd_find(const char *name)
{
	for (const struct ctl_cmd *c = commands; c->name; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

static char *dump_line(json_t *doc)
{
	char *line = json_line(doc);

	return line ? line :
		      ctl_error_line("cannot build the answer (out of memory)");
}

static bool count_valid(const char *s)
{
	if (!*s)
		return true;
	if (strlen(s) > 9)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* NULL when arg suits c, else the error answer. */
static char *arg_check(const struct ctl_cmd *c, const char *arg,
		       const char *extra)
{
	struct ip_addr ip;

	if (*extra)
		return ctl_error_line("%s: too many arguments; usage: %s",
				      c->name, c->usage);
	switch (c->arg) {
	case ARG_NONE:
		if (*arg)
			return ctl_error_line("%s takes no argument", c->name);
		return NULL;
	case ARG_IP:
		if (!*arg)
			return ctl_error_line("%s: missing IP; usage: %s",
					      c->name, c->usage);
		if (ip_addr_parse(arg, &ip) != 0)
			return ctl_error_line("%s: '%s' is not an IPv4 or IPv6 "
					      "address", c->name, arg);
		return NULL;
	case ARG_COUNT:
		if (!count_valid(arg))
			return ctl_error_line("%s: '%s' is not a count; usage: %s",
					      c->name, arg, c->usage);
		return NULL;
	}
	return NULL;
}

/* Splits "cmd arg extra..." on blanks into at most three words. */
static void split_words(const char *line, char words[3][ARG_MAX])
{
	for (int w = 0; w < 3; w++) {
		size_t n;

		while (*line == ' ' || *line == '\t')
			line++;
		n = strcspn(line, " \t");
		if (n >= ARG_MAX)
			n = ARG_MAX - 1;
		memcpy(words[w], line, n);
		words[w][n] = '\0';
		line += strcspn(line, " \t");
	}
}

char *ctl_cmds_answer(void *ctx, const char *line)
{
	struct ctl_backend *b = ctx;
	char words[3][ARG_MAX];
	const struct ctl_cmd *c;
	char *bad;

	split_words(line, words);
	c = cmd_find(words[0]);
	if (!c)
		return ctl_error_line("unknown command '%.64s'; try help",
				      words[0]);
	bad = arg_check(c, words[1], words[2]);
	if (bad)
		return bad;
	return dump_line(c->run(b, words[1]));
}
