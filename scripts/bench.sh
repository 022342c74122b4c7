#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Offline-engine benchmark: tunnelwatch against a libpcap read floor and
# against nDPI's ndpiReader, all on the same trace in one run, so that the
# figures worth quoting are the ratios, not the absolute numbers.
#
# Usage:
#   scripts/bench.sh [TRACE]   bench TRACE (default /tmp/egress.pcap,
#                              generated first if absent)
#   scripts/bench.sh --gen     (re)generate /tmp/egress.pcap only
#   scripts/bench.sh --live-only [TRACE]   the live rows alone
#
# Live rows (root, DPDK build): the appliance replaying the trace from
# memory on a net_pcap port, 1 and 2 workers; see bench_live below.
#
# Rows: pcap_floor (pcap_next_ex + sum of lengths), tunnelwatch with 1 and 2
# workers (--json > /dev/null), ndpiReader (summary to a scratch file, so its
# packet count can be checked). Each tool runs BENCH_REPEATS times (default
# 3), round-robin so that a noisy neighbour hurts every row alike; a row
# reports its best (lowest) wall time and the highest peak RSS seen.
# Packet and byte counts for every row come from pcap_floor; bytes are the
# frames' wire lengths (no pcap record headers).
#
# Environment: BENCH_REPEATS (3), BENCH_TIMEOUT seconds per run (600),
# TUNNELWATCH (build/tunnelwatch), BENCH_BASELINE (another tunnelwatch
# binary, e.g. main's built in build-main/: row baseline_1w on the same
# trace in the same rounds, and the ratio tunnelwatch_1w/baseline_1w),
# BENCH_VXLAN (1: row tunnelwatch_vxlan_1w on TRACE wrapped frame by frame
# in VXLAN by tests/tools/fabric_wrap.py, written once beside it as
# TRACE.vxlan.pcap; 0: no such row).
#
# Exit status: 0 when every row ran; 1 when a row is missing or failed (the
# table is still printed), or on a setup error.
set -euo pipefail
# A comma decimal separator would break the awk arithmetic on timestamps.
export LC_ALL=C

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SHARED_DIR="$REPO_ROOT/../shared"
# A build-tree binary finds the source tree's patterns only through this
# (its built-in default is the installed datadir).
export TUNNELWATCH_PATTERNS_DIR=${TUNNELWATCH_PATTERNS_DIR:-$REPO_ROOT/patterns}
GENERATOR="$SHARED_DIR/bench/gen_egress_pcap.py"
DEFAULT_TRACE=/tmp/egress.pcap
BUILD_DIR="$REPO_ROOT/build"
FLOOR_SRC="$REPO_ROOT/bench/pcap_floor.c"
TW_BIN=${TUNNELWATCH:-$BUILD_DIR/tunnelwatch}
REPEATS=${BENCH_REPEATS:-3}
RUN_TIMEOUT=${BENCH_TIMEOUT:-600}
GNU_TIME=/usr/bin/time

BASELINE_BIN=${BENCH_BASELINE:-}
WANT_VXLAN=${BENCH_VXLAN:-1}
VXLAN_TRACE=""
WRAPPER="$REPO_ROOT/tests/tools/fabric_wrap.py"

ROWS=(pcap_floor tunnelwatch_1w tunnelwatch_2w ndpireader)
declare -A STATUS WALL RSS_KIB
CMD=()
CMD_OUT=/dev/null
TRACE_PACKETS=""
TRACE_BYTES=""
SCRATCH=""
FLOOR_BIN=""

