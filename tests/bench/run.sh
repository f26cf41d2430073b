#!/usr/bin/env bash
# The Submit and report benchmarks, reproducibly: starts a private MariaDB (fresh
# datadir, stopped and purged on exit), builds submit_bench, runs it.
#
# Usage: tests/bench/run.sh [submit_bench options, e.g. --answers 50000 --json]
#   The issue-13 run: tests/bench/run.sh --close-answers 1000000
#   BUILD_DIR (default: build-bench) and JOBS (default: nproc) may be set;
#   APPRAISAL_BENCH_ARGS (default: --employees 10000 --months 3).
# Dependencies as for deploy/test.sh (deploy/install-deps.sh).
set -euo pipefail
root=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd -P)
cd "$root"
build_dir=$(realpath -m -- "${BUILD_DIR:-build-bench}")
jobs=${JOBS:-$(nproc)}
instance=$build_dir/bench-mariadb

cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSURVEY_WERROR=ON >/dev/null
cmake --build "$build_dir" -j "$jobs" --target submit_bench report_bench appraisal_bench

stop_db() { bash deploy/mariadb-private.sh stop "$instance" --purge || true; }
trap stop_db EXIT
trap 'exit 130' INT TERM
bash deploy/mariadb-private.sh stop "$instance" --purge  # leftover of an interrupted run
url=$(bash deploy/mariadb-private.sh start "$instance")
[[ -n $url ]] || { echo "run.sh: no URL from mariadb-private.sh" >&2; exit 1; }
echo "benchmark MariaDB: $url" >&2

echo "host: $(nproc) cores, $(uname -r), $(mariadbd --version 2>/dev/null | head -n1)" >&2
# Server, database and load share this machine: anything else running skews
# every figure.
read -r load1 _ </proc/loadavg
echo "load average before the run: $load1" >&2
if awk -v l="$load1" -v n="$(nproc)" 'BEGIN { exit !(l > n / 4) }'; then
    echo "run.sh: warning: the machine is busy (load $load1); figures will be low and noisy" >&2
fi
SURVEY_TEST_DB_URL=$url "$build_dir/tests/bench/submit_bench" "$@"
# The HR organisation report over 10 000 employees x 12 months.
SURVEY_TEST_DB_URL=$url "$build_dir/tests/bench/report_bench"
# Appraisal: push, listing, export and grading; by default 10 000 employees,
# 3 pushed months (the issue's push of 10 000 sheets).
# shellcheck disable=SC2086
SURVEY_TEST_DB_URL=$url "$build_dir/tests/bench/appraisal_bench" ${APPRAISAL_BENCH_ARGS:---employees 10000 --months 3}
read -r load1 _ </proc/loadavg
echo "load average after the run: $load1" >&2
