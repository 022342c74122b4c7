/* SPDX-License-Identifier: BSD-3-Clause */
/* The whole configuration as one const struct, filled once from a libconfig
 * file (config.c) and never looked up by string afterwards. Every limit of
 * the engine lives here, with its default in config_keys.c and in the shipped
 * config files. Durations are nanoseconds inside, seconds in the file. */
#ifndef TW_CONFIG_H
#define TW_CONFIG_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "base/net.h"
#include "config/suppress.h"

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

/* A list of strings from the file (dpdk.ports, dpdk.eal). */
#define TW_STRINGS_MAX 32
#define TW_STRING_LEN 512
struct string_list {
	char s[TW_STRINGS_MAX][TW_STRING_LEN];
	unsigned n;
};

#define TW_TEXT_MAX 64            /* short free text (group names, lcores) */

/* A list of TCP/UDP ports (ssh.ports). */
#define TW_MAX_PORTS 32
struct port_list {
	uint16_t p[TW_MAX_PORTS];
	unsigned n;
};

bool port_list_contains(const struct port_list *l, uint16_t port);

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

	/* Decapsulation (decode/decap.c): what decode_packet() removes. */
	struct {
		uint32_t protocols;           /* 1u << enum decap_kind */
		uint32_t max_depth;           /* layers removed at most */
		struct port_list vxlan_ports;
		struct port_list geneve_ports;
		bool mpls_pseudowire;         /* Ethernet after MPLS labels */
		bool mpls_control_word;       /* ... behind a control word */
	} decap;

	/* IP fragment reassembly (flow/defrag.c), per worker. */
	struct {
		uint32_t max_datagrams;       /* 0: fragments are dropped */
		uint32_t max_datagram_bytes;
		uint64_t timeout_ns;
		uint32_t flood_incomplete;    /* incomplete datagrams of a pair
					       * for evasion.ip_fragment_flood */
	} defrag;

	struct {
		char patterns_dir[TW_PATH_MAX];
		bool cache;                   /* reuse compiled databases */
		char cache_dir[TW_PATH_MAX];  /* "" = the user's cache directory */
		uint32_t max_streams;         /* open Hyperscan streams per worker */
	} scan;

	struct {
		struct prefix_list home_net;  /* empty: the originator is the host */
		uint32_t max_hosts;
		uint64_t idle_ns;             /* clean hosts idle this long go first */
		uint32_t max_findings_per_host;
		uint32_t suspicious_score;    /* verdict thresholds, 0-100 */
		uint32_t alert_score;
		uint32_t max_destinations;    /* peers whose prevalence is kept */
		char suppress_file[TW_PATH_MAX]; /* "" = no suppressions */
		uint32_t prevalence_min_hosts;/* inside hosts before "rare" */
	} hosts;
	/* hosts.suppress_file as read with the config (config/suppress.h) */
	struct suppress_list suppress;

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

	/* ICMP tunnels (analyzers/icmp/icmp.c). */
	struct {
		bool enabled;
		uint32_t min_odd_echoes;      /* non-ping payloads before a finding */
		uint32_t content_min_bytes;   /* a text echo this long is data */
		uint32_t min_mismatches;      /* replies unlike their request */
		uint32_t high_bytes;          /* non-ping payload bytes: high */
		double high_entropy;          /* entropy / its maximum (0-1) */
	} icmp;

	/* DNS tunnels (analyzers/dns_tunnel/dns_tunnel.c). */
	struct {
		bool enabled;
		uint32_t max_domains;         /* (client, server, domain) per worker */
		uint32_t suffix_cache;        /* registered-domain cache slots */
		uint32_t long_label;          /* label bytes that alone are suspect */
		uint32_t encoded_min_label;   /* shortest label judged as encoding */
		uint32_t min_encoded_names;   /* encoded names per domain: medium */
		uint32_t min_unique_names;    /* distinct names per domain: medium */
		uint32_t min_names_listed;     /* medium under a real domain */
		uint32_t high_names;          /* tunnel-like names per domain: high */
		uint32_t large_answer;        /* answer bytes that are unusual */
		uint32_t high_bytes;          /* query+answer bytes per domain: high */
	} dns;

	/* Crypto-mining (analyzers/stratum/stratum.c, analyzers/pool_names/pool_names.c). */
	struct {
		bool enabled;
		bool redact_wallets;          /* wallet addresses in logins */
		char pools_file[TW_PATH_MAX]; /* patterns/pools.txt */
		uint32_t max_pool_names;
		uint64_t tls_min_duration_ns; /* pool-named TLS flow: rhythm from */
		uint32_t tls_min_pushes;      /* server pushes for the rhythm */
		double tls_max_client_bytes;  /* average client message: a share */
		uint64_t link_min_ttl_ns;     /* pool answer -> connection window */
		uint32_t max_sessions;        /* flows parsed as JSON-RPC at once */
		uint32_t scan_window;         /* bytes without a candidate: not mining */
		uint32_t hello_buffers;       /* ClientHellos collected at once */
	} mining;

	/* Reverse-tunnel services (analyzers/tunnel_service/tunnel_service.c). */
	struct {
		bool enabled;
		char names_file[TW_PATH_MAX]; /* patterns/services.txt */
		uint32_t max_names;
		/* VPN servers inside hosts may use (vpn.c); empty: none */
		struct prefix_list vpn_gateways;
		/* fully encrypted first payloads (fully_encrypted.c) */
		uint32_t encrypted_min_flows; /* to one destination: a finding */
		uint32_t encrypted_max_pairs; /* (host, destination) per worker */
	} tunnel;

	/* SSH (analyzers/ssh/ssh.c). */
	struct {
		bool enabled;
		struct port_list ports;       /* where SSH is expected */
		struct port_list evasive_ports; /* ports most firewalls pass */
		struct prefix_list allowed_clients; /* empty: not checked */
		struct prefix_list allowed_servers; /* empty: not checked */
		uint32_t max_sessions;        /* SSH flows watched per worker */
		uint32_t max_handshakes;      /* KEXINIT buffers per worker */
		uint32_t kexinit_max_bytes;   /* largest KEXINIT kept */
		uint32_t keystroke_max_bytes; /* largest keystroke packet */
		uint64_t echo_max_ns;         /* keystroke to its echo */
		uint32_t reverse_min_keystrokes;
		uint32_t keepalive_min_events;
		uint64_t keepalive_min_interval_ns;
		double keepalive_max_jitter;  /* interval spread / median */
	} ssh;

	struct {
		char eve_path[TW_PATH_MAX];   /* "" = no event log */
	} output;

	/* The HTML report (control/html_report.c, verdict/timeline.c). */
	struct {
		uint32_t max_hosts;           /* hosts drawn with a timeline */
		uint32_t max_lanes;           /* lanes drawn per host */
		uint32_t max_conversations;   /* kept by the manager */
		uint32_t bars_per_lane;       /* flows kept per conversation */
	} report;

	/* Live appliance (live.c): ports, lcores, queues, pools. */
	struct {
		struct string_list ports;     /* PCI addresses or vdev strings */
		struct string_list eal;       /* extra EAL arguments */
		struct string_list inner_dispatch_ports; /* one queue, spread
					       * by worker 0 on the inner pair */
		char lcores[TW_TEXT_MAX];     /* EAL --lcores; "" = derived */
		uint32_t workers;             /* worker lcores */
		uint32_t rx_descriptors;      /* per RX queue */
		uint32_t mbufs;               /* mempool size */
		uint32_t mbuf_cache;          /* per-lcore mempool cache */
		uint32_t burst;               /* packets per rx burst */
		uint32_t dispatch_ring;       /* mbufs, first worker -> each other */
		uint32_t idle_sleep_us;       /* nap after empty polls; 0 = spin */
		bool promiscuous;
		bool pcap_timestamps;         /* net_pcap file time, not the TSC */
		bool replay_finish;           /* end of an rx_pcap file ends input */
	} dpdk;

	/* Control socket (control/ctl_socket.c). */
	struct {
		char socket[TW_PATH_MAX];
		char group[TW_TEXT_MAX];      /* "" = the process's group */
		uint32_t max_clients;
		uint32_t max_line;            /* bytes of one command line */
		uint32_t idle_timeout_s;      /* silent or stalled client closed */
		uint32_t max_answer;          /* bytes of one answer */
		uint32_t findings_kept;       /* latest findings for `findings` */
		uint32_t flows_listed;        /* open flows per worker in answers */
	} control;

	/* The operators' log (twlog.h) and the metrics listener (issue 15). */
	struct {
		char format[TW_TEXT_MAX];     /* "text" or "json" */
		char level[TW_TEXT_MAX];      /* "err" ... "debug" */
	} log;
	struct {
		char listen[TW_TEXT_MAX];     /* "" off; "PORT", "ADDR:PORT" */
	} metrics;
};

