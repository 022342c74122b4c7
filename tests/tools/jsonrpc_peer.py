#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Benign JSON-RPC 2.0 look-alikes of mining traffic, for a trace that must
stay clean: an Ethereum-node-style API (eth_blockNumber, eth_getBalance,
eth_getWork is NOT used), a web app's "login" and "submit" with user and
form params, and a log search whose result text quotes "mining.subscribe".
Newline-delimited objects over one TCP connection, irregular gaps.

  jsonrpc_peer.py server 10.20.34.1:8545
  jsonrpc_peer.py client 10.20.34.1:8545
"""
import json
import random
import socket
import sys
import time


def line(obj):
    return (json.dumps(obj) + "\n").encode()


def answer(req):
    method, rid = req.get("method"), req.get("id")
    results = {
        "eth_blockNumber": "0x12a05f2",
        "eth_getBalance": "0x0234c8a3397aab58",
        "net_version": "1",
        "login": {"session": "s-7f3a", "user": "alice"},
        "submit": {"ticket": 4711, "status": "queued"},
        "logs.search": ["2024-05-01 client sent \"method\": \"mining.subscribe\" "
                        "(blocked by policy)"],
    }
    return line({"jsonrpc": "2.0", "id": rid,
                 "result": results.get(method, None)})


def server(addr):
    host, port = addr.rsplit(":", 1)
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((host, int(port)))
    srv.listen(4)
    while True:
        conn, _ = srv.accept()
        buf = b""
        while True:
            chunk = conn.recv(4096)
            if not chunk:
                break
            buf += chunk
            while b"\n" in buf:
                one, buf = buf.split(b"\n", 1)
                if one.strip():
                    conn.sendall(answer(json.loads(one)))
        conn.close()


def client(addr):
    rng = random.Random(34)
    host, port = addr.rsplit(":", 1)
    conn = socket.create_connection((host, int(port)))
    calls = [
        ("net_version", []),
        ("eth_blockNumber", []),
        ("eth_getBalance", ["0x407d73d8a49eeb85d32cf465507dd71d507100c1",
                            "latest"]),
        ("login", {"user": "alice", "password": "correct horse"}),
        ("submit", {"form": "contact", "message": "hello"}),
        ("logs.search", {"query": "mining", "limit": 1}),
        ("eth_blockNumber", []),
    ]
    for i, (method, params) in enumerate(calls, 1):
        conn.sendall(line({"jsonrpc": "2.0", "id": i, "method": method,
                           "params": params}))
        conn.recv(4096)
        time.sleep(rng.uniform(0.3, 2.5))
    conn.close()


if __name__ == "__main__":
    {"server": server, "client": client}[sys.argv[1]](sys.argv[2])
