#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""A mining client for recording test traces: logs in to a pool in
Stratum v1 or XMRig (CryptoNote) dialect, submits a share every
--share-interval seconds for --duration seconds, then leaves.

  stratum_miner.py --dialect stratum --connect 10.20.30.1:3333
                   [--segment 1] [--tls SNI] [--duration 40]

--segment N writes every message in N-byte TCP segments; --tls SNI wraps
the connection in TLS with that server name, --tls '' in TLS without SNI
(certificate not checked: the pool's is self-signed).
"""
import argparse
import socket
import ssl
import threading
import time

import stratum_msgs as m


def reader(conn, state):
    for msg in m.lines(conn):
        if msg.get("method") in ("mining.notify", "job"):
            state["job"] += 1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dialect", choices=["stratum", "xmrig"], required=True)
    ap.add_argument("--connect", required=True, help="HOST:PORT")
    ap.add_argument("--duration", type=float, default=40.0)
    ap.add_argument("--share-interval", type=float, default=7.0)
    ap.add_argument("--keepalive", type=float, default=0.0,
                    help="XMRig keepalived every N s (0: never)")
    ap.add_argument("--segment", type=int, default=0)
    ap.add_argument("--tls", metavar="SNI",
                    help="TLS with this server name; '' for no SNI")
    args = ap.parse_args()

    host, port = args.connect.rsplit(":", 1)
    conn = socket.create_connection((host, int(port)), timeout=10)
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    if args.tls is not None:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        conn = ctx.wrap_socket(conn, server_hostname=args.tls or None)
    conn.settimeout(None)
    state = {"job": 0}
    threading.Thread(target=reader, args=(conn, state), daemon=True).start()

    session = "a1b2c3d4e5f60718"
    worker = m.BTC_WALLET + ".gpu0"
    if args.dialect == "stratum":
        m.send(conn, m.v1_subscribe(1, m.CGMINER_AGENT), args.segment)
        time.sleep(0.3)
        m.send(conn, m.v1_authorize(2, worker), args.segment)
    else:
        m.send(conn, m.xm_login(1, m.XMR_WALLET, m.XMRIG_AGENT), args.segment)
    msg_id, n = 3, 0
    start = last_keepalive = time.monotonic()
    while time.monotonic() - start < args.duration:
        time.sleep(args.share_interval)
        n += 1
        if args.dialect == "stratum":
            data = m.v1_submit(msg_id, worker, state["job"], n)
        else:
            data = m.xm_submit(msg_id, session, state["job"], n)
        m.send(conn, data, args.segment)
        msg_id += 1
        if (args.keepalive and args.dialect == "xmrig" and
                time.monotonic() - last_keepalive >= args.keepalive):
            m.send(conn, m.xm_keepalived(msg_id, session), args.segment)
            msg_id += 1
            last_keepalive = time.monotonic()
    time.sleep(0.5)
    conn.close()


if __name__ == "__main__":
    main()