/* The decoder's settings from cfg->decap (for decap_configure()). */
struct decap_config;
void config_decap(const struct tw_config *cfg, struct decap_config *out);

/* Fills cfg with the built-in defaults. */
void config_defaults(struct tw_config *cfg);
/* Loads path over the defaults. On error returns -1 and writes
 * "FILE:LINE: KEY: what is wrong" into err. */
int config_load(const char *path, struct tw_config *cfg, char *err,
		unsigned errlen);
/* Copies into dst the keys a SIGHUP may change (their rows' reloadable
 * flag in config_keys.c) and what was read from their files (suppress). */
void config_copy_reloadable(struct tw_config *dst,
			    const struct tw_config *src);
/* SIGHUP: copies into dst (the running configuration) every key of src
 * that a running appliance takes, and the suppression list; the names of
 * those that changed go to changed, those that differ but wait for a
 * restart to restart (", "-separated). Returns how many changed. */
unsigned config_reload_merge(struct tw_config *dst,
			     const struct tw_config *src, char *changed,
			     size_t changed_len, char *restart,
			     size_t restart_len);
/* metrics.listen: "" (off: *port = 0), "PORT" (127.0.0.1), "ADDR:PORT",
 * "[ADDR6]:PORT". addr (46 bytes) and port may be NULL. 0 or -1
 * (config_listen.c). */
int metrics_listen_parse(const char *s, char *addr, unsigned *port);
/* Writes cfg to out in the config file's own syntax (it loads back), one
 * commented line per key. Returns 0, or -1 on a write error. */
int config_print(const struct tw_config *cfg, FILE *out);

#endif
