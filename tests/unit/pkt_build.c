/* SPDX-License-Identifier: BSD-3-Clause */
/* Packet crafting for unit tests; see pkt_build.h. Frames are written
 * front to back with every length known up front, so no field is patched
 * after the fact. */
#include "pkt_build.h"
#include "decode/decode.h"

#include <arpa/inet.h>
#include <stdbool.h>
#include <string.h>

#define PB_ETH_LEN 14
#define PB_SLL_LEN 16
#define PB_SLL2_LEN 20
#define PB_NULL_LEN 4
#define PB_IPV4_LEN 20
#define PB_IPV6_LEN 40
#define PB_TCP_LEN 20
#define PB_UDP_LEN 8
#define PB_ICMP_LEN 8

#define PB_NULL_AF_INET 2
#define PB_NULL_AF_INET6 30   /* macOS value, as most NULL captures */
#define PB_LOOP_AF_INET6 24   /* OpenBSD value */

struct pb_writer {
	uint8_t *buf;
	uint32_t cap;
	uint32_t off;
	bool overflow;
};

/* Resolved view of a spec: defaults applied, addresses parsed. */
struct pb_plan {
	uint8_t version;
	uint8_t proto;
	uint8_t src[16], dst[16];
	uint32_t ext_len;
	uint32_t l4_hdr_len;
	uint32_t ip_len;        /* IP header(s) + L4 header + payload */
};

static uint8_t *pb_put(struct pb_writer *w, uint32_t n)
{
	uint8_t *p;

	if (w->overflow || n > w->cap - w->off) {
		w->overflow = true;
		return NULL;
	}
	p = w->buf + w->off;
	memset(p, 0, n);
	w->off += n;
	return p;
}

static void wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void wr32(uint8_t *p, uint32_t v)
{
	wr16(p, (uint16_t)(v >> 16));
	wr16(p + 2, (uint16_t)v);
}

static uint32_t ext_len_of(uint8_t ext)
{
	switch (ext) {
	case PB_EXT_NONE:
		return 0;
	case PB_EXT_AH:
		return 16;
	default:
		return 8;
	}
}

static uint8_t ext_proto_of(uint8_t ext)
{
	switch (ext) {
	case PB_EXT_HOPOPTS:
		return 0;
	case PB_EXT_ROUTING:
		return 43;
	case PB_EXT_FRAGMENT:
		return 44;
	case PB_EXT_AH:
		return 51;
	default:
		return 60;
	}
}

static uint32_t l4_hdr_len_of(const struct pb_spec *s, uint8_t proto)
{
	switch (proto) {
	case TW_PROTO_TCP:
		return PB_TCP_LEN + s->tcp_opt_len;
	case TW_PROTO_UDP:
		return PB_UDP_LEN;
	case TW_PROTO_ICMP:
	case TW_PROTO_ICMPV6:
		return PB_ICMP_LEN;
	default:
		return 0;
	}
}

static int parse_addr(const char *text, uint8_t version, uint8_t out[16])
{
	return inet_pton(version == 4 ? AF_INET : AF_INET6, text, out) == 1 ?
	       0 : -1;
}

static int pb_plan_make(const struct pb_spec *s, struct pb_plan *pl)
{
	const char *src = s->src, *dst = s->dst;

	memset(pl, 0, sizeof(*pl));
	pl->version = s->ip_version;
	if (!pl->version)
		pl->version = src && strchr(src, ':') ? 6 : 4;
	if (pl->version != 4 && pl->version != 6)
		return -1;
	if (!src)
		src = pl->version == 4 ? "10.0.0.1" : "2001:db8::1";
	if (!dst)
		dst = pl->version == 4 ? "10.0.0.2" : "2001:db8::2";
	if (parse_addr(src, pl->version, pl->src) ||
	    parse_addr(dst, pl->version, pl->dst))
		return -1;
	if (s->ip_opt_len % 4 || s->ip_opt_len > 40 ||
	    s->tcp_opt_len % 4 || s->tcp_opt_len > 40 || s->n_vlan > 3 ||
	    s->ipv6_ext > PB_EXT_AH)
		return -1;

	pl->proto = s->proto ? s->proto : TW_PROTO_TCP;
	if (pl->proto == TW_PROTO_ICMP && pl->version == 6)
		pl->proto = TW_PROTO_ICMPV6;
	pl->ext_len = pl->version == 6 ? ext_len_of(s->ipv6_ext) : 0;
	pl->l4_hdr_len = l4_hdr_len_of(s, pl->proto);
	pl->ip_len = (pl->version == 4 ? PB_IPV4_LEN + (uint32_t)s->ip_opt_len :
		      PB_IPV6_LEN + pl->ext_len) +
		     pl->l4_hdr_len + s->payload_len;
	return 0;
}

