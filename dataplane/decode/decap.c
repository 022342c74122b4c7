/* SPDX-License-Identifier: BSD-3-Clause */
/* Decapsulation: the layers monitoring fabrics wrap around the packet we
 * want (VXLAN, Geneve, ERSPAN, GRE, MPLS, PPPoE, IP-in-IP). Each removed
 * layer is noted in pv->tunnel (a bit per kind, counted by the worker, and
 * the outermost layer's metadata); a layer that is recognised but not
 * removed (disabled, too deep, malformed) leaves the packet as it is and
 * says why in pv->tunnel.left. Every read is checked against the captured
 * bytes; the walk is bounded by decap.max_depth and by a fixed number of
 * link-layer headers. */
#include "decode/decap.h"

#include <string.h>

#define ETH_HDR_LEN 14
#define VLAN_TAG_LEN 4
#define VLAN_MAX_TAGS 3     /* per frame: QinQ plus one */
#define L2_MAX_HEADERS 12   /* VLAN tags + label stacks + pseudowires */
#define MPLS_MAX_LABELS 8
#define MPLS_LABEL_LEN 4
#define MPLS_CW_LEN 4
#define PPPOE_HDR_LEN 8     /* 6 bytes PPPoE + 2 bytes PPP protocol */
#define UDP_HDR_LEN 8
#define VXLAN_HDR_LEN 8
#define GENEVE_HDR_LEN 8
#define GRE_MIN_HDR 4
#define ERSPAN2_HDR_LEN 8
#define ERSPAN3_HDR_LEN 12
#define ERSPAN3_SUBHDR_LEN 8

#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_IPV6 0x86dd
#define ETHERTYPE_VLAN 0x8100
#define ETHERTYPE_QINQ 0x88a8
#define ETHERTYPE_QINQ_OLD 0x9100
#define ETHERTYPE_MPLS 0x8847
#define ETHERTYPE_MPLS_MC 0x8848
#define ETHERTYPE_PPPOE_SESSION 0x8864
#define ETHERTYPE_TEB 0x6558      /* transparent Ethernet bridging */
#define ETHERTYPE_ERSPAN_2 0x88be /* type I (no sequence) and II */
#define ETHERTYPE_ERSPAN_3 0x22eb
#define PPP_IPV4 0x0021
#define PPP_IPV6 0x0057


#define GRE_F_CSUM 0x8000
#define GRE_F_ROUTING 0x4000
#define GRE_F_KEY 0x2000
#define GRE_F_SEQ 0x1000
#define GRE_VERSION 0x0007

static const char *const kind_names[DECAP_KINDS] = {
	[DECAP_NONE] = "none",
	[DECAP_VXLAN] = "vxlan",
	[DECAP_GENEVE] = "geneve",
	[DECAP_ERSPAN] = "erspan",
	[DECAP_GRE] = "gre",
	[DECAP_MPLS] = "mpls",
	[DECAP_PPPOE] = "pppoe",
	[DECAP_IPIP] = "ipip",
	[DECAP_6IN4] = "6in4",
	[DECAP_4IN6] = "4in6",
};

/* Read by every decoding thread, written once before they start. */
static struct decap_config decap_cfg = {
	.enabled = DECAP_ALL,
	.max_depth = 4,
	.mpls_pseudowire = true,
	.mpls_control_word = true,
	.vxlan_ports = { 4789 },
	.geneve_ports = { 6081 },
	.n_vxlan_ports = 1,
	.n_geneve_ports = 1,
};

void decap_config_defaults(struct decap_config *c)
{
	memset(c, 0, sizeof(*c));
	c->enabled = DECAP_ALL;
	c->max_depth = 4;
	c->mpls_pseudowire = true;
	c->mpls_control_word = true;
	c->vxlan_ports[0] = 4789;
	c->n_vxlan_ports = 1;
	c->geneve_ports[0] = 6081;
	c->n_geneve_ports = 1;
}

void decap_configure(const struct decap_config *c)
{
	decap_cfg = *c;
}

const char *decap_kind_name(unsigned kind)
{
	return kind < DECAP_KINDS ? kind_names[kind] : NULL;
}

enum decap_kind decap_kind_parse(const char *name)
{
	for (unsigned k = DECAP_NONE + 1; k < DECAP_KINDS; k++)
		if (strcmp(name, kind_names[k]) == 0)
			return (enum decap_kind)k;
	return DECAP_NONE;
}

