#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Types commands into an interactive program through a pseudo-terminal,
one character at a time with seeded human-like (or fixed, scripted) gaps,
waiting for the output to settle after each line. Used by make-traces.sh
to drive ssh sessions the way a person would.

usage: tw_type.py SEED MIN_MS MAX_MS FILE -- COMMAND [ARG ...]
FILE holds one line to type per line; "exit" is typed at the end.
MIN_MS == MAX_MS types at a fixed rhythm (a script, not a person).
"""
import os
import pty
import random
import select
import sys
import time


def drain(fd, quiet_s, limit_s):
    """Reads output until nothing came for quiet_s (or limit_s passed)."""
    end = time.monotonic() + limit_s
    last = time.monotonic()
    while time.monotonic() < end:
        r, _, _ = select.select([fd], [], [], 0.05)
        if r:
            try:
                if not os.read(fd, 4096):
                    return False
            except OSError:
                return False
            last = time.monotonic()
        elif time.monotonic() - last >= quiet_s:
            return True
    return True


def main():
    sep = sys.argv.index("--")
    seed, lo, hi, path = sys.argv[1:sep]
    cmd = sys.argv[sep + 1:]
    rng = random.Random(int(seed))
    lo, hi = int(lo), int(hi)
    lines = [l.rstrip("\n") for l in open(path)] + ["exit"]
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(cmd[0], cmd)
    drain(fd, 2.0, 20.0)          # login, prompt
    for line in lines:
        for ch in line + "\r":
            os.write(fd, ch.encode())
            if lo == hi:
                gap = lo
            else:
                gap = rng.uniform(lo, hi)
                if rng.random() < 0.08:   # a pause to think
                    gap += rng.uniform(400, 1500)
            drain(fd, gap / 1000.0, gap / 1000.0)
        if not drain(fd, 1.0, 10.0):
            break
    drain(fd, 1.0, 5.0)
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass


if __name__ == "__main__":
    main()
