/* SPDX-License-Identifier: BSD-3-Clause */
/* One host's timeline (see html_timeline.h). Lanes come from the
 * manager's conversations (verdict/timeline.c) plus one per finding whose
 * peer has none kept; they are sorted by a total order (findings first,
 * then severity, duration, bytes, key) so the page is the same whatever
 * order the conversations were stored in. */
#include "control/html_timeline.h"

#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config/config.h"
#include "control/html_util.h"
#include "scan/app_id.h"
#include "verdict/hosts.h"
#include "verdict/timeline.h"

/* geometry, in SVG user units (= CSS px at 100%) */
#define SVG_W 1100.0
#define LABEL_W 232.0
#define STATS_W 128.0
#define AXIS_H 30.0
#define LANE_H 30.0
#define BAR_H 10.0
#define PLOT_X0 LABEL_W
#define PLOT_X1 (SVG_W - STATS_W)
#define NS 1000000000ULL

struct lane {
	const struct tl_conv *conv;  /* NULL: a lane for findings only */
	struct ip_addr peer;
	uint16_t port;               /* server port (peer's for findings) */
	uint8_t proto;
	uint8_t inbound;             /* the host answered: the peer opened */
	uint8_t sev;                 /* strongest finding + 1, 0 = none */
	uint32_t n_findings;
	uint64_t first_ns, last_ns;
	uint64_t bytes, flows;
	bool open;
};

struct window {
	uint64_t t0, t1;             /* drawn time range */
	uint64_t open_end_ns;        /* where flows still open end */
};

static double xof(const struct window *w, uint64_t t)
{
	double span = (double)(w->t1 - w->t0);

	if (t < w->t0)
		t = w->t0;
	if (t > w->t1)
		t = w->t1;
	return PLOT_X0 + (double)(t - w->t0) / span * (PLOT_X1 - PLOT_X0);
}

static const char *proto_name(uint8_t proto)
{
	switch (proto) {
	case 6:
		return "tcp";
	case 17:
		return "udp";
	case 1:
		return "icmp";
	case 58:
		return "icmp6";
	}
	return "ip";
}

/* ---- lanes ---------------------------------------------------------- */

static void lane_from_conv(struct lane *l, const struct tl_conv *c,
			   const struct ip_addr *host)
{
	memset(l, 0, sizeof(*l));
	l->conv = c;
	l->inbound = memcmp(&c->orig, host, sizeof(*host)) != 0;
	l->peer = l->inbound ? c->orig : c->resp;
	l->port = c->resp_port;
	l->proto = c->proto;
	l->first_ns = c->first_ns;
	l->last_ns = c->last_ns;
	l->bytes = c->bytes;
	l->flows = c->flows;
	l->open = c->open_flows > 0;
}

/* The lane a finding belongs on: its peer, protocol and port; else its
 * peer and protocol (an inbound lane is keyed by the host's port), the
 * largest such lane; else a findings-only lane for it. */
static unsigned lane_for_finding(struct lane *lanes, unsigned *n,
				 const struct host_finding *hf)
{
	int best = -1;

	for (unsigned i = 0; i < *n; i++) {
		const struct lane *l = &lanes[i];

		if (l->proto != hf->f.proto ||
		    memcmp(&l->peer, &hf->peer, sizeof(l->peer)))
			continue;
		if (!l->inbound && l->port == hf->peer_port)
			return i;
		if (l->conv && (best < 0 || l->bytes > lanes[best].bytes ||
				(l->bytes == lanes[best].bytes &&
				 l->port < lanes[best].port)))
			best = (int)i;
	}
	if (best >= 0)
		return (unsigned)best;
	memset(&lanes[*n], 0, sizeof(lanes[*n]));
	lanes[*n].peer = hf->peer;
	lanes[*n].port = hf->peer_port;
	lanes[*n].proto = hf->f.proto;
	lanes[*n].first_ns = UINT64_MAX;
	return (*n)++;
}

static void lane_add_finding(struct lane *l, const struct host_finding *hf)
{
	if (hf->f.severity + 1u > l->sev)
		l->sev = (uint8_t)(hf->f.severity + 1u);
	l->n_findings++;
	if (hf->f.first_ns && hf->f.first_ns < l->first_ns)
		l->first_ns = hf->f.first_ns;
	if (hf->f.last_ns > l->last_ns)
		l->last_ns = hf->f.last_ns;
}

static int cmp_u64_desc(uint64_t a, uint64_t b)
{
	return a > b ? -1 : a < b;
}

