#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Scale-out: N appliances behind a packet broker or cloud load balancer
that hashes symmetrically on the (inner) address pair give the operator
the same hosts as one appliance.

The project's traces are merged by time into one mixed trace, split into N
parts by a symmetric hash of each packet's inner address pair (VXLAN is
looked into, as the broker would be configured to), each part is read by
its own tunnelwatch, and the union of their hosts (ip, verdict, finding
kinds) must equal one instance's report on the whole trace, for N = 2, 4.

What cannot be split this way is state that joins different address
pairs: the DNS-answer -> pool-connection link (mining.pool_dns_link: the
resolver pair and the pool pair may land on different appliances) and any
prevalence across hosts. Those rows are named in CROSS_PAIR and compared
without that kind; an operator gets them from the SIEM by joining the
appliances' EVE records (see README, "Scaling out").
"""
import argparse
import glob
import json
import os
import struct
import subprocess
import sys
import tempfile
import zlib

# kinds that join two address pairs: allowed to differ between 1 and N
CROSS_PAIR = {"mining.pool_dns_link"}
MAX_PACKETS = 500000


def read_pcap(path):
    with open(path, "rb") as f:
        data = f.read()
    if struct.unpack("<I", data[:4])[0] != 0xa1b2c3d4 or \
            struct.unpack("<I", data[20:24])[0] != 1:
        return None, []
    pkts, off = [], 24
    while off + 16 <= len(data) and len(pkts) < MAX_PACKETS:
        sec, usec, cap, wire = struct.unpack("<IIII", data[off:off + 16])
        pkts.append((sec, usec, wire, data[off + 16:off + 16 + cap]))
        off += 16 + cap
    return data[:24], pkts


def write_pcap(path, header, pkts):
    with open(path, "wb") as f:
        f.write(header[:16] + struct.pack("<I", 65535) + header[20:])
        for sec, usec, wire, frame in pkts:
            f.write(struct.pack("<IIII", sec, usec, len(frame), wire))
            f.write(frame)


def ip_pair(frame, off, depth=0):
    """(a, b) address bytes of the innermost IP packet, or None."""
    while off + 4 <= len(frame):
        etype = struct.unpack("!H", frame[off - 2:off])[0]
        if etype in (0x8100, 0x88a8):
            off += 4
            continue
        break
    etype = struct.unpack("!H", frame[off - 2:off])[0]
    ip = frame[off:]
    if etype == 0x0800 and len(ip) >= 20:
        a, b = ip[12:16], ip[16:20]
        ihl = (ip[0] & 15) * 4
        # VXLAN: the broker is told to hash the inner pair
        if depth == 0 and ip[9] == 17 and len(ip) >= ihl + 8 + 8 + 14 and \
                struct.unpack("!H", ip[ihl + 2:ihl + 4])[0] == 4789:
            inner = off + ihl + 16 + 14
            return ip_pair(frame, inner, 1) or (a, b)
        return a, b
    if etype == 0x86dd and len(ip) >= 40:
        return ip[8:24], ip[24:40]
    return None


def part_of(frame, n):
    """The symmetric hash a broker applies: same part both ways."""
    pair = ip_pair(frame, 14)
    if not pair:
        return 0
    lo, hi = sorted(pair)
    return zlib.crc32(lo + hi) % n


def hosts(binary, trace):
    p = subprocess.run([binary, "--read", trace, "--json"],
                       capture_output=True, timeout=300)
    if p.returncode != 0:
        raise RuntimeError(f"{trace}: exit {p.returncode}: "
                           f"{p.stderr.decode(errors='replace')}")
    out = {}
    for h in json.loads(p.stdout)["hosts"]:
        out[h["ip"]] = (h["verdict"], sorted({f["kind"]
                                              for f in h["findings"]}))
    return out


def without_cross_pair(hs):
    return {ip: (v, [k for k in kinds if k not in CROSS_PAIR])
            for ip, (v, kinds) in hs.items()}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--traces", required=True)
    ap.add_argument("--parts", default="2,4")
    args = ap.parse_args()

    header, merged = None, []
    for path in sorted(glob.glob(os.path.join(args.traces, "*.pcap"))):
        h, pkts = read_pcap(path)
        if h is None:
            continue
        header = header or h
        merged += pkts
    merged.sort(key=lambda p: (p[0], p[1]))
    failed = 0
    with tempfile.TemporaryDirectory(prefix="tw-scaleout-") as tmp:
        whole = os.path.join(tmp, "mixed.pcap")
        write_pcap(whole, header, merged)
        one = hosts(args.binary, whole)
        flagged = sum(v != "clean" for v, _ in one.values())
        print(f"one appliance: {len(merged)} packets, {len(one)} hosts "
              f"reported, {flagged} flagged")
        if not flagged:
            print("FAIL the mixed trace flags no host")
            return 1
        for n in [int(x) for x in args.parts.split(",")]:
            parts = [[] for _ in range(n)]
            for p in merged:
                parts[part_of(p[3], n)].append(p)
            union, dup = {}, []
            for i, pkts in enumerate(parts):
                path = os.path.join(tmp, f"part{n}_{i}.pcap")
                write_pcap(path, header, pkts)
                for ip, v in hosts(args.binary, path).items():
                    if ip in union:
                        dup.append(ip)  # the same host flagged twice
                        v = max(union[ip], v)
                    union[ip] = v
            a, b = without_cross_pair(one), without_cross_pair(union)
            problems = []
            for ip in sorted(set(a) | set(b)):
                if a.get(ip) != b.get(ip):
                    problems.append(f"{ip}: one {a.get(ip)}, "
                                    f"{n} appliances {b.get(ip)}")
            sizes = ", ".join(str(len(p)) for p in parts)
            if problems:
                failed += 1
                print(f"FAIL N={n} (packets per part: {sizes})")
                for p in problems:
                    print(f"     {p}")
            else:
                print(f"ok   N={n}: union of {n} appliances equals one "
                      f"(packets per part: {sizes}; hosts reported by "
                      f"more than one: {sorted(set(dup)) or 'none'})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
