#!/usr/bin/env bash
# CTest fixture helper: a private MariaDB for one ctest run.
#
# Usage:
#   db_fixture.sh setup   BUILD_DIR   purge any leftover instance, start a fresh one
#                                     under BUILD_DIR/test-mariadb and write its URL
#                                     to BUILD_DIR/test-mariadb.url (also printed)
#   db_fixture.sh cleanup BUILD_DIR   stop and purge it, remove the URL file
set -euo pipefail

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
mariadb_private=$here/../../deploy/mariadb-private.sh

usage() {
    echo "usage: $(basename "$0") setup|cleanup BUILD_DIR" >&2
    exit 2
}

(( $# == 2 )) || usage
action=$1
build_dir=$2
[[ -n $build_dir ]] || usage
[[ -f $mariadb_private ]] || { echo "db_fixture.sh: missing $mariadb_private" >&2; exit 1; }

instance=$build_dir/test-mariadb
url_file=$build_dir/test-mariadb.url

case $action in
    setup)
        mkdir -p -- "$build_dir"
        rm -f -- "$url_file"
        # Leftover of an interrupted run: start from scratch.
        bash "$mariadb_private" stop "$instance" --purge
        url=$(bash "$mariadb_private" start "$instance")
        [[ -n $url ]] || { echo "db_fixture.sh: no URL from mariadb-private.sh" >&2; exit 1; }
        printf '%s\n' "$url" >"$url_file.tmp"
        mv -- "$url_file.tmp" "$url_file"
        echo "test MariaDB: $url"
        ;;
    cleanup)
        rm -f -- "$url_file"
        bash "$mariadb_private" stop "$instance" --purge
        ;;
    *)
        usage
        ;;
esac
