#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""The event log for SIEMs (issue 15): every EVE line of every project
trace validates against the alert part of Suricata's EVE schema, one
signature text per signature_id, one event per finding as it appears and
per severity rise, the flow's own 5-tuple.

The schema subset below is copied from OISF/suricata etc/schema.json
(commits 0035673208e7 and 0d3cfbbe3f73, the same in these parts):
  top level   timestamp (string, pattern ^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:
              \\d{2}\\.\\d+[+\\-]\\d+$, required), event_type (string,
              required), flow_id, src_port, dest_port, icmp_type, icmp_code
              (integer), src_ip, dest_ip, proto, app_proto (string), vlan
              (array of numbers), additionalProperties false
  alert       action, category, signature (string), gid, rev, severity,
              signature_id (integer), source and target ({"ip": string},
              additionalProperties false), additionalProperties false
  tunnel      depth, src_port, dest_port, pcap_cnt (integer), src_ip,
              dest_ip, proto, pkt_src (string), additionalProperties false
From Suricata's EVE output (doc/userguide/output/eve/eve-json-format.rst),
not spelled out in those schema lines:
  flow        pkts_toserver, pkts_toclient, bytes_toserver, bytes_toclient
              (integer), start (string, EVE timestamp)
  in_iface    string (live only: no trace here has it)
Ours: the `tunnelwatch` object (allowed as the one extra key).

usage: check_eve.py --binary B --traces DIR [--traces DIR ...]"""
import argparse
import glob
import json
import os
import subprocess
import sys
import tempfile

import jsonschema

TS = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d+[+\-]\d+$"
INT = {"type": "integer"}
STR = {"type": "string"}
SCHEMA = {
    "type": "object",
    "required": ["timestamp", "event_type", "alert"],
    "properties": {
        "timestamp": {"type": "string", "pattern": TS},
        "event_type": {"const": "alert"},
        "flow_id": INT, "src_ip": STR, "src_port": INT, "dest_ip": STR,
        "dest_port": INT, "proto": STR, "app_proto": STR,
        "icmp_type": INT, "icmp_code": INT, "in_iface": STR,
        "vlan": {"type": "array", "items": {"type": "number"}},
        "alert": {
            "type": "object",
            "required": ["action", "gid", "signature_id", "rev",
                         "signature", "category", "severity"],
            "properties": {
                "action": STR, "category": STR, "gid": INT, "rev": INT,
                "rule": STR, "severity": INT, "signature": STR,
                "signature_id": INT, "xff": STR,
                "source": {"type": "object", "properties": {"ip": STR},
                           "additionalProperties": False},
                "target": {"type": "object", "properties": {"ip": STR},
                           "additionalProperties": False},
            },
            "additionalProperties": False,
        },
        "flow": {
            "type": "object",
            "properties": {"pkts_toserver": INT, "pkts_toclient": INT,
                           "bytes_toserver": INT, "bytes_toclient": INT,
                           "start": {"type": "string", "pattern": TS}},
            "additionalProperties": False,
        },
        "tunnel": {
            "type": "object",
            "properties": {"depth": INT, "dest_ip": STR, "dest_port": INT,
                           "pcap_cnt": INT, "pkt_src": STR, "proto": STR,
                           "src_ip": STR, "src_port": INT},
            "additionalProperties": False,
        },
        "tunnelwatch": {"type": "object"},
    },
    "additionalProperties": False,
}
FAILS = []


def check(cond, what):
    if not cond:
        print("FAIL " + what)
        FAILS.append(what)
    return cond


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--traces", action="append", required=True)
    args = ap.parse_args()
    validator = jsonschema.Draft7Validator(SCHEMA)
    traces = []
    for d in args.traces:
        if os.path.isdir(d):
            traces += sorted(glob.glob(os.path.join(d, "*.pcap*")))
        else:
            print(f"note: {d} missing, its traces skipped")
    sid_sigs, sig_sids = {}, {}
    n_events = n_traces = 0
    with tempfile.TemporaryDirectory(prefix="tw-eve-") as tmp:
        for t in traces:
            eve = os.path.join(tmp, "eve.json")
            if os.path.exists(eve):
                os.unlink(eve)
            r = subprocess.run([args.binary, "--read", t, "--eve", eve],
                               capture_output=True, text=True, timeout=300)
            if not check(r.returncode in (0, 3),
                         f"{t}: exit {r.returncode}: {r.stderr[-300:]}"):
                continue
            n_traces += 1
            if not os.path.exists(eve):
                continue
            seen = {}
            for i, line in enumerate(open(eve), 1):
                where = f"{os.path.basename(t)}:{i}"
                try:
                    ev = json.loads(line)
                except ValueError:
                    check(False, f"{where}: not JSON")
                    continue
                n_events += 1
                errs = sorted(validator.iter_errors(ev), key=str)
                check(not errs, f"{where}: schema: "
                      + "; ".join(f"{list(e.path)}: {e.message}"
                                  for e in errs[:3]))
                a, tw = ev["alert"], ev.get("tunnelwatch", {})
                sid_sigs.setdefault(a["signature_id"], set()).add(
                    a["signature"])
                sig_sids.setdefault(a["signature"], set()).add(
                    a["signature_id"])
                # the flow's own 5-tuple: a port is never 0 on TCP/UDP
                if ev.get("proto") in ("TCP", "UDP"):
                    check(ev.get("src_port") and ev.get("dest_port"),
                          f"{where}: port 0 in the 5-tuple")
                    check("flow" in ev and "app_proto" in ev,
                          f"{where}: no flow{{}} or app_proto")
                if ev.get("proto") in ("ICMP", "IPv6-ICMP"):
                    check("icmp_type" in ev and "icmp_code" in ev,
                          f"{where}: no icmp_type/icmp_code")
                check(a.get("target", {}).get("ip") == tw.get("host"),
                      f"{where}: alert.target is not the host")
                # one event when it appears, one per severity rise
                key = (tw.get("kind"), tw.get("host"), tw.get("peer"),
                       tw.get("peer_port"))
                prev = seen.get(key)
                if prev is None:
                    check(tw.get("event") == "new",
                          f"{where}: first event of {key} is "
                          f"{tw.get('event')}")
                else:
                    check(tw.get("event") == "severity_raised"
                          and a["severity"] < prev,
                          f"{where}: {key} again without a severity rise "
                          f"({prev} -> {a['severity']}, {tw.get('event')})")
                seen[key] = a["severity"]
    for sid, sigs in sid_sigs.items():
        check(len(sigs) == 1, f"signature_id {sid}: {len(sigs)} texts "
              f"{sorted(sigs)[:3]}")
    for sig, sids in sig_sids.items():
        check(len(sids) == 1, f"signature {sig!r}: sids {sorted(sids)}")
    print(f"{n_events} events from {n_traces} traces, "
          f"{len(sid_sigs)} signature ids")
    check(n_events > 0 and n_traces > 0, "no event at all")
    if FAILS:
        print(f"{len(FAILS)} failure(s)")
        return 1
    print("every event validates; one signature per sid")
    return 0


if __name__ == "__main__":
    sys.exit(main())
