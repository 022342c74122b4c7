#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Cut a classic pcap so that it starts in the middle of one TCP flow.

    pcap_cut.py --list IN.pcap
    pcap_cut.py IN.pcap OUT.pcap --skip N [--port P]

The cut flow is the TCP connection with the most packets (or, with --port,
the one with the most packets whose either port is P). OUT holds every
packet of IN from the (N+1)-th packet of that flow on, so the flow's
first N packets (its handshake, banners, key exchange, login, CONNECT
...) and everything recorded before them are gone: what an appliance
started mid-connection would see. Other flows open at that moment are
picked up mid-stream too. Bounded: one pass to find the flow, one to
write; nothing is kept but packet offsets.

Reads Ethernet (optionally 802.1Q) or Linux cooked captures, IPv4 or
IPv6; packets it cannot parse count for no flow and are kept or dropped
by time like the others.
"""
import argparse
import struct
import sys

LINK_ETHERNET = 1
LINK_SLL = 113


def read_pcap(path):
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        sys.exit(f"{path}: not a pcap file")
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        end = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        end = ">"
    else:
        sys.exit(f"{path}: not a classic pcap file")
    linktype = struct.unpack(end + "I", data[20:24])[0]
    recs = []
    off = 24
    while off + 16 <= len(data):
        incl = struct.unpack(end + "I", data[off + 8:off + 12])[0]
        if off + 16 + incl > len(data):
            break
        recs.append((off, off + 16 + incl))
        off += 16 + incl
    return data, linktype, recs


def l3(frame, linktype):
    """-> (ethertype, offset of the IP header) or None."""
    if linktype == LINK_ETHERNET:
        if len(frame) < 14:
            return None
        et = struct.unpack("!H", frame[12:14])[0]
        off = 14
        while et in (0x8100, 0x88A8) and len(frame) >= off + 4:
            et = struct.unpack("!H", frame[off + 2:off + 4])[0]
            off += 4
        return et, off
    if linktype == LINK_SLL:
        if len(frame) < 16:
            return None
        return struct.unpack("!H", frame[14:16])[0], 16
    return None


def tcp_key(frame, linktype):
    """-> ((addr, port), (addr, port)) sorted, for a TCP packet, else None."""
    r = l3(frame, linktype)
    if not r:
        return None
    et, off = r
    if et == 0x0800 and len(frame) >= off + 20:
        ihl = (frame[off] & 0x0F) * 4
        if frame[off + 9] != 6 or (struct.unpack(
                "!H", frame[off + 6:off + 8])[0] & 0x3FFF):
            return None
        src, dst = frame[off + 12:off + 16], frame[off + 16:off + 20]
        t = off + ihl
    elif et == 0x86DD and len(frame) >= off + 40:
        if frame[off + 6] != 6:
            return None
        src, dst = frame[off + 8:off + 24], frame[off + 24:off + 40]
        t = off + 40
    else:
        return None
    if len(frame) < t + 4:
        return None
    sp, dp = struct.unpack("!HH", frame[t:t + 4])
    return tuple(sorted(((bytes(src), sp), (bytes(dst), dp))))


def fmt(ep):
    addr, port = ep
    if len(addr) == 4:
        return ".".join(str(b) for b in addr) + f":{port}"
    return addr.hex() + f".{port}"


def flows(data, linktype, recs):
    """-> {key: [record indexes]} in trace order."""
    out = {}
    for i, (a, b) in enumerate(recs):
        k = tcp_key(data[a + 16:b], linktype)
        if k:
            out.setdefault(k, []).append(i)
    return out


def pick(fl, port):
    cands = [(len(v), k) for k, v in fl.items()
             if port is None or port in (k[0][1], k[1][1])]
    if not cands:
        sys.exit("no TCP flow" + (f" with port {port}" if port else ""))
    cands.sort(key=lambda c: (-c[0], c[1]))
    return cands[0][1]


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("input")
    ap.add_argument("output", nargs="?")
    ap.add_argument("--list", action="store_true",
                    help="list the TCP flows (packets, endpoints) and exit")
    ap.add_argument("--skip", type=int, default=0,
                    help="packets of the cut flow to drop (with all before)")
    ap.add_argument("--port", type=int, help="cut the largest flow on this port")
    a = ap.parse_args()
    data, linktype, recs = read_pcap(a.input)
    fl = flows(data, linktype, recs)
    if a.list:
        for k, v in sorted(fl.items(), key=lambda kv: kv[1][0]):
            print(f"{len(v):6d} pkts  first #{v[0] + 1:<6d} {fmt(k[0])} <-> {fmt(k[1])}")
        return 0
    if not a.output:
        ap.error("OUT.pcap is required")
    k = pick(fl, a.port)
    idx = fl[k]
    if a.skip < 0 or a.skip >= len(idx):
        sys.exit(f"--skip {a.skip}: the flow {fmt(k[0])} <-> {fmt(k[1])} "
                 f"has {len(idx)} packets")
    start = idx[a.skip]
    with open(a.output, "wb") as f:
        f.write(data[:24])
        for (s, e) in recs[start:]:
            f.write(data[s:e])
    print(f"{a.input}: cut flow {fmt(k[0])} <-> {fmt(k[1])} ({len(idx)} pkts): "
          f"kept records {start + 1}..{len(recs)} of {len(recs)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
