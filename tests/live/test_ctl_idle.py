#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Idle control clients must not lock operators out (issue 13, item 8).
With control.max_clients = 64 and control.idle_timeout_s = 2:

  idle        64 clients connect and say nothing; a second later
              tunnelwatch-ctl is answered (the longest idle client is
              closed for it: evicted_idle)
  half-line   64 clients each send half a command line and then a byte
              every 0.3 s (always active, never a whole line):
              tunnelwatch-ctl is answered within idle_timeout_s plus a
              second (each line is cut off: idle_closed)

usage: test_ctl_idle.py --binary B --ctl C --trace T [--asan]"""
import argparse
import os
import shutil
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import twlive  # noqa: E402

CLIENTS = 64
IDLE_S = 2


def connect_all(path):
    conns = []
    for _ in range(CLIENTS):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(path)
        s.setblocking(False)
        conns.append(s)
    return conns


def ctl_version(args, sock):
    r = subprocess.run([args.ctl, "--socket", sock, "--json", "version"],
                       capture_output=True, text=True, timeout=10)
    return r.returncode == 0 and '"version"' in r.stdout, r


def trickle(conns, until):
    """A byte to every client every 0.3 s until `until` (monotonic)."""
    while time.monotonic() < until:
        for s in conns:
            try:
                s.send(b"x")
            except OSError:
                pass  # closed by the server: what we wait for
        time.sleep(0.3)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--ctl", required=True)
    ap.add_argument("--trace", required=True)
    ap.add_argument("--asan", action="store_true")
    args = ap.parse_args()
    twlive.need_root()
    twlive.need_live_build(args.binary)
    twlive.sanitizer_note(args.asan)
    wd = twlive.workdir()
    app = None
    try:
        cfg = twlive.cfg_text([f"net_pcap0,rx_pcap={args.trace}"], wd,
                              control_extra=f"idle_timeout_s = {IDLE_S};")
        cfg = cfg.replace("max_clients = 256;", f"max_clients = {CLIENTS};")
        app = twlive.Appliance(args.binary, cfg, wd)
        app.wait_input_end()

        idle = connect_all(app.sock)
        time.sleep(1.2)
        ok, r = ctl_version(args, app.sock)
        if not ok:
            twlive.fail(f"{CLIENTS} idle clients lock tunnelwatch-ctl out: "
                        f"exit {r.returncode}: {r.stdout}{r.stderr}")
        for s in idle:
            s.close()
        time.sleep(0.2)

        half = connect_all(app.sock)
        for s in half:
            s.send(b"sta")
        t0 = time.monotonic()
        deadline = t0 + IDLE_S + 1.5
        answered = None
        while time.monotonic() < deadline:
            trickle(half, time.monotonic() + 0.3)
            ok, r = ctl_version(args, app.sock)
            if ok:
                answered = time.monotonic() - t0
                break
        if answered is None:
            twlive.fail(f"{CLIENTS} half-line clients lock tunnelwatch-ctl "
                        f"out for over {IDLE_S + 1.5} s: {r.stdout}"
                        f"{r.stderr}")
        for s in half:
            s.close()
        ctl = app.cmd("stats")["stats"]["live"]["control"]
        if ctl["evicted_idle"] < 1 or ctl["idle_closed"] < 1:
            twlive.fail(f"control counters: {ctl}")
        rc = app.stop()
        if rc != 0:
            twlive.fail(f"exit {rc} after SIGTERM:\n{app.stderr()}")
        print(f"ok: tunnelwatch-ctl answered past {CLIENTS} idle clients, "
              f"and {answered:.1f} s into {CLIENTS} half-line ones; "
              f"evicted_idle {ctl['evicted_idle']}, idle_closed "
              f"{ctl['idle_closed']}")
    finally:
        if app:
            app.kill()
        shutil.rmtree(wd, ignore_errors=True)


if __name__ == "__main__":
    main()