static bool port_in(const uint16_t *ports, unsigned n, uint16_t port)
{
	for (unsigned i = 0; i < n; i++)
		if (ports[i] == port)
			return true;
	return false;
}

/* Leaves the layer in place and says why; the first reason is kept. */
static bool decap_leave(struct pkt_view *pv, enum decap_left why)
{
	if (!pv->tunnel.left)
		pv->tunnel.left = (uint8_t)why;
	return false;
}

/* May a layer of this kind be removed now? Says why not otherwise. */
static bool decap_allowed(struct pkt_view *pv, enum decap_kind kind)
{
	if (!(decap_cfg.enabled & (1u << kind)))
		return decap_leave(pv, DECAP_LEFT_DISABLED);
	if (pv->tunnel.depth >= decap_cfg.max_depth)
		return decap_leave(pv, DECAP_LEFT_TOO_DEEP);
	return true;
}

/* Notes one removed layer. The metadata kept is the outermost layer's,
 * except that the first layer carried over IP replaces one that had no
 * addresses (MPLS on the link): the outer address pair is what an
 * operator looks up. outer_proto 0: no IP header around this layer, so
 * pv->src/dst are not an outer pair. */
static void decap_note(struct pkt_view *pv, enum decap_kind kind,
		       uint8_t outer_proto, bool has_id, uint32_t id)
{
	struct pkt_tunnel *t = &pv->tunnel;

	if (t->depth == 0 || (t->outer_proto == 0 && outer_proto != 0)) {
		t->kind = (uint8_t)kind;
		t->outer_proto = outer_proto;
		t->has_id = has_id;
		t->id = has_id ? id : 0;
		if (outer_proto) {
			t->src = pv->src;
			t->dst = pv->dst;
		}
	}
	t->layers |= (uint16_t)(1u << kind);
	t->depth++;
}

static void note_vlan(struct pkt_tunnel *t, uint16_t tci)
{
	if (t->n_vlan < 2)
		t->vlan[t->n_vlan++] = tci & 0x0fff;
}

/* Where the walk over link-layer headers stands. */
struct l2_walk {
	const uint8_t *data;
	uint32_t cap;
	uint32_t off;     /* next header */
	uint16_t type;    /* its ethertype */
};

/* MPLS: skips the label stack and decides what the payload is by its
 * first nibble (4, 6) or, for a pseudowire, Ethernet (behind a control
 * word, first nibble 0, when decap.mpls_control_word). Returns 1 when
 * the walk goes on with an inner Ethernet header, 0 when l2 is set to IP,
 * or a drop reason. */
static int mpls_walk(struct l2_walk *w, struct pkt_view *pv,
		     struct l2_result *l2)
{
	uint32_t label = 0, n = 0;
	uint8_t nibble;

	if (!decap_allowed(pv, DECAP_MPLS))
		return DECODE_DROP_NOT_IP;
	for (;;) {
		if (w->cap < w->off + MPLS_LABEL_LEN)
			return DECODE_DROP_L2_TRUNCATED;
		if (n == 0)
			label = rd32(w->data + w->off) >> 12;
		n++;
		w->off += MPLS_LABEL_LEN;
		if (w->data[w->off - 2] & 0x01)  /* bottom of stack */
			break;
		if (n == MPLS_MAX_LABELS) {
			decap_leave(pv, DECAP_LEFT_MALFORMED);
			return DECODE_DROP_NOT_IP;
		}
	}
	if (w->cap < w->off + 1)
		return DECODE_DROP_L2_TRUNCATED;
	nibble = w->data[w->off] >> 4;
	decap_note(pv, DECAP_MPLS, 0, true, label);
	if (nibble == 4 || nibble == 6) {
		l2->l3_off = w->off;
		l2->ip_version = nibble;
		return 0;
	}
	if (!decap_cfg.mpls_pseudowire) {
		decap_leave(pv, DECAP_LEFT_DISABLED);
		return DECODE_DROP_NOT_IP;
	}
	if (decap_cfg.mpls_control_word) {
		if (nibble != 0) {
			decap_leave(pv, DECAP_LEFT_MALFORMED);
			return DECODE_DROP_NOT_IP;
		}
		w->off += MPLS_CW_LEN;
	}
	if (w->cap < w->off + ETH_HDR_LEN)
		return DECODE_DROP_L2_TRUNCATED;
	w->type = rd16(w->data + w->off + 12);
	w->off += ETH_HDR_LEN;
	return 1;
}

