/* SPDX-License-Identifier: BSD-3-Clause */
#include "control/ctl_socket.h"

#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "config/config.h"
#include "control/json_util.h"

#define LISTENER_TAG 0          /* epoll data of the listening socket */
#define EVENTS_PER_POLL 64
#define ACCEPTS_PER_POLL 64
#define SWEEP_EVERY_MS 100      /* idle clients looked for */
/* A full table makes room for a newcomer by closing the oldest client
 * silent for at least this long: a burst of clients that just connected
 * are refused as before, the ones that hold a slot and say nothing are
 * not (issue 13: 64 idle clients locked every operator out). */
#define EVICT_MIN_IDLE_MS 1000

struct ctl_client {
	int fd;                 /* -1: free slot */
	char *in;               /* max_line bytes */
	uint32_t in_len;
	bool discarding;        /* rest of an over-long line is dropped */
	char *out;              /* the answer being sent, or NULL */
	size_t out_len, out_off;
	uint64_t active_ms;     /* last byte in or out, or the accept */
	uint64_t line_ms;       /* the unfinished line's first byte */
};

struct ctl_server {
	int lfd, epfd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	uint32_t max_clients, max_line;
	uint64_t idle_ms;       /* control.idle_timeout_s */
	size_t max_answer;
	uint64_t now_ms, swept_ms;
	struct ctl_client *clients;
	ctl_answer_fn fn;
	void *ctx;
	struct ctl_counters ctr;
};

char *ctl_error_line(const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return json_line(json_pack("{s:o}", "error", json_text(msg)));
}

static uint64_t monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* ---- one client ---- */

static void client_close(struct ctl_server *s, struct ctl_client *c)
{
	if (c->out)
		s->ctr.disconnects_pending++;
	epoll_ctl(s->epfd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	free(c->in);
	free(c->out);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
	s->ctr.clients--;
}

static void client_watch(struct ctl_server *s, struct ctl_client *c,
			 uint32_t events)
{
	struct epoll_event ev = {
		.events = events,
		.data.u64 = (uint64_t)(c - s->clients) + 1,
	};

	epoll_ctl(s->epfd, EPOLL_CTL_MOD, c->fd, &ev);
}

/* Sends what it can of the pending answer; -1 when the client is gone. */
static int client_flush(struct ctl_server *s, struct ctl_client *c)
{
	while (c->out && c->out_off < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_off,
				 c->out_len - c->out_off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			client_watch(s, c, EPOLLOUT);
			return 0;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		c->out_off += (size_t)n;
		c->active_ms = s->now_ms;
	}
	free(c->out);
	c->out = NULL;
	/* lines were not read while the answer went out: what waits was
	 * not slow */
	c->line_ms = s->now_ms;
	client_watch(s, c, EPOLLIN);
	return 0;
}

static void client_answer(struct ctl_server *s, struct ctl_client *c,
			  char *answer)
{
	size_t len = answer ? strlen(answer) : 0;

	if (len > s->max_answer) {
		/* one client must not hold an unbounded answer */
		free(answer);
		s->ctr.answers_too_large++;
		answer = ctl_error_line("answer of %zu bytes is over "
					"control.max_answer (%zu); ask for less "
					"(host IP, findings N)", len,
					s->max_answer);
	}
	if (!answer)
		answer = strdup("{\"error\":\"out of memory\"}\n");
	c->out = answer;
	c->out_len = answer ? strlen(answer) : 0;
	c->out_off = 0;
}

/* Commands are printable ASCII; anything else is garbage, answered with
 * an error rather than passed on. */
static bool line_is_text(const char *line, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)line[i];

		if ((ch < 0x20 && ch != '\t') || ch >= 0x7f)
			return false;
	}
	return true;
}

static bool line_is_blank(const char *line, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (line[i] != ' ' && line[i] != '\t')
			return false;
	return true;
}

static void client_line(struct ctl_server *s, struct ctl_client *c,
			char *line, size_t len)
{
	if (len && line[len - 1] == '\r')
		line[--len] = '\0';
	if (line_is_blank(line, len))
		return;
	if (!line_is_text(line, len)) {
		s->ctr.bad_lines++;
		client_answer(s, c, ctl_error_line(
			"not a text command (%zu bytes of binary data); "
			"try help", len));
		return;
	}
	s->ctr.lines++;
	client_answer(s, c, s->fn(s->ctx, line));
}

/* Answers the complete lines read so far, one at a time: the next is
 * taken only once the previous answer is sent. -1: client gone. */
