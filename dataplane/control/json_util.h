/* SPDX-License-Identifier: BSD-3-Clause */
/* JSON pieces the offline report (report.c), the control socket and the
 * event log (eve.c) share, so that a finding reads the same everywhere. */
#ifndef TW_JSON_UTIL_H
#define TW_JSON_UTIL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "findings/findings.h"

/* Every document leaves the program with these flags: keys in insertion
 * order, one line, and doubles (already rounded to 3 decimals) printed
 * with 15 significant digits so 0.1 reads "0.1", not "0.10000000000000001". */
#define TW_JSON_DUMP_FLAGS                                                     \
	(JSON_PRESERVE_ORDER | JSON_COMPACT | JSON_REAL_PRECISION(15))

/* "tcp", "udp", "icmp", "icmpv6" (upper: Suricata's "TCP", "UDP", "ICMP",
 * "IPv6-ICMP"); any other protocol as its decimal number in buf. */
const char *json_proto_name(uint8_t proto, bool suricata, char *buf,
			    unsigned len);

/* A JSON string from text that may hold packet bytes: invalid UTF-8 is
 * replaced byte by byte with '?', so the document always serialises. */
json_t *json_text(const char *s);

/* A double rounded to 3 decimals; null for NaN and infinities, which
 * JSON cannot carry. */
json_t *json_real3(double v);

/* uint64 counters as JSON integers, saturating at INT64_MAX: the value
 * for json_pack's "I", and the same as a new json_t. */
json_int_t json_int_u64(uint64_t v);
json_t *json_u64(uint64_t v);

/* The finding's detail record as an object, keys in the order added. */
json_t *json_finding_detail(const struct finding *f);

/* The layers a packet came in, as Suricata's EVE "tunnel" object (outer
 * src_ip/dest_ip, proto, depth) plus "type" and its id ("vni",
 * "erspan_session", "gre_key", "mpls_label", "pppoe_session"); NULL when
 * nothing was removed. */
json_t *json_tunnel(const struct pkt_tunnel *t);
/* The VLAN ids, as EVE "vlan": [outer, inner]; NULL when none. */
json_t *json_vlan(const struct pkt_tunnel *t);
/* Adds "tunnel" and "vlan" to obj when t has them; 0, or -1. */
int json_add_tunnel(json_t *obj, const struct pkt_tunnel *t);

/* RFC 3339 time as a JSON string. */
json_t *json_time(uint64_t ts_ns);
/* The §3a finding object: family, kind, severity, peer, times, count,
 * summary, detail. */
json_t *json_finding(const struct finding *f, const struct ip_addr *peer,
		     uint16_t peer_port);
/* doc as one compact line ending in "\n", malloc'd; takes the reference
 * to doc (NULL doc allowed). NULL when out of memory. */
char *json_line(json_t *doc);

#endif
