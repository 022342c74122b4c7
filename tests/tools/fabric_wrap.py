#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Rewrites a classic Ethernet pcap as monitoring fabrics deliver it:
wrapped in a tunnel (VXLAN, Geneve, ERSPAN I/II/III, GRE, MPLS, PPPoE,
IP-in-IP, 6in4, 4in6, nested) or cut into IP fragments (64-byte pieces,
overlapping pieces, conflicting overlaps, IPv6 fragments), or with TCP
segments resent with other bytes (tcp_overlap).

    fabric_wrap.py IN.pcap OUT.pcap MODE [--conflict-from IP]

Bounded: one output packet per input packet for wrappings, at most
MAX_PIECES fragments per packet. Checksums are written for the headers this
script makes (tunnelwatch does not check them, Wireshark does); inner
packets are kept byte for byte, except in the v6 modes, where each IPv4
packet becomes IPv6 with 2001:db8::/96 + the IPv4 address (v6_of()).
"""
import argparse
import ipaddress
import struct
import sys
import zlib

OUTER_SRC, OUTER_DST = "192.0.2.1", "192.0.2.2"
OUTER6_SRC, OUTER6_DST = "2001:db8:ffff::1", "2001:db8:ffff::2"
MAC_A, MAC_B = bytes.fromhex("020000000001"), bytes.fromhex("020000000002")
VNI, ERSPAN_SESSION, GRE_KEY = 4242, 77, 1234
MPLS_LABELS = (1000, 2000)
PPPOE_SESSION = 0x1234
VLANS = (100, 200)
MAX_PIECES = 64
MAX_PACKETS = 200000


def v6_of(v4):
    """10.20.10.2 -> 2001:db8::a14:a02: how the v6 modes rename hosts."""
    return str(ipaddress.IPv6Address(
        int(ipaddress.IPv6Address("2001:db8::")) |
        int(ipaddress.IPv4Address(v4))))


def read_pcap(path, max_packets=MAX_PACKETS):
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack("<I", data[:4])[0]
    if magic not in (0xa1b2c3d4, 0xa1b23c4d):
        sys.exit(f"{path}: not a little-endian classic pcap")
    linktype = struct.unpack("<I", data[20:24])[0]
    if linktype != 1:
        sys.exit(f"{path}: linktype {linktype}, expected Ethernet")
    pkts, off = [], 24
    while off + 16 <= len(data) and len(pkts) < max_packets:
        sec, frac, cap, wire = struct.unpack("<IIII", data[off:off + 16])
        pkts.append((sec, frac, wire, data[off + 16:off + 16 + cap]))
        off += 16 + cap
    return data[:24], pkts


def write_pcap(path, header, pkts):
    # snaplen large enough for the added headers
    header = header[:16] + struct.pack("<I", 65535) + header[20:]
    with open(path, "wb") as f:
        f.write(header)
        for sec, frac, wire, frame in pkts:
            f.write(struct.pack("<IIII", sec, frac, len(frame), len(frame)))
            f.write(frame)


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack(f"!{len(b) // 2}H", b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def ipv4(src, dst, proto, payload, ident=0, frag=0, ttl=64):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident,
                    frag, ttl, proto, 0,
                    ipaddress.IPv4Address(src).packed,
                    ipaddress.IPv4Address(dst).packed)
    return h[:10] + struct.pack("!H", csum(h)) + h[12:] + payload


def ipv6(src, dst, nh, payload, hlim=64):
    return struct.pack("!IHBB16s16s", 0x60000000, len(payload), nh, hlim,
                       ipaddress.IPv6Address(src).packed,
                       ipaddress.IPv6Address(dst).packed) + payload


def udp(sport, dport, payload):
    return struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload


def eth(etype, payload, vlans=()):
    """Ethernet, with 802.1ad/802.1Q tags (outermost first)."""
    tags = b""
    for i, v in enumerate(vlans):
        tpid = 0x88a8 if i < len(vlans) - 1 else 0x8100
        tags += struct.pack("!HH", tpid, v)
    return MAC_B + MAC_A + tags + struct.pack("!H", etype) + payload


def outer4(proto, payload):
    return eth(0x0800, ipv4(OUTER_SRC, OUTER_DST, proto, payload))


def inner_ip(frame):
    """(ethertype, IP bytes) of an untagged Ethernet frame, or None."""
    if len(frame) < 15:
        return None
    etype = struct.unpack("!H", frame[12:14])[0]
    if etype not in (0x0800, 0x86dd):
        return None
    ip = frame[14:]
    if etype == 0x0800:
        ip = ip[:struct.unpack("!H", ip[2:4])[0]]  # no Ethernet padding
    return etype, ip


def flow_port(frame):
    """A source port per inner flow, as Linux picks one for VXLAN."""
    return 49152 + zlib.crc32(frame[14 + 12:14 + 24]) % 16384


def to_v6(ip4):
    """The same packet as IPv6 (addresses by v6_of()); L4 kept as is."""
    ihl = (ip4[0] & 15) * 4
    src = v6_of(str(ipaddress.IPv4Address(ip4[12:16])))
    dst = v6_of(str(ipaddress.IPv4Address(ip4[16:20])))
    proto, body = ip4[9], ip4[ihl:]
    if proto == 1 and body:
        # the echo header has the same layout in ICMPv6
        proto = 58
        body = bytes([{8: 128, 0: 129}.get(body[0], body[0])]) + body[1:]
    return ipv6(src, dst, proto, body, ip4[8])


# ---- wrappings: Ethernet frame in, Ethernet frame out (or None: keep) ----

def w_vxlan(frame, vlans=()):
    vx = struct.pack("!II", 0x08000000, VNI << 8)
    return eth(0x0800, ipv4(OUTER_SRC, OUTER_DST, 17,
                            udp(flow_port(frame), 4789, vx + frame)), vlans)


def w_qinq_vxlan(frame):
    return w_vxlan(frame, VLANS)


def w_geneve_eth(frame):
    g = struct.pack("!BBHI", 0, 0, 0x6558, VNI << 8)
    return outer4(17, udp(flow_port(frame), 6081, g + frame))


def w_geneve_gwlb(frame):
    """AWS Gateway Load Balancer: IP payload, three 8-byte options."""
    ip = inner_ip(frame)
    if not ip:
        return None
    opts = b"".join(struct.pack("!HBB", 0x0108, t, 2) + bytes(8)
                    for t in (1, 2, 3))
    g = struct.pack("!BBHI", len(opts) // 4, 0, ip[0], VNI << 8) + opts
    return outer4(17, udp(flow_port(frame), 6081, g + ip[1]))


def gre(flags, proto, extra, payload):
    return struct.pack("!HH", flags, proto) + extra + payload


def w_erspan1(frame):
    return outer4(47, gre(0, 0x88be, b"", frame))


def w_erspan2(frame, seq=[0]):
    seq[0] += 1
    hdr = struct.pack("!HHI", 0x1000, ERSPAN_SESSION, 0)
    return outer4(47, gre(0x1000, 0x88be, struct.pack("!I", seq[0]),
                          hdr + frame))


def w_erspan3(frame, seq=[0]):
    seq[0] += 1
    hdr = struct.pack("!HHIHH", 0x2000, ERSPAN_SESSION, 12345, 0, 0)
    return outer4(47, gre(0x1000, 0x22eb, struct.pack("!I", seq[0]),
                          hdr + frame))


def w_gre_ip(frame):
    ip = inner_ip(frame)
    if not ip:
        return None
    return outer4(47, gre(0x2000, ip[0], struct.pack("!I", GRE_KEY), ip[1]))


def w_gretap(frame):
    return outer4(47, gre(0x2000, 0x6558, struct.pack("!I", GRE_KEY),
                          frame))


def mpls(labels, payload):
    out = b""
    for i, lab in enumerate(labels):
        bottom = 1 if i == len(labels) - 1 else 0
        out += struct.pack("!I", lab << 12 | bottom << 8 | 64)
    return out + payload


def w_mpls_ip(frame):
    ip = inner_ip(frame)
    if not ip:
        return None
    return eth(0x8847, mpls(MPLS_LABELS, ip[1]))


def w_mpls_pw(frame):
    return eth(0x8847, mpls(MPLS_LABELS[:1], bytes(4) + frame))


def w_pppoe(frame):
    ip = inner_ip(frame)
    if not ip:
        return None
    ppp = struct.pack("!H", 0x0021 if ip[0] == 0x0800 else 0x0057) + ip[1]
    return eth(0x8864, struct.pack("!BBHH", 0x11, 0, PPPOE_SESSION,
                                   len(ppp)) + ppp)


def w_ipip(frame):
    ip = inner_ip(frame)
    if not ip or ip[0] != 0x0800:
        return None
    return outer4(4, ip[1])


def w_4in6(frame):
    ip = inner_ip(frame)
    if not ip or ip[0] != 0x0800:
        return None
    return eth(0x86dd, ipv6(OUTER6_SRC, OUTER6_DST, 4, ip[1]))


def w_6in4(frame):
    ip = inner_ip(frame)
    if not ip or ip[0] != 0x0800:
        return None
    return outer4(41, to_v6(ip[1]))


def w_gre_vxlan(frame):
    """Two layers: VXLAN carried in GRE (depth 2)."""
    vx = w_vxlan(frame)
    return outer4(47, gre(0x2000, 0x0800, struct.pack("!I", GRE_KEY),
                          vx[14:]))


WRAP = {
    "vxlan": w_vxlan, "qinq_vxlan": w_qinq_vxlan,
    "geneve": w_geneve_eth, "geneve_gwlb": w_geneve_gwlb,
    "erspan1": w_erspan1, "erspan2": w_erspan2, "erspan3": w_erspan3,
    "gre": w_gre_ip, "gretap": w_gretap,
    "mpls": w_mpls_ip, "mpls_pw": w_mpls_pw, "pppoe": w_pppoe,
    "ipip": w_ipip, "4in6": w_4in6, "6in4": w_6in4,
    "gre_vxlan": w_gre_vxlan,
}

# what the report must show: stats.decap key, tunnel type, id key, id
EXPECT = {
    "vxlan": ("vxlan", "vxlan", "vni", VNI),
    "qinq_vxlan": ("vxlan", "vxlan", "vni", VNI),
    "geneve": ("geneve", "geneve", "vni", VNI),
    "geneve_gwlb": ("geneve", "geneve", "vni", VNI),
    "erspan1": ("erspan", "erspan", None, None),
    "erspan2": ("erspan", "erspan", "erspan_session", ERSPAN_SESSION),
    "erspan3": ("erspan", "erspan", "erspan_session", ERSPAN_SESSION),
    "gre": ("gre", "gre", "gre_key", GRE_KEY),
    "gretap": ("gre", "gre", "gre_key", GRE_KEY),
    "mpls": ("mpls", "mpls", "mpls_label", MPLS_LABELS[0]),
    "mpls_pw": ("mpls", "mpls", "mpls_label", MPLS_LABELS[0]),
    "pppoe": ("pppoe", "pppoe", "pppoe_session", PPPOE_SESSION),
    "ipip": ("ipip", "ipip", None, None),
    "4in6": ("4in6", "4in6", None, None),
    "6in4": ("6in4", "6in4", None, None),
    "gre_vxlan": ("vxlan", "gre", "gre_key", GRE_KEY),
}


# ---- fragments ----

def frag4(ip, ident, size, conflict):
    """IPv4 pieces of size data bytes; with conflict, a copy of the first
    piece with other bytes follows it (the first copy wins)."""
    ihl = (ip[0] & 15) * 4
    hdr, data = ip[:ihl], ip[ihl:]
    if len(data) <= size:
        return [ip]
    src = str(ipaddress.IPv4Address(ip[12:16]))
    dst = str(ipaddress.IPv4Address(ip[16:20]))
    out = []
    for off in range(0, len(data), size):
        piece = data[off:off + size]
        more = 0x2000 if off + size < len(data) else 0
        out.append(ipv4(src, dst, ip[9], piece, ident, more | off // 8,
                        ip[8]))
        if conflict and off == 0:
            out.append(ipv4(src, dst, ip[9], bytes(b ^ 0x5a for b in piece),
                            ident, more | off // 8, ip[8]))
        if len(out) >= MAX_PIECES:
            break
    return out


def frag4_overlap(ip, ident, size):
    """Pieces of size bytes, sent last first, each followed by a piece
    that overlaps the next one's first half with the same bytes."""
    ihl = (ip[0] & 15) * 4
    data = ip[ihl:]
    if len(data) <= size:
        return [ip]
    src = str(ipaddress.IPv4Address(ip[12:16]))
    dst = str(ipaddress.IPv4Address(ip[16:20]))
    out = []
    for off in range(0, len(data), size):
        piece = data[off:off + size]
        more = 0x2000 if off + size < len(data) else 0
        out.append(ipv4(src, dst, ip[9], piece, ident, more | off // 8,
                        ip[8]))
        half = off + size // 2
        if off + size < len(data):
            dup = data[half:half + size]
            dmore = 0x2000 if half + size < len(data) else 0
            out.append(ipv4(src, dst, ip[9], dup, ident, dmore | half // 8,
                            ip[8]))
    out.reverse()
    return out[:MAX_PIECES]


