/* SPDX-License-Identifier: BSD-3-Clause */
/* Application labels. A flow is named by what its bytes say (pattern ids
 * 1-99 of patterns/app.hs), whatever its port; the port only names the
 * few UDP services that carry no pattern worth writing, and a later match
 * still overrides that guess.
 *
 * The label is flow state the other analyzers and the reports read
 * (f->app), so this analyzer keeps no state of its own. */
#include <stddef.h>

#include "analyzers/analyzer.h"
#include "scan/app_id.h"

/* f->app holds a pattern id, or a port-guessed id with this bit set: the
 * bit lets a pattern match replace a guess but never another match. */
#define APP_PORT_GUESS 0x100u

enum {
	APP_SSH = 1,
	APP_TLS_CLIENT_HELLO = 2,
	APP_TLS_SERVER_HELLO = 3,
	APP_TLS_SSLV2_HELLO = 4,
	APP_TLS_RECORD = 5,
	APP_HTTP_REQUEST = 10,
	APP_HTTP_RESPONSE = 11,
	APP_HTTP2_PREFACE = 12,
	APP_JSONRPC = 20,
	APP_XMPP = 21,
	APP_XMPP_STANZA = 23,
	APP_MQTT = 22,
	APP_SMTP_GREETING = 30,
	APP_SMTP_HELLO = 31,
	APP_FTP = 32,
	APP_POP3 = 33,
	APP_IMAP = 34,
	APP_SMB = 40,
	APP_RDP = 41,
	APP_BITCOIN = 50,
	APP_QUIC = 60,
	APP_SSDP = 61,
	APP_GQUIC = 62,
	APP_DNS_QUERY = 63,
	APP_DNS_RESPONSE = 64,
	APP_AVAST = 70,
	/* services datacenters keep open (issue 11) */
	APP_POSTGRESQL = 42,
	APP_MYSQL = 43,
	APP_REDIS = 44,
	APP_MONGODB_MSG = 45,
	APP_MONGODB_QUERY = 46,
	APP_ES_TRANSPORT = 47,
	APP_ES_REST = 48,
	APP_KAFKA = 49,
	APP_AMQP = 51,
	APP_NATS_INFO = 52,
	APP_NATS_CONNECT = 53,
	APP_STOMP = 54,
	APP_ZOOKEEPER = 55,
	APP_SIP_REQUEST = 56,
	APP_SIP_RESPONSE = 57,
	APP_GRPC = 58,
	APP_BITTORRENT = 59,
	APP_STUN = 71,
	APP_RTCP = 72,
	APP_RTP = 73,
	APP_NTP_PACKET = 74,
	APP_SNMP = 75,
	APP_SYSLOG = 76,
	APP_COLLECTD = 77,
	APP_LDAP = 78,
	APP_KERBEROS = 79,
	APP_MODBUS = 80,
	APP_IEC104 = 81,
	APP_DNP3 = 82,
	APP_BITTORRENT_UDP = 83,
	/* port guesses only: no pattern in app.hs */
	APP_DNS = 90,
	APP_MDNS = 91,
	APP_NTP = 92,
	APP_DHCP = 93,
	APP_NETBIOS = 94,
	APP_NAT_PMP = 95,
	APP_LLMNR = 96,
	APP_ICMP = 97,       /* by protocol: the icmp analyzer judges payloads */
};

/* A weak pattern matches bytes that other protocols could start with too:
 * it names the flow only when the ports agree, and only as a guess. */
enum app_weak {
	APP_STRONG = 0,
	APP_WEAK_RTP,     /* UDP, an even port >= 1024 on each side (RFC 3550) */
	APP_WEAK_MODBUS,  /* TCP, port 502 on one side */
};

struct app_entry {
	uint16_t id;
	const char *name;
	bool benign;     /* a known protocol nobody tunnels through by habit */
	bool opaque;     /* past its first bytes the stream is encrypted or a
			  * fixed binary format: no text to scan for */
	uint8_t weak;    /* enum app_weak */
};

/* Indexed by id: analyzers ask for the label per chunk, and a search
 * would cost more than their own check. name NULL: no such id. */
#define APP_INDEX_MAX 128

