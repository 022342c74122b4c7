/* SPDX-License-Identifier: BSD-3-Clause */
/* The config keys, one row each (name, type, place in the struct, bounds,
 * default, meaning), as redis' static_configs[]: defaults, loading,
 * validation and printing all walk this one table, so a key cannot exist in
 * one and be missing from another. Keep config/offline.cfg and
 * config/tunnelwatch.cfg in step with it. A row's _RELOAD macro marks a
 * key a SIGHUP may change (live_reload.c); every other key is fixed at
 * start. */
#include "config/config_keys.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#ifndef TW_PATTERNS_DIR
#define TW_PATTERNS_DIR "patterns"
#endif

/* offsetof that refuses to compile when the field's size does not match the
 * row's type, so a table typo cannot write past a field. */
#define FIELD(f, size)                                                    \
	(offsetof(struct tw_config, f) +                                  \
	 0 * sizeof(char[sizeof(((struct tw_config *)0)->f) == (size) ? 1 : -1]))

/* Each row macro has a _RELOAD twin for keys a SIGHUP may change
 * (config_copy_reloadable, live_reload.c); the plain one is fixed at
 * start. */
#define ROW(fl, n, t, f, size, lo, hi, d, dt, h) \
	{ n, t, FIELD(f, size), size, lo, hi, d, dt, h, fl }

#define UINT_ROW(fl, n, f, lo, hi, d, h) \
	ROW(fl, n, CFG_UINT, f, sizeof(uint32_t), lo, hi, d, NULL, h)
#define DURATION_ROW(fl, n, f, lo, hi, d, h) \
	ROW(fl, n, CFG_DURATION, f, sizeof(uint64_t), lo, hi, d, NULL, h)
#define FLOAT_ROW(fl, n, f, lo, hi, d, h) \
	ROW(fl, n, CFG_FLOAT, f, sizeof(double), lo, hi, d, NULL, h)
#define BOOL_ROW(fl, n, f, d, h) \
	ROW(fl, n, CFG_BOOL, f, sizeof(bool), 0, 1, d, NULL, h)
#define PATH_ROW(fl, n, f, d, h) \
	ROW(fl, n, CFG_PATH, f, TW_PATH_MAX, 0, 0, 0, d, h)
#define PREFIXES_ROW(fl, n, f, h) \
	ROW(fl, n, CFG_PREFIXES, f, sizeof(struct prefix_list), 0, 0, 0, NULL, h)
#define TEXT_ROW(fl, n, f, d, h) \
	ROW(fl, n, CFG_TEXT, f, TW_TEXT_MAX, 0, 0, 0, d, h)
#define STRINGS_ROW(fl, n, f, h) \
	ROW(fl, n, CFG_STRINGS, f, sizeof(struct string_list), 0, 0, 0, NULL, h)
#define PORTS_ROW(fl, n, f, d, h) \
	ROW(fl, n, CFG_PORTS, f, sizeof(struct port_list), 1, 65535, 0, d, h)
#define DECAP_ROW(fl, n, f, d, h) \
	ROW(fl, n, CFG_DECAP, f, sizeof(uint32_t), 0, 0, 0, d, h)

#define UINT(...) UINT_ROW(false, __VA_ARGS__)
#define DURATION(...) DURATION_ROW(false, __VA_ARGS__)
#define FLOAT(...) FLOAT_ROW(false, __VA_ARGS__)
#define BOOL(...) BOOL_ROW(false, __VA_ARGS__)
#define PATH(...) PATH_ROW(false, __VA_ARGS__)
#define PREFIXES(...) PREFIXES_ROW(false, __VA_ARGS__)
#define TEXT(...) TEXT_ROW(false, __VA_ARGS__)
#define STRINGS(...) STRINGS_ROW(false, __VA_ARGS__)
#define PORTS(...) PORTS_ROW(false, __VA_ARGS__)
#define DECAP(...) DECAP_ROW(false, __VA_ARGS__)

