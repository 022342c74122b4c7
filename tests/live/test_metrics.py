#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Metrics and logs of the live appliance (issue 15), with the real tools
of Debian's prometheus package. One net_pcap replay with
metrics.listen = 127.0.0.1:PORT, log.format = "json", log.level = "info":

  ctl         `tunnelwatch-ctl metrics` passes `promtool check metrics`;
              tunnelwatch_packets_total equals stats' packets, the port's
              rx counter and the hosts by verdict equal `stats`/`hosts`
  http        GET /metrics on the listener: the same families, promtool
              passes; another path is 404
  prometheus  a `prometheus` server on loopback with a temp config scrapes
              the listener; its query API returns tunnelwatch_packets_total
              with the appliance's value, and up == 1 (bounded waits)
  logs        every stderr line is JSON with time and level; findings are
              logged at info with their kind and host
  systemd     with NOTIFY_SOCKET and WATCHDOG_USEC set (as systemd sets
              them for Type=notify, WatchdogSec=1s): READY=1, STATUS= and
              WATCHDOG=1 arrive on the socket, pings at least every 0.5 s
  ctl extras  `since 0` returns the kept findings oldest first,
              `findings` is newest first by time, `follow 1` returns after
              about a second, `--wide` does not cut summaries

Skips (77) with a notice when not root, without a DPDK build, without
promtool/prometheus, or without the HTTP listener (libmicrohttpd).

