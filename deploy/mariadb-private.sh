#!/usr/bin/env bash
# Private MariaDB instance owned by the Survey & Satisfaction Server project.
#
# Usage:
#   mariadb-private.sh start  DIR [PORT]   start (initialising DIR/data on first use);
#                                          prints the connection URL on stdout
#   mariadb-private.sh stop   DIR [--purge] stop the server (no error if not running);
#                                          --purge also deletes DIR
#   mariadb-private.sh status DIR          exit 0 if the server is running, 1 otherwise
#   mariadb-private.sh url    DIR          print the connection URL
#
# URL format: mysql://survey:survey@127.0.0.1:PORT/survey?socket=DIR/mysqld.sock
# Only the URL goes to stdout; every other message goes to stderr.
#
# Environment:
#   SURVEY_MARIADB_ROLE=primary|replica  replication role, remembered in
#       DIR/role from the first start that names one: a primary writes a
#       binary log (GTID, row format, encrypted like the rest) for its
#       replicas; a replica is read-only and has no binary log of its own.
#       deploy/mariadb-replica.sh attaches a replica to a primary.
#   SURVEY_MARIADB_TEMPLATE=DIR2  on first start, copy an already initialised
#       (and stopped) datadir instead of running mariadb-install-db. DIR2 may be
#       either a datadir or an instance directory containing data/.
#
# Layout of DIR: data/ my.cnf port mysqld.pid mysqld.err mysqld.sock
# encryption.key (mode 0600, outside data/ so that a copy of the datadir does
# not carry it).
#
# Encryption at rest: my.cnf includes deploy/mariadb/survey-encryption.cnf
# (InnoDB tables, undo, redo log, temporary files, Aria) with DIR's own key,
# generated with openssl rand on first start. An instance made by an older
# version of this script (no key file) gets a key at its next start; new
# tables are encrypted at once, the rest by the background threads.
# (the socket lives in /tmp/survey-mariadb-<hash>/ instead when DIR is so deep
# that DIR/mysqld.sock would exceed the 107-byte limit of unix socket paths).
set -euo pipefail

readonly DB_USER=survey
readonly DB_PASS=survey
readonly DB_NAME=survey
readonly START_DEADLINE=30
readonly STOP_DEADLINE=30

prog=$(basename "$0")
here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
readonly ENCRYPTION_CNF=$here/mariadb/survey-encryption.cnf
readonly OPS_SQL=$here/mariadb/survey-ops.sql

log() { printf '%s: %s\n' "$prog" "$*" >&2; }
die() { log "error: $*"; exit 1; }

usage() {
    cat >&2 <<EOF
usage: $prog start  DIR [PORT]
       $prog stop   DIR [--purge]
       $prog status DIR
       $prog url    DIR
EOF
    exit 2
}

# --- paths -------------------------------------------------------------------

