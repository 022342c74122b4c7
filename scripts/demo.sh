#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Installs what tunnelwatch needs, builds it into build/ and runs it on a
# trace the project recorded itself, printing the per-host table.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

tw_install_packages "${TW_BUILD_PACKAGES[@]}"
tw_build build
# The incident tunnelwatch exists for, replayed from the project's own
# recordings: an inside host whose outbound SSH session is driven from
# outside (ssh -R), one mining through a pool on port 443, one beaconing
# and one keeping a long-lived trickle open. One run, four traces.
traces=(tests/traces/ssh_reverse_operator.pcap
	tests/traces/mining_xmrig_443.pcap
	tests/traces/flow_beacon_curl.pcap
	tests/traces/flow_longlived_trickle.pcap)
args=()
for trace in "${traces[@]}"; do
	args+=(--read "$trace")
done
echo "== build/tunnelwatch --config config/offline.cfg ${args[*]}"
build/tunnelwatch --config config/offline.cfg "${args[@]}"
