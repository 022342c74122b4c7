/* SPDX-License-Identifier: BSD-3-Clause */
/* SIGHUP (issue 15): every key a running appliance can take (its row in
 * config_keys.c is a *_RELOAD one) is taken; the others (table sizes,
 * rings, ports, analyzers switched on or off, paths opened once) are
 * named in the log when the file changed them. */
#include "config/config_keys.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static size_t field_size(const struct cfg_key *k)
{
	switch (k->type) {
	case CFG_UINT:
	case CFG_DECAP:
		return sizeof(uint32_t);
	case CFG_DURATION:
		return sizeof(uint64_t);
	case CFG_FLOAT:
		return sizeof(double);
	case CFG_BOOL:
		return sizeof(bool);
	case CFG_PATH:
		return TW_PATH_MAX;
	case CFG_TEXT:
		return TW_TEXT_MAX;
	case CFG_PREFIXES:
		return sizeof(struct prefix_list);
	case CFG_STRINGS:
		return sizeof(struct string_list);
	case CFG_PORTS:
		return sizeof(struct port_list);
	}
	return 0;
}

static bool differs(const struct cfg_key *k, const void *a, const void *b)
{
	if (k->type == CFG_PATH || k->type == CFG_TEXT)
		return strcmp(a, b) != 0;
	return memcmp(a, b, field_size(k)) != 0;
}

static void list_add(char *buf, size_t len, const char *name)
{
	size_t used = strlen(buf);

	if (used + strlen(name) + 8 >= len) {
		if (used + 5 < len && !strstr(buf, " ..."))
			strcat(buf, " ...");
		return;
	}
	snprintf(buf + used, len - used, "%s%s", used ? ", " : "", name);
}

unsigned config_reload_merge(struct tw_config *dst,
			     const struct tw_config *src, char *changed,
			     size_t changed_len, char *restart,
			     size_t restart_len)
{
	unsigned n = 0;

	changed[0] = restart[0] = '\0';
	for (size_t i = 0; i < cfg_n_keys; i++) {
		const struct cfg_key *k = &cfg_keys[i];
		void *d = cfg_field(dst, k);
		const void *s = cfg_cfield(src, k);

		if (!differs(k, d, s))
			continue;
		if (!k->reloadable) {
			list_add(restart, restart_len, k->name);
			continue;
		}
		memcpy(d, s, field_size(k));
		list_add(changed, changed_len, k->name);
		n++;
	}
	/* the suppression list is read again whether or not its path
	 * changed: its file may have */
	dst->suppress = src->suppress;
	return n;
}
