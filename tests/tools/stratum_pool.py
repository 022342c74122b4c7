#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""A small mining pool for recording test traces: answers one miner per
connection in Stratum v1 or XMRig (CryptoNote) dialect and pushes a new
job every --job-interval seconds until the miner leaves.

  stratum_pool.py --dialect xmrig --listen 10.20.31.1:3333 [--segment 1]
                  [--tls CERT KEY]

--segment N writes every message in N-byte TCP segments (TCP_NODELAY and a
short pause between writes), as a hostile or fragmenting path would.
"""
import argparse
import socket
import ssl
import threading
import time

import stratum_msgs as m


class Session:
    def __init__(self, conn, args):
        self.conn = conn
        self.args = args
        self.lock = threading.Lock()
        self.alive = True
        self.jobs = 0

    def out(self, data):
        with self.lock:
            m.send(self.conn, data, self.args.segment)

    def pusher(self):
        while self.alive:
            time.sleep(self.args.job_interval)
            if not self.alive:
                return
            self.jobs += 1
            try:
                if self.args.dialect == "stratum":
                    self.out(m.v1_notify(self.jobs, clean=False))
                else:
                    self.out(m.xm_job_push(self.jobs))
            except OSError:
                return

    def handle(self, msg):
        method, mid = msg.get("method"), msg.get("id")
        if method == "mining.subscribe":
            self.out(m.v1_subscribe_result(mid))
        elif method == "mining.authorize":
            self.out(m.v1_result(mid, True))
            self.out(m.v1_set_difficulty(self.args.difficulty))
            self.out(m.v1_notify(0, clean=True))
            self.start_pushes()
        elif method == "mining.submit":
            self.out(m.v1_result(mid, True))
        elif method == "login":
            self.out(m.xm_login_result(mid, "a1b2c3d4e5f60718"))
            self.start_pushes()
        elif method == "submit":
            self.out(m.xm_status(mid, "OK"))
        elif method == "keepalived":
            self.out(m.xm_status(mid, "KEEPALIVED"))

    def start_pushes(self):
        threading.Thread(target=self.pusher, daemon=True).start()

    def run(self):
        for msg in m.lines(self.conn):
            self.handle(msg)
        self.alive = False
        self.conn.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dialect", choices=["stratum", "xmrig"], required=True)
    ap.add_argument("--listen", required=True, help="ADDR:PORT")
    ap.add_argument("--job-interval", type=float, default=5.0)
    ap.add_argument("--difficulty", type=int, default=1024)
    ap.add_argument("--segment", type=int, default=0)
    ap.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    args = ap.parse_args()

    host, port = args.listen.rsplit(":", 1)
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((host, int(port)))
    srv.listen(8)
    ctx = None
    if args.tls:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(*args.tls)
    while True:
        conn, _ = srv.accept()
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if ctx:
            try:
                conn = ctx.wrap_socket(conn, server_side=True)
            except (ssl.SSLError, OSError):
                conn.close()
                continue
        threading.Thread(target=Session(conn, args).run, daemon=True).start()


if __name__ == "__main__":
    main()
