#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# make-traces.sh: record tunnelwatch's own test traces with real programs.
#
# Every scenario builds its own pair of network namespaces joined by a veth
# pair:  tw-out-<name> (the "outside" host, 10.20.<k>.1) and tw-in-<name>
# (the "inside" host, 10.20.<k>.2).  Traffic never leaves those two
# namespaces.  tcpdump taps the inside veth (snaplen 256, or 1600 where the
# analyzers read payload) and is stopped before the programs are, so flows
# that should look "still open" are still open in the trace.
#
# Usage: scripts/make-traces.sh [-o DIR] [-l] [SCENARIO ...]
#   -l       list scenarios and exit
#   -o DIR   write pcaps into DIR (default: tests/traces beside this script)
# Without SCENARIO all scenarios run, one after the other.  Scenarios use
# distinct namespaces and subnets, so several invocations may run at once.
#
# Adding a scenario: write scenario_<name>() (see record) and add "<name> <k>
# <summary>" to SCENARIOS below (k = third octet of its subnet, unique).
# The service scenarios (brokers, databases, monitoring ..., k 150-199) are
# in make-traces-apps.sh, sourced below.  Namespace creation and deletion
# hold $TW_NETNS_LOCK (default /tmp/tw-netns.lock), nothing else does, so
# long recordings can run side by side.
#
# Runs as root.  Timings can be shortened for a smoke test with
# TW_TRICKLE_SECONDS / TW_TRICKLE_PERIOD (do not commit such traces).

set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly SCRIPT_DIR
OUT_DIR="$SCRIPT_DIR/../tests/traces"

# name k summary
SCENARIOS=(
	"flow_longlived_trickle 1 one TCP connection to port 4444, a few random bytes every ~30 s, open when the capture stops (>=660 s)"
	"flow_beacon_curl 2 curl GET every 5 s +-1 s to an http.server, 30 new connections"
	"benign_http_download 3 curl downloads a 200 kB file 4 times within ~10 s"
	"benign_interactive_burst 4 a few HTTP request/response exchanges on port 80 with irregular gaps over ~20 s"
	"ssh_reverse_operator 10 ssh -N -R from inside; an operator logs back in through it and types like a person"
	"ssh_autossh_idle 11 autossh -M 0 -N -R with ServerAliveInterval 5, idle 90 s, open at the end"
	"ssh_autossh_443 12 the same idle autossh tunnel to an sshd on port 443"
	"ssh_connect_back 13 inside dials out to 8443 with socat and serves its own sshd; operator logs in"
	"benign_ssh_interactive 14 a person logs in from inside to an outside sshd and types commands"
	"benign_ssh_transfer 15 scp upload, sftp download, rsync over ssh of 64 kB files"
	"benign_ssh_batch 16 ssh host COMMAND five times with irregular gaps"
	"ssh_reverse_scripted 17 ssh -N -R from inside; a script logs back in and types at a fixed rhythm"
	"ssh_autossh_then_operator 18 idle autossh -N -R tunnel for 60 s, then an operator logs back in and types"
	"mining_stratum_v1 30 Stratum v1 miner (cgminer agent) to a pool on 3333: jobs every 5 s, shares every 7 s, 40 s"
	"mining_xmrig_1byte 31 XMRig-dialect login/job/submit/keepalived, every message in 1-byte TCP segments both ways, 25 s"
	"mining_xmrig_443 32 XMRig-dialect miner to a cleartext pool on TCP 443, 30 s"
	"mining_pool_dns_tls 33 dig and curl look up pool names through dnsmasq, then XMRig over TLS for 150 s, one miner with a pool SNI, one without"
	"benign_jsonrpc_api 34 JSON-RPC 2.0 API calls: eth_blockNumber, a web login and submit, a log text quoting mining.subscribe"
	"dnstun_iodine 50 iodine IP-over-DNS (NULL records) to iodined on 53: pings and a 20 kB download through it"
	"dnstun_dns2tcp 51 dns2tcp TCP-over-DNS (TXT records) to dns2tcpd on 53: a 20 kB download through it"
	"icmptun_ptunnel 52 ptunnel-ng TCP-over-ICMP-echo to a proxy: a 20 kB download through it"
	"benign_dns_burst 53 eleven clients look up ordinary names (A/AAAA/MX/TXT) through a dnsmasq resolver"
	"benign_ping_traceroute 54 Linux ping (plain, -s 1400, -p deadbeef), traceroute -I and UDP traceroute"
	"tunnel_ngrok_heartbeat 55 resolves connect.ngrok-agent.com via dnsmasq and calls it over TLS (SNI) every 5 s +-1 s, 16 times"
	"benign_dot_queries 56 kdig asks unbound over DNS-over-TLS (853), ordinary and encoded-looking names"
	"wire_vxlan_fabric 90 over a Linux vxlan link (VNI 42, UDP 4789, underlay 10.120.90.0/24): ssh -N -R with an operator typing back, and a Stratum miner, ~45 s"
	"wire_frag_mtu576 91 veth MTU 576: ping -s 1400 / -s 3000 as IP fragments, and iodine IP-over-DNS (iodined keeps DF, its answers are not fragmented), ~30 s"
	"wire_geneve_ovs 92 Open vSwitch userspace Geneve (VNI 4092, a 4-byte option from inside, underlay 10.120.92.0/24): ssh -N -R with an operator typing back, and a Stratum miner, ~40 s"
	"wire_gre_ovs 93 Open vSwitch userspace GRE, transparent Ethernet with key 5093 and sequence numbers (underlay 10.120.93.0/24): the same session"
	"wire_erspan1_ovs 94 Open vSwitch userspace ERSPAN type II (session 194, underlay 10.120.94.0/24): the same session"
	"wire_erspan2_ovs 95 Open vSwitch userspace ERSPAN type III (session 295, underlay 10.120.95.0/24): the same session"
	"wire_mpls_ovs 96 Open vSwitch flows push two MPLS labels (196 over 1002 out, 196 over 1001 back) on the veth: the same session"
	"wire_gre_l3_ovs 97 Open vSwitch userspace GRE with IPv4 payload (packet_type=legacy_l3, key 5097, as a Linux gre link): the same session"
	"wire_gre_mpls_ovs 98 Open vSwitch userspace L3 GRE (key 5098) carrying one MPLS label (2002 out, 2001 back) over IPv4: the same session"
	"hidden_ssh_proxytunnel 200 ssh -N -R through squid (proxytunnel ProxyCommand, CONNECT :443); an operator types back"
	"benign_http_via_proxy 201 curl GETs, a 200 kB download and three HTTPS requests (CONNECT) through squid, irregular gaps"
	"hidden_reverse_http 202 an agent dials out to :7000 and serves the HTTP requests sent back over that connection"
	"vpn_openvpn_tcp443 203 OpenVPN (TLS mode, small PKI) over TCP 443, pings through it, keepalive 10 s"
	"vpn_openvpn_udp 204 OpenVPN (TLS mode, small PKI) over UDP 1194, pings through it"
	"vpn_wireguard 205 WireGuard from inside to outside:51820, pings through it"
	"benign_vpn_gateway 206 an admin's WireGuard to the gateway listed in tests/traces/vpn_gateway.cfg"
	"hidden_obfs4_curl 207 obfs4proxy carries a curl request every 8-14 s, one obfs4 connection each"
	"hidden_ssh_in_tls 208 ssh -N -R wrapped in TLS on 443 by socat OPENSSL addresses; an operator types back"
	"hidden_ssh_httptunnel 209 ssh -N -R over httptunnel (htc -s as ProxyCommand, hts on port 80); an operator types back"
	"hidden_ssh_websocket 210 ssh -N -R over a WebSocket on port 80 (tw_websocket.py client/bridge); an operator types back"
	"benign_https_browsing 211 curl fetches a page and its resources over HTTPS keep-alive connections, irregular gaps"
	"benign_tls_download 212 curl downloads 150 kB over HTTPS at 10 kB/s (one ~15 s TLS connection)"
	"benign_websocket_chat 213 a python3-websockets chat: short messages both ways for ~60 s (permessage-deflate)"
	"hidden_autossh_in_tls 215 autossh -M 0 -N -R (ServerAliveInterval 5) wrapped in TLS on 443 by socat, idle 60 s, open at the end"
	"hidden_ssh_in_tls12 214 as hidden_ssh_in_tls with TLS 1.2 (socat max-version=TLS1.2): the record overhead is not known in advance"
)
# Long-running service protocols (k 150-199) live in their own file.
# shellcheck source=scripts/make-traces-apps.sh
source "$SCRIPT_DIR/make-traces-apps.sh"
APP_PY_NEED[websockets]=python3-websockets   # benign_websocket_chat
readonly SCENARIOS

WORK_DIR=""
ACTIVE_NAMES=()

log()
{
	printf '[make-traces] %s\n' "$*" >&2
}

die()
{
	log "error: $*"
	exit 1
}

# ---------------------------------------------------------------- setup

ensure_packages()
{
	local -A need=(
		[tcpdump]=tcpdump [socat]=socat [curl]=curl [ip]=iproute2
		[python3]=python3 [sshd]=openssh-server [ssh]=openssh-client
		[autossh]=autossh [ethtool]=ethtool [rsync]=rsync
		[dnsmasq]=dnsmasq-base [dig]=dnsutils [openssl]=openssl
		[iodine]=iodine [dns2tcpc]=dns2tcp [ptunnel-ng]=ptunnel-ng
		[traceroute]=traceroute [ping]=iputils-ping
		[unbound]=unbound [kdig]=knot-dnsutils
		[squid]=squid [proxytunnel]=proxytunnel [openvpn]=openvpn
		[wg]=wireguard-tools [wireguard-go]=wireguard-go
		[obfs4proxy]=obfs4proxy [htc]=httptunnel
		[ovs-vswitchd]=openvswitch-switch
	)
	local missing=() cmd

	for cmd in "${!APP_NEED[@]}"; do
		need[$cmd]=${APP_NEED[$cmd]}
	done
	for cmd in "${!need[@]}"; do
		if ! command -v "$cmd" >/dev/null 2>&1 &&
		   ! [ -x "/usr/sbin/$cmd" ]; then
			missing+=("${need[$cmd]}")
		fi
	done
	for cmd in "${!APP_PY_NEED[@]}"; do
		"$(python_bin)" -c "import $cmd" >/dev/null 2>&1 ||
			missing+=("${APP_PY_NEED[$cmd]}")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	log "installing: ${missing[*]}"
	apt-get update
	DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
}

python_bin()
{
	if [ -x /usr/bin/python3 ]; then
		echo /usr/bin/python3
	else
		command -v python3
	fi
}

ns_in()  { echo "tw-in-$1"; }
ns_out() { echo "tw-out-$1"; }

# Kills what runs inside our own namespaces (only processes this script
# started can be there) and deletes them.  Safe to call when absent.
teardown_topology()
{
	local name=$1 ns pid

	for ns in "$(ns_in "$name")" "$(ns_out "$name")"; do
		ip netns list | awk '{ print $1 }' | grep -qxF "$ns" || continue
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			kill "$pid" 2>/dev/null || true
		done
		sleep 0.2
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			kill -9 "$pid" 2>/dev/null || true
		done
		ip netns del "$ns" 2>/dev/null || true
	done
}

