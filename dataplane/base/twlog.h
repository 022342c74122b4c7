/* SPDX-License-Identifier: BSD-3-Clause */
/* Operators' log (issue 15): one line per message with time and level on
 * stderr, as text or JSON (log.format), or journald fields when stderr is
 * the journal (JOURNAL_STREAM, as systemd sets it for a service). Levels
 * are syslog's priorities; messages above --log-level are dropped. The
 * EAL's lines come through the same logger (twlog_stream). Not for the
 * packet path: a call formats and writes. */
#ifndef TW_TWLOG_H
#define TW_TWLOG_H

#include <stdio.h>

enum twlog_level {
	TWLOG_ERR = 3,
	TWLOG_WARNING = 4,
	TWLOG_NOTICE = 5,
	TWLOG_INFO = 6,
	TWLOG_DEBUG = 7,
};

enum twlog_format { TWLOG_TEXT, TWLOG_JSON };

/* "err", "warning", "notice", "info", "debug" (and "error", "warn");
 * -1 when none of them. */
int twlog_level_parse(const char *name);
const char *twlog_level_name(int level);
/* "text" or "json"; -1 otherwise. */
int twlog_format_parse(const char *name);

/* Before any message; the defaults are notice and text. Looks at
 * JOURNAL_STREAM once here. */
void twlog_setup(int level, int format);
int twlog_level(void);
/* 1 when messages go to the journal as fields. */
int twlog_to_journal(void);

/* A message (a trailing newline is dropped). */
void twlog(int level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* A finding: kind and host as their own fields (journal, JSON). */
void twlog_finding(int level, const char *kind, const char *host,
		   const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* A stdio stream whose lines become messages at the level *level_of()
 * says (called per line; NULL: notice): for rte_openlog_stream. */
FILE *twlog_stream(int (*level_of)(void));

#endif
