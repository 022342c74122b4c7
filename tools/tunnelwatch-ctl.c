/* SPDX-License-Identifier: BSD-3-Clause */
/* tunnelwatch-ctl: the operator's client for the control socket.
 *
 *   tunnelwatch-ctl [--socket PATH] [--json] [--wide] COMMAND [ARG]
 *
 * Sends one command line, reads the one-line JSON answer and prints it as
 * aligned tables for people (ctl_print.c), or as it came with --json for
 * scripts. Exit 0 on an answer, 1 on an error answer, 2 when the socket
 * cannot be used. */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "ctl_print.h"

#define DEFAULT_SOCKET "/run/tunnelwatch/ctl.sock"
#define ANSWER_TIMEOUT_S 30
#define FOLLOW_POLL_MS 500

/* ---- the socket ---- */

static int connect_socket(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = ANSWER_TIMEOUT_S };
	int fd;

	if (strlen(path) >= sizeof(a.sun_path)) {
		fprintf(stderr, "tunnelwatch-ctl: socket path too long: %s\n",
			path);
		return -1;
	}
	memcpy(a.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		perror("tunnelwatch-ctl: socket");
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0)
		return fd;
	if (errno == ENOENT)
		fprintf(stderr, "tunnelwatch-ctl: no control socket at %s: is "
			"tunnelwatch running? (--socket PATH, or control.socket "
			"in its config)\n", path);
	else if (errno == ECONNREFUSED)
		fprintf(stderr, "tunnelwatch-ctl: %s refuses connections: "
			"tunnelwatch is not running there (a stale socket)\n",
			path);
	else if (errno == EACCES || errno == EPERM)
		fprintf(stderr, "tunnelwatch-ctl: %s: permission denied: run "
			"as a member of the socket's group (control.group)\n",
			path);
	else
		fprintf(stderr, "tunnelwatch-ctl: %s: %s\n", path,
			strerror(errno));
	close(fd);
	return -1;
}

/* The whole first line of the answer, malloc'd; NULL on error. */
static char *read_line(int fd)
{
	size_t len = 0, cap = 65536;
	char *buf = malloc(cap);

	while (buf) {
		ssize_t n;
		char *nl = memchr(buf, '\n', len);

		if (nl) {
			*nl = '\0';
			return buf;
		}
		if (len + 1 >= cap) {
			char *bigger = realloc(buf, cap * 2);

			if (!bigger)
				break;
			buf = bigger;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			fprintf(stderr, "tunnelwatch-ctl: %s before a whole "
				"answer came\n", n == 0 ? "connection closed" :
				errno == EAGAIN ? "timed out" : strerror(errno));
			break;
		}
		len += (size_t)n;
	}
	free(buf);
	return NULL;
}

