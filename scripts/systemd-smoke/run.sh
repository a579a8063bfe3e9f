#!/usr/bin/env bash
# Runs the generated units under a real systemd on a machine where systemd is not PID 1 (a CI VM,
# a container with CAP_SYS_ADMIN): boots systemd as PID 1 of new pid/mount/cgroup/net/uts/ipc
# namespaces, on an overlay of / (nothing is written to the host), in child cgroups of its own.
# Then: `xrayops systemd install --yes` (sysusers + daemon-reload for real), `systemctl start
# xrayops-model@blue` (returns once ExecStartPost's health wait says ready), a prediction, and the
# SystemctlRunner (status, restart, stop, start, a failing unit) against that systemd; then the
# release commands with --systemd (deploy blue and green, switch-traffic, rollback, restart, stop)
# driving the units, with predictions through the gateway unit naming the version expected; the
# validation unit's run; `recover --systemd` after the database is wrecked under the running units.
#   scripts/systemd-smoke/run.sh [EXECUTABLE]     default: dist/xrayops (npm run build)
# Root only. The namespaces have their own loopback, so the fixed ports cannot collide.
set -euo pipefail
cd "$(dirname "$0")/../.."
exe=$(realpath "${1:-dist/xrayops}")
[ -x "$exe" ] || { echo "no executable at $exe (npm run build)" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "run as root" >&2; exit 1; }
work=$(mktemp -d /tmp/xrayops-systemd-smoke.XXXXXX)
cg=xrayops-smoke-$$
mkdir -p "$work/root" "$work/t"
cp "$exe" "$work/xrayops"
# A second model version: the shipped model with its classifier bias shifted (test/helpers/models.ts).
node --import ./bin/register.mjs -e "const m = await import('./test/helpers/models.ts'); m.derivedModel(process.argv[1])" "$work/derived.onnx"

