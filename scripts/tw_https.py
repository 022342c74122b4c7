#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""An HTTPS file server with keep-alive (HTTP/1.1 over TLS), for
make-traces.sh: tw_https.py ADDR PORT DOCROOT CERT KEY. Serves DOCROOT
until killed; the namespace's teardown ends it."""
import functools
import http.server
import ssl
import sys


class Handler(http.server.SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"      # keep-alive, as browsers use it

    def log_message(self, *args):
        pass


def main():
    if len(sys.argv) != 6:
        sys.exit(__doc__)
    addr, port, root, cert, key = sys.argv[1:]
    srv = http.server.ThreadingHTTPServer(
        (addr, int(port)), functools.partial(Handler, directory=root))
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    srv.serve_forever()


if __name__ == "__main__":
    main()
