/* SPDX-License-Identifier: BSD-3-Clause */
/* libconfig file -> struct tw_config: defaults, reading the file, walking
 * its sections and the checks across keys, each a walk over the key table
 * (config_keys.c), so what the file may say is exactly what the table
 * lists. One key's value is applied by config_apply.c. Errors name file,
 * line and key. */
#include "config/config_apply.h"
#include "base/twlog.h"
#include "decode/decode.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Longest "section.key" looked up; longer names are unknown anyway. */
#define KEY_NAME_MAX 96

static bool section_known(const char *section)
{
	size_t len = strlen(section);

	for (size_t i = 0; i < cfg_n_keys; i++)
		if (cfg_section_len(cfg_keys[i].name) == len &&
		    strncmp(cfg_keys[i].name, section, len) == 0)
			return true;
	return false;
}

static const struct cfg_key *key_find(const char *name)
{
	for (size_t i = 0; i < cfg_n_keys; i++)
		if (strcmp(cfg_keys[i].name, name) == 0)
			return &cfg_keys[i];
	return NULL;
}

/* ---- the whole file ---- */

static int apply_section(const struct load_ctx *c,
			 const config_setting_t *group, struct tw_config *cfg)
{
	const char *section = config_setting_name(group);
	int n = config_setting_length(group);

	for (int i = 0; i < n; i++) {
		const config_setting_t *s = config_setting_get_elem(group, i);
		char name[KEY_NAME_MAX];
		const struct cfg_key *k = NULL;
		int len;

		len = snprintf(name, sizeof(name), "%s.%s", section,
			       config_setting_name(s));
		if (len > 0 && (size_t)len < sizeof(name))
			k = key_find(name);
		if (!k)
			return cfg_fail(c->err, c->errlen,
					cfg_where_of(s, c->path),
					"%s.%s: unknown setting", section,
					config_setting_name(s));
		if (cfg_apply_key(c, k, s, cfg) < 0)
			return -1;
	}
	return 0;
}

static int apply_root(const struct load_ctx *c, const config_setting_t *root,
		      struct tw_config *cfg)
{
	int n = config_setting_length(root);

	for (int i = 0; i < n; i++) {
		const config_setting_t *s = config_setting_get_elem(root, i);
		const char *name = config_setting_name(s);

		if (!section_known(name))
			return cfg_fail(c->err, c->errlen,
					cfg_where_of(s, c->path),
					"%s: unknown setting", name);
		if (config_setting_type(s) != CONFIG_TYPE_GROUP)
			return cfg_fail(c->err, c->errlen,
					cfg_where_of(s, c->path),
					"%s: expected a group { ... }", name);
		if (apply_section(c, s, cfg) < 0)
			return -1;
	}
	return 0;
}

/* Points a cross-check message at the key that must change, or at the
 * file when both values are defaults. */
static struct cfg_where where_key(const config_t *lc, const char *key,
				  const char *path)
{
	const config_setting_t *s = config_lookup(lc, key);

	return s ? cfg_where_of(s, path) : (struct cfg_where){ path, 0 };
}

static int cross_check(const struct load_ctx *c, const config_t *lc,
		       const struct tw_config *cfg)
{
	if (cfg->hosts.alert_score <= cfg->hosts.suspicious_score)
		return cfg_fail(c->err, c->errlen,
				where_key(lc, "hosts.alert_score", c->path),
				"hosts.alert_score: %u must be greater than "
				"hosts.suspicious_score (%u)",
				cfg->hosts.alert_score,
				cfg->hosts.suspicious_score);
	if (cfg->flowtiming.beacon_strong_score <
	    cfg->flowtiming.beacon_min_score)
		return cfg_fail(c->err, c->errlen,
				where_key(lc, "flowtiming.beacon_strong_score",
				      c->path),
				"flowtiming.beacon_strong_score: %g must be at "
				"least flowtiming.beacon_min_score (%g)",
				cfg->flowtiming.beacon_strong_score,
				cfg->flowtiming.beacon_min_score);
	if (twlog_format_parse(cfg->log.format) < 0)
		return cfg_fail(c->err, c->errlen,
				where_key(lc, "log.format", c->path),
				"log.format: '%s' is not \"text\" or \"json\"",
				cfg->log.format);
	if (twlog_level_parse(cfg->log.level) < 0)
		return cfg_fail(c->err, c->errlen,
				where_key(lc, "log.level", c->path),
				"log.level: '%s' is not err, warning, notice, "
				"info or debug", cfg->log.level);
	if (metrics_listen_parse(cfg->metrics.listen, NULL, NULL) != 0)
		return cfg_fail(c->err, c->errlen,
				where_key(lc, "metrics.listen", c->path),
				"metrics.listen: '%s' is not PORT, ADDR:PORT "
				"or [ADDR6]:PORT", cfg->metrics.listen);
	return 0;
}

