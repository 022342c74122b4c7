#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Seed corpora for the libFuzzer targets (scripts/fuzz.sh), cut from the
project's traces (tests/traces, classic Ethernet pcap) and config files:
real DNS messages, ICMP payloads, SSH banners and KEXINITs, TLS
ClientHellos, JSON-RPC/Stratum text, packet sequences, trace heads, config
files and control commands. Bounded: a few dozen small files per target.

  make_seeds.py --traces tests/traces --config config --out DIR [TARGET...]
"""
import argparse
import glob
import os
import struct

PER_TARGET = 48          # seeds at most per target
WINDOW = 24              # packets per fuzz_packets seed


def packets(path):
    """(ts_ns, frame) of a little-endian microsecond Ethernet pcap."""
    data = open(path, "rb").read()
    if len(data) < 24 or struct.unpack("<I", data[:4])[0] != 0xA1B2C3D4:
        return []
    out, off = [], 24
    while off + 16 <= len(data):
        sec, usec, caplen, _ = struct.unpack("<IIII", data[off:off + 16])
        if off + 16 + caplen > len(data):
            break
        out.append(((sec * 10**6 + usec) * 1000, data[off + 16:off + 16 + caplen]))
        off += 16 + caplen
    return out


def l4(frame):
    """(proto, sport, dport, payload) of an Ethernet/IPv4 frame, or None."""
    if len(frame) < 34 or frame[12:14] != b"\x08\x00":
        return None
    ip = frame[14:]
    ihl = (ip[0] & 15) * 4
    total = struct.unpack("!H", ip[2:4])[0]
    proto = ip[9]
    seg = ip[ihl:total]
    if proto == 6 and len(seg) >= 20:
        sport, dport = struct.unpack("!HH", seg[:4])
        return proto, sport, dport, seg[(seg[12] >> 4) * 4:]
    if proto == 17 and len(seg) >= 8:
        sport, dport = struct.unpack("!HH", seg[:4])
        return proto, sport, dport, seg[8:]
    if proto == 1 and len(seg) >= 8:
        return proto, 0, 0, seg[8:]
    return None


def payloads(traces, want):
    seen = set()
    for path in traces:
        for _, frame in packets(path):
            x = l4(frame)
            if x and x[3] and want(*x) and x[3] not in seen:
                seen.add(x[3])
                yield x[3]


def packet_seq(recs):
    out = bytearray([0])  # linktype index 0: Ethernet
    prev = recs[0][0]
    for ts, frame in recs:
        step = min(254, max(0, (ts - prev) // 50_000_000))
        prev = ts
        frame = frame[:1500]
        out += struct.pack("<HB", len(frame), step) + frame
    return bytes(out)


def pcapng(recs):
    def block(btype, body):
        body += b"\0" * (-len(body) % 4)
        return struct.pack("<II", btype, 12 + len(body)) + body + struct.pack("<I", 12 + len(body))
    out = block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
    out += block(1, struct.pack("<HHI", 1, 0, 65535))
    for ts, frame in recs:
        us = ts // 1000
        out += block(6, struct.pack("<IIIII", 0, us >> 32, us & 0xFFFFFFFF, len(frame), len(frame)) + frame)
    return out


def seeds_for(target, traces, config_dir):
    if target == "fuzz_dns":
        yield from payloads(traces, lambda p, s, d, pl: p == 17 and 53 in (s, d))
    elif target == "fuzz_icmp":
        yield from payloads(traces, lambda p, s, d, pl: p == 1)
    elif target == "fuzz_ssh":
        yield from payloads(traces, lambda p, s, d, pl: p == 6 and (pl.startswith(b"SSH-") or
                                                                   (len(pl) > 5 and pl[5] == 20)))
    elif target == "fuzz_tls":
        yield from payloads(traces, lambda p, s, d, pl: p == 6 and pl[:2] == b"\x16\x03" and
                            len(pl) > 5 and pl[5] == 1)
    elif target == "fuzz_frames":
        # WebSocket frames and httptunnel records from the traces that
        # carry them, after a split byte
        for pl in payloads(traces, lambda p, s, d, pl: p == 6 and 80 in (s, d) and
                           pl[:1] in (b"\x82", b"\x81", b"\xc1", b"\x01", b"\x02", b"\x03")):
            yield bytes([len(pl) // 2 % 256]) + pl
    elif target == "fuzz_jsonrpc":
        for pl in payloads(traces, lambda p, s, d, pl: p == 6 and pl[:1] in (b"{", b"[", b"P", b"H")):
            # the target reads a chunk size byte before each chunk
            yield b"".join(bytes([62]) + pl[i:i + 63] for i in range(0, len(pl), 63))
    elif target == "fuzz_packets":
        for path in traces:
            recs = packets(path)
            for start in (0, len(recs) // 2, max(0, len(recs) - WINDOW)):
                window = recs[start:start + WINDOW]
                if window:
                    yield packet_seq(window)
    elif target == "fuzz_pcap":
        for path in traces:
            head = open(path, "rb").read(16384)
            yield head
            recs = packets(path)[:8]
            if recs:
                yield pcapng(recs)
    elif target == "fuzz_config":
        for path in sorted(glob.glob(os.path.join(config_dir, "*.cfg"))):
            yield open(path, "rb").read()
        yield b"flow = { max_flows = 1000; };\nhosts = { home_net = [\"10.0.0.0/8\"]; };\n"
    elif target == "fuzz_ctl":
        yield b"help\nversion\nstats\nhosts\nhost 10.0.0.1\nflows 10.0.0.1\nfindings 3\n"
        yield b"reset 10.0.0.1\nhost 10.0.0.1\nhost 2001:db8::1\nhost 10.9.9.9\nfindings\n"
        yield b"bogus\n\x00\xff\nhost\nhost not-an-ip\nfindings -1\nfindings 99999999999999999999\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--traces", required=True)
    ap.add_argument("--config", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("targets", nargs="*")
    args = ap.parse_args()
    traces = sorted(glob.glob(os.path.join(args.traces, "*.pcap")))
    for target in args.targets:
        d = os.path.join(args.out, target)
        os.makedirs(d, exist_ok=True)
        for i, seed in enumerate(seeds_for(target, traces, args.config)):
            if i >= PER_TARGET:
                break
            with open(os.path.join(d, f"seed-{i:03d}"), "wb") as f:
                f.write(seed)


if __name__ == "__main__":
    main()
