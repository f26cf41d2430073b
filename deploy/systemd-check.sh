#!/usr/bin/env bash
# Runs the production units (deploy/systemd/) under a real systemd 252 and
# checks what README "Production" promises of them: install.sh for real,
# MariaDB, two survey-server instances and the gateway behind nginx with TLS.
#
# Usage: deploy/systemd-check.sh [--build-dir DIR]     (as root; CTest:
#        systemd_units_e2e). Exit 0 passed, 1 failed, 77 cannot run here.
#
# Why a throwaway root: this host's PID 1 is not systemd, and a systemd
# booted on the host's filesystem runs tmpfiles, sysusers and friends
# against it (it once wiped the host's /tmp). So systemd boots as PID 1 of
# new pid/mount/net/uts/ipc/cgroup namespaces whose root is an overlay of
# the host's root with every write going to a tmpfs that vanishes with the
# mount namespace. /proc/sys and /sys are read-only inside, /dev is a
# minimal tmpfs, units that would touch the kernel (sysctl, udev, modules,
# clock) are masked, and the cgroups are a subtree made for this run.
set -euo pipefail

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
root=$(dirname -- "$here")
skip() { echo "systemd-check: SKIP: $*"; exit 77; }
die() { echo "systemd-check: FAIL: $*" >&2; exit 1; }
log() { echo "systemd-check: $(date +%T.%3N) $*"; }
tag=survey-sdcheck

# --- stage 2: PID 1 of the new namespaces, before systemd ------------------
if [[ ${1:-} == __boot ]]; then
    w=$2 r=$2/t/root
    mount -t tmpfs -o mode=0755 "$tag" "$w/t"
    mkdir -p "$w/t/upper" "$w/t/work" "$r"
    mount -t overlay "$tag" -o "lowerdir=/,upperdir=$w/t/upper,workdir=$w/t/work" "$r"
    mount -t proc proc "$r/proc"
    mount --bind "$r/proc/sys" "$r/proc/sys" && mount -o remount,bind,ro "$r/proc/sys"
    mount -t sysfs -o ro sysfs "$r/sys"   # this netns's view, read-only
    mount -t tmpfs -o mode=0755 cgroup "$r/sys/fs/cgroup"
    # Fresh cgroup mounts: inside the cgroup namespace their root is the
    # subtree the host side made for this run.
    while read -r dir opts; do
        mkdir -p "$r/sys/fs/cgroup/$dir"
        if [[ $opts == cgroup2 ]]; then mount -t cgroup2 cgroup2 "$r/sys/fs/cgroup/$dir"
        else mount -t cgroup -o "$opts" cgroup "$r/sys/fs/cgroup/$dir"; fi
    done <"$w/cgroups"
    mount -t tmpfs -o mode=0755,nosuid dev "$r/dev"
    for n in null:1:3 zero:1:5 full:1:7 random:1:8 urandom:1:9 tty:5:0; do
        IFS=: read -r name ma mi <<<"$n"; mknod -m 666 "$r/dev/$name" c "$ma" "$mi"
    done
    mkdir -p "$r/dev/pts" "$r/dev/shm"
    mount -t devpts -o newinstance,ptmxmode=0666 devpts "$r/dev/pts"
    ln -s pts/ptmx "$r/dev/ptmx"
    mount -t tmpfs -o mode=1777 shm "$r/dev/shm"
    mkdir -p "$r/run" && mount -t tmpfs -o mode=0755 run "$r/run"
    # The tree and the build, read-only under /run: where they live on the
    # host (a CI clone under /tmp, say) may be emptied by the boot's
    # tmpfiles inside, and read-only they cannot be harmed from inside.
    for b in src:"$3" build:"$4"; do
        mkdir -p "$r/run/$tag/${b%%:*}"
        mount --bind "${b#*:}" "$r/run/$tag/${b%%:*}"
        mount -o remount,bind,ro "$r/run/$tag/${b%%:*}"
    done
    m=$r/etc/systemd/system
    for u in systemd-sysctl.service systemd-udevd.service systemd-udev-trigger.service \
        systemd-udev-settle.service systemd-modules-load.service systemd-binfmt.service \
        proc-sys-fs-binfmt_misc.automount systemd-timesyncd.service systemd-remount-fs.service \
        systemd-hwdb-update.service kmod-static-nodes.service systemd-random-seed.service \
        sys-kernel-debug.mount sys-kernel-tracing.mount sys-kernel-config.mount \
        sys-fs-fuse-connections.mount dev-hugepages.mount getty.target console-getty.service \
        systemd-firstboot.service; do
        ln -sfn /dev/null "$m/$u"
    done
    cd "$r" && mkdir -p .oldroot && pivot_root . .oldroot
    umount -l /.oldroot && rmdir /.oldroot
    export container=survey-check   # systemd's container mode
    exec /lib/systemd/systemd --system --unit=basic.target </dev/null
