import type { ArgDef } from 'citty'
import { checkOptions, type SystemdOptions, systemdDefaults } from '../../../deploy/systemd/index.ts'
import { loadConfig } from '../../../config/load.ts'
import { isXrayError } from '../../../errors/index.ts'
import { UsageError } from '../../_shared.ts'

const d = systemdDefaults()

/** The generator's parameters as flags (defaults shown in --help). */
export const unitArgs = {
  exec: { type: 'string', description: 'the xrayops executable the units run', default: d.exec },
  user: { type: 'string', description: 'system user (and group) of the services', default: d.user },
  'state-dir': { type: 'string', description: 'StateDirectory= name, below /var/lib', default: d.stateDir },
  'cache-dir': { type: 'string', description: 'CacheDirectory= name, below /var/cache', default: d.cacheDir },
  'config-dir': { type: 'string', description: 'folder of the per-colour environment files', default: d.configDir },
  config: { type: 'string', description: "model servers' config file", default: d.config },
  'gateway-host': { type: 'string', description: `gateway listen address (default: the configuration's gateway.host, ${d.gatewayHost})` },
  'gateway-port': { type: 'string', description: `gateway port (default: the configuration's gateway.port, ${d.gatewayPort})` },
  'model-host': { type: 'string', description: `model servers listen address (default: the configuration's deploy.model_host, ${d.modelHost})` },
  colours: {
    type: 'string',
    description: `colour=port pairs of the model servers (default: the configuration's deploy.blue_port and deploy.green_port, ${Object.entries(d.colours).map(([c, p]) => `${c}=${p}`).join(',')})`,
  },
  'shutdown-timeout-ms': { type: 'string', description: "drain time after SIGTERM (default: the configuration's server.shutdown_timeout)" },
  'ready-timeout': { type: 'string', description: `seconds a model server may take to become ready (default: the configuration's deploy.ready_timeout, ${d.readyTimeoutS})` },
  'model-memory-max': { type: 'string', description: 'MemoryMax= of each model server', default: d.model.memoryMax },
  'model-tasks-max': { type: 'string', description: 'TasksMax= of each model server', default: String(d.model.tasksMax) },
  'gateway-memory-max': { type: 'string', description: 'MemoryMax= of the gateway', default: d.gateway.memoryMax },
  'gateway-tasks-max': { type: 'string', description: 'TasksMax= of the gateway', default: String(d.gateway.tasksMax) },
  'limit-nofile': { type: 'string', description: 'LimitNOFILE= of every service', default: String(d.model.limitNofile) },
  'validate-schedule': { type: 'string', description: 'OnCalendar= of xrayops-validate.timer', default: d.validateSchedule },
  'vk-driver-files': { type: 'string', description: "VK_DRIVER_FILES for the model servers (e.g. the NVIDIA driver's nvidia_icd.json)" },
} as const satisfies Record<string, ArgDef>

type UnitArgValues = { [K in keyof typeof unitArgs]: string | undefined }

const int = (flag: string, v: string) => {
  if (!/^\d+$/.test(v.trim())) throw new UsageError(`--${flag} must be a whole number, not "${v}"`)
  return Number(v)
}

function colours(v: string): Record<string, number> {
  const out: Record<string, number> = {}
  for (const pair of v.split(',').filter(Boolean)) {
    const m = /^([^=]+)=(.+)$/.exec(pair.trim())
    if (!m) throw new UsageError(`--colours takes colour=port pairs separated by commas (blue=8001,green=8002), not "${pair}"`)
    out[m[1]] = int(`colours ${m[1]}`, m[2])
  }
  return out
}

/** Flags -> checked generator options; a bad value is a usage error naming the flag. */
export async function optionsFromArgs(a: UnitArgValues): Promise<SystemdOptions> {
  const limitNofile = int('limit-nofile', a['limit-nofile'] ?? String(d.model.limitNofile))
  // What the flags leave out comes from the configuration (deployment/config.yaml, environment).
  const { config } = await loadConfig()
  const shutdown = a['shutdown-timeout-ms'] ?? String(config.server.shutdownTimeoutMs)
  const o: SystemdOptions = {
    exec: a.exec ?? d.exec,
    user: a.user ?? d.user,
    stateDir: a['state-dir'] ?? d.stateDir,
    cacheDir: a['cache-dir'] ?? d.cacheDir,
    configDir: a['config-dir'] ?? d.configDir,
    config: a.config ?? d.config,
    gatewayHost: a['gateway-host'] ?? config.gateway.host,
    gatewayPort: int('gateway-port', a['gateway-port'] ?? String(config.gateway.port)),
    modelHost: a['model-host'] ?? config.deploy.modelHost,
    colours: a.colours === undefined ? { blue: config.deploy.bluePort, green: config.deploy.greenPort } : colours(a.colours),
    shutdownTimeoutMs: int('shutdown-timeout-ms', shutdown),
    readyTimeoutS: int('ready-timeout', a['ready-timeout'] ?? String(config.deploy.readyTimeoutS)),
    model: { memoryMax: a['model-memory-max'] ?? d.model.memoryMax, tasksMax: int('model-tasks-max', a['model-tasks-max'] ?? String(d.model.tasksMax)), limitNofile },
    gateway: { memoryMax: a['gateway-memory-max'] ?? d.gateway.memoryMax, tasksMax: int('gateway-tasks-max', a['gateway-tasks-max'] ?? String(d.gateway.tasksMax)), limitNofile },
    validateSchedule: a['validate-schedule'] ?? d.validateSchedule,
    vkDriverFiles: a['vk-driver-files'],
  }
  try {
    return checkOptions(o)
  } catch (e) {
    if (isXrayError(e) && e.code === 'CONFIG_INVALID') throw new UsageError(e.message)
    throw e
  }
}
