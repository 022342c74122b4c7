/* SPDX-License-Identifier: BSD-3-Clause */
/* Bounds-checked L3-L4 decode (IPv4, IPv6 extension headers, TCP/UDP/ICMP;
 * the link layer is decode_link.c) and the worker pair hash (the ip_addr
 * helpers are base/net.h's). Every read is preceded by a length check
 * against the captured bytes; header lengths only ever shrink the trusted
 * region, never grow it. */
#include "decode/decap.h"
#include "decode/decode.h"
#include "decode/decode_link.h"
#include "base/mix.h"

#include <arpa/inet.h>
#include <string.h>

#define IPV4_MIN_HDR 20
#define IPV6_HDR_LEN 40
#define IPV6_MAX_EXT 8
#define TCP_MIN_HDR 20
#define UDP_HDR_LEN 8
#define ICMP_HDR_LEN 8

#define IPPROTO_V6_HOPOPTS 0
#define IPPROTO_V6_ROUTING 43
#define IPPROTO_V6_FRAGMENT 44
#define IPPROTO_V6_AH 51
#define IPPROTO_V6_NONXT 59
#define IPPROTO_V6_DSTOPTS 60
#define IPPROTO_V6_MOBILITY 135

#define ICMP_ECHO_REPLY 0
#define ICMP_ECHO_REQUEST 8
#define ICMPV6_ECHO_REQUEST 128
#define ICMPV6_ECHO_REPLY 129

/* The L4 region of an IP packet once L3 is decoded. */
struct l3_result {
	uint32_t l4_off;      /* from l3 */
	uint32_t cap_end;     /* captured bytes of the IP packet, from l3 */
	uint32_t wire_end;    /* IP packet length on the wire */
	uint8_t proto;
	bool no_l4;           /* IPv6 "no next header" */
	uint16_t frag;        /* IPv6 fragment header: offset and M */
	uint32_t frag_id;     /* IPv6 fragment header: identification */
};

static inline uint32_t min_u32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

/* Bytes the wire carried from l3 on; falls back to the captured length when
 * the source did not fill wirelen sensibly. */
static uint32_t wire_after(const struct pkt *pkt, uint32_t l3_off)
{
	uint32_t wire = pkt->wirelen > pkt->caplen ? pkt->wirelen : pkt->caplen;

	return wire - l3_off;
}

static enum decode_result decode_ipv4(const uint8_t *ip, uint32_t cap,
				   uint32_t wire, struct pkt_view *pv,
				   struct l3_result *l3)
{
	uint32_t hlen, total;
	uint16_t frag;

	if (cap < IPV4_MIN_HDR)
		return DECODE_DROP_IPV4_TRUNCATED;
	if (ip[0] >> 4 != 4)
		return DECODE_DROP_IPV4_BAD_HEADER;
	hlen = (uint32_t)(ip[0] & 0x0f) * 4;
	if (hlen < IPV4_MIN_HDR)
		return DECODE_DROP_IPV4_BAD_HEADER;
	if (hlen > cap)
		return DECODE_DROP_IPV4_TRUNCATED;
	total = rd16(ip + 2);
	/* Captures taken before TCP segmentation offload report 0 here;
	 * the wire length is the best truth left. */
	if (total == 0)
		total = wire;
	if (total < hlen)
		return DECODE_DROP_IPV4_BAD_HEADER;
	frag = rd16(ip + 6);

	pv->ip_version = 4;
	pv->ttl = ip[8];
	pv->ip_len = total;
	ip_addr_from_v4(&pv->src, ip + 12);
	ip_addr_from_v4(&pv->dst, ip + 16);
	l3->proto = ip[9];
	l3->l4_off = hlen;
	l3->cap_end = min_u32(cap, total);
	l3->wire_end = total;
	/* MF set or an offset: a piece of a datagram, reassembled by the
	 * worker (defrag.c) */
	if ((frag & 0x3fff) != 0) {
		pv->frag_id = rd16(ip + 4);
		pv->frag_offset = frag & 0x1fff;
		pv->frag_more = (frag & 0x2000) != 0;
		return DECODE_IP_FRAGMENT;
	}
	return DECODE_OK;
}