static int lane_cmp(const void *pa, const void *pb)
{
	const struct lane *a = pa, *b = pb;
	int c;

	if ((c = cmp_u64_desc(a->sev, b->sev)) ||
	    (c = cmp_u64_desc(a->n_findings, b->n_findings)) ||
	    (c = cmp_u64_desc(a->last_ns - a->first_ns,
			      b->last_ns - b->first_ns)) ||
	    (c = cmp_u64_desc(a->bytes, b->bytes)))
		return c;
	if ((c = memcmp(&a->peer, &b->peer, sizeof(a->peer))))
		return c;
	if (a->port != b->port)
		return a->port < b->port ? -1 : 1;
	if (a->proto != b->proto)
		return a->proto < b->proto ? -1 : 1;
	return (int)a->inbound - (int)b->inbound;
}

/* All lanes of the host, sorted; *n_out lanes, finding_lane[j] the lane
 * index of finding j (after sorting). NULL when out of memory. */
static struct lane *lanes_build(const struct html_timeline_ctx *c,
				const struct ip_addr *ip,
				const struct host *hst, unsigned *n_out,
				unsigned **finding_lane)
{
	unsigned cap = c->cfg->report.max_conversations;
	unsigned nf = hst ? hst->n_findings : 0, n = 0;
	const struct tl_conv **convs = calloc(cap ? cap : 1, sizeof(*convs));
	struct lane *lanes = NULL;
	unsigned *fl = calloc(nf ? nf : 1, sizeof(*fl));
	unsigned nc = 0;

	if (convs && c->tl)
		nc = timeline_host_convs(c->tl, ip, convs, cap);
	if (convs && fl)
		lanes = calloc(nc + nf + 1, sizeof(*lanes));
	if (!lanes) {
		free(convs);
		free(fl);
		return NULL;
	}
	for (unsigned i = 0; i < nc; i++)
		lane_from_conv(&lanes[n++], convs[i], ip);
	free(convs);
	/* sort once first, so findings pick among lanes in a fixed order */
	qsort(lanes, n, sizeof(*lanes), lane_cmp);
	for (unsigned j = 0; j < nf; j++)
		lane_add_finding(&lanes[lane_for_finding(lanes, &n,
							 &hst->findings[j])],
				 &hst->findings[j]);
	qsort(lanes, n, sizeof(*lanes), lane_cmp);
	/* the sort moved lanes: find each finding's lane again */
	for (unsigned j = 0; j < nf; j++)
		fl[j] = lane_for_finding(lanes, &n, &hst->findings[j]);
	*n_out = n;
	*finding_lane = fl;
	return lanes;
}

/* ---- time axis ------------------------------------------------------ */

static uint64_t tick_step(uint64_t span)
{
	static const uint64_t steps[] = {
		NS / 10, NS / 5, NS / 2, NS, 2 * NS, 5 * NS, 10 * NS, 15 * NS,
		30 * NS, 60 * NS, 120 * NS, 300 * NS, 600 * NS, 900 * NS,
		1800 * NS, 3600 * NS, 7200 * NS, 3 * 3600 * NS, 6 * 3600 * NS,
		12 * 3600 * NS, 86400 * NS, 2 * 86400 * NS, 7 * 86400 * NS,
		14 * 86400 * NS, 28 * 86400 * NS, 91 * 86400 * NS,
		364 * 86400 * NS,
	};
	unsigned n = sizeof(steps) / sizeof(steps[0]);

	for (unsigned i = 0; i < n; i++)
		if (span / steps[i] <= 7)
			return steps[i];
	return steps[n - 1];
}

static void tick_label(uint64_t t, uint64_t step, bool new_day, char *buf,
		       size_t len)
{
	time_t secs = (time_t)(t / NS);
	struct tm tm;
	char hm[32], day[16];

	if (!gmtime_r(&secs, &tm)) {
		snprintf(buf, len, "?");
		return;
	}
	strftime(day, sizeof(day), "%m-%d", &tm);
	if (step >= 86400 * NS) {
		snprintf(buf, len, "%s", day);
		return;
	}
	if (step < NS) {
		strftime(hm, sizeof(hm), "%H:%M:%S", &tm);
		snprintf(buf, len, "%s.%u", hm, (unsigned)(t % NS / (NS / 10)));
	} else if (step < 60 * NS) {
		strftime(hm, sizeof(hm), "%H:%M:%S", &tm);
		snprintf(buf, len, "%s", hm);
	} else {
		strftime(hm, sizeof(hm), "%H:%M", &tm);
		snprintf(buf, len, "%s", hm);
	}
	if (new_day) {
		char tmp[48];

		snprintf(tmp, sizeof(tmp), "%.15s %.31s", day, buf);
		snprintf(buf, len, "%s", tmp);
	}
}