fi

# --- stage 1: the host side ----------------------------------------------------
build=$root/build
while (( $# )); do
    case $1 in
        --build-dir) build=$(realpath -- "${2:?}"); shift 2 ;;
        *) die "unknown argument $1" ;;
    esac
done
[[ $(id -u) == 0 ]] || skip "needs root"
[[ -x /lib/systemd/systemd ]] || skip "no /lib/systemd/systemd"
command -v unshare >/dev/null && command -v nsenter >/dev/null || skip "no unshare/nsenter"
grep -qw overlay /proc/filesystems || modprobe overlay 2>/dev/null || skip "no overlayfs"
[[ -x /usr/sbin/nginx && -x /usr/sbin/mariadbd ]] || skip "needs Debian's nginx and mariadb-server"
[[ -x $build/server/survey-server && -x $build/clients/survey-sim ]] || skip "not built: $build"
[[ -e /sys/fs/cgroup/unified || -e /sys/fs/cgroup/cgroup.controllers ]] || skip "no cgroup2"

w=$(mktemp -d "/tmp/$tag.XXXXXX")
chmod 0755 "$w"; mkdir "$w/t"; touch "$w/host-marker"
sd='' boot_pid='' cgdirs=()
start_s=$(date +%s.%N)
cleanup() {
    local rc=$?
    set +e
    if (( rc != 0 )) && [[ -n $sd && -n ${SURVEY_SDCHECK_HOLD:-} ]]; then
        echo "systemd-check: holding ${SURVEY_SDCHECK_HOLD} s: nsenter -t $sd -a" >&2
        sleep "$SURVEY_SDCHECK_HOLD"
    fi
    [[ -n $sd ]] && kill -9 "$sd" 2>/dev/null   # the kernel kills the rest
    [[ -n $boot_pid ]] && wait "$boot_pid" 2>/dev/null
    # Empty cgroups of this run, deepest first (the killed tasks leave them
    # a moment later: retry briefly).
    for d in "${cgdirs[@]}"; do
        for _ in $(seq 50); do
            find "$d" -depth -type d -exec rmdir {} + 2>/dev/null; [[ -d $d ]] || break; sleep 0.1
        done
        [[ -d $d ]] && echo "systemd-check: warning: cgroup $d left" >&2
    done
    [[ -e /tmp/$tag-marker ]] && { echo "systemd-check: host /tmp saw the container's marker" >&2; rc=1; }
    rm -rf "$w"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# A cgroup subtree per hierarchy, under this shell's own cgroup there.
while IFS=: read -r _ ctl path; do
    if [[ -z $ctl && -e /sys/fs/cgroup/cgroup.controllers ]]; then dir=. opts=cgroup2  # pure v2 (untried here)
    elif [[ -z $ctl ]]; then dir=unified opts=cgroup2
    elif [[ $ctl == name=systemd ]]; then dir=systemd opts=none,name=systemd
    else dir=$ctl opts=$ctl; fi
    base=/sys/fs/cgroup/$dir
    [[ -d $base ]] || continue
    mkdir -p "$base$path/$tag-$$"
    if [[ $dir == cpuset ]]; then   # v1 cpuset takes no task until these are set
        cat "$base$path/cpuset.cpus" >"$base$path/$tag-$$/cpuset.cpus"
        cat "$base$path/cpuset.mems" >"$base$path/$tag-$$/cpuset.mems"
    fi
    cgdirs+=("$base$path/$tag-$$")
    echo "$dir $opts" >>"$w/cgroups"
done </proc/self/cgroup

(
    for d in "${cgdirs[@]}"; do echo "$BASHPID" >"$d/cgroup.procs"; done
    exec unshare --fork --pid --mount --net --uts --ipc --cgroup --propagation private \
        "$here/systemd-check.sh" __boot "$w" "$root" "$build"
) >"$w/boot.log" 2>&1 &
boot_pid=$!
for _ in $(seq 100); do
    sd=$(cat "/proc/$boot_pid/task/$boot_pid/children" 2>/dev/null | awk '{print $1}') || true
    [[ -n $sd ]] && break; sleep 0.05
done
[[ -n $sd ]] || skip "unshare did not start ($(head -c 300 "$w/boot.log"))"
# If this script is killed outright (SIGKILL: no trap), a detached watchdog
# still kills the container once the script is gone; it checks the pid
# namespace so that a reused pid is never hit.
ns=$(readlink "/proc/$sd/ns/pid")
printf '%s\n' "${cgdirs[@]}" >"$w/cgdirs"
setsid bash -c 'while kill -0 "$1" 2>/dev/null; do sleep 1; done
    [[ -d $4 ]] || exit 0
    [[ $(readlink "/proc/$2/ns/pid") == "$3" ]] && kill -9 "$2" && sleep 2
    while read -r d; do find "$d" -depth -type d -exec rmdir {} + ; done <"$4/cgdirs"
    rm -rf "$4"' _ "$$" "$sd" "$ns" "$w" </dev/null >/dev/null 2>&1 &
inside() { timeout "${T:-60}" nsenter -t "$sd" -a env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root "$@"; }
state=''
for _ in $(seq 300); do
    state=$(inside systemctl is-system-running 2>/dev/null) || true
    [[ $state == running || $state == degraded ]] && break
    kill -0 "$sd" 2>/dev/null || break; sleep 0.1
done
if [[ $state != running && $state != degraded ]]; then
    kill -0 "$sd" 2>/dev/null || skip "systemd cannot boot in a namespace here: $(tail -3 "$w/boot.log" | tr '\n' ' ')"
    die "systemd did not finish booting (state '$state'): $(tail -5 "$w/boot.log")"
fi
log "systemd booted ($state) in $(awk -v a="$start_s" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}') s, host pid $sd"
[[ $state == degraded ]] && inside systemctl --failed --no-legend | sed 's/^/  failed unit: /'
# Isolation: systemd-tmpfiles cleaned the container's /tmp at boot; the
# host's (holding $w) must be untouched, and a file made inside stays inside.
[[ -e $w/host-marker ]] || die "the host's /tmp was changed by the container's boot"
inside sh -c "echo inside >/tmp/$tag-marker"
[[ -e /tmp/$tag-marker ]] && die "the container's /tmp is the host's"
[[ $(inside cat "/tmp/$tag-marker") == inside ]] || die "no marker inside"

# --- stage 3: inside, as README "Production" says ------------------------------
T=90 inside bash -s -- "/run/$tag/build" "/run/$tag/src" <<'EOF'
set -euo pipefail
build=$1 root=$2
fail() { echo "systemd-check: FAIL: $*" >&2; exit 1; }
log() { echo "systemd-check: $(date +%T.%3N) $*"; }
t0=$(date +%s%N); ms() { echo $(( ($(date +%s%N) - t0) / 1000000 )); }
upto() {  # seconds command...: until it succeeds
    local end=$(( $(date +%s) + $1 )); shift
    until "$@" >/dev/null 2>&1; do (( $(date +%s) < end )) || return 1; sleep 0.1; done
}
ip link set lo up
"$root/deploy/install.sh" --build-dir "$build" 2>&1 | sed 's/^/  /'
id survey >/dev/null || fail "install.sh made no survey user"
share=/usr/local/share/survey/deploy
"$share/certs.sh" /etc/survey/tls 2>/dev/null
chown survey /etc/survey/tls/server.key && chmod 0600 /etc/survey/tls/server.key
log "installed, certificates made ($(ms) ms)"

systemctl start mariadb || { journalctl -u mariadb --no-pager | tail; fail "mariadb.service did not start"; }
pw=$(openssl rand -hex 12)
mariadb -e "CREATE DATABASE survey;
  CREATE USER 'survey'@'127.0.0.1' IDENTIFIED BY '$pw';
  GRANT ALL PRIVILEGES ON survey.* TO 'survey'@'127.0.0.1';"
for i in a b; do
    port=$([[ $i == a ]] && echo 1 || echo 2)
    sed -e "s#^db-url = .*#db-url = mysql://survey:$pw@127.0.0.1:3306/survey#" \
        -e "s#^listen = .*#listen = 127.0.0.1:5005$port#" \
        -e "s#^metrics-listen = .*#metrics-listen = 127.0.0.1:946$((port + 3))#" \
        -e "s#^\# trusted-gateway = .*#trusted-gateway = 127.0.0.1/32#" \
        -e "s#^drain-period = .*#drain-period = 2#" \
        /etc/survey/server.conf.example >"/etc/survey/server-$i.conf"
    chown root:survey "/etc/survey/server-$i.conf"; chmod 0640 "/etc/survey/server-$i.conf"
done
install -m 0640 -g survey /etc/survey/gateway.conf.example /etc/survey/gateway.conf
survey-server --config /etc/survey/server-a.conf --bootstrap-admin root >/root/root.key \
    2>/root/bootstrap.log || { cat /root/bootstrap.log; fail "--bootstrap-admin failed"; }
log "database made and migrated, admin key issued ($(ms) ms)"

"$share/nginx/render.sh" --upstream 127.0.0.1:50051 --upstream 127.0.0.1:50052 \
    --upstream-tls-ca /etc/survey/tls/ca.pem --grpc-bind 127.0.0.1 >/etc/nginx/conf.d/survey.conf
rm -f /etc/nginx/sites-enabled/default
nginx -t 2>/dev/null || { nginx -t; fail "nginx -t"; }
systemctl start nginx || fail "nginx.service did not start"
t1=$(ms)
systemctl start survey-server@a survey-server@b survey-gateway || true
ctl=(surveyctl --server 127.0.0.1:50051 --tls-ca /etc/survey/tls/ca.pem --api-key-file /root/root.key)
for u in survey-server@a survey-server@b survey-gateway; do
    upto 20 systemctl is-active "$u" || { systemctl status "$u" --no-pager | tail -15; fail "$u is not active"; }
done
upto 20 "${ctl[@]}" --timeout 1 health || { journalctl -u survey-server@a --no-pager | tail; fail "@a: no health"; }
upto 20 surveyctl --server 127.0.0.1:50052 --tls-ca /etc/survey/tls/ca.pem --timeout 1 health || fail "@b: no health"
log "both servers and the gateway active and healthy $(( $(ms) - t1 )) ms after systemctl start"

for u in survey-server@a survey-server@b survey-gateway; do
    pid=$(systemctl show -P MainPID "$u")
    [[ $(systemctl show -P SubState "$u") == running ]] || fail "$u not running"
    [[ $(systemctl show -P NRestarts "$u") == 0 ]] || fail "$u restarted (crash loop?)"
    user=$(ps -o user= -p "$pid")
    [[ $user == survey ]] || fail "$u runs as '$user', not survey"
    grep -q '^NoNewPrivs:[[:space:]]*1' "/proc/$pid/status" || fail "$u: NoNewPrivs is not 1"
    [[ $(awk '/^CapBnd/ {print $2}' "/proc/$pid/status") == 0000000000000000 ]] || fail "$u: capabilities remain"
    # ProtectSystem=strict: /usr and /etc read-only in the unit's mount namespace
    # (nsenter keeps root's capabilities: only a read-only mount stops it).
    if nsenter -t "$pid" -m touch /usr/local/bin/.w 2>/dev/null \
        || nsenter -t "$pid" -m touch /etc/survey/.w 2>/dev/null; then fail "$u can write /usr or /etc"; fi
    [[ $(systemctl show -P ProtectSystem "$u") == strict ]] || fail "$u: ProtectSystem is not strict"
    echo "  $u: pid $pid, user survey, NoNewPrivs 1, CapBnd 0, ProtectSystem strict (/usr, /etc read-only), $(awk '/^VmRSS/ {print $2 $3}' /proc/$pid/status)"
done
# The gateway serves the web app from /usr/local/share (ProtectSystem=strict).
if [[ -f $build/web/index.html ]]; then
    code=$(curl -sL -o /dev/null -w '%{http_code}' http://127.0.0.1:8080/) || true
    [[ $code == 200 ]] || fail "survey-gateway answered $code for / (the web app)"
fi
journalctl -u survey-server@a --no-pager | grep -q 'serving on port 50051' \
    || fail "journal of survey-server@a has no 'serving on port 50051'"
log "journalctl -u survey-server@a: $(journalctl -u survey-server@a --no-pager -o cat | grep -m1 'serving on port')"
# The retention timer enabled as production would, and its service run once
# now under its sandbox (an admin key, as the unit's comment says).
install -m 0600 -o survey -g survey /root/root.key /etc/survey/retention.key
printf 'SURVEY_SERVER=127.0.0.1:50051\nSURVEY_TLS_CA=/etc/survey/tls/ca.pem\nSURVEY_API_KEY_FILE=/etc/survey/retention.key\n' \
    >/etc/survey/retention.env
chown survey:survey /etc/survey/retention.env && chmod 0600 /etc/survey/retention.env
systemctl enable --now survey-retention.timer 2>/dev/null
[[ $(systemctl show -P ActiveState survey-retention.timer) == active ]] || fail "survey-retention.timer is not active"
log "survey-retention.timer: $(systemctl list-timers --no-legend survey-retention.timer | awk '{print "next", $1, $2, $3}')"
systemctl start survey-retention.service \
    || { journalctl -u survey-retention --no-pager | tail; fail "survey-retention.service failed"; }
[[ $(systemctl show -P Result survey-retention.service) == success ]] || fail "retention run: no success"
log "survey-retention.service ran as $(systemctl show -P User survey-retention.service), exit status $(systemctl show -P ExecMainStatus survey-retention.service)"

"${ctl[@]}" org import "$root/deploy/demo/departments.csv" "$root/deploy/demo/employees.csv" >/dev/null
id=$("${ctl[@]}" campaign create --kind cross --period "$(date +%Y-%m)" --title-zh 检查 --title-en check)
"${ctl[@]}" campaign open "$id" >/dev/null
"${ctl[@]}" invitations issue "$id" --cross --out /root/inv >/dev/null
# Two disjoint sets of 20 tokens (nginx allows 20 requests/s, burst 100,
# per client address: the app is paced under that).
awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "token") c = i; next }
         NR <= 21 { print $c > "/root/t1" } NR > 21 && NR <= 41 { print $c > "/root/t2" }' \
    /root/inv/invitations.csv
