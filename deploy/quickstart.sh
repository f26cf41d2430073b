#!/usr/bin/env bash
# The quick start: installs dependencies, builds, starts a private MariaDB,
# survey-server and survey-gateway (the respondent web app and the staff
# console), and loads the demo organisation. Safe to run again (the database keeps its data; the
# server and gateway are restarted on the new build).
#
# Usage: deploy/quickstart.sh          bring everything up
#        deploy/quickstart.sh stop     stop the gateway, the server and the database
# Everything lives under $SURVEY_HOME (default: ./.run).
# SURVEY_PORT (50051, loopback only), SURVEY_GATEWAY_PORT (8080, every
# interface: phones on the same network open the links), SURVEY_PUBLIC_HOST
# (default: this machine's address on its default route) for the web links,
# SURVEY_CONSOLE_TLS_PORT (8443, every interface: the console over HTTPS for
# other machines).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
home=${SURVEY_HOME:-$root/.run}
build_dir=$(realpath -m "${BUILD_DIR:-build}")
port=${SURVEY_PORT:-50051}
gateway_port=${SURVEY_GATEWAY_PORT:-8080}
console_tls_port=${SURVEY_CONSOLE_TLS_PORT:-8443}
mkdir -p "$home"

log() { printf 'quickstart: %s\n' "$*" >&2; }

