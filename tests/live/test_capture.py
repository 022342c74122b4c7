#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Live capture in two network namespaces joined by a veth pair:
tunnelwatch watches one end with net_af_packet while real programs talk
over it (a long-lived low-byte connection and a beacon loop, bounded in
time). Modes:

  capture  the control socket must report the inside host with both
           findings, its open flows, and the ctl tables, while the
           traffic is still running
  sigterm  SIGTERM in the middle of the traffic: exit 0, no socket file
           left, an event log of whole JSON lines holding at least every
           finding the appliance had reported

usage: test_capture.py --mode capture|sigterm --binary B --ctl C [--asan]"""
import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import twlive  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
TRAFFIC = os.path.join(HERE, "traffic.py")
SUBNET = {"capture": 90, "sigterm": 91}
EXTRA_CFG = """
flow = { tcp_closed_timeout = 0; sweep_interval = 0.25; };
flowtiming = {
  long_lived_min_duration = 4;
  long_lived_max_rate = 512.0;
  beacon_min_events = 5;
  beacon_min_span = 5;
};
# One inside host: its peers count as rare from the first host on, so the
# trickle and the beacon (tunnel-capable carriers) rise to medium.
hosts = { prevalence_min_hosts = 1; };
"""


def sh(*cmd, check=True):
    r = subprocess.run(cmd, capture_output=True, text=True)
    if check and r.returncode != 0:
        twlive.fail(f"{' '.join(cmd)}: {r.stderr.strip()}")
    return r


class Netns:
    """tw-live-in-K (10.20.K.2) and tw-live-out-K (10.20.K.1)."""

    def __init__(self, k):
        self.k = k
        self.inside, self.outside = f"tw-live-in-{k}", f"tw-live-out-{k}"
        self.if_in, self.if_out = f"twl{k}i", f"twl{k}o"
        self.ip_in, self.ip_out = f"10.20.{k}.2", f"10.20.{k}.1"
        self.down()
        sh("ip", "netns", "add", self.inside)
        sh("ip", "netns", "add", self.outside)
        sh("ip", "link", "add", self.if_in, "type", "veth", "peer", "name",
           self.if_out)
        sh("ip", "link", "set", self.if_in, "netns", self.inside)
        sh("ip", "link", "set", self.if_out, "netns", self.outside)
        for ns, dev, ip in ((self.inside, self.if_in, self.ip_in),
                            (self.outside, self.if_out, self.ip_out)):
            sh("ip", "-n", ns, "addr", "add", f"{ip}/24", "dev", dev)
            sh("ip", "-n", ns, "link", "set", dev, "up")
            sh("ip", "-n", ns, "link", "set", "lo", "up")

    def down(self):
        sh("ip", "netns", "del", f"tw-live-in-{self.k}", check=False)
        sh("ip", "netns", "del", f"tw-live-out-{self.k}", check=False)


def start_traffic(net, seconds):
    srv = subprocess.Popen(["ip", "netns", "exec", net.outside, sys.executable,
                            TRAFFIC, "server", net.ip_out, str(seconds + 2)],
                           stdout=subprocess.PIPE, text=True)
    if srv.stdout.readline().strip() != "ready":
        twlive.fail("traffic server did not start")
    cli = subprocess.Popen(["ip", "netns", "exec", net.inside, sys.executable,
                            TRAFFIC, "client", net.ip_out, str(seconds)])
    return [srv, cli]


def wait_for(what, fn, timeout):
    end = time.monotonic() + timeout
    last = None
    while time.monotonic() < end:
        last = fn()
        if last:
            return last
        time.sleep(0.25)
    twlive.fail(f"timed out waiting for {what}")


def host_kinds(app, ip):
    for h in app.cmd("hosts")["hosts"]:
        if h["ip"] == ip:
            return {f["kind"] for f in h["findings"]}
    return set()


def check_capture(args, app, net, procs):
    want = {"flow.long_lived_low_byte", "flow.beacon"}
    wait_for("both findings for the inside host",
             lambda: want <= host_kinds(app, net.ip_in), 30)
    if any(p.poll() is not None for p in procs):
        twlive.fail("the traffic ended before the findings were checked")
    flows = app.cmd(f"flows {net.ip_in}")
    if not any(f["resp_port"] == 9000 for f in flows["flows"]):
        twlive.fail(f"the long-lived flow is not listed as open: {flows}")
    host = app.cmd(f"host {net.ip_in}")["host"]
    if host["verdict"] == "clean" or not host["open_flows"]["flows"]:
        twlive.fail(f"host answer: {host}")
    table = subprocess.run([args.ctl, "--socket", app.sock, "hosts"],
                           capture_output=True, text=True).stdout
    if net.ip_in not in table or "VERDICT" not in table:
        twlive.fail(f"tunnelwatch-ctl hosts table:\n{table}")
    st = app.cmd("stats")["stats"]
    port = st["live"]["ports"][0]
    if port["rx_packets"] == 0 or st["packets"] == 0:
        twlive.fail(f"no packets counted: {port}")
    reload_during_traffic(app, net, st["packets"])
    print(f"ok: {net.ip_in} {host['verdict']} score {host['score']} "
          f"({', '.join(sorted(want))}), {len(flows['flows'])} open flows, "
          f"{st['packets']} packets while the traffic ran")
    print(table)


def reload_during_traffic(app, net, packets_before):
    """SIGHUP with open flows: patterns recompiled and swapped on every
    worker (their open streams closed), thresholds reapplied; the traffic
    keeps being counted and the long-lived flow stays listed."""
    app.proc.send_signal(signal.SIGHUP)

    def reloaded():
        st = app.cmd("stats")["stats"]
        return st if st["live"]["control"]["config_generation"] == 1 else None
    st = wait_for("the reload", reloaded, 10)
    if any(w["patterns_failed"] for w in st["live"]["workers"]):
        twlive.fail(f"a worker could not take the new patterns: {st}")
    wait_for("packets after the reload",
             lambda: app.cmd("stats")["stats"]["packets"] > packets_before, 10)
    flows = app.cmd(f"flows {net.ip_in}")
    if not any(f["resp_port"] == 9000 for f in flows["flows"]):
        twlive.fail(f"the long-lived flow was dropped by the reload: {flows}")
    print("ok: SIGHUP during traffic: patterns and thresholds reloaded, "
          "flows kept")


def check_sigterm(app, net, eve):
    wait_for("the first finding",
             lambda: app.cmd("stats")["stats"]["findings"]["received"] > 0, 30)
    reported = app.cmd("stats")["stats"]["findings"]["received"]
    rc = app.stop()
    if rc != 0:
        twlive.fail(f"exit {rc} after SIGTERM:\n{app.stderr()}")
    if os.path.exists(app.sock):
        twlive.fail("the control socket file is still there")
    with open(eve, "rb") as f:
        data = f.read()
    if data and not data.endswith(b"\n"):
        twlive.fail("the event log ends in a partial line")
    events = [json.loads(line) for line in data.splitlines()]
    kinds = [e.get("tunnelwatch", {}).get("kind") for e in events]
    if len(events) < reported or "flow.long_lived_low_byte" not in kinds:
        twlive.fail(f"event log has {len(events)} events ({kinds}), "
                    f"{reported} were reported before SIGTERM")
    print(f"ok: exit 0 during traffic, socket removed, {len(events)} whole "
          f"events ({reported} reported before the signal)")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mode", choices=("capture", "sigterm"), required=True)
    ap.add_argument("--binary", required=True)
    ap.add_argument("--ctl", required=True)
    ap.add_argument("--asan", action="store_true")
    args = ap.parse_args()
    twlive.need_netns()
    twlive.need_live_build(args.binary)
    twlive.sanitizer_note(args.asan)
    net = Netns(SUBNET[args.mode])
    wd = twlive.workdir()
    eve = os.path.join(wd, "eve.json")
    app, procs = None, []
    try:
        procs = start_traffic(net, 40 if args.mode == "capture" else 20)
        port = f"net_af_packet0,iface={net.if_out}"
        cfg = twlive.cfg_text([port], wd, extra=EXTRA_CFG)
        app = twlive.Appliance(args.binary, cfg, wd, netns=net.outside,
                               eve=eve)
        if args.mode == "capture":
            check_capture(args, app, net, procs)
        else:
            check_sigterm(app, net, eve)
    finally:
        if app and app.proc.poll() is None:
            app.stop()
        for p in procs:
            p.kill()
            p.wait()
        net.down()
        shutil.rmtree(wd, ignore_errors=True)


if __name__ == "__main__":
    main()