def frag6(ip6, ident, size):
    nh, data = ip6[6], ip6[40:]
    if len(data) <= size:
        return [ip6]
    out = []
    for off in range(0, len(data), size):
        piece = data[off:off + size]
        more = 1 if off + size < len(data) else 0
        fh = struct.pack("!BBHI", nh, 0, off | more, ident)
        out.append(ip6[:4] + struct.pack("!HBB", len(fh) + len(piece), 44,
                                         ip6[7]) + ip6[8:40] + fh + piece)
        if len(out) >= MAX_PIECES:
            break
    return out


def fragment(pkts, mode, conflict_from):
    out, ident = [], 0
    for sec, frac, wire, frame in pkts:
        ip = inner_ip(frame)
        if not ip or ip[0] != 0x0800:
            out.append((sec, frac, wire, frame))
            continue
        ident = (ident + 1) % 65536
        if mode == "frag64":
            src = str(ipaddress.IPv4Address(ip[1][12:16]))
            pieces = frag4(ip[1], ident, 64, src == conflict_from)
            etype = 0x0800
        elif mode == "frag_overlap":
            pieces = frag4_overlap(ip[1], ident, 64)
            etype = 0x0800
        else:
            pieces = frag6(to_v6(ip[1]), ident, 64)
            etype = 0x86dd
        for p in pieces:
            out.append((sec, frac, 0, eth(etype, p)))
    return out


