/** monitoring.json: how `up` last ran the services, so `status` and `down` need no flags. */
import fs from 'node:fs'
import { processRunner } from './process-runner.ts'
import type { MonitoringPaths } from './files.ts'
import type { Runner } from './service.ts'
import { systemdRunner, systemdRuns } from './systemd-runner.ts'

export type Mode = 'systemd' | 'process'

export interface MonitoringRecord {
  mode: Mode
  host: string
  prometheusPort: number
  alertmanagerPort: number
  binaries: { prometheus: string; alertmanager: string }
  configDir: string
  /** Receivers and timings given to an earlier `up`: kept until given again. */
  settings: Settings
  startedAt: string
}

export interface Settings {
  /** A folder given with --config-dir (else the shipped one of the running version). */
  configDir?: string
  webhookUrl?: string
  email?: { to?: string; smarthost?: string; from?: string }
  scrapeInterval?: string
  evaluationInterval?: string
}

export const DEFAULT_PORTS = { prometheus: 9090, alertmanager: 9093 } as const

export function readRecord(p: MonitoringPaths): MonitoringRecord | null {
  try {
    return JSON.parse(fs.readFileSync(p.record, 'utf8')) as MonitoringRecord
  } catch {
    return null
  }
}

export function writeRecord(p: MonitoringPaths, r: MonitoringRecord): void {
  fs.mkdirSync(p.root, { recursive: true })
  fs.writeFileSync(`${p.record}.tmp`, `${JSON.stringify(r, null, 2)}\n`)
  fs.renameSync(`${p.record}.tmp`, p.record)
}

export const resolveMode = (m: Mode | 'auto'): Mode => (m === 'auto' ? (systemdRuns() ? 'systemd' : 'process') : m)

export const runnerFor = (mode: Mode): Runner => (mode === 'systemd' ? systemdRunner() : processRunner())

/** The address clients use for a listen address (a wildcard listens on loopback too). */
export const connectHost = (host: string) => (host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host)

export const baseUrl = (host: string, port: number) => {
  const h = connectHost(host)
  return `http://${h.includes(':') ? `[${h}]` : h}:${port}`
}
