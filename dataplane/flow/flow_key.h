/* SPDX-License-Identifier: BSD-3-Clause */
/* A connection's normalised 5-tuple (struct flow_key), its hash and the
 * flow id. The offline reader hashes packets on its own core with
 * flow_view_hash; the flow table keys, finds and names flows with the
 * rest. */
#ifndef TW_FLOW_KEY_H
#define TW_FLOW_KEY_H

#include <stdbool.h>
#include <stdint.h>

#include "flow/flow.h"
#include "decode/decode.h"

/* Builds pv's key: the endpoint with the smaller address bytes (memcmp
 * order), then the smaller port, first; padding zeroed, so both
 * directions of a connection give the same bytes. */
void flow_key_from_view(const struct pkt_view *pv, struct flow_key *k);
uint32_t flow_key_hash(const struct flow_key *k);
/* flow_key_hash of pv's key, computed without building the key. */
uint32_t flow_view_hash(const struct pkt_view *pv);
/* Whether k is pv's connection, in either direction: the packet is
 * compared as it is, without building its key. */
bool flow_key_is_view(const struct flow_key *k, const struct pkt_view *pv);
/* Depends only on the connection and its first packet time, so the id is
 * the same however packets are spread over workers. 53 bits: exact in a
 * JSON double; never 0. */
uint64_t flow_key_id(const struct flow_key *k, uint64_t first_ns);

#endif
