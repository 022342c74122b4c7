# Reverse-tunnel tools on the wire (ids 300-399, analyzer tunnel_service,
# see README.md). Each id names one tool and one marker; the analyzer's
# table (dataplane/analyzers/tunnel_service/tunnel_service.c) gives the tool's name.
# Most of these tools can run inside TLS, where only the names of
# patterns/services.txt (DNS, SNI) remain visible.

# chisel (jpillora/chisel): the client's WebSocket upgrade and the
# server's 101 answer carry the subprotocol "chisel-v3" (older: v2, v1).
300:/\r\nSec-WebSocket-Protocol:[ \t]*chisel-v[0-9]+/iH
# ... then SSH runs inside WebSocket frames; server frames are not masked,
# so its banner "SSH-chisel-v3-server" shows (the client's is masked).
301:/SSH-chisel-v[0-9]+-(server|client)/H

# frp (fatedier/frp) without TLS: messages are a type byte, an 8-byte
# big-endian length, then JSON. Login is type 'o' with the client version
# and privilege_key, NewProxy is 'p' with the proxy name; unanchored, since
# frp's yamux multiplexing puts a 12-byte header in front.
302:/o\x00\x00\x00\x00\x00[\x00-\x0f].{2}\{"version":"[0-9][^"]{0,15}".{0,300}"privilege_key":"/sH
303:/p\x00\x00\x00\x00\x00[\x00-\x0f].{2}\{"proxy_name":"/sH

# bore (ekzhang/bore): NUL-delimited JSON on TCP 7835. The client's hello
# asks for a port, the server pushes "Heartbeat" every 500 ms, and each
# forwarded connection is announced and accepted by UUID.
304:/^\{"Hello":[0-9]{1,5}\}\x00/H
305:/"Heartbeat"\x00/H
306:/^\{"(Accept|Connection)":"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"\}\x00/H
307:/^\{"(Challenge|Authenticate)":"[0-9a-f-]{16,64}"\}\x00/H
