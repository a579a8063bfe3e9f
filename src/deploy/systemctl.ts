import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { XrayError } from '../errors/index.ts'
import type { ServiceName, ServiceRunner, ServiceState, ServiceStatus } from './runner.ts'

/** True when systemd is the init system here (sd_booted(3): /run/systemd/system exists). */
export const systemdBooted = (runDir = '/run/systemd/system') => existsSync(runDir)

/** The unit that runs a service: gateway -> xrayops-gateway.service, model@blue -> xrayops-model@blue.service. */
export const unitName = (name: ServiceName) => `xrayops-${name}.service`

const STATES = new Set<ServiceState>(['active', 'activating', 'deactivating', 'reloading', 'inactive', 'failed'])

/** `systemctl show` output (Key=value lines) as a status. */
export function parseShow(name: ServiceName, text: string): ServiceStatus {
  const p = Object.fromEntries(text.split('\n').filter((l) => l.includes('=')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]))
  const state = STATES.has(p.ActiveState as ServiceState) ? (p.ActiveState as ServiceState) : 'unknown'
  const pid = Number(p.MainPID)
  const since = p.ActiveEnterTimestamp ? new Date(p.ActiveEnterTimestamp.replace(/^\w{3} /, '')) : null
  return { name, state, detail: p.SubState ?? '', pid: pid > 0 ? pid : null, since: since && !Number.isNaN(since.getTime()) ? since.toISOString() : null }
}

/** Drives the units that `xrayops systemd install` wrote, through systemctl. */
export class SystemctlRunner implements ServiceRunner {
  readonly kind = 'systemd'
  /** `start` waits for ExecStartPost's readiness check: give it the unit's TimeoutStartSec and more. */
  constructor(private readonly opts: { systemctl?: string; timeoutMs?: number } = {}) {}

  private run(args: string[]): Promise<string> {
    const cmd = this.opts.systemctl ?? 'systemctl'
    return new Promise((resolve, reject) => {
      execFile(cmd, args, { timeout: this.opts.timeoutMs ?? 300_000, encoding: 'utf8' }, (err, stdout, stderr) => {
        if (!err) return resolve(stdout)
        const why = (stderr || err.message).trim()
        const unit = args.at(-1) ?? ''
        const hint = unit.endsWith('.service') ? ` (see \`journalctl -u ${unit}\`)` : ''
        reject(new XrayError('SERVICE_FAILED', `${cmd} ${args.join(' ')} failed: ${why}${hint}`, { cause: err }))
      })
    })
  }

  async start(name: ServiceName) {
    await this.run(['start', unitName(name)])
  }
  async stop(name: ServiceName) {
    await this.run(['stop', unitName(name)])
  }
  async restart(name: ServiceName) {
    await this.run(['restart', unitName(name)])
  }
  async status(name: ServiceName) {
    const out = await this.run(['show', '--property=ActiveState,SubState,MainPID,ActiveEnterTimestamp', unitName(name)])
    return parseShow(name, out)
  }
}
