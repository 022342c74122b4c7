/* SPDX-License-Identifier: BSD-3-Clause */
/* The control socket: a UNIX stream socket speaking one command per line
 * and answering one JSON document per line. Non-blocking, one epoll set,
 * bounded: at most control.max_clients connections, control.max_line bytes
 * per line, one answer of at most control.max_answer bytes pending per
 * client (a client that does not read its answers is not read from until
 * it does), and control.idle_timeout_s of silence or of not reading
 * before a client is closed. A full table closes its longest-idle client
 * for a newcomer, so idle connections cannot lock operators out. */
#ifndef TW_CTL_SOCKET_H
#define TW_CTL_SOCKET_H

#include <stddef.h>
#include <stdint.h>

struct tw_config;

/* Answers one command line (no newline, printable text) with a document
 * of one line ending in '\n', malloc'd; NULL when out of memory. */
typedef char *(*ctl_answer_fn)(void *ctx, const char *line);

struct ctl_counters {
	uint64_t accepted;            /* connections taken */
	uint64_t refused;             /* over control.max_clients */
	uint64_t clients;             /* connected now */
	uint64_t lines;               /* command lines answered */
	uint64_t bad_lines;           /* over-long or binary: error answered */
	uint64_t disconnects_pending; /* closed with an answer unsent */
	uint64_t idle_closed;         /* silent control.idle_timeout_s */
	uint64_t evicted_idle;        /* closed to make room for a new one */
	uint64_t answers_too_large;   /* over control.max_answer: error sent */
};

struct ctl_server;

/* Creates the socket at cfg->control.socket, mode 0660, group
 * control.group when set. Refuses (NULL, reason in err) when a running
 * instance answers on the path or the path is not a socket; removes a
 * stale socket left by a crash. */
struct ctl_server *ctl_server_open(const struct tw_config *cfg,
				   ctl_answer_fn fn, void *ctx, char *err,
				   size_t errlen);
/* Serves whatever is ready, waiting at most timeout_ms. */
void ctl_server_poll(struct ctl_server *s, int timeout_ms);
const struct ctl_counters *ctl_server_counters(const struct ctl_server *s);
/* Closes every client and removes the socket file. */
void ctl_server_close(struct ctl_server *s);

/* ctl_listen.c: the listening socket (non-blocking) at
 * cfg->control.socket, its path copied to path; -1 with err. */
int ctl_listen(const struct tw_config *cfg, char *path, size_t pathlen,
	       char *err, size_t errlen);

/* A JSON error document "{\"error\":...}\n", malloc'd. */
char *ctl_error_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
