/* SPDX-License-Identifier: BSD-3-Clause */
/* IPv4 and IPv6 fragment reassembly, one bounded table per worker.
 *
 * Policy (docs/ARCHITECTURE.md, "Fragments"): the first copy of every
 * byte wins; a later fragment that overlaps bytes already held is compared
 * with them, and different content is an evasion attempt (Ptacek and
 * Newsham 1998) reported once per datagram; the datagram is still
 * reassembled and inspected (first-wins) so the evasion also shows what
 * the first sender wrote. Incomplete datagrams end at defrag.timeout or
 * when the table is full (oldest first); many incomplete datagrams between
 * one pair are themselves reported (a fragment flood). Everything is
 * preallocated; a datagram larger than defrag.max_datagram_bytes is
 * dropped and counted. */
#ifndef TW_DEFRAG_H
#define TW_DEFRAG_H

#include <stddef.h>
#include <stdint.h>

#include "base/counters.h"
#include "decode/decode.h"

struct defrag_config {
	uint32_t max_datagrams;      /* datagrams in reassembly per worker */
	uint32_t max_datagram_bytes; /* IP header + data, at most 65535 + 40 */
	uint64_t timeout_ns;         /* first fragment to completion */
	uint32_t flood_incomplete;   /* incomplete datagrams of one pair that
				      * make a flood finding; 0 = never */
};

enum defrag_alert_kind {
	DEFRAG_ALERT_OVERLAP = 1,    /* overlapping bytes differ */
	DEFRAG_ALERT_FLOOD,          /* flood_incomplete datagrams left */
};

/* What the worker reports as a finding about src. */
struct defrag_alert {
	enum defrag_alert_kind kind;
	struct ip_addr src, dst;
	uint8_t proto;
	uint8_t ip_version;
	uint32_t count;              /* conflicting bytes, or datagrams */
	uint64_t first_ns, last_ns;
	struct pkt_tunnel tunnel;
};

typedef void (*defrag_alert_fn)(void *ctx, const struct defrag_alert *a);

struct defrag_table;

struct defrag_table *defrag_create(const struct defrag_config *cfg,
				   struct tw_counters *ctr,
				   defrag_alert_fn alert, void *ctx);
void defrag_destroy(struct defrag_table *t);

/* Takes one fragment (decode_packet() returned DECODE_IP_FRAGMENT for
 * pv). When it completes its datagram, returns the whole IP packet
 * (version in *version, length in *len), valid until the next call on t;
 * otherwise NULL. */
const uint8_t *defrag_add(struct defrag_table *t, const struct pkt_view *pv,
			  uint32_t *len, uint8_t *version);

/* Ends the datagrams whose first fragment is older than the timeout. */
void defrag_expire(struct defrag_table *t, uint64_t now_ns);

size_t defrag_memory(const struct defrag_table *t);

#endif
