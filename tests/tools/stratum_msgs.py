# SPDX-License-Identifier: BSD-3-Clause
"""Mining protocol messages for the project's pool and miner simulators.

Exactly the shapes the protocols' documentation gives:
  - Stratum v1: slushpool's "Stratum mining protocol" (mining.subscribe,
    mining.authorize, mining.set_difficulty, mining.notify, mining.submit),
    newline-delimited JSON-RPC 1.0 style objects with id/method/params.
  - CryptoNote / XMRig: xmrig-proxy's doc/STRATUM.md (login with
    login/pass/agent/algo, the login result carrying a job, job pushes,
    submit with id/job_id/nonce/result, keepalived), JSON-RPC 2.0 objects.
Values (hashes, blobs) are deterministic from a seed so reruns repeat.
"""
import hashlib
import json
import time

XMRIG_AGENT = "XMRig/6.21.0 (Linux x86_64) libuv/1.44.2 gcc/12.2.0"
CGMINER_AGENT = "cgminer/4.12.1"
# Monero's documented example address shape (95 chars, starts with 4).
XMR_WALLET = ("44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7Sq"
              "SsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3A")
BTC_WALLET = "bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh"


def hexof(seed, n):
    """n hex digits derived from seed."""
    out = ""
    i = 0
    while len(out) < n:
        out += hashlib.sha256(f"{seed}:{i}".encode()).hexdigest()
        i += 1
    return out[:n]


def line(obj):
    """One message on the wire: compact JSON and a newline."""
    return (json.dumps(obj, separators=(",", ":")) + "\n").encode()


def spaced(obj):
    """The same with ', ' and ': ' as Python-based miners write it."""
    return (json.dumps(obj) + "\n").encode()


# ---- Stratum v1 ----

def v1_subscribe(msg_id, agent):
    return spaced({"id": msg_id, "method": "mining.subscribe",
                   "params": [agent]})


def v1_subscribe_result(msg_id):
    return spaced({"id": msg_id, "result": [
        [["mining.set_difficulty", "b4b6693b72a50c7116db18d6497cac52"],
         ["mining.notify", "ae6812eb4cd7735a302a8a9dd95cf71f"]],
        "08000002", 4], "error": None})


def v1_authorize(msg_id, worker, password="x"):
    return spaced({"params": [worker, password], "id": msg_id,
                   "method": "mining.authorize"})


def v1_result(msg_id, value=True):
    return spaced({"error": None, "id": msg_id, "result": value})


def v1_set_difficulty(diff):
    return spaced({"params": [diff], "id": None,
                   "method": "mining.set_difficulty"})


def v1_notify(n, clean=False):
    return spaced({"params": [
        f"{n:x}", hexof(f"prev{n}", 64), hexof(f"cb1{n}", 108),
        hexof(f"cb2{n}", 80), [hexof(f"mb{n}", 64)], "20000000",
        "1c2ac4af", f"{0x504e86b9 + n:08x}", clean],
        "id": None, "method": "mining.notify"})


def v1_submit(msg_id, worker, job, n):
    return spaced({"params": [worker, f"{job:x}", "00000001",
                              f"{0x504e86ed + n:08x}", hexof(f"n{n}", 8)],
                   "id": msg_id, "method": "mining.submit"})


# ---- CryptoNote / XMRig ----

def xm_job(n, target="b88d0600"):
    return {"blob": "0707" + hexof(f"blob{n}", 148), "job_id": f"{n + 1}",
            "target": target, "algo": "rx/0", "height": 3000000 + n,
            "seed_hash": hexof("seed", 64)}


def xm_login(msg_id, wallet, agent):
    return line({"id": msg_id, "jsonrpc": "2.0", "method": "login",
                 "params": {"login": wallet + ".rig1", "pass": "x",
                            "agent": agent, "algo": ["rx/0", "cn/r"]}})


def xm_login_result(msg_id, session):
    return line({"id": msg_id, "jsonrpc": "2.0", "error": None,
                 "result": {"id": session, "job": xm_job(0),
                            "extensions": ["algo", "nicehash", "connect",
                                           "tls", "keepalive"],
                            "status": "OK"}})


def xm_job_push(n):
    return line({"jsonrpc": "2.0", "method": "job", "params": xm_job(n)})


def xm_submit(msg_id, session, job, n):
    return line({"id": msg_id, "jsonrpc": "2.0", "method": "submit",
                 "params": {"id": session, "job_id": f"{job + 1}",
                            "nonce": hexof(f"nonce{n}", 8),
                            "result": "0000" + hexof(f"res{n}", 60),
                            "algo": "rx/0"}})


def xm_status(msg_id, status="OK"):
    return line({"id": msg_id, "jsonrpc": "2.0", "error": None,
                 "result": {"status": status}})


def xm_keepalived(msg_id, session):
    return line({"id": msg_id, "jsonrpc": "2.0", "method": "keepalived",
                 "params": {"id": session}})


# ---- the wire: both simulators send and read messages the same way ----

def send(conn, data, segment):
    """Writes data, in segment-byte TCP segments when segment is set."""
    if not segment:
        conn.sendall(data)
        return
    for i in range(0, len(data), segment):
        conn.sendall(data[i:i + segment])
        time.sleep(0.003)


def lines(conn):
    """Yields every newline-delimited JSON message until the peer leaves."""
    buf = b""
    while True:
        try:
            chunk = conn.recv(4096)
        except OSError:
            return
        if not chunk:
            return
        buf += chunk
        while b"\n" in buf:
            one, buf = buf.split(b"\n", 1)
            if one.strip():
                yield json.loads(one)
