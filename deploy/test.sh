#!/usr/bin/env bash
# The test command: installs what is missing, builds everything with
# -Wall -Wextra -Werror, and runs every unit, integration and end-to-end test
# (the integration tests start their own private MariaDB through a CTest
# fixture and remove it afterwards).
#
# Usage: deploy/test.sh [extra ctest arguments]
#   BUILD_DIR (default: build) and JOBS (default: nproc) may be set.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${BUILD_DIR:-build}
jobs=${JOBS:-$(nproc)}

./deploy/install-deps.sh
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSURVEY_WERROR=ON
cmake --build "$build_dir" -j "$jobs"
cd "$build_dir"
ctest --output-on-failure -j "$jobs" --timeout 300 "$@"