cleanup()
{
	local rc=$? name

	trap - EXIT INT TERM
	for name in "${ACTIVE_NAMES[@]}"; do
		teardown_topology "$name"
	done
	[ -n "$WORK_DIR" ] && rm -rf "$WORK_DIR"
	exit "$rc"
}

# Offloads off so the tap sees wire-sized segments with real checksums,
# as a mirror port would, not 64 kB GSO super-packets.
plain_wire()
{
	ip netns exec "$1" ethtool -K "$2" tx off tso off gso off gro off \
		>/dev/null 2>&1 || log "warning: could not turn offloads off on $2"
}

setup_ns()
{
	local ns=$1 dev=$2 addr=$3 mac=$4

	ip netns add "$ns"
	# No IPv6: keeps router solicitations and MLD out of the traces.
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.disable_ipv6=1
	ip link set "$dev" netns "$ns"
	ip -n "$ns" link set "$dev" address "$mac"
	ip -n "$ns" addr add "$addr/24" dev "$dev"
	ip -n "$ns" link set lo up
	ip -n "$ns" link set "$dev" up
	plain_wire "$ns" "$dev"
}

wait_link_up()
{
	local i

	for i in $(seq 1 50); do
		ip -n "$1" link show dev "$2" | grep -q 'state UP' && return 0
		sleep 0.1
	done
	return 1
}

# Builds tw-in-<name> (10.20.k.2) and tw-out-<name> (10.20.k.1).
setup_topology()
{
	local name=$1 k=$2
	local vin="twi$k" vout="two$k"

	teardown_topology "$name"
	ip link del "$vin" 2>/dev/null || true
	ACTIVE_NAMES+=("$name")
	ip link add "$vin" type veth peer name "$vout"
	setup_ns "$(ns_out "$name")" "$vout" "10.20.$k.1" \
		"$(printf '02:00:0a:14:%02x:01' "$k")"
	setup_ns "$(ns_in "$name")" "$vin" "10.20.$k.2" \
		"$(printf '02:00:0a:14:%02x:02' "$k")"
	wait_link_up "$(ns_in "$name")" "$vin" || die "$name: $vin stays down"
	wait_link_up "$(ns_out "$name")" "$vout" || die "$name: $vout stays down"
}

# ---------------------------------------------------------------- capture

CAP_PID=""
CAP_FILE=""

# capture_start NAME K SNAPLEN: tcpdump on the inside veth, in the
# background; returns once it listens.
capture_start()
{
	local name=$1 k=$2 snaplen=$3 err="$WORK_DIR/$1.tcpdump.err" i

	CAP_FILE="$WORK_DIR/$name.pcap"
	ip netns exec "$(ns_in "$name")" tcpdump -i "twi$k" -s "$snaplen" -U \
		--immediate-mode -Z root \
		-w "$CAP_FILE" 2>"$err" &
	CAP_PID=$!
	for i in $(seq 1 50); do
		grep -q 'listening on' "$err" 2>/dev/null && return 0
		kill -0 "$CAP_PID" 2>/dev/null || break
		sleep 0.1
	done
	cat "$err" >&2
	die "$name: tcpdump did not start"
}

# SIGINT then wait, so tcpdump flushes and closes the file cleanly.  The
# pause first lets the last packets leave the capture ring: tcpdump drops
# what is still queued there when interrupted.
capture_stop()
{
	sleep 1.5
	kill -INT "$CAP_PID"
	wait "$CAP_PID" || true
	CAP_PID=""
}

# Moves the finished capture into place (never leaves a partial file) and
# prints what it holds.
capture_publish()
{
	local name=$1 dst="$OUT_DIR/$1.pcap"

	[ -s "$CAP_FILE" ] || die "$name: empty capture"
	install -m 0644 "$CAP_FILE" "$dst"
	log "$name: wrote $dst ($(stat -c %s "$dst") bytes," \
		"$(tcpdump -nr "$dst" 2>/dev/null | wc -l) packets)"
	if command -v capinfos >/dev/null 2>&1; then
		capinfos -c -u -a -e "$dst" >&2 || true
	fi
	# sed, not head: reading everything spares tcpdump a SIGPIPE.
	tcpdump -nr "$dst" 2>/dev/null | sed -n '1,5p' >&2
}

# Sleeps a uniformly drawn number of milliseconds in [lo, hi] from $RANDOM
# (callers seed RANDOM so runs repeat the same schedule).
sleep_ms_between()
{
	local lo=$1 hi=$2 ms

	ms=$((lo + (RANDOM * 32768 + RANDOM) % (hi - lo + 1)))
	sleep "$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))"
}

# Writes an HTTP document root with a tiny beacon file and a ~200 kB file.
make_docroot()
{
	local dir=$1

	mkdir -p "$dir"
	printf 'ok\n' >"$dir/ping.txt"
	printf '<html><body>status: up</body></html>\n' >"$dir/index.html"
	head -c 204800 /dev/urandom >"$dir/update.bin"
}

# Runs http.server on port 80 of the outside namespace; waits until it
# answers.
start_http_server()
{
	local name=$1 k=$2 docroot=$3 i

	(cd "$docroot" && exec ip netns exec "$(ns_out "$name")" \
		"$(python_bin)" -m http.server 80 --bind "10.20.$k.1" \
		>"$WORK_DIR/$name.http.log" 2>&1) &
	for i in $(seq 1 50); do
		if ip netns exec "$(ns_out "$name")" curl -s -o /dev/null \
			--max-time 1 "http://10.20.$k.1/ping.txt"; then
			return 0
		fi
		sleep 0.1
	done
	die "$name: http.server did not start"
}

# ---------------------------------------------------------------- the frame

# Other people build namespaces on the same machine: creating and deleting
# ours is serialised through one lock file, held only for that, so long
# recordings can run side by side.
readonly NETNS_LOCK=${TW_NETNS_LOCK:-/tmp/tw-netns.lock}

netns_lock()
{
	exec 9>>"$NETNS_LOCK"
	flock 9
}

netns_unlock()
{
	flock -u 9
	exec 9>&-
}

# Snaplens: headers only (payload trimmed) where the analyzers need no
# payload; whole segments where they read it (ssh, stratum, JSON-RPC).
readonly SNAP_HEADERS=256
readonly SNAP_WHOLE=1600

# record NAME K SNAPLEN SERVERS TRAFFIC [AFTER]: the frame every scenario
# runs in.  Builds the namespaces, runs SERVERS (what must listen before
# the capture starts; "" for none), captures while TRAFFIC runs, stops the
# capture before the programs (flows meant to look open stay open), tears
# the namespaces down (which kills everything the scenario started), runs
# AFTER (clean-up outside the namespaces) and publishes the trace.
# SERVERS, TRAFFIC and AFTER are function names.  They run inside record,
# so they see its name, k, in and out, and (bash scopes dynamically) the
# locals of the scenario function that called record: that is how a
# scenario hands them its settings.
record()
{
	local name=$1 k=$2 snaplen=$3 servers=$4 traffic=$5 after=${6:-}
	local in out

	in=$(ns_in "$name")
	out=$(ns_out "$name")
	netns_lock
	setup_topology "$name" "$k"
	netns_unlock
	# if, not ||: set -e must stay in force inside the callbacks.
	if [ -n "$servers" ]; then
		"$servers"
	fi
	capture_start "$name" "$k" "$snaplen"
	"$traffic"
	capture_stop
	netns_lock
	teardown_topology "$name"
	netns_unlock
	if [ -n "$after" ]; then
		"$after"
	fi
	capture_publish "$name"
}

# ---------------------------------------------------------------- scenarios

# One TCP connection from inside to outside:4444 carrying a few random bytes
# every 30 s (+-2 s); outside answers a few bytes now and then.  tcpdump stops
# while the connection is still open, after >= 660 s.
scenario_flow_longlived_trickle()
{
	local name=$1 k=$2
	local seconds=${TW_TRICKLE_SECONDS:-700}
	local period=${TW_TRICKLE_PERIOD:-30}
	local rounds=$((seconds / period + 3))
	local lo=$(((period - 2) * 1000)) hi=$(((period + 2) * 1000))
	local srv cli

	[ "$period" -gt 2 ] || die "TW_TRICKLE_PERIOD must be > 2"
	record "$name" "$k" "$SNAP_HEADERS" trickle_servers trickle_traffic \
		trickle_reap
}

trickle_servers()
{
	# Outside: answers 4-12 random bytes at irregular times, ignores input.
	cat >"$WORK_DIR/$name.answer.sh" <<-EOF
	RANDOM=4242
	for ((i = 0; i < $rounds; i++)); do
		sleep \$(($period + RANDOM % $((period * 2))))
		head -c \$((4 + RANDOM % 9)) /dev/urandom
	done
	exec sleep 900
	EOF
	# Inside: rounds of 6-24 random bytes, then silence (still open).
	cat >"$WORK_DIR/$name.talk.sh" <<-EOF
	$(declare -f sleep_ms_between)
	RANDOM=1001
	for ((i = 0; i < $rounds; i++)); do
		head -c \$((6 + RANDOM % 19)) /dev/urandom
		sleep_ms_between $lo $hi
	done
	exec sleep 900
	EOF

	# Both ends run inside the namespaces, so teardown_topology reaps them.
	ip netns exec "$out" timeout $((seconds + 120)) \
		socat "TCP-LISTEN:4444,bind=10.20.$k.1,reuseaddr" \
		EXEC:"bash $WORK_DIR/$name.answer.sh" &
	srv=$!
	sleep 0.5
}

trickle_traffic()
{
	log "$name: 10.20.$k.2 -> 10.20.$k.1:4444, every ${period}s, ${seconds}s"
	ip netns exec "$in" timeout $((seconds + 120)) \
		socat -T 900 EXEC:"bash $WORK_DIR/$name.talk.sh" \
		"TCP:10.20.$k.1:4444" &
	cli=$!

	sleep "$seconds"
	kill -0 "$cli" 2>/dev/null || die "$name: connection closed too early"
	ip netns exec "$in" ss -tn state established |
		grep -q ":4444" || die "$name: connection not established"
}

# The two ends were killed with the namespaces; collect them quietly.
trickle_reap()
{
	wait "$cli" "$srv" 2>/dev/null || true
}

# SERVERS of the HTTP scenarios: http.server on the outside host.
http_servers()
{
	make_docroot "$WORK_DIR/$name.www"
	start_http_server "$name" "$k" "$WORK_DIR/$name.www"
}

# curl GET of a tiny file every 5 s with uniform +-1 s jitter, 30 times,
# each a new TCP connection.
scenario_flow_beacon_curl()
{
	record "$1" "$2" "$SNAP_HEADERS" http_servers beacon_curl_traffic
}

beacon_curl_traffic()
{
	local i

	log "$name: 10.20.$k.2 GET http://10.20.$k.1/ping.txt x30, 5 s +-1 s"
	RANDOM=2002
	for ((i = 1; i <= 30; i++)); do
		ip netns exec "$in" curl -s -o /dev/null \
			--max-time 3 -A "Mozilla/5.0" \
			"http://10.20.$k.1/ping.txt" ||
			log "$name: GET $i failed"
		if [ "$i" -lt 30 ]; then
			sleep_ms_between 4000 6000
		fi
	done
}

