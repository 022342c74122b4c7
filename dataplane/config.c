/* libconfig file -> struct tw_config. One table row per key (name, type,
 * place in the struct, bounds, default, meaning), as redis' static_configs[]:
 * defaults, loading, validation and printing all walk the same table, so a
 * key cannot exist in one and be missing from another. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libconfig.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef TW_PATTERNS_DIR
#define TW_PATTERNS_DIR "patterns"
#endif

#define NS_PER_S 1000000000ULL
#define KEY_NAME_MAX 96

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
};

struct cfg_key {
	const char *name;      /* "section.key" as written in the file */
	enum cfg_type type;
	size_t offset;         /* into struct tw_config */
	double min, max;       /* durations in seconds; unused for text */
	double def;            /* numbers, bools, durations (seconds) */
	const char *def_text;  /* paths */
	const char *help;
};

/* offsetof that refuses to compile when the field's size does not match the
 * row's type, so a table typo cannot write past a field. */
#define FIELD(f, size)                                                    \
	(offsetof(struct tw_config, f) +                                  \
	 0 * sizeof(char[sizeof(((struct tw_config *)0)->f) == (size) ? 1 : -1]))

#define UINT(n, f, lo, hi, d, h) \
	{ n, CFG_UINT, FIELD(f, sizeof(uint32_t)), lo, hi, d, NULL, h }
#define DURATION(n, f, lo, hi, d, h) \
	{ n, CFG_DURATION, FIELD(f, sizeof(uint64_t)), lo, hi, d, NULL, h }
#define FLOAT(n, f, lo, hi, d, h) \
	{ n, CFG_FLOAT, FIELD(f, sizeof(double)), lo, hi, d, NULL, h }
#define BOOL(n, f, d, h) \
	{ n, CFG_BOOL, FIELD(f, sizeof(bool)), 0, 1, d, NULL, h }
#define PATH(n, f, d, h) \
	{ n, CFG_PATH, FIELD(f, TW_PATH_MAX), 0, 0, 0, d, h }
#define PREFIXES(n, f, h) \
	{ n, CFG_PREFIXES, FIELD(f, sizeof(struct prefix_list)), 0, 0, 0, NULL, h }

#define TEXT(n, f, d, h) \
	{ n, CFG_TEXT, FIELD(f, TW_TEXT_MAX), 0, 0, 0, d, h }
#define STRINGS(n, f, h) \
	{ n, CFG_STRINGS, FIELD(f, sizeof(struct string_list)), 0, 0, 0, NULL, h }

#define PORTS(n, f, d, h) \
	{ n, CFG_PORTS, FIELD(f, sizeof(struct port_list)), 1, 65535, 0, d, h }

#define DAY (24 * 3600.0)
#define MILLION 1000000.0

