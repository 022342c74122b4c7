/* SPDX-License-Identifier: BSD-3-Clause */
#include "capture/source_dpdk.h"

#include <stdio.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf_dyn.h>

#define RSS_KEY_LEN 40
#define RSS_KEY_MAX 64

/* A key of one repeated 16-bit word makes the Toeplitz hash symmetric
 * (Woo and Park, "Scalable TCP Session Monitoring with Symmetric RSS"):
 * both directions of a host pair land on one queue, hence one worker. */
static uint8_t symmetric_rss_key[RSS_KEY_MAX];

static void symmetric_key_fill(void)
{
	for (unsigned i = 0; i < RSS_KEY_MAX; i += 2) {
		symmetric_rss_key[i] = 0x6d;
		symmetric_rss_key[i + 1] = 0x5a;
	}
}

/* "net_pcap0,..." and other "net_*" strings are virtual devices; anything
 * else is a PCI address the EAL must allow. */
static bool spec_is_vdev(const char *spec)
{
	return strncmp(spec, "net_", 4) == 0 || strncmp(spec, "eth_", 4) == 0;
}

/* The device name: a vdev's spec up to the first comma. */
static void spec_name(const char *spec, char *name, size_t len)
{
	size_t n = strcspn(spec, ",");

	if (n >= len)
		n = len - 1;
	memcpy(name, spec, n);
	name[n] = '\0';
}

/* A pcap file read once: its end is the end of the input. */
static bool spec_is_replay(const char *spec)
{
	return strncmp(spec, "net_pcap", 8) == 0 && strstr(spec, "rx_pcap=") &&
	       !strstr(spec, "infinite_rx=1");
}

int source_dpdk_eal_args(const struct tw_config *cfg, char **argv, int *argc,
			 int max, char *err, size_t errlen)
{
	for (unsigned i = 0; i < cfg->dpdk.ports.n; i++) {
		const char *spec = cfg->dpdk.ports.s[i];

		if (*argc + 2 > max) {
			snprintf(err, errlen, "too many EAL arguments");
			return -1;
		}
		argv[(*argc)++] = spec_is_vdev(spec) ? "--vdev" : "-a";
		argv[(*argc)++] = (char *)spec;
	}
	return 0;
}

static int port_find(const char *spec, uint16_t *id)
{
	char name[TW_STRING_LEN];

	spec_name(spec, name, sizeof(name));
	if (rte_eth_dev_get_port_by_name(name, id) == 0)
		return 0;
	return -1;
}

/* A port listed in dpdk.inner_dispatch_ports carries encapsulated mirror
 * traffic: the NIC's RSS would see one outer pair and feed one worker. */
static bool port_dispatch_inner(const struct tw_config *cfg,
				const char *spec)
{
	for (unsigned i = 0; i < cfg->dpdk.inner_dispatch_ports.n; i++)
		if (strcmp(cfg->dpdk.inner_dispatch_ports.s[i], spec) == 0)
			return true;
	return false;
}

static int port_configure(const struct tw_config *cfg, unsigned workers,
			  struct dpdk_ports *ps, struct dpdk_port *p,
			  char *err, size_t errlen)
{
	struct rte_eth_conf conf;
	struct rte_eth_dev_info info;
	int rc;

	memset(&conf, 0, sizeof(conf));
	rc = rte_eth_dev_info_get(p->id, &info);
	if (rc != 0) {
		snprintf(err, errlen, "port %s: no device info: %s", p->spec,
			 rte_strerror(-rc));
		return -1;
	}
	/* queue per worker only where the device hashes the IP pair
	 * itself; af_packet's fanout or a 5-tuple hash would split a
	 * host pair's flows over workers */
	p->n_queues = workers > 1 && info.max_rx_queues >= workers &&
				      (info.flow_type_rss_offloads & RTE_ETH_RSS_IP) &&
				      !port_dispatch_inner(cfg, p->spec) ?
			      (uint16_t)workers : 1;
	if (p->n_queues > 1) {
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_key = symmetric_rss_key;
		conf.rx_adv_conf.rss_conf.rss_key_len =
			info.hash_key_size && info.hash_key_size <= RSS_KEY_MAX ?
				info.hash_key_size : RSS_KEY_LEN;
		/* the IP pair only: every flow between two hosts on one
		 * worker, as the offline pair hash does */
		conf.rx_adv_conf.rss_conf.rss_hf =
			RTE_ETH_RSS_IP & info.flow_type_rss_offloads;
	}
	/* net_pcap stamps every mbuf with the file's time (microseconds)
	 * once the timestamp field exists, without offering the offload;
	 * a NIC's own clock is not the epoch, so live ports use the TSC */
	p->timestamps = p->replay && cfg->dpdk.pcap_timestamps &&
			strcmp(info.driver_name, "net_pcap") == 0;
	/* one TX queue, never used: some PMDs refuse a port without one */
	rc = rte_eth_dev_configure(p->id, p->n_queues, 1, &conf);
	if (rc != 0) {
		snprintf(err, errlen, "port %s: configure %u queues: %s",
			 p->spec, p->n_queues, rte_strerror(-rc));
		return -1;
	}
	if (p->timestamps &&
	    rte_mbuf_dyn_rx_timestamp_register(&ps->ts_offset,
					       &ps->ts_flag) != 0) {
		snprintf(err, errlen, "port %s: no mbuf timestamp field",
			 p->spec);
		return -1;
	}
	return 0;
}

