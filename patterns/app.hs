# Application identification, on any port (ids 1-99, see README.md).
# Each pattern names what a direction's byte stream speaks from its first
# bytes, so most are anchored with ^ and all are single-match (H): the first
# match labels the flow, later bytes cannot relabel it.
# Ids without a pattern here (90-99) are port guesses made by app_id.c.

# SSH identification string (RFC 4253 4.2), either side.
1:/^SSH-(2\.0|1\.99|1\.5)-/H

# TLS handshake record (type 22, version 3.0-3.4, 2-byte length) carrying a
# ClientHello (1) or ServerHello (2) whose own version is 3.0-3.4.
2:/^\x16\x03[\x00-\x04].{2}\x01.{3}\x03[\x00-\x04]/sH
3:/^\x16\x03[\x00-\x04].{2}\x02.{3}\x03[\x00-\x04]/sH
# SSLv2-compatible ClientHello: 2-byte length with the top bit, type 1,
# version 2.0 or 3.x, cipher-spec length, session-id length 0 or 16,
# challenge length 16-32.
4:/^[\x80-\xff].\x01(\x00\x02|\x03[\x00-\x03]).{2}\x00[\x00\x10]\x00[\x10-\x20]/sH
# Any TLS record (change-cipher-spec, alert, handshake, application data)
# with a plausible length (at most 2^14 + 2048) at the start of the stream:
# a flow picked up after its handshake, as long captures often begin.
5:/^[\x14-\x17]\x03[\x00-\x04][\x00-\x48]/H

# HTTP/1.x request line (CONNECT included: a proxy tunnel is still HTTP),
# status line, and the HTTP/2 connection preface. WebSocket upgrades are
# HTTP by these.
10:/^(GET|POST|HEAD|PUT|DELETE|OPTIONS|PATCH|TRACE|CONNECT|PROPFIND|PROPPATCH|MKCOL|COPY|MOVE|LOCK|UNLOCK|REPORT|SEARCH) \S+ HTTP/[0-3](\.[0-9])?\r?\n/H
11:/^HTTP/[0-3](\.[0-9])? [1-5][0-9]{2}[ \r\n]/H
12:/^PRI \* HTTP/2\.0\r\n\r\nSM\r\n\r\n/H

# JSON-RPC object (or batch) whose first key is a JSON-RPC member; stratum
# mining speaks this too (stratum.hs says which).
20:/^\s*\[?\s*\{\s*"(jsonrpc|method|params|id|result|error)"\s*:/H
# XMPP stream header, with or without the XML declaration.
21:/^\s*(<\?xml[^>]*>\s*)?<stream:stream[\s>]/H
# XMPP picked up mid-session: a stream that starts with a top-level stanza
23:/^\s*<(iq|message|presence|stream:features|\/stream:stream|auth|challenge|response|success|failure|proceed|starttls|enable|enabled|resumed|r|a)[\s>\/]/H
# MQTT CONNECT: type 1, remaining length (1-4 byte varint), protocol name
# "MQTT" (3.1.1, 5) or "MQIsdp" (3.1).
22:/^\x10[\x80-\xff]{0,3}[\x00-\x7f]\x00(\x04MQTT[\x03-\x05]|\x06MQIsdp\x03)/H

# Mail and file transfer: server greetings, and the SMTP client's hello.
30:/^220[ -][^\r\n]*SMTP/iH
31:/^(EHLO|HELO) [^\r\n]+\r?\n/iH
32:/^220[ -][^\r\n]*FTP/iH
33:/^\+OK[ \r\n]/H
34:/^\* (OK|PREAUTH)[ \r\n]/iH

# SMB1 (\xffSMB), SMB2 (\xfeSMB) or SMB3 transform (\xfdSMB) after the
# 4-byte NetBIOS session header (type 0).
40:/^\x00.{3}[\xfd-\xff]SMB/sH
# RDP: TPKT (3, 0, length) then X.224 Connection Request (0xe0, dst-ref 0)
# or Connection Confirm (0xd0).
41:/^\x03\x00.{2}.(\xe0\x00\x00|\xd0)/sH

# Bitcoin P2P message header: network magic (mainnet, testnet3, testnet,
# regtest, signet) then a NUL-padded ASCII command such as "version".
50:/^(\xf9\xbe\xb4\xd9|\x0b\x11\x09\x07|\x0b\x11\x09\x0b|\xfa\xbf\xb5\xda|\x0a\x03\xcf\x40)[a-z][a-z0-9]{2,11}\x00/H

# QUIC long header (form and fixed bits set): version 1, version 2,
# an IETF draft (0xff0000xx) or Google QUIC (Q0xx, T0xx), then a connection
# id length of at most 20.
60:/^[\xc0-\xff](\x00\x00\x00\x01|\x6b\x33\x43\xcf|\xff\x00\x00.|[QT]0[0-9]{2})[\x00-\x14]/sH
# Google QUIC (Q0xx) public header: flags with the top bit clear, an
# 8-byte connection id, then the version.
62:/^[\x00-\x7f].{8}Q0[0-9]{2}/sH
# A standard DNS query (QR 0, opcode 0, CD 0, one question, no answer or
# authority, at most one additional record for EDNS0) on any port:
# DNSCrypt certificate queries, resolvers on odd ports. Over TCP the
# 2-byte length prefix moves it, so this is UDP DNS only.
63:/^.{2}[\x00\x01][\x00\x20]\x00\x01\x00\x00\x00\x00\x00[\x00\x01][\x00-\x3f]/sH
# ... and a DNS response (QR 1, opcode 0, Z 0, one question), for flows
# whose query went unseen (a fragmented query is dropped by decode).
64:/^.{2}[\x80-\x87][\x00-\x3f\x80-\xbf]\x00\x01\x00.\x00.\x00.[\x00-\x3f]/sH
# SSDP discovery and announcements (HTTP over UDP multicast).
61:/^(M-SEARCH|NOTIFY) \* HTTP/1\.1\r?\n/H

# Avast's update/reputation protocol on TCP 80 and 443: "NOSA" + length.
70:/^NOSA\x00/H