static void axis_write(FILE *out, const struct window *w, double height)
{
	uint64_t step = tick_step(w->t1 - w->t0);
	uint64_t t = (w->t0 + step - 1) / step * step;
	uint64_t prev_day = w->t0 / (86400 * NS);
	char date[32], label[64];

	html_utc(w->t0, date, sizeof(date));
	date[10] = '\0';
	fprintf(out, "<text class=\"ax\" x=\"8\" y=\"18\">UTC, %s</text>\n",
		date);
	for (; t <= w->t1; t += step) {
		double x = xof(w, t);
		uint64_t day = t / (86400 * NS);

		tick_label(t, step, day != prev_day, label, sizeof(label));
		prev_day = day;
		fprintf(out,
			"<line class=\"grid\" x1=\"%.1f\" y1=\"%.0f\" x2=\"%.1f\" y2=\"%.1f\"/>"
			"<text class=\"ax\" x=\"%.1f\" y=\"18\" text-anchor=\"middle\">%s</text>\n",
			x, AXIS_H - 6, x, height - 4, x, label);
	}
}

/* ---- one lane ------------------------------------------------------- */

/* bytes per second on a log scale, 1 B/s to 10 MB/s, light to dark blue */
static void rate_colour(double rate, char *buf, size_t len)
{
	static const double stops[3][3] = {
		{ 198, 219, 239 }, { 66, 146, 198 }, { 8, 48, 107 },
	};
	double t = rate > 1 ? log10(rate) / 7.0 : 0;
	double f, rgb[3];
	unsigned s;

	if (t > 1)
		t = 1;
	s = t < 0.5 ? 0 : 1;
	f = (t - 0.5 * s) * 2;
	for (unsigned k = 0; k < 3; k++)
		rgb[k] = stops[s][k] + (stops[s + 1][k] - stops[s][k]) * f;
	snprintf(buf, len, "#%02x%02x%02x", (unsigned)lround(rgb[0]),
		 (unsigned)lround(rgb[1]), (unsigned)lround(rgb[2]));
}

static void lane_label_write(FILE *out, const struct lane *l, double yc)
{
	char peer[64], bytes[32];
	const char *app = l->conv && l->conv->app ? app_name(l->conv->app) : "";

	ip_addr_format(&l->peer, peer, sizeof(peer));
	/* outbound: "-> peer:port"; inbound: "<- peer :port" (the host's) */
	fprintf(out,
		"<text class=\"lbl\" x=\"8\" y=\"%.1f\"><title>%s %s, %s port %u</title>%s",
		yc + 4, l->inbound ? "opened by" : "to", peer,
		proto_name(l->proto), l->port,
		l->inbound ? "\u2190 " : "\u2192 ");
	if (strlen(peer) > 22)
		memcpy(peer + 20, "..", 3);
	fprintf(out, "%s%s%u</text>", peer, l->inbound ? " :" : ":", l->port);
	fprintf(out, "<text class=\"sub\" x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\">%s",
		LABEL_W - 8, yc + 4, proto_name(l->proto));
	if (app[0] && strcmp(app, "unknown") != 0) {
		fputc(' ', out);
		html_esc(out, app);
	}
	fputs("</text>", out);
	if (l->conv)
		fprintf(out,
			"<text class=\"sub\" x=\"%.0f\" y=\"%.1f\">%" PRIu64
			" flow%s \u00b7 %s</text>\n",
			PLOT_X1 + 10, yc + 4, l->flows, l->flows == 1 ? "" : "s",
			html_bytes(l->bytes, bytes, sizeof(bytes)));
	else
		fprintf(out,
			"<text class=\"sub\" x=\"%.0f\" y=\"%.1f\">findings only</text>\n",
			PLOT_X1 + 10, yc + 4);
}

static int bar_cmp(const void *pa, const void *pb)
{
	const struct tl_bar *a = pa, *b = pb;

	if (a->first_ns != b->first_ns)
		return a->first_ns < b->first_ns ? -1 : 1;
	if (a->last_ns != b->last_ns)
		return a->last_ns < b->last_ns ? -1 : 1;
	return a->bytes < b->bytes ? -1 : a->bytes > b->bytes;
}

