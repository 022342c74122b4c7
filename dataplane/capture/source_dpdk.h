/* SPDX-License-Identifier: BSD-3-Clause */
/* DPDK ports as packet sources: the only file besides live.c and
 * live_worker.c that touches DPDK. It turns dpdk.ports into EAL arguments,
 * configures each port (one RX queue per worker where the port can, with a
 * symmetric RSS key over the IP pair; one queue otherwise), fills struct pkt
 * from an mbuf, and reports rte_eth_stats. */
#ifndef TW_SOURCE_DPDK_H
#define TW_SOURCE_DPDK_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>

#include "config/config.h"
#include "decode/decode.h"

#define DPDK_LINKTYPE_ETHERNET 1   /* DLT_EN10MB: every ethdev is Ethernet */

struct dpdk_port {
	uint16_t id;
	uint16_t n_queues;        /* RX queues: workers, or 1 */
	bool replay;              /* a net_pcap rx_pcap file, read once */
	bool timestamps;          /* mbufs carry the file's packet time */
	bool started;
	const char *spec;         /* dpdk.ports entry it came from */
};

struct dpdk_ports {
	struct dpdk_port port[TW_STRINGS_MAX];
	unsigned n;
	struct rte_mempool *pool;
	int ts_offset;            /* mbuf dynfield of the rx timestamp, or -1 */
	uint64_t ts_flag;         /* ol_flags bit saying it is set */
};

/* Appends "--vdev SPEC" or "-a PCI" for every port to argv (which has room
 * for max entries after *argc). 0, or -1 with the reason in err. */
int source_dpdk_eal_args(const struct tw_config *cfg, char **argv, int *argc,
			 int max, char *err, size_t errlen);

/* After rte_eal_init: the mempool and every port, started, promiscuous,
 * with no TX. 0, or -1 with "port SPEC: why" in err. */
int source_dpdk_open(const struct tw_config *cfg, unsigned workers,
		     struct dpdk_ports *ps, char *err, size_t errlen);
void source_dpdk_close(struct dpdk_ports *ps);

/* Packet time from the port when it gives one (net_pcap files: the
 * file's time in microseconds), in nanoseconds; else 0. */
static inline uint64_t source_dpdk_ts(const struct dpdk_ports *ps,
				      const struct rte_mbuf *m)
{
	if (ps->ts_offset < 0 || !(m->ol_flags & ps->ts_flag))
		return 0;
	return *RTE_MBUF_DYNFIELD(m, ps->ts_offset, const uint64_t *) * 1000;
}

/* The mbuf as a DPDK-free packet; a chained mbuf is first copied into
 * linear (linear_len bytes; longer packets are cut, as a snaplen would). */
static inline void source_dpdk_pkt(const struct rte_mbuf *m, uint8_t *linear,
				   uint32_t linear_len, uint64_t ts_ns,
				   struct pkt *p)
{
	if (m->nb_segs == 1) {
		p->data = rte_pktmbuf_mtod(m, const uint8_t *);
		p->caplen = m->data_len;
	} else {
		uint32_t n = m->pkt_len < linear_len ? m->pkt_len : linear_len;
		const void *d = rte_pktmbuf_read(m, 0, n, linear);

		p->data = d;
		p->caplen = d ? n : 0;
	}
	p->wirelen = m->pkt_len;
	p->ts_ns = ts_ns;
	p->linktype = DPDK_LINKTYPE_ETHERNET;
}

/* [{"port":SPEC,"id":N,"link_up":..,"rx_packets":..,"rx_missed":..,
 *   "rx_errors":..,"rx_nombuf":..,"queues":[{"queue":q,"rx_packets":..,
 *   "rx_errors":..}]}] */
json_t *source_dpdk_stats_json(const struct dpdk_ports *ps);

#endif
