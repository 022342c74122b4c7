#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Builds the libFuzzer targets (tests/fuzz/*.c) with clang's fuzzer,
# address and undefined-behaviour sanitizers and runs each for a bounded
# time on a seed corpus cut from tests/traces (tests/fuzz/make_seeds.py).
# Exit status non-zero on a build failure or a crash.
#
#   scripts/fuzz.sh                 # every target, 15 s each
#   FUZZ_SECONDS=300 scripts/fuzz.sh fuzz_dns
#   FUZZ_DIR=/tmp/fz scripts/fuzz.sh     (build dir, default build-fuzz)
#
# Targets and the sources they cover:
#   fuzz_dns      analyzers/common/dns_parse.c, analyzers/dns_tunnel/dns_label.c
#   fuzz_icmp     analyzers/icmp/icmp_payload.c
#   fuzz_ssh      analyzers/ssh/ssh_wire.c (banner and KEXINIT parser)
#   fuzz_tls      analyzers/common/tls_parse.c (ClientHello)
#   fuzz_frames   analyzers/common/frame_dec.c (WebSocket, httptunnel framing),
#                 the SSH-in-TLS verdict of tls_inner.c
#   fuzz_jsonrpc  analyzers/stratum/jsonrpc_scan.c, analyzers/stratum/mining_methods.c
#                 (the JSON-RPC / Stratum path of stratum.c)
#   fuzz_packets  the whole packet path: decode, flow table, TCP
#                 reassembly, Hyperscan, every analyzer (one input = a
#                 short packet sequence)
#   fuzz_pcap     capture/pcap_classic.c, capture/source_pcap.c (pcap,
#                 pcapng through libpcap)
#   fuzz_config   config*.c on libconfig
#   fuzz_ctl      control/ctl_cmds.c (the control socket's commands)
# The last four link the engine (meson.build's layer_sources and the
# analyzers' folders), built once per run into $dir/core.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
dir=${FUZZ_DIR:-$root/build-fuzz}
secs=${FUZZ_SECONDS:-15}
cc=${CLANG:-clang}
jobs=${FUZZ_BUILD_JOBS:-2}

all=(fuzz_dns fuzz_icmp fuzz_ssh fuzz_tls fuzz_frames fuzz_jsonrpc fuzz_packets fuzz_pcap
	fuzz_config fuzz_ctl)
declare -A sources=(
	[fuzz_dns]="dataplane/analyzers/common/dns_parse.c dataplane/analyzers/dns_tunnel/dns_label.c"
	[fuzz_icmp]="dataplane/analyzers/icmp/icmp_payload.c"
	[fuzz_ssh]="dataplane/analyzers/ssh/ssh_wire.c"
	[fuzz_tls]="dataplane/analyzers/common/tls_parse.c"
	[fuzz_frames]="@core"
	[fuzz_jsonrpc]="dataplane/analyzers/stratum/jsonrpc_scan.c dataplane/analyzers/stratum/mining_methods.c"
	[fuzz_packets]="@core"
	[fuzz_pcap]="@core"
	[fuzz_config]="@core"
	[fuzz_ctl]="@core dataplane/control/ctl_cmds.c dataplane/control/ctl_socket.c dataplane/control/ctl_listen.c"
)
# -max_len per target: a DNS message or ICMP payload fits 4096; a packet
# sequence or a trace needs more
declare -A max_len=([fuzz_packets]=16384 [fuzz_pcap]=65536 [fuzz_config]=32768)

if ! command -v "$cc" >/dev/null; then
	echo "fuzz: $cc not found (Debian: apt-get install clang)" >&2
	exit 1
fi

targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=("${all[@]}")

cflags=(-std=c11 -D_GNU_SOURCE -g -O1 -I"$root/dataplane" -I"$dir/core/gen"
	-DTW_PATTERNS_DIR="\"$root/patterns\""
	$(pkg-config --cflags libhs jansson libpsl)
	-fno-sanitize-recover=all)
libs=($(pkg-config --libs libhs libconfig libpcap jansson libcrypto libpsl)
	-lstdc++ -lm -lpthread)

