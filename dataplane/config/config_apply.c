/* SPDX-License-Identifier: BSD-3-Clause */
/* One key's value from the file -> its field in struct tw_config, by the
 * key's type (config_keys.h): type and range checks, paths made relative to
 * the file that sets them, lists copied within their fixed bounds. Errors
 * name file, line and key. config.c walks the file and calls cfg_apply_key. */
#include "config/config_apply.h"
#include "decode/decode.h"

#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct cfg_where cfg_where_of(const config_setting_t *s, const char *path)
{
	const char *file = config_setting_source_file(s);

	return (struct cfg_where){ file ? file : path,
				   config_setting_source_line(s) };
}

__attribute__((format(printf, 4, 5)))
int cfg_fail(char *err, unsigned errlen, struct cfg_where w,
	     const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!err || errlen == 0)
		return -1;
	n = w.line > 0 ? snprintf(err, errlen, "%s:%d: ", w.file, w.line)
		       : snprintf(err, errlen, "%s: ", w.file);
	if (n >= 0 && (unsigned)n < errlen) {
		va_start(ap, fmt);
		vsnprintf(err + n, errlen - (unsigned)n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* A built-in default such as "22" or "53,80,443". */
void cfg_ports_from_text(struct port_list *l, const char *text)
{
	l->n = 0;
	while (text && *text && l->n < TW_MAX_PORTS) {
		char *end;
		unsigned long v = strtoul(text, &end, 10);

		if (end == text)
			break;
		if (v >= 1 && v <= 65535)
			l->p[l->n++] = (uint16_t)v;
		text = *end == ',' ? end + 1 : end;
	}
}

/* ---- paths ---- */

int cfg_text_copy(char *dst, size_t dstlen, const char *src)
{
	size_t n = strlen(src);

	if (n >= dstlen)
		return -1;
	memcpy(dst, src, n + 1);
	return 0;
}

/* The canonical directory of the config file: canonical so that leading
 * "../" of a value can be applied by dropping components. */
void cfg_dir_of(const char *cfg_file, char *dir, size_t dirlen)
{
	char raw[PATH_MAX];
	char *slash, *canon;

	if (cfg_text_copy(raw, sizeof(raw), cfg_file) < 0)
		raw[0] = '\0';
	slash = strrchr(raw, '/');
	if (!slash)
		strcpy(raw, ".");
	else if (slash == raw)
		raw[1] = '\0';
	else
		*slash = '\0';

	canon = realpath(raw, NULL);
	if (!canon || cfg_text_copy(dir, dirlen, canon) < 0)
		cfg_text_copy(dir, dirlen, raw);
	free(canon);
}

static void dir_pop(char *dir)
{
	char *slash = strrchr(dir, '/');

	if (!slash)
		strcpy(dir, ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
}

/* value relative to cfg_file's directory; absolute and empty values are
 * kept as they are. */
static int path_resolve(const char *value, const char *cfg_file, char *out,
			size_t outlen)
{
	char dir[PATH_MAX];
	int n;

	if (value[0] == '\0' || value[0] == '/')
		return cfg_text_copy(out, outlen, value);

	cfg_dir_of(cfg_file, dir, sizeof(dir));
	for (;;) {
		if (strncmp(value, "./", 2) == 0) {
			value += 2;
		} else if (strcmp(value, ".") == 0) {
			value += 1;
		} else if (strncmp(value, "../", 3) == 0 ||
			   strcmp(value, "..") == 0) {
			dir_pop(dir);
			value += value[2] ? 3 : 2;
		} else {
			break;
		}
		while (*value == '/')
			value++;
	}
	if (value[0] == '\0')
		return cfg_text_copy(out, outlen, dir);
	n = snprintf(out, outlen, "%s%s%s", dir,
		     dir[strlen(dir) - 1] == '/' ? "" : "/", value);
	return n >= 0 && (size_t)n < outlen ? 0 : -1;
}

/* ---- one setting ---- */

static bool is_integer(const config_setting_t *s)
{
	int t = config_setting_type(s);

	return t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64;
}

static bool is_number(const config_setting_t *s)
{
	return is_integer(s) || config_setting_type(s) == CONFIG_TYPE_FLOAT;
}

static double number_of(const config_setting_t *s)
{
	if (config_setting_type(s) == CONFIG_TYPE_FLOAT)
		return config_setting_get_float(s);
	return (double)config_setting_get_int64(s);
}

static int range_fail(const struct load_ctx *c, struct cfg_where w,
		      const struct cfg_key *k, const config_setting_t *s)
{
	if (is_integer(s))
		return cfg_fail(c->err, c->errlen, w,
				"%s: %lld out of range [%.15g, %.15g]", k->name,
				config_setting_get_int64(s), k->min, k->max);
	return cfg_fail(c->err, c->errlen, w,
			"%s: %g out of range [%.15g, %.15g]", k->name,
			number_of(s), k->min, k->max);
}

static int apply_uint(const struct load_ctx *c, const struct cfg_key *k,
		      const config_setting_t *s, struct tw_config *cfg)
{
	struct cfg_where w = cfg_where_of(s, c->path);
	long long v;

	if (!is_integer(s))
		return cfg_fail(c->err, c->errlen, w, "%s: expected an integer",
				k->name);
	v = config_setting_get_int64(s);
	if ((double)v < k->min || (double)v > k->max)
		return range_fail(c, w, k, s);
	*(uint32_t *)cfg_field(cfg, k) = (uint32_t)v;
	return 0;
}

static int apply_duration(const struct load_ctx *c, const struct cfg_key *k,
			  const config_setting_t *s, struct tw_config *cfg)
{
	struct cfg_where w = cfg_where_of(s, c->path);
	uint64_t *ns = cfg_field(cfg, k);
	double v;

	if (!is_number(s))
		return cfg_fail(c->err, c->errlen, w,
				"%s: expected a number of seconds", k->name);
	v = number_of(s);
	if (!(v >= k->min && v <= k->max))
		return range_fail(c, w, k, s);
	if (is_integer(s))
		*ns = (uint64_t)config_setting_get_int64(s) * NS_PER_S;
	else
		*ns = (uint64_t)llround(v * (double)NS_PER_S);
	return 0;
}

static int apply_float(const struct load_ctx *c, const struct cfg_key *k,
		       const config_setting_t *s, struct tw_config *cfg)
{
	struct cfg_where w = cfg_where_of(s, c->path);
	double v;

	if (!is_number(s))
		return cfg_fail(c->err, c->errlen, w, "%s: expected a number",
				k->name);
	v = number_of(s);
	if (!(v >= k->min && v <= k->max))
		return range_fail(c, w, k, s);
	*(double *)cfg_field(cfg, k) = v;
	return 0;
}

static int apply_bool(const struct load_ctx *c, const struct cfg_key *k,
		      const config_setting_t *s, struct tw_config *cfg)
{
	if (config_setting_type(s) != CONFIG_TYPE_BOOL)
		return cfg_fail(c->err, c->errlen, cfg_where_of(s, c->path),
				"%s: expected true or false", k->name);
	*(bool *)cfg_field(cfg, k) = config_setting_get_bool(s) != 0;
	return 0;
}

static int apply_path(const struct load_ctx *c, const struct cfg_key *k,
		      const config_setting_t *s, struct tw_config *cfg)
{
	struct cfg_where w = cfg_where_of(s, c->path);

	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return cfg_fail(c->err, c->errlen, w, "%s: expected a string",
				k->name);
	if (path_resolve(config_setting_get_string(s), w.file,
			 cfg_field(cfg, k), TW_PATH_MAX) < 0)
		return cfg_fail(c->err, c->errlen, w,
				"%s: path too long (at most %d bytes)", k->name,
				TW_PATH_MAX - 1);
	return 0;
}

static int apply_prefixes(const struct load_ctx *c, const struct cfg_key *k,
			  const config_setting_t *s, struct tw_config *cfg)
{
	struct cfg_where w = cfg_where_of(s, c->path);
	struct prefix_list *l = cfg_field(cfg, k);
	int t = config_setting_type(s);
	int n;

	if (t != CONFIG_TYPE_ARRAY && t != CONFIG_TYPE_LIST)
		return cfg_fail(c->err, c->errlen, w,
				"%s: expected a list of prefix strings",
				k->name);
	n = config_setting_length(s);
	if (n > TW_MAX_PREFIXES)
		return cfg_fail(c->err, c->errlen, w,
				"%s: %d prefixes, at most %d", k->name, n,
				TW_MAX_PREFIXES);
	l->n = 0;
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, i);
		struct cfg_where ew = cfg_where_of(e, c->path);
		const char *text;

		if (ew.line <= 0)
			ew = w;
		if (config_setting_type(e) != CONFIG_TYPE_STRING)
			return cfg_fail(c->err, c->errlen, ew,
					"%s: expected a list of prefix strings",
					k->name);
		text = config_setting_get_string(e);
		if (ip_prefix_parse(text, &l->p[l->n]) < 0)
			return cfg_fail(c->err, c->errlen, ew,
					"%s: bad prefix '%s'", k->name, text);
		l->n++;
	}
	return 0;
}

static int apply_text(const struct load_ctx *c, const struct cfg_key *k,
		      const config_setting_t *s, struct tw_config *cfg)
{
	struct cfg_where w = cfg_where_of(s, c->path);

	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return cfg_fail(c->err, c->errlen, w, "%s: expected a string",
				k->name);
	if (cfg_text_copy(cfg_field(cfg, k), TW_TEXT_MAX,
			  config_setting_get_string(s)) < 0)
		return cfg_fail(c->err, c->errlen, w,
				"%s: too long (at most %d bytes)", k->name,
				TW_TEXT_MAX - 1);
	return 0;
}

static int apply_strings(const struct load_ctx *c, const struct cfg_key *k,
			 const config_setting_t *s, struct tw_config *cfg)
{
	struct cfg_where w = cfg_where_of(s, c->path);
	struct string_list *l = cfg_field(cfg, k);
	int t = config_setting_type(s);
	int n;

	if (t != CONFIG_TYPE_ARRAY && t != CONFIG_TYPE_LIST)
		return cfg_fail(c->err, c->errlen, w,
				"%s: expected a list of strings", k->name);
	n = config_setting_length(s);
	if (n > TW_STRINGS_MAX)
		return cfg_fail(c->err, c->errlen, w,
				"%s: %d strings, at most %d", k->name, n,
				TW_STRINGS_MAX);
	l->n = 0;
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, i);

		if (config_setting_type(e) != CONFIG_TYPE_STRING)
			return cfg_fail(c->err, c->errlen, w,
					"%s: expected a list of strings",
					k->name);
		if (cfg_text_copy(l->s[l->n], TW_STRING_LEN,
				  config_setting_get_string(e)) < 0)
			return cfg_fail(c->err, c->errlen, w,
					"%s: string %d too long (at most %d "
					"bytes)", k->name, i + 1,
					TW_STRING_LEN - 1);
		l->n++;
	}
	return 0;
}

