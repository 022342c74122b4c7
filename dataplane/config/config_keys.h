/* SPDX-License-Identifier: BSD-3-Clause */
/* The config key table, private to config.c (defaults, loading),
 * config_apply.c (one key's value), config_print.c and config_keys.c (the
 * rows). Everyone else sees only struct tw_config in config.h: keys are
 * looked up by name once, at load. */
#ifndef TW_CONFIG_KEYS_H
#define TW_CONFIG_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "config/config.h"

/* Durations are seconds in the file and in the table, ns in the struct. */
#define NS_PER_S 1000000000ULL

enum cfg_type {
	CFG_UINT,      /* uint32_t, integer in the file */
	CFG_DURATION,  /* uint64_t ns, seconds (int or float) in the file */
	CFG_FLOAT,     /* double, int or float in the file */
	CFG_BOOL,      /* bool */
	CFG_PATH,      /* char[TW_PATH_MAX], relative to the config file */
	CFG_PREFIXES,  /* struct prefix_list, list of "addr/len" strings */
	CFG_TEXT,      /* char[TW_TEXT_MAX], taken as written */
	CFG_STRINGS,   /* struct string_list, list of strings */
	CFG_PORTS,     /* struct port_list, list of integers 1-65535 */
	CFG_DECAP,     /* uint32_t, list of decap_kind names -> bit mask */
};

struct cfg_key {
	const char *name;      /* "section.key" as written in the file */
	enum cfg_type type;
	size_t offset;         /* into struct tw_config */
	size_t size;           /* of the field there */
	double min, max;       /* durations in seconds; unused for text */
	double def;            /* numbers, bools, durations (seconds) */
	const char *def_text;  /* paths */
	const char *help;
	bool reloadable;       /* a SIGHUP takes a new value (live_reload.c) */
};

/* Every key, grouped by section in the order they are printed. */
extern const struct cfg_key cfg_keys[];
extern const size_t cfg_n_keys;

static inline void *cfg_field(struct tw_config *cfg, const struct cfg_key *k)
{
	return (char *)cfg + k->offset;
}

static inline const void *cfg_cfield(const struct tw_config *cfg,
				     const struct cfg_key *k)
{
	return (const char *)cfg + k->offset;
}

/* Length of "section" in "section.key": the table has no separate section
 * column, the name is the single source. */
static inline size_t cfg_section_len(const char *name)
{
	const char *dot = strchr(name, '.');

	return dot ? (size_t)(dot - name) : strlen(name);
}

#endif
