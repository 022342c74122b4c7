/* SPDX-License-Identifier: BSD-3-Clause */
/* tunnelwatch-ctl's tables: one printer per answer, columns aligned as
 * the offline table aligns them (numbers to the right), summaries cut at
 * the offline table's 60 characters unless --wide, cells kept to
 * printable ASCII (summaries quote bytes from the wire). */
#include "ctl_print.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_COLS 10
#define CELL_MAX 60    /* longer cells end in "..." (the offline table's) */
#define CELL_WIDE 4096 /* --wide */

static size_t cell_max = CELL_MAX;

void print_set_wide(int wide)
{
	cell_max = wide ? CELL_WIDE : CELL_MAX;
}

/* ---- tables ---- */

struct table {
	int ncols;
	unsigned right;        /* bit c: column c aligned right (numbers) */
	size_t nrows, cap;
	char **cells;          /* row-major, nrows * ncols */
};

static void table_row(struct table *t, const char **vals)
{
	if (t->nrows == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 16;
		t->cells = realloc(t->cells, t->cap * (size_t)t->ncols *
						     sizeof(*t->cells));
		if (!t->cells) {
			fprintf(stderr, "tunnelwatch-ctl: out of memory\n");
			exit(1);
		}
	}
	for (int c = 0; c < t->ncols; c++) {
		char buf[CELL_WIDE + 1];
		const char *v = vals[c] ? vals[c] : "-";
		size_t i;

		for (i = 0; v[i] && i < cell_max; i++)
			buf[i] = (v[i] >= 0x20 && v[i] < 0x7f) ? v[i] : '?';
		buf[i] = '\0';
		if (v[i] && i >= 3)
			memcpy(buf + i - 3, "...", 3);
		t->cells[t->nrows * (size_t)t->ncols + (size_t)c] = strdup(buf);
	}
	t->nrows++;
}

static void table_print(struct table *t)
{
	int w[MAX_COLS] = { 0 };

	for (size_t r = 0; r < t->nrows; r++)
		for (int c = 0; c < t->ncols; c++) {
			int len = (int)strlen(t->cells[r * (size_t)t->ncols +
							(size_t)c]);

			if (len > w[c])
				w[c] = len;
		}
	for (size_t r = 0; r < t->nrows; r++) {
		for (int c = 0; c < t->ncols; c++) {
			const char *cell = t->cells[r * (size_t)t->ncols +
						    (size_t)c];

			int right = (t->right >> c) & 1;

			if (c == t->ncols - 1 && !right)
				printf("%s\n", cell);
			else
				printf(right ? "%*s%s" : "%-*s%s", w[c], cell,
				       c == t->ncols - 1 ? "\n" : "  ");
			free((void *)cell);
		}
	}
	free(t->cells);
	memset(t, 0, sizeof(*t));
}

static const char *str(json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s ? s : "-";
}

static const char *num(json_t *obj, const char *key, char *buf, size_t len)
{
	json_t *v = json_object_get(obj, key);

	if (json_is_integer(v))
		snprintf(buf, len, "%lld", (long long)json_integer_value(v));
	else if (json_is_real(v))
		snprintf(buf, len, "%.1f", json_real_value(v));
	else
		snprintf(buf, len, "-");
	return buf;
}

/* "2024-01-02T03:04:05.123456Z" -> "2024-01-02 03:04:05" */
static const char *when(const char *rfc3339, char *buf, size_t len)
{
	snprintf(buf, len, "%.19s", rfc3339);
	if (strlen(buf) > 10)
		buf[10] = ' ';
	return buf;
}

/* "10.0.0.1:22", "[fe80::1]:22" */
static const char *endpoint(json_t *obj, const char *ip_key,
			    const char *port_key, char *buf, size_t len)
{
	const char *ip = str(obj, ip_key);
	char port[24];

	num(obj, port_key, port, sizeof(port));
	snprintf(buf, len, strchr(ip, ':') ? "[%s]:%s" : "%s:%s", ip, port);
	return buf;
}

static void join_array(json_t *arr, char *buf, size_t len)
{
	size_t i, used = 0;
	json_t *v;

	buf[0] = '\0';
	json_array_foreach(arr, i, v) {
		used += (size_t)snprintf(buf + used, used < len ? len - used : 0,
					 "%s%s", i ? "," : "",
					 json_string_value(v) ?
						 json_string_value(v) : "?");
		if (used >= len)
			break;
	}
	if (!buf[0])
		snprintf(buf, len, "-");
}