static const struct app_entry apps[APP_INDEX_MAX] = {
	[APP_SSH] = { APP_SSH, "ssh", false, true },
	[APP_TLS_CLIENT_HELLO] = { APP_TLS_CLIENT_HELLO, "tls", true, true },
	[APP_TLS_SERVER_HELLO] = { APP_TLS_SERVER_HELLO, "tls", true, true },
	[APP_TLS_SSLV2_HELLO] = { APP_TLS_SSLV2_HELLO, "tls", true, true },
	[APP_TLS_RECORD] = { APP_TLS_RECORD, "tls", true, true },
	[APP_HTTP_REQUEST] = { APP_HTTP_REQUEST, "http", true },
	[APP_HTTP_RESPONSE] = { APP_HTTP_RESPONSE, "http", true },
	[APP_HTTP2_PREFACE] = { APP_HTTP2_PREFACE, "http", true },
	[APP_JSONRPC] = { APP_JSONRPC, "jsonrpc", true },
	[APP_XMPP] = { APP_XMPP, "xmpp", true },
	[APP_XMPP_STANZA] = { APP_XMPP_STANZA, "xmpp", true },
	[APP_MQTT] = { APP_MQTT, "mqtt", true },
	[APP_SMTP_GREETING] = { APP_SMTP_GREETING, "smtp", true },
	[APP_SMTP_HELLO] = { APP_SMTP_HELLO, "smtp", true },
	[APP_FTP] = { APP_FTP, "ftp", true },
	[APP_POP3] = { APP_POP3, "pop3", true },
	[APP_IMAP] = { APP_IMAP, "imap", true },
	[APP_SMB] = { APP_SMB, "smb", true },
	[APP_RDP] = { APP_RDP, "rdp", true },
	[APP_BITCOIN] = { APP_BITCOIN, "bitcoin", true },
	[APP_QUIC] = { APP_QUIC, "quic", true, true },
	[APP_SSDP] = { APP_SSDP, "ssdp", true },
	[APP_GQUIC] = { APP_GQUIC, "quic", true, true },
	[APP_DNS_QUERY] = { APP_DNS_QUERY, "dns", true, true },
	[APP_DNS_RESPONSE] = { APP_DNS_RESPONSE, "dns", true, true },
	[APP_AVAST] = { APP_AVAST, "avast", true },
	[APP_DNS] = { APP_DNS, "dns", true },
	[APP_MDNS] = { APP_MDNS, "mdns", true },
	[APP_NTP] = { APP_NTP, "ntp", true },
	[APP_DHCP] = { APP_DHCP, "dhcp", true },
	[APP_NETBIOS] = { APP_NETBIOS, "netbios", true },
	[APP_NAT_PMP] = { APP_NAT_PMP, "nat-pmp", true },
	[APP_LLMNR] = { APP_LLMNR, "llmnr", true },
	[APP_ICMP] = { APP_ICMP, "icmp", true },
	[APP_POSTGRESQL] = { APP_POSTGRESQL, "postgresql", true },
	[APP_MYSQL] = { APP_MYSQL, "mysql", true },
	[APP_REDIS] = { APP_REDIS, "redis", true },
	[APP_MONGODB_MSG] = { APP_MONGODB_MSG, "mongodb", true },
	[APP_MONGODB_QUERY] = { APP_MONGODB_QUERY, "mongodb", true },
	[APP_ES_TRANSPORT] = { APP_ES_TRANSPORT, "elasticsearch", true },
	[APP_ES_REST] = { APP_ES_REST, "elasticsearch", true },
	[APP_KAFKA] = { APP_KAFKA, "kafka", true },
	[APP_AMQP] = { APP_AMQP, "amqp", true },
	[APP_NATS_INFO] = { APP_NATS_INFO, "nats", true },
	[APP_NATS_CONNECT] = { APP_NATS_CONNECT, "nats", true },
	[APP_STOMP] = { APP_STOMP, "stomp", true },
	[APP_ZOOKEEPER] = { APP_ZOOKEEPER, "zookeeper", true },
	[APP_SIP_REQUEST] = { APP_SIP_REQUEST, "sip", true },
	[APP_SIP_RESPONSE] = { APP_SIP_RESPONSE, "sip", true },
	[APP_GRPC] = { APP_GRPC, "grpc", true },
	[APP_BITTORRENT] = { APP_BITTORRENT, "bittorrent", true },
	[APP_STUN] = { APP_STUN, "stun", true },
	[APP_RTCP] = { APP_RTCP, "rtcp", true },
	[APP_RTP] = { APP_RTP, "rtp", true, false, APP_WEAK_RTP },
	[APP_NTP_PACKET] = { APP_NTP_PACKET, "ntp", true },
	[APP_SNMP] = { APP_SNMP, "snmp", true },
	[APP_SYSLOG] = { APP_SYSLOG, "syslog", true },
	[APP_COLLECTD] = { APP_COLLECTD, "collectd", true },
	[APP_LDAP] = { APP_LDAP, "ldap", true },
	[APP_KERBEROS] = { APP_KERBEROS, "kerberos", true },
	[APP_MODBUS] = { APP_MODBUS, "modbus", true, false, APP_WEAK_MODBUS },
	[APP_IEC104] = { APP_IEC104, "iec104", true },
	[APP_DNP3] = { APP_DNP3, "dnp3", true },
	[APP_BITTORRENT_UDP] = { APP_BITTORRENT_UDP, "bittorrent", true },
};

