/* SPDX-License-Identifier: BSD-3-Clause */
/* Operators' suppression rules (suppress.h): the file's parser. Matching
 * (verdict/suppress_match.c) runs in the manager, never per packet. */
#include "config/suppress.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"

#define LINE_MAX_BYTES 1024

static int fail(char *err, size_t errlen, const char *path, unsigned line,
		const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int fail(char *err, size_t errlen, const char *path, unsigned line,
		const char *fmt, ...)
{
	char why[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (line)
		snprintf(err, errlen, "%s:%u: %s", path, line, why);
	else
		snprintf(err, errlen, "%s: %s", path, why);
	return -1;
}


/* "*", "10.0.0.0/8", "2001:db8::1" (config.c's prefix syntax). */
static int parse_net(const char *s, struct suppress_net *n)
{
	struct ip_prefix p;

	memset(n, 0, sizeof(*n));
	if (strcmp(s, "*") == 0) {
		n->any = true;
		return 0;
	}
	if (ip_prefix_parse(s, &p) != 0)
		return -1;
	n->addr = p.addr;
	n->len = p.len;
	return 0;
}

static bool has_letter(const char *s)
{
	for (; *s; s++)
		if (isalpha((unsigned char)*s))
			return true;
	return false;
}

static int parse_rule(char *line, struct suppress_rule *r, const char *path,
		      unsigned lineno, char *err, size_t errlen)
{
	char *comment = strchr(line, '#');
	char *verb, *what, *host, *peer, *extra, *save = NULL;

	if (comment)
		*comment++ = '\0';
	verb = strtok_r(line, " \t\r\n", &save);
	if (!verb)
		return 1; /* blank or comment only */
	what = strtok_r(NULL, " \t\r\n", &save);
	host = strtok_r(NULL, " \t\r\n", &save);
	peer = strtok_r(NULL, " \t\r\n", &save);
	extra = strtok_r(NULL, " \t\r\n", &save);
	if (strcmp(verb, "suppress") != 0)
		return fail(err, errlen, path, lineno,
			    "unknown rule '%s' (expected 'suppress')", verb);
	if (!peer || extra)
		return fail(err, errlen, path, lineno,
			    "expected 'suppress WHAT HOST PEER [# comment]'");
	memset(r, 0, sizeof(*r));
	if (strcmp(what, "*") != 0) {
		if (strlen(what) >= sizeof(r->what))
			return fail(err, errlen, path, lineno,
				    "finding kind too long: %s", what);
		snprintf(r->what, sizeof(r->what), "%s", what);
	}
	if (parse_net(host, &r->host) != 0)
		return fail(err, errlen, path, lineno,
			    "host: not an address, CIDR or '*': %s", host);
	if (parse_net(peer, &r->peer) == 0) {
		/* an address, a CIDR or '*' */
	} else if (has_letter(peer) && !strchr(peer, '/') &&
		   !strchr(peer, ':')) {
		if (strlen(peer) >= sizeof(r->domain))
			return fail(err, errlen, path, lineno,
				    "peer domain too long: %s", peer);
		for (size_t i = 0; peer[i]; i++)
			r->domain[i] = (char)tolower((unsigned char)peer[i]);
	} else {
		return fail(err, errlen, path, lineno,
			    "peer: not an address, CIDR, domain or '*': %s",
			    peer);
	}
	while (comment && isspace((unsigned char)*comment))
		comment++;
	if (comment)
		comment[strcspn(comment, "\r\n")] = '\0';
	snprintf(r->note, sizeof(r->note), "%s:%u%s%s", path, lineno,
		 comment && *comment ? " " : "", comment ? comment : "");
	return 0;
}

int suppress_load(const char *path, struct suppress_list *l, char *err,
		  size_t errlen)
{
	char line[LINE_MAX_BYTES];
	unsigned lineno = 0;
	FILE *fp;
	int rc = 0;

	l->n = 0;
	fp = fopen(path, "r");
	if (!fp)
		return fail(err, errlen, path, 0, "cannot open: %s",
			    strerror(errno));
	while (rc == 0 && fgets(line, sizeof(line), fp)) {
		int r;

		lineno++;
		if (!strchr(line, '\n') && !feof(fp)) {
			rc = fail(err, errlen, path, lineno,
				  "line longer than %d bytes", LINE_MAX_BYTES - 2);
			break;
		}
		if (l->n == SUPPRESS_MAX_RULES) {
			rc = fail(err, errlen, path, lineno,
				  "more than %d rules", SUPPRESS_MAX_RULES);
			break;
		}
		r = parse_rule(line, &l->r[l->n], path, lineno, err, errlen);
		if (r < 0)
			rc = -1;
		else if (r == 0)
			l->n++;
	}
	if (rc == 0 && ferror(fp))
		rc = fail(err, errlen, path, lineno, "read error");
	fclose(fp);
	return rc;
}
