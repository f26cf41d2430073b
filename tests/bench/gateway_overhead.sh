#!/usr/bin/env bash
# The gateway's overhead per call (issue 14), on demand (not in CI): a private
# MariaDB, survey-server and survey-gateway on loopback, one invitation
# issued, then gateway_bench times GetSurvey with that token N times direct
# and N times through the gateway. Everything is stopped and removed on exit.
#
# Usage: tests/bench/gateway_overhead.sh [--calls N]
#   BUILD_DIR (default: build-bench) and JOBS (default: nproc) may be set.
set -euo pipefail
root=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd -P)
cd "$root"
build_dir=$(realpath -m -- "${BUILD_DIR:-build-bench}")
jobs=${JOBS:-$(nproc)}
work=$(mktemp -d /tmp/survey-gwbench-XXXXXX)
pids=()

cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSURVEY_WERROR=ON >/dev/null
cmake --build "$build_dir" -j "$jobs" --target survey-server survey-gateway surveyctl gateway_bench

cleanup() {
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    bash deploy/mariadb-private.sh stop "$work/mariadb" --purge >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

url=$(bash deploy/mariadb-private.sh start "$work/mariadb")
(umask 077 && openssl rand -hex 32 >"$work/pepper")
"$build_dir/server/survey-server" --db-url "$url" --listen 127.0.0.1:0 --insecure \
    --pepper-file "$work/pepper" --trusted-gateway 127.0.0.1 \
    >"$work/server.out" 2>"$work/server.log" </dev/null &
pids+=($!)
for _ in $(seq 1 100); do
    port=$(grep -o 'port [0-9]*' "$work/server.out" 2>/dev/null | head -n1 | cut -d' ' -f2) || true
    [[ -n ${port:-} ]] && break
    sleep 0.1
done
[[ -n ${port:-} ]] || { echo "gateway_overhead.sh: the server did not start" >&2; tail "$work/server.log" >&2; exit 1; }
"$build_dir/server/gateway/survey-gateway" --listen 127.0.0.1:0 --upstream "127.0.0.1:$port" \
    --log-level warn >"$work/gateway.out" 2>"$work/gateway.log" </dev/null &
pids+=($!)
for _ in $(seq 1 100); do
    gport=$(grep -o 'port [0-9]*' "$work/gateway.out" 2>/dev/null | head -n1 | cut -d' ' -f2) || true
    [[ -n ${gport:-} ]] && break
    sleep 0.1
done
[[ -n ${gport:-} ]] || { echo "gateway_overhead.sh: the gateway did not start" >&2; exit 1; }

ctl=("$build_dir/clients/surveyctl" --server "127.0.0.1:$port" --insecure --as hr)
for _ in $(seq 1 100); do "${ctl[@]}" --timeout 1 health >/dev/null 2>&1 && break; sleep 0.1; done
"${ctl[@]}" org import deploy/demo/departments.csv deploy/demo/employees.csv >/dev/null
id=$("${ctl[@]}" campaign create --kind customer --period "$(date +%Y-%m)" \
    --title-zh 基准 --title-en Bench)
"${ctl[@]}" campaign open "$id" >/dev/null
printf 'subject_employee_no,ticket\nE0002,B-1\n' >"$work/tickets.csv"
"${ctl[@]}" invitations issue "$id" --from "$work/tickets.csv" --out "$work/inv" >/dev/null
token=$(awk -F, 'NR == 2 { print $3 }' "$work/inv/invitations.csv")

echo "host: $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg) before the run" >&2
"$build_dir/tests/bench/gateway_bench" --server "127.0.0.1:$port" \
    --gateway "127.0.0.1:$gport" --token "$token" "$@"
