#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""A reverse HTTP tunnel in miniature, for make-traces.sh.

    tw_reverse_http.py controller ADDR PORT N   # outside: waits for the agent
    tw_reverse_http.py agent ADDR PORT N        # inside: dials out, serves

The agent opens the TCP connection, says hello, and then *serves* HTTP:
the controller sends N GET requests back over the same connection, two to
four seconds apart, and reads each answer. That is how ngrok-style agents,
frp and chisel's reverse mode look from outside: the side that dialled
out answers requests. Every wait is bounded (socket timeouts).
"""
import random
import socket
import sys
import time

TIMEOUT = 20


def read_until(sock, buf, marker):
    while marker not in buf:
        chunk = sock.recv(4096)
        if not chunk:
            raise EOFError("peer closed")
        buf += chunk
    head, _, rest = buf.partition(marker)
    return head, rest


def read_response(sock, buf):
    head, rest = read_until(sock, buf, b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(rest) < length:
        chunk = sock.recv(4096)
        if not chunk:
            raise EOFError("peer closed")
        rest += chunk
    return rest[length:]


def controller(addr, port, n):
    rng = random.Random(202)
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((addr, port))
    srv.listen(1)
    srv.settimeout(TIMEOUT)
    conn, _ = srv.accept()
    conn.settimeout(TIMEOUT)
    _, buf = read_until(conn, b"", b"\n")          # the agent's hello
    paths = ["/etc/hostname", "/proc/loadavg", "/home/user/notes.txt",
             "/var/log/syslog", "/etc/passwd", "/tmp/out.txt"]
    for i in range(n):
        time.sleep(rng.uniform(2.0, 4.0))
        req = ("GET %s HTTP/1.1\r\nHost: agent\r\nUser-Agent: relay/1.0\r\n"
               "X-Request: %d\r\n\r\n" % (paths[i % len(paths)], i))
        conn.sendall(req.encode())
        buf = read_response(conn, buf)
    conn.close()
    srv.close()


def agent(addr, port, n):
    sock = socket.create_connection((addr, port), timeout=TIMEOUT)
    sock.sendall(b'{"agent":"tw-agent","version":3}\n')
    buf = b""
    for i in range(n):
        head, buf = read_until(sock, buf, b"\r\n\r\n")
        body = ("contents of %s\n" % head.split(b" ")[1].decode()).encode()
        body += bytes(random.Random(i).randrange(32, 127) for _ in range(200))
        sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                     b"Content-Length: %d\r\n\r\n" % len(body) + body)
    sock.close()


def main():
    if len(sys.argv) != 5 or sys.argv[1] not in ("controller", "agent"):
        sys.exit(__doc__)
    role, addr, port, n = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    (controller if role == "controller" else agent)(addr, port, n)


if __name__ == "__main__":
    main()
