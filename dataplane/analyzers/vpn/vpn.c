/* SPDX-License-Identifier: BSD-3-Clause */
/* VPNs are tunnels (issue 12, item 6). A VPN from an inside host to a
 * server that is not one of the organisation's gateways carries the
 * host's whole traffic out of sight: tunnel.vpn, medium; high on 443 or
 * 53, ports picked to pass firewalls. Any port is looked at: the protocol
 * is told from the first message of each direction, and a VPN is only
 * reported when the responder answered with the matching message.
 *
 *  - OpenVPN, TLS mode: the client's P_CONTROL_HARD_RESET_CLIENT_V2/V3
 *    (opcode 7 or 10, key id 0, in the top 5 / low 3 bits of the first
 *    byte) answered by P_CONTROL_HARD_RESET_SERVER_V2 (8). Over TCP every
 *    packet has a 2-byte length first. Static-key mode has no opcode and
 *    is not recognised (fully_encrypted.c may see it).
 *  - WireGuard: handshake initiation (type 1, three zero bytes, 148 bytes)
 *    answered by a response (type 2, 92 bytes) whose receiver index is the
 *    initiator's sender index.
 *  - IKE (IPsec): a 28-byte ISAKMP header, IKEv1 or v2, initiator SPI set
 *    and responder SPI zero, length = the datagram's (after the 4 zero
 *    bytes of NAT-T's non-ESP marker), answered with the same initiator
 *    SPI.
 *  - L2TPv2 control: flags T, L, S and version 2, length = the datagram's,
 *    first AVP Message Type SCCRQ (1) answered by SCCRP (2).
 *
 * The host is the originator. With hosts.home_net set, a VPN opened from
 * outside (to an inside server) is not this family's. Flows to an address
 * in tunnel.vpn_gateways are the organisation's own VPN: no finding.
 *
 * Memory: 16 bytes per flow, nothing per worker. */
#include <string.h>

#include "analyzers/analyzer.h"
#include "config/config.h"

enum vpn_proto { VPN_NONE = 0, VPN_OPENVPN, VPN_WIREGUARD, VPN_IKE, VPN_L2TP };

static const char *const vpn_names[] = {
	[VPN_NONE] = "none", [VPN_OPENVPN] = "openvpn",
	[VPN_WIREGUARD] = "wireguard", [VPN_IKE] = "ike", [VPN_L2TP] = "l2tp",
};

struct vpn_flow {
	uint8_t proto;           /* enum vpn_proto the originator opened with */
	uint8_t ike_version;
	uint8_t decided;
	uint8_t pad;
	uint8_t id[8];           /* WireGuard sender index, IKE initiator SPI */
	uint32_t pad2;
};

#define OVPN_HARD_RESET_CLIENT_V2 7
#define OVPN_HARD_RESET_SERVER_V2 8
#define OVPN_HARD_RESET_CLIENT_V3 10
#define OVPN_MIN_RESET 14        /* opcode, session id, ack count, packet id */

#define WG_INITIATION_BYTES 148
#define WG_RESPONSE_BYTES 92

#define IKE_HEADER_BYTES 28

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/* OpenVPN's opcode of a control packet with key id 0, else 0. Over TCP
 * the packet follows its 2-byte length. */
static unsigned openvpn_opcode(const uint8_t *d, uint32_t len, bool tcp)
{
	if (tcp) {
		uint16_t plen;

		if (len < 3)
			return 0;
		plen = be16(d);
		if (plen < OVPN_MIN_RESET || plen > 1600)
			return 0;
		d += 2;
		len -= 2;
	} else if (len < OVPN_MIN_RESET) {
		return 0;
	}
	if ((d[0] & 7) != 0)
		return 0;
	return d[0] >> 3;
}

static bool wireguard_message(const uint8_t *d, uint32_t len, uint8_t type,
			      uint32_t size)
{
	return len == size && d[0] == type && d[1] == 0 && d[2] == 0 &&
	       d[3] == 0;
}

/* The ISAKMP header of a datagram (after NAT-T's marker), NULL if none. */
static const uint8_t *ike_header(const uint8_t *d, uint32_t len)
{
	static const uint8_t zero_spi[8];
	uint8_t version, exchange;

	if (len >= 4 + IKE_HEADER_BYTES && be32(d) == 0) {
		d += 4;       /* non-ESP marker (RFC 3948) */
		len -= 4;
	}
	if (len < IKE_HEADER_BYTES || be32(d + 24) != len ||
	    memcmp(d, zero_spi, 8) == 0)
		return NULL;
	version = d[17];
	exchange = d[18];
	if (version == 0x20)
		return exchange >= 34 && exchange <= 37 ? d : NULL;
	if (version == 0x10)
		return (exchange >= 1 && exchange <= 5) || exchange == 32 ? d : NULL;
	return NULL;
}

/* L2TPv2 control message with its first AVP, Message Type = type. */
static bool l2tp_control(const uint8_t *d, uint32_t len, uint16_t type)
{
	static const uint8_t avp_head[] = { 0x80, 0x08, 0, 0, 0, 0 };

	return len >= 20 && d[0] == 0xc8 && (d[1] & 0x0f) == 2 &&
	       be16(d + 2) == len && memcmp(d + 12, avp_head, 6) == 0 &&
	       be16(d + 18) == type;
}

