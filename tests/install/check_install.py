#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Install like a Debian service (issue 15): `meson setup --prefix=/usr`
in a temp dir, `DESTDIR` install, then, in a private mount namespace
where the install is laid over /usr, /etc and /lib (overlayfs, read-only)
and the source tree and the build are hidden under empty tmpfs mounts:

- every installed file is where a Debian service has it;
- the installed binary names neither the source tree nor the build;
- `tunnelwatch --read` on a copied trace, run from /, with the installed
  config and with the built-in defaults, finds what truth.tsv says;
- `man tunnelwatch` (and the -ctl and .cfg pages) render;
- `systemd-analyze verify` passes on the installed unit (when present).

Exits 77 (skipped) with a notice when not root, without unshare or
overlayfs, or without meson/ninja; 1 on a failure."""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

SKIP = 77
FAILS = []
TRACE = "mining_pool_dns_tls.pcap"
WANT_HOST, WANT_KIND = "10.20.33.2", "mining.pool_name"


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        FAILS.append(what)


def skip(why):
    print(f"SKIP: {why}")
    sys.exit(SKIP)


def run(cmd, **kw):
    kw.setdefault("capture_output", True)
    kw.setdefault("text", True)
    kw.setdefault("timeout", 900)
    return subprocess.run(cmd, **kw)


def clean_env(home):
    env = {k: v for k, v in os.environ.items()
           if k not in ("TUNNELWATCH_PATTERNS_DIR", "CACHE_DIRECTORY",
                        "XDG_CACHE_HOME", "TW_PATTERNS_DIR",
                        "MESON_TEST_ITERATION")}
    env["HOME"] = home
    env["PATH"] = "/usr/sbin:/usr/bin:/sbin:/bin"
    env["MANPAGER"] = "cat"
    env["MANWIDTH"] = "80"
    return env


def overlay_lines(root, where):
    """Shell lines laying root/where over /where, read-only."""
    src = os.path.join(root, where.lstrip("/"))
    if not os.path.isdir(src):
        return []
    return [f"mount -t overlay overlay -o lowerdir={src}:{where} {where}"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--source", required=True)
    ap.add_argument("--traces", required=True)
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    src = os.path.realpath(args.source)

    if os.geteuid() != 0:
        skip("needs root (a mount namespace with overlayfs)")
    for tool in ("meson", "ninja", "unshare", "mount"):
        if not shutil.which(tool):
            skip(f"{tool} not installed")
    with open("/proc/filesystems") as f:
        if "overlay" not in f.read():
            skip("no overlayfs in this kernel")

    tmp = tempfile.mkdtemp(prefix="tw-install-")
    try:
        build, root, home = (os.path.join(tmp, d)
                             for d in ("b", "root", "home"))
        os.makedirs(home)
        # a quick build: no LTO, no tests; the prefix is what matters
        r = run(["meson", "setup", build, src, "--prefix=/usr",
                 "-Dtests=disabled", "-Db_lto=false", "-Dwerror=false",
                 "-Dcontrol_group=tunnelwatch"])
        check(r.returncode == 0, "meson setup --prefix=/usr")
        if r.returncode:
            print(r.stdout[-3000:], r.stderr[-3000:])
            return 1
        r = run(["ninja", "-C", build])
        check(r.returncode == 0, "ninja")
        if r.returncode:
            print(r.stdout[-3000:])
            return 1
        r = run(["meson", "install", "-C", build, "--no-rebuild",
                 "--destdir", root])
        check(r.returncode == 0, "meson install --destdir")
        if r.returncode:
            print(r.stdout[-3000:], r.stderr[-3000:])
            return 1

        # where a Debian service keeps its files
        for path in ("usr/bin/tunnelwatch", "usr/bin/tunnelwatch-ctl",
                     "etc/tunnelwatch/tunnelwatch.cfg",
                     "etc/tunnelwatch/offline.cfg",
                     "usr/share/tunnelwatch/patterns/app.hs",
                     "usr/share/tunnelwatch/patterns/pools.txt",
                     "usr/share/tunnelwatch/patterns/services.txt",
                     "usr/share/man/man8/tunnelwatch.8",
                     "usr/share/man/man8/tunnelwatch-ctl.8",
                     "usr/share/man/man5/tunnelwatch.cfg.5",
                     "usr/lib/sysusers.d/tunnelwatch.conf"):
            check(os.path.isfile(os.path.join(root, path)), f"/{path}")
        unit = None
        for d in ("lib/systemd/system", "usr/lib/systemd/system"):
            p = os.path.join(root, d, "tunnelwatch.service")
            if os.path.isfile(p):
                unit = "/" + d + "/tunnelwatch.service"
        check(unit is not None, "the systemd unit is installed")
        with open(os.path.join(root, "etc/tunnelwatch/tunnelwatch.cfg")) as f:
            cfg = f.read()
        check('patterns_dir = "/usr/share/tunnelwatch/patterns";' in cfg,
              "installed tunnelwatch.cfg names the installed patterns")
        check('group = "tunnelwatch";' in cfg,
              "installed tunnelwatch.cfg: control.group = tunnelwatch")
        with open(os.path.join(root, "usr/bin/tunnelwatch"), "rb") as f:
            blob = f.read()
        check((src + "/patterns").encode() not in blob
              and (src + "/config").encode() not in blob,
              "the installed binary names no file of the source tree")

        trace = os.path.join(tmp, TRACE)
        shutil.copy(os.path.join(args.traces, TRACE), trace)
        out = os.path.join(tmp, "out")
        os.makedirs(out)
        lines = ["set -e"]
        for where in ("/usr", "/etc", "/lib"):
            lines += overlay_lines(root, where)
        # the checkout and the build gone: nothing may come from there
        lines += [f"mount -t tmpfs -o size=1m tmpfs {src}",
                  f"mount -t tmpfs -o size=1m tmpfs {build}",
                  "cd /",
                  f"test ! -e {src}/patterns",
                  "set +e",
                  f"tunnelwatch --config /etc/tunnelwatch/offline.cfg "
                  f"--read {trace} --json >{out}/cfg.json 2>{out}/cfg.err;"
                  f" echo $? >{out}/cfg.rc",
                  f"tunnelwatch --read {trace} --json >{out}/def.json "
                  f"2>{out}/def.err; echo $? >{out}/def.rc",
                  f"man tunnelwatch >{out}/man8 2>&1",
                  f"man tunnelwatch-ctl >{out}/manctl 2>&1",
                  f"man 5 tunnelwatch.cfg >{out}/man5 2>&1",
                  f"tunnelwatch --version >{out}/version 2>&1"]
        if unit and shutil.which("systemd-analyze"):
            lines += [f"systemd-analyze verify {unit} >{out}/verify 2>&1;"
                      f" echo $? >{out}/verify.rc"]
        script = os.path.join(tmp, "inside.sh")
        with open(script, "w") as f:
            f.write("\n".join(lines) + "\n")
        r = run(["unshare", "-m", "--propagation", "private", "sh", script],
                env=clean_env(home), timeout=300)
        check(r.returncode == 0, "mount namespace with the install over "
              "/usr, /etc, /lib and the source tree hidden")
        if r.returncode:
            print(r.stdout, r.stderr)
            return 1

        def read(name):
            p = os.path.join(out, name)
            return open(p).read() if os.path.exists(p) else ""

        for tag, what in (("cfg", "with /etc/tunnelwatch/offline.cfg"),
                          ("def", "with the built-in defaults")):
            rc = read(tag + ".rc").strip()
            check(rc == "0", f"tunnelwatch --read from / {what}: exit {rc}"
                  + (f": {read(tag + '.err').strip()}" if rc != "0" else ""))
            try:
                doc = json.loads(read(tag + ".json"))
            except ValueError:
                doc = {"hosts": []}
            host = [h for h in doc.get("hosts", []) if h["ip"] == WANT_HOST]
            kinds = {f["kind"] for h in host for f in h["findings"]}
            check(bool(host) and host[0]["verdict"] != "clean"
                  and WANT_KIND in kinds,
                  f"{what}: {WANT_HOST} flagged with {WANT_KIND} "
                  f"({host[0]['verdict'] if host else 'absent'})")
        check("find reverse tunnels" in read("man8"),
              "man tunnelwatch renders")
        check("ask a running tunnelwatch" in read("manctl"),
              "man tunnelwatch-ctl renders")
        check("configuration of tunnelwatch" in read("man5"),
              "man 5 tunnelwatch.cfg renders")
        if os.path.exists(os.path.join(out, "verify.rc")):
            rc = read("verify.rc").strip()
            check(rc == "0", f"systemd-analyze verify {unit}: exit {rc}")
            print(read("verify").strip() or "(systemd-analyze: no remarks)")
        else:
            print("note: systemd-analyze not installed, unit not verified")
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    if FAILS:
        print(f"{len(FAILS)} failure(s)")
        return 1
    print("all install checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