/* Walks the extension header chain up to the upper-layer protocol. The
 * chain must lie within the captured IP packet: a header we cannot see
 * hides the protocol, so the packet is not trusted. */
static enum decode_result ipv6_walk_ext(const uint8_t *ip, struct l3_result *l3)
{
	uint8_t nh = ip[6];
	uint32_t off = IPV6_HDR_LEN;
	uint32_t len;
	int n;

	for (n = 0; n <= IPV6_MAX_EXT; n++) {
		switch (nh) {
		case IPPROTO_V6_HOPOPTS:
			if (n != 0)
				return DECODE_DROP_IPV6_BAD_EXT;
			/* fall through */
		case IPPROTO_V6_ROUTING:
		case IPPROTO_V6_DSTOPTS:
		case IPPROTO_V6_MOBILITY:
			if (off + 2 > l3->cap_end)
				return DECODE_DROP_IPV6_BAD_EXT;
			len = ((uint32_t)ip[off + 1] + 1) * 8;
			break;
		case IPPROTO_V6_AH:
			if (off + 2 > l3->cap_end)
				return DECODE_DROP_IPV6_BAD_EXT;
			len = ((uint32_t)ip[off + 1] + 2) * 4;
			break;
		case IPPROTO_V6_FRAGMENT:
			len = 8;
			if (off + len > l3->cap_end)
				return DECODE_DROP_IPV6_BAD_EXT;
			/* offset or M set; an atomic fragment is whole */
			if ((rd16(ip + off + 2) & 0xfff9) != 0) {
				l3->proto = ip[off];
				l3->l4_off = off + len;
				l3->frag_id = rd32(ip + off + 4);
				l3->frag = rd16(ip + off + 2);
				return DECODE_IP_FRAGMENT;
			}
			break;
		case IPPROTO_V6_NONXT:
			l3->no_l4 = true;
			/* fall through */
		default:
			l3->proto = nh;
			l3->l4_off = off;
			return DECODE_OK;
		}
		if (off + len > l3->cap_end)
			return DECODE_DROP_IPV6_BAD_EXT;
		nh = ip[off];
		off += len;
	}
	return DECODE_DROP_IPV6_BAD_EXT;
}

static enum decode_result decode_ipv6(const uint8_t *ip, uint32_t cap,
				   uint32_t wire, struct pkt_view *pv,
				   struct l3_result *l3)
{
	enum decode_result rc;
	uint32_t plen;

	if (cap < IPV6_HDR_LEN)
		return DECODE_DROP_IPV6_TRUNCATED;
	if (ip[0] >> 4 != 6)
		return DECODE_DROP_NOT_IP;
	plen = rd16(ip + 4);
	/* Jumbograms (and pre-offload captures) carry 0: trust the frame. */
	l3->wire_end = plen ? IPV6_HDR_LEN + plen : wire;
	l3->cap_end = min_u32(cap, l3->wire_end);

	pv->ip_version = 6;
	pv->ttl = ip[7];
	pv->ip_len = l3->wire_end;
	memcpy(pv->src.b, ip + 8, 16);
	memcpy(pv->dst.b, ip + 24, 16);
	rc = ipv6_walk_ext(ip, l3);
	if (rc == DECODE_IP_FRAGMENT) {
		pv->frag_id = l3->frag_id;
		pv->frag_offset = l3->frag >> 3;
		pv->frag_more = l3->frag & 1;
	}
	return rc;
}

/* Payload bounds shared by every L4 decoder: hdr bytes of header, then
 * whatever was captured / carried up to the given ends. */
static void set_payload(struct pkt_view *pv, uint32_t hdr, uint32_t cap_len,
			uint32_t wire_len)
{
	pv->payload = pv->l4 + hdr;
	pv->payload_len = cap_len > hdr ? cap_len - hdr : 0;
	pv->payload_wire_len = wire_len > hdr ? wire_len - hdr : 0;
}

