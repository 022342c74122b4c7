#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Bounded traffic for the live tests, run inside network namespaces.

  traffic.py server ADDR SECONDS   port 9000: long-lived sink; port 8080:
                                   one short answer per connection
  traffic.py client ADDR SECONDS   one connection to 9000 sending a byte
                                   every 0.5 s, and a connection to 8080
                                   every second (a beacon)"""
import socket
import sys
import threading
import time


def serve_sink(sock, end):
    sock.settimeout(0.5)
    while time.monotonic() < end:
        try:
            conn, _ = sock.accept()
        except socket.timeout:
            continue
        threading.Thread(target=drain, args=(conn, end), daemon=True).start()


def drain(conn, end):
    conn.settimeout(1)
    while time.monotonic() < end:
        try:
            if not conn.recv(4096):
                break
        except socket.timeout:
            continue
        except OSError:
            break
    conn.close()


def serve_beacon(sock, end):
    sock.settimeout(0.5)
    while time.monotonic() < end:
        try:
            conn, _ = sock.accept()
        except socket.timeout:
            continue
        try:
            conn.settimeout(2)
            conn.recv(4096)
            conn.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok")
        except OSError:
            pass
        conn.close()


def listen(addr, port):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    s.listen(64)
    return s


def server(addr, seconds):
    end = time.monotonic() + seconds
    a, b = listen(addr, 9000), listen(addr, 8080)
    print("ready", flush=True)
    t = threading.Thread(target=serve_sink, args=(a, end), daemon=True)
    t.start()
    serve_beacon(b, end)


def trickle(addr, end):
    s = socket.create_connection((addr, 9000), timeout=5)
    while time.monotonic() < end:
        s.sendall(b"k")
        time.sleep(0.5)
    s.close()


def client(addr, seconds):
    end = time.monotonic() + seconds
    threading.Thread(target=trickle, args=(addr, end), daemon=True).start()
    while time.monotonic() < end:
        try:
            with socket.create_connection((addr, 8080), timeout=2) as s:
                s.sendall(b"GET /beacon HTTP/1.0\r\nHost: c2\r\n\r\n")
                s.recv(4096)
        except OSError:
            pass
        time.sleep(1.0)


if __name__ == "__main__":
    role, addr, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
    (server if role == "server" else client)(addr, seconds)