[[ $(wc -l </root/t2) == 20 ]] || fail "invitations issue made too few invitations"
sim() {  # label tokens [flags]: each answered through nginx :443 with TLS
    local out
    out=$("$build/clients/survey-sim" --server localhost:443 --tls-ca /etc/survey/tls/ca.pem \
        --tokens "$2" --fraction 1 --rate 8 --concurrency 4 --json "${@:3}" 2>&1) \
        || { echo "$out" | tail -3; fail "$1: survey-sim failed"; }
    out=$(echo "$out" | grep '^{')
    [[ $out == *'"answered":20,'* && $out == *'"ok":true'* ]] || fail "$1: not all 20 answered: $out"
    echo "  $1: $out"
}
# Submits only: with GetSurvey in between, round robin can send every
# Submit to one instance; this way each instance must take its share.
sim "20 answers through nginx, two instances" /root/t1 --skip-get
oks() { curl -s "http://127.0.0.1:$1/metrics" | awk '/^survey_submit_total\{code="OK"\}/ {print $2}'; }
a=$(oks 9464) b=$(oks 9465)
(( ${a:-0} > 0 && ${b:-0} > 0 && a + b == 20 )) \
    || fail "nginx did not spread the 20 Submits over both instances: @a '$a', @b '$b'"
log "Submits OK per instance (metrics): @a $a, @b $b"