/* What a syntax check in a child process found. */
struct syntax_report {
	int bad;                  /* 0: the file parses */
	int io_errno;             /* the file could not be read: errno */
	int line;
	char file[PATH_MAX];
	char text[256];
};

static void syntax_parse(const char *path, const char *dir,
			 struct syntax_report *r)
{
	config_t lc;

	memset(r, 0, sizeof(*r));
	config_init(&lc);
	config_set_include_dir(&lc, dir);
	if (config_read_file(&lc, path) != CONFIG_TRUE) {
		r->bad = 1;
		if (config_error_type(&lc) == CONFIG_ERR_FILE_IO)
			r->io_errno = errno ? errno : EIO;
		r->line = config_error_line(&lc);
		snprintf(r->file, sizeof(r->file), "%s",
			 config_error_file(&lc) ? config_error_file(&lc) : path);
		snprintf(r->text, sizeof(r->text), "%s",
			 config_error_text(&lc) ? config_error_text(&lc) : "");
	}
	config_destroy(&lc);
}

/* libconfig 1.5 (Debian 12) loses the string token it was reading when
 * it meets a syntax error (fixed upstream in 1.7.3): every bad file, and
 * every SIGHUP with one live, would leak. So a child process parses the
 * file first and says what it found; it exits without freeing anything.
 * Only a file that parses is then parsed here. 0: parses; 1: r says why;
 * -1: no child could run (the caller parses in-process instead). */
static int syntax_check(const char *path, const char *dir,
			struct syntax_report *r)
{
	int fds[2], status = 0;
	size_t got = 0;
	pid_t pid;