log() { printf 'bench: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

cleanup() { [[ -n "$SCRATCH" ]] && rm -rf -- "$SCRATCH"; }

# ---------------------------------------------------------------- setup

ensure_packages() {
	local missing=()

	[[ -x "$GNU_TIME" ]] || missing+=(time)
	command -v ndpiReader >/dev/null || missing+=(libndpi-bin)
	dpkg -s libpcap-dev >/dev/null 2>&1 || missing+=(libpcap-dev)
	command -v cc >/dev/null || missing+=(gcc)
	((${#missing[@]} == 0)) && return 0

	log "installing ${missing[*]}"
	local sudo=()
	((EUID == 0)) || sudo=(sudo)
	"${sudo[@]}" apt-get update -qq ||
		die "apt-get update failed"
	DEBIAN_FRONTEND=noninteractive "${sudo[@]}" \
		apt-get install -y -qq "${missing[@]}" ||
		die "apt-get install ${missing[*]} failed"
}

generate_trace() {
	local out=$1 t0 t1

	[[ -d "$SHARED_DIR" ]] ||
		die "$SHARED_DIR is missing: the trace generator lives in ../shared/bench next to the repository"
	[[ -f "$GENERATOR" ]] || die "$GENERATOR is missing"
	log "generating $out (256 MB, seed 1)"
	t0=$EPOCHREALTIME
	python3 "$GENERATOR" --out "$out" --size-mb 256 --seed 1 ||
		die "trace generator failed"
	t1=$EPOCHREALTIME
	log "generated $out in $(awk -v a="$t0" -v b="$t1" \
		'BEGIN { printf "%.1f", b - a }') s"
}

# Prefer a floor that meson built; otherwise build our own next to it, and
# rebuild it when the source is newer.
prepare_floor() {
	local candidate

	for candidate in "$BUILD_DIR/bench/pcap_floor" "$BUILD_DIR/pcap_floor"; do
		if [[ -x "$candidate" && ! "$FLOOR_SRC" -nt "$candidate" ]]; then
			FLOOR_BIN=$candidate
			return 0
		fi
	done
	mkdir -p "$BUILD_DIR"
	log "building $BUILD_DIR/pcap_floor"
	cc -O2 "$FLOOR_SRC" -lpcap -o "$BUILD_DIR/pcap_floor" ||
		die "cannot build pcap_floor"
	FLOOR_BIN=$BUILD_DIR/pcap_floor
}

# Reads the trace once so that no row pays for a cold page cache, and takes
# the packet and byte counts every row is measured against.
count_trace() {
	local trace=$1 out

	cat -- "$trace" >/dev/null
	out=$("$FLOOR_BIN" "$trace") || die "pcap_floor cannot read $trace"
	TRACE_PACKETS=$(sed -n 's/.*packets=\([0-9]*\).*/\1/p' <<<"$out")
	TRACE_BYTES=$(sed -n 's/.* bytes=\([0-9]*\).*/\1/p' <<<"$out")
	[[ -n "$TRACE_PACKETS" && -n "$TRACE_BYTES" ]] ||
		die "unexpected pcap_floor output: $out"
	((TRACE_PACKETS > 0)) || die "$trace holds no packets"
}

# ---------------------------------------------------------------- runs

# Sets CMD (the command to time) and CMD_OUT (where its stdout goes) for a
# row. GNU time runs CMD itself, so %M is the tool's RSS and not a shell's.
set_row_command() {
	local row=$1 trace=$2

	CMD_OUT=/dev/null
	case "$row" in
	pcap_floor) CMD=("$FLOOR_BIN" "$trace") ;;
	tunnelwatch_1w) CMD=("$TW_BIN" --read "$trace" --workers 1 --json) ;;
	tunnelwatch_2w) CMD=("$TW_BIN" --read "$trace" --workers 2 --json) ;;
	baseline_1w) CMD=("$BASELINE_BIN" --read "$trace" --workers 1 --json) ;;
	tunnelwatch_vxlan_1w)
		CMD=("$TW_BIN" --read "$VXLAN_TRACE" --workers 1 --json) ;;
	ndpireader)
		# Without -q ndpiReader prints only a ~6 KB summary (the
		# per-flow list needs -v), and that summary holds the packet
		# count we check; -q prints nothing at all.
		CMD=(ndpiReader -i "$trace")
		CMD_OUT=$SCRATCH/ndpi.out
		;;
	*) die "unknown row $row" ;;
	esac
}

# Packets ndpiReader says it read ("IP packets: N of M packets total").
ndpi_packets_seen() {
	sed -n 's/.*IP packets:.* of *\([0-9]*\) packets total.*/\1/p' \
		"$SCRATCH/ndpi.out"
}

