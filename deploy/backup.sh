#!/usr/bin/env bash
# A physical backup of the survey MariaDB with mariadb-backup (issue 17).
#
# Usage: deploy/backup.sh --instance DIR OUT         a deploy/mariadb-private.sh instance
#        deploy/backup.sh --defaults-file CNF OUT    any server (production:
#                                                    /etc/mysql/my.cnf), run as root
#
# OUT (must not exist) receives the backup as mariadb-backup copied it,
# NOT prepared: the pages and the redo log stay encrypted with the server's
# key (deploy/mariadb/survey-encryption.cnf), so OUT alone reveals nothing.
# The key is NOT copied: keep it apart from the backups (lose it and the
# backup is worthless; store it with it and the encryption is worthless).
# OUT/SURVEY-BACKUP names the key by its SHA-256, so that deploy/restore.sh
# can refuse a wrong key before it runs.
#
# Anonymity: take backups after a campaign was closed. A backup taken while
# a campaign is open holds, for whoever also has the key, the same pairing
# of answers and token HMACs as the live datadir (redo and undo of the last
# answers); see README, "Backups".
#
# The backup does not block the server: InnoDB is copied hot, with a short
# backup lock at the end. Also back up the pepper file (--pepper-file) and
# the key, separately: a restore without the pepper leaves every unused
# token of an open campaign unusable.
set -euo pipefail

prog=$(basename "$0")
die() { printf '%s: error: %s\n' "$prog" "$*" >&2; exit 1; }
log() { printf '%s: %s\n' "$prog" "$*" >&2; }

cnf= socket=
case ${1:-} in
    --instance)
        [[ -n ${2:-} ]] || die "--instance DIR"
        cnf=$(realpath -- "$2")/my.cnf
        [[ -f $cnf ]] || die "$cnf not found (not a mariadb-private.sh instance?)"
        socket=$(sed -n 's/^socket=//p' "$cnf" | head -n1)
        ;;
    --defaults-file)
        [[ -n ${2:-} ]] || die "--defaults-file CNF"
        cnf=$(realpath -- "$2")
        ;;
    *) die "usage: $prog --instance DIR OUT | --defaults-file CNF OUT" ;;
esac
out=${3:-}
[[ -n $out ]] || die "missing OUT"
[[ ! -e $out ]] || die "$out exists"
command -v mariadb-backup >/dev/null || die "mariadb-backup not found (deploy/install-deps.sh)"

args=("--defaults-file=$cnf" --backup "--target-dir=$out.tmp" --user=root)
[[ -n $socket ]] && args+=("--socket=$socket")
rm -rf -- "$out.tmp"
mkdir -p -m 0700 -- "$out.tmp"
t0=${EPOCHREALTIME}
if ! mariadb-backup "${args[@]}" >"$out.tmp.log" 2>&1; then
    tail -n 30 -- "$out.tmp.log" >&2
    rm -rf -- "$out.tmp"
    die "mariadb-backup failed (log: $out.tmp.log)"
fi
key=$(sed -n 's/^file_key_management_filename=//p' "$out.tmp/backup-my.cnf" | head -n1)
{
    echo "made-by=deploy/backup.sh"
    echo "made-at=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "server=$(mariadb-backup --version 2>&1 | head -n1)"
    if [[ -n $key && -r $key ]]; then
        echo "key-sha256=$(sha256sum <"$key" | cut -d' ' -f1)"
    fi
} >"$out.tmp/SURVEY-BACKUP"
mv -- "$out.tmp.log" "$out.tmp/backup.log"
mv -- "$out.tmp" "$out"
log "backup in $out ($(du -sh -- "$out" | cut -f1), $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN{printf "%.1f", b-a}') s); the key is not in it"