static int apply_ports(const struct load_ctx *c, const struct cfg_key *k,
		       const config_setting_t *s, struct tw_config *cfg)
{
	struct cfg_where w = cfg_where_of(s, c->path);
	struct port_list *l = cfg_field(cfg, k);
	int t = config_setting_type(s);
	int n;

	if (t != CONFIG_TYPE_ARRAY && t != CONFIG_TYPE_LIST)
		return cfg_fail(c->err, c->errlen, w,
				"%s: expected a list of ports", k->name);
	n = config_setting_length(s);
	if (n > TW_MAX_PORTS)
		return cfg_fail(c->err, c->errlen, w,
				"%s: %d ports, at most %d", k->name, n,
				TW_MAX_PORTS);
	l->n = 0;
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, i);
		long long v;

		if (!is_integer(e))
			return cfg_fail(c->err, c->errlen, w,
					"%s: expected a list of ports",
					k->name);
		v = config_setting_get_int64(e);
		if (v < 1 || v > 65535)
			return cfg_fail(c->err, c->errlen, w,
					"%s: port %lld out of range [1, 65535]",
					k->name, v);
		l->p[l->n++] = (uint16_t)v;
	}
	return 0;
}

/* A list of encapsulation names (decap.protocols) into a bit mask. */
static int apply_decap(const struct load_ctx *c, const struct cfg_key *k,
		       const config_setting_t *s, struct tw_config *cfg)
{
	struct cfg_where w = cfg_where_of(s, c->path);
	uint32_t *mask = cfg_field(cfg, k);
	int t = config_setting_type(s);
	int n;

	if (t != CONFIG_TYPE_ARRAY && t != CONFIG_TYPE_LIST)
		return cfg_fail(c->err, c->errlen, w,
				"%s: expected a list of names", k->name);
	n = config_setting_length(s);
	*mask = 0;
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, i);
		const char *name;
		enum decap_kind kind;

		if (config_setting_type(e) != CONFIG_TYPE_STRING)
			return cfg_fail(c->err, c->errlen, w,
					"%s: expected a list of names",
					k->name);
		name = config_setting_get_string(e);
		kind = decap_kind_parse(name);
		if (kind == DECAP_NONE)
			return cfg_fail(c->err, c->errlen, w,
					"%s: unknown encapsulation \"%s\" "
					"(known: %s)", k->name, name,
					k->def_text);
		*mask |= 1u << kind;
	}
	return 0;
}