# An ordinary burst: the same ~200 kB file fetched 4 times within ~10 s.
scenario_benign_http_download()
{
	record "$1" "$2" "$SNAP_HEADERS" http_servers http_download_traffic
}

http_download_traffic()
{
	local gap

	log "$name: 10.20.$k.2 downloads http://10.20.$k.1/update.bin x4"
	for gap in 0.4 4.7 3.9 0; do
		ip netns exec "$in" curl -s -o /dev/null \
			--max-time 5 "http://10.20.$k.1/update.bin" ||
			log "$name: download failed"
		sleep "$gap"
	done
}

# A person browsing: short request/response pairs with irregular gaps,
# sometimes two requests close together, over ~20 s.
scenario_benign_interactive_burst()
{
	record "$1" "$2" "$SNAP_HEADERS" http_servers browsing_traffic
}

browsing_traffic()
{
	local gap path

	log "$name: 10.20.$k.2 browses http://10.20.$k.1/ with irregular gaps"
	for gap in 0.3 6.5 0.2 0.9 8.1 2.4 0; do
		case "$gap" in
		0.2|8.1) path=ping.txt ;;
		*) path=index.html ;;
		esac
		ip netns exec "$in" curl -s -o /dev/null \
			--max-time 3 "http://10.20.$k.1/$path" ||
			log "$name: GET failed"
		sleep "$gap"
	done
}

# ---------------------------------------------------------------- ssh (issue 4)

SSH_DIR=""

# One client key and one host key for every sshd and client of the run;
# authorized for root. Nothing under ~/.ssh or /etc/ssh is touched.
ssh_keys()
{
	[ -n "$SSH_DIR" ] && return 0
	SSH_DIR="$WORK_DIR/ssh"
	mkdir -p "$SSH_DIR" /run/sshd
	ssh-keygen -q -t ed25519 -N "" -C tw-client -f "$SSH_DIR/id"
	ssh-keygen -q -t ed25519 -N "" -C tw-host -f "$SSH_DIR/host"
	cp "$SSH_DIR/id.pub" "$SSH_DIR/authorized_keys"
	printf 'id\nuname -a\nls /etc | head -5\ncat /etc/hostname\nps aux | wc -l\n' \
		>"$SSH_DIR/commands"
}

# Options for every ssh/scp/sftp client: our key, no user config, no
# host-key prompt.
ssh_opts()
{
	echo "-F /dev/null -i $SSH_DIR/id -o StrictHostKeyChecking=no" \
		"-o UserKnownHostsFile=/dev/null -o LogLevel=ERROR" \
		"-o BatchMode=yes"
}

# start_sshd NS ADDR PORT: an sshd of our own in namespace NS; waits
# until it listens.
start_sshd()
{
	local ns=$1 addr=$2 port=$3 cfg i

	cfg="$SSH_DIR/sshd.$ns.$port.conf"
	cat >"$cfg" <<-CONF
	Port $port
	ListenAddress $addr
	HostKey $SSH_DIR/host
	PidFile $SSH_DIR/sshd.$ns.$port.pid
	AuthorizedKeysFile $SSH_DIR/authorized_keys
	PermitRootLogin prohibit-password
	PasswordAuthentication no
	KbdInteractiveAuthentication no
	UsePAM no
	StrictModes no
	PrintMotd no
	PrintLastLog no
	AllowTcpForwarding yes
	Subsystem sftp internal-sftp
	CONF
	ip netns exec "$ns" /usr/sbin/sshd -D -e -f "$cfg" \
		2>>"$SSH_DIR/sshd.$ns.$port.log" &
	for i in $(seq 1 50); do
		ip netns exec "$ns" ss -ltn | grep -q "$addr:$port " && return 0
		sleep 0.1
	done
	die "sshd on $addr:$port in $ns did not start"
}

# type_into SEED MIN_MS MAX_MS NS COMMAND...: a person (or a script when
# MIN_MS == MAX_MS) types $SSH_DIR/commands into COMMAND run in NS.
type_into()
{
	local seed=$1 lo=$2 hi=$3 ns=$4

	shift 4
	ip netns exec "$ns" timeout 180 "$(python_bin)" \
		"$SCRIPT_DIR/tw_type.py" "$seed" "$lo" "$hi" \
		"$SSH_DIR/commands" -- "$@" >/dev/null 2>&1 ||
		log "typing into $* ended with an error"
}

# ssh_record NAME K SERVERS TRAFFIC: record for the ssh scenarios, whose
# traces keep whole segments (the analyzer reads banners and sizes).
ssh_record()
{
	ssh_keys
	record "$1" "$2" "$SNAP_WHOLE" "$3" "$4"
}

# SERVERS of the ssh scenarios: the outside sshd, on ${port:-22} (the
# scenario's own port where it sets one) ...
sshd_outside()
{
	start_sshd "$out" "10.20.$k.1" "${port:-22}"
}

# ... and with it the inside sshd a reverse tunnel leads back to.
sshd_both()
{
	sshd_outside
	start_sshd "$in" 127.0.0.1 22
}

# operator_types_back LO HI: the operator on the outside host logs in to
# the inside host through the tunnel's port 2222 and types commands.
operator_types_back()
{
	# shellcheck disable=SC2046
	type_into "$k" "$1" "$2" "$out" ssh $(ssh_opts) -tt -p 2222 \
		root@127.0.0.1
}

# autossh_tunnel [SSH ARGS...]: the inside host keeps an ssh -N -R up with
# autossh (keepalives every 5 s), in the background.
autossh_tunnel()
{
	# shellcheck disable=SC2046
	ip netns exec "$in" env AUTOSSH_GATETIME=0 autossh -M 0 \
		$(ssh_opts) -N -R 2222:127.0.0.1:22 "$@" \
		-o ServerAliveInterval=5 -o ServerAliveCountMax=3 \
		"root@10.20.$k.1" &
}

# The inside host dials out with ssh -N -R; later an operator on the
# outside host logs back in through the tunnel and types commands
# (typing gaps LO..HI ms).
ssh_reverse_session()
{
	local lo=$3 hi=$4

	ssh_record "$1" "$2" sshd_both reverse_session_traffic
}

reverse_session_traffic()
{
	log "$name: 10.20.$k.2 ssh -N -R 2222 -> 10.20.$k.1:22, operator types back"
	# shellcheck disable=SC2046
	ip netns exec "$in" ssh $(ssh_opts) -N -R 2222:127.0.0.1:22 \
		"root@10.20.$k.1" &
	sleep 4
	operator_types_back "$lo" "$hi"
	sleep 2
}

scenario_ssh_reverse_operator()
{
	ssh_reverse_session "$1" "$2" 70 380
}

scenario_ssh_reverse_scripted()
{
	ssh_reverse_session "$1" "$2" 120 120
}

# autossh -M 0 keeps an ssh -N -R up with ServerAliveInterval 5 and
# nothing else happens; the capture stops while it is open.
ssh_idle_tunnel()
{
	local port=$3
	local seconds=${TW_SSH_IDLE_SECONDS:-90}

	ssh_record "$1" "$2" sshd_outside idle_tunnel_traffic
}

idle_tunnel_traffic()
{
	log "$name: autossh -M 0 -N -R to 10.20.$k.1:$port, idle ${seconds}s"
	autossh_tunnel -p "$port"
	sleep "$seconds"
	ip netns exec "$in" ss -tn state established |
		grep -q "10.20.$k.1:$port" || die "$name: tunnel not established"
}

scenario_ssh_autossh_idle()
{
	ssh_idle_tunnel "$1" "$2" 22
}

scenario_ssh_autossh_443()
{
	ssh_idle_tunnel "$1" "$2" 443
}

# The idle autossh tunnel of ssh_autossh_idle, then after ~60 s an
# operator logs back in through it and types: first keepalives only,
# then a reverse session inside the same connection.
scenario_ssh_autossh_then_operator()
{
	local seconds=${TW_SSH_IDLE_SECONDS:-60}

	ssh_record "$1" "$2" sshd_both autossh_then_operator_traffic
}

autossh_then_operator_traffic()
{
	log "$name: autossh -M 0 -N -R idle ${seconds}s, then an operator types back"
	autossh_tunnel
	sleep "$seconds"
	operator_types_back 70 380
	sleep 2
}

# Connect-back: the inside host dials out to 8443 with socat and serves
# its own sshd through it; the operator outside logs in via a local port.
scenario_ssh_connect_back()
{
	ssh_record "$1" "$2" connect_back_servers connect_back_traffic
}

connect_back_servers()
{
	start_sshd "$in" 127.0.0.1 22
	ip netns exec "$out" socat \
		"TCP-LISTEN:8443,bind=10.20.$k.1,reuseaddr" \
		"TCP-LISTEN:2222,bind=127.0.0.1,reuseaddr" &
	sleep 0.5
}

connect_back_traffic()
{
	log "$name: 10.20.$k.2 socat -> 10.20.$k.1:8443 <-> its own sshd"
	ip netns exec "$in" socat "TCP:10.20.$k.1:8443" TCP:127.0.0.1:22 &
	sleep 1
	operator_types_back 70 380
	sleep 1
}

# A person logs in from inside to an outside server and types commands.
scenario_benign_ssh_interactive()
{
	ssh_record "$1" "$2" sshd_outside ssh_interactive_traffic
}

ssh_interactive_traffic()
{
	log "$name: 10.20.$k.2 ssh -tt 10.20.$k.1, types commands"
	# shellcheck disable=SC2046
	type_into "$((k + 100))" 70 380 "$in" ssh $(ssh_opts) -tt \
		"root@10.20.$k.1"
}

# File transfers: scp up, sftp down, rsync over ssh (when installed).
scenario_benign_ssh_transfer()
{
	local dst="$WORK_DIR/$1.dst"

	ssh_record "$1" "$2" ssh_transfer_servers ssh_transfer_traffic
}

# The outside sshd, and the files to move both ways.
ssh_transfer_servers()
{
	sshd_outside
	mkdir -p "$dst"
	head -c 65536 /dev/urandom >"$WORK_DIR/$name.up.bin"
	head -c 65536 /dev/urandom >"$dst/down.bin"
	printf 'get %s %s\n' "$dst/down.bin" "$WORK_DIR/$name.got.bin" \
		>"$WORK_DIR/$name.sftp"
}

ssh_transfer_traffic()
{
	log "$name: scp, sftp, rsync between 10.20.$k.2 and 10.20.$k.1"
	# shellcheck disable=SC2046
	ip netns exec "$in" scp $(ssh_opts) -q "$WORK_DIR/$name.up.bin" \
		"root@10.20.$k.1:$dst/up.bin" || log "$name: scp failed"
	sleep 1.3
	# shellcheck disable=SC2046
	ip netns exec "$in" sftp $(ssh_opts) -q -b "$WORK_DIR/$name.sftp" \
		"root@10.20.$k.1" >/dev/null || log "$name: sftp failed"
	sleep 2.1
	if command -v rsync >/dev/null 2>&1; then
		ip netns exec "$in" rsync -a -e "ssh $(ssh_opts)" \
			"$WORK_DIR/$name.up.bin" \
			"root@10.20.$k.1:$dst/rsync.bin" || log "$name: rsync failed"
	fi
}