static uint16_t pb_ethertype(const struct pb_spec *s, const struct pb_plan *pl)
{
	if (s->ethertype)
		return s->ethertype;
	return pl->version == 4 ? 0x0800 : 0x86dd;
}

static void put_ethernet(struct pb_writer *w, const struct pb_spec *s,
			 const struct pb_plan *pl)
{
	static const uint8_t macs[12] = {
		0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01
	};
	uint8_t *p = pb_put(w, 12);
	int i;

	if (p)
		memcpy(p, macs, sizeof(macs));
	for (i = 0; i < s->n_vlan; i++) {
		uint16_t tpid = s->vlan_tpid[i];

		if (!tpid)
			tpid = i + 1 < s->n_vlan ? 0x88a8 : 0x8100;
		p = pb_put(w, 4);
		if (!p)
			return;
		wr16(p, tpid);
		wr16(p + 2, s->vlan[i]);
	}
	p = pb_put(w, 2);
	if (p)
		wr16(p, pb_ethertype(s, pl));
}

static void put_sll(struct pb_writer *w, const struct pb_spec *s,
		    const struct pb_plan *pl)
{
	uint8_t *p = pb_put(w, PB_SLL_LEN);

	if (!p)
		return;
	wr16(p, 0);          /* packet type: to us */
	wr16(p + 2, 1);      /* ARPHRD_ETHER */
	wr16(p + 4, 6);      /* address length */
	p[6] = 0x02;
	wr16(p + 14, pb_ethertype(s, pl));
}

static void put_sll2(struct pb_writer *w, const struct pb_spec *s,
		     const struct pb_plan *pl)
{
	uint8_t *p = pb_put(w, PB_SLL2_LEN);

	if (!p)
		return;
	wr16(p, pb_ethertype(s, pl));
	wr32(p + 4, 1);      /* interface index */
	wr16(p + 8, 1);      /* ARPHRD_ETHER */
	p[11] = 6;           /* address length */
	p[12] = 0x02;
}

static void put_null(struct pb_writer *w, const struct pb_plan *pl,
		     bool network_order)
{
	uint8_t *p = pb_put(w, PB_NULL_LEN);
	uint32_t family;

	if (!p)
		return;
	if (network_order) {
		wr32(p, pl->version == 4 ? PB_NULL_AF_INET : PB_LOOP_AF_INET6);
		return;
	}
	family = pl->version == 4 ? PB_NULL_AF_INET : PB_NULL_AF_INET6;
	memcpy(p, &family, sizeof(family));
}

static int put_link(struct pb_writer *w, const struct pb_spec *s,
		    const struct pb_plan *pl)
{
	switch (s->linktype) {
	case TW_LINK_ETHERNET:
		put_ethernet(w, s, pl);
		return 0;
	case TW_LINK_LINUX_SLL:
		put_sll(w, s, pl);
		return 0;
	case TW_LINK_LINUX_SLL2:
		put_sll2(w, s, pl);
		return 0;
	case TW_LINK_NULL:
		put_null(w, pl, false);
		return 0;
	case TW_LINK_LOOP:
		put_null(w, pl, true);
		return 0;
	case TW_LINK_RAW:
	case TW_LINK_IPV4:
	case TW_LINK_IPV6:
		return 0;
	default:
		return -1;
	}
}

static uint16_t frag_field(const struct pb_spec *s)
{
	return (uint16_t)(s->frag_offset | (s->more_fragments ? 1 : 0));
}

static void put_ipv4(struct pb_writer *w, const struct pb_spec *s,
		     const struct pb_plan *pl)
{
	uint32_t hlen = PB_IPV4_LEN + s->ip_opt_len;
	uint8_t *p = pb_put(w, hlen);
	uint16_t frag = (uint16_t)(s->frag_offset >> 3);

	if (!p)
		return;
	p[0] = (uint8_t)(0x40 | hlen / 4);
	wr16(p + 2, (uint16_t)pl->ip_len);
	wr16(p + 4, 0x1234);
	if (s->more_fragments)
		frag |= 0x2000;
	wr16(p + 6, frag);
	p[8] = s->ttl ? s->ttl : 64;
	p[9] = pl->proto;
	memcpy(p + 12, pl->src, 4);
	memcpy(p + 16, pl->dst, 4);
	memset(p + PB_IPV4_LEN, 1, s->ip_opt_len);  /* NOP options */
}

