import path from 'node:path'
import { XrayError } from '../../errors/index.ts'

/** Resource limits of one unit (systemd.resource-control(5), systemd.exec(5)). */
export interface UnitLimits {
  /** MemoryMax=: bytes with K, M, G or T, or `infinity`. */
  memoryMax: string
  /** TasksMax=: threads and processes. */
  tasksMax: number
  /** LimitNOFILE=: open files. */
  limitNofile: number
}

/** Everything the generated units depend on. */
export interface SystemdOptions {
  /** The single executable, as ExecStart= runs it. */
  exec: string
  /** The dedicated system user and group (created by the sysusers.d snippet). */
  user: string
  /** Name under /var/lib (StateDirectory=) and /var/cache (CacheDirectory=). */
  stateDir: string
  cacheDir: string
  /** Folder of config.yaml and the per-colour environment files. */
  configDir: string
  /** The model servers' config file. */
  config: string
  gatewayHost: string
  gatewayPort: number
  /** Where the model servers listen (written to each colour's environment file). */
  modelHost: string
  /** Colour -> model server port. */
  colours: Record<string, number>
  /** How long a model server or the gateway may drain after SIGTERM (XRAYOPS_SHUTDOWN_TIMEOUT_MS). */
  shutdownTimeoutMs: number
  /** How long ExecStartPost= waits for a model server to be ready (load, checksum, warm-up). */
  readyTimeoutS: number
  model: UnitLimits
  gateway: UnitLimits
  /** OnCalendar= of xrayops-validate.timer. */
  validateSchedule: string
  /** VK_DRIVER_FILES for the model servers; unset: the Vulkan loader's own search. */
  vkDriverFiles?: string
}

export const systemdDefaults = (): SystemdOptions => ({
  exec: '/usr/local/bin/xrayops',
  user: 'xrayops',
  stateDir: 'xrayops',
  cacheDir: 'xrayops',
  configDir: '/etc/xrayops',
  config: '/etc/xrayops/config.yaml',
  gatewayHost: '0.0.0.0',
  gatewayPort: 8080,
  modelHost: '127.0.0.1',
  colours: { blue: 8001, green: 8002 },
  shutdownTimeoutMs: 30_000,
  readyTimeoutS: 120,
  model: { memoryMax: '16G', tasksMax: 512, limitNofile: 65536 },
  gateway: { memoryMax: '1G', tasksMax: 256, limitNofile: 65536 },
  validateSchedule: 'hourly',
})

const bad = (option: string, value: unknown, allowed: string) =>
  new XrayError('CONFIG_INVALID', `${option} "${String(value)}" is not valid: expected ${allowed}`, { details: { option, value } })

// Paths go into unit files verbatim: no whitespace, quotes, `%` (specifiers) or `$` (variables).
const PATH_CHARS = /^\/[A-Za-z0-9._+/-]*$/
const absPath = (option: string, v: string) => {
  if (!PATH_CHARS.test(v) || v === '/' || v.endsWith('/') || path.posix.normalize(v) !== v)
    throw bad(option, v, 'an absolute path of letters, digits and . _ + - /, without .. or //')
}
const dirName = (option: string, v: string) => {
  if (!/^[A-Za-z0-9_-][A-Za-z0-9._-]*$/.test(v)) throw bad(option, v, 'one folder name (letters, digits, . _ -), as StateDirectory= takes it')
}
const port = (option: string, v: number) => {
  if (!Number.isInteger(v) || v < 1 || v > 65535) throw bad(option, v, 'a port 1-65535')
}
const host = (option: string, v: string) => {
  if (!/^[A-Za-z0-9.-]+$/.test(v)) throw bad(option, v, 'an IPv4 address or a host name')
}
const limits = (unit: string, l: UnitLimits) => {
  if (!/^(\d+[KMGT]?|infinity)$/.test(l.memoryMax)) throw bad(`${unit} memory-max`, l.memoryMax, 'bytes with K, M, G or T (16G), or infinity')
  if (!Number.isInteger(l.tasksMax) || l.tasksMax < 16) throw bad(`${unit} tasks-max`, l.tasksMax, 'an integer >= 16')
  if (!Number.isInteger(l.limitNofile) || l.limitNofile < 1024) throw bad(`${unit} limit-nofile`, l.limitNofile, 'an integer >= 1024')
}

/** Throws CONFIG_INVALID naming the first option that would make a broken or unsafe unit. */
export function checkOptions(o: SystemdOptions): SystemdOptions {
  absPath('exec', o.exec)
  if (!/^[a-z_][a-z0-9_-]{0,30}$/.test(o.user)) throw bad('user', o.user, 'a system user name ([a-z_][a-z0-9_-]*, at most 31 characters)')
  dirName('state-dir', o.stateDir)
  dirName('cache-dir', o.cacheDir)
  absPath('config-dir', o.configDir)
  absPath('config', o.config)
  host('gateway-host', o.gatewayHost)
  port('gateway-port', o.gatewayPort)
  host('model-host', o.modelHost)
  const entries = Object.entries(o.colours)
  if (entries.length === 0) throw bad('colours', '', 'at least one colour=port')
  const seen = new Map<number, string>([[o.gatewayPort, 'the gateway']])
  for (const [colour, p] of entries) {
    if (!/^[a-z][a-z0-9-]{0,30}$/.test(colour)) throw bad('colour', colour, 'a lower-case name ([a-z][a-z0-9-]*), used as the unit instance name')
    port(`${colour} port`, p)
    if (seen.has(p)) throw bad(`${colour} port`, p, `a port not already used by ${seen.get(p)}`)
    seen.set(p, colour)
  }
  if (!Number.isInteger(o.shutdownTimeoutMs) || o.shutdownTimeoutMs < 1000) throw bad('shutdown-timeout-ms', o.shutdownTimeoutMs, 'an integer >= 1000')
  if (!Number.isInteger(o.readyTimeoutS) || o.readyTimeoutS < 1) throw bad('ready-timeout', o.readyTimeoutS, 'a whole number of seconds >= 1')
  limits('model', o.model)
  limits('gateway', o.gateway)
  if (!/^[A-Za-z0-9*:,./ ~-]+$/.test(o.validateSchedule)) throw bad('validate-schedule', o.validateSchedule, 'an OnCalendar= expression (hourly, *-*-* 03:00:00, ...)')
  if (o.vkDriverFiles !== undefined) for (const f of o.vkDriverFiles.split(':')) absPath('vk-driver-files', f)
  return o
}