static const struct cfg_key cfg_keys[] = {
	UINT("engine.workers", engine.workers, 1, 64, 1,
	     "offline worker threads"),
	UINT("engine.ring_bytes", engine.ring_bytes, 65536, 1073741824.0,
	     4194304, "bytes of the reader -> worker packet ring"),
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
	DURATION("flow.tcp_idle_timeout", flow.tcp_idle_ns, 1, 7 * DAY, 3600,
		 "seconds an established TCP flow may stay silent"),
	DURATION("flow.tcp_handshake_timeout", flow.tcp_handshake_ns, 1, 3600,
		 30, "seconds a SYN may wait for its answer"),
	DURATION("flow.tcp_closed_timeout", flow.tcp_closed_ns, 0, 3600, 10,
		 "seconds a flow is kept after FIN both ways or RST"),
	DURATION("flow.udp_idle_timeout", flow.udp_idle_ns, 1, DAY, 120,
		 "seconds a UDP flow may stay silent"),
	DURATION("flow.other_idle_timeout", flow.other_idle_ns, 1, DAY, 60,
		 "seconds an ICMP or other flow may stay silent"),
	DURATION("flow.sweep_interval", flow.sweep_interval_ns, 0.001, 60, 1,
		 "seconds between sweeps for idle flows"),

	PATH("scan.patterns_dir", scan.patterns_dir, TW_PATTERNS_DIR,
	     "directory of the *.hs pattern files"),
	BOOL("scan.cache", scan.cache, 1,
	     "keep compiled pattern databases between starts"),
	PATH("scan.cache_dir", scan.cache_dir, "",
	     "where; empty: $XDG_CACHE_HOME/tunnelwatch or ~/.cache/tunnelwatch"),
	UINT("scan.max_streams", scan.max_streams, 16, 16 * MILLION, 65536,
	     "open Hyperscan streams per worker"),

	PREFIXES("hosts.home_net", hosts.home_net,
		 "inside networks; empty: the originator is the host"),
	UINT("hosts.max_hosts", hosts.max_hosts, 16, 16 * MILLION, 16384,
	     "hosts with a verdict kept by the manager"),
	UINT("hosts.max_findings_per_host", hosts.max_findings_per_host, 1,
	     1024, 8, "distinct findings kept per host"),
	UINT("hosts.suspicious_score", hosts.suspicious_score, 1, 100, 40,
	     "score (0-100) from which a host is suspicious"),
	UINT("hosts.alert_score", hosts.alert_score, 1, 100, 70,
	     "score (0-100) from which a host raises an alert"),

	BOOL("flowtiming.enabled", flowtiming.enabled, 1,
	     "run the long-lived and beacon analyzer"),
	DURATION("flowtiming.long_lived_min_duration",
		 flowtiming.long_lived_min_ns, 1, 30 * DAY, 600,
		 "seconds after which a flow is long-lived"),
	FLOAT("flowtiming.long_lived_max_rate", flowtiming.long_lived_max_bps,
	      0, 1e9, 512, "average bytes/s under which it is low-byte"),
	UINT("flowtiming.beacon_min_events", flowtiming.beacon_min_events, 3,
	     4096, 8, "intervals needed before a beacon is scored"),
	DURATION("flowtiming.beacon_min_span", flowtiming.beacon_min_span_ns,
		 1, 30 * DAY, 60, "seconds from first to last event"),
	FLOAT("flowtiming.beacon_min_score", flowtiming.beacon_min_score, 0, 1,
	      0.8, "beacon score (0-1) from which it is reported"),
	FLOAT("flowtiming.beacon_strong_score", flowtiming.beacon_strong_score,
	      0, 1, 0.9, "beacon score (0-1) from which it is medium"),
	UINT("flowtiming.beacon_max_pairs", flowtiming.beacon_max_pairs, 16,
	     16 * MILLION, 65536, "host pairs tracked for beacons per worker"),

	/* covert channels: analyzers/icmp.c, dns_tunnel.c, tunnel_service.c */
	BOOL("icmp.enabled", icmp.enabled, 1, "run the ICMP tunnel analyzer"),
	UINT("icmp.min_odd_echoes", icmp.min_odd_echoes, 1, MILLION, 3,
	     "echo payloads of no ping pattern, varying, before a finding"),
	UINT("icmp.min_mismatches", icmp.min_mismatches, 1, MILLION, 2,
	     "echo replies unlike their request before a finding"),
	UINT("icmp.high_bytes", icmp.high_bytes, 1, 1e9, 16384,
	     "non-ping payload bytes of one flow from which it is high"),
	FLOAT("icmp.high_entropy", icmp.high_entropy, 0, 1, 0.85,
	      "payload entropy, share of its maximum, called encrypted"),

	BOOL("dns.enabled", dns.enabled, 1, "run the DNS tunnel analyzer"),
	UINT("dns.max_domains", dns.max_domains, 16, 16 * MILLION, 16384,
	     "(client, server, registered domain) entries per worker"),
	UINT("dns.suffix_cache", dns.suffix_cache, 16, 16 * MILLION, 4096,
	     "registered-domain lookups cached per worker"),
	UINT("dns.long_label", dns.long_label, 16, 63, 40,
	     "label length that alone makes a name suspect"),
	UINT("dns.encoded_min_label", dns.encoded_min_label, 4, 63, 12,
	     "shortest label judged as base32/base64/hex"),
	UINT("dns.min_encoded_names", dns.min_encoded_names, 1, MILLION, 3,
	     "encoded names under one domain for a finding"),
	UINT("dns.min_unique_names", dns.min_unique_names, 2, MILLION, 100,
	     "distinct names under one domain for a finding"),
	UINT("dns.high_names", dns.high_names, 2, MILLION, 50,
	     "tunnel-like names under one domain from which it is high"),
	UINT("dns.large_answer", dns.large_answer, 64, 65535, 512,
	     "DNS message bytes that count as a large answer"),
	UINT("dns.high_bytes", dns.high_bytes, 1, 1e9, 65536,
	     "DNS bytes under one domain from which a tunnel is high"),

	/* mining: analyzers/stratum.c, analyzers/pool_names.c */
	BOOL("mining.enabled", mining.enabled, 1,
	     "run the mining analyzers (stratum, pool names)"),
	BOOL("mining.redact_wallets", mining.redact_wallets, 1,
	     "shorten wallet addresses in reported miner logins"),
	PATH("mining.pools_file", mining.pools_file, "",
	     "mining pool domain list; empty: pools.txt in scan.patterns_dir"),
	UINT("mining.max_pool_names", mining.max_pool_names, 1, MILLION, 16384,
	     "names loaded from mining.pools_file"),
	DURATION("mining.tls_min_duration", mining.tls_min_duration_ns, 1,
		 30 * DAY, 120,
		 "seconds a pool-named TLS flow needs before its rhythm counts"),
	UINT("mining.tls_min_pushes", mining.tls_min_pushes, 2, MILLION, 4,
	     "server pushes (new jobs) a pool-named TLS flow needs for high"),
	FLOAT("mining.tls_max_client_bytes", mining.tls_max_client_bytes, 64,
	      65536, 600, "largest average client message that is a share"),
	DURATION("mining.link_min_ttl", mining.link_min_ttl_ns, 0, 30 * DAY,
		 600, "seconds a pool's resolved address ties a later connection "
		 "to its name, at least (longer when the answer's TTL is)"),
	UINT("mining.max_sessions", mining.max_sessions, 16, 16 * MILLION,
	     4096, "flows parsed as possible mining JSON-RPC at once, per worker"),
	UINT("mining.scan_window", mining.scan_window, 64, 1048576, 2048,
	     "payload bytes of a flow without a stratum.hs candidate after "
	     "which it is not parsed further"),
	UINT("mining.hello_buffers", mining.hello_buffers, 0, MILLION, 256,
	     "TLS ClientHellos split over segments collected at once, per "
	     "worker (4 KB each)"),

	BOOL("tunnel.enabled", tunnel.enabled, 1,
	     "run the reverse-tunnel service analyzer"),
	PATH("tunnel.names_file", tunnel.names_file, "",
	     "service domain list; empty: services.txt in scan.patterns_dir"),
	UINT("tunnel.max_names", tunnel.max_names, 1, MILLION, 4096,
	     "names loaded from tunnel.names_file"),

	/* ssh: analyzers/ssh.c */
	BOOL("ssh.enabled", ssh.enabled, 1, "run the SSH analyzer"),
	PORTS("ssh.ports", ssh.ports, "22",
	      "ports where SSH is expected; elsewhere: ssh.nonstandard_port"),
	PORTS("ssh.evasive_ports", ssh.evasive_ports, "21,25,53,80,110,143,443,993,995,8000,8080,8443",
	      "ports most firewalls pass: SSH there is high severity"),
	PREFIXES("ssh.allowed_clients", ssh.allowed_clients,
		 "hosts allowed to open SSH; empty: not checked"),
	PREFIXES("ssh.allowed_servers", ssh.allowed_servers,
		 "SSH servers allowed; empty: not checked"),
	UINT("ssh.max_sessions", ssh.max_sessions, 1, 16 * MILLION, 16384,
	     "SSH flows watched at once per worker"),
	UINT("ssh.max_handshakes", ssh.max_handshakes, 1, MILLION, 1024,
	     "SSH handshakes parsed at once per worker (KEXINIT buffers)"),
	UINT("ssh.kexinit_max_bytes", ssh.kexinit_max_bytes, 256, 16384, 4096,
	     "largest KEXINIT message parsed"),
	UINT("ssh.keystroke_max_bytes", ssh.keystroke_max_bytes, 16, 1500, 160,
	     "largest encrypted packet taken for a keystroke"),
	DURATION("ssh.echo_max_delay", ssh.echo_max_ns, 0.001, 10, 0.5,
		 "seconds from a keystroke to its echo"),
	UINT("ssh.reverse_min_keystrokes", ssh.reverse_min_keystrokes, 1,
	     MILLION, 12, "server-side keystrokes for ssh.reverse_session"),
	UINT("ssh.keepalive_min_events", ssh.keepalive_min_events, 3, 1000, 8,
	     "regular keepalives for ssh.keepalive_tunnel"),
	DURATION("ssh.keepalive_min_interval", ssh.keepalive_min_interval_ns,
		 0.1, DAY, 2, "shortest keepalive period considered"),
	FLOAT("ssh.keepalive_max_jitter", ssh.keepalive_max_jitter, 0, 1, 0.1,
	      "keepalive interval spread (max-min) over its median"),

	PATH("output.eve_path", output.eve_path, "",
	     "EVE JSON event log; empty: none"),

	/* live appliance (live.c, capture/source_dpdk.c) */
	STRINGS("dpdk.ports", dpdk.ports,
		"ports: PCI addresses or vdevs (net_pcap0,rx_pcap=F)"),
	STRINGS("dpdk.eal", dpdk.eal, "extra EAL arguments"),
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
	UINT("control.findings_kept", control.findings_kept, 1, MILLION, 1024,
	     "latest findings kept for `findings`"),
	UINT("control.flows_listed", control.flows_listed, 1, 65536, 256,
	     "open flows listed per worker by `flows` and `host`"),
};

