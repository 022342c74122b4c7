#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Include directions of dataplane/ (issue 14), run by the test suite.

Fails on an include cycle between files, and on a file that includes a
header of a higher layer, unless scripts/include-exceptions.txt lists that
include (FILE -> HEADER  # why): a list that may only shrink.

Layers, lowest first, a folder each (main.c, the entry point, on top):
  base, decode, config, flow and capture, scan, findings, analyzers,
  verdict, control, engine, offline and live, main. meson.build builds
  one static library per layer from the same folders."""
import os
import re
import sys

RANK = {"base": 0, "decode": 1, "config": 2, "flow": 3, "capture": 3,
        "scan": 4, "findings": 5, "analyzers": 6, "verdict": 7,
        "control": 8, "engine": 9, "offline": 10, "live": 10, "main": 11}


def layer(path):
    if "/" not in path:
        return "main"
    folder = path.split("/", 1)[0]
    if folder not in RANK:
        sys.exit(f"dataplane/{path}: folder {folder}/ has no layer in "
                 "scripts/check-includes.py")
    return folder


def main():
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    src = os.path.join(root, "dataplane")
    files = []
    for d, _, names in os.walk(src):
        for n in names:
            if n.endswith((".c", ".h")):
                files.append(os.path.relpath(os.path.join(d, n), src))
    known = set(files)
    edges = {}
    for f in sorted(files):
        with open(os.path.join(src, f), encoding="utf-8") as fh:
            text = fh.read()
        for inc in re.findall(r'^\s*#\s*include\s+"([^"]+)"', text, re.M):
            if inc in known:
                target = inc
            else:
                target = os.path.normpath(os.path.join(os.path.dirname(f), inc))
                if target not in known:
                    continue
            edges.setdefault(f, []).append(target)

    allowed = set()
    exc_path = os.path.join(root, "scripts", "include-exceptions.txt")
    with open(exc_path, encoding="utf-8") as fh:
        for line in fh:
            line = line.split("#", 1)[0].strip()
            if line:
                a, b = [x.strip() for x in line.split("->")]
                allowed.add((a, b))

    errors = []
    used = set()
    for f, incs in sorted(edges.items()):
        for h in incs:
            if RANK[layer(h)] > RANK[layer(f)]:
                if (f, h) in allowed:
                    used.add((f, h))
                else:
                    errors.append(f"dataplane/{f}: includes {h}, of a higher "
                                  f"layer ({layer(f)} < {layer(h)})")
    for a, b in sorted(allowed - used):
        errors.append(f"scripts/include-exceptions.txt: {a} -> {b} is no "
                      "longer needed: remove the line")

    # include cycles between files (depth-first, iterative colouring)
    state = {}
    for start in sorted(edges):
        if state.get(start):
            continue
        stack = [(start, iter(edges.get(start, [])))]
        state[start] = 1
        path = [start]
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                state[node] = 2
                stack.pop()
                path.pop()
                continue
            if state.get(nxt) == 1:
                cyc = path[path.index(nxt):] + [nxt]
                errors.append("include cycle: " + " -> ".join(cyc))
            elif not state.get(nxt):
                state[nxt] = 1
                path.append(nxt)
                stack.append((nxt, iter(edges.get(nxt, []))))

    for e in errors:
        print(e)
    if errors:
        return 1
    print(f"ok: {len(files)} files, {sum(map(len, edges.values()))} "
          f"includes, {len(used)} listed exceptions")
    return 0


if __name__ == "__main__":
    sys.exit(main())