/* "02:49:36" of a UTC time (the axis says the day) */
static const char *clock_of(uint64_t ts_ns, char *buf, size_t len)
{
	html_utc(ts_ns, buf, len);
	return strlen(buf) > 11 ? buf + 11 : buf;
}

static void bar_write(FILE *out, const struct window *w,
		      const struct tl_bar *b, double yc)
{
	bool open = b->bytes & TL_BAR_OPEN;
	uint64_t bytes = b->bytes & ~TL_BAR_OPEN;
	uint64_t end = open ? w->open_end_ns : b->last_ns;
	uint64_t dur = b->last_ns - b->first_ns;
	double rate = (double)bytes / (dur > NS ? (double)dur / 1e9 : 1.0);
	double x0 = xof(w, b->first_ns), x1 = xof(w, end);
	char fill[16], t0[32], d[32], sz[32], r[32];

	if (x1 - x0 < 2)
		x1 = x0 + 2;
	rate_colour(rate, fill, sizeof(fill));
	fprintf(out,
		"<rect class=\"bar%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.0f\" fill=\"%s\">"
		"<title>%s, %s%s, %s, %s</title></rect>",
		open ? " open" : "", x0, yc - BAR_H / 2, x1 - x0, BAR_H, fill,
		clock_of(b->first_ns, t0, sizeof(t0)),
		html_duration(dur, d, sizeof(d)),
		open ? " (open at the end)" : "",
		html_bytes(bytes, sz, sizeof(sz)),
		html_rate(rate, r, sizeof(r)));
}

static void bars_write(FILE *out, const struct window *w,
		       const struct tl_conv *c, double yc)
{
	struct tl_bar bars[TL_MAX_BARS];
	unsigned n = c->n_bars;

	memcpy(bars, c->bars, n * sizeof(bars[0]));
	qsort(bars, n, sizeof(bars[0]), bar_cmp);
	for (unsigned i = 0; i < n; i++)
		bar_write(out, w, &bars[i], yc);
	fputc('\n', out);
}

/* A histogram as ticks, one per bin, darker where more fell in it:
 * y is the ticks' top, what says what they count ("flow starts"). */
static void ticks_write(FILE *out, const struct window *w,
			const struct tl_hist *h, const char *cls, double y,
			const char *what)
{
	static const char *const shade[3] = { "0.35", "0.65", "1" };
	uint64_t lo = h->min >> h->shift, width = 1ULL << h->shift;
	uint32_t max = 0;
	char bw[32];

	for (unsigned i = 0; i < TL_HIST_BINS; i++)
		if (h->bins[i] > max)
			max = h->bins[i];
	if (h->n < 2 || max == 0)
		return;
	for (unsigned s = 0; s < 3; s++) {
		bool any = false;

		for (unsigned i = 0; i < TL_HIST_BINS; i++) {
			uint32_t n = h->bins[i];
			unsigned cls_of = n * 3 <= max ? 0 : n * 3 <= 2 * max ? 1 : 2;

			if (!n || cls_of != s)
				continue;
			if (!any)
				fprintf(out, "<path class=\"%s\" opacity=\"%s\" d=\"",
					cls, shade[s]);
			any = true;
			fprintf(out, "M%.1f %.1fv5",
				xof(w, ((lo + i) << h->shift) + width / 2), y);
		}
		if (any)
			fprintf(out,
				"\"><title>%" PRIu64 " %s (ticks: one per %s)</title></path>",
				h->n, what, html_duration(width, bw, sizeof(bw)));
	}
	fputc('\n', out);
}

static void marker_write(FILE *out, const struct window *w,
			 const struct host_finding *hf, unsigned number,
			 double yc)
{
	const char *colour = html_severity_colour(hf->f.severity);
	double x = xof(w, hf->f.last_ns);
	double xs = xof(w, hf->f.first_ns ? hf->f.first_ns : hf->f.last_ns);

	if (x - xs >= 2)
		fprintf(out,
			"<line class=\"fspan\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>",
			xs, yc + BAR_H / 2 + 8, x, yc + BAR_H / 2 + 8, colour);
	fprintf(out,
		"<a href=\"#f-%u\"><path class=\"mk\" d=\"M%.1f %.1fl6 6-6 6-6-6z\" fill=\"%s\">"
		"<title>#%u %s %s: ",
		number, x, yc - 6, colour, number,
		severity_name((enum severity)hf->f.severity), hf->f.kind);
	html_esc(out, hf->f.summary);
	fputs("</title></path></a>\n", out);
}

