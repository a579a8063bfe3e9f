import type { ServerConfig } from '../config/schema.ts'
import type { Registry } from '../registry/registry.ts'
import type { State } from '../state/db.ts'
import { type Colour, type RunnerKind, getEnvironment } from '../state/environments.ts'
import { ProcessRunner, type ProcessSpec } from './process-runner.ts'
import { gatewayView } from './gateway-client.ts'
import { healthProbe, reachable } from './probe.ts'
import type { ServiceName, ServiceRunner } from './runner.ts'
import { SystemctlRunner } from './systemctl.ts'
import type { SystemdTarget } from './systemd-deploy.ts'

/** Everything a release command works with. */
export interface ReleaseContext {
  state: State
  registry: Registry
  config: ServerConfig
  /** The config file the command read, passed on to the services it starts. */
  configFile?: string
  actor: string
  /** This xrayops as a command (selfCommand()). */
  self: string[]
  /** Set by --systemd: the units run the services. */
  systemd?: SystemdTarget
  /** Progress lines for the user. */
  say: (line: string) => void
}

export const portOf = (rc: ReleaseContext, colour: Colour) => (colour === 'blue' ? rc.config.deploy.bluePort : rc.config.deploy.greenPort)
export const gatewayUrl = (rc: ReleaseContext) => reachable(rc.config.gateway.host, rc.config.gateway.port)
export const modelService = (colour: Colour): ServiceName => `model@${colour}`

const configArgs = (rc: ReleaseContext) => ['--state-dir', rc.state.paths.dir, ...(rc.configFile ? ['--config', rc.configFile] : [])]

/** How the process supervisor starts each service. */
export function processSpec(rc: ReleaseContext, name: ServiceName): ProcessSpec {
  if (name === 'gateway') {
    const { host, port } = rc.config.gateway
    const url = reachable(host, port)
    // Started = answering: its /health stays down until a colour is live.
    const probe = async () => {
      const v = await gatewayView(url).catch((e: Error) => e)
      return v instanceof Error ? { ready: false, failed: v.message, detail: v.message } : { ready: v !== null, detail: v ? 'answering' : 'not answering' }
    }
    return { argv: [...rc.self, 'gateway', '--host', host, '--port', String(port), ...configArgs(rc)], host, port, probe, readyTimeoutS: 60 }
  }
  const colour = name.slice('model@'.length) as Colour
  const env = getEnvironment(rc.state.db, colour)
  if (env.modelId === null || env.port === null) throw new Error(`${colour} has no model or port recorded`)
  const host = env.host ?? rc.config.deploy.modelHost
  const manifest = rc.registry.manifestPath(rc.registry.byId(env.modelId))
  return {
    argv: [...rc.self, 'serve', '--host', host, '--port', String(env.port), '--model', manifest, ...configArgs(rc)],
    host,
    port: env.port,
    probe: async () => {
      const h = await healthProbe(reachable(host, env.port!), 3_000)
      return { ready: h.ready, failed: h.failed ? h.why : undefined, detail: h.why ?? h.status }
    },
    readyTimeoutS: rc.config.deploy.readyTimeoutS,
  }
}

export const processRunner = (rc: ReleaseContext) => new ProcessRunner({ stateDir: rc.state.paths.dir, spec: (n) => processSpec(rc, n), stopTimeoutMs: rc.config.server.shutdownTimeoutMs })

export const systemdRunner = (rc: ReleaseContext) => new SystemctlRunner({ systemctl: rc.systemd?.systemctl, timeoutMs: (rc.config.deploy.readyTimeoutS + 60) * 1000 })

/** The runner of `kind`: the process supervisor, or systemctl. */
export const runnerOf = (rc: ReleaseContext, kind: RunnerKind | null): ServiceRunner => (kind === 'systemd' ? systemdRunner(rc) : processRunner(rc))

/** What this command runs new services with. */
export const newRunnerKind = (rc: ReleaseContext): RunnerKind => (rc.systemd ? 'systemd' : 'process')
