/* SIGHUP (issue 15): every key a running appliance can take is taken;
 * the others (table sizes, rings, ports, analyzers switched on or off,
 * paths opened once) are named in the log when the file changed them.
 * Which is which is decided per key here, from its name, until the key
 * table carries a `reloadable` mark of its own. */
#include "config_keys.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* Keys read once at start: sizes of what was allocated, analyzers on or
 * off (their state exists or not), the capture, the socket, the outputs. */
static bool needs_restart(const char *name)
{
	static const char *const sections[] = {
		"engine.", "decap.", "defrag.", "dpdk.", "control.",
		"metrics.", "log.", "output.",
	};
	static const char *const keys[] = {
		"flow.inspect_bytes", "flow.reorder_slots",
		"flow.reorder_slot_bytes", "flow.sweep_interval",
		"scan.max_streams", "dns.suffix_cache", "mining.hello_buffers",
		"ssh.kexinit_max_bytes", "tunnel.encrypted_max_pairs",
		"flowtiming.beacon_max_pairs", "report.max_conversations",
	};
	const char *last = strrchr(name, '.');

	for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++)
		if (strncmp(name, sections[i], strlen(sections[i])) == 0)
			return true;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strcmp(name, keys[i]) == 0)
			return true;
	last = last ? last + 1 : name;
	return strncmp(last, "max_", 4) == 0 || strcmp(last, "enabled") == 0;
}

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
		if (needs_restart(k->name)) {
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