# Batch jobs: `ssh host command` a few times with irregular gaps.
scenario_benign_ssh_batch()
{
	ssh_record "$1" "$2" sshd_outside ssh_batch_traffic
}

ssh_batch_traffic()
{
	local gap

	log "$name: 10.20.$k.2 runs ssh 10.20.$k.1 COMMAND 5 times"
	for gap in 1.7 6.2 0.8 3.9 0; do
		# shellcheck disable=SC2046
		ip netns exec "$in" ssh $(ssh_opts) "root@10.20.$k.1" \
			'uname -a; df -h / | tail -1; date' >/dev/null ||
			log "$name: batch command failed"
		sleep "$gap"
	done
}

# ---------------------------------------------------------------- mining

# The project's pool and miner (tests/tools/stratum_*.py): no real miner is
# packaged in Debian 12. Snaplen 1600 keeps whole messages: the analyzer
# needs the JSON-RPC bytes, and they are few.
TOOLS_DIR="$SCRIPT_DIR/../tests/tools"

# start_pool NAME K PORT ARGS...: the pool in the outside namespace.
start_pool()
{
	local name=$1 k=$2 port=$3 i

	shift 3
	ip netns exec "$(ns_out "$name")" "$(python_bin)" \
		"$TOOLS_DIR/stratum_pool.py" --listen "10.20.$k.1:$port" "$@" \
		>"$WORK_DIR/$name.pool.log" 2>&1 &
	for i in $(seq 1 50); do
		ip netns exec "$(ns_out "$name")" ss -ltn 2>/dev/null |
			grep -q "10.20.$k.1:$port " && return 0
		sleep 0.1
	done
	die "$name: pool did not start"
}

# run_miner NAME ARGS...: the miner in the inside namespace, waited for.
run_miner()
{
	local name=$1

	shift
	ip netns exec "$(ns_in "$name")" "$(python_bin)" \
		"$TOOLS_DIR/stratum_miner.py" "$@" ||
		log "$name: miner exited with an error"
}

mining_session()
{
	local port=$3 pool_args=$4 miner_args=$5

	record "$1" "$2" "$SNAP_WHOLE" mining_pool mining_miner
}

mining_pool()
{
	# shellcheck disable=SC2086
	start_pool "$name" "$k" "$port" $pool_args
}

mining_miner()
{
	log "$name: 10.20.$k.2 mines at 10.20.$k.1:$port ($pool_args)"
	# shellcheck disable=SC2086
	run_miner "$name" --connect "10.20.$k.1:$port" $miner_args
}

scenario_mining_stratum_v1()
{
	mining_session "$1" "$2" 3333 "--dialect stratum --job-interval 5" \
		"--dialect stratum --share-interval 7 --duration 40"
}

scenario_mining_xmrig_1byte()
{
	mining_session "$1" "$2" 5555 \
		"--dialect xmrig --job-interval 6 --segment 1" \
		"--dialect xmrig --share-interval 5 --duration 25 --keepalive 10 --segment 1"
}

scenario_mining_xmrig_443()
{
	mining_session "$1" "$2" 443 "--dialect xmrig --job-interval 5" \
		"--dialect xmrig --share-interval 6 --duration 30"
}

# start_dnsmasq ARGS...: a dnsmasq resolver on the outside host that
# answers from ARGS only (no upstream, no /etc/hosts), in the background.
start_dnsmasq()
{
	ip netns exec "$out" dnsmasq --keep-in-foreground --conf-file=/dev/null \
		--no-resolv --no-hosts --bind-interfaces --pid-file= \
		--listen-address="10.20.$k.1" --user=root "$@" \
		>"$WORK_DIR/$name.dnsmasq.log" 2>&1 &
}

# Points the inside host's resolver at the outside host:
# /etc/netns/<ns>/resolv.conf, which ip netns exec mounts over
# /etc/resolv.conf.  drop_inside_resolv_conf (an AFTER of record) removes
# it again, since it lives outside the namespaces.
inside_resolv_conf()
{
	mkdir -p "/etc/netns/$in"
	printf 'nameserver 10.20.%s.1\n' "$k" >"/etc/netns/$in/resolv.conf"
}

drop_inside_resolv_conf()
{
	rm -rf "/etc/netns/$in"
}

# dnsmasq on the outside answers pool names with the outside address; the
# inside resolves through it: dig, curl, then a TLS miner whose SNI is a
# pool name, long enough for the pool/miner rhythm.
scenario_mining_pool_dns_tls()
{
	local secs=${TW_MINING_TLS_SECONDS:-150}

	record "$1" "$2" "$SNAP_WHOLE" pool_dns_tls_servers \
		pool_dns_tls_traffic drop_inside_resolv_conf
}

pool_dns_tls_servers()
{
	inside_resolv_conf
	start_dnsmasq --address="/nanopool.org/10.20.$k.1" \
		--address="/supportxmr.com/10.20.$k.1" \
		--address="/example.org/10.20.$k.1"
	http_servers
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=pool \
		-keyout "$WORK_DIR/$name.key" -out "$WORK_DIR/$name.crt" \
		2>/dev/null
	start_pool "$name" "$k" 14433 --dialect xmrig --job-interval 10 \
		--tls "$WORK_DIR/$name.crt" "$WORK_DIR/$name.key"
	start_pool "$name" "$k" 8443 --dialect xmrig --job-interval 10 \
		--tls "$WORK_DIR/$name.crt" "$WORK_DIR/$name.key"
	sleep 0.5
}

pool_dns_tls_traffic()
{
	log "$name: dig/curl pool names via dnsmasq, TLS mining ${secs}s"
	ip netns exec "$in" dig +short www.example.org A || true
	sleep 1.2
	ip netns exec "$in" dig +short xmr-eu1.nanopool.org A || true
	sleep 0.8
	ip netns exec "$in" curl -s -o /dev/null --max-time 5 \
		"http://pool.supportxmr.com/index.html" || log "$name: curl failed"
	sleep 1.5
	# one miner names the pool in its SNI; the other sends no SNI to the
	# address the lookup gave (mining_link.c ties it to the name)
	run_miner "$name" --connect "pool.supportxmr.com:8443" --tls '' \
		--dialect xmrig --share-interval 15 --duration "$secs" &
	run_miner "$name" --connect "xmr-eu1.nanopool.org:14433" \
		--tls xmr-eu1.nanopool.org --dialect xmrig \
		--share-interval 15 --duration "$secs"
	wait $!
}

scenario_benign_jsonrpc_api()
{
	record "$1" "$2" "$SNAP_WHOLE" jsonrpc_server jsonrpc_traffic
}

jsonrpc_server()
{
	ip netns exec "$out" "$(python_bin)" \
		"$TOOLS_DIR/jsonrpc_peer.py" server "10.20.$k.1:8545" \
		>"$WORK_DIR/$name.api.log" 2>&1 &
	sleep 0.7
}

jsonrpc_traffic()
{
	log "$name: 10.20.$k.2 calls a JSON-RPC API at 10.20.$k.1:8545"
	ip netns exec "$in" "$(python_bin)" \
		"$TOOLS_DIR/jsonrpc_peer.py" client "10.20.$k.1:8545" ||
		log "$name: client failed"
}

# ---------------------------------------------------------------- covert channels (issue 6)

# A small file served through the tunnels (random: not compressible).
make_tunnel_docroot()
{
	mkdir -p "$1"
	head -c 20480 /dev/urandom >"$1/blob.bin"
	printf 'ok\n' >"$1/ping.txt"
}

# Serves $2 (a directory) on 10.20.k.1:80 of the outside namespace, or on
# the address given as $4.
start_plain_http()
{
	local name=$1 dir=$2 k=$3 addr=${4:-10.20.$3.1}

	(cd "$dir" && exec ip netns exec "$(ns_out "$name")" \
		"$(python_bin)" -m http.server 80 --bind "$addr" \
		>"$WORK_DIR/$name.http.log" 2>&1) &
	sleep 0.8
}

# iodine: IP over DNS straight to iodined (the outside host is the
# tunnel's name server for t1.tunnel.test). -r keeps iodine in DNS mode
# (raw UDP would be tried first since the server is reachable). Through the
# tunnel: pings and a 20 kB download.
scenario_dnstun_iodine()
{
	local secs=${TW_IODINE_SECONDS:-25}

	record "$1" "$2" "$SNAP_HEADERS" iodine_servers iodine_traffic
}

iodine_servers()
{
	make_tunnel_docroot "$WORK_DIR/$name.www"
	ip netns exec "$out" iodined -f -c -P tw-iodine-test \
		-l "10.20.$k.1" -p 53 192.168.250.1/24 t1.tunnel.test \
		>"$WORK_DIR/$name.iodined.log" 2>&1 &
	sleep 1
	start_plain_http "$name" "$WORK_DIR/$name.www" "$k" 0.0.0.0
}

iodine_traffic()
{
	log "$name: iodine 10.20.$k.2 -> iodined 10.20.$k.1:53 (t1.tunnel.test)"
	# shellcheck disable=SC2086
	ip netns exec "$in" timeout $((secs + 10)) iodine -f -r \
		${iodine_fragsize:+-m $iodine_fragsize} \
		-P tw-iodine-test "10.20.$k.1" t1.tunnel.test \
		>"$WORK_DIR/$name.iodine.log" 2>&1 &
	sleep 5
	ip netns exec "$in" ping -c 5 -i 0.5 192.168.250.1 >/dev/null ||
		log "$name: ping through the tunnel failed"
	ip netns exec "$in" curl -s -o /dev/null --max-time 15 \
		http://192.168.250.1/blob.bin || log "$name: download failed"
	sleep 2
}

# dns2tcp: TCP over DNS TXT records. dns2tcpd on the outside host answers
# for dns2tcp.tunnel.test and forwards its resource "web" to an HTTP
# server; dns2tcpc inside asks 10.20.k.1 directly and a curl goes through.
scenario_dnstun_dns2tcp()
{
	local conf="$WORK_DIR/$1.dns2tcpd.conf"
	local cport=8053

	record "$1" "$2" "$SNAP_HEADERS" dns2tcp_servers dns2tcp_traffic
}

dns2tcp_servers()
{
	make_tunnel_docroot "$WORK_DIR/$name.www"
	start_plain_http "$name" "$WORK_DIR/$name.www" "$k"
	cat >"$conf" <<-EOF2
	listen = 10.20.$k.1
	port = 53
	user = root
	domain = dns2tcp.tunnel.test
	resources = web:10.20.$k.1:80
	EOF2
	ip netns exec "$out" dns2tcpd -F -f "$conf" \
		>"$WORK_DIR/$name.dns2tcpd.log" 2>&1 &
	sleep 1
}

dns2tcp_traffic()
{
	log "$name: dns2tcpc 10.20.$k.2 -> dns2tcpd 10.20.$k.1:53"
	ip netns exec "$in" timeout 60 dns2tcpc -z dns2tcp.tunnel.test \
		-r web -l "$cport" "10.20.$k.1" \
		>"$WORK_DIR/$name.dns2tcpc.log" 2>&1 &
	sleep 2
	ip netns exec "$in" curl -s -o /dev/null --max-time 30 \
		"http://127.0.0.1:$cport/blob.bin" || log "$name: download failed"
	sleep 1
}