usage: test_metrics.py --binary B --ctl C --trace T [--asan]"""
import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import twlive  # noqa: E402

WAIT_S = 60


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def promtool_check(text, what):
    r = subprocess.run(["promtool", "check", "metrics"], input=text,
                       capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        twlive.fail(f"promtool check metrics on {what}: exit {r.returncode}:"
                    f"\n{r.stdout}{r.stderr}")
    print(f"ok: promtool check metrics passes on {what}")


def samples(text):
    out = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        name, _, value = line.rpartition(" ")
        out[name] = float(value)
    return out


def http_get(url, timeout=10):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.status, r.read().decode()


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
    for tool in ("promtool", "prometheus"):
        if not shutil.which(tool):
            twlive.skip(f"{tool} not installed (Debian package prometheus)")
    wd = twlive.workdir()
    app = prom = None
    port, prom_port = free_port(), free_port()
    try:
        extra = (f'metrics = {{ listen = "127.0.0.1:{port}"; }};\n'
                 'log = { format = "json"; level = "info"; };\n')
        cfg = twlive.cfg_text([f"net_pcap0,rx_pcap={args.trace}"], wd,
                              extra=extra)
        notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        notify.bind(os.path.join(wd, "notify.sock"))
        notify.settimeout(0.2)
        env = dict(os.environ, NOTIFY_SOCKET=os.path.join(wd, "notify.sock"),
                   WATCHDOG_USEC="1000000")
        app = twlive.Appliance(args.binary, cfg, wd, env=env)
        stats = app.wait_input_end()
        if "without libmicrohttpd" in app.stderr():
            twlive.skip("built without libmicrohttpd")

        # ---- sd_notify: READY=1, STATUS=, WATCHDOG=1 ----
        msgs, end = [], time.monotonic() + 3
        while time.monotonic() < end:
            try:
                msgs.append(notify.recv(4096).decode())
            except socket.timeout:
                pass
        notify.close()
        text = "\n".join(msgs)
        pings = sum(m.count("WATCHDOG=1") for m in msgs)
        if "READY=1" not in text or "STATUS=watching 1 port" not in text:
            twlive.fail(f"sd_notify: no READY=1 and STATUS=: {msgs[:5]}")
        if pings < 4:
            twlive.fail(f"sd_notify: {pings} WATCHDOG=1 in 3 s with "
                        f"WatchdogSec=1s: {msgs[:8]}")
        print(f"ok: sd_notify READY=1, STATUS=, {pings} watchdog pings in "
              f"3 s")

        # ---- tunnelwatch-ctl metrics ----
        r = subprocess.run([args.ctl, "--socket", app.sock, "metrics"],
                           capture_output=True, text=True, timeout=30)
        if r.returncode != 0:
            twlive.fail(f"tunnelwatch-ctl metrics: exit {r.returncode}: "
                        f"{r.stderr}")
        promtool_check(r.stdout, "tunnelwatch-ctl metrics")
        m = samples(r.stdout)
        stats = app.cmd("stats")["stats"]
        want = {
            "tunnelwatch_packets_total": stats["packets"],
            'tunnelwatch_live_ports_rx_packets_total{port="0"}':
                stats["live"]["ports"][0]["rx_packets"],
            'tunnelwatch_live_workers_packets_total{worker="0"}':
                stats["live"]["workers"][0]["packets"],
            "tunnelwatch_output_eve_write_errors_total": 0,
            'tunnelwatch_drops_total{reason="not_ip"}':
                stats["drops"]["not_ip"],
            'tunnelwatch_table_capacity{table="hosts"}': 16384,
        }
        hosts = app.cmd("hosts")["hosts"]
        for v in ("clean", "suspicious", "alert"):
            n = sum(1 for h in hosts if h["verdict"] == v)
            if v != "clean":
                want[f'tunnelwatch_host_verdicts{{verdict="{v}"}}'] = n
        for k, v in want.items():
            if m.get(k) != v:
                twlive.fail(f"metrics: {k} = {m.get(k)}, want {v}")
        if stats["packets"] == 0 or not hosts:
            twlive.fail(f"the replay found nothing: {stats['packets']} "
                        f"packets, hosts {hosts}")
        kinds = {f["kind"] for h in hosts for f in h["findings"]}
        for k in kinds:
            if not any(name.startswith("tunnelwatch_host_findings{"
                                       f'kind="{k}"') for name in m):
                twlive.fail(f"metrics: no tunnelwatch_host_findings for {k}")
        print(f"ok: {len(m)} samples; packets {stats['packets']}, "
              f"hosts {len(hosts)}, kinds {sorted(kinds)}")

        # ---- the HTTP listener ----
        status, text = http_get(f"http://127.0.0.1:{port}/metrics")
        if status != 200:
            twlive.fail(f"GET /metrics: {status}")
        promtool_check(text, "GET /metrics")
        got = set(samples(text))
        missing = set(want) - got
        if missing:
            twlive.fail(f"GET /metrics lacks {sorted(missing)}")
        try:
            http_get(f"http://127.0.0.1:{port}/other")
            twlive.fail("GET /other: not a 404")
        except urllib.error.HTTPError as e:
            if e.code != 404:
                twlive.fail(f"GET /other: {e.code}, want 404")
        print("ok: GET /metrics 200, GET /other 404")

        # ---- a Prometheus server scrapes it ----
        pdir = os.path.join(wd, "prom")
        os.makedirs(pdir)
        with open(os.path.join(pdir, "prometheus.yml"), "w") as f:
            f.write("global:\n  scrape_interval: 1s\n"
                    "  evaluation_interval: 1s\n"
                    "scrape_configs:\n  - job_name: tunnelwatch\n"
                    "    static_configs:\n"
                    f"      - targets: ['127.0.0.1:{port}']\n")
        plog = open(os.path.join(pdir, "stderr"), "w")
        prom = subprocess.Popen(
            ["prometheus", f"--config.file={pdir}/prometheus.yml",
             f"--storage.tsdb.path={pdir}/data",
             f"--web.listen-address=127.0.0.1:{prom_port}"],
            stdout=plog, stderr=plog, cwd=pdir)
        q = urllib.parse.quote("tunnelwatch_packets_total")
        url = f"http://127.0.0.1:{prom_port}/api/v1/query?query={q}"
        value, up = None, None
        end = time.monotonic() + WAIT_S
        while time.monotonic() < end and value is None:
            if prom.poll() is not None:
                twlive.fail("prometheus exited:\n"
                            + open(plog.name).read()[-3000:])
            try:
                _, body = http_get(url, timeout=5)
                res = json.loads(body)["data"]["result"]
                if res:
                    value = float(res[0]["value"][1])
                    _, body = http_get(
                        f"http://127.0.0.1:{prom_port}/api/v1/query?query="
                        + urllib.parse.quote('up{job="tunnelwatch"}'))
                    up = float(json.loads(body)["data"]["result"][0]
                               ["value"][1])
            except (OSError, ValueError, KeyError, IndexError):
                pass
            if value is None:
                time.sleep(0.5)
        if value is None:
            twlive.fail(f"prometheus returned no tunnelwatch_packets_total "
                        f"within {WAIT_S} s:\n"
                        + open(plog.name).read()[-3000:])
        if value != stats["packets"] or up != 1:
            twlive.fail(f"prometheus: tunnelwatch_packets_total {value} "
                        f"(want {stats['packets']}), up {up}")
        print(f"ok: prometheus scraped the appliance: "
              f"tunnelwatch_packets_total {value:.0f}, up {up:.0f}")

        # ---- tunnelwatch-ctl extras ----
        since = app.cmd("since 0")
        if since["total"] <= 1024 and len(since["findings"]) != since["total"]:
            twlive.fail(f"since 0: {len(since['findings'])} of "
                        f"{since['total']}")
        newest = app.cmd("findings 1000")["findings"]
        times = [f["last_seen"] for f in newest]
        if times != sorted(times, reverse=True):
            twlive.fail(f"findings not newest first by time: {times}")
        t0 = time.monotonic()
        r = subprocess.run([args.ctl, "--socket", app.sock, "follow", "1"],
                           capture_output=True, text=True, timeout=20)
        took = time.monotonic() - t0
        if r.returncode != 0 or not 0.9 <= took <= 5:
            twlive.fail(f"follow 1: exit {r.returncode} after {took:.1f} s:"
                        f" {r.stdout}{r.stderr}")
        narrow = subprocess.run([args.ctl, "--socket", app.sock, "hosts"],
                                capture_output=True, text=True, timeout=20)
        wide = subprocess.run([args.ctl, "--socket", app.sock, "--wide",
                               "hosts"], capture_output=True, text=True,
                              timeout=20)
        longest = max(len(f["summary"]) for h in hosts
                      for f in h["findings"][:1])
        if narrow.returncode or wide.returncode:
            twlive.fail(f"hosts: {narrow.stderr}{wide.stderr}")
        if longest > 60 and "..." not in narrow.stdout:
            twlive.fail(f"hosts without --wide does not cut:\n{narrow.stdout}")
        if "..." in wide.stdout and longest > 60:
            twlive.fail(f"hosts --wide cuts summaries:\n{wide.stdout}")
        print(f"ok: since/findings order, follow 1 took {took:.1f} s, "
              f"--wide (longest summary {longest})")

        # ---- logs ----
        rc = app.stop()
        if rc != 0:
            twlive.fail(f"exit {rc} after SIGTERM:\n{app.stderr()}")
        lines = [ln for ln in app.stderr().splitlines() if ln.strip()]
        findings_logged = 0
        for ln in lines:
            try:
                ev = json.loads(ln)
            except ValueError:
                twlive.fail(f"a log line is not JSON: {ln!r}")
            if not ev.get("time", "").endswith("Z") or ev.get("level") not in (
                    "err", "warning", "notice", "info", "debug"):
                twlive.fail(f"a log line without time or level: {ln!r}")
            if "kind" in ev:
                findings_logged += 1
                if ev["level"] != "info" or not ev.get("host"):
                    twlive.fail(f"a finding's log line: {ln!r}")
        if not findings_logged or not any("watching" in ln for ln in lines):
            twlive.fail("no finding or start line in the log:\n"
                        + "\n".join(lines[:20]))
        print(f"ok: {len(lines)} JSON log lines, {findings_logged} findings "
              f"with kind and host")
    finally:
        if prom and prom.poll() is None:
            prom.terminate()
            try:
                prom.wait(20)
            except subprocess.TimeoutExpired:
                prom.kill()
        if app:
            app.kill()
        shutil.rmtree(wd, ignore_errors=True)


if __name__ == "__main__":
    main()