# Reload with a new certificate: the new one served, the unit still running.
old=$(openssl x509 -in /etc/survey/tls/server.pem -noout -fingerprint -sha256)
mv /etc/survey/tls/server.pem /etc/survey/tls/server.pem.old
"$share/certs.sh" /etc/survey/tls 2>/dev/null
chown survey /etc/survey/tls/server.key
new=$(openssl x509 -in /etc/survey/tls/server.pem -noout -fingerprint -sha256)
[[ $old != "$new" ]] || fail "certs.sh did not make a new certificate"
pid=$(systemctl show -P MainPID survey-server@a)
served() { openssl s_client -connect 127.0.0.1:50051 -servername localhost </dev/null 2>/dev/null \
    | openssl x509 -noout -fingerprint -sha256; }
t2=$(ms); systemctl reload survey-server@a
serves_new() { [[ $(served) == "$new" ]]; }   # evaluated on every try
upto 10 serves_new || { journalctl -u survey-server@a --no-pager -o cat | tail -4
    fail "@a serves '$(served)', not the new certificate, after reload"; }
[[ $(systemctl is-active survey-server@a) == active && $(systemctl show -P MainPID survey-server@a) == "$pid" ]] \
    || fail "@a did not survive the reload"
log "reload: the new certificate served $(( $(ms) - t2 )) ms after systemctl reload, same pid $pid"

t3=$(ms); systemctl stop survey-server@b
log "systemctl stop survey-server@b took $(( $(ms) - t3 )) ms"
[[ $(systemctl is-active survey-server@b) != active ]] || fail "@b still active"
sim "20 answers through nginx, @b stopped" /root/t2
(( $(oks 9464) == ${a:-0} + 20 )) || fail "@a counted $(oks 9464) Submits OK, not $a + 20"
[[ $(systemctl show -P Result survey-server@b) == success ]] || fail "@b did not stop cleanly on SIGTERM"
s=$(mariadb -N -e "SELECT COUNT(*) FROM survey.response")
[[ $s == 40 ]] || fail "the database holds $s answers, not the 40 the app was told were stored"
log "all checks passed; survey.response holds the 40 answers"
EOF
log "passed in $(awk -v a="$start_s" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}') s"
