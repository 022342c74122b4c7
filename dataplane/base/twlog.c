/* SPDX-License-Identifier: BSD-3-Clause */
/* The operators' log: see twlog.h. */
#include "base/twlog.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#ifdef TW_HAVE_SYSTEMD
#define SD_JOURNAL_SUPPRESS_LOCATION
#include <systemd/sd-journal.h>
#endif

#define MSG_MAX 2048

static int log_level = TWLOG_NOTICE;
static int log_format = TWLOG_TEXT;
static int log_journal;

static const struct {
	const char *name;
	int level;
} level_names[] = {
	{ "err", TWLOG_ERR },         { "warning", TWLOG_WARNING },
	{ "notice", TWLOG_NOTICE },   { "info", TWLOG_INFO },
	{ "debug", TWLOG_DEBUG },     { "error", TWLOG_ERR },
	{ "warn", TWLOG_WARNING },
};

int twlog_level_parse(const char *name)
{
	for (size_t i = 0; i < sizeof(level_names) / sizeof(level_names[0]);
	     i++)
		if (strcmp(name, level_names[i].name) == 0)
			return level_names[i].level;
	return -1;
}

const char *twlog_level_name(int level)
{
	for (size_t i = 0; i < 5; i++)
		if (level_names[i].level == level)
			return level_names[i].name;
	return level < TWLOG_ERR ? "err" : "debug";
}

int twlog_format_parse(const char *name)
{
	if (strcmp(name, "text") == 0)
		return TWLOG_TEXT;
	if (strcmp(name, "json") == 0)
		return TWLOG_JSON;
	return -1;
}

/* systemd sets JOURNAL_STREAM=DEV:INODE when stderr is the journal. */
static int stderr_is_journal(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	if (!js || sscanf(js, "%llu:%llu", &dev, &ino) != 2 ||
	    fstat(STDERR_FILENO, &st) != 0)
		return 0;
	return (unsigned long long)st.st_dev == dev &&
	       (unsigned long long)st.st_ino == ino;
}

void twlog_setup(int level, int format)
{
	log_level = level;
	log_format = format;
#ifdef TW_HAVE_SYSTEMD
	log_journal = stderr_is_journal();
#else
	(void)stderr_is_journal;
#endif
}

int twlog_level(void)
{
	return log_level;
}

int twlog_to_journal(void)
{
	return log_journal;
}

static void json_str(char *out, size_t outlen, const char *s)
{
	size_t n = 0;

	for (; *s && n + 7 < outlen; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			out[n++] = '\\';
			out[n++] = (char)c;
		} else if (c < 0x20) {
			n += (size_t)snprintf(out + n, outlen - n, "\\u%04x", c);
		} else {
			out[n++] = (char)c;
		}
	}
	out[n] = '\0';
}

static void emit(int level, const char *kind, const char *host, char *msg)
{
	char when[96], line[MSG_MAX * 2 + 256];
	size_t len = strlen(msg);
	struct timespec ts;
	struct tm tm;

	while (len && (msg[len - 1] == '\n' || msg[len - 1] == '\r'))
		msg[--len] = '\0';
#ifdef TW_HAVE_SYSTEMD
	if (log_journal) {
		if (kind)
			sd_journal_send("MESSAGE=%s", msg, "PRIORITY=%d", level,
					"SYSLOG_IDENTIFIER=tunnelwatch",
					"TUNNELWATCH_KIND=%s", kind,
					"TUNNELWATCH_HOST=%s", host ? host : "",
					NULL);
		else
			sd_journal_send("MESSAGE=%s", msg, "PRIORITY=%d", level,
					"SYSLOG_IDENTIFIER=tunnelwatch", NULL);
		return;
	}
#endif
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	snprintf(when, sizeof(when), "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ",
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		 tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000);
	if (log_format == TWLOG_JSON) {
		char m[MSG_MAX * 2], k[128] = "", h[128] = "";
		int n;

		json_str(m, sizeof(m), msg);
		if (kind) {
			json_str(k, sizeof(k), kind);
			json_str(h, sizeof(h), host ? host : "");
		}
		n = snprintf(line, sizeof(line),
			     "{\"time\":\"%s\",\"level\":\"%s\","
			     "\"program\":\"tunnelwatch\",\"message\":\"%s\"%s%s%s%s%s}\n",
			     when, twlog_level_name(level), m,
			     kind ? ",\"kind\":\"" : "", k,
			     kind ? "\",\"host\":\"" : "", h, kind ? "\"" : "");
		(void)n;
	} else {
		snprintf(line, sizeof(line), "%s %s tunnelwatch: %s\n", when,
			 twlog_level_name(level), msg);
	}
	/* one write per line: lines of several threads never interleave */
	if (write(STDERR_FILENO, line, strlen(line)) < 0)
		return;
}

void twlog(int level, const char *fmt, ...)
{
	char msg[MSG_MAX];
	va_list ap;

	if (level > log_level)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	emit(level, NULL, NULL, msg);
}

void twlog_finding(int level, const char *kind, const char *host,
		   const char *fmt, ...)
{
	char msg[MSG_MAX];
	va_list ap;

	if (level > log_level)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	emit(level, kind, host, msg);
}

/* ---- a stream for the EAL ---- */

struct stream_ctx {
	int (*level_of)(void);
	char buf[MSG_MAX];
	size_t n;
};

static ssize_t stream_write(void *cookie, const char *data, size_t len)
{
	struct stream_ctx *s = cookie;

	for (size_t i = 0; i < len; i++) {
		if (data[i] == '\n' || s->n == sizeof(s->buf) - 1) {
			int level = s->level_of ? s->level_of() : TWLOG_NOTICE;

			s->buf[s->n] = '\0';
			if (s->n && level <= log_level)
				emit(level, NULL, NULL, s->buf);
			s->n = 0;
			if (data[i] == '\n')
				continue;
		}
		s->buf[s->n++] = data[i];
	}
	return (ssize_t)len;
}

FILE *twlog_stream(int (*level_of)(void))
{
	static struct stream_ctx ctx;
	cookie_io_functions_t io = { .write = stream_write };
	FILE *f;

	ctx.level_of = level_of;
	f = fopencookie(&ctx, "w", io);
	if (f)
		setvbuf(f, NULL, _IOLBF, 0);
	return f;
}