/* PPPoE session: 6 bytes of PPPoE, then the PPP protocol. */
static int pppoe_walk(struct l2_walk *w, struct pkt_view *pv,
		      struct l2_result *l2)
{
	uint16_t ppp;

	if (!decap_allowed(pv, DECAP_PPPOE))
		return DECODE_DROP_NOT_IP;
	if (w->cap < w->off + PPPOE_HDR_LEN)
		return DECODE_DROP_L2_TRUNCATED;
	ppp = rd16(w->data + w->off + 6);
	if (ppp != PPP_IPV4 && ppp != PPP_IPV6)
		return DECODE_DROP_NOT_IP;  /* LCP, IPCP...: not traffic */
	decap_note(pv, DECAP_PPPOE, 0, true, rd16(w->data + w->off + 2));
	l2->l3_off = w->off + PPPOE_HDR_LEN;
	l2->ip_version = ppp == PPP_IPV4 ? 4 : 6;
	return 0;
}

enum decode_result decode_ethertype(const uint8_t *data, uint32_t cap,
				 uint32_t type_off, struct l2_result *l2,
				 struct pkt_view *pv)
{
	struct l2_walk w = { data, cap, type_off + 2, rd16(data + type_off) };
	unsigned tags = 0;
	int rc;

	for (unsigned n = 0; n < L2_MAX_HEADERS; n++) {
		switch (w.type) {
		case ETHERTYPE_IPV4:
		case ETHERTYPE_IPV6:
			l2->l3_off = w.off;
			l2->ip_version = w.type == ETHERTYPE_IPV4 ? 4 : 6;
			return DECODE_OK;
		case ETHERTYPE_VLAN:
		case ETHERTYPE_QINQ:
		case ETHERTYPE_QINQ_OLD:
			if (++tags > VLAN_MAX_TAGS)
				return DECODE_DROP_NOT_IP;
			if (cap < w.off + VLAN_TAG_LEN)
				return DECODE_DROP_L2_TRUNCATED;
			note_vlan(&pv->tunnel, rd16(data + w.off));
			w.type = rd16(data + w.off + 2);
			w.off += VLAN_TAG_LEN;
			continue;
		case ETHERTYPE_MPLS:
		case ETHERTYPE_MPLS_MC:
			rc = mpls_walk(&w, pv, l2);
			tags = 0;  /* a pseudowire's frame has its own */
			break;
		case ETHERTYPE_PPPOE_SESSION:
			rc = pppoe_walk(&w, pv, l2);
			break;
		default:
			return DECODE_DROP_NOT_IP;
		}
		if (rc != 1)
			return rc == 0 ? DECODE_OK : (enum decode_result)rc;
	}
	return DECODE_DROP_NOT_IP;
}

/* ---- layers found in an IP packet's payload ---- */

/* An inner Ethernet frame at off of data (VXLAN, Geneve, ERSPAN, GRE
 * 0x6558) into the next layer's start. */
static bool inner_ethernet(const uint8_t *data, uint32_t cap, uint32_t off,
			   struct pkt_view *pv, struct decap_next *next)
{
	struct l2_result l2;
	enum decode_result rc;

	if (cap < off + ETH_HDR_LEN)
		return decap_leave(pv, DECAP_LEFT_MALFORMED);
	/* the layer is gone either way: an inner frame that is not IP
	 * (ARP, LLDP) is dropped for what it is */
	rc = decode_ethertype(data + off, cap - off, ETH_HDR_LEN - 2, &l2, pv);
	if (rc != DECODE_OK) {
		next->drop = rc;
		return true;
	}
	next->off = off + l2.l3_off;
	next->ip_version = l2.ip_version;
	return true;
}

/* The first nibble of an IP header that an ethertype announced. */
static bool inner_ip(const uint8_t *data, uint32_t cap, uint32_t off,
		     uint16_t ethertype, struct pkt_view *pv,
		     struct decap_next *next)
{
	uint8_t want = ethertype == ETHERTYPE_IPV4 ? 4 : 6;

	if (cap < off + 1 || data[off] >> 4 != want)
		return decap_leave(pv, DECAP_LEFT_MALFORMED);
	next->off = off;
	next->ip_version = want;
	return true;
}

/* RFC 7348: flags 0x08 (VNI valid) and zero reserved bytes; the group
 * policy extension (0x88) uses bytes 1-3. Anything else on the port is
 * some other UDP application, analysed as it is. */
