/* tunnelwatch-ctl: the operator's client for the control socket.
 *
 *   tunnelwatch-ctl [--socket PATH] [--json] COMMAND [ARG]
 *
 * Sends one command line, reads the one-line JSON answer and prints it as
 * aligned tables for people (ctl_print.c), or as it came with --json for
 * scripts. Exit 0 on an answer, 1 on an error answer, 2 when the socket
 * cannot be used. */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctl_print.h"

#define DEFAULT_SOCKET "/run/tunnelwatch/ctl.sock"
#define ANSWER_TIMEOUT_S 30

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

static void usage(FILE *out)
{
	fprintf(out,
		"usage: tunnelwatch-ctl [--socket PATH] [--json] COMMAND [ARG]\n"
		"       tunnelwatch-ctl [--socket PATH] report --html FILE\n"
		"\n"
		"commands: help, version, stats, hosts, host IP, flows IP,\n"
		"          findings [N], reset IP, report\n"
		"  -s, --socket PATH  control socket (default $TUNNELWATCH_SOCKET"
		" or " DEFAULT_SOCKET ")\n"
		"  -j, --json         print the answer's JSON as it came\n"
		"      --html FILE    report: write the HTML report to FILE\n"
		"  -h, --help         this text\n");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "html", required_argument, NULL, 'H' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = getenv("TUNNELWATCH_SOCKET");
	const char *html_path = NULL;
	char line[512], *answer;
	json_error_t jerr;
	json_t *doc;
	int c, fd, json = 0, rc = 0;

	while ((c = getopt_long(argc, argv, "s:jh", longopts, NULL)) != -1) {
		if (c == 's') {
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
	snprintf(line, sizeof(line), "%s%s%s\n", argv[optind],
		 argc - optind == 2 ? " " : "",
		 argc - optind == 2 ? argv[optind + 1] : "");
	fd = connect_socket(path);
	if (fd < 0)
		return 2;
	if (send_all(fd, line, strlen(line)) != 0) {
		fprintf(stderr, "tunnelwatch-ctl: %s: cannot send: %s\n", path,
			strerror(errno));
		close(fd);
		return 2;
	}
	answer = read_line(fd);
	close(fd);
	if (!answer)
		return 2;
	doc = json_loads(answer, 0, &jerr);
	if (!doc) {
		fprintf(stderr, "tunnelwatch-ctl: the answer is not JSON: %s\n",
			jerr.text);
		rc = 1;
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
	} else {
		print_answer(argv[optind], doc);
	}
	json_decref(doc);
	free(answer);
	return rc;
}
