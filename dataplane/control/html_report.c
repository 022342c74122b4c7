/* SPDX-License-Identifier: BSD-3-Clause */
/* The HTML report's page: head and style, run summary, host table, one
 * section per drawn host (timeline from html_timeline.c, findings,
 * evidence), footer. Every string from the wire goes through html_esc(). */
#include "control/html_report.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/config.h"
#include "control/html_timeline.h"
#include "control/html_util.h"
#include "verdict/timeline.h"
#include "base/counters.h"

#ifndef TW_VERSION
#define TW_VERSION "0.1.0"
#endif

static const char page_style[] =
	":root{--ink:#1f2933;--mute:#616e7c;--line:#d9dee4;--bg:#f5f7fa;}\n"
	"body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,"
	"'DejaVu Sans',sans-serif;color:var(--ink);background:var(--bg);"
	"margin:0;padding:24px 32px;}\n"
	"main{max-width:1140px;margin:0 auto;}\n"
	"h1{font-size:22px;margin:0 0 2px;}h2{font-size:17px;margin:28px 0 10px;}"
	"h3{font-size:14px;margin:16px 0 6px;color:var(--mute);"
	"text-transform:uppercase;letter-spacing:.04em;}\n"
	".lede{color:var(--mute);margin:0 0 16px;}\n"
	".cards{display:flex;flex-wrap:wrap;gap:12px;}\n"
	".card{flex:1 1 0;background:#fff;border:1px solid var(--line);"
	"border-radius:6px;padding:10px 14px;min-width:110px;}\n"
	".card b{display:block;font-size:18px;}.card em{font-style:normal;"
	"color:var(--mute);font-size:12px;}\n"
	"table{border-collapse:collapse;background:#fff;width:100%;"
	"border:1px solid var(--line);}\n"
	"th,td{text-align:left;padding:5px 10px;border-bottom:1px solid "
	"var(--line);vertical-align:top;}\n"
	"th{font-size:12px;color:var(--mute);font-weight:600;background:#fafbfc;}\n"
	"td.num{text-align:right;font-variant-numeric:tabular-nums;}\n"
	".mono,code{font-family:'DejaVu Sans Mono',Menlo,Consolas,monospace;"
	"font-size:12.5px;}\n"
	".badge{display:inline-block;border-radius:10px;padding:0 8px;"
	"font-size:12px;font-weight:600;color:#fff;}\n"
	".v-alert{background:#c5221f;}.v-suspicious{background:#e8710a;}"
	".v-clean{background:#3f8f4e;}\n"
	".s-high{color:#c5221f;}.s-medium{color:#e8710a;}.s-low{color:#a67c00;}"
	".s-info{color:#7b8794;}\n"
	".sev{font-weight:600;font-size:12px;text-transform:uppercase;}\n"
	".score{display:inline-block;width:60px;height:6px;background:#e4e7eb;"
	"border-radius:3px;margin-left:6px;vertical-align:middle;}\n"
	".score i{display:block;height:6px;border-radius:3px;}\n"
	"section.host{background:#fff;border:1px solid var(--line);"
	"border-radius:6px;padding:4px 18px 14px;margin:18px 0;}\n"
	"section.host h2{margin:14px 0 2px;}\n"
	"svg.tl{display:block;max-width:100%;height:auto;margin:8px 0;"
	"font-family:system-ui,'DejaVu Sans',sans-serif;}\n"
	"svg .ax{font-size:11px;fill:#616e7c;}svg .grid{stroke:#e4e7eb;}\n"
	"svg .lbl{font-size:12px;fill:#1f2933;font-family:'DejaVu Sans Mono',"
	"monospace;}\n"
	"svg .sub{font-size:11px;fill:#7b8794;}svg .zebra{fill:#f7f9fb;}\n"
	"svg .span{stroke:#aab4bf;stroke-width:1.5;stroke-dasharray:3 3;}\n"
	"svg .bar{stroke:#08306b;stroke-opacity:.25;}"
	"svg .bar.open{stroke:#08306b;stroke-opacity:.9;stroke-dasharray:4 2;}\n"
	"svg .tick{stroke:#323f4b;stroke-width:1.2;}"
	"svg .ev{stroke:#7b3fb5;stroke-width:1.2;}\n"
	"svg .mk{stroke:#fff;stroke-width:1.2;}svg .fspan{stroke-width:2;"
	"opacity:.55;}\n"
	".legend{color:var(--mute);font-size:12px;display:flex;gap:18px;"
	"flex-wrap:wrap;align-items:center;margin:6px 0 0;}\n"
	".ramp{display:inline-block;width:120px;height:9px;vertical-align:middle;"
	"background:linear-gradient(90deg,#c6dbef,#4292c6,#08306b);margin:0 6px;}\n"
	".dot{display:inline-block;width:9px;height:9px;transform:rotate(45deg);"
	"margin:0 4px 0 8px;}\n"
	"ol.findings{padding-left:28px;margin:4px 0;}ol.findings li{margin:4px 0;}\n"
	"ol.findings .meta{color:var(--mute);font-size:12px;}\n"
	".note{color:var(--mute);font-size:12px;}\n"
	"a{color:#1f5fa8;text-decoration:none;}a:hover{text-decoration:underline;}\n"
	"#filter{margin:0 0 8px;padding:4px 8px;width:260px;}\n"
	"footer{color:var(--mute);font-size:12px;margin:30px 0 0;}\n";