static int send_all(int fd, const char *s, size_t len)
{
	while (len) {
		ssize_t n = send(fd, s, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		s += n;
		len -= (size_t)n;
	}
	return 0;
}

/* report --html FILE: the answer's "html" string, written whole. */
static int save_html(const char *path, json_t *doc)
{
	json_t *html = json_object_get(doc, "html");
	FILE *f;

	if (!json_is_string(html)) {
		fprintf(stderr, "tunnelwatch-ctl: the answer has no report\n");
		return 1;
	}
	f = fopen(path, "w");
	if (!f || fwrite(json_string_value(html), 1, json_string_length(html),
			 f) != json_string_length(html)) {
		fprintf(stderr, "tunnelwatch-ctl: %s: %s\n", path,
			strerror(errno));
		if (f)
			fclose(f);
		return 1;
	}
	if (fclose(f) != 0) {
		fprintf(stderr, "tunnelwatch-ctl: %s: %s\n", path,
			strerror(errno));
		return 1;
	}
	printf("%s: %zu bytes\n", path, json_string_length(html));
	return 0;
}

/* One command, one answer: the parsed document (and the line) or the
 * exit status of a failure (2: the socket, 1: not JSON). */
static int ask(const char *path, const char *line, json_t **doc,
	       char **answer)
{
	json_error_t jerr;
	int fd = connect_socket(path);

	*doc = NULL;
	*answer = NULL;
	if (fd < 0)
		return 2;
	if (send_all(fd, line, strlen(line)) != 0) {
		fprintf(stderr, "tunnelwatch-ctl: %s: cannot send: %s\n", path,
			strerror(errno));
		close(fd);
		return 2;
	}
	*answer = read_line(fd);
	close(fd);
	if (!*answer)
		return 2;
	*doc = json_loads(*answer, 0, &jerr);
	if (!*doc) {
		fprintf(stderr, "tunnelwatch-ctl: the answer is not JSON: %s\n",
			jerr.text);
		return 1;
	}
	return 0;
}

static volatile sig_atomic_t interrupted;

static void on_interrupt(int sig)
{
	(void)sig;
	interrupted = 1;
}

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* follow [SECONDS]: findings as they arrive (oldest first), until SIGINT
 * or SIGTERM, the socket going away, or SECONDS. --json: one finding per
 * line. */
static int follow(const char *path, const char *secs, int json)
{
	uint64_t seen, t_end = 0;
	int header = 1, rc;
	char line[64], *answer;
	json_t *doc;

	if (secs) {
		char *end;
		double s = strtod(secs, &end);

		if (*end || s <= 0 || s > 1e7) {
			fprintf(stderr, "tunnelwatch-ctl: follow: '%s' is not a "
				"number of seconds\n", secs);
			return 2;
		}
		t_end = mono_ms() + (uint64_t)(s * 1000);
	}
	signal(SIGINT, on_interrupt);
	signal(SIGTERM, on_interrupt);
	rc = ask(path, "findings 0\n", &doc, &answer);
	if (rc) {
		json_decref(doc);
		free(answer);
		return rc;
	}
	seen = (uint64_t)json_integer_value(json_object_get(doc, "total"));
	json_decref(doc);
	free(answer);
	setvbuf(stdout, NULL, _IOLBF, 0);
	while (!interrupted && (!t_end || mono_ms() < t_end)) {
		json_t *fs, *f;
		uint64_t lost;
		size_t i;

		snprintf(line, sizeof(line), "since %llu\n",
			 (unsigned long long)seen);
		rc = ask(path, line, &doc, &answer);
		if (rc || json_object_get(doc, "error")) {
			if (doc)
				fprintf(stderr, "tunnelwatch-ctl: %s\n",
					json_string_value(json_object_get(
						doc, "error")));
			json_decref(doc);
			free(answer);
			return rc ? rc : 1;
		}
		fs = json_object_get(doc, "findings");
		lost = (uint64_t)json_integer_value(json_object_get(doc, "lost"));
		if (lost)
			fprintf(stderr, "tunnelwatch-ctl: %llu findings came and "
				"went faster than followed "
				"(control.findings_kept)\n",
				(unsigned long long)lost);
		if (json) {
			json_array_foreach(fs, i, f) {
				char *one = json_dumps(f, JSON_COMPACT);

				printf("%s\n", one ? one : "{}");
				free(one);
			}
		} else if (json_array_size(fs)) {
			print_findings_rows(fs, header);
			header = 0;
		}
		seen = (uint64_t)json_integer_value(json_object_get(doc, "total"));
		json_decref(doc);
		free(answer);
		for (int k = 0; k < FOLLOW_POLL_MS / 50 && !interrupted; k++)
			usleep(50 * 1000);
	}
	return 0;
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: tunnelwatch-ctl [--socket PATH] [--json] [--wide] COMMAND [ARG]\n"
		"       tunnelwatch-ctl [--socket PATH] report --html FILE\n"
		"\n"
		"commands: help, version, stats, metrics, hosts, host IP, flows IP,\n"
		"          findings [N], follow [SECONDS], reset IP, report\n"
		"  -s, --socket PATH  control socket (default $TUNNELWATCH_SOCKET"
		" or " DEFAULT_SOCKET ")\n"
		"  -j, --json         print the answer's JSON as it came\n"
		"  -w, --wide         do not cut summaries at 60 characters\n"
		"      --html FILE    report: write the HTML report to FILE\n"
		"  -h, --help         this text\n");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "wide", no_argument, NULL, 'w' },
		{ "html", required_argument, NULL, 'H' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = getenv("TUNNELWATCH_SOCKET");
	const char *html_path = NULL;
	char line[512], *answer;
	json_t *doc;
	int c, json = 0, rc = 0;

	while ((c = getopt_long(argc, argv, "s:jwh", longopts, NULL)) != -1) {
		if (c == 'w') {
			print_set_wide(1);
		} else if (c == 's') {
			path = optarg;
		} else if (c == 'H') {
			html_path = optarg;
		} else if (c == 'j') {
			json = 1;
		} else {
			usage(c == 'h' ? stdout : stderr);
			return c == 'h' ? 0 : 2;
		}
	}
	if (optind >= argc || argc - optind > 2 ||
	    (html_path && strcmp(argv[optind], "report") != 0)) {
		usage(stderr);
		return 2;
	}
	if (!path || !path[0])
		path = DEFAULT_SOCKET;
	if (strcmp(argv[optind], "follow") == 0)
		return follow(path, argc - optind == 2 ? argv[optind + 1] : NULL,
			      json);
	snprintf(line, sizeof(line), "%s%s%s\n", argv[optind],
		 argc - optind == 2 ? " " : "",
		 argc - optind == 2 ? argv[optind + 1] : "");
	rc = ask(path, line, &doc, &answer);
	if (rc == 2) {
		return 2;
	} else if (rc) {
		/* said why */
	} else if (json_object_get(doc, "error")) {
		if (json)
			printf("%s\n", answer);
		fprintf(stderr, "tunnelwatch-ctl: %s\n",
			json_string_value(json_object_get(doc, "error")));
		rc = 1;
	} else if (html_path) {
		rc = save_html(html_path, doc);
	} else if (json) {
		printf("%s\n", answer);
	} else if (strcmp(argv[optind], "metrics") == 0) {
		json_t *m = json_object_get(doc, "metrics");

		fwrite(json_string_value(m), 1, json_string_length(m), stdout);
	} else {
		print_answer(argv[optind], doc);
	}
	json_decref(doc);
	free(answer);
	return rc;
}