#define N_KEYS (sizeof(cfg_keys) / sizeof(cfg_keys[0]))

/* Where a message points: file and line of a setting. */
struct cfg_where {
	const char *file;
	int line;
};

static void *field_of(struct tw_config *cfg, const struct cfg_key *k)
{
	return (char *)cfg + k->offset;
}

static const void *cfield_of(const struct tw_config *cfg,
			     const struct cfg_key *k)
{
	return (const char *)cfg + k->offset;
}

static size_t section_len(const char *name)
{
	const char *dot = strchr(name, '.');

	return dot ? (size_t)(dot - name) : strlen(name);
}

static bool section_known(const char *section)
{
	size_t len = strlen(section);

	for (size_t i = 0; i < N_KEYS; i++)
		if (section_len(cfg_keys[i].name) == len &&
		    strncmp(cfg_keys[i].name, section, len) == 0)
			return true;
	return false;
}

static const struct cfg_key *key_find(const char *name)
{
	for (size_t i = 0; i < N_KEYS; i++)
		if (strcmp(cfg_keys[i].name, name) == 0)
			return &cfg_keys[i];
	return NULL;
}

static struct cfg_where where_of(const config_setting_t *s, const char *path)
{
	const char *file = config_setting_source_file(s);

	return (struct cfg_where){ file ? file : path,
				   config_setting_source_line(s) };
}

