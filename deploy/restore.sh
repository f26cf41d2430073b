#!/usr/bin/env bash
# Restores a deploy/backup.sh backup into a fresh datadir (issue 17).
#
# Usage: deploy/restore.sh --key KEYFILE BACKUP --instance DIR
#            into a new deploy/mariadb-private.sh instance directory DIR
#            (must not exist); then `deploy/mariadb-private.sh start DIR`
#        deploy/restore.sh --key KEYFILE BACKUP --datadir DATADIR
#            into an empty datadir of a stopped server (production, as root;
#            then chown -R mysql:mysql DATADIR and start the server with
#            KEYFILE as its file_key_management_filename)
#
# KEYFILE is the encryption key of the server the backup was taken from
# (checked against the backup's SHA-256 of it). The backup itself is left
# untouched: it is prepared (the redo log applied, which needs the key) in a
# copy next to the target, then moved into place.
set -euo pipefail

prog=$(basename "$0")
die() { printf '%s: error: %s\n' "$prog" "$*" >&2; exit 1; }
log() { printf '%s: %s\n' "$prog" "$*" >&2; }

key= backup= instance= datadir=
while (( $# )); do
    case $1 in
        --key) key=$(realpath -- "${2:?}"); shift 2 ;;
        --instance) instance=$(realpath -m -- "${2:?}"); shift 2 ;;
        --datadir) datadir=$(realpath -m -- "${2:?}"); shift 2 ;;
        -*) die "unknown option $1" ;;
        *) backup=$(realpath -- "$1"); shift ;;
    esac
done
[[ -n $key && -n $backup ]] || die "usage: $prog --key KEYFILE BACKUP (--instance DIR | --datadir DATADIR)"
[[ -f $backup/backup-my.cnf && -f $backup/SURVEY-BACKUP ]] || die "$backup is not a deploy/backup.sh backup"
[[ -r $key ]] || die "cannot read key $key"
want=$(sed -n 's/^key-sha256=//p' "$backup/SURVEY-BACKUP")
have=$(sha256sum <"$key" | cut -d' ' -f1)
[[ -z $want || $want == "$have" ]] || die "$key is not the key this backup was encrypted with"
if [[ -n $instance ]]; then
    [[ ! -e $instance || -z $(ls -A -- "$instance") ]] || die "$instance exists and is not empty"
    datadir=$instance/data
fi
[[ -n $datadir ]] || die "--instance DIR or --datadir DATADIR"
[[ ! -e $datadir || -z $(ls -A -- "$datadir") ]] || die "$datadir is not empty"
command -v mariadb-backup >/dev/null || die "mariadb-backup not found (deploy/install-deps.sh)"

parent=$(dirname -- "$datadir")
mkdir -p -- "$parent"
work=$(mktemp -d -- "$parent/.restore.XXXXXX")
trap 'rm -rf -- "$work"' EXIT
t0=${EPOCHREALTIME}
cp -a -- "$backup/." "$work/"
# The key's path on this host.
sed -i -e "s|^file_key_management_filename=.*|file_key_management_filename=$key|" \
    -- "$work/backup-my.cnf"
if ! mariadb-backup --prepare "--target-dir=$work" >"$parent/restore-prepare.log" 2>&1; then
    tail -n 30 -- "$parent/restore-prepare.log" >&2
    die "mariadb-backup --prepare failed (log: $parent/restore-prepare.log)"
fi
rm -f -- "$work/SURVEY-BACKUP" "$work/backup.log"
# --move-back: the prepared copy is ours; no second copy of the data.
if ! mariadb-backup --move-back "--target-dir=$work" "--datadir=$datadir" \
        >"$parent/restore-move.log" 2>&1; then
    tail -n 30 -- "$parent/restore-move.log" >&2
    die "mariadb-backup --move-back failed (log: $parent/restore-move.log)"
fi
if [[ -n $instance ]]; then
    (umask 077 && cp -- "$key" "$instance/encryption.key")
    # The users and the database came with the backup.
    : >"$instance/.survey-initialized"
fi
log "restored into $datadir in $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN{printf "%.1f", b-a}') s"