static void put_ipv6_ext(struct pb_writer *w, const struct pb_spec *s,
			 const struct pb_plan *pl)
{
	uint8_t *p = pb_put(w, pl->ext_len);

	if (!p)
		return;
	p[0] = pl->proto;
	switch (s->ipv6_ext) {
	case PB_EXT_FRAGMENT:
		wr16(p + 2, frag_field(s));
		wr32(p + 4, 0x1234);
		break;
	case PB_EXT_AH:
		p[1] = (uint8_t)(pl->ext_len / 4 - 2);
		break;
	case PB_EXT_ROUTING:
		break;
	default:
		/* PadN option filling the 6 bytes after next-hdr/len */
		p[2] = 1;
		p[3] = 4;
		break;
	}
}

static void put_ipv6(struct pb_writer *w, const struct pb_spec *s,
		     const struct pb_plan *pl)
{
	uint8_t *p = pb_put(w, PB_IPV6_LEN);

	if (!p)
		return;
	p[0] = 0x60;
	wr16(p + 4, (uint16_t)(pl->ip_len - PB_IPV6_LEN));
	p[6] = pl->ext_len ? ext_proto_of(s->ipv6_ext) : pl->proto;
	p[7] = s->ttl ? s->ttl : 64;
	memcpy(p + 8, pl->src, 16);
	memcpy(p + 24, pl->dst, 16);
	if (pl->ext_len)
		put_ipv6_ext(w, s, pl);
}

static void put_l4(struct pb_writer *w, const struct pb_spec *s,
		   const struct pb_plan *pl)
{
	uint8_t *p = pb_put(w, pl->l4_hdr_len);

	if (!p || !pl->l4_hdr_len)
		return;
	switch (pl->proto) {
	case TW_PROTO_TCP:
		wr16(p, s->sport);
		wr16(p + 2, s->dport);
		wr32(p + 4, s->seq);
		wr32(p + 8, s->ack);
		p[12] = (uint8_t)(pl->l4_hdr_len / 4 << 4);
		p[13] = s->tcp_flags;
		wr16(p + 14, s->window);
		memset(p + PB_TCP_LEN, 1, s->tcp_opt_len);  /* NOP options */
		break;
	case TW_PROTO_UDP:
		wr16(p, s->sport);
		wr16(p + 2, s->dport);
		wr16(p + 4, (uint16_t)(PB_UDP_LEN + s->payload_len));
		break;
	default:  /* ICMP, ICMPv6 */
		p[0] = s->icmp_type;
		p[1] = s->icmp_code;
		wr16(p + 4, s->icmp_id);
		wr16(p + 6, s->icmp_seq);
		break;
	}
}

uint32_t pb_build(const struct pb_spec *s, uint8_t *buf, uint32_t cap)
{
	struct pb_writer w = { .buf = buf, .cap = cap };
	struct pb_plan pl;
	uint8_t *p;

	if (!s || !buf || pb_plan_make(s, &pl) || pl.ip_len > 0xffff)
		return 0;
	if (put_link(&w, s, &pl))
		return 0;
	if (pl.version == 4)
		put_ipv4(&w, s, &pl);
	else
		put_ipv6(&w, s, &pl);
	put_l4(&w, s, &pl);
	p = pb_put(&w, s->payload_len);
	if (p && s->payload_len && s->payload)
		memcpy(p, s->payload, s->payload_len);
	pb_put(&w, s->trailer_len);
	return w.overflow ? 0 : w.off;
}

void pb_pkt(struct pkt *p, const uint8_t *buf, uint32_t len, uint64_t ts_ns,
	    uint16_t linktype)
{
	memset(p, 0, sizeof(*p));
	p->data = buf;
	p->caplen = len;
	p->wirelen = len;
	p->ts_ns = ts_ns;
	p->linktype = linktype;
}

uint32_t pb_l3_offset(const struct pb_spec *s)
{
	switch (s->linktype) {
	case TW_LINK_ETHERNET:
		return PB_ETH_LEN + 4u * s->n_vlan;
	case TW_LINK_LINUX_SLL:
		return PB_SLL_LEN;
	case TW_LINK_LINUX_SLL2:
		return PB_SLL2_LEN;
	case TW_LINK_NULL:
	case TW_LINK_LOOP:
		return PB_NULL_LEN;
	default:
		return 0;
	}
}
