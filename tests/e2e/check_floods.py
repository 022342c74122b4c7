#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Floods must not erase findings (issue 13).

- Host table: 60k spoofed ICMP echo sources, each odd enough to be
  suspicious, then a real reverse SSH session (ssh_reverse_operator.pcap,
  read as a second --read): the reverse SSH host is reported with its
  finding, and the stats count the hosts the table gave up.
- Flow table: a 0.5 s burst of 140k SYNs from spoofed sources inserted in
  the middle of flow_longlived_trickle.pcap (merged by timestamp) still
  yields flow.long_lived_low_byte for the trickle's host, and the stats
  count the flows evicted by reason.

The floods are written by small bounded generators into a temp directory,
never committed."""
import argparse
import json
import os
import random
import shutil
import struct
import subprocess
import sys
import tempfile

FAILS = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        FAILS.append(what)


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF


def ipv4(src, dst, proto, payload):
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 0, 0x4000, 64,
                      proto, 0, src, dst)
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    return b"\x02\0\0\0\0\x01\x02\0\0\0\0\x02\x08\x00" + hdr + payload


def read_pcap(path):
    """(header, [(ts_ns, record bytes)]) of a classic microsecond pcap."""
    data = open(path, "rb").read()
    magic, = struct.unpack("<I", data[:4])
    assert magic == 0xA1B2C3D4, f"{path}: expected a little-endian microsecond pcap"
    recs, off = [], 24
    while off + 16 <= len(data):
        sec, usec, caplen, _ = struct.unpack("<IIII", data[off:off + 16])
        recs.append(((sec * 10**6 + usec) * 1000, data[off:off + 16 + caplen]))
        off += 16 + caplen
    return data[:24], recs


def record(ts_ns, frame):
    us = ts_ns // 1000
    return struct.pack("<IIII", us // 10**6, us % 10**6, len(frame), len(frame)) + frame


def icmp_flood(path, n_sources, end_ns, rng):
    """n_sources spoofed sources, three echo requests each with changing
    binary payloads (an ICMP tunnel's look: each source is suspicious),
    all before end_ns."""
    dst = bytes([10, 99, 0, 1])
    step = 10**6  # 1 ms between sources
    start = end_ns - (n_sources + 10) * step
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i in range(n_sources):
            src = bytes([172, 16 + (i >> 16), (i >> 8) & 255, i & 255])
            for k in range(3):
                body = rng.randbytes(48)
                icmp = struct.pack("!BBHHH", 8, 0, 0, i & 0xFFFF, k + 1) + body
                icmp = icmp[:2] + struct.pack("!H", csum(icmp)) + icmp[4:]
                f.write(record(start + i * step + k * 1000, ipv4(src, dst, 1, icmp)))


def syn_burst(n, at_ns, span_ns, rng):
    """n SYNs from spoofed sources to one server within span_ns."""
    dst = bytes([10, 98, 0, 1])
    out = []
    for i in range(n):
        src = bytes([172, 20 + (i >> 16), (i >> 8) & 255, i & 255])
        tcp = struct.pack("!HHIIBBHHH", 1024 + rng.randrange(60000), 80,
                          rng.getrandbits(32), 0, 5 << 4, 0x02, 64240, 0, 0)
        out.append((at_ns + i * span_ns // n, record(0, ipv4(src, dst, 6, tcp))[16:]))
    return out


def run(tw, args):
    p = subprocess.run([tw] + args, capture_output=True, timeout=300)
    return p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")


def host_findings(doc, ip):
    for h in doc["hosts"]:
        if h["ip"] == ip:
            return [x["kind"] for x in h["findings"]]
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--traces", required=True)
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="tw-floods-")
    rng = random.Random(13)
    try:
        # 1. host table: flood, then the attack
        ssh = os.path.join(args.traces, "ssh_reverse_operator.pcap")
        _, ssh_recs = read_pcap(ssh)
        flood = os.path.join(tmp, "icmp_flood.pcap")
        icmp_flood(flood, 60000, ssh_recs[0][0] - 10**9, rng)
        rc, out, err = run(args.binary, ["--read", flood, "--read", ssh, "--json"])
        doc = json.loads(out) if rc == 0 else {"hosts": [], "stats": {}}
        kinds = host_findings(doc, "10.20.10.2")
        hs = doc["stats"].get("hosts", {})
        check(rc == 0 and kinds is not None and "ssh.reverse_session" in kinds,
              f"60k spoofed ICMP sources then reverse SSH: 10.20.10.2 reported with "
              f"ssh.reverse_session ({kinds}; rc {rc} {err.strip()[:200]})")
        ev = hs.get("evicted", {})
        check(sum(ev.values()) > 0 and hs.get("tracked", 0) <= 16384,
              f"host table: evictions counted by reason ({hs})")

        # 2. flow table: a SYN burst in the middle of a long-lived trickle
        trickle = os.path.join(args.traces, "flow_longlived_trickle.pcap")
        hdr, recs = read_pcap(trickle)
        mid = (recs[0][0] + recs[-1][0]) // 2
        burst = syn_burst(140000, mid, 5 * 10**8, rng)
        both = sorted([(t, 0, r) for t, r in recs] + [(t, 1, f) for t, f in burst],
                      key=lambda x: (x[0], x[1]))
        path = os.path.join(tmp, "trickle_burst.pcap")
        with open(path, "wb") as f:
            f.write(hdr)
            for t, kind, r in both:
                f.write(r if kind == 0 else record(t, r))
        rc, out, err = run(args.binary, ["--read", path, "--json"])
        doc = json.loads(out) if rc == 0 else {"hosts": [], "stats": {}}
        kinds = host_findings(doc, "10.20.1.2")
        fl = doc["stats"].get("flows", {})
        check(rc == 0 and kinds is not None and "flow.long_lived_low_byte" in kinds,
              f"140k-SYN burst inside the trickle: 10.20.1.2 keeps flow.long_lived_low_byte "
              f"({kinds}; rc {rc} {err.strip()[:200]})")
        why = fl.get("evicted_by_reason", {})
        check(fl.get("evicted", 0) > 0 and why.get("no_payload") == fl.get("evicted")
              and why.get("with_payload") == 0,
              f"flow table: only payload-less flows evicted, counted by reason ({fl})")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"floods: {'all passed' if not FAILS else str(len(FAILS)) + ' failed'}")
    return 1 if FAILS else 0


if __name__ == "__main__":
    sys.exit(main())