__attribute__((format(printf, 4, 5)))
static int fail(char *err, unsigned errlen, struct cfg_where w,
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

/* ---- prefixes ---- */

static const uint8_t v4_mapped_head[12] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
};

static void addr_mask(struct ip_addr *a, unsigned len)
{
	for (unsigned i = 0; i < 16; i++) {
		unsigned bits = len > i * 8 ? len - i * 8 : 0;

		if (bits < 8)
			a->b[i] &= (uint8_t)(0xff00 >> bits);
	}
}

/* Digits only, no sign or spaces: inet_pton is as strict for the address. */
static int prefix_len_parse(const char *s, unsigned max, unsigned *len)
{
	unsigned v = 0;

	if (*s == '\0' || strlen(s) > 3)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (unsigned)(*s - '0');
	}
	if (v > max)
		return -1;
	*len = v;
	return 0;
}

int ip_prefix_parse(const char *s, struct ip_prefix *p)
{
	char text[INET6_ADDRSTRLEN + 8];
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	struct ip_addr a;
	unsigned len;
	uint8_t v4[4];

	if (alen == 0 || alen >= INET6_ADDRSTRLEN)
		return -1;
	memcpy(text, s, alen);
	text[alen] = '\0';

	memset(&a, 0, sizeof(a));
	if (inet_pton(AF_INET, text, v4) == 1) {
		memcpy(a.b, v4_mapped_head, sizeof(v4_mapped_head));
		memcpy(a.b + 12, v4, sizeof(v4));
		len = 32;
		if (slash && prefix_len_parse(slash + 1, 32, &len) < 0)
			return -1;
		len += 96;
	} else if (inet_pton(AF_INET6, text, a.b) == 1) {
		len = 128;
		if (slash && prefix_len_parse(slash + 1, 128, &len) < 0)
			return -1;
	} else {
		return -1;
	}
	/* "10.1.2.3/8" means 10.0.0.0/8: keep the network, drop host bits. */
	addr_mask(&a, len);
	p->addr = a;
	p->len = (uint8_t)len;
	return 0;
}

