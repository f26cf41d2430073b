#!/usr/bin/env bash
# Production capacity on this machine (issue 17): Submit through nginx with
# one and with two survey-server instances on one MariaDB primary (answers/s,
# p50/p99, the ratio), how far the replica trails, and the backup/restore
# time of a database holding a million answers. On demand, never in ctest.
#
# Usage: tests/bench/nginx_capacity.sh [nginx_bench options: --rounds N
#            --per-employee N --threads N]
#   BUILD_DIR (default build-bench), JOBS (default 2),
#   BACKUP_ANSWERS (default 1000000; 0 skips the backup part).
# Starts a private primary and replica (deploy/mariadb-replica.sh) in a
# temp dir, stopped and purged on exit. Needs nginx (deploy/install-deps.sh).
set -euo pipefail
root=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd -P)
cd "$root"
build_dir=$(realpath -m -- "${BUILD_DIR:-build-bench}")
jobs=${JOBS:-2}
answers=${BACKUP_ANSWERS:-1000000}

cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSURVEY_WERROR=ON >/dev/null
cmake --build "$build_dir" -j "$jobs" --target nginx_bench survey-server surveyctl

work=$(mktemp -d /tmp/survey-capacity.XXXXXX)
chmod 0755 "$work"
cleanup() {
    for d in primary replica restored; do
        bash deploy/mariadb-private.sh stop "$work/$d" --purge >/dev/null 2>&1 || true
    done
    rm -rf -- "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "host: $(nproc) cores, $(uname -r), $(nginx -v 2>&1), $(mariadbd --version | head -n1)" >&2
read -r load1 _ </proc/loadavg
echo "load average before the run: $load1" >&2
replica_url=$(bash deploy/mariadb-replica.sh attach "$work/primary" "$work/replica")
primary_url=$(bash deploy/mariadb-private.sh url "$work/primary")
status=0
"$build_dir/tests/bench/nginx_bench" --primary-url "$primary_url" --replica-url "$replica_url" \
    "$@" || status=$?
(( status == 0 )) || echo "nginx_capacity.sh: nginx_bench exited $status (2: answers unacknowledged)" >&2

(( answers > 0 )) || exit "$status"
# Backup and restore of a database of `answers` answers: the bench's data
# plus synthetic answers shaped like real ones (9 scores, reasons, a comment
# on one in three) and as many used invitations, all in one closed campaign
# of the bench. Written with sql_log_bin=0: the replica has no part in this.
sock=${primary_url##*socket=}
sql() { mariadb --no-defaults --socket="$sock" -uroot --batch --skip-column-names survey "$@"; }
campaign=$(sql -e "SELECT id FROM campaign WHERE state = 'closed' LIMIT 1")
[[ -n $campaign ]] || { echo "nginx_capacity.sh: no closed campaign" >&2; exit 1; }
t0=$(date +%s.%N)
for (( begin = 1; begin <= answers; begin += 100000 )); do
    end=$(( begin + 99999 < answers ? begin + 99999 : answers ))
    sql <<SQL
SET SESSION sql_log_bin = 0;
INSERT INTO response (id, campaign_id, subject_kind, subject_code, group_code, period,
                      scores, reasons, comment)
SELECT RANDOM_BYTES(16), '$campaign', 'employee', CONCAT('E', LPAD(1 + seq % 500, 4, '0')), '',
       '2025-01',
       CONCAT_WS(',', 1 + seq % 10, 1 + (seq DIV 3) % 10, 1 + (seq DIV 7) % 10,
                 1 + (seq DIV 11) % 10, 1 + (seq DIV 13) % 10, 1 + (seq DIV 17) % 10,
                 1 + (seq DIV 19) % 10, 1 + (seq DIV 23) % 10, 1 + (seq DIV 29) % 10),
       IF(seq % 4 = 0, '["waiting_time"]', '[]'),
       IF(seq % 3 = 0, CONCAT('Synthetic comment ', seq, ': ', REPEAT('service was fine ', 1 + seq % 8)), '')
FROM seq_${begin}_to_${end};
INSERT INTO invitation (token_hmac, campaign_id, subject_kind, subject_code, group_code,
                        expires_at, state)
SELECT UNHEX(SHA2(CONCAT('bench-', seq), 256)), '$campaign', 'employee',
       CONCAT('E', LPAD(1 + seq % 500, 4, '0')), '', 0, 'used'
FROM seq_${begin}_to_${end};
SQL
done
t1=$(date +%s.%N)
rows=$(sql -e "SELECT COUNT(*) FROM response")
size=$(sql -e "SELECT ROUND(SUM(data_length + index_length) / 1048576) FROM information_schema.tables WHERE table_schema = 'survey'")
printf 'BACKUP database: %s answers (%s MiB of tables and indexes; datadir %s), filled in %.1f s\n' \
    "$rows" "$size" "$(du -sh "$work/primary/data" | cut -f1)" "$(echo "$t1 - $t0" | bc)"
t0=$(date +%s.%N)
bash deploy/backup.sh --instance "$work/primary" "$work/backup" 2>"$work/backup.log"
t1=$(date +%s.%N)
bash deploy/restore.sh --key "$work/primary/encryption.key" "$work/backup" \
    --instance "$work/restored" 2>"$work/restore.log"
t2=$(date +%s.%N)
restored_url=$(bash deploy/mariadb-private.sh start "$work/restored" 2>/dev/null)
t3=$(date +%s.%N)
restored=$(mariadb --no-defaults --socket="${restored_url##*socket=}" -uroot --batch \
    --skip-column-names survey -e "SELECT COUNT(*) FROM response")
printf 'BACKUP hot backup %.1f s (%s), restore (prepare + move back) %.1f s, start %.1f s; restored %s answers\n' \
    "$(echo "$t1 - $t0" | bc)" "$(du -sh "$work/backup" | cut -f1)" "$(echo "$t2 - $t1" | bc)" \
    "$(echo "$t3 - $t2" | bc)" "$restored"
[[ $restored == "$rows" ]] || { echo "nginx_capacity.sh: restored $restored of $rows answers" >&2; exit 1; }
read -r load1 _ </proc/loadavg
echo "load average after the run: $load1" >&2
exit "$status"