static bool vxlan_header_valid(const uint8_t *vx)
{
	if (vx[7] != 0)
		return false;
	if (vx[0] == 0x88)
		return true;
	return vx[0] == 0x08 && vx[1] == 0 && vx[2] == 0 && vx[3] == 0;
}

static bool vxlan_inner(const uint8_t *l4, uint32_t cap, struct pkt_view *pv,
			struct decap_next *next)
{
	const uint8_t *vx = l4 + UDP_HDR_LEN;

	if (!decap_allowed(pv, DECAP_VXLAN))
		return false;
	if (cap < UDP_HDR_LEN + VXLAN_HDR_LEN || !vxlan_header_valid(vx))
		return decap_leave(pv, DECAP_LEFT_MALFORMED);
	decap_note(pv, DECAP_VXLAN, TW_PROTO_UDP, true, rd32(vx + 4) >> 8);
	return inner_ethernet(l4, cap, UDP_HDR_LEN + VXLAN_HDR_LEN, pv, next);
}

/* Geneve: options (as AWS GWLB sends them) skipped by their length. */
static bool geneve_inner(const uint8_t *l4, uint32_t cap, struct pkt_view *pv,
			 struct decap_next *next)
{
	const uint8_t *g = l4 + UDP_HDR_LEN;
	uint32_t hlen;
	uint16_t type;

	if (!decap_allowed(pv, DECAP_GENEVE))
		return false;
	/* version 0, reserved bits and byte zero */
	if (cap < UDP_HDR_LEN + GENEVE_HDR_LEN || (g[0] >> 6) != 0 ||
	    (g[1] & 0x3f) != 0 || g[7] != 0)
		return decap_leave(pv, DECAP_LEFT_MALFORMED);
	hlen = GENEVE_HDR_LEN + (uint32_t)(g[0] & 0x3f) * 4;
	type = rd16(g + 2);
	if (type != ETHERTYPE_TEB && type != ETHERTYPE_IPV4 &&
	    type != ETHERTYPE_IPV6)
		return decap_leave(pv, DECAP_LEFT_MALFORMED);
	decap_note(pv, DECAP_GENEVE, TW_PROTO_UDP, true, rd32(g + 4) >> 8);
	if (type == ETHERTYPE_TEB)
		return inner_ethernet(l4, cap, UDP_HDR_LEN + hlen, pv, next);
	return inner_ip(l4, cap, UDP_HDR_LEN + hlen, type, pv, next);
}

/* ERSPAN behind GRE: type I has no header (GRE without sequence
 * number), type II 8 bytes, type III 12 (+8 with the platform
 * subheader); the session id is the low 10 bits of bytes 2-3. */
static bool erspan_inner(const uint8_t *gre, uint32_t cap, uint32_t off,
			 uint16_t type, bool has_seq, uint8_t ip_proto,
			 struct pkt_view *pv, struct decap_next *next)
{
	uint32_t hlen;
	uint32_t session = 0;

	if (!decap_allowed(pv, DECAP_ERSPAN))
		return false;
	if (type == ETHERTYPE_ERSPAN_2 && !has_seq) {
		decap_note(pv, DECAP_ERSPAN, ip_proto, false, 0); /* type I */
		return inner_ethernet(gre, cap, off, pv, next);
	}
	hlen = type == ETHERTYPE_ERSPAN_2 ? ERSPAN2_HDR_LEN : ERSPAN3_HDR_LEN;
	if (cap < off + hlen)
		return decap_leave(pv, DECAP_LEFT_MALFORMED);
	session = rd16(gre + off + 2) & 0x03ff;
	if (type == ETHERTYPE_ERSPAN_3 && (gre[off + 11] & 0x01))
		hlen += ERSPAN3_SUBHDR_LEN;
	decap_note(pv, DECAP_ERSPAN, ip_proto, true, session);
	return inner_ethernet(gre, cap, off + hlen, pv, next);
}

/* An MPLS stack right after GRE (protocol 0x8847). */
static bool gre_mpls_inner(const uint8_t *gre, uint32_t cap, uint32_t off,
			   struct pkt_view *pv, struct decap_next *next)
{
	struct l2_result l2;
	struct l2_walk w = { gre, cap, off, ETHERTYPE_MPLS };
	int rc;