static bool prefix_match(const struct ip_prefix *p, const struct ip_addr *a)
{
	unsigned full = p->len / 8, rest = p->len % 8;
	uint8_t mask;

	if (memcmp(p->addr.b, a->b, full) != 0)
		return false;
	if (rest == 0)
		return true;
	mask = (uint8_t)(0xff00 >> rest);
	return (a->b[full] & mask) == p->addr.b[full];
}

bool prefix_list_contains(const struct prefix_list *l, const struct ip_addr *a)
{
	for (unsigned i = 0; i < l->n; i++)
		if (prefix_match(&l->p[i], a))
			return true;
	return false;
}

/* ---- ports ---- */

bool port_list_contains(const struct port_list *l, uint16_t port)
{
	for (unsigned i = 0; i < l->n; i++)
		if (l->p[i] == port)
			return true;
	return false;
}

/* A built-in default such as "22" or "53,80,443". */
static void ports_from_text(struct port_list *l, const char *text)
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

static int text_copy(char *dst, size_t dstlen, const char *src)
{
	size_t n = strlen(src);

	if (n >= dstlen)
		return -1;
	memcpy(dst, src, n + 1);
	return 0;
}

/* The canonical directory of the config file: canonical so that leading
 * "../" of a value can be applied by dropping components. */
static void config_dir(const char *cfg_file, char *dir, size_t dirlen)
{
	char raw[PATH_MAX];
	char *slash, *canon;

	if (text_copy(raw, sizeof(raw), cfg_file) < 0)
		raw[0] = '\0';
	slash = strrchr(raw, '/');
	if (!slash)
		strcpy(raw, ".");
	else if (slash == raw)
		raw[1] = '\0';
	else
		*slash = '\0';

	canon = realpath(raw, NULL);
	if (!canon || text_copy(dir, dirlen, canon) < 0)
		text_copy(dir, dirlen, raw);
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
		return text_copy(out, outlen, value);

	config_dir(cfg_file, dir, sizeof(dir));
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
		return text_copy(out, outlen, dir);
	n = snprintf(out, outlen, "%s%s%s", dir,
		     dir[strlen(dir) - 1] == '/' ? "" : "/", value);
	return n >= 0 && (size_t)n < outlen ? 0 : -1;
}

/* ---- one setting ---- */

struct load_ctx {
	const char *path;   /* the config file as given */
	char *err;
	unsigned errlen;
};

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
		return fail(c->err, c->errlen, w,
			    "%s: %lld out of range [%.15g, %.15g]", k->name,
			    config_setting_get_int64(s), k->min, k->max);
	return fail(c->err, c->errlen, w, "%s: %g out of range [%.15g, %.15g]",
		    k->name, number_of(s), k->min, k->max);
}

static int apply_uint(const struct load_ctx *c, const struct cfg_key *k,
		      const config_setting_t *s, struct tw_config *cfg)
{
	struct cfg_where w = where_of(s, c->path);
	long long v;

	if (!is_integer(s))
		return fail(c->err, c->errlen, w, "%s: expected an integer",
			    k->name);
	v = config_setting_get_int64(s);
	if ((double)v < k->min || (double)v > k->max)
		return range_fail(c, w, k, s);
	*(uint32_t *)field_of(cfg, k) = (uint32_t)v;
	return 0;
}