stop_process() {  # name: stops the process in $home/name.pid
    local pidfile=$home/$1.pid
    if [[ -f $pidfile ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
        log "stopping $1 (pid $(cat "$pidfile"))"
        kill -TERM "$(cat "$pidfile")"
        for _ in $(seq 1 150); do
            kill -0 "$(cat "$pidfile")" 2>/dev/null || break
            sleep 0.1
        done
    fi
    rm -f "$pidfile"
}
stop_server() { stop_process gateway-tls; stop_process gateway; stop_process server; }

if [[ ${1:-} == stop ]]; then
    stop_server
    ./deploy/mariadb-private.sh stop "$home/mariadb"
    exit 0
fi

./deploy/install-deps.sh
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build_dir" -j "$(nproc)" --target survey-server surveyctl survey-sim \
    survey-gateway survey_web

db_url=$(./deploy/mariadb-private.sh start "$home/mariadb")
log "MariaDB: $db_url"

# The token pepper: HMAC key of every survey token, readable by us only.
if [[ ! -f $home/pepper ]]; then
    (umask 077 && openssl rand -hex 32 >"$home/pepper")
fi

stop_server
# Development mode: plaintext on loopback with development identities
# (--insecure). See README.md "Security" for a TLS deployment.
# The gateway on this host is trusted to name the respondent's address
# (the abuse limits key on it).
nohup "$build_dir/server/survey-server" --db-url "$db_url" \
    --listen "127.0.0.1:$port" --insecure --reflection \
    --pepper-file "$home/pepper" --trusted-gateway 127.0.0.1 \
    --dev-appraisal-clock-file "$home/appraisal-clock" \
    >"$home/server.out" 2>"$home/server.log" </dev/null &
echo $! >"$home/server.pid"

# The respondent web app and its Connect gateway, on every interface so a
# phone on the same network can answer (RespondService needs only a token:
# it gets a survey and submits one answer). Links: http://HOST:PORT/a/#TOKEN.
# With --console the same gateway serves the staff console under /c/ and
# the staff services, which take nothing but the session cookie of a
# password sign-in and a header only the console's own scripts send.
public_host=${SURVEY_PUBLIC_HOST:-$(ip -4 route get 1.1.1.1 2>/dev/null |
    awk '{ for (i = 1; i < NF; i++) if ($i == "src") { print $(i + 1); exit } }')}
public_host=${public_host:-127.0.0.1}
link_base=http://$public_host:$gateway_port/a/
nohup "$build_dir/server/gateway/survey-gateway" --listen "0.0.0.0:$gateway_port" \
    --upstream "127.0.0.1:$port" --web-root "$build_dir/web" --console \
    >"$home/gateway.out" 2>"$home/gateway.log" </dev/null &
echo $! >"$home/gateway.pid"

# The console from another machine. Its session cookie is Secure: browsers
# keep it over https, and over plain http only from localhost/127.0.0.1.
# So a second gateway serves HTTPS on $console_tls_port with a certificate
# of the private CA deploy/certs.sh makes, naming this machine's address
# (remade when the address changed). Browsers warn until ca.pem is trusted.
# --no-hsts: HSTS would make a browser that trusts the CA turn the plain
# http://ADDRESS:$gateway_port links into https:// too, where nothing answers.
if [[ $public_host =~ ^[0-9.]+$ ]]; then san=IP:$public_host; else san=DNS:$public_host; fi
certs=$home/certs
if [[ -f $certs/server.pem ]] && ! openssl x509 -in "$certs/server.pem" -noout \
        $([[ $san == IP:* ]] && echo -checkip || echo -checkhost) "$public_host" |
        grep -q 'does match'; then
    rm -f "$certs/server.pem" "$certs/server.key"
fi
SURVEY_TLS_SAN=$san ./deploy/certs.sh "$certs" 2>>"$home/certs.log"
nohup "$build_dir/server/gateway/survey-gateway" --listen "0.0.0.0:$console_tls_port" \
    --upstream "127.0.0.1:$port" --web-root "$build_dir/web" --console \
    --tls-cert "$certs/server.pem" --tls-key "$certs/server.key" --no-hsts \
    >"$home/gateway-tls.out" 2>"$home/gateway-tls.log" </dev/null &
echo $! >"$home/gateway-tls.pid"

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
                --out "$demo/$1-$2" --qr --link-base "$link_base" >&2
        else
            "${ctl[@]}" invitations issue "$id" --cross --out "$demo/$1-$2" \
                --link-base "$link_base" >&2
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

# Console accounts, once: "hr" with a one-time activation code (the first
# sign-in with it sets the password), and an account for every active
# employee (name = employee number; a department's manager signs in as its
# manager) with their codes in $home/demo/accounts.csv, mode 0600. Kept
# across runs, so a password set in the console stays.
admin=("$build_dir/clients/surveyctl" --server "127.0.0.1:$port" --insecure --as admin)
mkdir -p "$home/demo"
if [[ ! -s $home/console-hr.code ]]; then
    "${admin[@]}" staff upsert hr --role hr >/dev/null
    (umask 077 && "${admin[@]}" account reset-password hr >"$home/console-hr.code.tmp")
    mv "$home/console-hr.code.tmp" "$home/console-hr.code"
fi
if [[ ! -s $home/demo/accounts.csv ]]; then
    (umask 077 && "${ctl[@]}" account org-accounts >"$home/demo/accounts.csv.tmp")
    mv "$home/demo/accounts.csv.tmp" "$home/demo/accounts.csv"
fi

# One link that works now: a still unanswered invitation of the open
# customer survey, checked through the gateway at the link's own address
# (the app's page, then GetSurvey as the app calls it).
open_dir=$(ls -d "$home"/demo/customer-* 2>/dev/null | sort | tail -n 1)
demo_link=$(python3 - "$open_dir/invitations.csv" "$link_base" <<'PY'
import csv, json, sys, urllib.error, urllib.request
path, base = sys.argv[1], sys.argv[2]
origin = base[:base.index("/a/")]
try:
    urllib.request.urlopen(base, timeout=5).read()
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
except (OSError, urllib.error.URLError) as e:
    sys.exit(f"quickstart: the web app at {base} does not answer: {e}")
for row in rows:
    req = urllib.request.Request(
        origin + "/survey.v1.RespondService/GetSurvey",
        data=json.dumps({"token": row["token"]}).encode(),
        headers={"Content-Type": "application/json"})
    try:
        urllib.request.urlopen(req, timeout=5).read()
    except urllib.error.HTTPError:
        continue  # answered (or otherwise unusable): try the next one
    print(base + "#" + row["token"])
    break
PY
) || { log "the gateway does not answer; its log:"; tail -20 "$home/gateway.log" >&2; exit 1; }
# The console's page on both gateways (the TLS one checked against our CA).
python3 - "$gateway_port" "$public_host" "$console_tls_port" "$certs/ca.pem" <<'PY' ||
import ssl, sys, time, urllib.request
port, host, tls_port, ca = sys.argv[1:]
tls = ssl.create_default_context(cafile=ca)
for _ in range(50):
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/c/", timeout=5).read()
        urllib.request.urlopen(f"https://{host}:{tls_port}/c/", timeout=5, context=tls).read()
        sys.exit(0)
    except OSError as e:  # URLError and TLS errors too
        error = e
        time.sleep(0.2)
sys.exit(f"quickstart: the console does not answer: {error}")
PY
{ tail -5 "$home/gateway.log" "$home/gateway-tls.log" >&2; exit 1; }

cat <<TXT

Survey & Satisfaction Server is up on 127.0.0.1:$port (development mode).
  web app:   $link_base (survey-gateway on port $gateway_port of every
             interface: a phone on the same network opens the links)
  console:   http://localhost:$gateway_port/c/ on this machine; from another
             machine https://$public_host:$console_tls_port/c/ (its session cookie
             is Secure: plain http works only for localhost). The certificate
             is from a private CA: trust $certs/ca.pem in that browser, or
             accept the warning.
             HR: account "hr", activation code $(cat "$home/console-hr.code")
             (choose "activate" on the sign-in page; it sets the password).
             Managers and employees: account = employee number, codes in
             $home/demo/accounts.csv
  logs:      $home/server.log, $home/gateway.log, $home/gateway-tls.log
  database:  $db_url
Try:
  alias surveyctl='$build_dir/clients/surveyctl --server 127.0.0.1:$port --insecure'
  surveyctl --as hr org employees
  surveyctl --as manager:AS org employees
  surveyctl --as hr --format csv org employees > employees.csv
  surveyctl --as hr campaign list
  surveyctl --as hr template show default
  surveyctl --as hr invitations issue CAMPAIGN_ID --from $home/demo/tickets.csv --out /tmp/inv --qr --link-base $link_base
  $build_dir/clients/survey-sim --insecure --server 127.0.0.1:$port --tokens /tmp/inv/invitations.csv
  surveyctl --as hr appraisal sheets --period $appraisal_month
  surveyctl --as employee:E0002 appraisal sheet show --employee E0002 --period $appraisal_month
  surveyctl health
Appraisal deadlines follow the real clock. To see a released sheet become
final without waiting the 5 working days of its appeal window, move the
server's appraisal clock forward (seconds; development mode only):
  echo \$((10 * 86400)) > $home/appraisal-clock   # and: rm $home/appraisal-clock
Demo invitations (tokens, web links, QR codes): $home/demo/
Answer the open survey in a browser, here or on a phone on the same network
(plain HTTP: the app's offline mode needs HTTPS or localhost):
  ${demo_link:-(every demo invitation is answered: issue new ones as above, with --link-base $link_base)}
Stop everything with: deploy/quickstart.sh stop
This is development mode (plaintext, --insecure). For TLS: deploy/certs.sh DIR
makes a CA, a server certificate and (deploy/certs.sh DIR staff NAME) staff
certificates; see README.md "Security".
TXT