# Rejects a run that did not read the whole trace; only ndpiReader says how
# much it read in what we time.
check_run_output() {
	local row=$1 seen

	[[ "$row" == ndpireader ]] || return 0
	seen=$(ndpi_packets_seen)
	if [[ "$seen" != "$TRACE_PACKETS" ]]; then
		log "ndpireader read ${seen:-no} packets, pcap_floor $TRACE_PACKETS"
		return 1
	fi
}

# One timed run of a row; records the best wall time and the highest RSS.
# Wall time comes from bash's microsecond clock around GNU time, because
# time's %e has only 10 ms resolution and the floor takes ~0.1 s; GNU time
# gives the peak RSS (%M, KiB) of the tool itself.
measure_once() {
	local row=$1 trace=$2 t0 t1 wall rss rc=0

	set_row_command "$row" "$trace"
	t0=$EPOCHREALTIME
	timeout "$RUN_TIMEOUT" "$GNU_TIME" -f '%M' -o "$SCRATCH/time.out" \
		"${CMD[@]}" >"$CMD_OUT" 2>"$SCRATCH/stderr.out" || rc=$?
	t1=$EPOCHREALTIME
	if ((rc != 0)); then
		((rc == 124)) && STATUS[$row]=timeout || STATUS[$row]=failed
		log "$row exited $rc; its stderr ends with:"
		tail -n 5 "$SCRATCH/stderr.out" >&2 || true
		return 0
	fi
	if ! check_run_output "$row"; then
		STATUS[$row]=short
		return 0
	fi
	wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f", b - a }')
	rss=$(tail -n 1 "$SCRATCH/time.out")
	if [[ -z "${WALL[$row]:-}" ]] ||
		awk -v n="$wall" -v o="${WALL[$row]}" 'BEGIN { exit !(n < o) }'; then
		WALL[$row]=$wall
	fi
	if ((rss > ${RSS_KIB[$row]:-0})); then
		RSS_KIB[$row]=$rss
	fi
}

# tunnelwatch's rows need the binary; say so once and keep benching the rest.
mark_unavailable_rows() {
	if [[ ! -x "$TW_BIN" ]]; then
		log "$TW_BIN is missing: tunnelwatch rows marked 'missing'"
		STATUS[tunnelwatch_1w]=missing
		STATUS[tunnelwatch_2w]=missing
	fi
}

