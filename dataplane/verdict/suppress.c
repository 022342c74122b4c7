/* Operators' suppression rules (suppress.h). Matching runs in the manager
 * when a host's verdict is recomputed, never per packet. */
#include "verdict/suppress.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "verdict/findings.h"

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

static bool prefix_contains(const struct suppress_net *n,
			    const struct ip_addr *a)
{
	unsigned full = n->len / 8, rest = n->len % 8;

	if (n->any)
		return true;
	if (memcmp(n->addr.b, a->b, full) != 0)
		return false;
	return rest == 0 ||
	       ((n->addr.b[full] ^ a->b[full]) & (0xff00u >> rest) & 0xff) == 0;
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

static bool what_matches(const char *what, const char *kind)
{
	size_t n = strlen(what);

	if (!what[0])
		return true;
	if (strcmp(what, kind) == 0)
		return true;
	/* a family: "flow" matches "flow.beacon" */
	return strncmp(what, kind, n) == 0 && kind[n] == '.';
}

static bool domain_suffix(const char *name, const char *domain)
{
	size_t n = strlen(name), m = strlen(domain);

	if (m == 0 || n < m || strncasecmp(name + n - m, domain, m) != 0)
		return false;
	return n == m || name[n - m - 1] == '.';
}

/* The names a finding carries in its detail (DNS domain, SNI, pool,
 * service). */
static bool finding_names(const struct finding *f, const char *domain)
{
	static const char *const keys[] = { "domain", "name", "pool",
					    "service", "sni" };

	for (unsigned i = 0; i < f->n_detail && i < FINDING_DETAIL_MAX; i++) {
		const struct finding_kv *kv = &f->detail[i];

		if (kv->type != DETAIL_STR)
			continue;
		for (unsigned k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
			if (strcmp(kv->key, keys[k]) == 0 &&
			    domain_suffix(kv->v.s, domain))
				return true;
	}
	return false;
}

const struct suppress_rule *suppress_match(const struct suppress_list *l,
					   const struct ip_addr *host,
					   const struct ip_addr *peer,
					   const struct finding *f)
{
	for (uint32_t i = 0; l && i < l->n; i++) {
		const struct suppress_rule *r = &l->r[i];

		if (!what_matches(r->what, f->kind) ||
		    !prefix_contains(&r->host, host))
			continue;
		if (r->domain[0] ? finding_names(f, r->domain)
				 : prefix_contains(&r->peer, peer))
			return r;
	}
	return NULL;
}