#define UINT_RELOAD(...) UINT_ROW(true, __VA_ARGS__)
#define DURATION_RELOAD(...) DURATION_ROW(true, __VA_ARGS__)
#define FLOAT_RELOAD(...) FLOAT_ROW(true, __VA_ARGS__)
#define BOOL_RELOAD(...) BOOL_ROW(true, __VA_ARGS__)
#define PATH_RELOAD(...) PATH_ROW(true, __VA_ARGS__)
#define PREFIXES_RELOAD(...) PREFIXES_ROW(true, __VA_ARGS__)
#define TEXT_RELOAD(...) TEXT_ROW(true, __VA_ARGS__)
#define STRINGS_RELOAD(...) STRINGS_ROW(true, __VA_ARGS__)
#define PORTS_RELOAD(...) PORTS_ROW(true, __VA_ARGS__)
#define DECAP_RELOAD(...) DECAP_ROW(true, __VA_ARGS__)

#define DAY (24 * 3600.0)
#define MILLION 1000000.0

const struct cfg_key cfg_keys[] = {
	UINT("engine.workers", engine.workers, 1, 64, 1,
	     "offline worker threads"),
	UINT("engine.ring_bytes", engine.ring_bytes, 65536, 1073741824.0,
	     1048576, "bytes of the reader -> worker packet ring"),
	UINT("engine.finding_ring_slots", engine.finding_ring, 64, MILLION,
	     4096, "findings queued per worker towards the manager"),

	UINT("flow.max_flows", flow.max_flows, 16, 16 * MILLION, 131072,
	     "flows tracked per worker; the oldest idle one is evicted"),
	UINT("flow.inspect_bytes", flow.inspect_bytes, 16, 1048576, 4096,
	     "payload bytes inspected per direction of a flow"),
	UINT("flow.reorder_slots", flow.reorder_slots, 16, MILLION, 4096,
	     "out-of-order TCP segments held per worker"),
	UINT("flow.reorder_slot_bytes", flow.reorder_slot_bytes, 64, 65536,
	     2048, "largest segment one reorder slot holds"),
	DURATION_RELOAD("flow.tcp_idle_timeout", flow.tcp_idle_ns, 1, 7 * DAY, 3600,
		 "seconds an established TCP flow may stay silent"),
	DURATION_RELOAD("flow.tcp_handshake_timeout", flow.tcp_handshake_ns, 1, 3600,
		 30, "seconds a SYN may wait for its answer"),
	DURATION_RELOAD("flow.tcp_closed_timeout", flow.tcp_closed_ns, 0, 3600, 10,
		 "seconds a flow is kept after FIN both ways or RST"),
	DURATION_RELOAD("flow.udp_idle_timeout", flow.udp_idle_ns, 1, DAY, 120,
		 "seconds a UDP flow may stay silent"),
	DURATION_RELOAD("flow.other_idle_timeout", flow.other_idle_ns, 1, DAY, 60,
		 "seconds an ICMP or other flow may stay silent"),
	DURATION("flow.sweep_interval", flow.sweep_interval_ns, 0.001, 60, 1,
		 "seconds between sweeps for idle flows"),

	PATH_RELOAD("scan.patterns_dir", scan.patterns_dir, TW_PATTERNS_DIR,
		    "directory of the *.hs pattern files"),
	BOOL_RELOAD("scan.cache", scan.cache, 1,
	     "keep compiled pattern databases between starts"),
	PATH_RELOAD("scan.cache_dir", scan.cache_dir, "",
	     "where; empty: $XDG_CACHE_HOME/tunnelwatch or ~/.cache/tunnelwatch"),
	UINT("scan.max_streams", scan.max_streams, 16, 16 * MILLION, 65536,
	     "open Hyperscan streams per worker"),

	DECAP("decap.protocols", decap.protocols,
	      "vxlan,geneve,erspan,gre,mpls,pppoe,ipip,6in4,4in6",
	      "encapsulations removed in front of the packet analysed; "
	      "others are counted (decap_left_disabled)"),
	UINT("decap.max_depth", decap.max_depth, 1, 8, 4,
	     "encapsulation layers removed from one packet at most"),
	PORTS("decap.vxlan_ports", decap.vxlan_ports, "4789",
	      "UDP destination ports that carry VXLAN"),
	PORTS("decap.geneve_ports", decap.geneve_ports, "6081",
	      "UDP destination ports that carry Geneve"),
	BOOL("decap.mpls_pseudowire", decap.mpls_pseudowire, 1,
	     "MPLS payload not starting as IPv4/IPv6 is an Ethernet pseudowire"),
	BOOL("decap.mpls_control_word", decap.mpls_control_word, 1,
	     "an MPLS Ethernet pseudowire starts with a 4-byte control word"),

	UINT("defrag.max_datagrams", defrag.max_datagrams, 0, MILLION, 256,
	     "IP datagrams in reassembly per worker; 0: fragments dropped"),
	UINT("defrag.max_datagram_bytes", defrag.max_datagram_bytes, 576,
	     65535, 65535, "largest reassembled datagram (data bytes)"),
	DURATION("defrag.timeout", defrag.timeout_ns, 1, 600, 30,
		 "first fragment to completion, else the datagram is dropped"),
	UINT("defrag.flood_incomplete", defrag.flood_incomplete, 0, MILLION,
	     100, "incomplete datagrams between two hosts for "
	     "evasion.ip_fragment_flood; 0: never"),

	PREFIXES_RELOAD("hosts.home_net", hosts.home_net,
			"inside networks; empty: the originator is the host"),
	UINT("hosts.max_hosts", hosts.max_hosts, 16, 16 * MILLION, 16384,
	     "hosts with a verdict kept by the manager"),
	DURATION_RELOAD("hosts.idle_timeout", hosts.idle_ns, 0, 30 * DAY, 3600,
		 "seconds after which a clean host is the first to give up "
		 "its slot in a full table; 0: never by idleness"),
	UINT("hosts.max_findings_per_host", hosts.max_findings_per_host, 1,
	     1024, 8, "distinct findings kept per host"),
	UINT_RELOAD("hosts.suspicious_score", hosts.suspicious_score, 1, 100,
		    40, "score (0-100) from which a host is suspicious"),
	UINT_RELOAD("hosts.alert_score", hosts.alert_score, 1, 100, 70,
		    "score (0-100) from which a host raises an alert"),
	UINT("hosts.max_destinations", hosts.max_destinations, 16,
	     16 * MILLION, 65536,
	     "peers whose prevalence (inside hosts talking to them) is kept"),
	PATH_RELOAD("hosts.suppress_file", hosts.suppress_file, "",
		    "suppression rules (suppress WHAT HOST PEER); empty: none"),
	UINT_RELOAD("hosts.prevalence_min_hosts", hosts.prevalence_min_hosts,
		    1, 16, 4, "inside hosts seen before a peer only one of them "
		    "talks to counts as rare"),

	BOOL_RELOAD("flowtiming.enabled", flowtiming.enabled, 1,
		    "run the long-lived and beacon analyzer"),
	DURATION_RELOAD("flowtiming.long_lived_min_duration",
			flowtiming.long_lived_min_ns, 1, 30 * DAY, 600,
			"seconds after which a flow is long-lived"),
	FLOAT_RELOAD("flowtiming.long_lived_max_rate",
		     flowtiming.long_lived_max_bps, 0, 1e9, 512,
		     "average bytes/s under which it is low-byte"),
	UINT_RELOAD("flowtiming.beacon_min_events",
		    flowtiming.beacon_min_events, 3, 4096, 8,
		    "intervals needed before a beacon is scored"),
	DURATION_RELOAD("flowtiming.beacon_min_span",
			flowtiming.beacon_min_span_ns, 1, 30 * DAY, 60,
			"seconds from first to last event"),
	FLOAT_RELOAD("flowtiming.beacon_min_score",
		     flowtiming.beacon_min_score, 0, 1, 0.8,
		     "beacon score (0-1) from which it is reported"),
	FLOAT_RELOAD("flowtiming.beacon_strong_score",
		     flowtiming.beacon_strong_score, 0, 1, 0.9,
		     "beacon score (0-1) from which it is medium"),
	UINT("flowtiming.beacon_max_pairs", flowtiming.beacon_max_pairs, 16,
	     16 * MILLION, 65536, "host pairs tracked for beacons per worker"),

	/* covert channels: analyzers/icmp/icmp.c, dns_tunnel.c, tunnel_service.c */
	BOOL("icmp.enabled", icmp.enabled, 1, "run the ICMP tunnel analyzer"),
	UINT_RELOAD("icmp.min_odd_echoes", icmp.min_odd_echoes, 1, MILLION, 3,
	     "echo payloads of no ping pattern, varying, before a finding"),
	UINT_RELOAD("icmp.content_min_bytes", icmp.content_min_bytes, 16, 65535, 140,
	     "payload bytes from which one echo request of text or base64 is "
	     "data sent out (medium)"),
	UINT_RELOAD("icmp.min_mismatches", icmp.min_mismatches, 1, MILLION, 2,
	     "echo replies unlike their request before a finding"),
	UINT_RELOAD("icmp.high_bytes", icmp.high_bytes, 1, 1e9, 16384,
	     "non-ping payload bytes of one flow from which it is high"),
	FLOAT_RELOAD("icmp.high_entropy", icmp.high_entropy, 0, 1, 0.85,
	      "payload entropy, share of its maximum, called encrypted"),

	BOOL("dns.enabled", dns.enabled, 1, "run the DNS tunnel analyzer"),
	UINT("dns.max_domains", dns.max_domains, 16, 16 * MILLION, 16384,
	     "(client, server, registered domain) entries per worker"),
	UINT("dns.suffix_cache", dns.suffix_cache, 16, 16 * MILLION, 4096,
	     "registered-domain lookups cached per worker"),
	UINT_RELOAD("dns.long_label", dns.long_label, 16, 63, 40,
	     "label length that alone makes a name suspect"),
	UINT_RELOAD("dns.encoded_min_label", dns.encoded_min_label, 4, 63, 12,
	     "shortest label judged as base32/base64/hex"),
	UINT_RELOAD("dns.min_encoded_names", dns.min_encoded_names, 1, MILLION, 3,
	     "encoded names under one domain for a finding"),
	UINT_RELOAD("dns.min_names_listed", dns.min_names_listed, 1, MILLION, 8,
	     "distinct names under a domain of a listed public suffix before "
	     "a finding is more than low"),
	UINT_RELOAD("dns.min_unique_names", dns.min_unique_names, 2, MILLION, 100,
	     "distinct names under one domain for a finding"),
	UINT_RELOAD("dns.high_names", dns.high_names, 2, MILLION, 50,
	     "tunnel-like names under one domain from which it is high"),
	UINT_RELOAD("dns.large_answer", dns.large_answer, 64, 65535, 512,
	     "DNS message bytes that count as a large answer"),
	UINT_RELOAD("dns.high_bytes", dns.high_bytes, 1, 1e9, 65536,
	     "DNS bytes under one domain from which a tunnel is high"),

	/* mining: analyzers/stratum/stratum.c, analyzers/pool_names/pool_names.c */
	BOOL("mining.enabled", mining.enabled, 1,
	     "run the mining analyzers (stratum, pool names)"),
	BOOL_RELOAD("mining.redact_wallets", mining.redact_wallets, 1,
	     "shorten wallet addresses in reported miner logins"),
	PATH_RELOAD("mining.pools_file", mining.pools_file, "",
	     "mining pool domain list; empty: pools.txt in scan.patterns_dir"),
	UINT("mining.max_pool_names", mining.max_pool_names, 1, MILLION, 16384,
	     "names loaded from mining.pools_file"),
	DURATION_RELOAD("mining.tls_min_duration", mining.tls_min_duration_ns, 1,
		 30 * DAY, 120,
		 "seconds a pool-named TLS flow needs before its rhythm counts"),
	UINT_RELOAD("mining.tls_min_pushes", mining.tls_min_pushes, 2, MILLION, 4,
	     "server pushes (new jobs) a pool-named TLS flow needs for high"),
	FLOAT_RELOAD("mining.tls_max_client_bytes", mining.tls_max_client_bytes, 64,
	      65536, 600, "largest average client message that is a share"),
	DURATION_RELOAD("mining.link_min_ttl", mining.link_min_ttl_ns, 0, 30 * DAY,
		 600, "seconds a pool's resolved address ties a later connection "
		 "to its name, at least (longer when the answer's TTL is)"),
	UINT("mining.max_sessions", mining.max_sessions, 16, 16 * MILLION,
	     4096, "flows parsed as possible mining JSON-RPC at once, per worker"),
	UINT_RELOAD("mining.scan_window", mining.scan_window, 64, 1048576, 2048,
	     "payload bytes of a flow without a stratum.hs candidate after "
	     "which it is not parsed further"),
	UINT("mining.hello_buffers", mining.hello_buffers, 0, MILLION, 256,
	     "TLS ClientHellos split over segments collected at once, per "
	     "worker (4 KB each)"),

	BOOL("tunnel.enabled", tunnel.enabled, 1,
	     "run the reverse-tunnel service analyzer"),
	PATH_RELOAD("tunnel.names_file", tunnel.names_file, "",
	     "service domain list; empty: services.txt in scan.patterns_dir"),
	UINT("tunnel.max_names", tunnel.max_names, 1, MILLION, 4096,
	     "names loaded from tunnel.names_file"),
	PREFIXES_RELOAD("tunnel.vpn_gateways", tunnel.vpn_gateways,
		 "VPN servers inside hosts may use: a VPN to any other "
		 "address is tunnel.vpn; empty: none"),
	UINT_RELOAD("tunnel.encrypted_min_flows", tunnel.encrypted_min_flows, 2,
	     MILLION, 3, "flows from one host to one destination whose first "
	     "payload looks fully encrypted before tunnel.encrypted_proxy"),
	UINT("tunnel.encrypted_max_pairs", tunnel.encrypted_max_pairs, 16,
	     16 * MILLION, 4096, "host/destination pairs counted for "
	     "tunnel.encrypted_proxy per worker (32 bytes each)"),

	/* ssh: analyzers/ssh/ssh.c */
	BOOL("ssh.enabled", ssh.enabled, 1, "run the SSH analyzer"),
	PORTS_RELOAD("ssh.ports", ssh.ports, "22",
	      "ports where SSH is expected; elsewhere: ssh.nonstandard_port"),
	PORTS_RELOAD("ssh.evasive_ports", ssh.evasive_ports, "21,25,53,80,110,143,443,993,995,8000,8080,8443",
	      "ports most firewalls pass: SSH there is high severity"),
	PREFIXES_RELOAD("ssh.allowed_clients", ssh.allowed_clients,
		 "hosts allowed to open SSH; empty: not checked"),
	PREFIXES_RELOAD("ssh.allowed_servers", ssh.allowed_servers,
		 "SSH servers allowed; empty: not checked"),
	UINT("ssh.max_sessions", ssh.max_sessions, 1, 16 * MILLION, 16384,
	     "SSH flows watched at once per worker"),
	UINT("ssh.max_handshakes", ssh.max_handshakes, 1, MILLION, 1024,
	     "SSH handshakes parsed at once per worker (KEXINIT buffers)"),
	UINT("ssh.kexinit_max_bytes", ssh.kexinit_max_bytes, 256, 16384, 4096,
	     "largest KEXINIT message parsed"),
	UINT_RELOAD("ssh.keystroke_max_bytes", ssh.keystroke_max_bytes, 16, 1500, 160,
	     "largest encrypted packet taken for a keystroke"),
	DURATION_RELOAD("ssh.echo_max_delay", ssh.echo_max_ns, 0.001, 10, 0.5,
		 "seconds from a keystroke to its echo"),
	UINT_RELOAD("ssh.reverse_min_keystrokes", ssh.reverse_min_keystrokes, 1,
	     MILLION, 12, "server-side keystrokes for ssh.reverse_session"),
	UINT_RELOAD("ssh.keepalive_min_events", ssh.keepalive_min_events, 3, 1000, 6,
	     "regular keepalives for ssh.keepalive_tunnel"),
	DURATION_RELOAD("ssh.keepalive_min_interval", ssh.keepalive_min_interval_ns,
		 0.1, DAY, 2, "shortest keepalive period considered"),
	FLOAT_RELOAD("ssh.keepalive_max_jitter", ssh.keepalive_max_jitter, 0, 1, 0.1,
	      "keepalive interval spread (max-min) over its median"),

	PATH("output.eve_path", output.eve_path, "",
	     "EVE JSON event log; empty: none"),

	UINT("report.max_hosts", report.max_hosts, 1, 10000, 40,
	     "HTML report: hosts drawn with a timeline, worst first"),
	UINT("report.max_lanes", report.max_lanes, 1, 1000, 24,
	     "HTML report: lanes (peer, protocol, port) drawn per host"),
	UINT("report.max_conversations", report.max_conversations, 16,
	     4 * MILLION, 32768,
	     "HTML report: conversations the manager keeps (~1.1 KB each)"),
	UINT_RELOAD("report.bars_per_lane", report.bars_per_lane, 1, 64, 16,
	     "HTML report: flows drawn as bars per lane, longest first"),

	/* live appliance (live.c, capture/source_dpdk.c) */
	STRINGS("dpdk.ports", dpdk.ports,
		"ports: PCI addresses or vdevs (net_pcap0,rx_pcap=F)"),
	STRINGS("dpdk.eal", dpdk.eal, "extra EAL arguments"),
	STRINGS("dpdk.inner_dispatch_ports", dpdk.inner_dispatch_ports,
		"ports (as in dpdk.ports) carrying encapsulated mirror traffic: "
		"one queue, spread over workers by the inner address pair"),
	TEXT("dpdk.lcores", dpdk.lcores, "",
	     "EAL --lcores (main first); empty: derived from dpdk.workers"),
	UINT("dpdk.workers", dpdk.workers, 1, 64, 1,
	     "worker lcores (one RX queue per port each)"),
	UINT("dpdk.rx_descriptors", dpdk.rx_descriptors, 64, 16384, 1024,
	     "descriptors per RX queue"),
	UINT("dpdk.mbufs", dpdk.mbufs, 1023, 16 * MILLION, 65535,
	     "packet buffers in the mempool"),
	UINT("dpdk.mbuf_cache", dpdk.mbuf_cache, 0, 512, 256,
	     "mempool cache per lcore"),
	UINT("dpdk.burst", dpdk.burst, 1, 512, 32, "packets per rx burst"),
	UINT("dpdk.dispatch_ring", dpdk.dispatch_ring, 64, MILLION, 4096,
	     "packets queued from the first worker to each other worker"),
	UINT("dpdk.idle_sleep_us", dpdk.idle_sleep_us, 0, 100000, 0,
	     "microseconds a worker naps after 1024 empty polls; 0: spin"),
	BOOL("dpdk.promiscuous", dpdk.promiscuous, 1,
	     "put ports in promiscuous mode"),
	BOOL("dpdk.pcap_timestamps", dpdk.pcap_timestamps, 1,
	     "net_pcap files: packet time from the file, not the TSC"),
	BOOL("dpdk.replay_finish", dpdk.replay_finish, 1,
	     "net_pcap files: end of file ends the input like offline"),

	PATH("control.socket", control.socket, "/run/tunnelwatch/ctl.sock",
	     "control socket path"),
	TEXT("control.group", control.group, "",
	     "group owning the socket (mode 0660); empty: ours"),
	UINT("control.max_clients", control.max_clients, 1, 65536, 64,
	     "control clients connected at once"),
	UINT("control.max_line", control.max_line, 64, 1048576, 4096,
	     "bytes of one command line"),
	UINT("control.idle_timeout_s", control.idle_timeout_s, 1, 86400, 30,
	     "seconds a client may stay silent, or not read its answer"),
	UINT("control.max_answer", control.max_answer, 65536, 1u << 30,
	     64u << 20, "bytes of one answer to one client"),
	UINT("control.findings_kept", control.findings_kept, 1, MILLION, 1024,
	     "latest findings kept for `findings`"),
	UINT("control.flows_listed", control.flows_listed, 1, 65536, 256,
	     "open flows listed per worker by `flows` and `host`"),
	TEXT("log.format", log.format, "text",
	     "log lines on stderr: \"text\" or \"json\" (journald fields "
	     "under systemd)"),
	TEXT("log.level", log.level, "notice",
	     "least important message logged: err, warning, notice, info, "
	     "debug; --log-level overrides"),
	TEXT("metrics.listen", metrics.listen, "",
	     "HTTP metrics listener (live): \"PORT\" (127.0.0.1) or "
	     "\"ADDR:PORT\"; empty: off"),
};

const size_t cfg_n_keys = sizeof(cfg_keys) / sizeof(cfg_keys[0]);

void config_copy_reloadable(struct tw_config *dst, const struct tw_config *src)
{
	for (size_t i = 0; i < cfg_n_keys; i++)
		if (cfg_keys[i].reloadable)
			memcpy(cfg_field(dst, &cfg_keys[i]),
			       cfg_cfield(src, &cfg_keys[i]), cfg_keys[i].size);
	/* what config_load read from a reloadable key's file */
	dst->suppress = src->suppress;
}
