/* The whole configuration as one const struct, filled once from a libconfig
 * file (config.c) and never looked up by string afterwards. Every limit of
 * the engine lives here, with its default in config.c and in the shipped
 * config files. Durations are nanoseconds inside, seconds in the file. */
#ifndef TW_CONFIG_H
#define TW_CONFIG_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "decode/decode.h"

#define TW_MAX_PREFIXES 64
#define TW_PATH_MAX 512

struct ip_prefix {
	struct ip_addr addr;      /* IPv4 as ::ffff:a.b.c.d, len counts from 0 */
	uint8_t len;              /* prefix length over the 128-bit form */
};

struct prefix_list {
	struct ip_prefix p[TW_MAX_PREFIXES];
	unsigned n;
};

bool prefix_list_contains(const struct prefix_list *l, const struct ip_addr *a);
/* "10.0.0.0/8", "fd00::/8", "1.2.3.4": 0 on success, -1 on bad text. */
int ip_prefix_parse(const char *s, struct ip_prefix *p);

struct tw_config {
	char path[TW_PATH_MAX];           /* file it came from, "" = defaults */

	struct {
		uint32_t workers;             /* offline worker threads, 1-64 */
		uint32_t ring_bytes;          /* reader -> worker packet ring */
		uint32_t finding_ring;        /* findings per worker -> manager ring */
	} engine;

	struct {
		uint32_t max_flows;           /* per worker */
		uint32_t inspect_bytes;       /* payload inspected per direction */
		uint32_t reorder_slots;       /* out-of-order segment slots per worker */
		uint32_t reorder_slot_bytes;  /* largest segment a slot holds */
		uint64_t tcp_idle_ns;
		uint64_t tcp_handshake_ns;    /* SYN without an answer */
		uint64_t tcp_closed_ns;       /* after FIN both ways or RST */
		uint64_t udp_idle_ns;
		uint64_t other_idle_ns;       /* ICMP and other protocols */
		uint64_t sweep_interval_ns;   /* how often idle flows are reaped */
	} flow;

	struct {
		char patterns_dir[TW_PATH_MAX];
		uint32_t max_streams;         /* open Hyperscan streams per worker */
	} scan;

	struct {
		struct prefix_list home_net;  /* empty: the originator is the host */
		uint32_t max_hosts;
		uint32_t max_findings_per_host;
		uint32_t suspicious_score;    /* verdict thresholds, 0-100 */
		uint32_t alert_score;
	} hosts;

	struct {
		bool enabled;
		uint64_t long_lived_min_ns;   /* duration to call a flow long-lived */
		double long_lived_max_bps;    /* average bytes/s to call it low-byte */
		uint32_t beacon_min_events;   /* intervals needed to score a beacon */
		uint64_t beacon_min_span_ns;  /* first to last event */
		double beacon_min_score;      /* report from this score (0-1) */
		double beacon_strong_score;   /* medium severity from this score */
		uint32_t beacon_max_pairs;    /* per worker, host pairs tracked */
	} flowtiming;

	struct {
		char eve_path[TW_PATH_MAX];   /* "" = no event log */
	} output;
};

/* Fills cfg with the built-in defaults. */
void config_defaults(struct tw_config *cfg);
/* Loads path over the defaults. On error returns -1 and writes
 * "FILE:LINE: KEY: what is wrong" into err. */
int config_load(const char *path, struct tw_config *cfg, char *err,
		unsigned errlen);
/* Writes cfg to out in the config file's own syntax (it loads back), one
 * commented line per key. Returns 0, or -1 on a write error. */
int config_print(const struct tw_config *cfg, FILE *out);

#endif