/* The originator's first message: which VPN it opens, if any. */
static void opening(struct vpn_flow *v, const struct flow *f,
		    const uint8_t *d, uint32_t len)
{
	bool tcp = f->proto == TW_PROTO_TCP;
	unsigned op = openvpn_opcode(d, len, tcp);
	const uint8_t *ike;

	if (op == OVPN_HARD_RESET_CLIENT_V2 || op == OVPN_HARD_RESET_CLIENT_V3) {
		v->proto = VPN_OPENVPN;
		return;
	}
	if (tcp)
		return;
	if (wireguard_message(d, len, 1, WG_INITIATION_BYTES)) {
		v->proto = VPN_WIREGUARD;
		memcpy(v->id, d + 4, 4);
	} else if ((ike = ike_header(d, len)) != NULL &&
		   be32(ike + 8) == 0 && be32(ike + 12) == 0) {
		v->proto = VPN_IKE;
		v->ike_version = ike[17] >> 4;
		memcpy(v->id, ike, 8);
	} else if (l2tp_control(d, len, 1)) {
		v->proto = VPN_L2TP;
	}
}

/* The responder's first message: does it answer the opening? */
static bool answer(const struct vpn_flow *v, const struct flow *f,
		   const uint8_t *d, uint32_t len)
{
	const uint8_t *ike;

	switch (v->proto) {
	case VPN_OPENVPN:
		return openvpn_opcode(d, len, f->proto == TW_PROTO_TCP) ==
		       OVPN_HARD_RESET_SERVER_V2;
	case VPN_WIREGUARD:
		return wireguard_message(d, len, 2, WG_RESPONSE_BYTES) &&
		       memcmp(d + 8, v->id, 4) == 0;
	case VPN_IKE:
		ike = ike_header(d, len);
		return ike && memcmp(ike, v->id, 8) == 0;
	case VPN_L2TP:
		return l2tp_control(d, len, 2);
	default:
		return false;
	}
}

/* An inside host's VPN to a server that is not a gateway of ours. */
static bool reportable(const struct tw_config *cfg, const struct flow *f)
{
	if (cfg->hosts.home_net.n &&
	    !prefix_list_contains(&cfg->hosts.home_net, &f->orig_addr))
		return false;
	return !prefix_list_contains(&cfg->tunnel.vpn_gateways, &f->resp_addr);
}

static void report(struct an_ctx *c, const struct flow *f,
		   const struct vpn_flow *v)
{
	uint16_t port = flow_service_port(f);
	bool evasive = port == 443 || port == 53;
	const char *name = vpn_names[v->proto];
	char peer[64];
	struct finding fd;

	finding_init(&fd, f, FK_TUNNEL_VPN, evasive ? SEV_HIGH : SEV_MEDIUM);
	ip_addr_format(&f->resp_addr, peer, sizeof(peer));
	finding_summary(&fd, "%s VPN over %s to %s:%u, not a configured VPN gateway%s",
			name, f->proto == TW_PROTO_TCP ? "TCP" : "UDP", peer,
			port, evasive ? ", on a port most firewalls pass" : "");
	an_add_nesting(c, f, &fd);
	finding_add_str(&fd, "vpn", name);
	finding_add_int(&fd, "port", port);
	finding_add_bool(&fd, "evasive_port", evasive);
	if (v->proto == VPN_IKE)
		finding_add_int(&fd, "ike_version", v->ike_version);
	an_emit(c, &fd);
}

static void vpn_on_payload(struct an_ctx *c, struct flow *f, void *state,
			   enum flow_dir_id dir, const uint8_t *data,
			   uint32_t len, bool gap)
{
	struct vpn_flow *v = state;
	/* a datagram's bytes are counted before it is delivered, a TCP
	 * chunk's after */
	uint32_t before = f->side[dir].stream.inspected -
			  (f->proto == TW_PROTO_TCP ? 0 : len);

	/* only the first message of each direction says anything */
	if (gap) {
		an_payload_done(c, f);
		return;
	}
	if (dir == FLOW_DIR_ORIG) {
		if (before == 0)
			opening(v, f, data, len);
		if (!v->proto)
			an_payload_done(c, f);
		return;
	}
	if (before == 0 && v->proto && answer(v, f, data, len) &&
	    reportable(c->cfg, f))
		report(c, f, v);
	an_payload_done(c, f);
}

static unsigned vpn_flow_classes(const struct tw_config *cfg)
{
	(void)cfg;
	return AN_FLOWS_TCP | AN_FLOWS_UDP;
}

static void vpn_on_inner_stream(struct an_ctx *c, struct flow *f,
				void *state)
{
	(void)f;
	(void)c;
	memset(state, 0, sizeof(struct vpn_flow));
}

static bool vpn_enabled(const struct tw_config *cfg)
{
	return cfg->tunnel.enabled;
}

const struct analyzer vpn_analyzer = {
	.name = "vpn",
	.enabled = vpn_enabled,
	.flow_state_size = sizeof(struct vpn_flow),
	.flow_classes = vpn_flow_classes,
	.on_payload = vpn_on_payload,
	.on_inner_stream = vpn_on_inner_stream,
};