# ptunnel-ng: TCP over ICMP echo. The proxy runs outside; the client
# inside listens on 8000 and forwards to 10.20.k.1:80 through pings.
scenario_icmptun_ptunnel()
{
	record "$1" "$2" "$SNAP_HEADERS" ptunnel_servers ptunnel_traffic
}

ptunnel_servers()
{
	make_tunnel_docroot "$WORK_DIR/$name.www"
	start_plain_http "$name" "$WORK_DIR/$name.www" "$k"
	ip netns exec "$out" ptunnel-ng -r"10.20.$k.1" -R80 -v 0 \
		>"$WORK_DIR/$name.proxy.log" 2>&1 &
	sleep 1
}

ptunnel_traffic()
{
	log "$name: ptunnel-ng 10.20.$k.2 -> proxy 10.20.$k.1 (ICMP), to :80"
	ip netns exec "$in" ptunnel-ng -p"10.20.$k.1" -l8000 \
		-r"10.20.$k.1" -R80 -v 0 >"$WORK_DIR/$name.client.log" 2>&1 &
	sleep 1.5
	ip netns exec "$in" curl -s -o /dev/null --max-time 30 \
		http://127.0.0.1:8000/blob.bin || log "$name: download failed"
	ip netns exec "$in" curl -s -o /dev/null --max-time 10 \
		http://127.0.0.1:8000/ping.txt || true
	sleep 1
}

# Benign look-alike of a DNS tunnel: a burst of ordinary lookups (many
# names under a few domains, A/AAAA/MX/TXT) from eleven clients through a
# dnsmasq resolver: neither the clients nor the resolver is a tunnel.
scenario_benign_dns_burst()
{
	local domains=(example.org example.com example.net shop.example
		corp.example.co.uk)
	local hosts=(www mail api cdn static img login docs status
		assets blog support m app news search video auth)

	record "$1" "$2" "$SNAP_HEADERS" dns_burst_servers dns_burst_traffic
}

# Ten more client addresses inside, and the resolver outside.
dns_burst_servers()
{
	local c

	for c in $(seq 3 12); do
		ip -n "$in" addr add "10.20.$k.$c/24" dev "twi$k"
	done
	start_dnsmasq --address="/example.org/10.20.$k.1" \
		--address="/example.com/10.20.$k.1" \
		--address="/example.net/10.20.$k.1" \
		--mx-host="example.org,mail.example.org,10" \
		--txt-record="example.org,v=spf1 mx -all"
	sleep 1
}

# dig_from C ARGS...: one lookup from client address 10.20.k.C.
dig_from()
{
	local c=$1

	shift
	ip netns exec "$in" dig +tries=1 +time=1 -b "10.20.$k.$c" \
		"@10.20.$k.1" "$@" >/dev/null || true
}

