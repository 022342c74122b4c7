#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""End-to-end: positive traces as monitoring fabrics deliver them.

Each source trace is rewritten by tests/tools/fabric_wrap.py in every
encapsulation it knows and cut into 64-byte, overlapping and IPv6
fragments. For every rewrite:
  - the hosts, their verdicts and finding kinds equal the original's (the
    v6 modes rename hosts by fabric_wrap.v6_of);
  - wrapped: stats.decap counts the layer and the findings carry the
    outer metadata ("tunnel": type, outer pair, id; "vlan" for QinQ);
  - fragmented: stats.defrag reassembled datagrams; the conflicting
    overlaps (frag64, sent by the flagged host) add
    evasion.ip_fragment_overlap on that host and nothing else;
  - tcp_overlap: segments the flagged host resends with other bytes add
    evasion.tcp_overlap on it and nothing else;
  - the report is byte-identical with --workers 1 and 4.
Also: with decap.protocols not listing vxlan, a VXLAN trace is counted
as left in place (decap.left_disabled) and its inner host is not seen.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tools"))
import fabric_wrap  # noqa: E402

SOURCES = ["ssh_reverse_operator.pcap", "mining_stratum_v1.pcap"]
FRAG_MODES = ["frag64", "frag_overlap", "frag6", "v6", "tcp_overlap"]
# the finding a mode's conflicting bytes must add on the flagged host
EVASION = {"frag64": "evasion.ip_fragment_overlap",
           "tcp_overlap": "evasion.tcp_overlap"}


def run(binary, trace, workers, config=None):
    cmd = [binary, "--read", trace, "--json", "--workers", str(workers)]
    if config:
        cmd += ["--config", config]
    p = subprocess.run(cmd, capture_output=True, timeout=120)
    if p.returncode != 0:
        raise RuntimeError(f"{trace}: exit {p.returncode}: "
                           f"{p.stderr.decode(errors='replace').strip()}")
    return p.stdout


def hosts_of(doc, rename=None):
    out = {}
    for h in doc["hosts"]:
        out[h["ip"]] = (h["verdict"], sorted({f["kind"]
                                              for f in h["findings"]}))
    return out


def expected(base, mode):
    if mode in ("6in4", "frag6", "v6"):
        return {fabric_wrap.v6_of(ip): v for ip, v in base.items()}
    return base


def check_wrapped(mode, doc, problems):
    decap_key, ttype, id_key, id_val = fabric_wrap.EXPECT[mode]
    if not doc["stats"]["decap"].get(decap_key):
        problems.append(f"stats.decap.{decap_key} is 0")
    for h in doc["hosts"]:
        for f in h["findings"]:
            t = f.get("tunnel")
            if not t or t.get("type") != ttype:
                problems.append(f"{h['ip']}: {f['kind']}: tunnel {t}, "
                                f"expected type {ttype}")
                continue
            if id_key and t.get(id_key) != id_val:
                problems.append(f"{h['ip']}: tunnel {t}: expected "
                                f"{id_key} {id_val}")
            if mode == "qinq_vxlan" and f.get("vlan") != list(
                    fabric_wrap.VLANS):
                problems.append(f"{h['ip']}: vlan {f.get('vlan')}")


def check_one(args, src, mode, base, tmp):
    out = os.path.join(tmp, f"{mode}.pcap")
    flagged = [ip for ip, (v, _) in base.items() if v != "clean"]
    cmd = [sys.executable, args.wrap, src, out, mode]
    if mode in EVASION:
        cmd += ["--conflict-from", flagged[0]]
    subprocess.run(cmd, check=True, timeout=60)
    workers = [int(w) for w in args.workers.split(",")]
    reports = {w: run(args.binary, out, w) for w in workers}
    problems = [f"report with --workers {w} differs from --workers "
                f"{workers[0]}" for w in workers[1:]
                if reports[w] != reports[workers[0]]]
    doc = json.loads(reports[workers[0]])
    want = expected(base, mode)
    got = hosts_of(doc)
    if mode in EVASION:
        host, kind = flagged[0], EVASION[mode]
        verdict, kinds = got.get(host, ("absent", []))
        if kind not in kinds:
            problems.append(f"{host}: no {kind}")
        got[host] = (want[host][0], [k for k in kinds if k != kind])
    if got != want:
        problems.append(f"hosts {got}, expected {want}")
    if mode in fabric_wrap.WRAP:
        check_wrapped(mode, doc, problems)
    elif mode.startswith("frag") and \
            not doc["stats"]["defrag"].get("reassembled"):
        problems.append("stats.defrag.reassembled is 0")
    return problems


def check_disabled(args, src, base, tmp):
    """decap.protocols without vxlan: the layer stays and is counted."""
    out = os.path.join(tmp, "vxlan_off.pcap")
    cfg = os.path.join(tmp, "no_vxlan.cfg")
    with open(cfg, "w") as f:
        f.write('decap = { protocols = [ "gre", "mpls" ]; };\n')
    subprocess.run([sys.executable, args.wrap, src, out, "vxlan"],
                   check=True, timeout=60)
    doc = json.loads(run(args.binary, out, 1, cfg))
    problems = []
    if not doc["stats"]["decap"].get("left_disabled"):
        problems.append("decap.left_disabled is 0")
    inner = set(base) & {h["ip"] for h in doc["hosts"]}
    if inner:
        problems.append(f"inner hosts {sorted(inner)} seen with vxlan off")
    return problems


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--traces", required=True)
    ap.add_argument("--workers", default="1,4",
                    help="worker counts each wrapping runs with")
    ap.add_argument("--wrap", default=os.path.join(
        os.path.dirname(__file__), "..", "tools", "fabric_wrap.py"))
    args = ap.parse_args()
    failed = passed = 0
    with tempfile.TemporaryDirectory(prefix="tw-fabric-") as tmp:
        for name in SOURCES:
            src = os.path.join(args.traces, name)
            base = hosts_of(json.loads(run(args.binary, src, 1)))
            if not any(v != "clean" for v, _ in base.values()):
                print(f"FAIL {name}: the original flags no host")
                failed += 1
                continue
            cases = [(m, lambda m=m: check_one(args, src, m, base, tmp))
                     for m in list(fabric_wrap.WRAP) + FRAG_MODES]
            cases.append(("vxlan disabled",
                          lambda: check_disabled(args, src, base, tmp)))
            for mode, fn in cases:
                problems = fn()
                if problems:
                    failed += 1
                    print(f"FAIL {name} {mode}")
                    for p in problems:
                        print(f"     {p}")
                else:
                    passed += 1
                    print(f"ok   {name} {mode}")
    print(f"fabric: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
