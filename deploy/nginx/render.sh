#!/usr/bin/env bash
# Renders deploy/nginx/survey-grpc.conf.in into an nginx configuration.
#
# Usage: deploy/nginx/render.sh [options] --upstream HOST:PORT [--upstream ...]
#   --listen ADDR:PORT      where nginx listens for the app (default 443)
#   --upstream HOST:PORT    a survey-server instance (repeatable, at least one)
#   --cert FILE --key FILE  TLS certificate chain and key (deploy/certs.sh)
#   --server-name NAME      server_name (default _)
#   --upstream-tls-ca FILE  the instances serve TLS (survey-server tls-cert;
#                           required outside development: plaintext needs
#                           their `insecure`, which also honours development
#                           identities): grpcs:// to them, their certificate
#                           verified against FILE for the name in
#                           --upstream-tls-name (default localhost)
#   --grpc-bind ADDR        source address nginx uses towards the instances:
#                           give exactly this address to survey-server as
#                           --trusted-gateway ADDR/32 (default: the kernel's)
#   --access-log FILE --error-log FILE
#                           (default /var/log/nginx/survey-{access,error}.log)
#   --req-rate R --req-burst N   requests per second and burst per client
#                           address (default 20r/s, 100)
#   --conn-per-address N    connections at once per address (default 20)
#   --max-streams N         HTTP/2 streams at once per connection (default 32)
#   --keepalive-requests N  streams per connection before it is closed (default 1000)
#   --fail-timeout S        passive health check: an instance that failed is
#                           left out for S seconds (default 10)
#   --standalone DIR        a complete nginx.conf for `nginx -p DIR -c DIR/nginx.conf`
#                           (daemon off, pid, temp paths and logs in DIR):
#                           tests, or trying it out without touching the
#                           system nginx (creates DIR/tmp)
#
# Production (Debian's nginx): render without --standalone into
# /etc/nginx/conf.d/survey.conf (included in nginx.conf's http block), then
# `nginx -t && systemctl reload nginx`.
set -euo pipefail

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
die() { printf 'render.sh: error: %s\n' "$*" >&2; exit 1; }

listen=443 cert=/etc/survey/tls/server.pem key=/etc/survey/tls/server.key
server_name=_ grpc_bind= upstream_ca= upstream_name=localhost access_log=/var/log/nginx/survey-access.log
error_log=/var/log/nginx/survey-error.log req_rate=20r/s req_burst=100
conn=20 streams=32 keepalive_requests=1000 fail_timeout=10 standalone=
upstreams=()
while (( $# )); do
    case $1 in
        --listen) listen=$2 ;;
        --upstream) upstreams+=("$2") ;;
        --cert) cert=$2 ;;
        --key) key=$2 ;;
        --server-name) server_name=$2 ;;
        --grpc-bind) grpc_bind=$2 ;;
        --upstream-tls-ca) upstream_ca=$2 ;;
        --upstream-tls-name) upstream_name=$2 ;;
        --access-log) access_log=$2 ;;
        --error-log) error_log=$2 ;;
        --req-rate) req_rate=$2 ;;
        --req-burst) req_burst=$2 ;;
        --conn-per-address) conn=$2 ;;
        --max-streams) streams=$2 ;;
        --keepalive-requests) keepalive_requests=$2 ;;
        --fail-timeout) fail_timeout=$2 ;;
        --standalone) standalone=$2 ;;
        *) die "unknown option $1 (see the header of $0)" ;;
    esac
    shift 2 || die "option $1 needs a value"
done
(( ${#upstreams[@]} > 0 )) || die "at least one --upstream HOST:PORT"
safe='^[][A-Za-z0-9._/:@+=,-]*$'
for v in "$listen" "$cert" "$key" "$server_name" "$grpc_bind" "$upstream_ca" \
         "$upstream_name" "$access_log" \
         "$error_log" "$req_rate" "$req_burst" "$conn" "$streams" \
         "$keepalive_requests" "$fail_timeout" "$standalone" "${upstreams[@]}"; do
    [[ $v =~ $safe ]] || die "unsupported characters in '$v'"
done
if [[ -n $standalone ]]; then
    standalone=$(realpath -m -- "$standalone")
    [[ $access_log == /var/log/nginx/* ]] && access_log=$standalone/access.log
    [[ $error_log == /var/log/nginx/* ]] && error_log=$standalone/error.log
fi

servers=
for u in "${upstreams[@]}"; do
    # Passive health check: one failed connection (refused, reset, timed
    # out) leaves the instance out for fail_timeout seconds; the call itself
    # goes to the next instance (grpc_next_upstream).
    servers+="    server $u max_fails=1 fail_timeout=${fail_timeout}s;"$'\n'
done
bind_line=
[[ -n $grpc_bind ]] && bind_line="    grpc_bind $grpc_bind;"

http=$(sed -e "s|@LISTEN@|$listen|" -e "s|@CERT@|$cert|" -e "s|@KEY@|$key|" \
    -e "s|@SERVER_NAME@|$server_name|" -e "s|@ACCESS_LOG@|$access_log|" \
    -e "s|@ERROR_LOG@|$error_log|" -e "s|@REQ_RATE@|$req_rate|" \
    -e "s|@REQ_BURST@|$req_burst|" -e "s|@CONN_PER_ADDRESS@|$conn|" \
    -e "s|@MAX_STREAMS@|$streams|" -e "s|@KEEPALIVE_REQUESTS@|$keepalive_requests|" \
    -- "$here/survey-grpc.conf.in")
http=${http/@UPSTREAM_SERVERS@/${servers%$'\n'}}
http=${http/@GRPC_BIND@/$bind_line}
scheme=grpc ssl_lines=
if [[ -n $upstream_ca ]]; then
    scheme=grpcs
    ssl_lines="    # The instances' TLS, verified (--upstream-tls-ca).
    grpc_ssl_trusted_certificate $upstream_ca;
    grpc_ssl_verify on;
    grpc_ssl_name $upstream_name;
    grpc_ssl_session_reuse on;"
fi
http=${http//@GRPC_SCHEME@/$scheme}
http=${http/@GRPC_SSL@/$ssl_lines}

if [[ -z $standalone ]]; then
    printf '%s\n' "$http"
    exit 0
fi
mkdir -p -- "$standalone/tmp"
user_line=
(( EUID == 0 )) && user_line="user www-data;"
cat <<CONF
# Generated by deploy/nginx/render.sh --standalone $standalone
$user_line
daemon off;
worker_processes 2;
pid $standalone/nginx.pid;
error_log $standalone/error.log crit;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $standalone/tmp/body;
    proxy_temp_path $standalone/tmp/proxy;
    fastcgi_temp_path $standalone/tmp/fastcgi;
    uwsgi_temp_path $standalone/tmp/uwsgi;
    scgi_temp_path $standalone/tmp/scgi;
$http
}
CONF
