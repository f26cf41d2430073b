#!/usr/bin/env bash
# The quick start: installs dependencies, builds, starts a private MariaDB
# and survey-server, and loads the demo organisation. Safe to run again
# (the database keeps its data; the server is restarted on the new build).
#
# Usage: deploy/quickstart.sh          bring everything up
#        deploy/quickstart.sh stop     stop the server and the database
# Everything lives under $SURVEY_HOME (default: ./.run).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
home=${SURVEY_HOME:-$root/.run}
build_dir=${BUILD_DIR:-build}
port=${SURVEY_PORT:-50051}
mkdir -p "$home"

log() { printf 'quickstart: %s\n' "$*" >&2; }

stop_server() {
    if [[ -f $home/server.pid ]] && kill -0 "$(cat "$home/server.pid")" 2>/dev/null; then
        log "stopping survey-server (pid $(cat "$home/server.pid"))"
        kill -TERM "$(cat "$home/server.pid")"
        for _ in $(seq 1 150); do
            kill -0 "$(cat "$home/server.pid")" 2>/dev/null || break
            sleep 0.1
        done
    fi
    rm -f "$home/server.pid"
}

if [[ ${1:-} == stop ]]; then
    stop_server
    ./deploy/mariadb-private.sh stop "$home/mariadb"
    exit 0
fi

./deploy/install-deps.sh
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build_dir" -j "$(nproc)" --target survey-server surveyctl

db_url=$(./deploy/mariadb-private.sh start "$home/mariadb")
log "MariaDB: $db_url"

# The token pepper: HMAC key of every survey token, readable by us only.
if [[ ! -f $home/pepper ]]; then
    (umask 077 && openssl rand -hex 32 >"$home/pepper")
fi

stop_server
# Development mode: plaintext on loopback with development identities
# (--insecure). See README.md "Security" for a TLS deployment.
nohup "$build_dir/server/survey-server" --db-url "$db_url" \
    --listen "127.0.0.1:$port" --insecure --reflection \
    --pepper-file "$home/pepper" \
    >"$home/server.out" 2>"$home/server.log" </dev/null &
echo $! >"$home/server.pid"

ctl=("$build_dir/clients/surveyctl" --server "127.0.0.1:$port" --insecure --as hr)
for _ in $(seq 1 100); do
    "${ctl[@]}" --timeout 1 health >/dev/null 2>&1 && break
    if ! kill -0 "$(cat "$home/server.pid")" 2>/dev/null; then
        log "survey-server exited; its log:"; tail -20 "$home/server.log" >&2; exit 1
    fi
    sleep 0.2
done
"${ctl[@]}" health

"${ctl[@]}" org import deploy/demo/departments.csv deploy/demo/employees.csv
"${ctl[@]}" org departments

cat <<TXT

Survey & Satisfaction Server is up on 127.0.0.1:$port (development mode).
  logs:      $home/server.log
  database:  $db_url
Try:
  alias surveyctl='$root/$build_dir/clients/surveyctl --server 127.0.0.1:$port --insecure'
  surveyctl --as hr org employees
  surveyctl --as manager:AS org employees
  surveyctl --as hr --format csv org employees > employees.csv
  surveyctl health
Stop everything with: deploy/quickstart.sh stop
TXT