static int port_queues_start(const struct tw_config *cfg,
			     struct dpdk_ports *ps, struct dpdk_port *p,
			     char *err, size_t errlen)
{
	uint16_t rxd = (uint16_t)cfg->dpdk.rx_descriptors, txd = 64;
	int socket = rte_eth_dev_socket_id(p->id);
	int rc;

	if (socket < 0)
		socket = (int)rte_socket_id();
	rte_eth_dev_adjust_nb_rx_tx_desc(p->id, &rxd, &txd);
	for (uint16_t q = 0; q < p->n_queues; q++) {
		rc = rte_eth_rx_queue_setup(p->id, q, rxd, (unsigned)socket,
					    NULL, ps->pool);
		if (rc != 0) {
			snprintf(err, errlen, "port %s: RX queue %u: %s",
				 p->spec, q, rte_strerror(-rc));
			return -1;
		}
	}
	rc = rte_eth_tx_queue_setup(p->id, 0, txd, (unsigned)socket, NULL);
	if (rc != 0) {
		snprintf(err, errlen, "port %s: TX queue: %s", p->spec,
			 rte_strerror(-rc));
		return -1;
	}
	rc = rte_eth_dev_start(p->id);
	if (rc != 0) {
		snprintf(err, errlen, "port %s: start: %s", p->spec,
			 rte_strerror(-rc));
		return -1;
	}
	p->started = true;
	/* a port without promiscuous mode (a vdev file) is no error */
	if (cfg->dpdk.promiscuous)
		rte_eth_promiscuous_enable(p->id);
	return 0;
}

int source_dpdk_open(const struct tw_config *cfg, unsigned workers,
		     struct dpdk_ports *ps, char *err, size_t errlen)
{
	memset(ps, 0, sizeof(*ps));
	ps->ts_offset = -1;
	symmetric_key_fill();
	if (cfg->dpdk.ports.n == 0) {
		snprintf(err, errlen, "dpdk.ports is empty: no port to watch");
		return -1;
	}
	ps->pool = rte_pktmbuf_pool_create("tw_mbufs", cfg->dpdk.mbufs,
					   cfg->dpdk.mbuf_cache, 0,
					   RTE_MBUF_DEFAULT_BUF_SIZE,
					   (int)rte_socket_id());
	if (!ps->pool) {
		snprintf(err, errlen,
			 "no memory for %u mbufs (dpdk.mbufs; EAL -m): %s",
			 cfg->dpdk.mbufs, rte_strerror(rte_errno));
		return -1;
	}
	for (unsigned i = 0; i < cfg->dpdk.ports.n; i++) {
		struct dpdk_port *p = &ps->port[ps->n];

		p->spec = cfg->dpdk.ports.s[i];
		p->replay = spec_is_replay(p->spec);
		if (port_find(p->spec, &p->id) != 0) {
			snprintf(err, errlen, "port %s: no such DPDK port "
				 "(not probed: driver, PCI binding or vdev "
				 "arguments?)", p->spec);
			return -1;
		}
		ps->n++;
		if (port_configure(cfg, workers, ps, p, err, errlen) != 0 ||
		    port_queues_start(cfg, ps, p, err, errlen) != 0)
			return -1;
	}
	return 0;
}

void source_dpdk_close(struct dpdk_ports *ps)
{
	for (unsigned i = 0; i < ps->n; i++) {
		if (ps->port[i].started)
			rte_eth_dev_stop(ps->port[i].id);
		rte_eth_dev_close(ps->port[i].id);
	}
	ps->n = 0;
	if (ps->pool)
		rte_mempool_free(ps->pool);
	ps->pool = NULL;
}

static json_t *queues_json(const struct dpdk_port *p,
			   const struct rte_eth_stats *st)
{
	json_t *arr = json_array();

	for (uint16_t q = 0; arr && q < p->n_queues &&
			     q < RTE_ETHDEV_QUEUE_STAT_CNTRS; q++)
		json_array_append_new(arr, json_pack(
			"{s:i, s:I, s:I}", "queue", (int)q,
			"rx_packets", (json_int_t)st->q_ipackets[q],
			"rx_errors", (json_int_t)st->q_errors[q]));
	return arr;
}

json_t *source_dpdk_stats_json(const struct dpdk_ports *ps)
{
	json_t *arr = json_array();

	for (unsigned i = 0; arr && i < ps->n; i++) {
		const struct dpdk_port *p = &ps->port[i];
		struct rte_eth_stats st;
		struct rte_eth_link link;

		memset(&st, 0, sizeof(st));
		memset(&link, 0, sizeof(link));
		rte_eth_stats_get(p->id, &st);
		rte_eth_link_get_nowait(p->id, &link);
		json_array_append_new(arr, json_pack(
			"{s:s, s:i, s:b, s:I, s:I, s:I, s:I, s:I, s:I, s:o}",
			"port", p->spec, "id", (int)p->id,
			"link_up", link.link_status == RTE_ETH_LINK_UP,
			"link_speed_mbps", (json_int_t)link.link_speed,
			"rx_packets", (json_int_t)st.ipackets,
			"rx_bytes", (json_int_t)st.ibytes,
			"rx_missed", (json_int_t)st.imissed,
			"rx_errors", (json_int_t)st.ierrors,
			"rx_nombuf", (json_int_t)st.rx_nombuf,
			"queues", queues_json(p, &st)));
	}
	return arr;
}
