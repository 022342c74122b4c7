/* SPDX-License-Identifier: BSD-3-Clause */
/* Loading's shared parts, private to config.c (reading and walking the
 * file) and config_apply.c (one key's value into struct tw_config): where
 * a message points, the load context, and the helpers both use. */
#ifndef TW_CONFIG_APPLY_H
#define TW_CONFIG_APPLY_H

#include <libconfig.h>

#include "config/config_keys.h"

/* Where a message points: file and line of a setting. */
struct cfg_where {
	const char *file;
	int line;
};

struct load_ctx {
	const char *path;   /* the config file as given */
	char *err;
	unsigned errlen;
};

/* The file and line of setting s; path when libconfig knows no file. */
struct cfg_where cfg_where_of(const config_setting_t *s, const char *path);

/* Writes "file:line: message" into err; always returns -1. */
__attribute__((format(printf, 4, 5)))
int cfg_fail(char *err, unsigned errlen, struct cfg_where w, const char *fmt,
	     ...);

/* Copies src whole or not at all: -1 when it does not fit. */
int cfg_text_copy(char *dst, size_t dstlen, const char *src);

/* The canonical directory of cfg_file (values and @include are relative
 * to it). */
void cfg_dir_of(const char *cfg_file, char *dir, size_t dirlen);

/* A built-in default port list such as "22" or "53,80,443". */
void cfg_ports_from_text(struct port_list *l, const char *text);
/* "vxlan,gre" into a decap_kind bit mask (unknown names are skipped). */
void cfg_decap_from_text(uint32_t *mask, const char *text);

/* Checks setting s against key k and stores it in cfg; -1 with c->err
 * set when the type or range is wrong. */
int cfg_apply_key(const struct load_ctx *c, const struct cfg_key *k,
	      const config_setting_t *s, struct tw_config *cfg);

#endif