# tunnelwatch's timed runs go to /dev/null as the issue asks, so one more
# run per row, untimed, checks that its JSON counts every packet.
verify_tunnelwatch() {
	local trace=$1 row workers seen

	for row in tunnelwatch_1w tunnelwatch_2w; do
		[[ "${STATUS[$row]}" == ok ]] || continue
		workers=${row#tunnelwatch_}
		workers=${workers%w}
		"$TW_BIN" --read "$trace" --workers "$workers" --json \
			>"$SCRATCH/tw.json" 2>/dev/null || {
			STATUS[$row]=failed
			continue
		}
		seen=$(python3 -c 'import json, sys
print(json.load(open(sys.argv[1]))["stats"]["packets"])' \
			"$SCRATCH/tw.json" 2>/dev/null) || seen=""
		if [[ -z "$seen" ]]; then
			log "$row: no stats.packets in its JSON; count unchecked"
		elif [[ "$seen" != "$TRACE_PACKETS" ]]; then
			log "$row counted $seen packets, pcap_floor $TRACE_PACKETS"
			STATUS[$row]=short
		fi
	done
}

# The optional rows: main's binary on the same trace (A/B in one run)
# and tunnelwatch on the trace wrapped in VXLAN.
add_optional_rows() {
	local trace=$1

	if [[ -n "$BASELINE_BIN" ]]; then
		[[ -x "$BASELINE_BIN" ]] || die "BENCH_BASELINE=$BASELINE_BIN is not executable"
		ROWS+=(baseline_1w)
	fi
	[[ "$WANT_VXLAN" == 1 && -x "$TW_BIN" ]] || return 0
	VXLAN_TRACE=${trace%.pcap}.vxlan.pcap
	if [[ ! -f "$VXLAN_TRACE" || "$trace" -nt "$VXLAN_TRACE" ]]; then
		log "wrapping $trace in VXLAN -> $VXLAN_TRACE"
		python3 "$WRAPPER" --max-packets 5000000 "$trace" \
			"$VXLAN_TRACE.tmp" vxlan || die "fabric_wrap.py failed"
		mv -- "$VXLAN_TRACE.tmp" "$VXLAN_TRACE"
	fi
	cat -- "$VXLAN_TRACE" >/dev/null
	ROWS+=(tunnelwatch_vxlan_1w)
}

bench_all() {
	local trace=$1 round row

	for row in "${ROWS[@]}"; do
		STATUS[$row]=${STATUS[$row]:-ok}
	done
	for ((round = 1; round <= REPEATS; round++)); do
		log "round $round/$REPEATS"
		for row in "${ROWS[@]}"; do
			[[ "${STATUS[$row]}" == ok ]] || continue
			measure_once "$row" "$trace"
		done
	done
	verify_tunnelwatch "$trace"
}

# ---------------------------------------------------------------- report

# Prints "mpps gbit_s rss_mib" for a row, or dashes when it has no figures.
row_figures() {
	local row=$1

	if [[ "${STATUS[$row]}" != ok ]]; then
		echo "- - -"
		return 0
	fi
	awk -v p="$TRACE_PACKETS" -v b="$TRACE_BYTES" -v w="${WALL[$row]}" \
		-v r="${RSS_KIB[$row]}" 'BEGIN {
		printf "%.3f %.3f %.1f\n", p / w / 1e6, b * 8 / w / 1e9, r / 1024
	}'
}

# Throughput ratio num/den (same packets, so the inverse ratio of times).
ratio() {
	local num=$1 den=$2

	if [[ "${STATUS[$num]}" != ok || "${STATUS[$den]}" != ok ]]; then
		echo "n/a"
		return 0
	fi
	awk -v n="${WALL[$num]}" -v d="${WALL[$den]}" \
		'BEGIN { printf "%.2f\n", d / n }'
}

print_report() {
	local trace=$1 row mpps gbps rss wall vs

	printf '\ntrace %s: %s packets, %s bytes; best of %s runs\n\n' \
		"$trace" "$TRACE_PACKETS" "$TRACE_BYTES" "$REPEATS"
	printf '%-16s %-8s %9s %8s %8s %13s %9s\n' \
		tool status "wall s" Mpps Gbit/s "peak RSS MiB" "vs ndpi"
	for row in "${ROWS[@]}"; do
		read -r mpps gbps rss < <(row_figures "$row")
		wall=${WALL[$row]:--}
		[[ "${STATUS[$row]}" == ok ]] || wall=-
		[[ "$wall" == - ]] || wall=$(printf '%.3f' "$wall")
		vs=$(ratio "$row" ndpireader)
		printf '%-16s %-8s %9s %8s %8s %13s %9s\n' \
			"$row" "${STATUS[$row]}" "$wall" "$mpps" "$gbps" "$rss" "$vs"
	done
	printf '\nratios (throughput, same trace, this run)\n'
	printf '  %-34s %s\n' \
		"tunnelwatch 1w / ndpiReader" "$(ratio tunnelwatch_1w ndpireader)" \
		"tunnelwatch 2w / tunnelwatch 1w" "$(ratio tunnelwatch_2w tunnelwatch_1w)" \
		"pcap floor / tunnelwatch 1w" "$(ratio pcap_floor tunnelwatch_1w)"
	[[ -n "${STATUS[baseline_1w]:-}" ]] &&
		printf '  %-34s %s\n' "tunnelwatch 1w / baseline 1w" \
			"$(ratio tunnelwatch_1w baseline_1w)"
	[[ -n "${STATUS[tunnelwatch_vxlan_1w]:-}" ]] &&
		printf '  %-34s %s\n' "vxlan-wrapped 1w / plain 1w" \
			"$(ratio tunnelwatch_vxlan_1w tunnelwatch_1w)"
	print_tsv "$trace"
}

# The same figures for scripts: two tab-separated blocks, each with a header.
print_tsv() {
	local trace=$1 row mpps gbps rss wall

	printf '\n# tsv rows trace=%s packets=%s bytes=%s repeats=%s stat=best\n' \
		"$trace" "$TRACE_PACKETS" "$TRACE_BYTES" "$REPEATS"
	printf 'tool\tstatus\twall_s\tmpps\tgbit_s\tpeak_rss_mib\tvs_ndpireader\n'
	for row in "${ROWS[@]}"; do
		read -r mpps gbps rss < <(row_figures "$row")
		wall=-
		[[ "${STATUS[$row]}" == ok ]] && wall=${WALL[$row]}
		printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$row" "${STATUS[$row]}" \
			"$wall" "$mpps" "$gbps" "$rss" "$(ratio "$row" ndpireader)"
	done
	printf '# tsv ratios\n'
	printf 'ratio\tvalue\n'
	printf 'tunnelwatch_1w/ndpireader\t%s\n' "$(ratio tunnelwatch_1w ndpireader)"
	printf 'tunnelwatch_2w/tunnelwatch_1w\t%s\n' \
		"$(ratio tunnelwatch_2w tunnelwatch_1w)"
	printf 'pcap_floor/tunnelwatch_1w\t%s\n' "$(ratio pcap_floor tunnelwatch_1w)"
	if [[ -n "${STATUS[baseline_1w]:-}" ]]; then
		printf 'tunnelwatch_1w/baseline_1w\t%s\n' \
			"$(ratio tunnelwatch_1w baseline_1w)"
	fi
	if [[ -n "${STATUS[tunnelwatch_vxlan_1w]:-}" ]]; then
		printf 'tunnelwatch_vxlan_1w/tunnelwatch_1w\t%s\n' \
			"$(ratio tunnelwatch_vxlan_1w tunnelwatch_1w)"
	fi
}

all_rows_ok() {
	local row

	for row in "${ROWS[@]}"; do
		[[ "${STATUS[$row]}" == ok ]] || return 1
	done
}

# ---------------------------------------------------------------- live

# Live figure (issue 3): the appliance on a net_pcap port that replays the
# trace from memory (infinite_rx=1; the whole trace is loaded into mbufs
# at start) for BENCH_LIVE_SECONDS (10) after a 2 s warm-up, with 1 and
# 2 workers. Per worker: Mpps over the window, and ns per packet from the
# TSC time the worker spent on non-empty polls (busy_s in `stats`), so an
# idle moment does not count as packet cost; "cpu" from the CPU time the
# kernel gave the worker thread (fair on a shared machine, but counts idle
# spinning); "wall" is window/packets.
# With 2 workers the port has one queue: worker 0 also spreads packets by
# host pair (as offline). A replay from memory sees the same flows again
# and again (mostly known flows, retransmitted segments), so a third row,
# live_file_1w, reads the file once through net_pcap with file time: the
# offline run's work, fresh flows included; its Mpps is per busy second.
# BENCH_LIVE=0 skips it; it needs root and DPDK.
LIVE_ROWS=()
declare -A LIVE_FIG

write_live_probe() {
	cat >"$SCRATCH/live_probe.py" <<'PY'
# live_probe.py window SOCK WARM SECS PID: per-worker figures over a window
# live_probe.py file SOCK: one worker's figures once its file has ended
import json, os, socket, sys, time
mode, sock = sys.argv[1], sys.argv[2]
HZ = os.sysconf("SC_CLK_TCK")
def cpu(pid):
    """CPU seconds of each rte-worker-N thread (what it really ran)."""
    out = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{tid}/stat") as f:
            st = f.read()
        name = st[st.index("(") + 1:st.rindex(")")]
        if name.startswith("rte-worker-"):
            fields = st[st.rindex(")") + 2:].split()
            out[name] = (int(fields[11]) + int(fields[12])) / HZ
    return [out[k] for k in sorted(out, key=lambda n: int(n.split("-")[-1]))]
def stats():
    with socket.socket(socket.AF_UNIX) as s:
        s.settimeout(30); s.connect(sock); s.sendall(b"stats\n")
        buf = b""
        while not buf.endswith(b"\n"):
            c = s.recv(1 << 20)
            if not c: raise SystemExit("closed")
            buf += c
    return json.loads(buf)["stats"]["live"]["workers"]
def window(warm, secs, pid):
    time.sleep(warm)
    a, ca, t0 = stats(), cpu(pid), time.monotonic()
    time.sleep(secs)
    b, cb, t1 = stats(), cpu(pid), time.monotonic()
    wall = t1 - t0
    for i, (x, y) in enumerate(zip(a, b)):
        pk = y["packets"] - x["packets"]
        busy = y["busy_s"] - x["busy_s"]
        used = cb[i] - ca[i] if i < len(ca) and i < len(cb) else 0
        print(y["worker"], pk, "%.3f" % (pk / wall / 1e6),
              "%.1f" % (busy * 1e9 / pk if pk else 0),
              "%.1f" % (used * 1e9 / pk if pk else 0),
              "%.1f" % (wall * 1e9 / pk if pk else 0))
def whole_file():
    end = time.monotonic() + 600
    while time.monotonic() < end:
        try:
            w = stats()
            if all(x["input_ended"] for x in w):
                w = stats()[0]
                break
        except OSError:
            pass
        time.sleep(0.1)
    else:
        raise SystemExit("the file did not end")
    pk = w["packets"]
    print(0, pk, "%.3f" % (pk / w["busy_s"] / 1e6),
          "%.1f" % (w["busy_s"] * 1e9 / pk), "-", "-")
if mode == "window":
    window(float(sys.argv[3]), float(sys.argv[4]), sys.argv[5])
else:
    whole_file()
PY
}

live_run() {
	local trace=$1 workers=$2 secs=${BENCH_LIVE_SECONDS:-10} dir cfg pid
	local mbufs mem out row=live_${workers}w

	LIVE_ROWS+=("$row")
	dir=$SCRATCH/live$workers
	mkdir -p "$dir"
	mbufs=$((TRACE_PACKETS + TRACE_PACKETS / 4 + 32768))
	mem=$((mbufs * 8 / 1024 + 512)) # MB; infinite_rx holds the trace twice
	cfg=$dir/tw.cfg
	cat >"$cfg" <<EOF
dpdk = {
  ports = [ "net_pcap0,rx_pcap=$trace,infinite_rx=1" ];
  eal = [ "--no-huge", "-m", "$mem", "--no-pci", "--no-shconf",
          "--no-telemetry", "--file-prefix", "twbench$$",
          "--log-level=lib.eal:error" ];
  workers = $workers;
  mbufs = $mbufs;
  burst = 64;
};
control = { socket = "$dir/ctl.sock"; };
EOF
	"$TW_BIN" --config "$cfg" >"$dir/stderr" 2>&1 &
	pid=$!
	for _ in $(seq 1200); do
		[[ -S "$dir/ctl.sock" ]] && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if [[ ! -S "$dir/ctl.sock" ]]; then
		LIVE_FIG[$row]="failed: $(tail -n 1 "$dir/stderr")"
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
		return 0
	fi
	out=$(python3 "$SCRATCH/live_probe.py" window "$dir/ctl.sock" 2 \
		"$secs" "$pid") ||
		out=""
	kill -TERM "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	LIVE_FIG[$row]=${out:-failed: no stats}
}

# First pass of the trace (net_pcap rx_pcap, read once, file time): the
# same work as an offline run, fresh flows included; reports packets and
# ns per packet from the worker's busy TSC time once the file has ended.
live_first_pass() {
	local trace=$1 dir=$SCRATCH/livefirst pid out row=live_file_1w

	LIVE_ROWS+=("$row")
	mkdir -p "$dir"
	cat >"$dir/tw.cfg" <<EOF
dpdk = {
  ports = [ "net_pcap0,rx_pcap=$trace" ];
  eal = [ "--no-huge", "-m", "512", "--no-pci", "--no-shconf",
          "--no-telemetry", "--file-prefix", "twbenchf$$",
          "--log-level=lib.eal:error" ];
  workers = 1;
  mbufs = 32767;
  burst = 64;
};
control = { socket = "$dir/ctl.sock"; };
EOF
	"$TW_BIN" --config "$dir/tw.cfg" >"$dir/stderr" 2>&1 &
	pid=$!
	out=$(python3 "$SCRATCH/live_probe.py" file "$dir/ctl.sock") || out=""
	kill -TERM "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	LIVE_FIG[$row]=${out:-failed: $(tail -n 1 "$dir/stderr")}
}

bench_live() {
	local trace=$1

	[[ "${BENCH_LIVE:-1}" == 1 ]] || return 0
	if ((EUID != 0)); then
		log "live rows skipped: DPDK's EAL needs root here"
		return 0
	fi
	if "$TW_BIN" --config /dev/null 2>&1 | grep -q "built without DPDK"; then
		log "live rows skipped: $TW_BIN was built without DPDK"
		return 0
	fi
	write_live_probe
	log "live: net_pcap infinite_rx, ${BENCH_LIVE_SECONDS:-10} s per run"
	live_run "$trace" 1
	live_run "$trace" 2
	live_first_pass "$trace"
}

print_live_report() {
	local row w pk mpps ns cpuns wallns total

	((${#LIVE_ROWS[@]})) || return 0
	printf '\nlive: net_pcap infinite_rx=1 (whole trace in mbufs), %s s window\n' \
		"${BENCH_LIVE_SECONDS:-10}"
	printf '%-13s %-7s %12s %10s %12s %12s %12s\n' row worker packets Mpps \
		"ns/pkt busy" "ns/pkt cpu" "ns/pkt wall"
	for row in "${LIVE_ROWS[@]}"; do
		if [[ "${LIVE_FIG[$row]}" == failed* ]]; then
			printf '%-13s %s\n' "$row" "${LIVE_FIG[$row]}"
			continue
		fi
		total=0
		while read -r w pk mpps ns cpuns wallns; do
			printf '%-13s %-7s %12s %10s %12s %12s %12s\n' "$row" \
				"$w" "$pk" "$mpps" "$ns" "$cpuns" "$wallns"
			total=$(awk -v a="$total" -v b="$mpps" 'BEGIN { print a + b }')
		done <<<"${LIVE_FIG[$row]}"
		printf '%-13s %-7s %12s %10s\n' "$row" total - "$total"
	done
	printf '# tsv live\nrow\tworker\tpackets\tmpps\tns_per_pkt_busy\tns_per_pkt_cpu\tns_per_pkt_wall\n'
	for row in "${LIVE_ROWS[@]}"; do
		[[ "${LIVE_FIG[$row]}" == failed* ]] && continue
		while read -r w pk mpps ns cpuns wallns; do
			printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$row" "$w" \
				"$pk" "$mpps" "$ns" "$cpuns" "$wallns"
		done <<<"${LIVE_FIG[$row]}"
	done
}

# ---------------------------------------------------------------- main

usage() {
	echo "usage: scripts/bench.sh [--live-only] [TRACE] | --gen" >&2
	exit 1
}

main() {
	local trace live_only=0

	if [[ "${1:-}" == --live-only ]]; then
		live_only=1
		shift
	fi
	case "${1:-}" in
	--gen)
		(($# == 1)) || usage
		ensure_packages
		generate_trace "$DEFAULT_TRACE"
		return 0
		;;
	-h | --help) usage ;;
	-*) usage ;;
	esac
	(($# <= 1)) || usage
	[[ "$REPEATS" =~ ^[1-9][0-9]*$ ]] || die "BENCH_REPEATS must be >= 1"

	ensure_packages
	trace=${1:-$DEFAULT_TRACE}
	if [[ ! -f "$trace" ]]; then
		[[ "$trace" == "$DEFAULT_TRACE" ]] || die "$trace: no such file"
		generate_trace "$trace"
	fi
	prepare_floor
	SCRATCH=$(mktemp -d /tmp/tw-bench.XXXXXX)
	trap cleanup EXIT
	count_trace "$trace"
	if ((live_only)); then
		bench_live "$trace"
		print_live_report
		return 0
	fi
	mark_unavailable_rows
	add_optional_rows "$trace"
	bench_all "$trace"
	bench_live "$trace"
	print_report "$trace"
	print_live_report
	all_rows_ok
}

main "$@"
