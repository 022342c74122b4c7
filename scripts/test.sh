#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Installs what tunnelwatch needs, builds it twice (release-like and with
# AddressSanitizer + UBSan), runs every test on both builds, then runs
# the fuzz targets for a bounded time.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

tw_install_packages "${TW_BUILD_PACKAGES[@]}" "${TW_TEST_PACKAGES[@]}"
if [ ! -d ../shared/traces ]; then
	echo "notice: ../shared/traces not found: third-party trace tests will be skipped"
fi

echo "== build (build/)"
tw_build build
meson test -C build --print-errorlogs --num-processes 2

echo "== sanitizer build (build-asan/, -Db_sanitize=address,undefined)"
# no LTO here: it would redo code generation at each of ~45 links for
# nothing a sanitizer needs (build 34 s instead of 79 s on 2 cores)
tw_build build-asan -Db_sanitize=address,undefined -Db_lundef=false -Db_lto=false
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	meson test -C build-asan --print-errorlogs --num-processes 2 \
	--timeout-multiplier 3

echo "== fuzz targets (bounded time, clang libFuzzer + ASan/UBSan)"
FUZZ_DIR=build-fuzz FUZZ_SECONDS=${FUZZ_SECONDS:-6} scripts/fuzz.sh

echo "all tests passed"