static void lane_write(FILE *out, const struct window *w,
		       const struct lane *l, unsigned index, double y)
{
	double yc = y + LANE_H / 2;

	if (index % 2)
		fprintf(out, "<rect class=\"zebra\" x=\"0\" y=\"%.0f\" width=\"%.0f\" height=\"%.0f\"/>",
			y, SVG_W, LANE_H);
	lane_label_write(out, l, yc);
	if (!l->conv)
		return;
	fprintf(out,
		"<line class=\"span\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>",
		xof(w, l->first_ns), yc,
		xof(w, l->open ? w->open_end_ns : l->last_ns), yc);
	ticks_write(out, w, &l->conv->starts, "tick", yc - BAR_H / 2 - 7,
		    "flow starts");
	ticks_write(out, w, &l->conv->events, "ev", yc + BAR_H / 2 + 1.5,
		    "beacon events inside flows (the last 32 of each)");
	bars_write(out, w, l->conv, yc);
}

/* The lanes not drawn, in one row: how many, their flows and bytes. */
static void rest_write(FILE *out, const struct lane *lanes, unsigned from,
		       unsigned n, double y)
{
	uint64_t flows = 0, bytes = 0;
	unsigned findings = 0;
	char b[32];

	for (unsigned i = from; i < n; i++) {
		flows += lanes[i].flows;
		bytes += lanes[i].bytes;
		findings += lanes[i].n_findings;
	}
	fprintf(out,
		"<text class=\"sub\" x=\"8\" y=\"%.1f\">+ %u more lane%s (report.max_lanes): %"
		PRIu64 " flows, %s%s</text>\n",
		y + LANE_H / 2 + 4, n - from, n - from == 1 ? "" : "s", flows,
		html_bytes(bytes, b, sizeof(b)),
		findings ? ", with findings listed below" : "");
}

/* ---- the whole SVG -------------------------------------------------- */

/* The host's own activity: from its first flow or finding to its last
 * packet; flows still open at the end of input run to the window's end
 * (a later trace of the same run does not stretch the picture). */
static void window_fit(struct window *w, const struct lane *lanes,
		       unsigned n)
{
	uint64_t pad;

	w->t0 = UINT64_MAX;
	w->t1 = 0;
	for (unsigned i = 0; i < n; i++) {
		if (lanes[i].first_ns < w->t0)
			w->t0 = lanes[i].first_ns;
		if (lanes[i].last_ns > w->t1)
			w->t1 = lanes[i].last_ns;
	}
	/* at least a second, and a margin so end markers stay inside */
	if (w->t1 - w->t0 < NS) {
		uint64_t mid = w->t0 / 2 + w->t1 / 2;

		w->t0 = mid > NS / 2 ? mid - NS / 2 : 0;
		w->t1 = w->t0 + NS;
	}
	pad = (w->t1 - w->t0) / 40;
	w->t0 = w->t0 > pad ? w->t0 - pad : 0;
	w->t1 += pad;
	w->open_end_ns = w->t1;
}

int html_timeline_write(FILE *out, const struct html_timeline_ctx *c,
			const struct ip_addr *ip, const struct host *hst)
{
	unsigned n = 0, *fl = NULL, drawn;
	struct lane *lanes = lanes_build(c, ip, hst, &n, &fl);
	struct window w;
	double height;

	if (!lanes)
		return -1;
	if (n == 0) {
		fputs("<p class=\"note\">No flows of this host were kept.</p>\n",
		      out);
		free(lanes);
		free(fl);
		return 0;
	}
	drawn = n < c->cfg->report.max_lanes ? n : c->cfg->report.max_lanes;
	window_fit(&w, lanes, drawn);
	height = AXIS_H + LANE_H * (drawn + (n > drawn)) + 6;
	fprintf(out,
		"<svg class=\"tl\" viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\" height=\"%.0f\" role=\"img\">\n",
		SVG_W, height, SVG_W, height);
	axis_write(out, &w, height);
	for (unsigned i = 0; i < drawn; i++)
		lane_write(out, &w, &lanes[i], i, AXIS_H + LANE_H * i);
	for (unsigned j = 0; hst && j < hst->n_findings; j++)
		if (fl[j] < drawn)
			marker_write(out, &w, &hst->findings[j], j + 1,
				     AXIS_H + LANE_H * fl[j] + LANE_H / 2);
	if (n > drawn)
		rest_write(out, lanes, drawn, n, AXIS_H + LANE_H * drawn);
	fputs("</svg>\n", out);
	free(lanes);
	free(fl);
	return 0;
}