/* ---- one printer per answer ---- */

static const char *last_of_findings(json_t *findings, char *buf, size_t len)
{
	const char *best = NULL;
	size_t i;
	json_t *f;

	json_array_foreach(findings, i, f) {
		const char *t = json_string_value(json_object_get(f, "last_seen"));

		if (t && (!best || strcmp(t, best) > 0))
			best = t;
	}
	return best ? when(best, buf, len) : "-";
}

static void print_hosts(json_t *doc)
{
	static const char *head[] = { "VERDICT", "SCORE", "HOST", "FAMILIES",
				      "STRONGEST EVIDENCE", "LAST SEEN (UTC)" };
	struct table t = { .ncols = 6, .right = 1u << 1 };
	json_t *hosts = json_object_get(doc, "hosts"), *h;
	size_t i;

	if (json_array_size(hosts) == 0) {
		printf("no host flagged\n");
		return;
	}
	table_row(&t, head);
	json_array_foreach(hosts, i, h) {
		char score[16], fam[128], last[32];
		json_t *fs = json_object_get(h, "findings");
		const char *row[6] = {
			str(h, "verdict"), num(h, "score", score, sizeof(score)),
			str(h, "ip"), fam,
			str(json_array_get(fs, 0), "summary"),
			last_of_findings(fs, last, sizeof(last)),
		};

		join_array(json_object_get(h, "families"), fam, sizeof(fam));
		table_row(&t, row);
	}
	table_print(&t);
}

static void print_flows(json_t *obj)
{
	static const char *head[] = { "PROTO", "ORIGINATOR", "RESPONDER", "APP",
				      "STATE", "SECONDS", "PACKETS", "BYTES",
				      "LAST SEEN (UTC)" };
	struct table t = { .ncols = 9,
			   .right = 1u << 5 | 1u << 6 | 1u << 7 };
	json_t *flows = json_object_get(obj, "flows"), *f;
	size_t i;

	if (json_array_size(flows) == 0) {
		printf("no open flow\n");
		return;
	}
	table_row(&t, head);
	json_array_foreach(flows, i, f) {
		char o[80], r[80], dur[32], pk[48], by[48], last[32], a[24], b[24];
		const char *row[9] = {
			str(f, "proto"), o, r, str(f, "app"), str(f, "tcp_state"),
			num(f, "duration_s", dur, sizeof(dur)), pk, by,
			when(str(f, "last_seen"), last, sizeof(last)),
		};

		endpoint(f, "orig_ip", "orig_port", o, sizeof(o));
		endpoint(f, "resp_ip", "resp_port", r, sizeof(r));
		snprintf(pk, sizeof(pk), "%s/%s", num(f, "packets_orig", a, sizeof(a)),
			 num(f, "packets_resp", b, sizeof(b)));
		snprintf(by, sizeof(by), "%s/%s", num(f, "bytes_orig", a, sizeof(a)),
			 num(f, "bytes_resp", b, sizeof(b)));
		table_row(&t, row);
	}
	table_print(&t);
	if (json_is_true(json_object_get(obj, "truncated")))
		printf("(list cut at control.flows_listed per worker)\n");
}

static void print_findings_table(json_t *findings, int with_host,
				 int header);

/* The host column is left out where the table is about one host. */
static void print_findings(json_t *findings, int with_host)
{
	print_findings_table(findings, with_host, 1);
}

/* follow prints rows as they come: fixed widths instead of measured. */
static void print_findings_table(json_t *findings, int with_host,
				 int header)
{
	static const char *head[] = { "LAST SEEN (UTC)", "SEVERITY", "HOST",
				      "KIND", "PEER", "COUNT", "SUMMARY" };
	struct table t = { .ncols = with_host ? 7 : 6 };
	const char *h[7];
	json_t *f;
	size_t i;
	int n = 0;

	if (json_array_size(findings) == 0 && header >= 0) {
		if (header)
			printf("no finding\n");
		return;
	}
	for (int c = 0; c < 7; c++)
		if (c != 2 || with_host)
			h[n++] = head[c];
	t.right = 1u << (with_host ? 5 : 4); /* COUNT */
	if (header)
		table_row(&t, h);
	json_array_foreach(findings, i, f) {
		char last[32], peer[80], count[16];
		const char *row[7];

		n = 0;
		row[n++] = when(str(f, "last_seen"), last, sizeof(last));
		row[n++] = str(f, "severity");
		if (with_host)
			row[n++] = str(f, "host");
		row[n++] = str(f, "kind");
		row[n++] = endpoint(f, "peer_ip", "peer_port", peer,
				    sizeof(peer));
		row[n++] = num(f, "count", count, sizeof(count));
		row[n++] = str(f, "summary");
		table_row(&t, row);
	}
	table_print(&t);
}

