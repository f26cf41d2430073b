#!/usr/bin/env bash
# Certificates for a TLS deployment, with the openssl command only: a
# private CA, the server's certificate and staff client certificates.
#
# Usage: deploy/certs.sh DIR                 CA + server certificate
#        deploy/certs.sh DIR staff NAME...   + a client certificate per staff
#                                             account NAME (subject CN=NAME)
#
# Makes (keys mode 0600, DIR mode 0700 if it makes DIR):
#   DIR/ca.pem  DIR/ca.key                  the private CA (keep ca.key offline
#                                           once the certificates are made)
#   DIR/server.pem  DIR/server.key          SAN localhost, 127.0.0.1, ::1 and
#                                           whatever SURVEY_TLS_SAN adds, e.g.
#                                           SURVEY_TLS_SAN=DNS:survey.example.com,IP:10.0.0.5
#   DIR/staff/NAME.pem  DIR/staff/NAME.key  client certificate of account NAME
#
# Idempotent: what exists and still verifies against DIR/ca.pem is kept;
# only what is missing (or signed by another CA) is made. To renew, delete
# the file. The server then runs with
#   --tls-cert DIR/server.pem --tls-key DIR/server.key --tls-client-ca DIR/ca.pem
# and surveyctl with
#   --tls-ca DIR/ca.pem [--tls-cert DIR/staff/NAME.pem --tls-key DIR/staff/NAME.key]
set -euo pipefail

usage() { sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
log() { printf 'certs: %s\n' "$*" >&2; }

[[ $# -ge 1 ]] || usage
dir=$1
shift
mode=server
if [[ $# -gt 0 ]]; then
    [[ $1 == staff && $# -ge 2 ]] || usage
    mode=staff
    shift
fi

umask 077
# A directory made here is private (0700). An existing one keeps its mode
# and owner: /etc/survey/tls is root:survey 0750 (deploy/install.sh) so the
# survey user can reach its certificate and key; 0700 there stopped
# survey-server under systemd ("cannot read /etc/survey/tls/server.pem").
[[ -d $dir ]] || { mkdir -p "$dir" && chmod 700 "$dir"; }

ca_days=${SURVEY_CA_DAYS:-3650}
server_days=${SURVEY_SERVER_CERT_DAYS:-825}
staff_days=${SURVEY_STAFF_CERT_DAYS:-365}

new_key() {  # path: a P-256 key, mode 0600
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
        -out "$1.tmp" 2>/dev/null
    chmod 600 "$1.tmp"
    mv -f "$1.tmp" "$1"
}

# True if $1 exists, is signed by our CA, is not expired and has its key.
still_good() {
    [[ -s $1.pem && -s $1.key ]] || return 1
    openssl verify -CAfile "$dir/ca.pem" "$1.pem" >/dev/null 2>&1 || return 1
    openssl x509 -in "$1.pem" -noout -checkend 86400 >/dev/null 2>&1 || return 1
    [[ "$(openssl x509 -in "$1.pem" -noout -pubkey)" == \
       "$(openssl pkey -in "$1.key" -pubout)" ]]
}

ensure_ca() {
    if [[ -s $dir/ca.pem && -s $dir/ca.key ]]; then return; fi
    log "making a private CA in $dir"
    new_key "$dir/ca.key"
    openssl req -x509 -new -key "$dir/ca.key" -sha256 -days "$ca_days" \
        -subj "/O=Survey Server/CN=Survey Server private CA" \
        -addext "basicConstraints=critical,CA:TRUE,pathlen:0" \
        -addext "keyUsage=critical,keyCertSign,cRLSign" \
        -out "$dir/ca.pem.tmp"
    chmod 644 "$dir/ca.pem.tmp"
    mv -f "$dir/ca.pem.tmp" "$dir/ca.pem"
}

sign() {  # base subject days extensions...
    local base=$1 subject=$2 days=$3
    shift 3
    local ext
    ext=$(mktemp)
    printf '%s\n' "[x]" "$@" >"$ext"
    new_key "$base.key"
    openssl req -new -key "$base.key" -subj "$subject" -out "$base.csr"
    openssl x509 -req -in "$base.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" \
        -CAcreateserial -sha256 -days "$days" -extfile "$ext" -extensions x \
        -out "$base.pem.tmp" 2>/dev/null
    rm -f "$base.csr" "$ext"
    chmod 644 "$base.pem.tmp"
    mv -f "$base.pem.tmp" "$base.pem"
}

ensure_ca
if [[ $mode == server ]]; then
    if still_good "$dir/server"; then
        log "kept $dir/server.pem"
    else
        san="DNS:localhost,IP:127.0.0.1,IP:::1${SURVEY_TLS_SAN:+,$SURVEY_TLS_SAN}"
        log "making $dir/server.pem ($san)"
        sign "$dir/server" "/O=Survey Server/CN=survey-server" "$server_days" \
            "basicConstraints=critical,CA:FALSE" \
            "keyUsage=critical,digitalSignature" \
            "extendedKeyUsage=serverAuth" \
            "subjectAltName=$san"
    fi
    exit 0
fi

mkdir -p "$dir/staff"
for name in "$@"; do
    # The CN is the staff account (README "Staff accounts"): nothing that
    # could smuggle in another subject field ('/', '=', ',', '+') or
    # surprise a file name.
    if [[ ! $name =~ ^[A-Za-z0-9][A-Za-z0-9\ ._@-]{0,63}$ ]]; then
        log "bad staff account name '$name' (letters, digits, space . _ @ -; at most 64, first a letter or digit)"
        exit 2
    fi
    if still_good "$dir/staff/$name"; then
        log "kept $dir/staff/$name.pem"
        continue
    fi
    log "making $dir/staff/$name.pem (CN=$name)"
    sign "$dir/staff/$name" "/O=Survey Server staff/CN=$name" "$staff_days" \
        "basicConstraints=critical,CA:FALSE" \
        "keyUsage=critical,digitalSignature" \
        "extendedKeyUsage=clientAuth"
done
