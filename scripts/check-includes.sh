#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Include directions of dataplane/: no include cycle, no header of a higher
# layer (see scripts/check-includes.py). Run by the test suite.
exec python3 "$(dirname "$0")/check-includes.py" "$@"