void cfg_decap_from_text(uint32_t *mask, const char *text)
{
	char name[16];
	size_t len;

	*mask = 0;
	while (*text) {
		len = strcspn(text, ",");
		if (len < sizeof(name)) {
			memcpy(name, text, len);
			name[len] = '\0';
			*mask |= 1u << decap_kind_parse(name);
		}
		text += len + (text[len] == ',');
	}
	*mask &= ~1u;  /* DECAP_NONE: an unknown name */
}

int cfg_apply_key(const struct load_ctx *c, const struct cfg_key *k,
		  const config_setting_t *s, struct tw_config *cfg)
{
	switch (k->type) {
	case CFG_UINT:
		return apply_uint(c, k, s, cfg);
	case CFG_DURATION:
		return apply_duration(c, k, s, cfg);
	case CFG_FLOAT:
		return apply_float(c, k, s, cfg);
	case CFG_BOOL:
		return apply_bool(c, k, s, cfg);
	case CFG_PATH:
		return apply_path(c, k, s, cfg);
	case CFG_PREFIXES:
		return apply_prefixes(c, k, s, cfg);
	case CFG_TEXT:
		return apply_text(c, k, s, cfg);
	case CFG_STRINGS:
		return apply_strings(c, k, s, cfg);
	case CFG_PORTS:
		return apply_ports(c, k, s, cfg);
	case CFG_DECAP:
		return apply_decap(c, k, s, cfg);
	}
	return -1;
}