struct port_guess {
	uint16_t port;
	uint16_t app;
};

/* UDP services recognised by port alone. TCP is left to the patterns: an
 * unlabelled TCP stream on a well-known port is exactly what to look at. */
static const struct port_guess udp_ports[] = {
	{ 53, APP_DNS },
	{ 5353, APP_MDNS },
	{ 123, APP_NTP },
	{ 1900, APP_SSDP },
	{ 67, APP_DHCP },
	{ 68, APP_DHCP },
	{ 137, APP_NETBIOS },
	{ 138, APP_NETBIOS },
	{ 5351, APP_NAT_PMP },
	{ 5355, APP_LLMNR },
	{ 161, APP_SNMP },
	{ 162, APP_SNMP },
	{ 514, APP_SYSLOG },
	{ 25826, APP_COLLECTD },
	{ 3478, APP_STUN },
	{ 5060, APP_SIP_REQUEST },
	{ 88, APP_KERBEROS },
};

static const struct app_entry *app_find(uint16_t id)
{
	id &= (uint16_t)~APP_PORT_GUESS;
	return id < APP_INDEX_MAX && apps[id].name ? &apps[id] : NULL;
}

const char *app_name(uint16_t id)
{
	const struct app_entry *e = app_find(id);

	return e ? e->name : NULL;
}

const char *app_label(const struct flow *f)
{
	const char *name = f->app ? app_name(f->app) : NULL;

	if (name)
		return name;
	if (f->side[0].stream.inspected + f->side[1].stream.inspected > 0)
		return "unknown";
	return "none";
}

bool app_is_guess(uint16_t app)
{
	/* ICMP carries the bit too, but its label is the IP protocol itself */
	return (app & APP_PORT_GUESS) != 0 && app_find(app) != NULL &&
	       (app & (uint16_t)~APP_PORT_GUESS) != APP_ICMP;
}

bool app_ends_scan(uint16_t app)
{
	const struct app_entry *e;

	if (!app || (app & APP_PORT_GUESS))
		return false;
	e = app_find(app);
	return e && e->opaque;
}

/* The protocols a tunnel rides in by habit (issue 11): SSH, TLS, QUIC
 * and HTTP carry anything, and a stream no pattern named may be anything.
 * A labelled protocol with a fixed grammar (a broker, a database, SIP,
 * NTP ...) or a port guess is not a tunnel's carrier by its shape alone. */
bool app_carries_tunnels(const struct flow *f)
{
	switch (f->app) {
	case 0:
		return true;
	case APP_SSH:
	case APP_TLS_CLIENT_HELLO:
	case APP_TLS_SERVER_HELLO:
	case APP_TLS_SSLV2_HELLO:
	case APP_TLS_RECORD:
	case APP_HTTP_REQUEST:
	case APP_HTTP_RESPONSE:
	case APP_HTTP2_PREFACE:
	case APP_QUIC:
	case APP_GQUIC:
		return true;
	default:
		return false;
	}
}

/* The responder's port names the service; the originator's is tried too
 * for the protocols whose clients also use a fixed port (DHCP, mDNS). */
static uint16_t guess_udp(const struct flow *f)
{
	size_t n = sizeof(udp_ports) / sizeof(udp_ports[0]);

	for (size_t i = 0; i < n; i++)
		if (udp_ports[i].port == f->resp_port)
			return udp_ports[i].app;
	for (size_t i = 0; i < n; i++)
		if (udp_ports[i].port == f->orig_port)
			return udp_ports[i].app;
	return 0;
}

