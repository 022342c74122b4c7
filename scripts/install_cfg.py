#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Writes a shipped config file for installation (meson install, the
Debian package): the same file with some keys set, e.g.
scan.patterns_dir to the installed patterns (the source file's relative
"../patterns" would resolve against /etc/tunnelwatch).

install_cfg.py IN OUT section.key=VALUE ...   (VALUE a libconfig literal)
"""
import re
import sys


def main():
    src, dst, sets = sys.argv[1], sys.argv[2], sys.argv[3:]
    want = {}
    for s in sets:
        key, _, value = s.partition("=")
        want[key] = value
    done = set()
    section = None
    out = []
    with open(src, encoding="utf-8") as f:
        for line in f:
            m = re.match(r"^(\w+)\s*=\s*\{", line)
            if m:
                section = m.group(1)
            elif re.match(r"^\};", line):
                section = None
            else:
                m = re.match(r"^(\s*)(\w+)\s*=\s*.*;\s*$", line)
                if m and section:
                    key = section + "." + m.group(2)
                    if key in want and key not in done:
                        line = "%s%s = %s;\n" % (m.group(1), m.group(2),
                                                  want[key])
                        done.add(key)
            out.append(line)
    missing = set(want) - done
    if missing:
        sys.exit("install_cfg.py: %s: no line for %s" %
                 (src, ", ".join(sorted(missing))))
    with open(dst, "w", encoding="utf-8") as f:
        f.writelines(out)


if __name__ == "__main__":
    main()
