#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Stop after a replay, many times: SIGTERM once a net_pcap replay has
ended, with 1, 2 and 4 workers on one single-queue port (worker 0 spreads
the packets to the others), RUNS times each. Every run must exit 0 within
STOP_LIMIT_S seconds of the signal, and its event log must hold every
finding the offline engine reports for the same trace: with
`dpdk.replay_finish = false` the flows stay open until SIGTERM, so the
last findings exist only if the stop protocol evaluated every worker's
flows (issue 13, item 0: a lost end-of-dispatch record hung the stop).

The trace is made here from three small positive traces of tests/traces,
shifted to one start time and merged, so that their hosts hash to
different workers.

usage: test_stop.py --binary B --traces DIR [--runs N] [--asan]"""
import argparse
import json
import os
import shutil
import signal
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import twlive  # noqa: E402

STOP_LIMIT_S = 5.0
SOURCES = ["ssh_connect_back.pcap", "mining_stratum_v1.pcap",
           "icmptun_ptunnel.pcap"]
EXTRA = """
flow = { max_flows = 4096; reorder_slots = 256; };
scan = { max_streams = 4096; };
hosts = { max_hosts = 1024; };
flowtiming = { beacon_max_pairs = 4096; };
"""


def read_pcap(path):
    """(header, [(ts_us, record_header_rest, data)]) of a classic
    little-endian microsecond pcap."""
    with open(path, "rb") as f:
        blob = f.read()
    if blob[:4] != b"\xd4\xc3\xb2\xa1":
        twlive.fail(f"{path}: not a little-endian microsecond pcap")
    recs, off = [], 24
    while off + 16 <= len(blob):
        sec, usec, incl, orig = struct.unpack_from("<IIII", blob, off)
        data = blob[off + 16:off + 16 + incl]
        recs.append((sec * 1000000 + usec, orig, data))
        off += 16 + incl
    return blob[:24], recs


def merged_trace(trace_dir, out):
    """The sources shifted to start at the first one's time, merged by
    time (stable: each source keeps its order)."""
    header, merged = None, []
    for i, name in enumerate(SOURCES):
        hdr, recs = read_pcap(os.path.join(trace_dir, name))
        header = header or hdr
        base = recs[0][0]
        if i == 0:
            start = base
        merged += [(ts - base + start, i, n, orig, data)
                   for n, (ts, orig, data) in enumerate(recs)]
    merged.sort(key=lambda r: (r[0], r[1], r[2]))
    with open(out, "wb") as f:
        f.write(header)
        for ts, _, _, orig, data in merged:
            f.write(struct.pack("<IIII", ts // 1000000, ts % 1000000,
                                len(data), orig) + data)


def findings(eve_path):
    """Distinct (host, kind) of an event log; fails on a torn line."""
    got = set()
    if not os.path.exists(eve_path):
        return got
    with open(eve_path) as f:
        for line in f:
            try:
                tw = json.loads(line)["tunnelwatch"]
            except (ValueError, KeyError):
                twlive.fail(f"event log line is not a whole event: {line!r}")
            got.add((tw["host"], tw["kind"]))
    return got


def offline_findings(binary, trace, cfg, wd):
    eve = os.path.join(wd, "offline.json")
    r = subprocess.run([binary, "--read", trace, "--config", cfg,
                        "--eve", eve], capture_output=True, timeout=60)
    if r.returncode != 0:
        twlive.fail(f"offline run: exit {r.returncode}: {r.stderr.decode()}")
    return findings(eve)


def one_run(binary, trace, workers, want, wd, run, idle_us):
    eve = os.path.join(wd, f"eve-{workers}-{run}.json")
    cfg = twlive.cfg_text([f"net_pcap0,rx_pcap={trace}"], wd,
                          workers=workers, mbufs=2047, extra=EXTRA,
                          mem_mb=64, dpdk_extra="replay_finish = false;",
                          idle_sleep_us=idle_us)
    app = twlive.Appliance(binary, cfg, wd, eve=eve)
    try:
        app.wait_input_end(timeout=30)
        t0 = time.monotonic()
        app.proc.send_signal(signal.SIGTERM)
        try:
            rc = app.proc.wait(STOP_LIMIT_S)
        except subprocess.TimeoutExpired:
            app.kill()
            twlive.fail(f"{workers} workers, run {run}: still running "
                        f"{STOP_LIMIT_S} s after SIGTERM:\n{app.stderr()}")
        took = time.monotonic() - t0
    finally:
        app.kill()
    if rc != 0:
        twlive.fail(f"{workers} workers, run {run}: exit {rc} after "
                    f"SIGTERM:\n{app.stderr()}")
    if os.path.exists(app.sock):
        twlive.fail(f"{workers} workers, run {run}: socket file left")
    got = findings(eve)
    if got != want:
        twlive.fail(f"{workers} workers, run {run}: event log holds "
                    f"{sorted(got)}, offline reports {sorted(want)}:\n"
                    f"{app.stderr()}")
    os.unlink(eve)
    return took


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--traces", required=True)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--workers", default="1,2,4")
    ap.add_argument("--asan", action="store_true")
    args = ap.parse_args()

    twlive.need_root()
    twlive.need_live_build(args.binary)
    twlive.sanitizer_note(args.asan)
    wd = twlive.workdir()
    try:
        trace = os.path.join(wd, "merged.pcap")
        merged_trace(args.traces, trace)
        sizes = os.path.join(wd, "sizes.cfg")
        with open(sizes, "w") as f:
            f.write(EXTRA)
        want = offline_findings(args.binary, trace, sizes, wd)
        hosts = {h for h, _ in want}
        if len(hosts) < 3:
            twlive.fail(f"the merged trace gives findings for {hosts}, "
                        "expected one host per source")
        t_start = time.monotonic()
        for workers in [int(w) for w in args.workers.split(",")]:
            worst = 0.0
            for run in range(args.runs):
                # half the runs spin as the default dpdk.idle_sleep_us
                # = 0 does (the race is likeliest there), half nap
                worst = max(worst, one_run(args.binary, trace, workers,
                                           want, wd, run,
                                           0 if run % 2 == 0 else 200))
            print(f"ok {workers} worker{'s' * (workers > 1)}: {args.runs} "
                  f"stops, slowest {worst:.2f} s, {len(want)} findings "
                  f"each")
        print(f"{time.monotonic() - t_start:.1f} s in all")
    finally:
        shutil.rmtree(wd, ignore_errors=True)


if __name__ == "__main__":
    main()
