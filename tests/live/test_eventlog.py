#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""The live event log's faults (issue 13, items 5, 6, 9):

  unopenable  --eve /nonexistent/x.json, output.eve_path naming the same,
              and /proc/version (opens, never takes a line): the appliance
              exits 2 at start with a message naming the file, without a
              crash or a sanitizer report; so do the other start faults
              (a port that cannot be probed, too few lcores, no socket
              directory)
  full        --eve /dev/full: the appliance keeps serving, stats counts
              every finding it could not write (output.eve_write_errors),
              and it says so on stderr; exit 1 at SIGTERM (README)
  rotate      logrotate: the file renamed, SIGHUP; the findings of the
              stop go to a new file at the path, the renamed file keeps
              what came before, and together they hold every finding

usage: test_eventlog.py --binary B --traces DIR [--asan]"""
import argparse
import os
import shutil
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import twlive  # noqa: E402
import test_stop  # noqa: E402

SANITIZER_MARKS = ("AddressSanitizer", "LeakSanitizer", "runtime error:",
                   "UndefinedBehaviorSanitizer")


def cfg(trace, wd, extra=""):
    return twlive.cfg_text([f"net_pcap0,rx_pcap={trace}"], wd, workers=2,
                           mbufs=2047, extra=test_stop.EXTRA + extra,
                           mem_mb=64, dpdk_extra="replay_finish = false;")


def start_fails(binary, text, wd, eve, what, want_in_err):
    path = os.path.join(wd, "bad.cfg")
    with open(path, "w") as f:
        f.write(text)
    cmd = [binary, "--config", path] + (["--eve", eve] if eve else [])
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    if "EAL init failed" in r.stderr:
        twlive.skip("the DPDK EAL cannot start here")
    if r.returncode != 2:
        twlive.fail(f"{what}: exit {r.returncode}, expected 2:\n{r.stderr}")
    if want_in_err not in r.stderr:
        twlive.fail(f"{what}: stderr does not name {want_in_err!r}:\n"
                    f"{r.stderr}")
    for mark in SANITIZER_MARKS:
        if mark in r.stderr:
            twlive.fail(f"{what}: sanitizer report:\n{r.stderr}")
    if os.path.exists(os.path.join(wd, "ctl.sock")):
        twlive.fail(f"{what}: the socket file was left behind")
    print(f"ok {what}: exit 2, {r.stderr.strip().splitlines()[-1]}")


def check_unopenable(args, trace, wd):
    text = cfg(trace, wd)
    start_fails(args.binary, text, wd, "/nonexistent/x.json",
                "--eve /nonexistent/x.json", "/nonexistent/x.json")
    start_fails(args.binary,
                cfg(trace, wd, 'output = { eve_path = "/nonexistent/x.json"; };'),
                wd, None, "output.eve_path /nonexistent/x.json",
                "/nonexistent/x.json")
    start_fails(args.binary, text, wd, "/proc/version",
                "--eve /proc/version", "/proc/version: opened, but a test "
                "write fails")


def check_other_start_faults(args, trace, wd):
    """Every start-up failure unwinds the same way: exit 2, a message."""
    start_fails(args.binary,
                twlive.cfg_text(["net_pcap0,rx_pcap=/nonexistent.pcap"], wd,
                                mem_mb=64, mbufs=2047),
                wd, None, "a port that cannot be probed", "no such DPDK port")
    start_fails(args.binary,
                twlive.cfg_text([f"net_pcap0,rx_pcap={trace}"], wd,
                                workers=2, mem_mb=64, mbufs=2047,
                                dpdk_extra='lcores = "0@0,1@0";'),
                wd, None, "too few lcores", "needs 3 lcores")
    start_fails(args.binary,
                twlive.cfg_text([f"net_pcap0,rx_pcap={trace}"],
                                os.path.join(wd, "missing-dir"),
                                mem_mb=64, mbufs=2047),
                wd, None, "a socket directory that is missing",
                "control.socket: bind")


def check_full(args, trace, wd, want):
    app = twlive.Appliance(args.binary, cfg(trace, wd), wd, eve="/dev/full")
    try:
        app.wait_input_end(timeout=30)
        # the findings of open flows come at SIGTERM; those of the replay
        # have failed by now: every one counted, the socket still answers
        st = app.cmd("stats")["stats"]
        got, received = st["output"]["eve_write_errors"], \
            st["findings"]["received"]
        if received == 0 or got != received:
            twlive.fail(f"/dev/full: {got} write errors counted for "
                        f"{received} findings received")
        if "hosts" not in app.cmd("hosts"):
            twlive.fail("/dev/full: `hosts` does not answer")
        rc = app.stop()
    finally:
        app.kill()
    err = app.stderr()
    if "event log /dev/full: write: No space left on device" not in err:
        twlive.fail(f"/dev/full: no write error on stderr:\n{err}")
    if rc != 1 or "findings not written" not in err:
        twlive.fail(f"/dev/full: exit {rc} after SIGTERM, expected 1 with "
                    f"the count:\n{err}")
    print(f"ok /dev/full: served, {got} write errors counted while "
          f"running, exit 1 at stop")


def check_rotate(args, trace, wd, want):
    eve = os.path.join(wd, "eve.json")
    rotated = eve + ".1"
    app = twlive.Appliance(args.binary, cfg(trace, wd), wd, eve=eve)
    try:
        app.wait_input_end(timeout=30)
        os.rename(eve, rotated)
        before = os.path.getsize(rotated)
        app.proc.send_signal(signal.SIGHUP)
        end = time.monotonic() + 10
        while app.cmd("stats")["stats"]["output"]["eve_reopened"] != 1:
            if time.monotonic() > end:
                twlive.fail(f"no reopen after SIGHUP:\n{app.stderr()}")
            time.sleep(0.05)
        if not os.path.exists(eve):
            twlive.fail("SIGHUP: no new event log at the path")
        rc = app.stop()
    finally:
        app.kill()
    if rc != 0:
        twlive.fail(f"rotate: exit {rc}:\n{app.stderr()}")
    if os.path.getsize(rotated) != before:
        twlive.fail("rotate: the renamed file was written after SIGHUP")
    new, old = test_stop.findings(eve), test_stop.findings(rotated)
    if not new:
        twlive.fail("rotate: the findings of the stop are not in the new "
                    "file")
    if new | old != want:
        twlive.fail(f"rotate: old {sorted(old)} + new {sorted(new)} != "
                    f"offline {sorted(want)}")
    print(f"ok rotate: {len(old)} findings before SIGHUP in the renamed "
          f"file, {len(new)} after in the new one")


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
        trace = os.path.join(wd, "merged.pcap")
        test_stop.merged_trace(args.traces, trace)
        sizes = os.path.join(wd, "sizes.cfg")
        with open(sizes, "w") as f:
            f.write(test_stop.EXTRA)
        want = test_stop.offline_findings(args.binary, trace, sizes, wd)
        check_unopenable(args, trace, wd)
        check_other_start_faults(args, trace, wd)
        check_full(args, trace, wd, want)
        check_rotate(args, trace, wd, want)
    finally:
        shutil.rmtree(wd, ignore_errors=True)


if __name__ == "__main__":
    main()
