#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""WebSocket tunnel and chat in miniature, for make-traces.sh.

    tw_websocket.py bridge ADDR PORT TARGET_HOST TARGET_PORT
        outside: a WebSocket server on ADDR:PORT; every connection that
        upgrades is bridged to TARGET_HOST:TARGET_PORT (binary frames),
        as websocat/wstunnel servers do
    tw_websocket.py client HOST PORT PATH
        inside: stdin/stdout over ws://HOST:PORT/PATH, masked binary
        frames (an ssh ProxyCommand)
    tw_websocket.py chat-server ADDR PORT
    tw_websocket.py chat-client URL SECONDS SEED
        a WebSocket chat with python3-websockets (Debian's, deflate on):
        short text messages both ways for SECONDS

The bridge and client speak RFC 6455 with the standard library only, so
the frames on the wire are what websocat or wstunnel send: one frame per
read, FIN set, opcode 2, the client's masked. Every wait is bounded.
"""
import base64
import hashlib
import os
import random
import socket
import struct
import sys
import threading
import time

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
TIMEOUT = 30


def read_head(sock):
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = sock.recv(1)   # byte by byte: frames may follow at once
        if not chunk:
            raise EOFError("peer closed during the handshake")
        buf += chunk
        if len(buf) > 8192:
            raise ValueError("handshake too long")
    return buf


def frame(payload, masked):
    head = bytes([0x82])
    n = len(payload)
    bit = 0x80 if masked else 0
    if n < 126:
        head += bytes([bit | n])
    elif n < 65536:
        head += bytes([bit | 126]) + struct.pack("!H", n)
    else:
        head += bytes([bit | 127]) + struct.pack("!Q", n)
    if not masked:
        return head + payload
    key = os.urandom(4)
    body = bytes(b ^ key[i & 3] for i, b in enumerate(payload))
    return head + key + body


class Reader:
    """Frames from a socket: returns payloads, None at close."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = b""

    def need(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                return False
            self.buf += chunk
        return True

    def next(self):
        if not self.need(2):
            return None
        b0, b1 = self.buf[0], self.buf[1]
        n, off = b1 & 0x7F, 2
        if n == 126:
            if not self.need(4):
                return None
            n, off = struct.unpack("!H", self.buf[2:4])[0], 4
        elif n == 127:
            if not self.need(10):
                return None
            n, off = struct.unpack("!Q", self.buf[2:10])[0], 10
        key = None
        if b1 & 0x80:
            if not self.need(off + 4):
                return None
            key, off = self.buf[off:off + 4], off + 4
        if not self.need(off + n):
            return None
        payload, self.buf = self.buf[off:off + n], self.buf[off + n:]
        if key:
            payload = bytes(b ^ key[i & 3] for i, b in enumerate(payload))
        if b0 & 0x0F == 8:
            return None
        return payload


def pump_frames_to_sock(reader, out):
    try:
        while True:
            p = reader.next()
            if p is None:
                break
            out.sendall(p)
    except OSError:
        pass
    finally:
        try:
            out.shutdown(socket.SHUT_WR)
        except OSError:
            pass


def bridge_one(conn, target):
    try:
        head = read_head(conn)
        key = b""
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"sec-websocket-key":
                key = value.strip()
        accept = base64.b64encode(hashlib.sha1(key + GUID).digest())
        conn.sendall(b"HTTP/1.1 101 Switching Protocols\r\n"
                     b"Upgrade: websocket\r\nConnection: Upgrade\r\n"
                     b"Sec-WebSocket-Accept: " + accept + b"\r\n\r\n")
        up = socket.create_connection(target, timeout=TIMEOUT)
        up.settimeout(None)
        conn.settimeout(None)
        threading.Thread(target=pump_frames_to_sock,
                         args=(Reader(conn), up), daemon=True).start()
        while True:
            data = up.recv(65536)
            if not data:
                break
            conn.sendall(frame(data, masked=False))
        conn.sendall(bytes([0x88, 0]))
    except (OSError, EOFError, ValueError):
        pass
    finally:
        conn.close()


def bridge(addr, port, thost, tport):
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((addr, port))
    srv.listen(4)
    while True:
        conn, _ = srv.accept()
        conn.settimeout(TIMEOUT)
        threading.Thread(target=bridge_one, args=(conn, (thost, tport)),
                         daemon=True).start()


def client(host, port, path):
    sock = socket.create_connection((host, port), timeout=TIMEOUT)
    key = base64.b64encode(os.urandom(16))
    sock.sendall(("GET /%s HTTP/1.1\r\nHost: %s:%d\r\n"
                  "User-Agent: websocat/1.13.0\r\n"
                  "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                  "Sec-WebSocket-Version: 13\r\n"
                  "Sec-WebSocket-Key: " % (path.lstrip("/"), host, port)
                  ).encode() + key + b"\r\n\r\n")
    head = read_head(sock)
    if b" 101 " not in head.split(b"\r\n")[0]:
        sys.exit("no upgrade: %r" % head[:80])
    sock.settimeout(None)
    reader = Reader(sock)

    def down():
        while True:
            p = reader.next()
            if p is None:
                os._exit(0)
            while p:
                p = p[os.write(1, p):]

    threading.Thread(target=down, daemon=True).start()
    while True:
        data = os.read(0, 65536)
        if not data:
            break
        sock.sendall(frame(data, masked=True))
    try:
        sock.sendall(bytes([0x88, 0x80]) + os.urandom(4))
    except OSError:
        pass


def chat_server(addr, port):
    import asyncio
    import websockets

    rng = random.Random(7)
    replies = ["ok", "sure, one sec", "lunch?", "deploy is green",
               "who broke the build", ":)", "see the ticket", "done"]

    async def handler(ws, path=None):
        async for msg in ws:
            await asyncio.sleep(rng.uniform(0.2, 1.5))
            await ws.send("%s (re: %s)" % (rng.choice(replies), msg[:20]))

    async def main():
        async with websockets.serve(handler, addr, port):
            await asyncio.sleep(3600)

    asyncio.run(main())


def chat_client(url, seconds, seed):
    import asyncio
    import websockets

    rng = random.Random(seed)
    lines = ["hi", "are you there?", "the meeting moved to 3",
             "can you review my PR", "thanks!", "brb", "ok",
             "what's the wifi password again", "lol", "ship it"]

    async def main():
        end = time.monotonic() + seconds
        async with websockets.connect(url, open_timeout=10) as ws:
            while time.monotonic() < end:
                await ws.send(rng.choice(lines))
                await asyncio.wait_for(ws.recv(), timeout=10)
                await asyncio.sleep(rng.uniform(1.0, 5.0))

    asyncio.run(main())


def main():
    if len(sys.argv) == 6 and sys.argv[1] == "bridge":
        bridge(sys.argv[2], int(sys.argv[3]), sys.argv[4], int(sys.argv[5]))
    elif len(sys.argv) == 5 and sys.argv[1] == "client":
        client(sys.argv[2], int(sys.argv[3]), sys.argv[4])
    elif len(sys.argv) == 4 and sys.argv[1] == "chat-server":
        chat_server(sys.argv[2], int(sys.argv[3]))
    elif len(sys.argv) == 5 and sys.argv[1] == "chat-client":
        chat_client(sys.argv[2], float(sys.argv[3]), int(sys.argv[4]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
