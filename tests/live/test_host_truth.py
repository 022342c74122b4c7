#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Host truth over the control socket when the host table overflows
(issue 13): a net_pcap replay of 40 spoofed ICMP sources, each suspicious,
then a real reverse SSH session (ssh_reverse_operator.pcap), into a table
of 16 hosts. `host IP` must answer the reverse SSH host with its finding,
must never call an evicted flood source (whose finding was emitted)
clean -- "not tracked: table full" instead -- and stats count the
evictions. The trace is generated into a temp directory.

usage: test_host_truth.py --binary B --traces DIR [--asan]"""
import argparse
import os
import random
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))
import twlive  # noqa: E402
import check_floods  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--traces", required=True)
    ap.add_argument("--asan", action="store_true")
    args = ap.parse_args()
    twlive.need_root()
    twlive.need_live_build(args.binary)
    twlive.sanitizer_note(args.asan)

    wd = twlive.workdir()
    try:
        hdr, ssh = check_floods.read_pcap(os.path.join(args.traces, "ssh_reverse_operator.pcap"))
        flood = os.path.join(wd, "flood.pcap")
        check_floods.icmp_flood(flood, 40, ssh[0][0] - 10**9, random.Random(13))
        trace = os.path.join(wd, "flood_then_ssh.pcap")
        with open(trace, "wb") as out:
            out.write(open(flood, "rb").read())
            for _, rec in ssh:
                out.write(rec)
        cfg = twlive.cfg_text([f"net_pcap0,rx_pcap={trace}"], wd, mbufs=8191,
                              extra="hosts = { max_hosts = 16; };\n")
        app = twlive.Appliance(args.binary, cfg, wd)
        problems = []
        try:
            st = app.wait_input_end()
            ssh_host = app.cmd("host 10.20.10.2")["host"]
            kinds = [f["kind"] for f in ssh_host.get("findings", [])]
            if ssh_host.get("verdict") != "alert" or "ssh.reverse_session" not in kinds:
                problems.append(f"host 10.20.10.2: {ssh_host}")
            # the first flood sources went to make room: their findings
            # are in the past, so never "clean"
            for ip in ("172.16.0.0", "172.16.0.1", "10.99.99.99"):
                h = app.cmd(f"host {ip}")["host"]
                if h.get("verdict") == "clean" or h.get("reason") != "not tracked: table full":
                    problems.append(f"host {ip}: {h}")
            ev = st["hosts"]["evicted"]
            if ev["medium"] < 24 or st["hosts"]["tracked"] > 16:
                problems.append(f"stats hosts: {st['hosts']}")
        finally:
            rc = app.stop()
        if rc != 0:
            problems.append(f"exit {rc} after SIGTERM:\n{app.stderr()}")
        if problems:
            twlive.fail("; ".join(problems))
        print("ok host truth: reverse SSH host kept, evicted hosts 'not tracked: table full', "
              f"evictions {ev}")
    finally:
        shutil.rmtree(wd, ignore_errors=True)


if __name__ == "__main__":
    main()
