#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Every source file of the project names its licence in its first lines.

    spdx.py          check: list the files without the line, exit 1 if any
    spdx.py --fix    add the line where it is missing

Sources: the C files (*.c, *.h, *.def), Python and shell scripts and
meson.build files that git tracks. The line goes first, or right after a
shebang line. Run by the test suite (check-spdx)."""
import os
import subprocess
import sys

LICENSE = "BSD-3-Clause"
TAG = "SPDX-License-Identifier: "


def comment(path):
    if path.endswith((".c", ".h", ".def")):
        return f"/* {TAG}{LICENSE} */\n"
    return f"# {TAG}{LICENSE}\n"


def is_source(path):
    name = os.path.basename(path)
    return (name == "meson.build" or
            name.endswith((".c", ".h", ".def", ".py", ".sh")))


def main():
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    fix = "--fix" in sys.argv[1:]
    try:
        files = subprocess.run(["git", "-C", root, "ls-files"], check=True,
                               capture_output=True, text=True).stdout.split()
    except (OSError, subprocess.CalledProcessError):
        # not a git checkout (a source package): the tree, less builds
        files = [os.path.relpath(os.path.join(d, n), root)
                 for d, dirs, names in os.walk(root)
                 if not os.path.relpath(d, root).startswith(("build", "."))
                 for n in names]
    missing = []
    for rel in sorted(f for f in files if is_source(f)):
        path = os.path.join(root, rel)
        if not os.path.isfile(path):
            continue  # deleted in the working tree
        with open(path, encoding="utf-8") as fh:
            lines = fh.readlines()
        if any(TAG in line for line in lines[:3]):
            continue
        if not fix:
            missing.append(rel)
            continue
        at = 1 if lines and lines[0].startswith("#!") else 0
        lines.insert(at, comment(rel))
        with open(path, "w", encoding="utf-8") as fh:
            fh.writelines(lines)
    for rel in missing:
        print(f"{rel}: no '{TAG}{LICENSE}' line in its first lines "
              "(scripts/spdx.py --fix adds it)")
    if missing:
        return 1
    print(f"ok: every source names its licence ({LICENSE})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
