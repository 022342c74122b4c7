/* SPDX-License-Identifier: BSD-3-Clause */
/* The HTTP metrics listener: see metrics_http.h. */
#include "control/metrics_http.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "control/metrics.h"

#ifdef TW_HAVE_MHD
#include <microhttpd.h>

#define HTTP_TIMEOUT_S 10
#define HTTP_MAX_CONNECTIONS 16

struct metrics_http {
	struct MHD_Daemon *d;
	metrics_render_fn render;
	void *ctx;
	unsigned long long scrapes;
};

static enum MHD_Result answer_text(struct MHD_Connection *c, unsigned code,
				   char *body, size_t len, bool owned)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(
		len, body, owned ? MHD_RESPMEM_MUST_FREE
				 : MHD_RESPMEM_PERSISTENT);
	enum MHD_Result rc;

	if (!r) {
		if (owned)
			free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
				code == MHD_HTTP_OK
					? "text/plain; version=0.0.4; charset=utf-8"
					: "text/plain; charset=utf-8");
	rc = MHD_queue_response(c, code, r);
	MHD_destroy_response(r);
	return rc;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c,
				  const char *url, const char *method,
				  const char *version, const char *upload,
				  size_t *upload_size, void **con_cls)
{
	static char not_found[] = "not found: GET /metrics\n";
	static char not_allowed[] = "only GET and HEAD\n";
	static char no_memory[] = "out of memory\n";
	struct metrics_http *h = cls;
	char *text;
	size_t len = 0;

	(void)version;
	(void)upload;
	(void)con_cls;
	if (*upload_size) {
		*upload_size = 0; /* a body is read and ignored */
		return MHD_YES;
	}
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return answer_text(c, MHD_HTTP_METHOD_NOT_ALLOWED, not_allowed,
				   strlen(not_allowed), false);
	if (strcmp(url, "/metrics") != 0)
		return answer_text(c, MHD_HTTP_NOT_FOUND, not_found,
				   strlen(not_found), false);
	text = h->render(h->ctx, &len);
	if (!text)
		return answer_text(c, MHD_HTTP_INTERNAL_SERVER_ERROR, no_memory,
				   strlen(no_memory), false);
	h->scrapes++;
	return answer_text(c, MHD_HTTP_OK, text, len, true);
}

struct metrics_http *metrics_http_start(const char *listen,
					metrics_render_fn render, void *ctx,
					char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	unsigned flags = MHD_USE_ERROR_LOG;
	struct metrics_http *h;
	char addr[64];
	unsigned port;

	memset(&ss, 0, sizeof(ss));
	if (metrics_listen_parse(listen, addr, &port) != 0 || !port) {
		snprintf(err, errlen, "metrics.listen: '%s' is not PORT or "
			 "ADDR:PORT", listen);
		return NULL;
	}
	if (strchr(addr, ':')) {
		struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;

		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)port);
		inet_pton(AF_INET6, addr, &a6->sin6_addr);
		flags |= MHD_USE_IPv6;
	} else {
		struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;

		a4->sin_family = AF_INET;
		a4->sin_port = htons((uint16_t)port);
		inet_pton(AF_INET, addr, &a4->sin_addr);
	}
	h = calloc(1, sizeof(*h));
	if (!h) {
		snprintf(err, errlen, "metrics.listen: out of memory");
		return NULL;
	}
	h->render = render;
	h->ctx = ctx;
	h->d = MHD_start_daemon(flags, (uint16_t)port, NULL, NULL, on_request,
				h, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
				MHD_OPTION_CONNECTION_TIMEOUT,
				(unsigned)HTTP_TIMEOUT_S,
				MHD_OPTION_CONNECTION_LIMIT,
				(unsigned)HTTP_MAX_CONNECTIONS,
				MHD_OPTION_END);
	if (!h->d) {
		snprintf(err, errlen, "metrics.listen: cannot listen on %s "
			 "port %u (in use, or not an address of this host)",
			 addr, port);
		free(h);
		return NULL;
	}
	return h;
}

void metrics_http_run(struct metrics_http *h)
{
	if (h)
		MHD_run(h->d);
}

unsigned long long metrics_http_scrapes(const struct metrics_http *h)
{
	return h ? h->scrapes : 0;
}

void metrics_http_stop(struct metrics_http *h)
{
	if (!h)
		return;
	MHD_stop_daemon(h->d);
	free(h);
}

#else /* without libmicrohttpd */

struct metrics_http *metrics_http_start(const char *listen,
					metrics_render_fn render, void *ctx,
					char *err, size_t errlen)
{
	(void)render;
	(void)ctx;
	snprintf(err, errlen, "metrics.listen = \"%s\": built without "
		 "libmicrohttpd (libmicrohttpd-dev); use tunnelwatch-ctl "
		 "metrics", listen);
	return NULL;
}

void metrics_http_run(struct metrics_http *h)
{
	(void)h;
}

unsigned long long metrics_http_scrapes(const struct metrics_http *h)
{
	(void)h;
	return 0;
}

void metrics_http_stop(struct metrics_http *h)
{
	(void)h;
}
#endif