# The analyzers as dataplane/analyzers/meson.build lists them (the
# registry, in dispatch order), and their sources: that file's own and
# each analyzer folder's meson.build.
an=dataplane/analyzers
analyzer_names() {
	sed -n '/^analyzers = \[/,/^\]/p' "$root/$an/meson.build" |
		grep -o "'[a-z0-9_]*'" | tr -d "'"
}
analyzer_sources() {
	local d
	for d in . $(analyzer_names); do
		grep -o "'[^']*\.c'" "$root/$an/$d/meson.build" | tr -d "'" |
			sed "s#^#$an/$d/#; s#/\./#/#"
	done
}

# The engine's sources as meson.build lists them (every layer), compiled once for the
# targets that drive it (fuzzer coverage, sanitizers, no libFuzzer main).
build_core() {
	local objs=() src obj stamp
	mkdir -p "$dir/core/gen/analyzers"
	# analyzers/analyzer_list.h, as meson generates it for registry.c
	analyzer_names | sed 's/.*/TW_ANALYZER(&)/' >"$dir/core/gen/analyzers/analyzer_list.h"
	# any source or header changed: rebuild it all (struct layouts)
	stamp=$(cat "$root"/dataplane/*.[ch] "$root"/dataplane/*/*.[ch] "$root"/dataplane/*/*/*.[ch] \
		"$dir/core/gen/analyzers/analyzer_list.h" | sha256sum)
	if [ "$(cat "$dir/core/stamp" 2>/dev/null)" != "$stamp" ]; then
		rm -f "$dir"/core/*.o
		echo "$stamp" >"$dir/core/stamp"
	fi
	mapfile -t core < <(sed -n '/^layer_sources = {/,/^}/p' "$root/meson.build" |
		grep -o "'dataplane/[^']*\.c'" | tr -d "'"; analyzer_sources)
	for src in "${core[@]}"; do
		obj="$dir/core/$(echo "$src" | tr / _).o"
		objs+=("$obj")
		if [ ! -e "$obj" ]; then
			"$cc" "${cflags[@]}" -fsanitize=fuzzer-no-link,address,undefined \
				-c "$root/$src" -o "$obj" &
			while [ "$(jobs -r | wc -l)" -ge "$jobs" ]; do wait -n; done
		fi
	done
	wait
	rm -f "$dir/core/libcore.a"
	ar rcs "$dir/core/libcore.a" "${objs[@]}"
}

core_built=0
mkdir -p "$dir"
python3 "$root/tests/fuzz/make_seeds.py" --traces "$root/tests/traces" \
	--config "$root/config" --out "$dir/seeds" "${targets[@]}"
for t in "${targets[@]}"; do
	[ -n "${sources[$t]:-}" ] || { echo "fuzz: unknown target $t" >&2; exit 1; }
	srcs=()
	link_core=0
	for s in ${sources[$t]}; do
		if [ "$s" = "@core" ]; then
			link_core=1
		else
			srcs+=("$root/$s")
		fi
	done
	if [ "$link_core" = 1 ] && [ "$core_built" = 0 ]; then
		build_core
		core_built=1
	fi
	core_lib=()
	[ "$link_core" = 1 ] && core_lib=("$dir/core/libcore.a")
	"$cc" "${cflags[@]}" -fsanitize=fuzzer,address,undefined \
		"$root/tests/fuzz/$t.c" "${srcs[@]}" "${core_lib[@]}" "${libs[@]}" \
		-o "$dir/$t"
	mkdir -p "$dir/$t.corpus"
	echo "fuzz: $t for ${secs}s"
	# new inputs go to $t.corpus (kept between runs); the seeds are read
	(cd "$dir" && LSAN_OPTIONS="suppressions=$root/tests/fuzz/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}" \
		"./$t" -max_total_time="$secs" \
		-max_len="${max_len[$t]:-4096}" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 "$t.corpus" "seeds/$t" 2>"$t.log") || {
		echo "fuzz: $t FAILED, see $dir/$t.log" >&2
		tail -40 "$dir/$t.log" >&2
		exit 1
	}
	# the last status line: executions, coverage (cov:), features (ft:)
	grep -E '^#[0-9]+' "$dir/$t.log" | tail -1 || true
	grep -E '^stat::number_of_executed_units' "$dir/$t.log" || true
done