static int client_process(struct ctl_server *s, struct ctl_client *c)
{
	while (!c->out) {
		char *nl = memchr(c->in, '\n', c->in_len);
		size_t len;

		if (!nl) {
			if (c->in_len < s->max_line)
				return 0;
			c->in_len = 0;
			if (c->discarding)
				return 0;
			c->discarding = true;
			s->ctr.bad_lines++;
			client_answer(s, c, ctl_error_line(
				"line longer than control.max_line (%u bytes)",
				s->max_line));
		} else {
			len = (size_t)(nl - c->in);
			*nl = '\0';
			if (c->discarding)
				c->discarding = false; /* tail of a long line */
			else
				client_line(s, c, c->in, len);
			c->in_len -= (uint32_t)(len + 1);
			memmove(c->in, nl + 1, c->in_len);
			c->line_ms = s->now_ms; /* the next line starts */
		}
		if (c->out && client_flush(s, c) != 0)
			return -1;
	}
	return 0;
}

/* Part of a command line has come, not its end. */
static bool line_open(const struct ctl_client *c)
{
	return c->in_len > 0 || c->discarding;
}

static void client_readable(struct ctl_server *s, struct ctl_client *c)
{
	ssize_t n;

	if (c->out)
		return;
	n = recv(c->fd, c->in + c->in_len, s->max_line - c->in_len,
		 MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK ||
		      errno == EINTR))
		return;
	if (n <= 0) {
		client_close(s, c);
		return;
	}
	if (!line_open(c))
		c->line_ms = s->now_ms;
	c->active_ms = s->now_ms;
	c->in_len += (uint32_t)n;
	if (client_process(s, c) != 0)
		client_close(s, c);
}

static void client_event(struct ctl_server *s, struct ctl_client *c,
			 uint32_t events)
{
	if (c->fd < 0)
		return;
	if (events & EPOLLOUT) {
		if (client_flush(s, c) != 0 || client_process(s, c) != 0) {
			client_close(s, c);
			return;
		}
	}
	if (events & EPOLLIN)
		client_readable(s, c);
	else if (events & (EPOLLHUP | EPOLLERR))
		client_close(s, c);
}

/* ---- accepting ---- */

static struct ctl_client *slot_free(struct ctl_server *s)
{
	for (uint32_t i = 0; i < s->max_clients; i++)
		if (s->clients[i].fd < 0)
			return &s->clients[i];
	return NULL;
}

/* The client silent longest, if silent EVICT_MIN_IDLE_MS or more and
 * not in the middle of taking an answer. */
static struct ctl_client *slot_idle(struct ctl_server *s)
{
	struct ctl_client *best = NULL;

	for (uint32_t i = 0; i < s->max_clients; i++) {
		struct ctl_client *c = &s->clients[i];

		if (c->fd < 0 || c->out ||
		    s->now_ms - c->active_ms < EVICT_MIN_IDLE_MS)
			continue;
		if (!best || c->active_ms < best->active_ms)
			best = c;
	}
	return best;
}

