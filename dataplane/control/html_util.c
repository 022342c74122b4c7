/* SPDX-License-Identifier: BSD-3-Clause */
/* Escaping and formatting for the HTML report (html_report.c,
 * html_timeline.c). Nothing here reads the clock or the locale: the same
 * input gives the same bytes. */
#include "control/html_util.h"

#include <inttypes.h>
#include <time.h>

void html_esc(FILE *out, const char *s)
{
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		switch (c) {
		case '&':
			fputs("&amp;", out);
			break;
		case '<':
			fputs("&lt;", out);
			break;
		case '>':
			fputs("&gt;", out);
			break;
		case '"':
			fputs("&quot;", out);
			break;
		case '\'':
			fputs("&#39;", out);
			break;
		default:
			fputc(c < 0x20 || c == 0x7f ? '?' : c, out);
		}
	}
}

static const char *scaled(double v, const char *const *units, unsigned n,
			  char *buf, size_t len)
{
	unsigned u = 0;

	while (v >= 999.5 && u + 1 < n) {
		v /= 1000.0;
		u++;
	}
	if (u == 0 || v >= 99.5)
		snprintf(buf, len, "%.0f %s", v, units[u]);
	else
		snprintf(buf, len, "%.1f %s", v, units[u]);
	return buf;
}

const char *html_bytes(uint64_t bytes, char *buf, size_t len)
{
	static const char *const units[] = { "B", "kB", "MB", "GB", "TB" };

	return scaled((double)bytes, units, 5, buf, len);
}

const char *html_rate(double bytes_per_s, char *buf, size_t len)
{
	static const char *const units[] = { "B/s", "kB/s", "MB/s", "GB/s" };

	return scaled(bytes_per_s, units, 4, buf, len);
}

const char *html_duration(uint64_t ns, char *buf, size_t len)
{
	uint64_t s = ns / 1000000000u;

	if (ns < 1000000u)
		snprintf(buf, len, "%" PRIu64 " us", ns / 1000u);
	else if (ns < 1000000000u)
		snprintf(buf, len, "%" PRIu64 " ms", ns / 1000000u);
	else if (s < 60)
		snprintf(buf, len, "%.1f s", (double)ns / 1e9);
	else if (s < 3600)
		snprintf(buf, len, "%" PRIu64 " min %" PRIu64 " s", s / 60,
			 s % 60);
	else if (s < 86400)
		snprintf(buf, len, "%" PRIu64 " h %" PRIu64 " min", s / 3600,
			 s % 3600 / 60);
	else
		snprintf(buf, len, "%" PRIu64 " d %" PRIu64 " h", s / 86400,
			 s % 86400 / 3600);
	return buf;
}

const char *html_utc(uint64_t ts_ns, char *buf, size_t len)
{
	time_t secs = (time_t)(ts_ns / 1000000000u);
	struct tm tm;

	if (ts_ns == 0 || !gmtime_r(&secs, &tm) ||
	    strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm) == 0)
		snprintf(buf, len, "-");
	return buf;
}

const char *html_count(uint64_t n, char *buf, size_t len)
{
	char digits[24];
	int nd = snprintf(digits, sizeof(digits), "%" PRIu64, n);
	size_t o = 0;

	for (int i = 0; i < nd && o + 2 < len; i++) {
		if (i > 0 && (nd - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = digits[i];
	}
	buf[o] = '\0';
	return buf;
}

const char *html_severity_colour(unsigned sev)
{
	static const char *const colours[] = { "#7b8794", "#d4a106", "#e8710a",
					       "#c5221f" };

	return colours[sev < 4 ? sev : 3];
}
