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

# ---- Services datacenters keep open (issue 11): databases, brokers,
# ---- directory, monitoring, voice, time, industrial control, P2P.

# PostgreSQL, client first: SSLRequest, GSSENCRequest or CancelRequest
# (length 8 or 16, magic 1234.5679/5680/5678), or a StartupMessage of
# protocol 3.0 whose first parameter is a known key.
42:/^(\x00\x00\x00\x08\x04\xd2\x16[\x2f\x30]|\x00\x00\x00\x10\x04\xd2\x16\x2e|\x00\x00[\x00-\x27].\x00\x03\x00\x00(user|database|application_name|client_encoding|options|replication)\x00)/sH
# MySQL / MariaDB server greeting: 3-byte length, sequence 0, protocol 10,
# a NUL-terminated version "X.Y.Z..." (MariaDB prefixes "5.5.5-").
43:/^.{3}\x00\x0a[0-9]{1,2}\.[0-9]{1,2}\.[0-9]{1,3}[\x20-\x7e]{0,60}\x00/sH
# Redis RESP: a command array whose first bulk string is a command word
# (clients, replicas and Sentinel all open this way); RESP3's HELLO too.
44:/^\*[1-9][0-9]{0,3}\r\n\$[1-9][0-9]?\r\n[A-Za-z][A-Za-z_.|-]{1,30}\r\n/H
# MongoDB wire protocol, first client message: header (length < 16 MiB,
# request id, responseTo 0) then OP_MSG (2013) with a body section holding
# a BSON document, or legacy OP_QUERY (2004) on "db.collection".
45:/^.{3}\x00.{4}\x00\x00\x00\x00\xdd\x07\x00\x00[\x00-\x03]\x00\x00\x00\x00.{3}\x00[\x01-\x13][A-Za-z$_]/sH
46:/^.{3}\x00.{4}\x00\x00\x00\x00\xd4\x07\x00\x00.{4}[A-Za-z0-9_-]{1,64}\.[^\x00]{1,120}\x00/sH
# Elasticsearch transport (9300): "ES", length, request id, status byte,
# a version id (< 2^24: 7.x and 8.x both start 0x00); or the ES ping.
47:/^ES(\xff\xff\xff\xff|\x00[\x00-\x7f].{2}.{8}[\x00-\x3f]\x00)/sH
# Elasticsearch REST (9200): a request to an API endpoint ("/_bulk",
# "/index/_search" ...). It ends before the request line does, so it is
# reported before the generic HTTP request (10) and names the flow.
48:/^(GET|POST|PUT|HEAD|DELETE) \/([A-Za-z0-9][^\s\/?]{0,127}\/)?_(search|bulk|doc|create|update|cluster|cat|nodes|count|mget|msearch|mapping|mappings|settings|aliases|alias|refresh|flush|forcemerge|stats|ingest|index_template|template|xpack|license|security|ilm|snapshot|tasks|reindex|update_by_query|delete_by_query|field_caps|analyze|pit|async_search|sql|eql)[\/?\s]/H
# Kafka request: length (< 16 MiB), API key 0-74, API version 0-17,
# correlation id, then a client id (printable) or null (-1).
49:/^\x00[\x00-\xff].{2}\x00[\x00-\x4a]\x00[\x00-\x11].{4}(\x00[\x01-\x7f][A-Za-z0-9_.-]{2}|\xff\xff)/sH

