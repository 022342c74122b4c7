/* SPDX-License-Identifier: BSD-3-Clause */
/* One bidirectional connection as a worker tracks it. Owned by exactly one
 * worker: nothing in here is shared. */
#ifndef TW_FLOW_H
#define TW_FLOW_H

#include <stdbool.h>
#include <stdint.h>

#include "base/index_list.h"
#include "decode/decode.h"

/* Directions relative to the originator: the SYN sender; for a TCP flow
 * picked up without its SYN, the side whose port looks like a client's
 * (flow_table.c, midstream); else the first packet's sender. */
enum flow_dir_id { FLOW_DIR_ORIG = 0, FLOW_DIR_RESP = 1 };

/* Normalised 5-tuple: the lower (addr, port) endpoint comes first, so both
 * directions of a connection produce the same key. */
struct flow_key {
	struct ip_addr addr[2];
	uint16_t port[2];
	uint8_t proto;
	uint8_t pad[3];
};

enum flow_tcp_state {
	FLOW_TCP_NONE = 0,   /* not TCP */
	FLOW_TCP_SYN_SENT,
	FLOW_TCP_ESTABLISHED, /* handshake seen, or picked up mid-stream */
	FLOW_TCP_CLOSING,     /* FIN seen in one direction */
	FLOW_TCP_CLOSED,      /* FIN both ways or RST */
};

enum flow_end_reason {
	FLOW_END_IDLE,     /* idle timeout */
	FLOW_END_CLOSED,   /* TCP close timeout after FIN/RST */
	FLOW_END_EVICTED,  /* table full, oldest idle flow made room */
	FLOW_END_INPUT,    /* end of input or shutdown: evaluated as open */
};

#define FLOW_OOO_SLOTS 4      /* reordering window per direction */

/* In-order payload tracking of one direction (tcp_stream.c). */
struct flow_stream {
	uint32_t next_seq;       /* next expected sequence number */
	uint32_t inspected;      /* payload bytes handed to scan and analyzers */
	uint16_t ooo_slot[FLOW_OOO_SLOTS]; /* reorder pool slots, 0 = empty */
	uint8_t seq_known;
	uint8_t done;            /* inspection limit reached or stream ended */
	uint8_t gap;             /* bytes were skipped at least once */
	uint8_t scan_failed;     /* no stream could be had: not retried */
	uint8_t scan_stopped;    /* a match ended scanning: not reopened */
	uint8_t gap_pending;     /* the next delivery follows skipped bytes */
	uint8_t overlap_reported; /* evasion.tcp_overlap emitted */
	uint8_t line_end;        /* mid-stream: the last byte scanned was a
				  * newline (worker_payload.c, resync) */
	uint8_t resyncs;         /* mid-stream: scan streams restarted */
	/* the last in-order segment inspected, to compare a retransmission
	 * of it (tcp_stream.c): first byte, length, hash of its bytes */
	uint32_t last_seq, last_len, last_hash;
	void *hs_stream;         /* hs_stream_t *, NULL when not scanning */
};

struct flow_side {
	uint64_t pkts;
	uint64_t bytes;          /* IP bytes on the wire */
	uint64_t payload_bytes;  /* L4 payload bytes on the wire */
	struct flow_stream stream;
};

struct flow {
	/* what a lookup reads, in the first cache line (flow_table.c) */
	struct flow_key key;
	uint32_t hash;
	uint32_t bucket_next;    /* hash chain, index+1, 0 = end */
	struct ip_addr orig_addr, resp_addr; /* originator first */
	uint16_t orig_port, resp_port;
	uint8_t proto;
	uint8_t tcp_state;       /* enum flow_tcp_state */
	uint8_t orig_is_key0;    /* key.addr[0] is the originator */
	uint8_t handshake_seen;  /* SYN and SYN-ACK seen: originator is sure */
	uint8_t responded;       /* the responder sent at least one packet */
	uint8_t fin_seen[2];
	uint8_t scan_ended;      /* the app label says no pattern can match
				  * the rest (an_scan_done): not scanned */
	uint16_t app;            /* app label id (scan/app_id.h), 0 = none yet */
	uint8_t nested;          /* inner streams started: a tunnel's door
				  * opened (tunnel_door.c), 0 = none */
	uint8_t framing;         /* the inner stream's framing (WebSocket,
				  * httptunnel: analyzers/common/frame_dec.h), 0 = raw */
	uint8_t midstream;       /* TCP first seen without a SYN: the roles
				  * are inferred from the ports, the bytes
				  * are followed from the first one seen */
	uint16_t inner_port;     /* the door's target port (CONNECT host:port),
				  * 0 = none: see flow_service_port() */
	uint32_t payload_wanted; /* analyzers still inspecting payload, a bit
				  * per analyzers[] row; 0 ends inspection */
	uint32_t packets_wanted; /* analyzers whose on_packet this flow still
				  * calls, a bit per analyzers[] row */
	uint64_t id;             /* flow id for reports, unique per run */
	uint64_t first_ns, last_ns;
	struct flow_side side[2];
	/* table bookkeeping (flow_table.c) */
	struct ilink lru;        /* its idle list (flow_table.c) */
	uint8_t lru_class;
	uint8_t in_use;
	/* per-analyzer state, each analyzer at its own offset (registry.c) */
	uint8_t *an_state;
	/* what the first packet was wrapped in (VNI, outer pair, VLANs) */
	struct pkt_tunnel tunnel;
};

static inline uint64_t flow_total_bytes(const struct flow *f)
{
	return f->side[0].bytes + f->side[1].bytes;
}

/* The port of the service the flow's bytes are for: a CONNECT target's
 * when a proxy let the flow through, else the responder's. */
static inline uint16_t flow_service_port(const struct flow *f)
{
	return f->inner_port ? f->inner_port : f->resp_port;
}

/* Who opened the connection is known well enough to judge who speaks
 * which part: the handshake was seen, or a flow picked up mid-stream runs
 * from a port in Linux's ephemeral range (32768-60999, where Windows and
 * the BSDs pick client ports too, from 49152) to one below it. */
static inline bool flow_roles_known(const struct flow *f)
{
	return f->handshake_seen ||
	       (f->midstream && f->orig_port >= 32768 &&
		f->orig_port <= 60999 && f->resp_port < 32768);
}

static inline uint64_t flow_duration_ns(const struct flow *f)
{
	return f->last_ns > f->first_ns ? f->last_ns - f->first_ns : 0;
}

#endif