dns_burst_traffic()
{
	local c d

	log "$name: 11 clients, ordinary lookups through dnsmasq 10.20.$k.1"
	RANDOM=5353
	for c in 2 $(seq 3 12); do
		for _ in $(seq 1 12); do
			# domain first: the draws from RANDOM keep their order
			d=${domains[RANDOM % ${#domains[@]}]}
			dig_from "$c" "${hosts[RANDOM % ${#hosts[@]}]}.$d" A
		done
		dig_from "$c" example.org MX
		dig_from "$c" example.org TXT
		dig_from "$c" www.example.com AAAA
	done
}

# Benign look-alikes of an ICMP tunnel: continuous Linux ping, a large
# ping, a pattern ping (-p), and traceroute over ICMP and over UDP (whose
# answers are ICMP port-unreachable errors quoting the probes).
scenario_benign_ping_traceroute()
{
	record "$1" "$2" "$SNAP_HEADERS" "" ping_traceroute_traffic
}

ping_traceroute_traffic()
{
	log "$name: ping, ping -s 1400, ping -p, traceroute -I / UDP"
	ip netns exec "$in" ping -c 60 -i 0.2 "10.20.$k.1" >/dev/null
	ip netns exec "$in" ping -c 5 -i 0.3 -s 1400 "10.20.$k.1" >/dev/null
	ip netns exec "$in" ping -c 5 -i 0.3 -p deadbeef "10.20.$k.1" >/dev/null
	ip netns exec "$in" traceroute -I -q 2 -m 3 "10.20.$k.1" >/dev/null
	ip netns exec "$in" traceroute -q 2 -m 3 "10.20.$k.1" >/dev/null
}

# A reverse-tunnel agent's shape without the service itself (ngrok is not
# in Debian): the inside host resolves connect.ngrok-agent.com (dnsmasq
# answers with the outside host) and calls it over TLS with that SNI every
# 5 s +- 1 s for ~80 s, like an agent's heartbeat. Fusion: the service
# name (tunnel.service) and the beacon (flow.beacon) on one host.
scenario_tunnel_ngrok_heartbeat()
{
	local rounds=${TW_NGROK_ROUNDS:-16}

	record "$1" "$2" "$SNAP_HEADERS" ngrok_servers ngrok_traffic \
		drop_inside_resolv_conf
}

ngrok_servers()
{
	inside_resolv_conf
	start_dnsmasq --address="/ngrok-agent.com/10.20.$k.1"
	make_tunnel_docroot "$WORK_DIR/$name.www"
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 \
		-subj /CN=connect.ngrok-agent.com \
		-keyout "$WORK_DIR/$name.key" -out "$WORK_DIR/$name.crt" 2>/dev/null
	(cd "$WORK_DIR/$name.www" && exec ip netns exec "$out" openssl s_server \
		-quiet -accept 443 -cert "$WORK_DIR/$name.crt" \
		-key "$WORK_DIR/$name.key" -WWW \
		>"$WORK_DIR/$name.tls.log" 2>&1) &
	sleep 1
}

ngrok_traffic()
{
	local i

	log "$name: connect.ngrok-agent.com over TLS every 5 s +-1 s, $rounds times"
	RANDOM=7844
	for ((i = 0; i < rounds; i++)); do
		ip netns exec "$in" curl -sk -o /dev/null --max-time 3 \
			https://connect.ngrok-agent.com/ping.txt ||
			log "$name: request $i failed"
		sleep_ms_between 4000 6000
	done
}

# Benign look-alike: DNS over TLS (RFC 7858). unbound answers on
# 10.20.k.1:853 from local data; kdig asks it over TLS, including names
# that would look encoded in cleartext. Encrypted DNS is not a tunnel:
# nothing in it is parsed.
scenario_benign_dot_queries()
{
	local conf="$WORK_DIR/$1.unbound.conf"

	record "$1" "$2" "$SNAP_HEADERS" dot_servers dot_traffic
}

dot_servers()
{
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=dot.test \
		-keyout "$WORK_DIR/$name.key" -out "$WORK_DIR/$name.crt" 2>/dev/null
	cat >"$conf" <<-EOF2
	server:
	    interface: 10.20.$k.1@853
	    tls-service-key: "$WORK_DIR/$name.key"
	    tls-service-pem: "$WORK_DIR/$name.crt"
	    tls-port: 853
	    access-control: 10.20.$k.0/24 allow
	    username: ""
	    chroot: ""
	    directory: "$WORK_DIR"
	    pidfile: ""
	    use-syslog: no
	    do-ip6: no
	    local-zone: "example.org." static
	    local-data: "www.example.org. A 10.20.$k.1"
	    local-data: "example.org. TXT \"v=spf1 -all\""
	EOF2
	ip netns exec "$out" unbound -d -c "$conf" \
		>"$WORK_DIR/$name.unbound.log" 2>&1 &
	sleep 1.5
}

dot_traffic()
{
	local n

	log "$name: kdig +tls to unbound 10.20.$k.1:853"
	for n in www 6f2a9c41d7e8b3a05c19e27d4b86f3a1 mail api \
		 laczi1dwmfbaywb0fm5xhkrgz0heotzq www; do
		ip netns exec "$in" kdig +tls +time=2 +retry=0 \
			"@10.20.$k.1" "$n.example.org" A >/dev/null || true
		sleep 0.3
	done
	ip netns exec "$in" kdig +tls +time=2 +retry=0 "@10.20.$k.1" \
		example.org TXT >/dev/null || true
}

# ---------------------------------------------------------------- fabrics (issue 17)

# Moves the scenario's 10.20.k.0/24 onto a Linux vxlan link (VNI 42, UDP
# 4789) whose underlay is the veth pair, readdressed 10.120.k.0/24: the
# tap on the veth sees every frame inside VXLAN, as a cloud traffic
# mirror delivers it. A SERVERS callback runs it first.
vxlan_overlay()
{
	local ns dev over under peer mac

	for ns in "$in" "$out"; do
		if [ "$ns" = "$in" ]; then
			dev="twi$k" over=2 under=2 peer=1 mac=02
		else
			dev="two$k" over=1 under=1 peer=2 mac=01
		fi
		ip -n "$ns" addr flush dev "$dev"
		ip -n "$ns" addr add "10.120.$k.$under/24" dev "$dev"
		ip -n "$ns" link add twvx0 type vxlan id 42 dstport 4789 \
			local "10.120.$k.$under" remote "10.120.$k.$peer" \
			dev "$dev"
		ip -n "$ns" link set twvx0 address \
			"$(printf '02:00:0a:15:%02x:%s' "$k" "$mac")"
		ip -n "$ns" addr add "10.20.$k.$over/24" dev twvx0
		ip -n "$ns" link set twvx0 up
		plain_wire "$ns" twvx0
	done
}

# A reverse SSH session with an operator typing back, and beside it a
# Stratum miner, both over VXLAN.
scenario_wire_vxlan_fabric()
{
	local lo=70 hi=380
	local pool_args="--dialect stratum --job-interval 5"
	local miner_args="--dialect stratum --share-interval 7 --duration 40"

	ssh_keys
	record "$1" "$2" "$SNAP_WHOLE" fabric_servers fabric_traffic
}

# sshd_both and the mining callbacks take their port from $port.
fabric_servers()
{
	local port=22

	vxlan_overlay
	sshd_both
	port=3333
	mining_pool
}

fabric_traffic()
{
	local port=3333 miner

	mining_miner &
	miner=$!
	reverse_session_traffic
	# the miner only: ssh -N -R runs until the namespaces go
	wait "$miner" || true
}

# An MTU of 576 on both veth ends: iodine's DNS answers (up to ~1 kB) and
# large pings leave the hosts as IP fragments. Whole frames are kept so
# the fragments can be reassembled.
scenario_wire_frag_mtu576()
{
	local secs=${TW_IODINE_SECONDS:-25}
	# answers of ~1 kB (iodine would probe its way below the MTU)
	local iodine_fragsize=1000

	record "$1" "$2" "$SNAP_WHOLE" frag_servers frag_traffic
}

frag_servers()
{
	ip -n "$in" link set "twi$k" mtu 576
	ip -n "$out" link set "two$k" mtu 576
	# no DF on UDP (iodined sets it otherwise): the kernel fragments
	# what exceeds the MTU, as on a path without PMTU discovery
	ip netns exec "$in" sysctl -qw net.ipv4.ip_no_pmtu_disc=1
	ip netns exec "$out" sysctl -qw net.ipv4.ip_no_pmtu_disc=1
	iodine_servers
}

frag_traffic()
{
	log "$name: ping -s 1400 and -s 3000 over MTU 576"
	ip netns exec "$in" ping -c 3 -i 0.3 -s 1400 "10.20.$k.1" >/dev/null ||
		log "$name: large ping failed"
	ip netns exec "$in" ping -c 2 -i 0.3 -s 3000 "10.20.$k.1" >/dev/null ||
		log "$name: larger ping failed"
	iodine_traffic
}

# ---------------------------------------------------------------- fabrics through Open vSwitch (issue 17)

# Kernels without the geneve, ip_gre/gretap, erspan or mpls modules (this
# project's build machine has none of them) still get real recordings of
# those encapsulations: Open vSwitch's userspace datapath (bridges with
# datapath_type=netdev) builds the tunnel headers itself. Each namespace
# runs its own ovsdb-server and ovs-vswitchd (files under
# $WORK_DIR/ovs.<ns>): bridge brphy holds the veth (read and written with
# AF_PACKET) and the underlay address 10.120.k.x on its internal port; a
# tunnel port on bridge brint (overlay address 10.20.k.x, MTU 1400) goes
# to the other side's underlay address. MPLS has no tunnel port: flows on
# brphy push a two-label stack onto the overlay's IP packets and pop it.
# The tap on the veth sees what the switch sends. Teardown kills both
# daemons with the namespace.

# ovs_start NS: ovsdb-server and ovs-vswitchd of our own in NS; waits
# until ovs-vsctl gets answers.
ovs_start()
{
	local ns=$1 d="$WORK_DIR/ovs.$1"

	mkdir -p "$d"
	ovsdb-tool create "$d/conf.db" \
		/usr/share/openvswitch/vswitch.ovsschema
	ip netns exec "$ns" ovsdb-server "$d/conf.db" \
		--remote="punix:$d/db.sock" --pidfile="$d/ovsdb.pid" \
		--unixctl="$d/ovsdb.ctl" --log-file="$d/ovsdb.log" --detach
	ovs_vsctl "$ns" --no-wait init
	ip netns exec "$ns" env OVS_RUNDIR="$d" ovs-vswitchd \
		"unix:$d/db.sock" --pidfile="$d/vswitchd.pid" \
		--unixctl="$d/vswitchd.ctl" --log-file="$d/vswitchd.log" \
		--detach
	ovs_vsctl "$ns" --timeout=10 show >/dev/null ||
		die "$name: ovs-vswitchd in $ns does not answer"
}

ovs_vsctl()
{
	local ns=$1

	shift
	ovs-vsctl --db="unix:$WORK_DIR/ovs.$ns/db.sock" "$@"
}

# ovs_flow NS BRIDGE FLOW: one OpenFlow rule.
ovs_flow()
{
	ovs-ofctl add-flow "unix:$WORK_DIR/ovs.$1/$2.mgmt" "$3"
}

# ovs_overlay ENCAP: moves the scenario's 10.20.k.0/24 behind Open vSwitch
# in both namespaces, carried by ENCAP (geneve, gre, erspan1, erspan2,
# mpls) over the underlay 10.120.k.0/24 on the veth pair.
ovs_overlay()
{
	local encap=$1 ns dev u p mac pmac label tun eth=""

	for ns in "$in" "$out"; do
		if [ "$ns" = "$in" ]; then
			dev="twi$k" u=2 p=1 mac=02 pmac=01 label=1002
		else
			dev="two$k" u=1 p=2 mac=01 pmac=02 label=1001
		fi
		ovs_start "$ns"
		# the veth is now a switch port: no address, and no ARP
		# answers from the kernel behind the switch's back
		ip -n "$ns" addr flush dev "$dev"
		ip -n "$ns" link set "$dev" arp off
		ovs_vsctl "$ns" add-br brphy -- set bridge brphy \
			datapath_type=netdev \
			other_config:hwaddr="$(printf '02:00:0a:78:%02x:%s' "$k" "$mac")" \
			-- add-port brphy "$dev"
		ip -n "$ns" link set brphy up
		ip -n "$ns" addr add "10.120.$k.$u/24" dev brphy
		if [ "$encap" = mpls ]; then
			# two labels (outer 100 + k, inner one per direction):
			# what a carrier's LSP to a service label looks like
			ovs_vsctl "$ns" set interface brphy mtu_request=1400
			ip -n "$ns" addr add "10.20.$k.$u/24" dev brphy
			ovs_flow "$ns" brphy "priority=10,ip,in_port=LOCAL,nw_dst=10.20.$k.0/24,actions=push_mpls:0x8847,set_field:$label->mpls_label,push_mpls:0x8847,set_field:$((100 + k))->mpls_label,output:$dev"
			ovs_flow "$ns" brphy "priority=10,mpls,in_port=$dev,actions=pop_mpls:0x8847,pop_mpls:0x0800,output:LOCAL"
			plain_wire "$ns" brphy
			continue
		fi
		case "$encap" in
		geneve)  tun="type=geneve options:key=$((4000 + k))" ;;
		# key and sequence numbers, no checksum: OVS 3.1's userspace
		# GRE sums the header before it writes the sequence number, so
		# with both its receiver drops every frame as corrupt
		gre)     tun="type=gre options:key=$((5000 + k)) options:seq=true" ;;
		# L3 GRE (IPv4 payload, as a Linux gre link sends it), bare
		# or with an MPLS label under it (an L3VPN over GRE)
		gre_l3|gre_mpls)
			 tun="type=gre options:key=$((5000 + k)) options:packet_type=legacy_l3" ;;
		erspan1) tun="type=erspan options:key=$((100 + k)) options:erspan_ver=1 options:erspan_idx=0x$k" ;;
		erspan2) tun="type=erspan options:key=$((200 + k)) options:erspan_ver=2 options:erspan_dir=$((u - 1)) options:erspan_hwid=0x$mac" ;;
		*) die "ovs_overlay: unknown encapsulation $encap" ;;
		esac
		# shellcheck disable=SC2086
		ovs_vsctl "$ns" add-br brint -- set bridge brint \
			datapath_type=netdev \
			other_config:hwaddr="$(printf '02:00:0a:15:%02x:%s' "$k" "$mac")" \
			-- add-port brint tun0 -- set interface tun0 $tun \
			options:remote_ip="10.120.$k.$p"
		if [ "$encap" = geneve ]; then
			# one 4-byte option on every frame the inside sends, as
			# a cloud load balancer adds its own (class 0x0108)
			ovs-ofctl add-tlv-map "unix:$WORK_DIR/ovs.$ns/brint.mgmt" \
				"{class=0x0108,type=0x80,len=4}->tun_metadata0"
			ovs_flow "$ns" brint "priority=10,in_port=LOCAL,actions=set_field:0x$k$mac->tun_metadata0,output:tun0"
			ovs_flow "$ns" brint "priority=10,in_port=tun0,actions=output:LOCAL"
		fi
		case "$encap" in
		gre_l3|gre_mpls)
			# no Ethernet, so no ARP through the tunnel: the
			# peer's MAC is set by hand (a gre link is NOARP too)
			# and frames out of the tunnel get these addresses
			eth="mod_dl_src:$(printf '02:00:0a:15:%02x:%s' "$k" "$pmac"),mod_dl_dst:$(printf '02:00:0a:15:%02x:%s' "$k" "$mac")"
			if [ "$encap" = gre_l3 ]; then
				ovs_flow "$ns" brint "priority=10,ip,in_port=LOCAL,actions=output:tun0"
				ovs_flow "$ns" brint "priority=10,in_port=tun0,actions=$eth,output:LOCAL"
			else
				ovs_flow "$ns" brint "priority=10,ip,in_port=LOCAL,actions=push_mpls:0x8847,set_field:$((label + 1000))->mpls_label,output:tun0"
				ovs_flow "$ns" brint "priority=10,mpls,in_port=tun0,actions=pop_mpls:0x0800,$eth,output:LOCAL"
			fi
			;;
		esac
		ovs_vsctl "$ns" set interface brint mtu_request=1400
		ip -n "$ns" link set brint up
		ip -n "$ns" addr add "10.20.$k.$u/24" dev brint
		[ -z "$eth" ] || ip -n "$ns" neigh replace "10.20.$k.$p" \
			nud permanent dev brint \
			lladdr "$(printf '02:00:0a:15:%02x:%s' "$k" "$pmac")"
		plain_wire "$ns" brint
	done
	# the switches learn each other's underlay MAC before the capture
	ip netns exec "$in" ping -c 2 -i 0.2 -W 1 "10.120.$k.1" >/dev/null ||
		die "$name: no underlay between the switches"
	ip netns exec "$in" ping -c 2 -i 0.2 -W 1 "10.20.$k.1" >/dev/null ||
		die "$name: nothing passes the $encap overlay"
}

# wire_<encap>_ovs: the wire_vxlan_fabric session (a reverse SSH session
# with an operator typing back, and a Stratum miner) over ENCAP.
ovs_fabric_session()
{
	local encap=$3 lo=70 hi=380
	local pool_args="--dialect stratum --job-interval 5"
	local miner_args="--dialect stratum --share-interval 7 --duration 30"

	ssh_keys
	record "$1" "$2" "$SNAP_WHOLE" ovs_fabric_servers fabric_traffic
}

ovs_fabric_servers()
{
	local port=22

	ovs_overlay "$encap"
	sshd_both
	port=3333
	mining_pool
}

scenario_wire_geneve_ovs()  { ovs_fabric_session "$1" "$2" geneve; }
scenario_wire_gre_ovs()     { ovs_fabric_session "$1" "$2" gre; }
scenario_wire_erspan1_ovs() { ovs_fabric_session "$1" "$2" erspan1; }
scenario_wire_erspan2_ovs() { ovs_fabric_session "$1" "$2" erspan2; }
scenario_wire_mpls_ovs()    { ovs_fabric_session "$1" "$2" mpls; }
scenario_wire_gre_l3_ovs()  { ovs_fabric_session "$1" "$2" gre_l3; }
scenario_wire_gre_mpls_ovs() { ovs_fabric_session "$1" "$2" gre_mpls; }

# ---------------------------------------------------------------- hidden tunnels (issue 12)

# A squid of our own in the outside namespace on 10.20.k.1:3128 that lets
# every client CONNECT anywhere; the services behind it listen on
# 10.20.k.9 (an address on the outside namespace's loopback), so the
# CONNECT target is not the proxy's address. Only inside <-> proxy is on
# the tap.
start_squid()
{
	local dir="$WORK_DIR/squid.$name" i

	mkdir -p "$dir"
	chmod 0777 "$dir"
	cat >"$dir/squid.conf" <<-CONF
	http_port 10.20.$k.1:3128
	http_access allow all
	cache deny all
	pid_filename $dir/squid.pid
	cache_log $dir/cache.log
	access_log none
	netdb_filename none
	coredump_dir $dir
	shutdown_lifetime 1 seconds
	CONF
	ip netns exec "$out" squid -N -f "$dir/squid.conf" \
		>"$dir/stdout.log" 2>&1 &
	for i in $(seq 1 100); do
		ip netns exec "$out" ss -ltn | grep -q "10.20.$k.1:3128 " &&
			return 0
		sleep 0.1
	done
	cat "$dir/cache.log" >&2 || true
	die "$name: squid did not start"
}

