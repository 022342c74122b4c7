/* SPDX-License-Identifier: BSD-3-Clause */
/* Bounds-checked link-layer decode: Ethernet (VLAN/QinQ tags, MPLS and
 * PPPoE are walked by decap.c's decode_ethertype()), Linux cooked v1/v2, BSD NULL/loopback and raw IP. Its
 * one job is to tell decode.c where the IP header starts and which version
 * it is; every header read is preceded by a check against caplen. */
#include "decode/decap.h"
#include "decode/decode_link.h"

#include <string.h>

#define ETH_HDR_LEN 14
#define SLL_HDR_LEN 16
#define SLL_PROTO_OFF 14
#define SLL2_HDR_LEN 20
#define NULL_HDR_LEN 4

#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_IPV6 0x86dd

/* pcap files store LINKTYPE_RAW (101) where the live DLT is 12. */
#define LINKTYPE_RAW_FILE 101

static enum decode_result ethertype_to_version(uint16_t type, uint8_t *version)
{
	if (type == ETHERTYPE_IPV4)
		*version = 4;
	else if (type == ETHERTYPE_IPV6)
		*version = 6;
	else
		return DECODE_DROP_NOT_IP;
	return DECODE_OK;
}

/* BSD address families differ per OS for IPv6; all are accepted. */
static enum decode_result family_to_l3(uint32_t family, struct l2_result *l2)
{
	switch (family) {
	case 2:
		l2->ip_version = 4;
		break;
	case 10: /* Linux */
	case 24: /* NetBSD, OpenBSD */
	case 28: /* FreeBSD */
	case 30: /* macOS */
		l2->ip_version = 6;
		break;
	default:
		return DECODE_DROP_NOT_IP;
	}
	l2->l3_off = NULL_HDR_LEN;
	return DECODE_OK;
}

static enum decode_result decode_null(const struct pkt *pkt, bool network_order,
				   struct l2_result *l2)
{
	uint32_t family;

	if (pkt->caplen < NULL_HDR_LEN)
		return DECODE_DROP_L2_TRUNCATED;
	if (network_order)
		family = rd32(pkt->data);
	else
		memcpy(&family, pkt->data, sizeof(family));
	return family_to_l3(family, l2);
}

static enum decode_result decode_raw(const struct pkt *pkt, struct l2_result *l2)
{
	if (pkt->caplen < 1)
		return DECODE_DROP_L2_TRUNCATED;
	l2->l3_off = 0;
	l2->ip_version = pkt->data[0] >> 4;
	if (l2->ip_version != 4 && l2->ip_version != 6)
		return DECODE_DROP_NOT_IP;
	return DECODE_OK;
}

enum decode_result decode_link(const struct pkt *pkt, struct l2_result *l2,
			    struct pkt_view *pv)
{
	switch (pkt->linktype) {
	case TW_LINK_ETHERNET:
		if (pkt->caplen < ETH_HDR_LEN)
			return DECODE_DROP_L2_TRUNCATED;
		/* untagged IP, nearly every frame: no walk */
		if (ethertype_to_version(rd16(pkt->data + ETH_HDR_LEN - 2),
					 &l2->ip_version) == DECODE_OK) {
			l2->l3_off = ETH_HDR_LEN;
			return DECODE_OK;
		}
		return decode_ethertype(pkt->data, pkt->caplen,
					ETH_HDR_LEN - 2, l2, pv);
	case TW_LINK_LINUX_SLL:
		if (pkt->caplen < SLL_HDR_LEN)
			return DECODE_DROP_L2_TRUNCATED;
		return decode_ethertype(pkt->data, pkt->caplen,
					SLL_PROTO_OFF, l2, pv);
	case TW_LINK_LINUX_SLL2:
		if (pkt->caplen < SLL2_HDR_LEN)
			return DECODE_DROP_L2_TRUNCATED;
		l2->l3_off = SLL2_HDR_LEN;
		return ethertype_to_version(rd16(pkt->data), &l2->ip_version);
	case TW_LINK_RAW:
	case LINKTYPE_RAW_FILE:
		return decode_raw(pkt, l2);
	case TW_LINK_IPV4:
		l2->l3_off = 0;
		l2->ip_version = 4;
		return DECODE_OK;
	case TW_LINK_IPV6:
		l2->l3_off = 0;
		l2->ip_version = 6;
		return DECODE_OK;
	case TW_LINK_NULL:
		return decode_null(pkt, false, l2);
	case TW_LINK_LOOP:
		return decode_null(pkt, true, l2);
	default:
		return DECODE_DROP_LINKTYPE;
	}
}
