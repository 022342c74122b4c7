#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Byte-identical output check for behaviour-preserving refactors (issue 14).
#
#   scripts/check-identical.sh BINARY OUTDIR [BASELINE_DIR]
#
# Runs BINARY over every trace in tests/traces (with the config named in
# the third column of tests/traces/truth.tsv, or truth_gateway.tsv's
# traces with vpn_gateway.cfg), over every trace in ../shared/traces, and
# over all of tests/traces in one run, each with --workers 1, 2 and 4, in
# --json mode with --eve, and stores per run: NAME.wN.json (stdout),
# NAME.wN.eve (event log; lines sorted beyond one worker, whose order
# varies), NAME.wN.err (stderr), NAME.wN.rc (exit status).
# With BASELINE_DIR, compares OUTDIR with it and exits 1 on any difference.
# Set JOBS (default 2) for parallel runs.
set -u
bin=$(readlink -f "$1"); out=$2; base=${3:-}
root=$(cd "$(dirname "$0")/.." && pwd)
# a build-tree binary's built-in patterns dir is the installed one
# (issue 15): run both binaries on the source tree's patterns
export TUNNELWATCH_PATTERNS_DIR=${TUNNELWATCH_PATTERNS_DIR:-$root/patterns}
tr=$root/tests/traces
shared=$root/../shared/traces
rm -rf "$out"; mkdir -p "$out"

jobs_file=$out/.jobs
: > "$jobs_file"
add() {  # name config traces...
    local name=$1 cfg=$2; shift 2
    for w in 1 2 4; do
        printf '%s|%s|%s|%s\n' "$name" "$w" "$cfg" "$*" >> "$jobs_file"
    done
}
declare -A cfg_of
while IFS=$'\t' read -r f _ c; do
    [[ $f == \#* || -z $f ]] && continue
    [[ -n ${c:-} ]] && cfg_of[$f]=$tr/$c
done < "$tr/truth.tsv"
while IFS=$'\t' read -r f _ c; do
    [[ $f == \#* || -z $f ]] && continue
    add "gw_${f%.*}" "$tr/vpn_gateway.cfg" "$tr/$f"
done < "$tr/truth_gateway.tsv"
for p in "$tr"/*.pcap "$tr"/*.pcapng; do
    [[ -e $p ]] || continue
    f=$(basename "$p")
    add "${f%.*}" "${cfg_of[$f]:-}" "$p"
done
if [[ -d $shared ]]; then
    for p in "$shared"/*.pcap "$shared"/*.pcapng; do
        [[ -e $p ]] || continue
        f=$(basename "$p")
        add "shared_${f%.*}" "" "$p"
    done
fi
mixed=""
while IFS=$'\t' read -r f _ c; do
    [[ $f == \#* || -z $f ]] && continue
    mixed+="$tr/$f "
done < "$tr/truth.tsv"
add "mixed" "" $mixed

run_one() {
    local name=$1 w=$2 cfg=$3 traces=$4 out=$5 bin=$6
    local args=(--json --workers "$w" --eve "$out/$name.w$w.eve")
    [[ -n $cfg ]] && args+=(--config "$cfg")
    for t in $traces; do args+=(--read "$t"); done
    timeout 300 "$bin" "${args[@]}" > "$out/$name.w$w.json" 2> "$out/$name.w$w.err"
    echo $? > "$out/$name.w$w.rc"
    # workers write the event log in their own interleaving: compare
    # its lines as a set beyond one worker
    if [[ $w != 1 ]]; then
        LC_ALL=C sort -o "$out/$name.w$w.eve" "$out/$name.w$w.eve"
    fi
}
export -f run_one
while IFS='|' read -r name w cfg traces; do
    printf '%s\0%s\0%s\0%s\0%s\0%s\0' "$name" "$w" "$cfg" "$traces" "$out" "$bin"
done < "$jobs_file" | xargs -0 -n 6 -P "${JOBS:-2}" bash -c 'run_one "$@"' _
n=$(wc -l < "$jobs_file"); rm -f "$jobs_file"
echo "$n runs into $out"
if [[ -n $base ]]; then
    if diff -r -q "$base" "$out"; then
        echo "IDENTICAL: $n runs match $base"
    else
        echo "DIFFERENT from $base"; exit 1
    fi
fi
