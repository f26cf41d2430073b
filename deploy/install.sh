#!/usr/bin/env bash
# Installs a build of the Survey & Satisfaction Server as services on
# Debian 12: binaries, the respondent web app, systemd units, commented
# configuration examples, the `survey` system user, and the directories
# with their owners and modes. Idempotent: run it again after each build;
# it never touches an existing configuration, pepper or certificate.
#
# Usage: deploy/install.sh [--build-dir DIR] [--prefix DIR]
#   --build-dir DIR  the CMake build directory (default: build)
#   --prefix DIR     where binaries and shared files go (default /usr/local)
#   DESTDIR=/tmp/root deploy/install.sh ...   installs under a staging root:
#                    no user is created, nothing is chowned and systemd is
#                    not told (tests, packaging).
#
# Installs (paths under DESTDIR):
#   PREFIX/bin/survey-server, survey-gateway, surveyctl
#   PREFIX/share/survey/web/            the respondent web app (if built)
#   PREFIX/share/survey/deploy/         certs.sh, nginx/, backup.sh, restore.sh
#   PREFIX/share/doc/survey/README.md
#   /etc/systemd/system/survey-server@.service, survey-gateway.service,
#       survey-retention.service and .timer (the daily retention run)
#   /etc/survey/server.conf.example, gateway.conf.example  (always refreshed)
#   /etc/survey/                        root:survey 0750
#   /etc/survey/tls/                    root:survey 0750 (put server.pem,
#                                       server.key (survey, 0600), ca.pem here)
#   /etc/survey/pepper                  survey:survey 0600, made once
#
# Then: cp /etc/survey/server.conf.example /etc/survey/server-a.conf, edit
# it (db-url, ports), and `systemctl enable --now survey-server@a`.
set -euo pipefail

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
root=$(dirname -- "$here")
die() { printf 'install.sh: error: %s\n' "$*" >&2; exit 1; }
log() { printf 'install.sh: %s\n' "$*" >&2; }

build_dir=$root/build
prefix=/usr/local
while (( $# )); do
    case $1 in
        --build-dir) build_dir=${2:?}; shift 2 ;;
        --prefix) prefix=${2:?}; shift 2 ;;
        -h|--help) sed -n '2,29p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown argument $1 (see --help)" ;;
    esac
done
[[ $prefix == /* ]] || die "--prefix must be an absolute path"
build_dir=$(realpath -m -- "$build_dir")
dest=${DESTDIR:-}
staging=0
[[ -n $dest ]] && staging=1
if (( ! staging )) && [[ $(id -u) != 0 ]]; then
    die "run as root (or give DESTDIR=... to stage the files)"
fi

server_bin=$build_dir/server/survey-server
gateway_bin=$build_dir/server/gateway/survey-gateway
ctl_bin=$build_dir/clients/surveyctl
for f in "$server_bin" "$gateway_bin" "$ctl_bin"; do
    [[ -x $f ]] || die "$f is missing: build first (cmake --build $build_dir)"
done

# --- the user --------------------------------------------------------------
if (( ! staging )); then
    if ! getent passwd survey >/dev/null; then
        log "creating the system user survey"
        adduser --system --group --no-create-home --home /nonexistent \
            --shell /usr/sbin/nologin survey >/dev/null
    fi
fi
# owner USER:GROUP PATH...: chown for real installs only.
owner() {
    local who=$1; shift
    (( staging )) || chown "$who" "$@"
}

# --- files -----------------------------------------------------------------
bindir=$dest$prefix/bin
share=$dest$prefix/share/survey
install -d -m 0755 "$bindir" "$share" "$share/deploy" "$share/deploy/nginx" \
    "$dest$prefix/share/doc/survey" "$dest/etc/systemd/system"
install -m 0755 "$server_bin" "$gateway_bin" "$ctl_bin" "$bindir/"
log "binaries in $prefix/bin"

if [[ -f $build_dir/web/index.html ]]; then
    # Replaced whole: files of an older app version must not linger.
    rm -rf "$share/web.new"
    cp -r "$build_dir/web" "$share/web.new"
    find "$share/web.new" -type d -exec chmod 0755 {} +
    find "$share/web.new" -type f -exec chmod 0644 {} +
    rm -rf "$share/web"
    mv "$share/web.new" "$share/web"
    log "web app in $prefix/share/survey/web"
else
    log "no web app in $build_dir/web (npm missing at build time?): skipped"
fi

install -m 0755 "$root/deploy/certs.sh" "$root/deploy/backup.sh" \
    "$root/deploy/restore.sh" "$share/deploy/"
install -m 0755 "$root/deploy/nginx/render.sh" "$share/deploy/nginx/"
install -m 0644 "$root/deploy/nginx/survey-grpc.conf.in" "$share/deploy/nginx/"
install -m 0644 "$root/README.md" "$dest$prefix/share/doc/survey/"

# Units name the binaries by path: follow --prefix.
for unit in survey-server@.service survey-gateway.service survey-retention.service \
    survey-retention.timer; do
    sed "s#/usr/local/#$prefix/#g" "$root/deploy/systemd/$unit" \
        > "$dest/etc/systemd/system/$unit.tmp"
    chmod 0644 "$dest/etc/systemd/system/$unit.tmp"
    mv "$dest/etc/systemd/system/$unit.tmp" "$dest/etc/systemd/system/$unit"
done
log "units in /etc/systemd/system"

# --- configuration -----------------------------------------------------------
etc=$dest/etc/survey
install -d -m 0750 "$etc" "$etc/tls"
owner root:survey "$etc" "$etc/tls"
for conf in server gateway; do
    sed "s#/usr/local/#$prefix/#g" "$root/deploy/etc/$conf.conf" > "$etc/$conf.conf.example"
    chmod 0640 "$etc/$conf.conf.example"
    owner root:survey "$etc/$conf.conf.example"
done
if [[ ! -e $etc/pepper ]]; then
    # Every instance must share it: a token issued by one is checked by all.
    (umask 077; openssl rand -hex 32 > "$etc/pepper")
    log "made a new pepper in /etc/survey/pepper (back it up with the database)"
fi
chmod 0600 "$etc/pepper"
owner survey:survey "$etc/pepper"
# Configurations hold the database password.
for f in "$etc"/server-*.conf "$etc"/gateway.conf; do
    [[ -e $f ]] || continue
    chmod 0640 "$f"
    owner root:survey "$f"
done

if (( ! staging )) && [[ -d /run/systemd/system ]]; then
    systemctl daemon-reload
    log "systemd reloaded; instances running now need: systemctl restart 'survey-server@*' survey-gateway"
fi
log "done. Next: README \"Production\""
