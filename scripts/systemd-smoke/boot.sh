#!/usr/bin/env bash
# PID 1 of the new namespaces (run.sh starts it): an overlay root, fresh /proc, /sys, cgroups, then systemd.
set -euo pipefail
R=$WORK/root
mount -t tmpfs tmpfs "$WORK/t"
mkdir -p "$WORK/t/upper" "$WORK/t/work"
mount -t overlay overlay -o "lowerdir=/,upperdir=$WORK/t/upper,workdir=$WORK/t/work" "$R"
mount -t proc proc "$R/proc"
mount -t sysfs sysfs "$R/sys"
if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then
  mount -t cgroup2 cgroup2 "$R/sys/fs/cgroup"
else # hybrid: the host's v1 controllers, a named systemd hierarchy and the unified one
  mount -t tmpfs -o mode=755 tmpfs "$R/sys/fs/cgroup"
  for c in $(ls /sys/fs/cgroup); do
    mkdir -p "$R/sys/fs/cgroup/$c"
    case $c in
      unified) mount -t cgroup2 cgroup2 "$R/sys/fs/cgroup/unified" ;;
      systemd) mount -t cgroup -o none,name=systemd cgroup "$R/sys/fs/cgroup/systemd" ;;
      *) mount -t cgroup -o "$c" cgroup "$R/sys/fs/cgroup/$c" ;;
    esac
  done
fi
mount --rbind /dev "$R/dev"
mount -t tmpfs -o mode=755 tmpfs "$R/run"
mount -t tmpfs -o mode=1777 tmpfs "$R/tmp"
ip link set lo up
printf '[Unit]\nDescription=xrayops smoke test\n' > "$R/etc/systemd/system/xrayops-smoke.target"
exec chroot "$R" /usr/bin/env -i container=xrayops-smoke /lib/systemd/systemd --unit=xrayops-smoke.target --log-target=console --show-status=no