set_paths() {
    local raw=$1
    [[ -n $raw ]] || die "DIR must not be empty"
    DIR=$(realpath -m -- "$raw")
    [[ $DIR != / ]] || die "refusing to use / as instance directory"
    # The path ends up in my.cnf and in a URL: keep it simple.
    [[ $DIR =~ ^[A-Za-z0-9._/+@,:=~-]+$ ]] ||
        die "instance directory '$DIR' contains characters unsupported in a my.cnf/URL (spaces, quotes, ...)"
    DATADIR=$DIR/data
    CNF=$DIR/my.cnf
    PORTFILE=$DIR/port
    PIDFILE=$DIR/mysqld.pid
    ERRLOG=$DIR/mysqld.err
    INITMARK=$DIR/.survey-initialized
    KEYFILE=$DIR/encryption.key
    SOCK=$DIR/mysqld.sock
    SOCKDIR=
    if (( ${#SOCK} > 100 )); then
        # sun_path is 108 bytes; use a short, deterministic path instead.
        local h
        h=$(printf '%s' "$DIR" | cksum | cut -d' ' -f1)
        SOCKDIR=/tmp/survey-mariadb-$(id -u)-$h
        SOCK=$SOCKDIR/mysqld.sock
    fi
}

url() { printf 'mysql://%s:%s@127.0.0.1:%s/%s?socket=%s\n' "$DB_USER" "$DB_PASS" "$1" "$DB_NAME" "$SOCK"; }

stored_port() {
    local p
    [[ -f $PORTFILE ]] || return 1
    p=$(<"$PORTFILE")
    [[ $p =~ ^[0-9]+$ ]] || return 1
    printf '%s\n' "$p"
}

pick_free_port() {
    local py=/usr/bin/python3
    [[ -x $py ]] || py=$(command -v python3) || die "python3 is required to pick a free port"
    "$py" -c 'import socket
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
}

# --- process state -----------------------------------------------------------

# Prints the pid of the server running for DIR, or fails.
running_pid() {
    local pid
    [[ -f $PIDFILE ]] || return 1
    pid=$(<"$PIDFILE") || return 1
    [[ $pid =~ ^[0-9]+$ ]] || return 1
    pid_is_ours "$pid" || return 1
    printf '%s\n' "$pid"
}

# True if PID is alive and is a mariadbd started with our defaults file
# (guards against a stale pid file whose pid was reused).
pid_is_ours() {
    local pid=$1 cmdline
    kill -0 "$pid" 2>/dev/null || return 1
    cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
    [[ $cmdline == *"--defaults-file=$CNF"* ]]
}

now_ms() { local t=${EPOCHREALTIME/[.,]/}; printf '%s\n' "$(( t / 1000 ))"; }

admin() { mariadb-admin --no-defaults --socket="$SOCK" -uroot --connect-timeout=2 "$@"; }

sql_root() { mariadb --no-defaults --socket="$SOCK" -uroot --batch --skip-column-names; }

lock_dir() {
    exec 9>"$DIR/.lock"
    flock -w 120 9 || die "timed out waiting for lock on $DIR/.lock"
}

# --- start -------------------------------------------------------------------

# The instance's encryption key: one AES-256 key, id 1, mode 0600. Made
# once; never replaced (data encrypted with it would be lost).
ensure_key() {
    [[ -s $KEYFILE ]] && return 0
    command -v openssl >/dev/null || die "openssl is required to create $KEYFILE"
    local hex
    hex=$(openssl rand -hex 32) || die "openssl rand failed"
    [[ $hex =~ ^[0-9a-f]{64}$ ]] || die "openssl rand gave no key"
    (umask 077 && printf '1;%s\n' "$hex" >"$KEYFILE.tmp")
    mv -- "$KEYFILE.tmp" "$KEYFILE"
}

# The encryption settings, with this instance's key file.
encryption_options() {
    [[ -f $ENCRYPTION_CNF ]] || die "missing $ENCRYPTION_CNF"
    sed -e "s|^file_key_management_filename *=.*|file_key_management_filename = $KEYFILE|" \
        -- "$ENCRYPTION_CNF"
}

init_datadir() {
    local tmpl=${SURVEY_MARIADB_TEMPLATE:-} src=
    if [[ -n $tmpl ]]; then
        if [[ -d $tmpl/data/mysql ]]; then
            src=$tmpl/data
        elif [[ -d $tmpl/mysql ]]; then
            src=$tmpl
        else
            log "warning: SURVEY_MARIADB_TEMPLATE=$tmpl is not an initialised datadir; ignoring"
        fi
        if [[ -n $src && ( -e $src/../mysqld.pid || -e $src/mysqld.pid ) ]]; then
            # Copying a live datadir would give a corrupt copy.
            local tpid
            tpid=$(cat "$src/../mysqld.pid" "$src/mysqld.pid" 2>/dev/null | head -n1) || true
            if [[ $tpid =~ ^[0-9]+$ ]] && kill -0 "$tpid" 2>/dev/null; then
                log "warning: template $src belongs to a running server; ignoring it"
                src=
            fi
        fi
    fi
    if [[ -n $src ]]; then
        log "copying template datadir $src"
        rm -rf -- "$DATADIR.tmp"
        cp -a --reflink=auto -- "$src" "$DATADIR.tmp"
        rm -f -- "$DATADIR.tmp/"*.pid "$DATADIR.tmp/"*.err
        # An encrypted template is readable only with its own key.
        if [[ -s $src/../encryption.key && ! -s $KEYFILE ]]; then
            cp -p -- "$src/../encryption.key" "$KEYFILE"
        fi
        mv -- "$DATADIR.tmp" "$DATADIR"
        return
    fi

    command -v mariadb-install-db >/dev/null ||
        die "mariadb-install-db not found (run deploy/install-deps.sh)"
    # Only the encryption settings: the system tablespace, undo and system
    # tables are written encrypted from the start.
    ensure_key
    encryption_options >"$DIR/install-db.cnf"
    # A tmpdir of its own: two instances initialised at once in /tmp (a
    # ctest fixture and a test's own instance) collided on the bootstrap's
    # temporary table names ("Unknown table 'mysql.tmp_user_sys'").
    mkdir -p -- "$DIR/tmp"
    local args=("--defaults-file=$DIR/install-db.cnf" "--datadir=$DATADIR.tmp"
        "--tmpdir=$DIR/tmp"
        --auth-root-authentication-method=normal --skip-test-db --skip-name-resolve)
    if (( EUID == 0 )); then args+=("--user=$(id -un)"); fi
    rm -rf -- "$DATADIR.tmp"
    if ! mariadb-install-db "${args[@]}" >"$DIR/install-db.log" 2>&1; then
        tail -n 40 "$DIR/install-db.log" >&2 || true
        rm -rf -- "$DATADIR.tmp"
        die "mariadb-install-db failed (log: $DIR/install-db.log)"
    fi
    # Rename only once complete, so an interrupted init is redone next time.
    mv -- "$DATADIR.tmp" "$DATADIR"
}

# The role of DIR: SURVEY_MARIADB_ROLE if set (and then remembered), else
# what an earlier start remembered, else standalone.
role() {
    local r=${SURVEY_MARIADB_ROLE:-}
    if [[ -n $r ]]; then
        [[ $r == primary || $r == replica ]] || die "SURVEY_MARIADB_ROLE must be primary or replica"
        printf '%s\n' "$r" >"$DIR/role"
    elif [[ -f $DIR/role ]]; then
        r=$(<"$DIR/role")
    fi
    printf '%s\n' "${r:-standalone}"
}

replication_options() {
    local port=$1
    case $(role) in
        primary)
            echo "log-bin=$DATADIR/binlog"
            echo "server_id=1"
            echo "binlog_format=ROW"
            echo "sync_binlog=1"
            # Replicas read it within seconds; a day covers a replica
            # restarting. Closing a campaign purges it sooner (anonymity).
            echo "binlog_expire_logs_seconds=86400"
            ;;
        replica)
            echo "skip-log-bin"
            # Any id but the primary's 1; the port keeps two replicas apart.
            echo "server_id=$(( port % 4000000000 + 2 ))"
            echo "read_only=ON"
            echo "relay_log=$DATADIR/relay"
            echo "relay_log_purge=ON"
            ;;
        *)
            echo "skip-log-bin"
            ;;
    esac
}

