#!/usr/bin/env bash
# make-traces.sh: record tunnelwatch's own test traces with real programs.
#
# Every scenario builds its own pair of network namespaces joined by a veth
# pair:  tw-out-<name> (the "outside" host, 10.20.<k>.1) and tw-in-<name>
# (the "inside" host, 10.20.<k>.2).  Traffic never leaves those two
# namespaces.  tcpdump taps the inside veth with a 256-byte snaplen (headers
# kept, payload trimmed) and is stopped before the programs are, so flows
# that should look "still open" are still open in the trace.
#
# Usage: scripts/make-traces.sh [-o DIR] [-l] [SCENARIO ...]
#   -l       list scenarios and exit
#   -o DIR   write pcaps into DIR (default: tests/traces beside this script)
# Without SCENARIO all scenarios run, one after the other.  Scenarios use
# distinct namespaces and subnets, so several invocations may run at once.
#
# Adding a scenario: write scenario_<name>() and add "<name> <k> <summary>"
# to SCENARIOS below (k = third octet of its subnet, unique).
#
# Runs as root.  Timings can be shortened for a smoke test with
# TW_TRICKLE_SECONDS / TW_TRICKLE_PERIOD (do not commit such traces).

set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly SCRIPT_DIR
OUT_DIR="$SCRIPT_DIR/../tests/traces"

# name k summary
readonly SCENARIOS=(
	"flow_longlived_trickle 1 one TCP connection to port 4444, a few random bytes every ~30 s, open when the capture stops (>=660 s)"
	"flow_beacon_curl 2 curl GET every 5 s +-1 s to an http.server, 30 new connections"
	"benign_http_download 3 curl downloads a 200 kB file 4 times within ~10 s"
	"benign_interactive_burst 4 a few HTTP request/response exchanges on port 80 with irregular gaps over ~20 s"
)

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
		[autossh]=autossh [ethtool]=ethtool
	)
	local missing=() cmd

	for cmd in "${!need[@]}"; do
		if ! command -v "$cmd" >/dev/null 2>&1 &&
		   ! [ -x "/usr/sbin/$cmd" ]; then
			missing+=("${need[$cmd]}")
		fi
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

capture_start()
{
	local name=$1 k=$2 err="$WORK_DIR/$1.tcpdump.err" i

	CAP_FILE="$WORK_DIR/$name.pcap"
	ip netns exec "$(ns_in "$name")" tcpdump -i "twi$k" -s 256 -U \
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
	setup_topology "$name" "$k"

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
	ip netns exec "$(ns_out "$name")" timeout $((seconds + 120)) \
		socat "TCP-LISTEN:4444,bind=10.20.$k.1,reuseaddr" \
		EXEC:"bash $WORK_DIR/$name.answer.sh" &
	srv=$!
	sleep 0.5

	capture_start "$name" "$k"
	log "$name: 10.20.$k.2 -> 10.20.$k.1:4444, every ${period}s, ${seconds}s"
	ip netns exec "$(ns_in "$name")" timeout $((seconds + 120)) \
		socat -T 900 EXEC:"bash $WORK_DIR/$name.talk.sh" \
		"TCP:10.20.$k.1:4444" &
	cli=$!

	sleep "$seconds"
	kill -0 "$cli" 2>/dev/null || die "$name: connection closed too early"
	ip netns exec "$(ns_in "$name")" ss -tn state established |
		grep -q ":4444" || die "$name: connection not established"
	capture_stop
	teardown_topology "$name"
	wait "$cli" "$srv" 2>/dev/null || true
	capture_publish "$name"
}

# curl GET of a tiny file every 5 s with uniform +-1 s jitter, 30 times,
# each a new TCP connection.
scenario_flow_beacon_curl()
{
	local name=$1 k=$2 i

	setup_topology "$name" "$k"
	make_docroot "$WORK_DIR/$name.www"
	start_http_server "$name" "$k" "$WORK_DIR/$name.www"
	capture_start "$name" "$k"
	log "$name: 10.20.$k.2 GET http://10.20.$k.1/ping.txt x30, 5 s +-1 s"
	RANDOM=2002
	for ((i = 1; i <= 30; i++)); do
		ip netns exec "$(ns_in "$name")" curl -s -o /dev/null \
			--max-time 3 -A "Mozilla/5.0" \
			"http://10.20.$k.1/ping.txt" ||
			log "$name: GET $i failed"
		if [ "$i" -lt 30 ]; then
			sleep_ms_between 4000 6000
		fi
	done
	capture_stop
	teardown_topology "$name"
	capture_publish "$name"
}

# An ordinary burst: the same ~200 kB file fetched 4 times within ~10 s.
scenario_benign_http_download()
{
	local name=$1 k=$2 gap

	setup_topology "$name" "$k"
	make_docroot "$WORK_DIR/$name.www"
	start_http_server "$name" "$k" "$WORK_DIR/$name.www"
	capture_start "$name" "$k"
	log "$name: 10.20.$k.2 downloads http://10.20.$k.1/update.bin x4"
	for gap in 0.4 4.7 3.9 0; do
		ip netns exec "$(ns_in "$name")" curl -s -o /dev/null \
			--max-time 5 "http://10.20.$k.1/update.bin" ||
			log "$name: download failed"
		sleep "$gap"
	done
	capture_stop
	teardown_topology "$name"
	capture_publish "$name"
}

# A person browsing: short request/response pairs with irregular gaps,
# sometimes two requests close together, over ~20 s.
scenario_benign_interactive_burst()
{
	local name=$1 k=$2 gap path

	setup_topology "$name" "$k"
	make_docroot "$WORK_DIR/$name.www"
	start_http_server "$name" "$k" "$WORK_DIR/$name.www"
	capture_start "$name" "$k"
	log "$name: 10.20.$k.2 browses http://10.20.$k.1/ with irregular gaps"
	for gap in 0.3 6.5 0.2 0.9 8.1 2.4 0; do
		case "$gap" in
		0.2|8.1) path=ping.txt ;;
		*) path=index.html ;;
		esac
		ip netns exec "$(ns_in "$name")" curl -s -o /dev/null \
			--max-time 3 "http://10.20.$k.1/$path" ||
			log "$name: GET failed"
		sleep "$gap"
	done
	capture_stop
	teardown_topology "$name"
	capture_publish "$name"
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
