/* SPDX-License-Identifier: BSD-3-Clause */
/* The analyzer seam. An analyzer owns one question, sees flow events and
 * raises findings; it never sees another analyzer's state. A new analyzer
 * is one folder analyzers/NAME/ (its meson.build, NAME.c defining
 * `const struct analyzer NAME_analyzer`) plus one line in the `analyzers`
 * list of analyzers/meson.build.
 *
 * State: each analyzer declares the bytes it needs per flow and per worker;
 * the registry lays them out once at start (no allocation per packet). */
#ifndef TW_ANALYZER_H
#define TW_ANALYZER_H

#include <stdbool.h>
#include <stdint.h>

#include "base/counters.h"
#include "decode/decode.h"
#include "flow/flow.h"
#include "findings/findings.h"

struct tw_config;
struct worker;

/* What an analyzer callback gets besides the flow: where it runs. */
struct an_ctx {
	struct worker *worker;          /* emit findings through it */
	const struct tw_config *cfg;
	void *wstate;                   /* this analyzer's per-worker state */
	uint64_t now_ns;                /* packet time of the event */
	unsigned index;                 /* this analyzer's row in analyzers[] */
};

/* The flows an analyzer looks at (its flow_classes). */
enum {
	AN_FLOWS_TCP = 1u << 0,
	AN_FLOWS_UDP = 1u << 1,
	AN_FLOWS_OTHER = 1u << 2,   /* ICMP and other IP protocols */
};

struct analyzer {
	const char *name;
	/* Whether cfg runs this analyzer (its `*.enabled` key); NULL: always.
	 * A disabled analyzer is left out of the worker's payload, packet,
	 * door and inner masks, taken once at start: it never sees a
	 * flow's packets or payload. An analyzer whose key is reloadable
	 * (flowtiming.enabled) leaves this NULL and checks cfg itself. */
	bool (*enabled)(const struct tw_config *cfg);
	uint32_t flow_state_size;       /* zeroed when a flow starts */
	uint32_t worker_state_size;     /* zeroed, then worker_init */
	/* Hyperscan pattern ids this analyzer subscribes to: [match_lo,
	 * match_hi] of the file patterns/<patterns>; NULL and 0/0 for none.
	 * patterns/README.md's id-range table lists them (test_patterns
	 * checks it against the registry). */
	const char *patterns;
	uint32_t match_lo, match_hi;

	int (*worker_init)(void *wstate, const struct tw_config *cfg);
	void (*worker_fini)(void *wstate);
	void (*on_flow_new)(struct an_ctx *c, struct flow *f, void *st);
	void (*on_packet)(struct an_ctx *c, struct flow *f, void *st,
			  const struct pkt_view *pv, enum flow_dir_id dir);
	/* In-order payload, only the first inspect_bytes of each direction;
	 * gap is true when bytes before this chunk were lost. */
	void (*on_payload)(struct an_ctx *c, struct flow *f, void *st,
			   enum flow_dir_id dir, const uint8_t *data,
			   uint32_t len, bool gap);
	void (*on_match)(struct an_ctx *c, struct flow *f, void *st,
			 enum flow_dir_id dir, uint32_t id, uint64_t end_offset);
	/* The flow is over (or evaluated as open at end of input). */
	void (*on_flow_end)(struct an_ctx *c, struct flow *f, void *st,
			    enum flow_end_reason why);
	/* Periodic, driven by packet time (offline) or the clock (live). */
	void (*on_tick)(struct an_ctx *c);
	/* Tunnels' doors (tunnel_door.c): called before the scan with each
	 * in-order chunk while the analyzer wants payload; returns the
	 * offset in data (0..len) at which the flow's inner stream starts
	 * (a proxy answered CONNECT with 2xx), UINT32_MAX when it does not
	 * start in these bytes. */
	uint32_t (*find_door)(struct an_ctx *c, struct flow *f, void *st,
			      enum flow_dir_id dir, const uint8_t *data,
			      uint32_t len);
	/* A framed door (f->framing set, WebSocket or httptunnel): called
	 * by the analyzer with find_door for each in-order chunk of the
	 * inner stream before the scan; writes the inner bytes (the
	 * framing removed, at most len) to out and returns their count.
	 * gap: bytes before data were lost (the framing is lost too). */
	uint32_t (*unwrap)(struct an_ctx *c, struct flow *f, void *st,
			   enum flow_dir_id dir, const uint8_t *data,
			   uint32_t len, bool gap, uint8_t *out);
	/* An inner stream starts: analyzers of stream contents reset their
	 * flow state here and then see the inner bytes from the first one,
	 * offsets (stream.inspected) counted from there, their payload and
	 * packet bits set again. NULL: the analyzer keeps following the
	 * outer flow as one (timing, sizes). */
	void (*on_inner_stream)(struct an_ctx *c, struct flow *f, void *st);
	/* SIGHUP (issue 15): cfg is the new configuration; take again what
	 * was read from files at worker_init (name lists). 0, or -1 with
	 * the old state kept. NULL: nothing to take. */
	int (*worker_reload)(void *wstate, const struct tw_config *cfg);
	/* The flows it looks at (whether it runs at all is enabled()),
	 * AN_FLOWS_* bits, decided once per worker; NULL: all.
	 * A flow of another class starts without its payload and packet
	 * bits, and on_flow_new is not called for it: no call at all where
	 * one would only have said an_payload_done()/an_packets_done(). */
	unsigned (*flow_classes)(const struct tw_config *cfg);
	/* on_packet only behind a tunnel's door: a flow starts without its
	 * packet bit; the worker sets it when an inner stream starts. */
	bool packets_inner_only;
};