behind_proxy_address()
{
	ip -n "$out" addr add "10.20.$k.9/32" dev lo
}

# ssh -R from inside through the proxy: proxytunnel as ProxyCommand speaks
# CONNECT 10.20.k.9:443 to squid; an operator outside logs back in.
scenario_hidden_ssh_proxytunnel()
{
	ssh_record "$1" "$2" proxytunnel_servers proxytunnel_traffic
}

proxytunnel_servers()
{
	behind_proxy_address
	start_sshd "$out" "10.20.$k.9" 443
	start_sshd "$in" 127.0.0.1 22
	start_squid
}

proxytunnel_traffic()
{
	log "$name: ssh -N -R via proxytunnel -> squid 10.20.$k.1:3128 -> 10.20.$k.9:443, operator types back"
	# shellcheck disable=SC2046
	ip netns exec "$in" ssh $(ssh_opts) -N -R 2222:127.0.0.1:22 \
		-o "ProxyCommand=proxytunnel -q -p 10.20.$k.1:3128 -d %h:%p" \
		-p 443 "root@10.20.$k.9" &
	sleep 4
	# shellcheck disable=SC2046
	type_into "$k" 70 380 "$out" ssh $(ssh_opts) -tt -p 2222 \
		root@127.0.0.1
	sleep 2
}

# Plain HTTP through the same kind of proxy: GETs and one CONNECT to a
# web server (curl -x), irregular gaps. Benign.
scenario_benign_http_via_proxy()
{
	record "$1" "$2" "$SNAP_WHOLE" http_proxy_servers http_proxy_traffic
}

http_proxy_servers()
{
	local docroot="$WORK_DIR/docroot.$name"

	behind_proxy_address
	make_docroot "$docroot"
	(cd "$docroot" && exec ip netns exec "$out" "$(python_bin)" \
		-m http.server 80 --bind "10.20.$k.9" \
		>"$WORK_DIR/$name.http.log" 2>&1) &
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
		-nodes -days 2 -subj /CN=www.example -keyout "$docroot/tls.key" \
		-out "$docroot/tls.crt" 2>/dev/null
	ip netns exec "$out" openssl s_server -quiet -www \
		-accept "10.20.$k.9:443" -cert "$docroot/tls.crt" \
		-key "$docroot/tls.key" >/dev/null 2>&1 &
	start_squid
	sleep 1
}

http_proxy_traffic()
{
	local gap

	log "$name: curl -x squid 10.20.$k.1:3128 http://10.20.$k.9/ with irregular gaps"
	for gap in 0.4 3.1 0.2 5.5 1.3 0; do
		ip netns exec "$in" curl -s -o /dev/null --max-time 5 \
			-x "http://10.20.$k.1:3128" "http://10.20.$k.9/index.html" ||
			log "$name: GET failed"
		sleep "$gap"
	done
	ip netns exec "$in" curl -s -o /dev/null --max-time 5 \
		-x "http://10.20.$k.1:3128" "http://10.20.$k.9/update.bin" ||
		log "$name: download failed"
	# HTTPS the way browsers reach it through a proxy: CONNECT, then TLS
	for gap in 1.1 2.7 0; do
		ip netns exec "$in" curl -s -k -o /dev/null --max-time 5 \
			-x "http://10.20.$k.1:3128" "https://10.20.$k.9/" ||
			log "$name: HTTPS GET failed"
		sleep "$gap"
	done
}

# A reverse HTTP tunnel: tw_reverse_http.py on the inside dials out to
# 10.20.k.1:7000 and serves the HTTP requests the outside sends back
# over that connection (how ngrok-style agents look from outside).
scenario_hidden_reverse_http()
{
	record "$1" "$2" "$SNAP_WHOLE" "" reverse_http_traffic
}

reverse_http_traffic()
{
	log "$name: agent 10.20.$k.2 dials 10.20.$k.1:7000, then answers requests from it"
	ip netns exec "$out" timeout 60 "$(python_bin)" \
		"$SCRIPT_DIR/tw_reverse_http.py" controller "10.20.$k.1" 7000 6 \
		>"$WORK_DIR/$name.controller.log" 2>&1 &
	sleep 1
	ip netns exec "$in" timeout 60 "$(python_bin)" \
		"$SCRIPT_DIR/tw_reverse_http.py" agent "10.20.$k.1" 7000 6 \
		>"$WORK_DIR/$name.agent.log" 2>&1 || log "$name: agent failed"
	sleep 1
}

# A small OpenVPN PKI (CA, server, client; EC keys) made with openssl.
make_openvpn_pki()
{
	local d=$1

	mkdir -p "$d"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
		-nodes -days 2 -subj /CN=tw-ca -keyout "$d/ca.key" \
		-out "$d/ca.crt" 2>/dev/null
	for who in server client; do
		openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
			-nodes -subj "/CN=tw-$who" -keyout "$d/$who.key" \
			-out "$d/$who.csr" 2>/dev/null
		printf 'keyUsage=digitalSignature\nextendedKeyUsage=%s\n' \
			"$([ $who = server ] && echo serverAuth || echo clientAuth)" \
			>"$d/$who.ext"
		openssl x509 -req -in "$d/$who.csr" -CA "$d/ca.crt" \
			-CAkey "$d/ca.key" -CAcreateserial -days 2 \
			-extfile "$d/$who.ext" -out "$d/$who.crt" 2>/dev/null
	done
}

# OpenVPN in TLS mode (proto $ovpn_proto, port $ovpn_port) from inside to
# outside, keepalive 10 s; pings cross the tunnel for a while.
openvpn_scenario()
{
	record "$1" "$2" "$SNAP_WHOLE" openvpn_servers openvpn_traffic
}

openvpn_servers()
{
	local d="$WORK_DIR/ovpn.$name"

	make_openvpn_pki "$d"
	ip netns exec "$out" openvpn --dev tun --proto "$ovpn_server_proto" \
		--local "10.20.$k.1" --port "$ovpn_port" --tls-server \
		--ca "$d/ca.crt" --cert "$d/server.crt" --key "$d/server.key" \
		--dh none --ifconfig 10.99.$k.1 10.99.$k.2 --keepalive 10 60 \
		--verb 1 >"$d/server.log" 2>&1 &
	sleep 1
}

openvpn_traffic()
{
	local d="$WORK_DIR/ovpn.$name" i

	log "$name: openvpn ${ovpn_proto} 10.20.$k.2 -> 10.20.$k.1:$ovpn_port, pings inside"
	ip netns exec "$in" openvpn --dev tun --proto "$ovpn_client_proto" \
		--remote "10.20.$k.1" --port "$ovpn_port" --tls-client \
		--ca "$d/ca.crt" --cert "$d/client.crt" --key "$d/client.key" \
		--remote-cert-tls server --ifconfig 10.99.$k.2 10.99.$k.1 \
		--keepalive 10 60 --verb 1 >"$d/client.log" 2>&1 &
	for i in $(seq 1 100); do
		ip netns exec "$in" ping -c1 -W1 "10.99.$k.1" >/dev/null 2>&1 &&
			break
		sleep 0.2
	done
	ip netns exec "$in" ping -c 10 -i 2 "10.99.$k.1" >/dev/null 2>&1 ||
		log "$name: no ping through the tunnel"
	sleep 15
}

scenario_vpn_openvpn_tcp443()
{
	local ovpn_proto=tcp ovpn_port=443
	local ovpn_server_proto=tcp-server ovpn_client_proto=tcp-client

	openvpn_scenario "$1" "$2"
}

scenario_vpn_openvpn_udp()
{
	local ovpn_proto=udp ovpn_port=1194
	local ovpn_server_proto=udp ovpn_client_proto=udp

	openvpn_scenario "$1" "$2"
}

# WireGuard between the namespaces (wireguard-tools, kernel module); the
# inside peer pings through it. wg_port picks the outside peer's port.
wireguard_scenario()
{
	record "$1" "$2" "$SNAP_WHOLE" wireguard_servers wireguard_traffic
}

# wg_link NS DEV: a WireGuard interface, the kernel's or (without the
# module) wireguard-go's in the foreground, in the background.
wg_link()
{
	local ns=$1 dev=$2 i

	ip -n "$ns" link add "$dev" type wireguard 2>/dev/null && return 0
	ip netns exec "$ns" env WG_PROCESS_FOREGROUND=1 wireguard-go "$dev" \
		>"$WORK_DIR/$dev.log" 2>&1 &
	for i in $(seq 1 50); do
		ip -n "$ns" link show "$dev" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	die "$name: no WireGuard interface $dev"
}

wireguard_servers()
{
	local d="$WORK_DIR/wg.$name"

	mkdir -p "$d"
	chmod 0700 "$d"
	wg genkey >"$d/out.key"
	wg pubkey <"$d/out.key" >"$d/out.pub"
	wg genkey >"$d/in.key"
	wg pubkey <"$d/in.key" >"$d/in.pub"
	wg_link "$out" wgo$k
	ip netns exec "$out" wg set wgo$k listen-port "$wg_port" \
		private-key "$d/out.key" peer "$(cat "$d/in.pub")" \
		allowed-ips 10.98.$k.2/32
	ip -n "$out" addr add 10.98.$k.1/24 dev wgo$k
	ip -n "$out" link set wgo$k up
}

wireguard_traffic()
{
	local d="$WORK_DIR/wg.$name"

	log "$name: wireguard 10.20.$k.2 -> 10.20.$k.1:$wg_port, pings inside"
	wg_link "$in" wgi$k
	ip netns exec "$in" wg set wgi$k private-key "$d/in.key" \
		peer "$(cat "$d/out.pub")" allowed-ips 10.98.$k.0/24 \
		endpoint "10.20.$k.1:$wg_port" persistent-keepalive 25
	ip -n "$in" addr add 10.98.$k.2/24 dev wgi$k
	ip -n "$in" link set wgi$k up
	ip netns exec "$in" ping -c 10 -i 1 "10.98.$k.1" >/dev/null 2>&1 ||
		log "$name: no ping through the tunnel"
}

scenario_vpn_wireguard()
{
	local wg_port=51820

	wireguard_scenario "$1" "$2"
}

# An admin's WireGuard to the organisation's gateway: benign with
# tests/traces/vpn_gateway.cfg (tunnel.vpn_gateways lists 10.20.k.1),
# a VPN like any other without it.
scenario_benign_vpn_gateway()
{
	local wg_port=51820

	wireguard_scenario "$1" "$2"
}

# obfs4proxy (a fully encrypted pluggable transport) carries curl
# requests: one new obfs4 connection per request every 8-14 s.
scenario_hidden_obfs4_curl()
{
	record "$1" "$2" "$SNAP_WHOLE" obfs4_servers obfs4_traffic
}

obfs4_servers()
{
	local d="$WORK_DIR/obfs4.$name" docroot="$WORK_DIR/docroot.$name" i

	mkdir -p "$d/server" "$d/client"
	make_docroot "$docroot"
	(cd "$docroot" && exec ip netns exec "$out" "$(python_bin)" \
		-m http.server 8080 --bind 127.0.0.1 \
		>"$WORK_DIR/$name.http.log" 2>&1) &
	ip netns exec "$out" env TOR_PT_MANAGED_TRANSPORT_VER=1 \
		TOR_PT_STATE_LOCATION="$d/server" \
		TOR_PT_SERVER_TRANSPORTS=obfs4 \
		TOR_PT_SERVER_BINDADDR="obfs4-10.20.$k.1:9443" \
		TOR_PT_ORPORT=127.0.0.1:8080 \
		obfs4proxy -enableLogging >"$d/server.out" 2>&1 &
	for i in $(seq 1 50); do
		[ -s "$d/server/obfs4_bridgeline.txt" ] && return 0
		sleep 0.1
	done
	die "$name: obfs4proxy server did not start"
}

