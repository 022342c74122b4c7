#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""End-to-end: tunnels picked up mid-stream (issue 12, item 5).

Each project trace with a reverse SSH session, a miner or a tunnel is cut
by tests/tools/pcap_cut.py so that it starts after the first N packets of
its tunnel connection (the handshake, banners and key exchange, the
login, the CONNECT): what a sensor started while the tunnel was open
sees. The inside host must still be flagged with the kinds listed in
CUTS (written by hand, not taken from a run), and no other host may be
flagged. Every benign project trace with a TCP connection is cut the
same way (after 10 and 20 packets of its largest connection) and must
leave every host clean.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
CUTTER = os.path.join(HERE, "..", "tools", "pcap_cut.py")

# trace, packets of the tunnel connection cut, its port (None: the
# largest TCP connection), inside host, kinds it must have, whether the
# findings of those kinds come from the cut connection itself (then their
# detail says seen_from_start: false).
CUTS = [
    # SSH: the cut removes the TCP handshake, both banners and the key
    # exchange up to NEWKEYS (20 packets): the connection is SSH by its
    # segment sizes alone (dataplane/analyzers/ssh/ssh_mid.c).
    ("ssh_reverse_operator.pcap", 20, 22, "10.20.10.2",
     ["ssh.reverse_session"], True),
    ("ssh_reverse_scripted.pcap", 20, 22, "10.20.17.2",
     ["ssh.reverse_session"], True),
    ("ssh_autossh_idle.pcap", 20, 22, "10.20.11.2",
     ["ssh.keepalive_tunnel"], True),
    ("ssh_autossh_443.pcap", 20, 443, "10.20.12.2",
     ["ssh.keepalive_tunnel"], True),
    ("ssh_autossh_then_operator.pcap", 20, 22, "10.20.18.2",
     ["ssh.keepalive_tunnel", "ssh.reverse_session"], True),
    ("ssh_autossh_checkin.pcap", 20, 22, "10.20.174.2",
     ["ssh.keepalive_tunnel", "ssh.reverse_session"], True),
    # cut inside the cleartext key exchange (after the banners, before
    # NEWKEYS): one banner seen and the other side's KEXINIT (parsed from
    # there: 5 packets), the pickup inside the client's KEXINIT (8), and
    # just before the client's NEWKEYS (16; ssh_mid.c knows the cleartext
    # key exchange packets; NEWKEYS makes it SSH at once)
    ("ssh_reverse_operator.pcap", 5, 22, "10.20.10.2",
     ["ssh.reverse_session"], True),
    ("ssh_reverse_operator.pcap", 8, 22, "10.20.10.2",
     ["ssh.reverse_session"], True),
    ("ssh_reverse_operator.pcap", 16, 22, "10.20.10.2",
     ["ssh.reverse_session"], True),
    ("ssh_autossh_idle.pcap", 8, 22, "10.20.11.2",
     ["ssh.keepalive_tunnel"], True),
    ("ssh_autossh_idle.pcap", 14, 22, "10.20.11.2",
     ["ssh.keepalive_tunnel"], True),
    # connect-back with the server's banner and both KEXINITs seen: the
    # key exchange tells the roles, as on a whole connection
    ("ssh_connect_back.pcap", 5, 8443, "10.20.13.2",
     ["ssh.role_inversion", "ssh.nonstandard_port"], True),
    # connect-back: without the key exchange nobody can tell which side
    # serves SSH; the operator typing from the far end of the connection
    # the inside host opened reads as a reverse session.
    ("ssh_connect_back.pcap", 20, 8443, "10.20.13.2",
     ["ssh.reverse_session"], True),
    # through squid: cut after the CONNECT and its 200 (7 packets), the
    # banners come first in the bytes seen; cut after the key exchange
    # too (22 packets), port 3128 is no SSH port: 24 segments needed.
    ("hidden_ssh_proxytunnel.pcap", 7, 3128, "10.20.200.2",
     ["ssh.reverse_session", "ssh.nonstandard_port"], True),
    ("hidden_ssh_proxytunnel.pcap", 22, 3128, "10.20.200.2",
     ["ssh.reverse_session"], True),
    # miners after their login (subscribe/authorize, or login and its
    # reply); the 1-byte miner cut mid-message (60 packets), where the
    # first bytes seen are inside a JSON object.
    ("mining_stratum_v1.pcap", 12, 3333, "10.20.30.2",
     ["mining.stratum"], True),
    ("mining_xmrig_443.pcap", 7, 443, "10.20.32.2",
     ["mining.stratum"], True),
    ("mining_xmrig_1byte.pcap", 60, 5555, "10.20.31.2",
     ["mining.stratum"], True),
    ("mining_xmrig_1byte.pcap", 61, 5555, "10.20.31.2",
     ["mining.stratum"], True),
    # the reverse HTTP agent after its hello: requests come from the
    # server's port (7000) to the agent's ephemeral one.
    ("hidden_reverse_http.pcap", 5, 7000, "10.20.202.2",
     ["tunnel.reverse_http"], True),
    # tunnels made of repeated connections: the first one cut after its
    # TLS or obfs4 handshake, the later ones are seen whole.
    ("hidden_obfs4_curl.pcap", 10, None, "10.20.207.2",
     ["tunnel.encrypted_proxy"], False),
    ("tunnel_ngrok_heartbeat.pcap", 10, None, "10.20.55.2",
     ["tunnel.service"], False),
    # SSH over httptunnel: its first connection cut after 30 packets; the
    # second (the other direction's) starts after the cut, whole
    ("hidden_ssh_httptunnel.pcap", 30, None, "10.20.209.2",
     ["ssh.nonstandard_port"], False),
    # SSH inside TLS after both handshakes (the outer TLS one and the
    # inner SSH one): the application records' lengths fit SSH's packet
    # framing under one AEAD overhead (tls_inner.c, rule M), TLS 1.3 and
    # 1.2; then the operator typing from the far side, or autossh's
    # keepalives and nothing else
    ("hidden_ssh_in_tls.pcap", 30, 443, "10.20.208.2",
     ["ssh.reverse_session"], True),
    ("hidden_ssh_in_tls12.pcap", 30, 443, "10.20.214.2",
     ["ssh.reverse_session"], True),
    ("hidden_autossh_in_tls.pcap", 25, 443, "10.20.215.2",
     ["ssh.keepalive_tunnel"], True),
    # SSH inside WebSocket frames after the upgrade (port 80): whole
    # binary frames, masked one way only, whose payloads are SSH's sizes
    # (ssh_mid.c); no SSH port, so 24 of them
    ("hidden_ssh_websocket.pcap", 30, 80, "10.20.210.2",
     ["ssh.reverse_session"], True),
]