/* Best effort: a client told why it is closed, if it still listens. */
static void say_and_close(struct ctl_server *s, struct ctl_client *c,
			  const char *why)
{
	char *msg = ctl_error_line("%s", why);

	if (msg && !c->out &&
	    send(c->fd, msg, strlen(msg), MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
		(void)0;
	free(msg);
	client_close(s, c);
}

static struct ctl_client *slot_take(struct ctl_server *s)
{
	struct ctl_client *c = slot_free(s);

	if (c)
		return c;
	c = slot_idle(s);
	if (!c)
		return NULL;
	s->ctr.evicted_idle++;
	say_and_close(s, c, "closed: every control.max_clients slot was "
			    "taken and this connection was the longest idle");
	return c;
}

/* Clients silent (idle, half a line) or not reading their answer for
 * control.idle_timeout_s, or whose line has not ended in that time, are
 * closed: a slot is never held for ever. */
static void sweep_idle(struct ctl_server *s)
{
	if (s->now_ms - s->swept_ms < SWEEP_EVERY_MS)
		return;
	s->swept_ms = s->now_ms;
	for (uint32_t i = 0; i < s->max_clients; i++) {
		struct ctl_client *c = &s->clients[i];

		/* a line sent a byte at a time keeps a client active, not
		 * its line open for ever; lines queued behind an answer
		 * being sent wait on us, not on the client */
		bool silent = s->now_ms - c->active_ms >= s->idle_ms;
		bool slow_line = !c->out && line_open(c) &&
				 s->now_ms - c->line_ms >= s->idle_ms;

		if (c->fd < 0 || (!silent && !slow_line))
			continue;
		s->ctr.idle_closed++;
		say_and_close(s, c, "closed: idle for control.idle_timeout_s");
	}
}

static void refuse(struct ctl_server *s, int fd)
{
	char *msg = ctl_error_line("too many clients (control.max_clients "
				   "%u); try again later", s->max_clients);

	if (msg && send(fd, msg, strlen(msg), MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
		(void)0; /* best effort: the client may be gone already */
	free(msg);
	close(fd);
	s->ctr.refused++;
}

static void accept_clients(struct ctl_server *s)
{
	for (int i = 0; i < ACCEPTS_PER_POLL; i++) {
		int fd = accept4(s->lfd, NULL, NULL,
				 SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct ctl_client *c;
		struct epoll_event ev = { .events = EPOLLIN };

		if (fd < 0)
			return;
		c = slot_take(s);
		if (!c) {
			refuse(s, fd);
			continue;
		}
		c->in = malloc(s->max_line);
		ev.data.u64 = (uint64_t)(c - s->clients) + 1;
		if (!c->in || epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
			free(c->in);
			c->in = NULL;
			close(fd);
			continue;
		}
		c->fd = fd;
		c->active_ms = s->now_ms;
		s->ctr.accepted++;
		s->ctr.clients++;
	}
}

void ctl_server_poll(struct ctl_server *s, int timeout_ms)
{
	struct epoll_event ev[EVENTS_PER_POLL];
	int n = epoll_wait(s->epfd, ev, EVENTS_PER_POLL, timeout_ms);

	s->now_ms = monotonic_ms();
	for (int i = 0; i < n; i++) {
		if (ev[i].data.u64 == LISTENER_TAG)
			accept_clients(s);
		else
			client_event(s, &s->clients[ev[i].data.u64 - 1],
				     ev[i].events);
	}
	sweep_idle(s);
}

const struct ctl_counters *ctl_server_counters(const struct ctl_server *s)
{
	return &s->ctr;
}

static int listen_on(struct ctl_server *s, const struct tw_config *cfg,
		     char *err, size_t errlen)
{
	struct epoll_event ev = { .events = EPOLLIN,
				  .data.u64 = LISTENER_TAG };

	s->lfd = ctl_listen(cfg, s->path, sizeof(s->path), err, errlen);
	if (s->lfd < 0)
		return -1;
	if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, s->lfd, &ev) != 0) {
		snprintf(err, errlen, "control.socket: epoll: %s",
			 strerror(errno));
		return -1;
	}
	return 0;
}

struct ctl_server *ctl_server_open(const struct tw_config *cfg,
				   ctl_answer_fn fn, void *ctx, char *err,
				   size_t errlen)
{
	struct ctl_server *s = calloc(1, sizeof(*s));

	err[0] = '\0';
	if (!s) {
		snprintf(err, errlen, "control socket: out of memory");
		return NULL;
	}
	s->lfd = -1;
	s->fn = fn;
	s->ctx = ctx;
	s->max_clients = cfg->control.max_clients;
	s->max_line = cfg->control.max_line;
	s->idle_ms = (uint64_t)cfg->control.idle_timeout_s * 1000u;
	s->max_answer = cfg->control.max_answer;
	s->now_ms = s->swept_ms = monotonic_ms();
	s->clients = calloc(s->max_clients, sizeof(*s->clients));
	s->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (!s->clients || s->epfd < 0) {
		snprintf(err, errlen, "control socket: out of memory");
		ctl_server_close(s);
		return NULL;
	}
	for (uint32_t i = 0; i < s->max_clients; i++)
		s->clients[i].fd = -1;
	if (listen_on(s, cfg, err, errlen) != 0) {
		ctl_server_close(s);
		return NULL;
	}
	return s;
}

void ctl_server_close(struct ctl_server *s)
{
	if (!s)
		return;
	for (uint32_t i = 0; s->clients && i < s->max_clients; i++)
		if (s->clients[i].fd >= 0)
			client_close(s, &s->clients[i]);
	if (s->lfd >= 0) {
		close(s->lfd);
		if (s->path[0])
			unlink(s->path);
	}
	if (s->epfd >= 0)
		close(s->epfd);
	free(s->clients);
	free(s);
}