obfs4_traffic()
{
	local d="$WORK_DIR/obfs4.$name" cert args socks i

	cert=$(sed -n 's/.*cert=\([^ ]*\).*/\1/p' \
		"$d/server/obfs4_bridgeline.txt" | tail -1)
	args="cert=$cert;iat-mode=0"
	(exec ip netns exec "$in" env TOR_PT_MANAGED_TRANSPORT_VER=1 \
		TOR_PT_STATE_LOCATION="$d/client" \
		TOR_PT_CLIENT_TRANSPORTS=obfs4 \
		obfs4proxy >"$d/client.out" 2>&1) &
	for i in $(seq 1 50); do
		socks=$(sed -n 's/^CMETHOD obfs4 socks5 //p' "$d/client.out")
		[ -n "$socks" ] && break
		sleep 0.1
	done
	[ -n "$socks" ] || die "$name: obfs4proxy client did not start"
	log "$name: curl via obfs4 $socks -> 10.20.$k.1:9443, every 8-14 s"
	RANDOM=4444
	for i in $(seq 1 6); do
		# SOCKS5 user and password together carry the bridge
		# arguments; the SOCKS target is the obfs4 server, which hands
		# the bytes to its ORPORT, the web server
		ip netns exec "$in" curl -s -o /dev/null --max-time 10 \
			--socks5 "$socks" --proxy-user "${args:0:16}:${args:16}" \
			"http://10.20.$k.1:9443/index.html" ||
			log "$name: GET failed"
		sleep_ms_between 8000 14000
	done
}

# ---------------------------------------------------------------- tunnels in TLS, HTTP bodies, WebSocket (issue 12)

# The frame of the three wrapped-SSH scenarios: sshd on the outside's
# loopback (reached only through the wrapper), the inside sshd the
# reverse tunnel leads back to, the wrapper's server ($wrap_server), then
# ssh -N -R with the wrapper's client as ProxyCommand ($wrap_proxy) and an
# operator outside typing back through the tunnel.
wrapped_ssh_servers()
{
	start_sshd "$out" 127.0.0.1 22
	start_sshd "$in" 127.0.0.1 22
	"$wrap_server"
	sleep 1
}

wrapped_ssh_traffic()
{
	log "$name: ssh -N -R via $wrap_proxy, operator types back"
	# shellcheck disable=SC2046
	ip netns exec "$in" ssh $(ssh_opts) -N -R 2222:127.0.0.1:22 \
		-o "ProxyCommand=$wrap_proxy" root@wrapped &
	sleep 5
	operator_types_back 70 380
	sleep 2
}

tls_cert()
{
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
		-nodes -days 2 -subj "/CN=$2" -keyout "$1.key" \
		-out "$1.crt" 2>/dev/null
}

# SSH inside TLS on 443: socat OPENSSL-LISTEN in front of sshd, socat
# OPENSSL as the client's ProxyCommand (TLS 1.3, OpenSSL's defaults).
scenario_hidden_ssh_in_tls()
{
	local wrap_server=socat_tls_server
	local wrap_proxy="socat - OPENSSL:10.20.$2.1:443,verify=0"

	ssh_record "$1" "$2" wrapped_ssh_servers wrapped_ssh_traffic
}

socat_tls_server()
{
	tls_cert "$WORK_DIR/tls.$name" www.example.com
	ip netns exec "$out" socat \
		"OPENSSL-LISTEN:443,bind=10.20.$k.1,reuseaddr,fork,cert=$WORK_DIR/tls.$name.crt,key=$WORK_DIR/tls.$name.key,verify=0${tls_max:+,max-version=$tls_max}" \
		TCP:127.0.0.1:22 2>/dev/null &
}

# An idle autossh tunnel through socat's TLS: keepalives only.
scenario_hidden_autossh_in_tls()
{
	local wrap_server=socat_tls_server
	local seconds=${TW_SSH_IDLE_SECONDS:-60}

	ssh_record "$1" "$2" wrapped_ssh_servers autossh_in_tls_traffic
}

autossh_in_tls_traffic()
{
	log "$name: autossh -M 0 -N -R via socat OPENSSL, idle ${seconds}s"
	autossh_tunnel -o "ProxyCommand=socat - OPENSSL:10.20.$k.1:443,verify=0" \
		-p 443
	sleep "$seconds"
}

# The same with TLS 1.2 (ECDHE-ECDSA-AES256-GCM-SHA384: 24 bytes per
# record, told by the congruences alone).
scenario_hidden_ssh_in_tls12()
{
	local wrap_server=socat_tls_server tls_max=TLS1.2
	local wrap_proxy="socat - OPENSSL:10.20.$2.1:443,verify=0"

	ssh_record "$1" "$2" wrapped_ssh_servers wrapped_ssh_traffic
}

# SSH over httptunnel: hts on 80 forwards to sshd; htc -s is the
# ProxyCommand (one POST carries the client's bytes, one GET's answer
# the server's).
scenario_hidden_ssh_httptunnel()
{
	local wrap_server=hts_server
	local wrap_proxy="htc -s 10.20.$2.1:80"

	ssh_record "$1" "$2" wrapped_ssh_servers wrapped_ssh_traffic
}

hts_server()
{
	ip netns exec "$out" hts -w -F 127.0.0.1:22 "10.20.$k.1:80" \
		>/dev/null 2>&1 &
}

# SSH over a WebSocket on port 80 (websocat is not in Debian 12: our own
# RFC 6455 client and bridge, binary frames as websocat sends them).
scenario_hidden_ssh_websocket()
{
	local wrap_server=ws_bridge_server
	local wrap_proxy="$(python_bin) $SCRIPT_DIR/tw_websocket.py client 10.20.$2.1 80 /ssh"

	ssh_record "$1" "$2" wrapped_ssh_servers wrapped_ssh_traffic
}

ws_bridge_server()
{
	ip netns exec "$out" "$(python_bin)" "$SCRIPT_DIR/tw_websocket.py" \
		bridge "10.20.$k.1" 80 127.0.0.1 22 >/dev/null 2>&1 &
}

# An HTTPS web server (HTTP/1.1 keep-alive over TLS 1.3) on 443 with a
# page, its resources and a 150 kB file.
https_server()
{
	local docroot="$WORK_DIR/docroot.$name" i

	make_docroot "$docroot"
	head -c 4000 /dev/urandom | base64 >"$docroot/app.js"
	head -c 9000 /dev/urandom | base64 >"$docroot/style.css"
	head -c 8000 /dev/urandom >"$docroot/logo.png"
	head -c 153600 /dev/urandom >"$docroot/big.bin"
	tls_cert "$WORK_DIR/tls.$name" www.example.com
	ip netns exec "$out" "$(python_bin)" "$SCRIPT_DIR/tw_https.py" \
		"10.20.$k.1" 443 "$docroot" "$WORK_DIR/tls.$name.crt" \
		"$WORK_DIR/tls.$name.key" >/dev/null 2>&1 &
	for i in $(seq 1 50); do
		ip netns exec "$out" ss -ltn | grep -q "10.20.$k.1:443 " &&
			return 0
		sleep 0.1
	done
	die "$name: https server did not start"
}

scenario_benign_https_browsing()
{
	record "$1" "$2" "$SNAP_WHOLE" https_server https_browsing_traffic
}

https_browsing_traffic()
{
	local u="https://10.20.$k.1" gap

	log "$name: curl fetches pages over HTTPS keep-alive, irregular gaps"
	for gap in 2.3 6.1 0.8 4.4 0; do
		ip netns exec "$in" curl -sk -o /dev/null -o /dev/null \
			-o /dev/null -o /dev/null --rate 4/s --max-time 10 \
			"$u/index.html" "$u/style.css" "$u/app.js" "$u/logo.png" ||
			log "$name: fetch failed"
		sleep "$gap"
	done
}

scenario_benign_tls_download()
{
	record "$1" "$2" "$SNAP_WHOLE" https_server tls_download_traffic
}

tls_download_traffic()
{
	log "$name: curl downloads 150 kB over HTTPS at 10 kB/s"
	ip netns exec "$in" curl -sk -o /dev/null --limit-rate 10k \
		--max-time 40 "https://10.20.$k.1/big.bin" ||
		log "$name: download failed"
}

scenario_benign_websocket_chat()
{
	record "$1" "$2" "$SNAP_WHOLE" ws_chat_server ws_chat_traffic
}

ws_chat_server()
{
	ip netns exec "$out" "$(python_bin)" "$SCRIPT_DIR/tw_websocket.py" \
		chat-server "10.20.$k.1" 80 >"$WORK_DIR/$name.chat.log" 2>&1 &
	sleep 1.5
}

ws_chat_traffic()
{
	log "$name: WebSocket chat to ws://10.20.$k.1/ for 60 s"
	ip netns exec "$in" timeout 90 "$(python_bin)" \
		"$SCRIPT_DIR/tw_websocket.py" chat-client "ws://10.20.$k.1/chat" \
		60 "$k" || log "$name: chat client failed"
}

# ---------------------------------------------------------------- main

usage()
{
	sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'
}

list_scenarios()
{
	local s name k summary

	for s in "${SCENARIOS[@]}"; do
		read -r name k summary <<<"$s"
		printf '%-26s 10.20.%s.2 -> 10.20.%s.1  %s\n' \
			"$name" "$k" "$k" "$summary"
	done
}

scenario_k()
{
	local s name k summary

	for s in "${SCENARIOS[@]}"; do
		read -r name k summary <<<"$s"
		[ "$name" = "$1" ] && { echo "$k"; return 0; }
	done
	return 1
}

main()
{
	local opt names=() name k

	while getopts "lo:h" opt; do
		case "$opt" in
		l) list_scenarios; return 0 ;;
		o) OUT_DIR=$OPTARG ;;
		h) usage; return 0 ;;
		*) usage >&2; return 2 ;;
		esac
	done
	shift $((OPTIND - 1))
	names=("$@")
	if [ ${#names[@]} -eq 0 ]; then
		for name in "${SCENARIOS[@]}"; do
			names+=("${name%% *}")
		done
	fi
	for name in "${names[@]}"; do
		scenario_k "$name" >/dev/null ||
			die "unknown scenario '$name' (try -l)"
	done

	[ "$(id -u)" -eq 0 ] || die "must run as root (network namespaces)"
	ensure_packages
	mkdir -p "$OUT_DIR"
	OUT_DIR=$(cd "$OUT_DIR" && pwd)
	WORK_DIR=$(mktemp -d /tmp/tw-traces.XXXXXX)
	trap cleanup EXIT
	trap 'exit 130' INT TERM

	for name in "${names[@]}"; do
		k=$(scenario_k "$name")
		log "recording $name (10.20.$k.0/24)"
		"scenario_$name" "$name" "$k"
	done
}

main "$@"