static int apply_duration(const struct load_ctx *c, const struct cfg_key *k,
			  const config_setting_t *s, struct tw_config *cfg)
{
	struct cfg_where w = where_of(s, c->path);
	uint64_t *ns = field_of(cfg, k);
	double v;

	if (!is_number(s))
		return fail(c->err, c->errlen, w,
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
	struct cfg_where w = where_of(s, c->path);
	double v;

	if (!is_number(s))
		return fail(c->err, c->errlen, w, "%s: expected a number",
			    k->name);
	v = number_of(s);
	if (!(v >= k->min && v <= k->max))
		return range_fail(c, w, k, s);
	*(double *)field_of(cfg, k) = v;
	return 0;
}

static int apply_bool(const struct load_ctx *c, const struct cfg_key *k,
		      const config_setting_t *s, struct tw_config *cfg)
{
	if (config_setting_type(s) != CONFIG_TYPE_BOOL)
		return fail(c->err, c->errlen, where_of(s, c->path),
			    "%s: expected true or false", k->name);
	*(bool *)field_of(cfg, k) = config_setting_get_bool(s) != 0;
	return 0;
}

static int apply_path(const struct load_ctx *c, const struct cfg_key *k,
		      const config_setting_t *s, struct tw_config *cfg)
{
	struct cfg_where w = where_of(s, c->path);

	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return fail(c->err, c->errlen, w, "%s: expected a string",
			    k->name);
	if (path_resolve(config_setting_get_string(s), w.file,
			 field_of(cfg, k), TW_PATH_MAX) < 0)
		return fail(c->err, c->errlen, w,
			    "%s: path too long (at most %d bytes)", k->name,
			    TW_PATH_MAX - 1);
	return 0;
}

static int apply_prefixes(const struct load_ctx *c, const struct cfg_key *k,
			  const config_setting_t *s, struct tw_config *cfg)
{
	struct cfg_where w = where_of(s, c->path);
	struct prefix_list *l = field_of(cfg, k);
	int t = config_setting_type(s);
	int n;

	if (t != CONFIG_TYPE_ARRAY && t != CONFIG_TYPE_LIST)
		return fail(c->err, c->errlen, w,
			    "%s: expected a list of prefix strings", k->name);
	n = config_setting_length(s);
	if (n > TW_MAX_PREFIXES)
		return fail(c->err, c->errlen, w,
			    "%s: %d prefixes, at most %d", k->name, n,
			    TW_MAX_PREFIXES);
	l->n = 0;
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, i);
		struct cfg_where ew = where_of(e, c->path);
		const char *text;

		if (ew.line <= 0)
			ew = w;
		if (config_setting_type(e) != CONFIG_TYPE_STRING)
			return fail(c->err, c->errlen, ew,
				    "%s: expected a list of prefix strings",
				    k->name);
		text = config_setting_get_string(e);
		if (ip_prefix_parse(text, &l->p[l->n]) < 0)
			return fail(c->err, c->errlen, ew,
				    "%s: bad prefix '%s'", k->name, text);
		l->n++;
	}
	return 0;
}

static int apply_text(const struct load_ctx *c, const struct cfg_key *k,
		      const config_setting_t *s, struct tw_config *cfg)
{
	struct cfg_where w = where_of(s, c->path);

	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return fail(c->err, c->errlen, w, "%s: expected a string",
			    k->name);
	if (text_copy(field_of(cfg, k), TW_TEXT_MAX,
		      config_setting_get_string(s)) < 0)
		return fail(c->err, c->errlen, w,
			    "%s: too long (at most %d bytes)", k->name,
			    TW_TEXT_MAX - 1);
	return 0;
}

static int apply_strings(const struct load_ctx *c, const struct cfg_key *k,
			 const config_setting_t *s, struct tw_config *cfg)
{
	struct cfg_where w = where_of(s, c->path);
	struct string_list *l = field_of(cfg, k);
	int t = config_setting_type(s);
	int n;

	if (t != CONFIG_TYPE_ARRAY && t != CONFIG_TYPE_LIST)
		return fail(c->err, c->errlen, w,
			    "%s: expected a list of strings", k->name);
	n = config_setting_length(s);
	if (n > TW_STRINGS_MAX)
		return fail(c->err, c->errlen, w, "%s: %d strings, at most %d",
			    k->name, n, TW_STRINGS_MAX);
	l->n = 0;
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, i);

		if (config_setting_type(e) != CONFIG_TYPE_STRING)
			return fail(c->err, c->errlen, w,
				    "%s: expected a list of strings", k->name);
		if (text_copy(l->s[l->n], TW_STRING_LEN,
			      config_setting_get_string(e)) < 0)
			return fail(c->err, c->errlen, w,
				    "%s: string %d too long (at most %d bytes)",
				    k->name, i + 1, TW_STRING_LEN - 1);
		l->n++;
	}
	return 0;
}