static void print_host(json_t *doc)
{
	json_t *h = json_object_get(doc, "host");
	char score[16], fam[128], a[32], b[32];

	join_array(json_object_get(h, "families"), fam, sizeof(fam));
	if (json_object_get(h, "reason")) /* not in the table: say why */
		printf("host %s: %s\n", str(h, "ip"), str(h, "reason"));
	else
		printf("host %s: %s, score %s, families %s\n",
		       str(h, "ip"), str(h, "verdict"),
		       num(h, "score", score, sizeof(score)), fam);
	if (json_object_get(h, "first_seen"))
		printf("seen %s to %s (UTC)\n",
		       when(str(h, "first_seen"), a, sizeof(a)),
		       when(str(h, "last_seen"), b, sizeof(b)));
	printf("\nfindings\n");
	print_findings(json_object_get(h, "findings"), 0);
	printf("\nopen flows\n");
	print_flows(json_object_get(h, "open_flows"));
}

/* stats: one "path: value" line per number, nested keys joined by dots. */
static void print_flat(const char *prefix, json_t *v)
{
	char key[256];
	const char *k;
	json_t *sub;
	size_t i;

	if (json_is_object(v)) {
		json_object_foreach(v, k, sub) {
			snprintf(key, sizeof(key), "%s%s%s", prefix,
				 prefix[0] ? "." : "", k);
			print_flat(key, sub);
		}
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, sub) {
			snprintf(key, sizeof(key), "%s[%zu]", prefix, i);
			print_flat(key, sub);
		}
	} else {
		char *text = json_dumps(v, JSON_ENCODE_ANY |
						JSON_REAL_PRECISION(15));

		printf("%-52s %s\n", prefix, text ? text : "?");
		free(text);
	}
}

static void print_help(json_t *doc)
{
	struct table t = { .ncols = 2 };
	size_t i, was = cell_max;
	json_t *c;

	cell_max = CELL_WIDE;
	json_array_foreach(json_object_get(doc, "commands"), i, c) {
		const char *row[2] = { str(c, "usage"), str(c, "help") };

		table_row(&t, row);
	}
	table_print(&t);
	cell_max = was;
}

void print_findings_rows(json_t *findings, int header)
{
	print_findings_table(findings, 1, header);
}

void print_answer(const char *cmd, json_t *doc)
{
	if (!strcmp(cmd, "hosts"))
		print_hosts(doc);
	else if (!strcmp(cmd, "host"))
		print_host(doc);
	else if (!strcmp(cmd, "flows"))
		print_flows(doc);
	else if (!strcmp(cmd, "findings"))
		print_findings(json_object_get(doc, "findings"), 1);
	else if (!strcmp(cmd, "stats"))
		print_flat("", json_object_get(doc, "stats"));
	else if (!strcmp(cmd, "help"))
		print_help(doc);
	else if (!strcmp(cmd, "version"))
		printf("tunnelwatch %s (%s)\n", str(doc, "version"),
		       str(doc, "engine"));
	else if (!strcmp(cmd, "report"))
		printf("HTML report of %lld bytes; save it with "
		       "tunnelwatch-ctl report --html FILE\n",
		       (long long)json_integer_value(json_object_get(doc, "bytes")));
	else if (!strcmp(cmd, "reset"))
		printf("%s: %s (findings of %lld open flow%s kept)\n",
		       str(doc, "reset"),
		       json_is_true(json_object_get(doc, "found")) ?
			       "state cleared" : "unknown host, nothing to clear",
		       (long long)json_integer_value(
			       json_object_get(doc, "kept_open")),
		       json_integer_value(json_object_get(doc, "kept_open")) == 1
			       ? "" : "s");
	else
		print_flat("", doc);
}