	if (pipe(fds) != 0)
		return -1;
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0) {
		size_t done = 0;

		close(fds[0]);
		syntax_parse(path, dir, r);
		while (done < sizeof(*r)) {
			ssize_t n = write(fds[1], (char *)r + done,
					  sizeof(*r) - done);

			if (n <= 0 && errno != EINTR)
				_exit(1);
			done += n > 0 ? (size_t)n : 0;
		}
		_exit(0);
	}
	close(fds[1]);
	while (got < sizeof(*r)) {
		ssize_t n = read(fds[0], (char *)r + got, sizeof(*r) - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (got != sizeof(*r) || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0)
		return -1;
	return r->bad ? 1 : 0;
}

static int syntax_fail(const struct load_ctx *c, const struct syntax_report *r)
{
	if (r->io_errno)
		return cfg_fail(c->err, c->errlen,
				(struct cfg_where){ c->path, 0 },
				"cannot read: %s", strerror(r->io_errno));
	/* libconfig's text is often just "syntax error": say it once, and
	 * what the file should look like */
	if (strcmp(r->text, "syntax error") == 0 || !r->text[0])
		return cfg_fail(c->err, c->errlen,
				(struct cfg_where){ r->file, r->line },
				"syntax error (libconfig: `name = value;`, "
				"groups `{ ... };`, arrays `[ ... ]`, lists "
				"`( ... )`)");
	return cfg_fail(c->err, c->errlen, (struct cfg_where){ r->file,
							     r->line },
			"syntax error: %s", r->text);
}

static int read_file(const struct load_ctx *c, config_t *lc)
{
	static struct syntax_report r;  /* PATH_MAX and more: not on a stack */
	char dir[PATH_MAX];

	/* @include "x.cfg" is found beside the file, not in the cwd. */
	cfg_dir_of(c->path, dir, sizeof(dir));
	if (syntax_check(c->path, dir, &r) == 1)
		return syntax_fail(c, &r);
	config_set_include_dir(lc, dir);
	if (config_read_file(lc, c->path) == CONFIG_TRUE)
		return 0;
	/* the check could not run, or the file changed since */
	r.bad = 1;
	r.io_errno = config_error_type(lc) == CONFIG_ERR_FILE_IO
			     ? (errno ? errno : EIO) : 0;
	r.line = config_error_line(lc);
	snprintf(r.file, sizeof(r.file), "%s",
		 config_error_file(lc) ? config_error_file(lc) : c->path);
	snprintf(r.text, sizeof(r.text), "%s",
		 config_error_text(lc) ? config_error_text(lc) : "");
	return syntax_fail(c, &r);
}

/* A path key's built-in default. scan.patterns_dir's is the installed
 * patterns (meson, from the prefix); TUNNELWATCH_PATTERNS_DIR replaces it
 * for runs from a build tree (the tests, `meson devenv`). */
static const char *path_default(const struct cfg_key *k)
{
	const char *env;

	if (strcmp(k->name, "scan.patterns_dir") == 0 &&
	    (env = getenv("TUNNELWATCH_PATTERNS_DIR")) && env[0])
		return env;
	return k->def_text;
}

void config_defaults(struct tw_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	for (size_t i = 0; i < cfg_n_keys; i++) {
		const struct cfg_key *k = &cfg_keys[i];
		void *f = cfg_field(cfg, k);

		switch (k->type) {
		case CFG_UINT:
			*(uint32_t *)f = (uint32_t)k->def;
			break;
		case CFG_DURATION:
			*(uint64_t *)f = (uint64_t)llround(k->def *
							   (double)NS_PER_S);
			break;
		case CFG_FLOAT:
			*(double *)f = k->def;
			break;
		case CFG_BOOL:
			*(bool *)f = k->def != 0;
			break;
		case CFG_PATH:
			snprintf(f, TW_PATH_MAX, "%s", path_default(k));
			break;
		case CFG_TEXT:
			snprintf(f, TW_TEXT_MAX, "%s", k->def_text);
			break;
		case CFG_PREFIXES:
		case CFG_STRINGS:
			break;  /* empty list */
		case CFG_PORTS:
			cfg_ports_from_text(f, k->def_text);
			break;
		case CFG_DECAP:
			cfg_decap_from_text(f, k->def_text);
			break;
		}
	}
}

void config_decap(const struct tw_config *cfg, struct decap_config *out)
{
	const struct port_list *vx = &cfg->decap.vxlan_ports;
	const struct port_list *gn = &cfg->decap.geneve_ports;

	memset(out, 0, sizeof(*out));
	out->enabled = cfg->decap.protocols;
	out->max_depth = (uint8_t)cfg->decap.max_depth;
	out->mpls_pseudowire = cfg->decap.mpls_pseudowire;
	out->mpls_control_word = cfg->decap.mpls_control_word;
	for (unsigned i = 0; i < vx->n && i < DECAP_MAX_PORTS; i++)
		out->vxlan_ports[out->n_vxlan_ports++] = vx->p[i];
	for (unsigned i = 0; i < gn->n && i < DECAP_MAX_PORTS; i++)
		out->geneve_ports[out->n_geneve_ports++] = gn->p[i];
}

int config_load(const char *path, struct tw_config *cfg, char *err,
		unsigned errlen)
{
	struct load_ctx c = { path, err, errlen };
	struct tw_config tmp;
	config_t lc;
	int rc;

	if (err && errlen)
		err[0] = '\0';
	config_defaults(&tmp);
	if (cfg_text_copy(tmp.path, sizeof(tmp.path), path) < 0)
		return cfg_fail(err, errlen, (struct cfg_where){ path, 0 },
				"file name too long (at most %d bytes)",
				TW_PATH_MAX - 1);

	config_init(&lc);
	rc = read_file(&c, &lc);
	if (rc == 0)
		rc = apply_root(&c, config_root_setting(&lc), &tmp);
	if (rc == 0)
		rc = cross_check(&c, &lc, &tmp);
	if (rc == 0 && tmp.hosts.suppress_file[0])
		rc = suppress_load(tmp.hosts.suppress_file, &tmp.suppress, err,
				   errlen);
	config_destroy(&lc);
	if (rc == 0)
		*cfg = tmp;
	return rc;
}