static enum decode_result decode_tcp(struct pkt_view *pv, uint32_t wire_l4)
{
	const uint8_t *th = pv->l4;
	uint32_t hlen;

	if (pv->l4_caplen < TCP_MIN_HDR)
		return DECODE_DROP_L4_TRUNCATED;
	hlen = (uint32_t)(th[12] >> 4) * 4;
	if (hlen < TCP_MIN_HDR || hlen > wire_l4)
		return DECODE_DROP_TCP_BAD_HEADER;
	if (hlen > pv->l4_caplen)
		return DECODE_DROP_L4_TRUNCATED;

	pv->sport = rd16(th);
	pv->dport = rd16(th + 2);
	pv->seq = rd32(th + 4);
	pv->ack = rd32(th + 8);
	pv->tcp_flags = th[13];
	pv->window = rd16(th + 14);
	set_payload(pv, hlen, pv->l4_caplen, wire_l4);
	return DECODE_OK;
}

static enum decode_result decode_udp(struct pkt_view *pv, uint32_t wire_l4)
{
	const uint8_t *uh = pv->l4;
	uint32_t ulen;

	if (pv->l4_caplen < UDP_HDR_LEN || wire_l4 < UDP_HDR_LEN)
		return DECODE_DROP_L4_TRUNCATED;
	pv->sport = rd16(uh);
	pv->dport = rd16(uh + 2);
	/* A UDP length that disagrees with IP (0 in jumbograms, or larger
	 * than the packet) is ignored; a shorter one trims IP padding. */
	ulen = rd16(uh + 4);
	if (ulen >= UDP_HDR_LEN && ulen <= wire_l4)
		wire_l4 = ulen;
	set_payload(pv, UDP_HDR_LEN, min_u32(pv->l4_caplen, wire_l4), wire_l4);
	return DECODE_OK;
}

static bool icmp_is_echo(uint8_t proto, uint8_t type)
{
	if (proto == TW_PROTO_ICMP)
		return type == ICMP_ECHO_REQUEST || type == ICMP_ECHO_REPLY;
	return type == ICMPV6_ECHO_REQUEST || type == ICMPV6_ECHO_REPLY;
}

static enum decode_result decode_icmp(struct pkt_view *pv, uint32_t wire_l4)
{
	const uint8_t *ih = pv->l4;

	if (pv->l4_caplen < ICMP_HDR_LEN)
		return DECODE_DROP_L4_TRUNCATED;
	pv->icmp_type = ih[0];
	pv->icmp_code = ih[1];
	if (icmp_is_echo(pv->proto, pv->icmp_type)) {
		pv->icmp_id = rd16(ih + 4);
		pv->icmp_seq = rd16(ih + 6);
		/* The echo id is what tells two pings apart, like a port. */
		pv->sport = pv->icmp_id;
		pv->dport = pv->icmp_id;
	}
	set_payload(pv, ICMP_HDR_LEN, pv->l4_caplen, wire_l4);
	return DECODE_OK;
}

static enum decode_result decode_l4(struct pkt_view *pv,
				 const struct l3_result *l3)
{
	uint32_t wire_l4 = l3->wire_end > l3->l4_off ?
			   l3->wire_end - l3->l4_off : 0;

	pv->proto = l3->proto;
	pv->l4 = pv->l3 + l3->l4_off;
	pv->l4_caplen = l3->cap_end - l3->l4_off;
	if (l3->no_l4) {
		pv->l4_caplen = 0;
		set_payload(pv, 0, 0, 0);
		return DECODE_OK;
	}

	switch (pv->proto) {
	case TW_PROTO_TCP:
		return decode_tcp(pv, wire_l4);
	case TW_PROTO_UDP:
		return decode_udp(pv, wire_l4);
	case TW_PROTO_ICMP:
		if (pv->ip_version != 4)
			break;
		return decode_icmp(pv, wire_l4);
	case TW_PROTO_ICMPV6:
		if (pv->ip_version != 6)
			break;
		return decode_icmp(pv, wire_l4);
	default:
		break;
	}
	set_payload(pv, 0, pv->l4_caplen, wire_l4);
	return DECODE_OK;
}

