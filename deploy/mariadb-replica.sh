#!/usr/bin/env bash
# A read replica of a private MariaDB primary, for reports (survey-server
# --db-read-url). Both instances are deploy/mariadb-private.sh instances on
# this machine; production does the same with its own hosts (README,
# "Production").
#
# Usage:
#   mariadb-replica.sh attach PRIMARY_DIR REPLICA_DIR
#       starts the primary with a binary log if needed (SURVEY_MARIADB_ROLE=
#       primary; an instance started before without one is restarted), starts
#       the replica, copies every database of the primary into it at one GTID
#       position (mariadb-dump --single-transaction --gtid), replicates from
#       there and waits until it has caught up; prints the replica's URL.
#       Attaching again starts over from a fresh copy.
#   mariadb-replica.sh lag PRIMARY_DIR REPLICA_DIR
#       prints how far the replica is behind: "<seconds> <primary gtid> <replica gtid>".
#
# Replication runs over loopback TCP as survey_repl, whose password is made
# once and kept in PRIMARY_DIR/replication.password (mode 0600).
set -euo pipefail

prog=$(basename "$0")
here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
private=$here/mariadb-private.sh
readonly CATCH_UP_DEADLINE=60

log() { printf '%s: %s\n' "$prog" "$*" >&2; }
die() { log "error: $*"; exit 1; }

socket_of() {  # URL -> socket path
    local url=$1
    printf '%s\n' "${url##*socket=}"
}
port_of() {  # URL -> port
    local url=${1#*@127.0.0.1:}
    printf '%s\n' "${url%%/*}"
}
sql() {  # SOCKET [mariadb args...] < SQL
    local sock=$1; shift
    mariadb --no-defaults --socket="$sock" -uroot --batch --skip-column-names "$@"
}

cmd_attach() {
    local pdir=$1 rdir=$2 purl rurl psock rsock pport pw
    [[ -n $pdir && -n $rdir ]] || die "usage: $prog attach PRIMARY_DIR REPLICA_DIR"
    purl=$(SURVEY_MARIADB_ROLE=primary bash "$private" start "$pdir")
    psock=$(socket_of "$purl")
    if [[ $(sql "$psock" -e 'SELECT @@GLOBAL.log_bin') != 1 ]]; then
        log "restarting the primary with a binary log"
        bash "$private" stop "$pdir"
        purl=$(SURVEY_MARIADB_ROLE=primary bash "$private" start "$pdir")
        psock=$(socket_of "$purl")
    fi
    pport=$(port_of "$purl")
    if [[ ! -s $pdir/replication.password ]]; then
        (umask 077 && openssl rand -hex 24 >"$pdir/replication.password")
    fi
    pw=$(<"$pdir/replication.password")
    sql "$psock" <<SQL
CREATE USER IF NOT EXISTS 'survey_repl'@'127.0.0.1' IDENTIFIED BY '$pw';
ALTER USER 'survey_repl'@'127.0.0.1' IDENTIFIED BY '$pw';
GRANT REPLICATION SLAVE ON *.* TO 'survey_repl'@'127.0.0.1';
SQL

    rurl=$(SURVEY_MARIADB_ROLE=replica bash "$private" start "$rdir")
    rsock=$(socket_of "$rurl")
    # The server's account only reads here: with its usual rights it could
    # write past read_only, and a replica that differs from its primary
    # reports wrong figures or stops replicating.
    sql "$rsock" <<SQL
STOP SLAVE;
RESET SLAVE ALL;
REVOKE ALL PRIVILEGES, GRANT OPTION FROM 'survey'@'localhost', 'survey'@'127.0.0.1';
GRANT SELECT ON *.* TO 'survey'@'localhost', 'survey'@'127.0.0.1';
SQL

    # Every database of the primary but the server's own, at one position.
    local dbs
    dbs=$(sql "$psock" -e "SELECT schema_name FROM information_schema.schemata WHERE schema_name
        NOT IN ('mysql', 'information_schema', 'performance_schema', 'sys')" | tr '\n' ' ')
    # shellcheck disable=SC2086
    mariadb-dump --no-defaults --socket="$psock" -uroot --single-transaction --gtid \
        --master-data=1 --routines --events --triggers --add-drop-database \
        --databases $dbs | sql "$rsock"
    sql "$rsock" <<SQL
CHANGE MASTER TO MASTER_HOST = '127.0.0.1', MASTER_PORT = $pport,
  MASTER_USER = 'survey_repl', MASTER_PASSWORD = '$pw',
  MASTER_USE_GTID = slave_pos, MASTER_CONNECT_RETRY = 1;
START SLAVE;
SQL
    local deadline=$(( SECONDS + CATCH_UP_DEADLINE )) pos caught
    while :; do
        pos=$(sql "$psock" -e 'SELECT @@GLOBAL.gtid_binlog_pos')
        caught=$(sql "$rsock" -e "SELECT MASTER_GTID_WAIT('$pos', 1)")
        [[ $caught == 0 ]] && break
        (( SECONDS < deadline )) || die "the replica did not catch up within ${CATCH_UP_DEADLINE}s: $(sql "$rsock" -e 'SHOW SLAVE STATUS\G' | grep -E 'Running|Error' | tr -s ' ')"
    done
    log "replica $rdir follows $pdir from GTID $pos"
    printf '%s\n' "$rurl"
}

cmd_lag() {
    local pdir=$1 rdir=$2 psock rsock
    psock=$(socket_of "$(bash "$private" url "$pdir")")
    rsock=$(socket_of "$(bash "$private" url "$rdir")")
    local behind
    behind=$(mariadb --no-defaults --socket="$rsock" -uroot -e 'SHOW SLAVE STATUS\G' |
        sed -n 's/^ *Seconds_Behind_Master: //p')
    printf '%s %s %s\n' "${behind:-NULL}" "$(sql "$psock" -e 'SELECT @@GLOBAL.gtid_binlog_pos')" \
        "$(sql "$rsock" -e 'SELECT @@GLOBAL.gtid_slave_pos')"
}

case ${1:-} in
    attach) shift; cmd_attach "${1:-}" "${2:-}" ;;
    lag) shift; cmd_lag "${1:-}" "${2:-}" ;;
    *) echo "usage: $prog attach|lag PRIMARY_DIR REPLICA_DIR" >&2; exit 2 ;;
esac