static int apply_ports(const struct load_ctx *c, const struct cfg_key *k,
		       const config_setting_t *s, struct tw_config *cfg)
{
	struct cfg_where w = where_of(s, c->path);
	struct port_list *l = field_of(cfg, k);
	int t = config_setting_type(s);
	int n;

	if (t != CONFIG_TYPE_ARRAY && t != CONFIG_TYPE_LIST)
		return fail(c->err, c->errlen, w,
			    "%s: expected a list of ports", k->name);
	n = config_setting_length(s);
	if (n > TW_MAX_PORTS)
		return fail(c->err, c->errlen, w, "%s: %d ports, at most %d",
			    k->name, n, TW_MAX_PORTS);
	l->n = 0;
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, i);
		long long v;

		if (!is_integer(e))
			return fail(c->err, c->errlen, w,
				    "%s: expected a list of ports", k->name);
		v = config_setting_get_int64(e);
		if (v < 1 || v > 65535)
			return fail(c->err, c->errlen, w,
				    "%s: port %lld out of range [1, 65535]",
				    k->name, v);
		l->p[l->n++] = (uint16_t)v;
	}
	return 0;
}

static int apply_key(const struct load_ctx *c, const struct cfg_key *k,
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
	}
	return -1;
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
			return fail(c->err, c->errlen, where_of(s, c->path),
				    "%s.%s: unknown setting", section,
				    config_setting_name(s));
		if (apply_key(c, k, s, cfg) < 0)
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
			return fail(c->err, c->errlen, where_of(s, c->path),
				    "%s: unknown setting", name);
		if (config_setting_type(s) != CONFIG_TYPE_GROUP)
			return fail(c->err, c->errlen, where_of(s, c->path),
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

	return s ? where_of(s, path) : (struct cfg_where){ path, 0 };
}

static int cross_check(const struct load_ctx *c, const config_t *lc,
		       const struct tw_config *cfg)
{
	if (cfg->hosts.alert_score <= cfg->hosts.suspicious_score)
		return fail(c->err, c->errlen,
			    where_key(lc, "hosts.alert_score", c->path),
			    "hosts.alert_score: %u must be greater than "
			    "hosts.suspicious_score (%u)",
			    cfg->hosts.alert_score,
			    cfg->hosts.suspicious_score);
	if (cfg->flowtiming.beacon_strong_score <
	    cfg->flowtiming.beacon_min_score)
		return fail(c->err, c->errlen,
			    where_key(lc, "flowtiming.beacon_strong_score",
				      c->path),
			    "flowtiming.beacon_strong_score: %g must be at "
			    "least flowtiming.beacon_min_score (%g)",
			    cfg->flowtiming.beacon_strong_score,
			    cfg->flowtiming.beacon_min_score);
	return 0;
}

static int read_file(const struct load_ctx *c, config_t *lc)
{
	char dir[PATH_MAX];
	int saved;

	/* @include "x.cfg" is found beside the file, not in the cwd. */
	config_dir(c->path, dir, sizeof(dir));
	config_set_include_dir(lc, dir);
	if (config_read_file(lc, c->path) == CONFIG_TRUE)
		return 0;
	saved = errno;
	if (config_error_type(lc) == CONFIG_ERR_FILE_IO)
		return fail(c->err, c->errlen, (struct cfg_where){ c->path, 0 },
			    "cannot read: %s", strerror(saved));
	return fail(c->err, c->errlen,
		    (struct cfg_where){ config_error_file(lc)
					? config_error_file(lc) : c->path,
					config_error_line(lc) },
		    "syntax error: %s", config_error_text(lc));
}

void config_defaults(struct tw_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	for (size_t i = 0; i < N_KEYS; i++) {
		const struct cfg_key *k = &cfg_keys[i];
		void *f = field_of(cfg, k);

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
			snprintf(f, TW_PATH_MAX, "%s", k->def_text);
			break;
		case CFG_TEXT:
			snprintf(f, TW_TEXT_MAX, "%s", k->def_text);
			break;
		case CFG_PREFIXES:
		case CFG_STRINGS:
			break;  /* empty list */
		case CFG_PORTS:
			ports_from_text(f, k->def_text);
			break;
		}
	}
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
	if (text_copy(tmp.path, sizeof(tmp.path), path) < 0)
		return fail(err, errlen, (struct cfg_where){ path, 0 },
			    "file name too long (at most %d bytes)",
			    TW_PATH_MAX - 1);

	config_init(&lc);
	rc = read_file(&c, &lc);
	if (rc == 0)
		rc = apply_root(&c, config_root_setting(&lc), &tmp);
	if (rc == 0)
		rc = cross_check(&c, &lc, &tmp);
	config_destroy(&lc);
	if (rc == 0)
		*cfg = tmp;
	return rc;
}

