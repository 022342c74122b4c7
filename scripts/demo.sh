#!/usr/bin/env bash
# Installs what tunnelwatch needs, builds it into build/ and runs it on a
# trace the project recorded itself, printing the per-host table.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

tw_install_packages "${TW_BUILD_PACKAGES[@]}"
tw_build build
for trace in tests/traces/flow_longlived_trickle.pcap tests/traces/flow_beacon_curl.pcap; do
	echo "== build/tunnelwatch --read $trace"
	build/tunnelwatch --config config/offline.cfg --read "$trace"
	echo
done