/* The page works without it: it only adds a filter box to the host
 * table. */
static const char page_script[] =
	"(function(){var t=document.getElementById('hosts');if(!t)return;"
	"var i=document.createElement('input');i.id='filter';"
	"i.placeholder='filter hosts';t.parentNode.insertBefore(i,t);"
	"i.addEventListener('input',function(){var q=i.value.toLowerCase();"
	"var r=t.tBodies[0].rows;for(var k=0;k<r.length;k++)"
	"r[k].style.display=r[k].textContent.toLowerCase().indexOf(q)<0?"
	"'none':'';}});})();\n";

struct page {
	FILE *out;
	const struct html_report_input *in;
	const struct host **hosts;     /* with findings, worst first */
	unsigned n_hosts;
	const struct host **drawn;     /* NULL entry: an asked host unknown */
	const struct ip_addr *drawn_ip;
	unsigned n_drawn;
	uint64_t run_first_ns, run_last_ns;
};

static void head_write(FILE *out)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	      "style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	      "<title>tunnelwatch report</title>\n<style>\n",
	      out);
	fputs(page_style, out);
	fputs("</style>\n</head>\n<body>\n<main>\n", out);
}

static void card_write(FILE *out, const char *value, const char *label)
{
	fprintf(out, "<div class=\"card\"><b>%s</b><em>%s</em></div>\n",
		value, label);
}

static void verdict_counts(const struct page *p, unsigned counts[3])
{
	counts[0] = counts[1] = counts[2] = 0;
	for (unsigned i = 0; i < p->n_hosts; i++)
		counts[p->hosts[i]->verdict < 3 ? p->hosts[i]->verdict : 0]++;
}

static void traces_write(const struct page *p)
{
	const struct html_report_input *in = p->in;

	if (in->n_traces == 0) {
		fputs("<p class=\"lede\">Live appliance: flows ended since the "
		      "start, findings, verdicts now.</p>\n", p->out);
		return;
	}
	fputs("<p class=\"lede\">Traces: ", p->out);
	for (unsigned i = 0; i < in->n_traces && i < 12; i++) {
		const char *base = strrchr(in->traces[i], '/');

		fputs(i ? ", <code>" : "<code>", p->out);
		html_esc(p->out, base ? base + 1 : in->traces[i]);
		fputs("</code>", p->out);
	}
	if (in->n_traces > 12)
		fprintf(p->out, " and %u more", in->n_traces - 12);
	fputs("</p>\n", p->out);
}

