#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz/*.c) with clang's fuzzer,
# address and undefined-behaviour sanitizers and runs each for a bounded
# time. Exit status non-zero on a build failure or a crash.
#
#   scripts/fuzz.sh                 # every target, 15 s each
#   FUZZ_SECONDS=300 scripts/fuzz.sh fuzz_dns
#   FUZZ_DIR=/tmp/fz scripts/fuzz.sh     (build dir, default build-fuzz)
#
# Targets and the sources they cover:
#   fuzz_dns   analyzers/dns_parse.c, analyzers/dns_label.c
#   fuzz_icmp  analyzers/icmp_payload.c
#   fuzz_ssh   analyzers/ssh_wire.c (banner and KEXINIT parser)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
dir=${FUZZ_DIR:-$root/build-fuzz}
secs=${FUZZ_SECONDS:-15}
cc=${CLANG:-clang}

declare -A sources=(
	[fuzz_dns]="dataplane/analyzers/dns_parse.c dataplane/analyzers/dns_label.c"
	[fuzz_icmp]="dataplane/analyzers/icmp_payload.c"
	[fuzz_ssh]="dataplane/analyzers/ssh_wire.c"
)

if ! command -v "$cc" >/dev/null; then
	echo "fuzz: $cc not found (Debian: apt-get install clang)" >&2
	exit 1
fi

targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(fuzz_dns fuzz_icmp fuzz_ssh)

mkdir -p "$dir"
for t in "${targets[@]}"; do
	[ -n "${sources[$t]:-}" ] || { echo "fuzz: unknown target $t" >&2; exit 1; }
	srcs=()
	for s in ${sources[$t]}; do srcs+=("$root/$s"); done
	"$cc" -std=c11 -D_GNU_SOURCE -g -O1 -I"$root/dataplane" \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		"$root/tests/fuzz/$t.c" "${srcs[@]}" -lcrypto -lm -o "$dir/$t"
	mkdir -p "$dir/$t.corpus"
	echo "fuzz: $t for ${secs}s"
	# -max_len: a DNS message over UDP and an ICMP payload both fit.
	(cd "$dir" && "./$t" -max_total_time="$secs" -max_len=4096 \
		-print_final_stats=0 "$t.corpus" 2>"$t.log") || {
		echo "fuzz: $t FAILED, see $dir/$t.log" >&2
		tail -40 "$dir/$t.log" >&2
		exit 1
	}
	grep -E '^Done|#[0-9]+.*DONE' "$dir/$t.log" | tail -1 || true
done