/* A fragment's data, for the worker's reassembly: from the end of the
 * IP headers to the end of the IP packet. */
static enum decode_result fragment_view(struct pkt_view *pv,
				     const struct l3_result *l3)
{
	if (l3->l4_off > l3->cap_end)
		return DECODE_DROP_IPV6_BAD_EXT;
	pv->proto = l3->proto;
	pv->l4 = pv->l3 + l3->l4_off;
	pv->l4_caplen = l3->cap_end - l3->l4_off;
	pv->payload = pv->l4;
	pv->payload_len = pv->l4_caplen;
	pv->payload_wire_len = l3->wire_end > l3->l4_off ?
			       l3->wire_end - l3->l4_off : 0;
	return DECODE_IP_FRAGMENT;
}

/* From an IP header on: decodes it, removes the layers it carries (up
 * to decap.max_depth), then decodes the innermost packet's L4. */
static enum decode_result decode_from_ip(const uint8_t *ip, uint32_t cap,
				      uint32_t wire, uint8_t version,
				      struct pkt_view *pv)
{
	struct l3_result l3;
	struct decap_next next;
	enum decode_result rc;

	for (;;) {
		memset(&l3, 0, sizeof(l3));
		pv->l3 = ip;
		if (version == 4)
			rc = decode_ipv4(ip, cap, wire, pv, &l3);
		else
			rc = decode_ipv6(ip, cap, wire, pv, &l3);
		if (rc == DECODE_IP_FRAGMENT)
			return fragment_view(pv, &l3);
		if (rc != DECODE_OK)
			return rc;
		pv->l4 = ip + l3.l4_off;
		if (l3.no_l4 || !decap_may_carry(l3.proto))
			break;
		next.drop = DECODE_OK;
		if (!decap_next_layer(pv, l3.proto, l3.cap_end - l3.l4_off,
				      &next))
			break;
		if (next.drop != DECODE_OK)
			return next.drop;
		ip = pv->l4 + next.off;
		cap = l3.cap_end - l3.l4_off - next.off;
		wire = l3.wire_end > l3.l4_off + next.off ?
		       l3.wire_end - l3.l4_off - next.off : 0;
		version = next.ip_version;
	}
	return decode_l4(pv, &l3);
}

enum decode_result decode_packet(const struct pkt *pkt, struct pkt_view *pv)
{
	struct l2_result l2 = { 0 };
	enum decode_result rc;

	memset(pv, 0, PKT_VIEW_HEAD_SIZE);
	pv->ts_ns = pkt->ts_ns;
	if (!pkt->data)
		return DECODE_DROP_L2_TRUNCATED;

	rc = decode_link(pkt, &l2, pv);
	if (rc != DECODE_OK)
		return rc;

	if (pkt->caplen < l2.l3_off)
		return DECODE_DROP_L2_TRUNCATED;
	return decode_from_ip(pkt->data + l2.l3_off, pkt->caplen - l2.l3_off,
			      wire_after(pkt, l2.l3_off), l2.ip_version, pv);
}

enum decode_result decode_ip_packet(const uint8_t *ip, uint32_t len,
				 uint8_t version, struct pkt_view *pv)
{
	struct pkt_tunnel tunnel = pv->tunnel;
	uint64_t ts = pv->ts_ns;

	memset(pv, 0, sizeof(*pv));
	pv->ts_ns = ts;
	pv->tunnel = tunnel;
	return decode_from_ip(ip, len, len, version, pv);
}

static uint64_t addr_hash(const struct ip_addr *a)
{
	uint64_t hi, lo;

	memcpy(&hi, a->b, sizeof(hi));
	memcpy(&lo, a->b + 8, sizeof(lo));
	return mix64(lo ^ mix64(hi ^ 0x9e3779b97f4a7c15ULL));
}

uint32_t decode_pair_hash(const struct pkt_view *pv)
{
	/* Addition commutes, so src/dst order cannot change the result. */
	uint64_t h = mix64(addr_hash(&pv->src) + addr_hash(&pv->dst));

	return (uint32_t)(h ^ (h >> 32));
}