static void summary_write(const struct page *p)
{
	const struct report_stats *st = p->in->st;
	char v[160], a[32], b[32], d[32], label[96];
	unsigned counts[3];

	fputs("<header>\n<h1>tunnelwatch report</h1>\n", p->out);
	traces_write(p);
	fputs("</header>\n<div class=\"cards\">\n", p->out);
	snprintf(label, sizeof(label), "trace%s", p->in->n_traces == 1 ? "" : "s");
	snprintf(v, sizeof(v), "%u", p->in->n_traces);
	if (p->in->n_traces)
		card_write(p->out, v, label);
	card_write(p->out, html_count(st->total.v[TW_CTR_PKTS], v, sizeof(v)),
		   "packets");
	card_write(p->out, html_bytes(st->total.v[TW_CTR_BYTES], v, sizeof(v)),
		   "on the wire");
	card_write(p->out,
		   html_count(st->total.v[TW_CTR_FLOWS_CREATED], v, sizeof(v)),
		   "flows");
	html_utc(p->run_first_ns, a, sizeof(a));
	html_utc(p->run_last_ns, b, sizeof(b));
	/* the end's date only when it is another day */
	snprintf(label, sizeof(label), "%s to %s UTC", a,
		 strlen(b) > 11 && !strncmp(a, b, 11) ? b + 11 : b);
	card_write(p->out,
		   html_duration(p->run_last_ns - p->run_first_ns, d, sizeof(d)),
		   label);
	verdict_counts(p, counts);
	snprintf(v, sizeof(v), "<span class=\"s-high\">%u</span> / "
		 "<span class=\"s-medium\">%u</span> / %u", counts[VERDICT_ALERT],
		 counts[VERDICT_SUSPICIOUS], counts[VERDICT_CLEAN]);
	card_write(p->out, v, "hosts: alert / suspicious / clean with findings");
	fputs("</div>\n", p->out);
}

static bool is_drawn(const struct page *p, const struct host *hst)
{
	for (unsigned i = 0; i < p->n_drawn; i++)
		if (p->drawn[i] == hst)
			return true;
	return false;
}

static void host_link_write(FILE *out, const struct ip_addr *ip, bool link)
{
	char s[64];

	ip_addr_format(ip, s, sizeof(s));
	if (link)
		fprintf(out, "<a class=\"mono\" href=\"#h-%s\">%s</a>", s, s);
	else
		fprintf(out, "<span class=\"mono\">%s</span>", s);
}

static void verdict_badge(FILE *out, unsigned verdict)
{
	const char *name = verdict_name((enum verdict)verdict);

	fprintf(out, "<span class=\"badge v-%s\">%s</span>", name, name);
}

static void score_write(FILE *out, unsigned score, unsigned verdict)
{
	static const char *const colour[3] = { "#3f8f4e", "#e8710a", "#c5221f" };

	fprintf(out, "%u<span class=\"score\"><i style=\"width:%u%%;background:%s\"></i></span>",
		score, score > 100 ? 100 : score, colour[verdict < 3 ? verdict : 0]);
}

static void raised_short_write(FILE *out, const char *raised)
{
	for (const char *s = raised; *s; s++) {
		if (*s == ';') {
			fputs("<br>", out);
			continue;
		}
		char c[2] = { *s, 0 };

		html_esc(out, c);
	}
}

static void host_row_write(const struct page *p, const struct host *hst)
{
	char fam[128], last[32];

	fputs("<tr><td>", p->out);
	verdict_badge(p->out, hst->verdict);
	fputs("</td><td class=\"num\">", p->out);
	score_write(p->out, hst->score, hst->verdict);
	fputs("</td><td>", p->out);
	host_link_write(p->out, &hst->ip, is_drawn(p, hst));
	fputs("</td><td>", p->out);
	html_esc(p->out, host_families(hst, fam, sizeof(fam)));
	fputs("</td><td class=\"mono\">", p->out);
	raised_short_write(p->out, hst->raised_by);
	fprintf(p->out, "</td><td class=\"mono\">%s</td></tr>\n",
		html_utc(hst->last_ns, last, sizeof(last)));
}

