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
build_dir=$(realpath -m "${BUILD_DIR:-build}")
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
cmake --build "$build_dir" -j "$(nproc)" --target survey-server surveyctl survey-sim

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

# Demo campaigns, once: last month's customer survey and cross-evaluation,
# answered in part by the app simulator and closed (so reports have scores),
# and this month's customer survey, open and half answered.
sim=("$build_dir/clients/survey-sim" --server "127.0.0.1:$port" --insecure)
if [[ -z $("${ctl[@]}" --format csv campaign list | tail -n +2) ]]; then
    this_month=$(date +%Y-%m)
    last_month=$(date -d "$(date +%Y-%m-01) -1 month" +%Y-%m)
    demo=$home/demo
    rm -rf "$demo" && mkdir -p "$demo"
    # A ticket system's export: 12 service events per front-line employee.
    awk -F, 'NR == 1 { print "subject_employee_no,ticket"; next }
             $5 != "other" { for (i = 1; i <= 12; i++) printf "%s,%s-%02d\n", $1, $1, i }' \
        deploy/demo/employees.csv >"$demo/tickets.csv"

    demo_campaign() {  # kind period title-zh title-en answered-share close?
        local id
        id=$("${ctl[@]}" campaign create --kind "$1" --period "$2" \
            --title-zh "$3" --title-en "$4")
        "${ctl[@]}" campaign open "$id" >&2
        if [[ $1 == customer ]]; then
            "${ctl[@]}" invitations issue "$id" --from "$demo/tickets.csv" \
                --out "$demo/$1-$2" --qr >&2
        else
            "${ctl[@]}" invitations issue "$id" --cross --out "$demo/$1-$2" >&2
        fi
        "${sim[@]}" --tokens "$demo/$1-$2/invitations.csv" --fraction "$5" >&2
        if [[ $6 == close ]]; then "${ctl[@]}" campaign close "$id" >&2; fi
    }
    demo_campaign customer "$last_month" "${last_month}客户满意度调查" \
        "Customer satisfaction $last_month" 0.7 close
    demo_campaign cross "$last_month" "${last_month}部门互评" \
        "Cross-evaluation $last_month" 0.8 close
    demo_campaign customer "$this_month" "${this_month}客户满意度调查" \
        "Customer satisfaction $this_month" 0.5 keep-open
fi
"${ctl[@]}" campaign list

# Appraisal demo: last month's closed customer survey pushed into the
# monthly appraisal sheets, and one front-line engineer's sheet with the
# satisfaction line and where its figure came from. Both are safe to rerun:
# a second push finds nothing new and writes nothing.
appraisal_month=$(date -d "$(date +%Y-%m-01) -1 month" +%Y-%m)
"${ctl[@]}" appraisal push --period "$appraisal_month"
# So the sheet is scored and paid: a performance cap for after-sales
# engineers of pay grade 3, E0002's pay profile, and the manager's review of
# a second KPI line and a behaviour line (added once: only while the sheet
# holds just the satisfaction line).
"${ctl[@]}" appraisal config set --period "$appraisal_month" --cap engineer:3=3000 >/dev/null
"${ctl[@]}" appraisal pay set --file deploy/demo/pay.csv >/dev/null
demo_lines=$("${ctl[@]}" --format csv appraisal sheet show --employee E0002 \
  --period "$appraisal_month" | tail -n +2 | wc -l)
if (( demo_lines <= 1 )); then
  "${ctl[@]}" appraisal sheet lines --employee E0002 --period "$appraisal_month" \
    --section kpi --title "故障解决率 / fault resolution rate" --weight 80 \
    --data-source "ticket system" --reviewer 92 >/dev/null
  "${ctl[@]}" appraisal sheet lines --employee E0002 --period "$appraisal_month" \
    --section behaviour --title "服务规范 / service conformity" --weight 100 \
    --reviewer 85 >/dev/null
fi
"${ctl[@]}" appraisal sheet show --employee E0002 --period "$appraisal_month"

cat <<TXT

Survey & Satisfaction Server is up on 127.0.0.1:$port (development mode).
  logs:      $home/server.log
  database:  $db_url
Try:
  alias surveyctl='$build_dir/clients/surveyctl --server 127.0.0.1:$port --insecure'
  surveyctl --as hr org employees
  surveyctl --as manager:AS org employees
  surveyctl --as hr --format csv org employees > employees.csv
  surveyctl --as hr campaign list
  surveyctl --as hr template show default
  surveyctl --as hr invitations issue CAMPAIGN_ID --from $home/demo/tickets.csv --out /tmp/inv --qr
  $build_dir/clients/survey-sim --insecure --server 127.0.0.1:$port --tokens /tmp/inv/invitations.csv
  surveyctl --as hr appraisal sheets --period $appraisal_month
  surveyctl --as employee:E0002 appraisal sheet show --employee E0002 --period $appraisal_month
  surveyctl health
Demo invitations (tokens, deep links, QR codes): $home/demo/
Stop everything with: deploy/quickstart.sh stop
This is development mode (plaintext, --insecure). For TLS: deploy/certs.sh DIR
makes a CA, a server certificate and (deploy/certs.sh DIR staff NAME) staff
certificates; see README.md "Security".
TXT