static void app_on_flow_new(struct an_ctx *c, struct flow *f, void *st)
{
	uint16_t guess;

	(void)c;
	(void)st;
	if (f->proto == TW_PROTO_ICMP || f->proto == TW_PROTO_ICMPV6) {
		f->app = APP_ICMP | APP_PORT_GUESS;
		return;
	}
	if (f->app || f->proto != TW_PROTO_UDP)
		return;
	guess = guess_udp(f);
	if (guess)
		f->app = (uint16_t)(guess | APP_PORT_GUESS);
}

static bool port_even_high(uint16_t port)
{
	return port >= 1024 && (port & 1u) == 0;
}

/* Do the flow's protocol and ports back up a weak pattern's match? */
static bool weak_match_fits(const struct flow *f, uint8_t weak)
{
	switch (weak) {
	case APP_WEAK_RTP:
		return f->proto == TW_PROTO_UDP && port_even_high(f->orig_port) &&
		       port_even_high(f->resp_port);
	case APP_WEAK_MODBUS:
		return f->proto == TW_PROTO_TCP &&
		       (f->resp_port == 502 || f->orig_port == 502);
	default:
		return true;
	}
}

/* First match wins: a stream that started as HTTP stays HTTP whatever its
 * body carries later. Two exceptions: a weak pattern only guesses (a real
 * match still replaces it), and gRPC refines the HTTP/2 preface that
 * always comes before its HEADERS. */
static void app_on_match(struct an_ctx *c, struct flow *f, void *st,
			 enum flow_dir_id dir, uint32_t id, uint64_t end_offset)
{
	const struct app_entry *e;

	(void)c;
	(void)st;
	(void)dir;
	(void)end_offset;
	if (id < APP_ID_FIRST || id > APP_ID_LAST)
		return;
	e = app_find((uint16_t)id);
	if (!e)
		return;
	if (e->weak) {
		if (f->app == 0 && weak_match_fits(f, e->weak))
			f->app = (uint16_t)(id | APP_PORT_GUESS);
		return;
	}
	if (f->app == 0 || (f->app & APP_PORT_GUESS) ||
	    (f->app == APP_HTTP2_PREFACE && id == APP_GRPC))
		f->app = (uint16_t)id;
	if (app_ends_scan(f->app))
		an_scan_done(c, f);
}

/* Every app pattern is anchored at the start of a direction and shorter
 * than this: past it in both directions (or far past it in one, for flows
 * that talk one way) no label can come any more. */
#define APP_ID_HORIZON 128u
/* gRPC's content-type comes in the first HEADERS frame, after the
 * preface, SETTINGS and WINDOW_UPDATE of the connection. */
#define APP_GRPC_HORIZON 512u

static void app_on_payload(struct an_ctx *c, struct flow *f, void *st,
			   enum flow_dir_id dir, const uint8_t *data,
			   uint32_t len, bool gap)
{
	uint32_t orig = f->side[FLOW_DIR_ORIG].stream.inspected;
	uint32_t resp = f->side[FLOW_DIR_RESP].stream.inspected;

	(void)st;
	(void)dir;
	(void)data;
	(void)len;
	(void)gap;
	if (f->app == APP_HTTP2_PREFACE) {
		if (orig >= APP_GRPC_HORIZON || resp >= APP_GRPC_HORIZON)
			an_payload_done(c, f);
		return;
	}
	if ((f->app && !(f->app & APP_PORT_GUESS)) ||
	    (orig >= APP_ID_HORIZON && resp >= APP_ID_HORIZON) ||
	    orig >= 8 * APP_ID_HORIZON || resp >= 8 * APP_ID_HORIZON)
		an_payload_done(c, f);
}

/* A tunnel's door opened: the inner stream is labelled afresh. */
static void app_on_inner_stream(struct an_ctx *c, struct flow *f, void *st)
{
	(void)c;
	(void)st;
	f->app = 0;
}

const struct analyzer app_id_analyzer = {
	.name = "app_id",
	.patterns = "app.hs",
	.match_lo = APP_ID_FIRST,
	.match_hi = APP_ID_LAST,
	.on_flow_new = app_on_flow_new,
	.on_match = app_on_match,
	.on_payload = app_on_payload,
	.on_inner_stream = app_on_inner_stream,
};