static void host_table_write(const struct page *p)
{
	unsigned rows = p->n_hosts < HTML_HOST_ROWS ? p->n_hosts : HTML_HOST_ROWS;

	fputs("<h2>Hosts with findings</h2>\n", p->out);
	if (p->n_hosts == 0) {
		fputs("<p class=\"note\">No host has a finding.</p>\n", p->out);
		return;
	}
	fputs("<table id=\"hosts\">\n<thead><tr><th>verdict</th><th>score</th>"
	      "<th>host</th><th>families</th><th>raised by</th>"
	      "<th>last seen (UTC)</th></tr></thead>\n<tbody>\n", p->out);
	for (unsigned i = 0; i < rows; i++)
		host_row_write(p, p->hosts[i]);
	fputs("</tbody>\n</table>\n", p->out);
	if (rows < p->n_hosts)
		fprintf(p->out,
			"<p class=\"note\">%u more hosts with findings; the JSON "
			"report lists them all.</p>\n",
			p->n_hosts - rows);
}

static void legend_write(FILE *out)
{
	fputs("<div class=\"legend\"><span>flow bars: bytes/s, log scale "
	      "1 B/s<span class=\"ramp\"></span>10 MB/s</span>"
	      "<span>dashed: open at the end</span>"
	      "<span>ticks: flow starts above, "
	      "<span style=\"color:#7b3fb5\">in-flow beacon events</span> "
	      "below</span><span>findings:", out);
	for (unsigned s = SEV_HIGH + 1; s-- > SEV_INFO;)
		fprintf(out, "<i class=\"dot\" style=\"background:%s\"></i>%s",
			html_severity_colour(s), severity_name((enum severity)s));
	fputs("</span></div>\n", out);
}

static void finding_item_write(FILE *out, const struct host_finding *hf,
			       unsigned number)
{
	const char *sev = severity_name((enum severity)hf->f.severity);
	char peer[64], first[32], last[32];

	ip_addr_format(&hf->peer, peer, sizeof(peer));
	fprintf(out, "<li id=\"f-%u\"><span class=\"sev s-%s\">%s</span> "
		"<code>%s</code> ", number, sev, sev, hf->f.kind);
	html_esc(out, hf->f.summary);
	fprintf(out,
		"<br><span class=\"meta\">peer %s:%u \u00b7 %s to %s UTC"
		" \u00b7 seen %" PRIu32 " time%s</span></li>\n",
		peer, hf->peer_port, html_utc(hf->f.first_ns, first, sizeof(first)),
		html_utc(hf->f.last_ns, last, sizeof(last)), hf->f.count,
		hf->f.count == 1 ? "" : "s");
}

/* "kind severity +points[ corroborates]" items, ';'-separated. */
static void evidence_write(FILE *out, const struct host *hst,
			   const struct tw_config *cfg)
{
	char buf[HOST_RAISED_MAX], *save = NULL;

	fputs("<h3>Evidence</h3>\n<table class=\"ev\"><thead><tr><th>raised by"
	      "</th><th>severity</th><th>points</th><th>why</th></tr></thead>"
	      "<tbody>\n", out);
	memcpy(buf, hst->raised_by, sizeof(buf));
	buf[sizeof(buf) - 1] = '\0';
	for (char *tok = strtok_r(buf, ";", &save); tok;
	     tok = strtok_r(NULL, ";", &save)) {
		char kind[64] = "", sev[16] = "", pts[16] = "", why[32] = "";

		sscanf(tok, "%63s %15s %15s %31s", kind, sev, pts, why);
		fputs("<tr><td><code>", out);
		html_esc(out, kind);
		fputs("</code></td><td class=\"sev s-", out);
		html_esc(out, sev);
		fputs("\">", out);
		html_esc(out, sev);
		fputs("</td><td class=\"num\">", out);
		html_esc(out, pts);
		fputs("</td><td>", out);
		html_esc(out, why[0] ? "corroborates a covert channel (fusion)" :
				       "strongest of its family");
		fputs("</td></tr>\n", out);
	}
	fprintf(out, "<tr><th>score</th><th></th><th class=\"num\">%u</th>"
		"<th>of 100 (suspicious from %u, alert from %u)</th></tr>\n"
		"</tbody></table>\n",
		hst->score, cfg->hosts.suspicious_score, cfg->hosts.alert_score);
}

