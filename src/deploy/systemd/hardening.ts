import type { Line } from './ini.ts'

/**
 * Sandboxing shared by every xrayops unit (systemd.exec(5)). Left out on purpose:
 * - MemoryDenyWriteExecute=: V8's JIT and WebAssembly need writable+executable memory.
 * - PrivateUsers=: it would unmap the video/render groups that open the GPU device nodes.
 * - ProcSubset=pid: the NVIDIA driver reads /proc/driver/nvidia, Node reads /proc/meminfo and /proc/stat.
 * - NoExecPaths= on the cache folder: the executable dlopens its native libraries from there.
 */
export const commonHardening: Line[] = [
  ['NoNewPrivileges', 'yes'],
  ['ProtectSystem', 'strict'],
  ['ProtectHome', 'yes'],
  ['PrivateTmp', 'yes'],
  ['PrivateMounts', 'yes'],
  ['ProtectKernelTunables', 'yes'],
  ['ProtectKernelModules', 'yes'],
  ['ProtectKernelLogs', 'yes'],
  ['ProtectControlGroups', 'yes'],
  ['ProtectClock', 'yes'],
  ['ProtectHostname', 'yes'],
  ['ProtectProc', 'invisible'],
  ['RestrictNamespaces', 'yes'],
  ['RestrictRealtime', 'yes'],
  ['RestrictSUIDSGID', 'yes'],
  ['LockPersonality', 'yes'],
  ['RemoveIPC', 'yes'],
  ['UMask', '0027'],
  ['CapabilityBoundingSet', ''],
  ['AmbientCapabilities', ''],
  // AF_NETLINK: libuv lists network interfaces through it.
  ['RestrictAddressFamilies', 'AF_UNIX AF_INET AF_INET6 AF_NETLINK'],
  ['SystemCallArchitectures', 'native'],
  ['SystemCallFilter', '@system-service'],
  // A refused call fails with EPERM instead of killing the process (libuv then falls back from io_uring).
  ['SystemCallErrorNumber', 'EPERM'],
]

/** No device nodes beyond /dev/null and friends: the gateway and the validation job. */
export const noDevices: Line[] = [['PrivateDevices', 'yes']]

/**
 * The model servers reach the GPU through Vulkan: NVIDIA's /dev/nvidia* (the pattern matches the
 * nvidia, nvidiactl, nvidia-uvm, nvidia-modeset and nvidia-caps majors in /proc/devices) and the
 * DRM render nodes /dev/dri/* (Mesa drivers). Everything else stays closed.
 */
export const gpuDevices: Line[] = [
  ['DevicePolicy', 'closed'],
  ['DeviceAllow', 'char-nvidia* rw'],
  ['DeviceAllow', 'char-drm rw'],
  ['SupplementaryGroups', 'video render'],
]