# Cut traces that cannot flag, and why (checked to run cleanly only).
GAPS = [
    # the pool's name is only in the DNS answers and the TLS SNI, both
    # before the cut. What is left is a shape: a server record of one
    # size (371-372 B) pushed every 10 s unprompted (jobs), client records
    # (222-224 B, shares) each answered within 20 ms by one of another
    # fixed size (85-86 B). MQTT over TLS (PUBLISH pushes, PUBLISH
    # answered by PUBACK), XMPP with stream management, WebSocket push
    # channels have that shape too, only the sizes differ, and sizes are
    # the pool's and the miner's choice: no rule on it would be precise,
    # and the corpus has no TLS look-alike to show one would stay quiet.
    ("mining_pool_dns_tls.pcap", 10, 14433,
     "pool name only in DNS and SNI, before the cut; the shape left "
     "(pushed jobs, answered shares) is MQTT/XMPP/WebSocket push's too"),
]

BENIGN_SKIPS = (10, 20)


def cut(src, dst, skip, port):
    cmd = [sys.executable, CUTTER, src, dst, "--skip", str(skip)]
    if port:
        cmd += ["--port", str(port)]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    return p.returncode == 0, (p.stdout + p.stderr).strip()


def run(binary, trace, config):
    cmd = [binary, "--json", "--read", trace]
    if config:
        cmd += ["--config", config]
    p = subprocess.run(cmd, capture_output=True, timeout=300)
    if p.returncode != 0:
        return None, f"exit {p.returncode}: {p.stderr.decode(errors='replace')}"
    return json.loads(p.stdout), ""


def benign_rows(truth):
    rows = []
    with open(truth) as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if line.startswith("#") or len(parts) < 2:
                continue
            if parts[0].startswith("benign_"):
                rows.append((parts[0], parts[2] if len(parts) > 2 else None))
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--traces", required=True)
    a = ap.parse_args()
    fails = []
    checked = 0
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "cut.pcap")
        for trace, skip, port, host, kinds, from_cut in CUTS:
            name = f"{trace} cut {skip}"
            ok, msg = cut(os.path.join(a.traces, trace), out, skip, port)
            if not ok:
                fails.append(f"{name}: cut failed: {msg}")
                continue
            doc, err = run(a.binary, out, None)
            if doc is None:
                fails.append(f"{name}: {err}")
                continue
            checked += 1
            hosts = {h["ip"]: h for h in doc["hosts"]}
            h = hosts.get(host)
            if not h or h["verdict"] == "clean":
                fails.append(f"{name}: {host} not flagged")
            have = {f["kind"]: f for f in (h["findings"] if h else [])}
            for k in kinds:
                if k not in have:
                    fails.append(f"{name}: {host} lacks {k} (has {sorted(have)})")
                elif from_cut and have[k]["detail"].get("seen_from_start") is not False:
                    fails.append(f"{name}: {k} does not say seen_from_start false")
            for ip, o in hosts.items():
                if ip != host and o["verdict"] != "clean":
                    fails.append(f"{name}: {ip} flagged {o['verdict']}")
            print(f"ok   {name}: {host} {h['verdict'] if h else '-'} "
                  f"{sorted(have)}" if not fails or not fails[-1].startswith(name)
                  else f"FAIL {name}")
        for trace, skip, port, why in GAPS:
            ok, msg = cut(os.path.join(a.traces, trace), out, skip, port)
            doc, err = run(a.binary, out, None) if ok else (None, msg)
            if doc is None:
                fails.append(f"{trace} cut {skip}: {err}")
            else:
                print(f"gap  {trace} cut {skip}: {why}")
        for trace, cfg in benign_rows(os.path.join(a.traces, "truth.tsv")):
            for skip in BENIGN_SKIPS:
                ok, msg = cut(os.path.join(a.traces, trace), out, skip, None)
                if not ok:
                    continue   # no TCP connection that long
                doc, err = run(a.binary, out,
                               os.path.join(a.traces, cfg) if cfg else None)
                name = f"{trace} cut {skip}"
                if doc is None:
                    fails.append(f"{name}: {err}")
                    continue
                checked += 1
                bad = [f"{h['ip']} {h['verdict']}" for h in doc["hosts"]
                       if h["verdict"] != "clean"]
                if bad:
                    fails.append(f"{name}: benign, flagged {bad}")
                else:
                    print(f"ok   {name}: clean")
    for f in fails:
        print("FAIL", f)
    print(f"{checked} cut traces checked, {len(fails)} failures")
    return 1 if fails or checked == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