/* ---- printing, in the file's own syntax so that it loads back ---- */

static void print_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

/* Shortest text that reads back as the same double. */
static void print_double(FILE *out, double v)
{
	char buf[40];

	snprintf(buf, sizeof(buf), "%g", v);
	if (strtod(buf, NULL) != v)
		snprintf(buf, sizeof(buf), "%.17g", v);
	if (!strpbrk(buf, ".eEni"))
		strcat(buf, ".0");
	fputs(buf, out);
}

static void print_duration(FILE *out, uint64_t ns)
{
	if (ns % NS_PER_S == 0)
		fprintf(out, "%llu", (unsigned long long)(ns / NS_PER_S));
	else
		fprintf(out, "%llu.%09llu", (unsigned long long)(ns / NS_PER_S),
			(unsigned long long)(ns % NS_PER_S));
}

static void print_prefix(FILE *out, const struct ip_prefix *p)
{
	char text[INET6_ADDRSTRLEN];

	if (p->len >= 96 && memcmp(p->addr.b, v4_mapped_head, 12) == 0) {
		inet_ntop(AF_INET, p->addr.b + 12, text, sizeof(text));
		fprintf(out, "\"%s/%u\"", text, p->len - 96u);
	} else {
		inet_ntop(AF_INET6, p->addr.b, text, sizeof(text));
		fprintf(out, "\"%s/%u\"", text, p->len);
	}
}

static void print_value(FILE *out, const struct tw_config *cfg,
			const struct cfg_key *k)
{
	const void *f = cfield_of(cfg, k);
	const struct prefix_list *l = f;
	const struct string_list *sl = f;

	switch (k->type) {
	case CFG_UINT:
		fprintf(out, "%u", *(const uint32_t *)f);
		break;
	case CFG_DURATION:
		print_duration(out, *(const uint64_t *)f);
		break;
	case CFG_FLOAT:
		print_double(out, *(const double *)f);
		break;
	case CFG_BOOL:
		fputs(*(const bool *)f ? "true" : "false", out);
		break;
	case CFG_PATH:
		print_string(out, f);
		break;
	case CFG_PREFIXES:
		fputc('[', out);
		for (unsigned i = 0; i < l->n; i++) {
			fputs(i ? ", " : " ", out);
			print_prefix(out, &l->p[i]);
		}
		fputs(l->n ? " ]" : "]", out);
		break;
	case CFG_TEXT:
		print_string(out, f);
		break;
	case CFG_STRINGS:
		fputc('[', out);
		for (unsigned i = 0; i < sl->n; i++) {
			fputs(i ? ", " : " ", out);
			print_string(out, sl->s[i]);
		}
		fputs(sl->n ? " ]" : "]", out);
		break;
	case CFG_PORTS:
		fputc('[', out);
		for (unsigned i = 0; i < ((const struct port_list *)f)->n; i++)
			fprintf(out, "%s%u", i ? ", " : " ",
				((const struct port_list *)f)->p[i]);
		fputs(((const struct port_list *)f)->n ? " ]" : "]", out);
		break;
	}
}

int config_print(const struct tw_config *cfg, FILE *out)
{
	const char *section = NULL;
	size_t slen = 0;

	fprintf(out, "# tunnelwatch configuration from %s\n",
		cfg->path[0] ? cfg->path : "built-in defaults");
	for (size_t i = 0; i < N_KEYS; i++) {
		const struct cfg_key *k = &cfg_keys[i];
		size_t len = section_len(k->name);

		if (!section || len != slen ||
		    strncmp(section, k->name, len) != 0) {
			if (section)
				fputs("};\n", out);
			section = k->name;
			slen = len;
			fprintf(out, "%.*s = {\n", (int)len, k->name);
		}
		fprintf(out, "\t%s = ", k->name + len + 1);
		print_value(out, cfg, k);
		fprintf(out, ";  # %s\n", k->help);
	}
	if (section)
		fputs("};\n", out);
	return ferror(out) ? -1 : 0;
}
