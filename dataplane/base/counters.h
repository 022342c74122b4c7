/* SPDX-License-Identifier: BSD-3-Clause */
/* Per-worker counters: one X-macro list gives the enum and the names that
 * `stats` reports, so a new counter is one line here and nothing else. */
#ifndef TW_COUNTERS_H
#define TW_COUNTERS_H

#include <stdint.h>

/* X(name, "reported name") */
#define TW_COUNTERS(X)                                                         \
	X(PKTS, "packets")                                                     \
	X(BYTES, "bytes")                                                      \
	X(DROP_LINKTYPE, "drop_unsupported_linktype")                          \
	X(DROP_L2_TRUNCATED, "drop_l2_truncated")                              \
	X(DROP_NOT_IP, "drop_not_ip")                                          \
	X(DROP_IPV4_TRUNCATED, "drop_ipv4_truncated")                          \
	X(DROP_IPV4_BAD_HEADER, "drop_ipv4_bad_header")                        \
	X(DROP_IPV6_TRUNCATED, "drop_ipv6_truncated")                          \
	X(DROP_IPV6_BAD_EXT, "drop_ipv6_bad_extension")                        \
	X(DROP_IP_FRAGMENT, "drop_ip_fragment")                                \
	X(IP_FRAGMENTS, "ip_fragments")                                        \
	X(DROP_L4_TRUNCATED, "drop_l4_truncated")                              \
	X(DROP_TCP_BAD_HEADER, "drop_tcp_bad_header")                          \
	X(DECAP_VXLAN, "decap_vxlan")                                          \
	X(DECAP_GENEVE, "decap_geneve")                                        \
	X(DECAP_ERSPAN, "decap_erspan")                                        \
	X(DECAP_GRE, "decap_gre")                                              \
	X(DECAP_MPLS, "decap_mpls")                                            \
	X(DECAP_PPPOE, "decap_pppoe")                                          \
	X(DECAP_IPIP, "decap_ipip")                                            \
	X(DECAP_6IN4, "decap_6in4")                                            \
	X(DECAP_4IN6, "decap_4in6")                                            \
	X(DECAP_LEFT_DISABLED, "decap_left_disabled")                          \
	X(DECAP_LEFT_TOO_DEEP, "decap_left_too_deep")                          \
	X(DECAP_LEFT_MALFORMED, "decap_left_malformed")                        \
	X(DEFRAG_REASSEMBLED, "defrag_reassembled")                            \
	X(DEFRAG_TIMED_OUT, "defrag_timed_out")                                \
	X(DEFRAG_EVICTED, "defrag_evicted")                                    \
	X(DEFRAG_OVERLAP_SAME, "defrag_overlap_same")                          \
	X(DEFRAG_OVERLAP_CONFLICT, "defrag_overlap_conflict")                  \
	X(DEFRAG_TOO_LARGE, "defrag_too_large")                                \
	X(DEFRAG_INVALID, "defrag_invalid")                                    \
	X(DEFRAG_FLOOD, "defrag_flood_findings")                               \
	X(TCP_OVERLAP_SAME, "tcp_overlap_same")                                \
	X(TCP_OVERLAP_CONFLICT, "tcp_overlap_conflict")                        \
	X(FLOWS_CREATED, "flows_created")                                      \
	X(FLOWS_MIDSTREAM, "flows_midstream")                                  \
	X(FLOWS_ENDED, "flows_ended")                                          \
	X(FLOWS_EVICTED, "flows_evicted")                                      \
	X(FLOWS_EVICTED_NO_PAYLOAD, "flows_evicted_no_payload")                \
	X(FLOWS_EVICTED_WITH_PAYLOAD, "flows_evicted_with_payload")            \
	X(FLOWS_TIMED_OUT, "flows_timed_out")                                  \
	X(FLOWS_CLOSED, "flows_closed")                                        \
	X(FLOWS_OPEN_AT_END, "flows_open_at_end")                              \
	X(TCP_RETRANSMITTED, "tcp_segments_retransmitted")                     \
	X(TCP_REORDERED, "tcp_segments_reordered")                             \
	X(TCP_GAPS, "tcp_gaps")                                                \
	X(PAYLOAD_INSPECTED, "payload_bytes_inspected")                        \
	X(SCAN_STREAMS_OPENED, "scan_streams_opened")                          \
	X(SCAN_STREAMS_EXHAUSTED, "scan_streams_exhausted")                    \
	X(SCAN_STREAMS_STOPPED, "scan_streams_stopped")                        \
	X(SCAN_ERRORS, "scan_errors")                                          \
	X(SCAN_INNER_STREAMS, "scan_inner_streams")                            \
	X(FEP_CHECKED, "fully_encrypted_checked")                              \
	X(FEP_TRIPPED, "fully_encrypted_tripped")                              \
	X(AN_SSH_MIDSTREAM, "ssh_by_sizes")                                    \
	X(SCAN_MATCHES, "scan_matches")                                        \
	X(FINDINGS_EMITTED, "findings_emitted")                                \
	X(FINDINGS_DROPPED_RING_FULL, "findings_dropped_ring_full")            \
	X(AN_DNS_DOMAINS_EVICTED, "dns_domains_evicted")                       \
	X(AN_BEACON_PAIRS_EVICTED, "beacon_pairs_evicted")                     \
	X(AN_SSH_SESSIONS_FULL, "ssh_sessions_full")                           \
	X(AN_SSH_HANDSHAKES_FULL, "ssh_handshakes_full")                       \
	X(AN_MINING_SESSIONS_FULL, "mining_sessions_full")

enum tw_counter {
#define TW_COUNTER_ENUM(id, name) TW_CTR_##id,
	TW_COUNTERS(TW_COUNTER_ENUM)
#undef TW_COUNTER_ENUM
	TW_CTR_COUNT
};

extern const char *const tw_counter_names[TW_CTR_COUNT];

/* Written by one worker only; the manager reads them (offline after join,
 * live with relaxed loads: a 64-bit aligned load does not tear on x86-64). */
struct tw_counters {
	uint64_t v[TW_CTR_COUNT];
};

static inline void counter_inc(struct tw_counters *c, enum tw_counter id)
{
	c->v[id]++;
}

static inline void counter_add(struct tw_counters *c, enum tw_counter id,
			       uint64_t n)
{
	c->v[id] += n;
}

#endif