cleanup() {
  # Everything started lives in our cgroups (and dies with the pid namespace's init anyway).
  for h in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do
    [ -d "$h$cg" ] && find "$h$cg" -name cgroup.procs -exec cat {} + 2>/dev/null | xargs -r kill -KILL 2>/dev/null || true
  done
  sleep 1
  for h in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do [ -d "$h$cg" ] && find "$h$cg" -depth -type d -exec rmdir {} \; 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# Our own cgroups, which become the new cgroup namespace's root.
( for h in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do
    [ -f "${h}cgroup.procs" ] || continue
    mkdir -p "$h$cg"
    if [ -f "${h}cpuset.cpus" ]; then cat "${h}cpuset.cpus" > "$h$cg/cpuset.cpus"; cat "${h}cpuset.mems" > "$h$cg/cpuset.mems"; fi
    echo $BASHPID > "$h$cg/cgroup.procs"
  done
  exec unshare --mount --pid --cgroup --net --uts --ipc --fork --propagation private \
    env WORK="$work" scripts/systemd-smoke/boot.sh ) > "$work/boot.log" 2>&1 &
outer=$!
for _ in $(seq 100); do init=$(pgrep -P $outer -x systemd || true); [ -n "$init" ] && break; sleep 0.2; done
[ -n "$init" ] || { cat "$work/boot.log" >&2; exit 1; }
echo "$init" > "$work/init.pid"
ns() { nsenter -t "$init" -a -r -w "$@"; }
for _ in $(seq 100); do [ "$(ns systemctl is-system-running 2>/dev/null)" = running ] && break; sleep 0.2; done
echo "systemd: $(ns systemctl --version | head -1), $(ns systemctl is-system-running)"
ns systemctl start systemd-journald.service
ns sh -c 'cat > /usr/local/bin/xrayops && chmod 755 /usr/local/bin/xrayops' < "$work/xrayops"

echo '--- xrayops systemd install --yes'
ns /usr/local/bin/xrayops systemd install --yes
echo '--- systemctl start xrayops-model@blue.service (waits for ExecStartPost)'
s=$(date +%s.%N)
ns systemctl start xrayops-model@blue.service || { ns journalctl -u xrayops-model@blue.service --no-pager | tail -20; exit 1; }
e=$(date +%s.%N)
echo "started and ready in $(awk "BEGIN{printf \"%.1f\", $e - $s}") s"
ns systemctl status xrayops-model@blue.service --no-pager | sed -n 1,8p
echo '--- a prediction on 127.0.0.1:8001'
nsenter -t "$init" -n curl -sS -X POST -H 'content-type: image/jpeg' \
  --data-binary @test/fixtures/xray-original/person100_bacteria_475.jpeg http://127.0.0.1:8001/v1/predict | head -c 200; echo
echo '--- SystemctlRunner'
ns sh -c "cd '$PWD' && node --import ./bin/register.mjs scripts/systemd-smoke/runner.ts"
echo '--- live security rating'
ns systemd-analyze security xrayops-model@blue.service --no-pager | tail -1

echo '--- xrayops deploy --systemd: blue 1.0.0, green 2.0.0, switch, rollback, restart, stop'
ns systemctl stop xrayops-gateway.service 'xrayops-model@*.service'
ns install -d -o xrayops -g xrayops -m 750 /var/lib/xrayops
ns sh -c 'cat > /var/lib/xrayops/m1.onnx' < models/pneumonia-efficientnet_b0-v1.onnx
ns sh -c 'cat > /var/lib/xrayops/m2.onnx' < "$work/derived.onnx"
ns chown xrayops:xrayops /var/lib/xrayops/m1.onnx /var/lib/xrayops/m2.onnx
# Registering as the service user keeps the state database theirs; deploy runs as root (systemctl, /etc/xrayops).
as_service() { ns runuser -u xrayops -- env XRAYOPS_STATE_DIR=/var/lib/xrayops HOME=/var/lib/xrayops /usr/local/bin/xrayops "$@"; }
as_root() { ns env XRAYOPS_STATE_DIR=/var/lib/xrayops /usr/local/bin/xrayops "$@"; }
as_service registry register --name pneumonia --version 1.0.0 --path /var/lib/xrayops/m1.onnx | tail -1
as_service registry register --name pneumonia --version 2.0.0 --path /var/lib/xrayops/m2.onnx | tail -1
served() {
  nsenter -t "$init" -n curl -sS -X POST -H 'content-type: image/jpeg' \
    --data-binary @test/fixtures/xray-original/person100_bacteria_475.jpeg http://127.0.0.1:8080/v1/predict | grep -o '"version":"[^"]*"'
}
expect_served() { got=$(served); echo "through the gateway: $got"; [ "$got" = "\"version\":\"$1\"" ] || { echo "expected version $1" >&2; exit 1; }; }
as_root deploy --systemd --environment blue --version 1.0.0
as_root deploy --systemd --environment green --version v2.0.0
ns cat /etc/xrayops/model-green.env
expect_served 1.0.0
as_root switch-traffic --systemd --from blue --to green
expect_served 2.0.0
as_root rollback --systemd --to-version 1.0.0 --reason 'smoke test'
expect_served 1.0.0
as_root restart --systemd --service gateway
expect_served 1.0.0
as_root status --systemd
echo '--- a backup, then xrayops-validate.service (the timer job) in its sandbox'
as_service backup | tail -2
# --comprehensive with no Prometheus or Alertmanager here: the run must fail on those checks only.
if ns systemctl start xrayops-validate.service; then echo 'validate passed with no monitoring running' >&2; exit 1; fi
v=$(ns journalctl -u xrayops-validate.service --no-pager -o cat | grep -E '^(pass|fail|skip) ')
echo "$v"
for want in 'pass  model blue health' 'pass  model blue known image' 'pass  model green health' 'pass  model green known image' 'pass  gateway' 'pass  backup recent' 'fail  alertmanager'; do
  grep -q "^$want " <<<"$v" || { echo "validate: expected '$want'" >&2; exit 1; }
done
echo '--- restore under the running units is refused (they hold the database open)'
if as_root restore --from-backup latest --yes; then echo 'restore went ahead under running services' >&2; exit 1; fi
echo '--- recover --systemd: the database overwritten under the running units, the model store emptied'
ns sh -c 'head -c 65536 /dev/zero | tr "\0" Z > /var/lib/xrayops/xrayops.db; rm -rf /var/lib/xrayops/xrayops.db-wal /var/lib/xrayops/xrayops.db-shm /var/lib/xrayops/models/*'
as_root recover --systemd --from-backup latest --yes
ns stat -c '%U %n' /var/lib/xrayops/xrayops.db /var/lib/xrayops/models
[ "$(ns stat -c %U /var/lib/xrayops/xrayops.db)" = xrayops ] || { echo 'the restored database is not the service user'"'"'s' >&2; exit 1; }
expect_served 1.0.0
as_root status --systemd
as_root stop --systemd --all --yes
ns systemctl is-active xrayops-gateway.service xrayops-model@blue.service xrayops-model@green.service || true
