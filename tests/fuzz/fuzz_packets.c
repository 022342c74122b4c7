/* SPDX-License-Identifier: BSD-3-Clause */
/* libFuzzer target: the whole packet path. One input is a short packet
 * sequence; each packet goes through decode -> flow table -> TCP
 * reassembly -> Hyperscan (the project's patterns) -> every analyzer,
 * with packet time, ticks (idle expiry, on_tick) and, at the end, every
 * open flow ended through the analyzers. Findings are drained and
 * dropped. Sanitizers do the checking.
 *
 * Input: byte 0 picks the link type; then records of
 *   u16 frame length (little-endian, cut to what is left),
 *   u8 time step (x 50 ms; 255: a jump of 1000 s, past every timeout),
 *   the frame. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/dlt.h>

#include "config/config.h"
#include "engine/ring.h"
#include "scan/hs_db.h"
#include "engine/worker.h"
#include "decode/decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint16_t linktypes[] = {
	DLT_EN10MB, DLT_RAW, DLT_LINUX_SLL, DLT_NULL, DLT_LOOP, DLT_IPV4,
	DLT_IPV6, DLT_LINUX_SLL2,
};

static struct tw_config cfg;
static struct hs_db *db;
static struct spsc_ring *ring;

static void setup_once(void)
{
	char err[512];

	config_defaults(&cfg);
	/* small tables: eviction and full pools are reached quickly */
	cfg.flow.max_flows = 32;
	cfg.flow.reorder_slots = 8;
	cfg.scan.max_streams = 16;
	cfg.dns.max_domains = 16;
	cfg.flowtiming.beacon_max_pairs = 16;
	cfg.ssh.max_sessions = 4;
	cfg.ssh.max_handshakes = 2;
	cfg.mining.max_sessions = 4;
	db = hs_db_load(cfg.scan.patterns_dir, err, sizeof(err));
	ring = spsc_ring_create(1 << 20);
	if (!db || !ring) {
		fprintf(stderr, "fuzz_packets: %s\n", db ? "no memory" : err);
		abort();
	}
}

static void drain(void)
{
	uint32_t len, type;

	while (spsc_ring_peek(ring, &len, &type))
		spsc_ring_pop(ring);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct worker_options wo = { .id = 0 };
	uint64_t ts = 1700000000ull * 1000000000ull, next_tick = ts;
	struct worker *w;
	char err[512];
	size_t off = 1;
	uint16_t dlt;

	if (!db)
		setup_once();
	if (size < 1)
		return 0;
	dlt = linktypes[data[0] % (sizeof(linktypes) / sizeof(linktypes[0]))];
	w = worker_create(&wo, &cfg, db, ring, err, sizeof(err));
	if (!w)
		abort();
	for (unsigned n = 0; off + 3 <= size && n < 256; n++) {
		size_t len = data[off] | (size_t)data[off + 1] << 8;
		uint8_t step = data[off + 2];
		struct pkt p;

		off += 3;
		if (len > size - off)
			len = size - off;
		ts += step == 255 ? 1000ull * 1000000000ull :
				    step * 50ull * 1000000ull;
		if (ts >= next_tick) {
			worker_tick(w, ts);
			next_tick = ts + cfg.flow.sweep_interval_ns;
		}
		/* a copy of exactly len bytes: a read past it is caught */
		uint8_t *frame = malloc(len ? len : 1);

		if (!frame)
			abort();
		memcpy(frame, data + off, len);
		p = (struct pkt){ .data = frame, .caplen = (uint32_t)len,
				  .wirelen = (uint32_t)len, .ts_ns = ts,
				  .linktype = dlt };
		worker_process(w, &p);
		free(frame);
		off += len;
		drain();
	}
	worker_finish(w);
	drain();
	worker_destroy(w);
	return 0;
}