# AMQP protocol header: 0-9-1 ("AMQP" 0 0 9 1), 1.0 and its SASL/TLS
# variants ("AMQP" 0|2|3 1 0 0).
51:/^AMQP(\x00\x00\x09\x01|[\x00\x02\x03]\x01\x00\x00)/H
# NATS: the server's INFO (it speaks first) and the client's CONNECT.
52:/^INFO \{"(server_id|server_name|version)"/H
53:/^CONNECT \{"/H
# STOMP frames that open a session (client) or accept it (server).
54:/^(CONNECT|STOMP|CONNECTED)\r?\n[a-z-]{2,20}:/H
# ZooKeeper ConnectRequest: length 44-49, protocol version 0, last zxid,
# timeout (< 2^24 ms), session id, 16-byte password (length 16).
55:/^\x00\x00\x00[\x2c-\x31]\x00\x00\x00\x00.{8}\x00[\x00-\xff].{2}.{8}\x00\x00\x00\x10/sH
# SIP request line and status line (UDP, TCP; any port).
56:/^(REGISTER|INVITE|OPTIONS|ACK|BYE|CANCEL|SUBSCRIBE|NOTIFY|MESSAGE|INFO|PRACK|UPDATE|REFER|PUBLISH) sips?:[^\s]+ SIP\/2\.0\r?\n/H
57:/^SIP\/2\.0 [1-6][0-9]{2} /H
# gRPC: content-type application/grpc (literal, or HPACK-Huffman coded
# as Go, C-core and Java encode it) in the first HEADERS of an HTTP/2
# connection. The only label that may replace another: HTTP/2's preface
# (12) comes first, app_id.c lets this refine it.
58:/(application\/grpc|\x1d\x75\xd0\x62\x0d\x26\x3d\x4c\x4d\x65\x64)/H
# BitTorrent peer wire handshake.
59:/^\x13BitTorrent protocol/H

# STUN / TURN message: type with the two top bits clear, length, the
# RFC 5389 magic cookie (UDP and TCP alike).
71:/^[\x00-\x3f].[\x00-\x0f][\x00\x04\x08\x0c\x10\x14\x18\x1c\x20\x24\x28\x2c\x30\x34\x38\x3c\x40\x44\x48\x4c\x50\x54\x58\x5c\x60\x64\x68\x6c\x70\x74\x78\x7c\x80\x84\x88\x8c\x90\x94\x98\x9c\xa0\xa4\xa8\xac\xb0\xb4\xb8\xbc\xc0\xc4\xc8\xcc\xd0\xd4\xd8\xdc\xe0\xe4\xe8\xec\xf0\xf4\xf8\xfc]\x21\x12\xa4\x42/sH
# RTCP compound packet: version 2, first packet SR (200) or RR (201),
# length in words < 64.
72:/^[\x80-\x9f][\xc8\xc9]\x00[\x01-\x3f]/H
# RTP fixed header: version 2, no padding, no CSRC, payload type 0-34 or
# dynamic 96-127. Twelve bytes that many binary protocols could start
# with: app_id.c takes it only on UDP between even ports >= 1024 (RFC 3550)
# and only as a guess.
73:/^[\x80\x90][\x00-\x22\x60-\x7f\x80-\xa2\xe0-\xff].{10}/sH
# NTP (v3, v4) client, server, symmetric or broadcast message: stratum
# 0-16, poll 0-17, then a 48-byte packet.
74:/^[\x1b-\x1d\x23-\x25\x5b-\x5d\x63-\x65\x9b-\x9d\xa3-\xa5\xdb-\xdd\xe3-\xe5][\x00-\x10][\x00-\x11].{45}/sH
# SNMP v1/v2c (version 0/1, community string) or v3 (version 3, header
# sequence) message.
75:/^\x30(\x81.|\x82.{2}|[\x00-\x7f])\x02\x01([\x00\x01]\x04[\x00-\x7f][\x20-\x7e]{0,64}[\xa0-\xa8]|\x03\x30)/sH
# Syslog (RFC 3164 / 5424), optionally octet-counted (RFC 6587 over TCP).
76:/^([1-9][0-9]{0,5} )?<[0-9]{1,3}>([1-9] [0-9-]|[A-Z][a-z]{2} [ 0-9][0-9] [0-9]{2}:[0-9]{2}:[0-9]{2} )/H
# collectd binary network protocol: a host part (type 0) with a printable
# NUL-terminated name, then a time part (1 or hires 8); or a signed part.
77:/^(\x00\x00\x00[\x05-\xff][\x20-\x7e]{1,250}\x00\x00[\x01\x08]\x00\x0c|\x02\x00\x00[\x25-\xff].{32})/sH
# LDAP message: sequence, message id (1-4 bytes), then a protocol op
# (bind, unbind, search, modify, add, delete, extended ...).
78:/^\x30(\x84.{4}|\x83.{3}|\x82.{2}|\x81.|[\x05-\x7f])\x02(\x01.|\x02.{2}|\x03.{3}|\x04.{4})[\x42\x4a\x50\x60-\x79]/sH
# Kerberos 5: AS/TGS/AP request or reply, or KRB-ERROR, with pvno 5 (over
# TCP behind a 4-byte length).
79:/^(\x00\x00.{2})?[\x6a-\x6e\x7e](\x81.|\x82.{2}|[\x00-\x7f])\x30(\x81.|\x82.{2}|[\x00-\x7f])[\xa0\xa1]\x03\x02\x01\x05/sH
# Modbus/TCP: MBAP header (protocol 0, length 2-254, unit) and a public
# function code. Weak: app_id.c takes it only with port 502 on one side,
# as a guess.
80:/^.{2}\x00\x00\x00[\x02-\xfe].[\x01-\x18\x2b\x81-\x98\xab]/sH
# IEC 60870-5-104 APCI: start 0x68, then a U-frame (STARTDT / STOPDT /
# TESTFR act/con) or an S-frame. A connection opens with STARTDT; I-frames
# alone (0x68, length, four bytes) look like too much else.
81:/^\x68\x04((\x07|\x0b|\x13|\x23|\x43|\x83)\x00\x00\x00|\x01\x00)/H
# DNP3 link layer: start bytes 0x05 0x64, length >= 5, a control byte.
82:/^\x05\x64[\x05-\xff][\x00-\x0f\x40-\x4f\x80-\x8f\xc0-\xcf]/H
# BitTorrent over UDP: a DHT query/response (bencoded dict) or a UDP
# tracker connect (protocol id 0x41727101980).
83:/^(d1:[ar]d2:id20:|d2:ip6:.{6}1:rd2:id20:|\x00\x00\x04\x17\x27\x10\x19\x80\x00\x00\x00\x00)/sH
