#!/usr/bin/env bash
# Installs the Debian 12 (bookworm) packages Survey & Satisfaction Server needs
# to build, test and run. Idempotent: when everything is already installed it
# exits at once, without root, apt-get update or network access.
#
# Usage: deploy/install-deps.sh        (as root; re-executes itself via sudo otherwise)
set -euo pipefail

readonly PACKAGES=(
    build-essential
    cmake
    pkg-config
    ccache
    libgrpc++-dev
    protobuf-compiler-grpc
    libprotobuf-dev
    protobuf-compiler
    libmysqlcppconn-dev
    libssl-dev
    openssl
    libgtest-dev
    libabsl-dev
    mariadb-server
    mariadb-client
    libqrencode-dev
    libpng-dev
    libspdlog-dev
    libsodium-dev
    libcli11-dev
    nlohmann-json3-dev
    python3
    ca-certificates
    tzdata
    procps
    libcpp-httplib-dev
    chromium
    fonts-noto-cjk
    nginx
    mariadb-backup
)

log() { printf 'install-deps.sh: %s\n' "$*" >&2; }

# Prints the packages of PACKAGES that are not fully installed ("ii").
missing_packages() {
    local -A installed=()
    local name status pkg
    while IFS=$'\t' read -r name status; do
        [[ ${status:0:2} == ii ]] && installed[${name%%:*}]=1
    done < <(dpkg-query -W -f='${binary:Package}\t${db:Status-Abbrev}\n' "${PACKAGES[@]}" 2>/dev/null || true)
    for pkg in "${PACKAGES[@]}"; do
        [[ -n ${installed[$pkg]:-} ]] || printf '%s\n' "$pkg"
    done
}

command -v dpkg-query >/dev/null || { log "error: dpkg-query not found; this script targets Debian 12"; exit 1; }

mapfile -t missing < <(missing_packages)
if (( ${#missing[@]} == 0 )); then
    log "all ${#PACKAGES[@]} packages already installed"
    exit 0
fi

if (( EUID != 0 )); then
    if command -v sudo >/dev/null; then
        log "re-running as root via sudo"
        exec sudo -- /usr/bin/env bash "$(realpath -- "${BASH_SOURCE[0]}")" "$@"
    fi
    log "error: must be run as root (and sudo is not available) to install: ${missing[*]}"
    exit 1
fi

if [[ -r /etc/os-release ]]; then
    # shellcheck source=/dev/null
    . /etc/os-release
    if [[ ${ID:-} != debian || ${VERSION_ID:-} != 12 ]]; then
        log "warning: written for Debian 12, this is ${PRETTY_NAME:-unknown}; continuing"
    fi
fi

log "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update
# Only the missing packages, so already installed ones are not upgraded behind
# the user's back. (mariadb-server's postinst may start the system service; we
# never use it: tests and demos run a private server, see mariadb-private.sh.)
apt-get install -y --no-install-recommends "${missing[@]}"

mapfile -t still_missing < <(missing_packages)
if (( ${#still_missing[@]} > 0 )); then
    log "error: still not installed: ${still_missing[*]}"
    exit 1
fi
log "done"
