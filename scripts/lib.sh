# SPDX-License-Identifier: BSD-3-Clause
# Shared by scripts/*.sh: Debian packages and the build.
# shellcheck shell=bash

# libmicrohttpd: the metrics listener; libsystemd: sd_notify and journald
# fields; dpdk: dpdk-devbind.py and dpdk-hugepages.py for the live set-up.
TW_BUILD_PACKAGES=(gcc pkg-config meson ninja-build python3
	libdpdk-dev libhyperscan-dev libconfig-dev libcmocka-dev libpcap-dev
	libjansson-dev libssl-dev
	libpsl-dev publicsuffix
	libmicrohttpd-dev libsystemd-dev dpdk)
# What only the tests need: netns and veth for the live tests, clang's
# libFuzzer for the fuzz targets, Chromium to render the HTML report,
# prometheus (promtool and a server) for the metrics test, man-db and
# systemd (systemd-analyze) for the install test, debhelper for the
# Debian package.
TW_TEST_PACKAGES=(iproute2 clang libclang-rt-dev chromium
	prometheus man-db systemd debhelper)

# Installs the Debian packages named in "$@" that are missing.
tw_install_packages() {
	local missing=() pkg
	for pkg in "$@"; do
		dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null |
			grep -q 'install ok installed' || missing+=("$pkg")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	if [ "$(id -u)" -ne 0 ]; then
		echo "missing Debian packages: ${missing[*]} (run as root to install them)" >&2
		return 1
	fi
	echo "installing: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# tw_build DIR [meson options...]: configures once, then builds.
tw_build() {
	local dir=$1
	shift
	if [ ! -f "$dir/build.ninja" ]; then
		meson setup "$dir" "$@" >/dev/null
	fi
	ninja -C "$dir" >/dev/null
}