write_cnf() {
    local port=$1
    mkdir -p -- "$DIR/tmp"
    {
        echo "# Generated by deploy/mariadb-private.sh - private server of Survey & Satisfaction Server"
        echo "[mysqld]"
        if (( EUID == 0 )); then echo "user=root"; fi
        echo "datadir=$DATADIR"
        echo "tmpdir=$DIR/tmp"
        echo "socket=$SOCK"
        echo "port=$port"
        echo "bind-address=127.0.0.1"
        echo "pid-file=$PIDFILE"
        echo "log-error=$ERRLOG"
        echo "innodb_flush_log_at_trx_commit=1"
        replication_options "$port"
        echo "general_log=0"
        echo "character-set-server=utf8mb4"
        echo "collation-server=utf8mb4_unicode_ci"
        echo "sql_mode=STRICT_ALL_TABLES,NO_ZERO_DATE,NO_ZERO_IN_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION"
        echo "innodb_buffer_pool_size=256M"
        echo "max_connections=500"
        echo "skip-name-resolve"
        echo ""
        encryption_options
        echo ""
        echo "[client]"
        echo "socket=$SOCK"
        echo "port=$port"
        echo "default-character-set=utf8mb4"
    } >"$CNF.tmp"
    mv -- "$CNF.tmp" "$CNF"
}