	rc = mpls_walk(&w, pv, &l2);
	if (rc == 0) {
		next->off = l2.l3_off;
		next->ip_version = l2.ip_version;
		return true;
	}
	if (rc != 1) {
		next->drop = (enum decode_result)rc;
		return true;
	}
	rc = decode_ethertype(gre, cap, w.off - 2, &l2, pv);
	if (rc != DECODE_OK) {
		next->drop = (enum decode_result)rc;
		return true;
	}
	next->off = l2.l3_off;
	next->ip_version = l2.ip_version;
	return true;
}

/* GRE (RFC 2784/2890): optional checksum, key and sequence number. */
static bool gre_inner(const uint8_t *gre, uint32_t cap, uint8_t ip_proto,
		      struct pkt_view *pv, struct decap_next *next)
{
	uint32_t off = GRE_MIN_HDR, key = 0;
	uint16_t flags, type;

	if (cap < GRE_MIN_HDR)
		return decap_leave(pv, DECAP_LEFT_MALFORMED);
	flags = rd16(gre);
	type = rd16(gre + 2);
	if ((flags & GRE_VERSION) != 0 || (flags & GRE_F_ROUTING))
		return decap_leave(pv, DECAP_LEFT_MALFORMED); /* PPTP, SRE */
	if (flags & GRE_F_CSUM)
		off += 4;
	if (flags & GRE_F_KEY) {
		if (cap < off + 4)
			return decap_leave(pv, DECAP_LEFT_MALFORMED);
		key = rd32(gre + off);
		off += 4;
	}
	if (flags & GRE_F_SEQ)
		off += 4;
	if (type == ETHERTYPE_ERSPAN_2 || type == ETHERTYPE_ERSPAN_3)
		return erspan_inner(gre, cap, off, type,
				    (flags & GRE_F_SEQ) != 0, ip_proto, pv,
				    next);
	if (!decap_allowed(pv, DECAP_GRE))
		return false;
	switch (type) {
	case ETHERTYPE_IPV4:
	case ETHERTYPE_IPV6:
		decap_note(pv, DECAP_GRE, ip_proto, flags & GRE_F_KEY, key);
		return inner_ip(gre, cap, off, type, pv, next);
	case ETHERTYPE_TEB:
		decap_note(pv, DECAP_GRE, ip_proto, flags & GRE_F_KEY, key);
		return inner_ethernet(gre, cap, off, pv, next);
	case ETHERTYPE_MPLS:
		decap_note(pv, DECAP_GRE, ip_proto, flags & GRE_F_KEY, key);
		return gre_mpls_inner(gre, cap, off, pv, next);
	default:
		return decap_leave(pv, DECAP_LEFT_MALFORMED);
	}
}

static bool ip_in_ip(uint8_t proto, uint32_t cap, struct pkt_view *pv,
		     struct decap_next *next)
{
	uint8_t inner = proto == DECAP_PROTO_IPIP ? 4 : 6;
	enum decap_kind kind;

	if (inner == pv->ip_version)
		kind = DECAP_IPIP;
	else
		kind = inner == 6 ? DECAP_6IN4 : DECAP_4IN6;
	if (!decap_allowed(pv, kind))
		return false;
	if (cap < 1 || pv->l4[0] >> 4 != inner)
		return decap_leave(pv, DECAP_LEFT_MALFORMED);
	decap_note(pv, kind, proto, false, 0);
	next->off = 0;
	next->ip_version = inner;
	return true;
}

bool decap_next_layer(struct pkt_view *pv, uint8_t proto, uint32_t cap,
		      struct decap_next *next)
{
	const uint8_t *l4 = pv->l4;
	uint16_t dport;

	switch (proto) {
	case TW_PROTO_UDP:
		if (cap < UDP_HDR_LEN)
			return false;
		dport = rd16(l4 + 2);
		if (port_in(decap_cfg.vxlan_ports, decap_cfg.n_vxlan_ports,
			    dport))
			return vxlan_inner(l4, cap, pv, next);
		if (port_in(decap_cfg.geneve_ports, decap_cfg.n_geneve_ports,
			    dport))
			return geneve_inner(l4, cap, pv, next);
		return false;
	case DECAP_PROTO_GRE:
		return gre_inner(l4, cap, DECAP_PROTO_GRE, pv, next);
	case DECAP_PROTO_IPIP:
	case DECAP_PROTO_IPV6:
		return ip_in_ip(proto, cap, pv, next);
	default:
		return false;
	}
}