/* registry.c */
extern const struct analyzer *const analyzers[];
extern const unsigned n_analyzers;

/* Byte offsets of each analyzer's flow state inside flow->an_state, and
 * the total; computed once by analyzers_layout(). */
struct analyzer_layout {
	uint32_t flow_off[16];
	uint32_t flow_total;
	uint32_t worker_off[16];
	uint32_t worker_total;
};
void analyzers_layout(struct analyzer_layout *l);

/* Sends a finding to the manager (worker.c). */
void an_emit(struct an_ctx *c, const struct finding *f);
/* Tells the manager a DNS answer named addr to client: a connection to an
 * address no answer named is evidence (verdict/prevalence.h). */
void an_note_named(struct an_ctx *c, const struct ip_addr *client,
		   const struct ip_addr *addr);
/* From on_flow_end: the flow's beacon events (ms after its first packet,
 * oldest first) for the HTML report's timeline; kept only when the report
 * is on, at most WORKER_FLOW_EVENTS (worker.c). */
void an_flow_events(struct an_ctx *c, const uint32_t *ev_ms, unsigned n);
/* Counts one event of an analyzer's table (full, evicted) in the worker's
 * counters, reported in stats.tables. */
void an_count(struct an_ctx *c, enum tw_counter id);

/* Payload inspection of a flow stops as soon as no analyzer wants more of
 * it: that, not the byte limit, is what keeps the cost per flow small. An
 * analyzer with on_payload or on_match wants payload from flow start until
 * it calls this for the flow (analyzers_payload_mask, worker.c). */
void an_payload_done(struct an_ctx *c, struct flow *f);
/* Ends Hyperscan scanning of f, both directions, until a tunnel's door
 * opens (its app label leaves no pattern of any family to match). */
void an_scan_done(struct an_ctx *c, struct flow *f);
/* The enabled analyzers (struct analyzer.enabled) that want payload when
 * a flow starts. */
uint32_t analyzers_payload_mask(const struct tw_config *cfg);
/* Those with find_door, and those with on_inner_stream. */
uint32_t analyzers_door_mask(const struct tw_config *cfg);
uint32_t analyzers_inner_mask(const struct tw_config *cfg);
/* Those with on_match, and those with on_flow_end, enabled or not (the
 * scan and flow end call them unmasked): the worker calls only these, no
 * test per analyzer per match or per flow. */
uint32_t analyzers_match_mask(void);
uint32_t analyzers_end_mask(void);
/* Those with on_flow_new; those whose flow_classes include class cls
 * (AN_FLOWS_TCP, _UDP or _OTHER) under cfg; the packet mask a flow starts
 * with, before its class (analyzers_packet_mask() less those with
 * packets_inner_only). */
uint32_t analyzers_new_mask(void);
uint32_t analyzers_class_mask(const struct tw_config *cfg, unsigned cls);
uint32_t analyzers_start_packet_mask(const struct tw_config *cfg);
/* Adds one to the worker's counter id (stats): what an analyzer measures
 * that is no finding (worker_payload.c). */
void an_count(struct an_ctx *c, enum tw_counter id);
/* Door detail of a finding on a nested flow (worker_payload.c): adds
 * "connect_target" (host:port) when the flow's bytes came through an HTTP
 * proxy's CONNECT; nothing otherwise. */
void an_add_nesting(struct an_ctx *c, const struct flow *f,
		    struct finding *fd);

/* Likewise for on_packet: every analyzer that has one is called for each
 * packet of a flow until it calls this for the flow, e.g. from on_flow_new
 * for a protocol it does not look at. An indirect call per packet per
 * analyzer adds up at line rate. */
void an_packets_done(struct an_ctx *c, struct flow *f);
uint32_t analyzers_packet_mask(const struct tw_config *cfg);

#endif
