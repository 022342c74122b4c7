# SPDX-License-Identifier: BSD-3-Clause
"""Shared pieces of the live tests: skip rules, a config writer, the
appliance as a child process, and a small control-socket client.

Every test exits 77 (meson's "skipped") with a notice on stdout when the
machine cannot run it: not root, no network namespaces, no DPDK build, or
an EAL that cannot start here."""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

SKIP = 77


def skip(reason):
    print(f"SKIP: {reason}")
    sys.exit(SKIP)


def fail(msg):
    print(f"FAIL: {msg}")
    sys.exit(1)


def need_root():
    if os.geteuid() != 0:
        skip("live tests need root (DPDK EAL, network namespaces); "
             "run scripts/test.sh as root")


def need_netns():
    need_root()
    if not shutil.which("ip"):
        skip("iproute2 ('ip') is not installed: no network namespaces")
    name = f"tw-live-probe{os.getpid()}"
    r = subprocess.run(["ip", "netns", "add", name], capture_output=True)
    if r.returncode != 0:
        skip("network namespaces are unavailable here: "
             + r.stderr.decode(errors="replace").strip())
    subprocess.run(["ip", "netns", "del", name], capture_output=True)


def need_live_build(binary):
    r = subprocess.run([binary, "--config", "/dev/null"],
                       capture_output=True, timeout=30)
    if b"built without DPDK" in r.stderr:
        skip("tunnelwatch was built without DPDK (libdpdk-dev missing)")


def sanitizer_note(asan):
    """DPDK's EAL reserves its memory at fixed addresses and walks its own
    allocator in ways AddressSanitizer does not follow; where that breaks
    the EAL, the live tests skip on the ASan build rather than fail."""
    if asan and os.environ.get("TW_LIVE_ASAN", "1") == "0":
        skip("live tests disabled on the sanitizer build (TW_LIVE_ASAN=0)")


def cfg_text(ports, workdir, workers=1, extra="", mbufs=4095, eal_extra=(),
             mem_mb=96, dpdk_extra="", control_extra="", idle_sleep_us=500):
    prefix = f"twt{os.getpid()}_{int(time.monotonic() * 1000) % 100000}"
    eal = ["--no-huge", "-m", str(mem_mb), "--no-pci", "--no-shconf",
           "--no-telemetry", "--file-prefix", prefix,
           "--log-level=lib.eal:error", "--log-level=pmd:error",
           *eal_extra]
    ports_s = ", ".join(json.dumps(p) for p in ports)
    eal_s = ", ".join(json.dumps(a) for a in eal)
    return f"""
dpdk = {{
  ports = [ {ports_s} ];
  eal = [ {eal_s} ];
  workers = {workers};
  mbufs = {mbufs};
  mbuf_cache = 32;
  idle_sleep_us = {idle_sleep_us};
  {dpdk_extra}
}};
control = {{
  socket = "{workdir}/ctl.sock";
  max_clients = 256;
  max_line = 4096;
  {control_extra}
}};
{extra}
"""


class Appliance:
    """tunnelwatch --config FILE as a child; stderr kept in workdir."""

    def __init__(self, binary, cfg, workdir, netns=None, eve=None,
                 env=None):
        self.workdir = workdir
        self.sock = os.path.join(workdir, "ctl.sock")
        path = os.path.join(workdir, "tw.cfg")
        with open(path, "w") as f:
            f.write(cfg)
        cmd = [binary, "--config", path]
        if eve:
            cmd += ["--eve", eve]
        if netns:
            cmd = ["ip", "netns", "exec", netns] + cmd
        self.log = open(os.path.join(workdir, "tw.stderr"), "w+")
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=self.log,
                                     env=env)
        self.wait_socket()

    def stderr(self):
        self.log.flush()
        with open(self.log.name) as f:
            return f.read()

    def wait_socket(self, timeout=30):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                text = self.stderr()
                if "EAL init failed" in text:
                    skip("the DPDK EAL cannot start here: "
                         + text.strip().splitlines()[-1])
                fail(f"tunnelwatch exited {self.proc.returncode}:\n{text}")
            if os.path.exists(self.sock):
                try:
                    self.cmd("version")
                    return
                except OSError:
                    pass
            time.sleep(0.05)
        fail("the control socket did not come up:\n" + self.stderr())

    def cmd(self, line, timeout=20):
        return query(self.sock, line, timeout)

    def wait_input_end(self, timeout=60):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            st = self.cmd("stats")["stats"]
            if all(w["input_ended"] for w in st["live"]["workers"]):
                # counters are read before the flags: ask once more
                return self.cmd("stats")["stats"]
            time.sleep(0.05)
        fail("the replay did not end")

    def stop(self, sig=signal.SIGTERM, timeout=60):
        self.proc.send_signal(sig)
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            fail("tunnelwatch did not stop after a signal:\n" + self.stderr())
        return rc

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def query(sock_path, line, timeout=20):
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(timeout)
        s.connect(sock_path)
        s.sendall(line.encode() + b"\n")
        return json.loads(read_line(s))


def read_line(s):
    buf = b""
    while not buf.endswith(b"\n"):
        chunk = s.recv(1 << 16)
        if not chunk:
            raise OSError("connection closed before a whole answer")
        buf += chunk
    return buf


def workdir():
    return tempfile.mkdtemp(prefix="tw-live-")