static int host_section_write(const struct page *p, const struct ip_addr *ip,
			      const struct host *hst)
{
	struct html_timeline_ctx tc = {
		.cfg = p->in->cfg,
		.tl = p->in->tl,
	};
	char s[64], fam[128], a[32], b[32];

	ip_addr_format(ip, s, sizeof(s));
	fprintf(p->out, "<section class=\"host\" id=\"h-%s\">\n<h2 class=\"mono\">%s ",
		s, s);
	verdict_badge(p->out, hst ? hst->verdict : VERDICT_CLEAN);
	fputs("</h2>\n<p class=\"note\">", p->out);
	if (hst)
		fprintf(p->out, "score %u \u00b7 families %s \u00b7 %s to %s UTC",
			hst->score, host_families(hst, fam, sizeof(fam)),
			html_utc(hst->first_ns, a, sizeof(a)),
			html_utc(hst->last_ns, b, sizeof(b)));
	else
		fputs("no findings", p->out);
	fputs("</p>\n", p->out);
	if (html_timeline_write(p->out, &tc, ip, hst) != 0)
		return -1;
	if (!hst || hst->n_findings == 0) {
		fputs("</section>\n", p->out);
		return 0;
	}
	fputs("<h3>Findings</h3>\n<ol class=\"findings\">\n", p->out);
	for (unsigned j = 0; j < hst->n_findings; j++)
		finding_item_write(p->out, &hst->findings[j], j + 1);
	fputs("</ol>\n", p->out);
	if (hst->findings_dropped)
		fprintf(p->out,
			"<p class=\"note\">%" PRIu64 " more findings not kept "
			"(hosts.max_findings_per_host).</p>\n",
			hst->findings_dropped);
	evidence_write(p->out, hst, p->in->cfg);
	fputs("</section>\n", p->out);
	return 0;
}

static int timelines_write(const struct page *p)
{
	unsigned flagged = 0;

	for (unsigned i = 0; i < p->n_hosts; i++)
		flagged += p->hosts[i]->verdict != VERDICT_CLEAN &&
			   !is_drawn(p, p->hosts[i]);
	fputs("<h2>Timelines</h2>\n", p->out);
	if (p->n_drawn == 0) {
		fputs("<p class=\"note\">No suspicious or alerting host.</p>\n",
		      p->out);
		return 0;
	}
	legend_write(p->out);
	for (unsigned i = 0; i < p->n_drawn; i++)
		if (host_section_write(p, &p->drawn_ip[i], p->drawn[i]) != 0)
			return -1;
	if (flagged)
		fprintf(p->out,
			"<p class=\"note\">Timelines are drawn for %u hosts at "
			"most (report.max_hosts); the host table lists the "
			"others.</p>\n",
			p->in->cfg->report.max_hosts);
	return 0;
}

static void footer_write(const struct page *p)
{
	const struct timeline *tl = p->in->tl;
	char n[32];

	fprintf(p->out, "<footer>tunnelwatch %s \u00b7 a self-contained page: "
		"no script, font or image is fetched", TW_VERSION);
	if (tl && timeline_sampled_out(tl))
		fprintf(p->out,
			" \u00b7 %s flows not drawn: conversations sampled "
			"(report.max_conversations)",
			html_count(timeline_sampled_out(tl), n, sizeof(n)));
	fprintf(p->out, "</footer>\n</main>\n<script>\n%s</script>\n"
		"</body>\n</html>\n", page_script);
}

