/** `xrayops monitoring status`: each service up or down, its port, targets' health, rules loaded. */
import { alertmanagerState, isReady, rules, targets, type RuleGroupSummary, type TargetHealth } from './api.ts'
import { monitoringPaths } from './files.ts'
import { baseUrl, DEFAULT_PORTS, readRecord, resolveMode, runnerFor } from './record.ts'
import { serviceSpecs } from './specs.ts'

export interface ServiceStatus {
  name: 'prometheus' | 'alertmanager'
  /** up: answers /-/ready; starting: our process runs but is not ready; down: neither. */
  status: 'up' | 'starting' | 'down'
  url: string
  port: number
  /** The pid of the process `up` started, when it runs. */
  pid: number | null
  error?: string
}

export interface MonitoringStatus {
  mode: 'systemd' | 'process'
  started_by_xrayops: boolean
  services: ServiceStatus[]
  targets: TargetHealth[]
  rules: RuleGroupSummary[]
  alertmanager: { version: string; activeAlerts: string[] } | null
}

export async function monitoringStatus(o: { stateDir: string; host?: string; prometheusPort?: number; alertmanagerPort?: number }): Promise<MonitoringStatus> {
  const paths = monitoringPaths(o.stateDir)
  const rec = readRecord(paths)
  const host = o.host ?? rec?.host ?? '127.0.0.1'
  const ports = { prometheus: o.prometheusPort ?? rec?.prometheusPort ?? DEFAULT_PORTS.prometheus, alertmanager: o.alertmanagerPort ?? rec?.alertmanagerPort ?? DEFAULT_PORTS.alertmanager }
  const mode = rec?.mode ?? resolveMode('auto')
  const runner = runnerFor(mode)
  const specs = serviceSpecs(paths, rec?.binaries ?? { prometheus: 'prometheus', alertmanager: 'alertmanager' }, { host, prometheusPort: ports.prometheus, alertmanagerPort: ports.alertmanager })
  const services: ServiceStatus[] = []
  for (const spec of specs) {
    const name = spec.name as ServiceStatus['name']
    const url = baseUrl(host, ports[name])
    const pid = rec ? await runner.running(spec).catch(() => null) : null
    const ready = await isReady(url)
    services.push({ name, url, port: ports[name], pid, status: ready ? 'up' : pid !== null ? 'starting' : 'down' })
  }
  const prom = services[0]!
  const am = services[1]!
  const report: MonitoringStatus = { mode, started_by_xrayops: rec !== null, services, targets: [], rules: [], alertmanager: null }
  if (prom.status === 'up')
    try {
      report.targets = await targets(prom.url)
      report.rules = await rules(prom.url)
    } catch (e) {
      prom.error = (e as Error).message
    }
  if (am.status === 'up')
    try {
      report.alertmanager = await alertmanagerState(am.url)
    } catch (e) {
      am.error = (e as Error).message
    }
  return report
}

/** The report as text: services, then targets, then rules (firing and pending named). */
export function formatStatus(s: MonitoringStatus): string {
  const lines = s.services.map((v) => `${v.status.padEnd(9)}${v.name.padEnd(14)}${v.url}  port ${v.port}${v.pid ? `  pid ${v.pid}` : ''}${v.error ? `  (${v.error})` : ''}`)
  lines.push(`mode: ${s.mode}${s.started_by_xrayops ? '' : ' (nothing started by xrayops monitoring up here)'}`)
  if (s.targets.length) {
    lines.push('', 'targets:')
    for (const t of s.targets) lines.push(`  ${t.health.padEnd(8)}${t.job.padEnd(14)}${t.instance}${t.lastError ? `  ${t.lastError}` : ''}`)
  }
  if (s.rules.length) {
    const alerts = s.rules.flatMap((g) => g.alerts)
    const active = alerts.filter((a) => a.state !== 'inactive')
    lines.push('', `rules: ${alerts.length} alerts in ${s.rules.length} groups (${s.rules.map((g) => g.name).join(', ')})`)
    for (const a of active) lines.push(`  ${a.state.padEnd(9)}${a.name}`)
  }
  if (s.alertmanager) lines.push('', `alertmanager ${s.alertmanager.version}: ${s.alertmanager.activeAlerts.length} active alert(s)${s.alertmanager.activeAlerts.length ? `: ${[...new Set(s.alertmanager.activeAlerts)].join(', ')}` : ''}`)
  return lines.join('\n')
}
