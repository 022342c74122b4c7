#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Replay: every trace through a net_pcap port must give the same hosts
as the offline engine. `tunnelwatch-ctl --json hosts` after the replay is
compared with `tunnelwatch --read T --json`; traces come from
tests/traces and ../shared/traces when it exists. Traces that are not
Ethernet are skipped (a DPDK port carries Ethernet frames only).

usage: test_replay.py --binary B --ctl C --traces DIR [--traces DIR ...]
                      [--workers-2-every N] [--asan]"""
import argparse
import glob
import json
import os
import shutil
import struct
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import twlive  # noqa: E402

LINKTYPE_ETHERNET = 1


def linktype(path):
    """Link type of a pcap, or of a pcapng's first interface."""
    with open(path, "rb") as f:
        head = f.read(64)
    if len(head) < 24:
        return None
    magic = head[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        return struct.unpack("<I", head[20:24])[0]
    if magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        return struct.unpack(">I", head[20:24])[0]
    if magic == b"\x0a\x0d\x0d\x0a":
        bom = head[8:12]
        end = "<" if bom == b"\x4d\x3c\x2b\x1a" else ">"
        shb_len = struct.unpack(end + "I", head[4:8])[0]
        with open(path, "rb") as f:
            f.seek(shb_len)
            idb = f.read(12)
        if len(idb) == 12 and struct.unpack(end + "I", idb[:4])[0] == 1:
            return struct.unpack(end + "H", idb[8:10])[0]
    return None


# Smaller tables than the defaults, for both runs: dozens of starts, each
# allocating (and under ASan shadowing) every table. The test traces are
# far from filling them.
SIZES = """
flow = { max_flows = 16384; reorder_slots = 1024; };
scan = { max_streams = 16384; };
hosts = { max_hosts = 4096; };
flowtiming = { beacon_max_pairs = 16384; };
"""


def offline_hosts(binary, trace, cfg):
    r = subprocess.run([binary, "--read", trace, "--json", "--config", cfg],
                       capture_output=True, timeout=300)
    if r.returncode != 0:
        return None, r.stderr.decode(errors="replace")
    return json.loads(r.stdout)["hosts"], None


def ctl_hosts(ctl, sock):
    r = subprocess.run([ctl, "--socket", sock, "--json", "hosts"],
                       capture_output=True, timeout=60)
    if r.returncode != 0:
        twlive.fail(f"tunnelwatch-ctl hosts: {r.stderr.decode()}")
    return json.loads(r.stdout)["hosts"]


def ctl_html(ctl, sock, wd, hosts):
    """report --html FILE over the socket: a page with a timeline section
    for every non-clean host the live host table has."""
    path = os.path.join(wd, "report.html")
    r = subprocess.run([ctl, "--socket", sock, "report", "--html", path],
                       capture_output=True, timeout=60)
    if r.returncode != 0:
        twlive.fail(f"tunnelwatch-ctl report --html: {r.stderr.decode()}")
    with open(path) as f:
        page = f.read()
    missing = [h["ip"] for h in hosts if h["verdict"] != "clean"
               and f'id="h-{h["ip"]}"' not in page]
    if "default-src 'none'" not in page or missing:
        twlive.fail(f"live HTML report: CSP or timelines missing {missing}")


def replay_one(args, trace, workers):
    wd = twlive.workdir()
    try:
        port = f"net_pcap0,rx_pcap={trace}"
        cfg = twlive.cfg_text([port], wd, workers=workers, mbufs=8191,
                              extra=SIZES)
        app = twlive.Appliance(args.binary, cfg, wd)
        try:
            st = app.wait_input_end()
            live = ctl_hosts(args.ctl, app.sock)
            ctl_html(args.ctl, app.sock, wd, live)
        finally:
            rc = app.stop()
        if rc != 0:
            twlive.fail(f"{trace}: exit {rc} after SIGTERM:\n{app.stderr()}")
        return live, st
    finally:
        shutil.rmtree(wd, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--ctl", required=True)
    ap.add_argument("--traces", action="append", default=[])
    ap.add_argument("--workers-2-every", type=int, default=8,
                    help="replay every Nth trace with 2 workers as well")
    ap.add_argument("--asan", action="store_true")
    args = ap.parse_args()

    twlive.need_root()
    twlive.need_live_build(args.binary)
    twlive.sanitizer_note(args.asan)
    if args.asan:  # 3x slower: every trace still, fewer 2-worker reruns
        args.workers_2_every = max(args.workers_2_every, 16)
    traces = []
    for d in args.traces:
        if not os.path.isdir(d):
            print(f"notice: {d} not found: its traces are not replayed")
            continue
        traces += sorted(glob.glob(os.path.join(d, "*.pcap")) +
                         glob.glob(os.path.join(d, "*.pcapng")))
    if not traces:
        twlive.skip("no trace to replay")
    failures, compared, skipped = [], 0, 0
    sizes_dir = twlive.workdir()
    sizes_cfg = os.path.join(sizes_dir, "sizes.cfg")
    with open(sizes_cfg, "w") as f:
        f.write(SIZES)
    for i, trace in enumerate(traces):
        name = os.path.basename(trace)
        lt = linktype(trace)
        if lt != LINKTYPE_ETHERNET:
            print(f"skip {name}: link type {lt}, a DPDK port is Ethernet")
            skipped += 1
            continue
        want, err = offline_hosts(args.binary, trace, sizes_cfg)
        if want is None:
            print(f"skip {name}: offline run failed: {err.strip()}")
            skipped += 1
            continue
        runs = [1] + ([2] if i % args.workers_2_every == 0 else [])
        for workers in runs:
            got, st = replay_one(args, trace, workers)
            compared += 1
            if got != want:
                failures.append(f"{name} ({workers} workers)")
                print(f"MISMATCH {name} ({workers} workers):\n"
                      f"  offline: {json.dumps(want)[:1500]}\n"
                      f"  live:    {json.dumps(got)[:1500]}")
            else:
                print(f"ok {name} ({workers} worker{'s' * (workers > 1)}): "
                      f"{len(got)} hosts, {st['packets']} packets")
    shutil.rmtree(sizes_dir, ignore_errors=True)
    print(f"{compared} replays compared, {skipped} traces skipped, "
          f"{len(failures)} mismatches")
    if failures:
        twlive.fail("live replay differs from offline: " + ", ".join(failures))


if __name__ == "__main__":
    main()
