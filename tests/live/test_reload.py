#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""SIGHUP reloads everything that can be (issue 15): two network
namespaces, tunnelwatch on one end of a veth pair (net_af_packet), DNS
queries sent from the other end.

  before  a query for a name under newpool-example.test (not in the pool
          list) and one with a 45-byte hex label (dns.long_label = 60)
          raise nothing
  reload  the pool list gains newpool-example.test and the config sets
          dns.long_label = 40 and flow.max_flows (a size) to another
          value; SIGHUP: config_generation 1, the log names
          dns.long_label as changed and flow.max_flows as waiting for a
          restart
  after   the same two kinds of query (new names, new ports) raise
          mining.pool_name and dns.tunnel for the sender, no restart

usage: test_reload.py --binary B [--asan]"""
import argparse
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import twlive  # noqa: E402
from test_capture import Netns, wait_for  # noqa: E402

SUBNET = 93
SENDER = r'''
import socket, struct, sys
def q(name):
    out = struct.pack("!HHHHHH", 0x1234, 0x0100, 1, 0, 0, 0)
    for label in name.split("."):
        out += bytes([len(label)]) + label.encode()
    return out + b"\0" + struct.pack("!HH", 1, 1)
for name in sys.argv[2:]:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.sendto(q(name), (sys.argv[1], 53))
    s.close()
'''


def cfg_extra(wd, long_label, max_flows):
    return f"""
mining = {{ pools_file = "{wd}/pools.txt"; }};
dns = {{ long_label = {long_label}; }};
flow = {{ max_flows = {max_flows}; sweep_interval = 0.25; }};
"""


def send(net, *names):
    r = subprocess.run(["ip", "netns", "exec", net.inside, sys.executable,
                        "-c", SENDER, net.ip_out, *names],
                       capture_output=True, text=True, timeout=30)
    if r.returncode != 0:
        twlive.fail(f"sending DNS queries: {r.stderr}")


def kinds(app, ip):
    for h in app.cmd("hosts")["hosts"]:
        if h["ip"] == ip:
            return {f["kind"] for f in h["findings"]}
    return set()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--asan", action="store_true")
    args = ap.parse_args()
    twlive.need_netns()
    twlive.need_live_build(args.binary)
    twlive.sanitizer_note(args.asan)
    net = Netns(SUBNET)
    wd = twlive.workdir()
    app = None
    try:
        with open(os.path.join(wd, "pools.txt"), "w") as f:
            f.write("supportxmr.com\nnanopool.org\n")
        port = f"net_af_packet0,iface={net.if_out}"
        cfg = twlive.cfg_text([port], wd, extra=cfg_extra(wd, 60, 4096))
        app = twlive.Appliance(args.binary, cfg, wd, netns=net.outside)
        hexa = "0123456789abcdef0123456789abcdef0123456789abc"  # 45
        hexb = "fedcba9876543210fedcba9876543210fedcba9876543"
        send(net, "xmr.newpool-example.test", f"{hexa}.exfil-example.test")
        wait_for("the queries counted",
                 lambda: app.cmd("stats")["stats"]["packets"] >= 2, 15)
        time.sleep(1)
        before = kinds(app, net.ip_in)
        if before & {"mining.pool_name", "dns.tunnel"}:
            twlive.fail(f"flagged before the reload: {before}")

        with open(os.path.join(wd, "pools.txt"), "a") as f:
            f.write("newpool-example.test\n")
        with open(os.path.join(wd, "tw.cfg"), "w") as f:
            f.write(twlive.cfg_text([port], wd,
                                    extra=cfg_extra(wd, 40, 8192)))
        app.proc.send_signal(signal.SIGHUP)
        wait_for("the reload", lambda: app.cmd("stats")["stats"]["live"]
                 ["control"]["config_generation"] == 1, 15)
        log = app.stderr()
        changed = [ln for ln in log.splitlines() if "changed:" in ln]
        later = [ln for ln in log.splitlines() if "next start" in ln]
        if not changed or "dns.long_label" not in changed[-1]:
            twlive.fail(f"the reload log does not name dns.long_label:\n{log}")
        if not later or "flow.max_flows" not in later[-1]:
            twlive.fail(f"the reload log does not name flow.max_flows as "
                        f"waiting for a restart:\n{log}")

        send(net, "pool.newpool-example.test", f"{hexb}.exfil-example.test")
        got = wait_for("mining.pool_name and dns.tunnel after the reload",
                       lambda: ({"mining.pool_name", "dns.tunnel"}
                                <= kinds(app, net.ip_in))
                       and kinds(app, net.ip_in), 20)
        rc = app.stop()
        if rc != 0:
            twlive.fail(f"exit {rc} after SIGTERM:\n{app.stderr()}")
        print(f"ok: before the reload {sorted(before) or 'nothing'}; after "
              f"SIGHUP {sorted(got)} without a restart")
        print("ok: " + changed[-1].split("tunnelwatch: ", 1)[-1][:200])
        print("ok: " + later[-1].split("tunnelwatch: ", 1)[-1][:200])
    finally:
        if app and app.proc.poll() is None:
            app.kill()
        net.down()
        shutil.rmtree(wd, ignore_errors=True)


if __name__ == "__main__":
    main()
