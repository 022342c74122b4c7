#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""End-to-end: bad and unusual input files, link types, several --read
files, the event log. Writes its own small pcaps into a temp dir."""
import argparse
import json
import os
import struct
import subprocess
import sys
import tempfile

FAILS = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        FAILS.append(what)


def pcap_bytes(linktype, packets, nano=False):
    magic = 0xA1B23C4D if nano else 0xA1B2C3D4
    out = struct.pack("<IHHiIII", magic, 2, 4, 0, 0, 65535, linktype)
    for ts, data in packets:
        sec, frac = int(ts), int(round((ts % 1) * (1e9 if nano else 1e6)))
        out += struct.pack("<IIII", sec, frac, len(data), len(data)) + data
    return out


def ipv4_tcp(src, dst, sport, dport, flags, payload=b"", seq=1000):
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, 0, 5 << 4, flags,
                      65535, 0, 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 1, 0, 64, 6, 0,
                     bytes(src), bytes(dst))
    return ip + tcp


PKTS = [ipv4_tcp([10, 0, 0, 1], [10, 0, 0, 2], 40000, 22, 0x02),
        ipv4_tcp([10, 0, 0, 2], [10, 0, 0, 1], 22, 40000, 0x12),
        ipv4_tcp([10, 0, 0, 1], [10, 0, 0, 2], 40000, 22, 0x18,
                 b"SSH-2.0-OpenSSH_9.2\r\n", seq=1001)]

ETH = b"\x00\x11\x22\x33\x44\x55\x66\x77\x88\x99\xaa\xbb\x08\x00"
FRAMINGS = {
    "ethernet": (1, lambda ip: ETH + ip),
    "vlan-qinq": (1, lambda ip: ETH[:12] + b"\x88\xa8\x00\x0a\x81\x00\x00\x14\x08\x00" + ip),
    "linux-sll": (113, lambda ip: struct.pack("!HHH8sH", 0, 1, 6, b"\0" * 8, 0x0800) + ip),
    "linux-sll2": (276, lambda ip: struct.pack("!HHIHBB8s", 0x0800, 0, 1, 1, 0, 6, b"\0" * 8) + ip),
    "raw": (101, lambda ip: ip),
    "bsd-null": (0, lambda ip: struct.pack("<I", 2) + ip),
    "bsd-loop": (108, lambda ip: struct.pack("!I", 2) + ip),
}


def run(binary, *args):
    p = subprocess.run([binary, *args], capture_output=True, timeout=120)
    return p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--sample", required=True, help="a good pcap to mangle")
    args = ap.parse_args()
    tw = args.binary
    tmp = tempfile.mkdtemp(prefix="tw-inputs-")

    def path(name, data):
        p = os.path.join(tmp, name)
        with open(p, "wb") as f:
            f.write(data)
        return p

    # every link type decodes the same three packets, none dropped
    for name, (lt, frame) in FRAMINGS.items():
        f = path(f"{name}.pcap", pcap_bytes(lt, [(1.0 + i, frame(p)) for i, p in enumerate(PKTS)], nano=(name == "raw")))
        rc, out, err = run(tw, "--read", f, "--json")
        ok = rc == 0
        if ok:
            st = json.loads(out)["stats"]
            ok = st["packets"] == 3 and sum(st["drops"].values()) == 0 \
                and st["flows"]["created"] == 1 and st["apps"].get("ssh") == 1
        check(ok, f"link type {name}: 3 packets, 0 drops, 1 ssh flow ({err.strip()})")

    sample = open(args.sample, "rb").read()
    cases = {
        "empty": b"",
        "garbage": bytes((i * 37 + 11) % 256 for i in range(4096)),
        "short-header": sample[:10],
    }
    for name, data in cases.items():
        f = path(f"{name}.pcap", data)
        rc, out, err = run(tw, "--read", f, "--json")
        check(rc != 0 and f in err and out == "", f"{name} file: non-zero exit, error names the file, no report ({err.strip()})")

    # one truncated packet: cut the file in the middle of its last packet.
    # The packets before it are reported, with a warning naming the
    # packet and what the report covers, and exit 3 (partial input).
    good = pcap_bytes(1, [(1.0 + i, FRAMINGS["ethernet"][1](p)) for i, p in enumerate(PKTS)])
    f = path("truncated.pcap", good[:-10])
    rc, out, err = run(tw, "--read", f, "--json")
    ok = rc == 3 and f in err and "packet 3: truncated packet data" in err \
        and "report covers packets 1..2" in err
    if ok:
        ok = json.loads(out)["stats"]["packets"] == 2
    check(ok, f"truncated last packet: exit 3, report on packets 1..2, warning names file and packet 3 ({err.strip()})")

    # a positive trace cut at two thirds still reports its host (table too)
    traces = os.path.dirname(os.path.abspath(args.sample))
    rev = open(os.path.join(traces, "ssh_reverse_operator.pcap"), "rb").read()
    f = path("reverse-cut.pcap", rev[:len(rev) * 2 // 3])
    rc, out, err = run(tw, "--read", f, "--json")
    ok = rc == 3 and "report covers packets 1.." in err
    if ok:
        hosts = {h["ip"]: h for h in json.loads(out)["hosts"]}
        ok = "10.20.10.2" in hosts and any(x["kind"] == "ssh.reverse_session"
                                           for x in hosts["10.20.10.2"]["findings"])
    rc2, out2, _ = run(tw, "--read", f)
    check(ok and rc2 == 3 and "10.20.10.2" in out2,
          f"truncated reverse SSH trace: exit 3, host and finding reported ({err.strip()})")

    # a cut file among several: the others are read whole, still exit 3
    rc, out, err = run(tw, "--read", f, "--read", args.sample, "--json")
    rc1, out1, _ = run(tw, "--read", args.sample, "--json")
    ok = rc == 3 and json.loads(out)["stats"]["packets"] > json.loads(out1)["stats"]["packets"]
    check(ok, "truncated file then a good one: the good one is read too, exit 3")

    # a record longer than the file's snapshot length is corrupt, in
    # classic pcap as in pcapng (libpcap refuses it there)
    snap = bytearray(good)
    snap[16:20] = struct.pack("<I", 20)
    f = path("over-snaplen.pcap", bytes(snap))
    rc, out, err = run(tw, "--read", f, "--json")
    check(rc == 3 and "packet 1: captured length" in err and "snapshot length 20" in err,
          f"caplen over snaplen: exit 3, named ({err.strip()})")

    header_only = path("header-only.pcap", good[:24])
    rc, out, err = run(tw, "--read", header_only, "--json")
    check(rc == 0 and json.loads(out)["stats"]["packets"] == 0, "header-only pcap: exit 0, 0 packets")

    rc, out, err = run(tw, "--read", os.path.join(tmp, "missing.pcap"))
    check(rc != 0 and "missing.pcap" in err, "missing file: non-zero exit, error names it")

    # several --read files in one run add up
    eth = path("ethernet2.pcap", pcap_bytes(1, [(5.0 + i, FRAMINGS["ethernet"][1](p)) for i, p in enumerate(PKTS)]))
    rc, out, err = run(tw, "--read", eth, "--read", args.sample, "--json")
    rc1, out1, _ = run(tw, "--read", args.sample, "--json")
    ok = rc == 0 and rc1 == 0 and json.loads(out)["stats"]["packets"] == json.loads(out1)["stats"]["packets"] + 3
    check(ok, "two --read files: packets add up")

    # the event log: one EVE alert object per line, one per finding as it
    # appears and per severity rise (issue 15), never more than reported
    eve = os.path.join(tmp, "eve.json")
    rc, out, err = run(tw, "--read", args.sample, "--json", "--eve", eve)
    ok = rc == 0
    if ok:
        lines = open(eve).read().splitlines()
        events = [json.loads(l) for l in lines]
        doc = json.loads(out)
        ok = 0 < len(events) <= doc["stats"]["findings"]["received"] and all(
            e["event_type"] == "alert" and {"timestamp", "flow_id", "src_ip", "src_port", "dest_ip",
                                           "dest_port", "proto", "alert", "tunnelwatch"} <= set(e)
            for e in events)
    check(ok, f"--eve: one alert event per finding ({err.strip()})")
    # an event log that cannot be opened is a bad option (2) named with
    # the operation; one that fails every write is an I/O error (1)
    for bad in ("/nonexistent-dir/eve.json", "/proc/version"):
        rc, out, err = run(tw, "--read", args.sample, "--eve", bad)
        check(rc == 2 and f"event log {bad}:" in err and out == "",
              f"--eve {bad}: exit 2, message names it ({err.strip()})")
    if os.path.exists("/dev/full"):
        rc, out, err = run(tw, "--read", args.sample, "--eve", "/dev/full")
        check(rc == 1 and "event log /dev/full:" in err and "not written" in err,
              f"--eve /dev/full: exit 1, findings not written ({err.strip()})")

    bad_cfg = path("bad.cfg", b"flow = {\n  max_flows = 1000;\n  no_such_key = 1;\n};\n")
    rc, out, err = run(tw, "--config", bad_cfg, "--read", args.sample)
    check(rc != 0 and f"{bad_cfg}:3" in err and "no_such_key" in err, f"bad config: FILE:LINE: KEY ({err.strip()})")

    # suppression: a rule turns the sample's findings to info, names itself
    # in suppressed_by, and the host is clean; a bad rule is a config error
    positive = os.path.join(os.path.dirname(args.sample), "ssh_reverse_operator.pcap")
    rc, out, err = run(tw, "--read", positive, "--json")
    flagged = [h for h in json.loads(out)["hosts"] if h["verdict"] != "clean"] if rc == 0 else []
    check(flagged, "ssh_reverse_operator.pcap flags a host (needed by the suppression check)")
    if flagged:
        host = flagged[0]["ip"]
        rules = path("suppress.txt", f"# lab host\nsuppress * {host} * # lab machine\n".encode())
        cfg = path("suppress.cfg", f'hosts = {{ suppress_file = "{rules}"; }};\n'.encode())
        rc, out, err = run(tw, "--config", cfg, "--read", positive, "--json")
        h = [x for x in json.loads(out)["hosts"] if x["ip"] == host] if rc == 0 else []
        ok = h and h[0]["verdict"] == "clean" and all(
            f["severity"] == "info" and f["detail"].get("suppressed_by") == f"{rules}:2 lab machine"
            for f in h[0]["findings"])
        check(ok, f"suppress_file: host clean, findings info with suppressed_by ({err.strip()})")
        bad_rules = path("bad_suppress.txt", b"suppress flow.beacon 10.0.0.0/8\n")
        cfg = path("bad_suppress.cfg", f'hosts = {{ suppress_file = "{bad_rules}"; }};\n'.encode())
        rc, out, err = run(tw, "--config", cfg, "--read", args.sample)
        check(rc == 2 and f"{bad_rules}:1:" in err, f"bad suppression rule: exit 2, FILE:LINE ({err.strip()})")

    rc, out, err = run(tw, "--read", args.sample, "--bogus")
    check(rc == 2, "unknown option: exit 2")
    rc, out, err = run(tw, "--read", args.sample, "--workers", "0")
    check(rc == 2 and "--workers" in err, "--workers 0 refused")

    print(f"inputs: {len(FAILS) == 0 and 'all' or len(FAILS)} {'passed' if not FAILS else 'failed'}")
    return 1 if FAILS else 0


if __name__ == "__main__":
    sys.exit(main())