# Starts mariadbd detached from the caller (own session, no inherited fds, so
# ctest / $(...) callers do not wait for it). Sets LAUNCHED_PID.
launch() {
    local fd
    (
        # Close every inherited descriptor above stderr (e.g. our lock fd 9,
        # pipes of a ctest fixture).
        for fd in /proc/"$BASHPID"/fd/*; do
            fd=${fd##*/}
            if (( fd > 2 )); then eval "exec $fd>&-" 2>/dev/null || true; fi
        done
        cd /
        exec setsid mariadbd "--defaults-file=$CNF" </dev/null >>"$DIR/mysqld.out" 2>&1
    ) &
    LAUNCHED_PID=$!
}

# Waits until the server answers on its socket. Returns 0 when up, 1 when the
# process died, 2 on timeout.
wait_until_up() {
    local pid=$1 deadline
    deadline=$(( $(now_ms) + START_DEADLINE * 1000 ))
    while :; do
        if [[ -S $SOCK ]] && admin ping >/dev/null 2>&1; then return 0; fi
        if ! kill -0 "$pid" 2>/dev/null; then
            wait "$pid" 2>/dev/null || true
            return 1
        fi
        (( $(now_ms) < deadline )) || return 2
        sleep 0.05
    done
}

first_start_sql() {
    sql_root <<SQL
CREATE USER IF NOT EXISTS '$DB_USER'@'localhost' IDENTIFIED BY '$DB_PASS';
CREATE USER IF NOT EXISTS '$DB_USER'@'127.0.0.1' IDENTIFIED BY '$DB_PASS';
GRANT ALL PRIVILEGES ON *.* TO '$DB_USER'@'localhost';
GRANT ALL PRIVILEGES ON *.* TO '$DB_USER'@'127.0.0.1';
-- mariadb-install-db also creates root@<hostname>, which skip-name-resolve
-- ignores with a warning in the error log; drop it.
DELETE FROM mysql.global_priv WHERE Host = @@hostname AND Host NOT IN ('localhost', '127.0.0.1', '::1', '%');
DELETE FROM mysql.proxies_priv WHERE Host = @@hostname AND Host NOT IN ('localhost', '127.0.0.1', '::1', '%');
CREATE DATABASE IF NOT EXISTS \`$DB_NAME\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
FLUSH PRIVILEGES;
SQL
}

cmd_start() {
    local want_port=${1:-} pid port t0 attempt rc errsize
    if [[ -n $want_port ]]; then
        if [[ ! $want_port =~ ^[0-9]+$ ]] || (( want_port < 1 || want_port > 65535 )); then
            die "invalid port '$want_port'"
        fi
    fi
    t0=$(now_ms)
    mkdir -p -- "$DIR"
    lock_dir

    if pid=$(running_pid); then
        port=$(stored_port) || die "server running (pid $pid) but $PORTFILE is missing"
        if [[ -n $want_port && $want_port != "$port" ]]; then
            log "warning: already running on port $port (requested $want_port)"
        fi
        log "already running (pid $pid)"
        url "$port"
        return 0
    fi
    command -v mariadbd >/dev/null || die "mariadbd not found (run deploy/install-deps.sh)"

    # Stale leftovers of a crashed/killed server.
    rm -f -- "$PIDFILE" "$SOCK" "$SOCK.lock"
    if [[ -n $SOCKDIR && ! -d $SOCKDIR ]]; then mkdir -m 700 -- "$SOCKDIR"; fi

    if [[ ! -d $DATADIR ]]; then
        init_datadir
    fi
    ensure_key

    local fixed_port=1
    if [[ -n $want_port ]]; then
        port=$want_port
    elif port=$(stored_port); then
        :
    else
        port=$(pick_free_port)
        fixed_port=0
    fi

    for attempt in 1 2 3 4 5; do
        write_cnf "$port"
        errsize=0
        if [[ -f $ERRLOG ]]; then errsize=$(stat -c %s -- "$ERRLOG"); fi
        launch
        rc=0
        wait_until_up "$LAUNCHED_PID" || rc=$?
        if (( rc == 0 )); then break; fi
        if (( rc == 1 && fixed_port == 0 )) &&
            tail -c +"$((errsize + 1))" -- "$ERRLOG" 2>/dev/null | grep -q 'Address already in use'; then
            # Lost the race for the port we were given by the kernel: retry.
            log "port $port was taken meanwhile, retrying with another one (attempt $attempt)"
            port=$(pick_free_port)
            continue
        fi
        if (( rc == 2 )); then
            kill -TERM "$LAUNCHED_PID" 2>/dev/null || true
            log "server did not answer within ${START_DEADLINE}s"
        else
            log "mariadbd exited during startup"
        fi
        log "---- tail of $ERRLOG ----"
        tail -n 30 -- "$ERRLOG" >&2 2>/dev/null || true
        exit 1
    done
    (( rc == 0 )) || die "could not find a free port for mariadbd"
    printf '%s\n' "$port" >"$PORTFILE"

    if [[ ! -f $INITMARK ]]; then
        if ! first_start_sql; then
            die "failed to create user '$DB_USER' (server left running; see $ERRLOG)"
        fi
        : >"$INITMARK"
    fi
    # Every start, so instances made by older versions get it too.
    if ! sql_root <"$OPS_SQL"; then
        die "failed to run $OPS_SQL (server left running; see $ERRLOG)"
    fi
    log "started mariadbd (pid $(cat "$PIDFILE" 2>/dev/null || echo "$LAUNCHED_PID"), port $port) in $(( $(now_ms) - t0 )) ms"
    url "$port"
}

# --- stop ----------------------------------------------------------------------

cmd_stop() {
    local purge=0 pid deadline
    case ${1:-} in
        "") ;;
        --purge) purge=1 ;;
        *) usage ;;
    esac
    if [[ ! -d $DIR ]]; then
        return 0
    fi
    if (( purge )) && [[ -n $(ls -A -- "$DIR") ]] &&
        [[ ! -e $CNF && ! -e $DATADIR && ! -e $PORTFILE && ! -e $DATADIR.tmp && ! -e $DIR/.lock ]]; then
        die "refusing to purge $DIR: it does not look like a mariadb-private.sh instance directory"
    fi
    lock_dir

    if pid=$(running_pid); then
        # SIGTERM is the documented clean shutdown, needs no credentials.
        kill -TERM "$pid" 2>/dev/null || true
        deadline=$(( $(now_ms) + STOP_DEADLINE * 1000 ))
        while pid_is_ours "$pid"; do
            if (( $(now_ms) >= deadline )); then
                log "warning: mariadbd (pid $pid) did not stop within ${STOP_DEADLINE}s; sending SIGKILL"
                kill -KILL "$pid" 2>/dev/null || true
                sleep 0.5
                if pid_is_ours "$pid"; then die "could not stop mariadbd (pid $pid)"; fi
                break
            fi
            sleep 0.05
        done
        log "stopped mariadbd (pid $pid)"
    fi
    rm -f -- "$PIDFILE"
    if (( purge )); then
        exec 9>&-
        rm -rf -- "$DIR"
        if [[ -n $SOCKDIR ]]; then rm -rf -- "$SOCKDIR"; fi
        log "purged $DIR"
    fi
}

cmd_status() {
    local pid
    if pid=$(running_pid); then
        log "running (pid $pid, port $(stored_port || echo '?'))"
        return 0
    fi
    log "not running"
    return 1
}

cmd_url() {
    local port
    port=$(stored_port) || die "no port recorded in $PORTFILE (never started?)"
    url "$port"
}

main() {
    (( $# >= 2 )) || usage
    local cmd=$1
    shift
    case $cmd in
        start)
            (( $# <= 2 )) || usage
            set_paths "$1"; shift; cmd_start "$@" ;;
        stop)
            (( $# <= 2 )) || usage
            # Do not create DIR just to stop it.
            [[ -d $1 ]] || return 0
            set_paths "$1"; shift; cmd_stop "$@" ;;
        status)
            (( $# == 1 )) || usage
            [[ -d $1 ]] || { log "not running"; return 1; }
            set_paths "$1"; cmd_status ;;
        url)
            (( $# == 1 )) || usage
            [[ -d $1 ]] || die "$1 does not exist"
            set_paths "$1"; cmd_url ;;
        *) usage ;;
    esac
}

main "$@"