static const struct host *host_of(const struct page *p,
				  const struct ip_addr *ip)
{
	for (unsigned i = 0; i < p->n_hosts; i++)
		if (!memcmp(&p->hosts[i]->ip, ip, sizeof(*ip)))
			return p->hosts[i];
	return NULL;
}

static bool already_drawn(const struct page *p, const struct ip_addr *ip)
{
	for (unsigned i = 0; i < p->n_drawn; i++)
		if (!memcmp(&p->drawn_ip[i], ip, sizeof(*ip)))
			return true;
	return false;
}

/* The hosts asked for by address first, then the non-clean ones worst
 * first, report.max_hosts in all. */
static void drawn_pick(struct page *p, struct ip_addr *ips)
{
	const struct html_report_input *in = p->in;
	unsigned max = in->cfg->report.max_hosts;

	p->drawn_ip = ips;
	for (unsigned i = 0; i < in->n_asked && p->n_drawn < max; i++) {
		if (already_drawn(p, &in->asked[i]))
			continue;
		ips[p->n_drawn] = in->asked[i];
		p->drawn[p->n_drawn++] = host_of(p, &in->asked[i]);
	}
	for (unsigned i = 0; i < p->n_hosts && p->n_drawn < max; i++) {
		const struct host *h = p->hosts[i];

		if (h->verdict == VERDICT_CLEAN || already_drawn(p, &h->ip))
			continue;
		ips[p->n_drawn] = h->ip;
		p->drawn[p->n_drawn++] = h;
	}
}

static void run_span(struct page *p)
{
	uint64_t first = 0, last = 0;

	if (p->in->tl)
		timeline_span(p->in->tl, &first, &last);
	for (unsigned i = 0; i < p->n_hosts; i++) {
		const struct host *h = p->hosts[i];

		if (h->first_ns && (first == 0 || h->first_ns < first))
			first = h->first_ns;
		if (h->last_ns > last)
			last = h->last_ns;
	}
	p->run_first_ns = first;
	p->run_last_ns = last > first ? last : first;
}

int html_report_write(FILE *out, const struct html_report_input *in)
{
	unsigned cap = (in->hosts ? hosts_count(in->hosts) : 0) + 1;
	unsigned max_drawn = in->cfg->report.max_hosts;
	struct page p = { .out = out, .in = in };
	struct ip_addr *ips = calloc(max_drawn, sizeof(*ips));
	int rc = -1;

	p.hosts = calloc(cap, sizeof(*p.hosts));
	p.drawn = calloc(max_drawn, sizeof(*p.drawn));
	if (!ips || !p.hosts || !p.drawn)
		goto out;
	if (in->hosts)
		p.n_hosts = hosts_sorted(in->hosts, p.hosts, cap, false);
	drawn_pick(&p, ips);
	run_span(&p);
	head_write(out);
	summary_write(&p);
	host_table_write(&p);
	if (timelines_write(&p) != 0)
		goto out;
	footer_write(&p);
	rc = ferror(out) ? -1 : 0;
out:
	free(ips);
	free(p.hosts);
	free(p.drawn);
	return rc;
}

int html_report_save(const char *path, const struct html_report_input *in)
{
	char tmp[TW_PATH_MAX + 16];
	FILE *f;
	int rc, saved;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	f = fopen(tmp, "w");
	if (!f)
		return -1;
	rc = html_report_write(f, in);
	saved = errno;
	if (fclose(f) != 0 && rc == 0) {
		rc = -1;
		saved = errno;
	}
	if (rc == 0 && rename(tmp, path) != 0) {
		rc = -1;
		saved = errno;
	}
	if (rc != 0) {
		unlink(tmp);
		errno = saved ? saved : EIO;
	}
	return rc;
}
