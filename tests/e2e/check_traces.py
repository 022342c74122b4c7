#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""End-to-end: run build/tunnelwatch on real traces and check the verdicts.

Traces and what they must show come from two truth tables of one format
(`file<TAB>expect[<TAB>config]`, expect = comma list of `family:host`,
`kind:host`, a trailing `?` for may-be-flagged, a trailing `=clean` for a
finding that is reported but must not flag its host (a flow's shape alone),
or `benign`; config, when given, is a config file beside the truth table
that this trace is read with instead of --config, e.g.
short_thresholds.cfg):
  - tests/traces/truth.tsv: traces this project records itself;
  - ../shared/traces/truth.tsv: third-party traces (skipped with a notice
    when that folder is absent, as in a user's clone).

Rules, for every trace:
  - exit status 0 and one JSON document of the DESIGN.md 3a shape;
  - each expected host of a covered family has a finding of that family (or
    that exact kind) and a verdict other than clean (`=clean`: the finding,
    and the verdict clean);
  - every host not named stays clean; a benign trace leaves every host clean;
  - for a family no analyzer covers yet: no crash, and the named host is not
    flagged (medium or worse) by another family;
  - the report is byte-identical with --workers 1, 2 and 4.
"""
import argparse
import json
import os
import subprocess
import sys

# Families that have an analyzer. A later issue's analyzer switches its
# family on here; until then its rows are checked as "no crash".
COVERED = {"flow", "mining", "dns", "icmp", "tunnel"}  # dns, icmp, tunnel: issue 6
COVERED.add("ssh")  # issue 4

SEVERITY = {"info": 0, "low": 1, "medium": 2, "high": 3}


def read_truth(path):
    rows = []
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            parts = line.split("\t")
            if len(parts) not in (2, 3):
                sys.exit(f"{path}:{n}: expected 'file<TAB>expect[<TAB>config]'")
            rows.append((parts[0], parts[1],
                         parts[2] if len(parts) == 3 else None))
    return rows


def parse_expect(expect):
    """-> list of (label, host, mode) where label is a family or kind and
    mode is "flagged", "optional" or "clean"."""
    if expect == "benign":
        return []
    out = []
    for item in expect.split(","):
        label, host = item.split(":", 1)
        mode = "flagged"
        if host.endswith("?"):
            mode, host = "optional", host[:-1]
        elif host.endswith("=clean"):
            mode, host = "clean", host[:-len("=clean")]
        out.append((label, host, mode))
    return out


def run(binary, config, trace, workers):
    traces = trace if isinstance(trace, list) else [trace]
    cmd = [binary, "--json", "--workers", str(workers)]
    for t in traces:
        cmd += ["--read", t]
    if config:
        cmd += ["--config", config]
    p = subprocess.run(cmd, capture_output=True, timeout=300)
    return p.returncode, p.stdout, p.stderr.decode(errors="replace")


def family_of(label):
    return label.split(".", 1)[0]


def check_doc(doc):
    errors = []
    if doc.get("version") != 1 or "stats" not in doc or "hosts" not in doc:
        errors.append("document lacks version/stats/hosts")
    for h in doc.get("hosts", []):
        for key in ("ip", "verdict", "score", "findings"):
            if key not in h:
                errors.append(f"host lacks '{key}'")
        for f in h.get("findings", []):
            for key in ("family", "kind", "severity", "peer_ip", "peer_port",
                        "proto", "first_seen", "last_seen", "count",
                        "summary", "detail"):
                if key not in f:
                    errors.append(f"{h.get('ip')}: finding lacks '{key}'")
    return errors


def check_trace(name, expect, doc):
    errors = []
    hosts = {h["ip"]: h for h in doc["hosts"]}
    wanted = parse_expect(expect)
    named = {host for _, host, _ in wanted}
    for label, host, mode in wanted:
        h = hosts.get(host)
        fam = family_of(label)
        if fam not in COVERED:
            if h:
                wrong = [f["kind"] for f in h["findings"]
                         if f["family"] != fam and
                         SEVERITY[f["severity"]] >= SEVERITY["medium"]]
                if wrong:
                    errors.append(f"{host}: flagged by {wrong}, expected only {fam} (not covered yet)")
            continue
        if mode == "optional":
            continue
        if mode == "clean":
            kinds = [f["kind"] for f in h["findings"]] if h else []
            if label not in kinds:
                errors.append(f"{host}: expected {label} reported, got {kinds}")
            elif h["verdict"] != "clean":
                errors.append(f"{host}: expected clean with {label}, got "
                              f"{h['verdict']} ({h['raised_by']})")
            continue
        if not h or h["verdict"] == "clean":
            errors.append(f"{host}: expected {label}, got verdict "
                          f"{h['verdict'] if h else 'absent'}")
            continue
        kinds = [f["kind"] for f in h["findings"]]
        fams = [f["family"] for f in h["findings"]]
        if ("." in label and label not in kinds) or label not in fams + kinds:
            errors.append(f"{host}: expected {label}, got {kinds}")
    for ip, h in hosts.items():
        if ip not in named and h["verdict"] != "clean":
            kinds = [f["kind"] for f in h["findings"]]
            errors.append(f"{ip}: not expected, but {h['verdict']} ({kinds})")
    return errors


def check_mixed(binary, config, truth, workers):
    """Every trace of one truth table read in one run, as one tap would see
    them all: each expected host keeps its flag, every host of a benign
    trace and every unnamed host stays clean. A shape-only host (`=clean`)
    may rise there: with many inside hosts its peer is provably rare."""
    folder = os.path.dirname(truth)
    rows = read_truth(truth)
    traces = [os.path.join(folder, name) for name, _, _ in rows]
    flagged, may = {}, set()
    for name, expect, _ in rows:
        for label, host, mode in parse_expect(expect):
            if mode == "flagged" and family_of(label) in COVERED:
                flagged.setdefault(host, []).append(label)
            else:
                may.add(host)
    outputs = {}
    for w in workers:
        rc, out, err = run(binary, config, traces, w)
        if rc != 0:
            return [f"mixed run --workers {w}: exit {rc}: {err.strip()}"]
        outputs[w] = out
    errors = [f"mixed run: --workers {w} differs from --workers {workers[0]}"
              for w in workers[1:] if outputs[w] != outputs[workers[0]]]
    hosts = {h["ip"]: h for h in json.loads(outputs[workers[0]])["hosts"]}
    for host, labels in sorted(flagged.items()):
        h = hosts.get(host)
        if not h or h["verdict"] == "clean":
            errors.append(f"mixed run: {host}: expected {labels}, got "
                          f"{h['verdict'] if h else 'absent'}")
            continue
        have = {f["kind"] for f in h["findings"]} | {f["family"] for f in h["findings"]}
        missing = [l for l in labels if l not in have]
        if missing:
            errors.append(f"mixed run: {host}: missing {missing}")
    for ip, h in sorted(hosts.items()):
        if ip not in flagged and ip not in may and h["verdict"] != "clean":
            errors.append(f"mixed run: {ip}: not expected, but {h['verdict']} "
                          f"({h['raised_by']})")
    return errors


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--config")
    ap.add_argument("--truth", action="append", required=True,
                    help="truth.tsv; its folder holds the traces")
    ap.add_argument("--workers", default="1,2,4")
    ap.add_argument("--mixed", action="append", default=[],
                    help="truth.tsv whose traces are also read in one run")
    args = ap.parse_args()

    workers = [int(w) for w in args.workers.split(",")]
    failed = passed = skipped = 0
    for truth in args.truth:
        if not os.path.exists(truth):
            print(f"notice: {truth} not found: skipping its traces")
            skipped += 1
            continue
        folder = os.path.dirname(truth)
        for name, expect, own_config in read_truth(truth):
            trace = os.path.join(folder, name)
            config = (os.path.join(folder, own_config) if own_config
                      else args.config)
            problems = []
            outputs = {}
            for w in workers:
                rc, out, err = run(args.binary, config, trace, w)
                if rc != 0:
                    problems.append(f"--workers {w}: exit {rc}: {err.strip()}")
                    break
                outputs[w] = out
            if not problems:
                first = outputs[workers[0]]
                for w in workers[1:]:
                    if outputs[w] != first:
                        problems.append(f"report with --workers {w} differs from --workers {workers[0]}")
                doc = json.loads(first)
                problems += check_doc(doc)
                problems += check_trace(name, expect, doc)
            if problems:
                failed += 1
                print(f"FAIL {name}")
                for p in problems:
                    print(f"     {p}")
            else:
                passed += 1
                print(f"ok   {name}")
    for truth in args.mixed:
        problems = check_mixed(args.binary, args.config, truth, workers)
        if problems:
            failed += 1
            print(f"FAIL mixed {truth}")
            for p in problems:
                print(f"     {p}")
        else:
            passed += 1
            print(f"ok   mixed run of every trace in {truth}")
    print(f"traces: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
