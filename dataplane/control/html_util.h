/* SPDX-License-Identifier: BSD-3-Clause */
/* Small writers the HTML report shares: escaping, and numbers, sizes,
 * durations and UTC times for people. */
#ifndef TW_HTML_UTIL_H
#define TW_HTML_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Writes s with & < > " ' escaped; other bytes as they are, except
 * control characters (shown as '?'): summaries quote bytes from the wire. */
void html_esc(FILE *out, const char *s);
/* "1.2 MB", "830 B" */
const char *html_bytes(uint64_t bytes, char *buf, size_t len);
/* "3.4 kB/s" */
const char *html_rate(double bytes_per_s, char *buf, size_t len);
/* "2 h 13 min", "4.2 s", "250 ms" */
const char *html_duration(uint64_t ns, char *buf, size_t len);
/* "2026-11-27 02:56:26" (UTC), "-" for 0 */
const char *html_utc(uint64_t ts_ns, char *buf, size_t len);
/* the colour of a severity (enum severity): grey, yellow, orange, red */
const char *html_severity_colour(unsigned sev);
/* a thousands-separated count: "456,103" */
const char *html_count(uint64_t n, char *buf, size_t len);

#endif