def tcp_overlap(pkts, host):
    """After every third TCP segment with data that host sends, the same
    segment again with other bytes (an insertion attempt)."""
    out, n = [], 0
    for sec, frac, wire, frame in pkts:
        out.append((sec, frac, wire, frame))
        ip = inner_ip(frame)
        if not ip or ip[0] != 0x0800 or ip[1][9] != 6:
            continue
        p = ip[1]
        ihl = (p[0] & 15) * 4
        doff = (p[ihl + 12] >> 4) * 4
        if str(ipaddress.IPv4Address(p[12:16])) != host or \
                len(p) <= ihl + doff:
            continue
        n += 1
        if n % 3:
            continue
        body = p[ihl + doff:]
        evil = p[:ihl + doff] + bytes(b ^ 0x20 for b in body)
        out.append((sec, frac, 0, frame[:14] + evil))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("src")
    ap.add_argument("dst")
    ap.add_argument("mode", choices=sorted(WRAP) +
                    ["frag64", "frag_overlap", "frag6", "v6", "tcp_overlap"])
    ap.add_argument("--max-packets", type=int, default=MAX_PACKETS,
                    help="read at most this many packets (bounded)")
    ap.add_argument("--conflict-from",
                    help="frag64, tcp_overlap: this host's packets also "
                    "carry a conflicting overlap")
    args = ap.parse_args()
    header, pkts = read_pcap(args.src, args.max_packets)
    if args.mode in WRAP:
        fn = WRAP[args.mode]
        out = []
        for sec, frac, wire, frame in pkts:
            w = fn(frame)
            out.append((sec, frac, 0, w if w is not None else frame))
    elif args.mode == "v6":
        out = []
        for sec, frac, wire, frame in pkts:
            ip = inner_ip(frame)
            if ip and ip[0] == 0x0800:
                frame = eth(0x86dd, to_v6(ip[1]))
            out.append((sec, frac, 0, frame))
    elif args.mode == "tcp_overlap":
        out = tcp_overlap(pkts, args.conflict_from)
    else:
        out = fragment(pkts, args.mode, args.conflict_from)
    write_pcap(args.dst, header, out)


if __name__ == "__main__":
    main()
