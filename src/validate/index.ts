/**
 * `xrayops validate`: the runbook's complete-system validation. The model servers the state
 * database records (else client.url, else this host's server.port), the gateway, disk and memory
 * headroom and the newest backup; with `comprehensive`, monitoring too (Prometheus scraping and
 * rules, Alertmanager). Every check says pass, fail or skip, and why.
 */
import path from 'node:path'
import { backupDirOf } from '../backup/locate.ts'
import type { ServerConfig } from '../config/schema.ts'
import { reachable } from '../deploy/probe.ts'
import { readManifest } from '../models/manifest.ts'
import { monitoringPaths } from '../monitoring/files.ts'
import { baseUrl, DEFAULT_PORTS, readRecord } from '../monitoring/record.ts'
import { Registry } from '../registry/registry.ts'
import { openState } from '../state/db.ts'
import { listEnvironments } from '../state/environments.ts'
import { backupCheck } from './backups.ts'
import { fail, guarded, skip, type ValidationCheck } from './check.ts'
import { diskChecks, memoryCheck } from './host.ts'
import { alertmanagerCheck, rulesCheck, scrapeCheck } from './monitoring.ts'
import { gatewayCheck, modelChecks, type ModelTarget } from './services.ts'

export type { ValidationCheck, Verdict } from './check.ts'

export interface ValidationReport {
  ok: boolean
  comprehensive: boolean
  checks: ValidationCheck[]
}

const TIMEOUT_MS = 15_000

/** What the state folder records: the deployed colours, and every registered model's manifest by sha256. */
async function recorded(stateDir: string): Promise<{ targets: ModelTarget[]; manifests: Map<string, string> }> {
  const state = await openState(stateDir)
  try {
    const registry = new Registry(state)
    const manifests = new Map(registry.list({ includeArchived: true }).map((m) => [m.sha256, registry.manifestPath(m)]))
    const targets = listEnvironments(state.db)
      .filter((e) => e.modelId !== null && e.port !== null && e.state !== 'stopped')
      .map((e) => ({ label: e.colour, url: reachable(e.host, e.port!), expected: { version: e.version, sha256: e.sha256 } }))
    return { targets, manifests }
  } finally {
    state.close()
  }
}

/** Prometheus and Alertmanager: the configured addresses, else those `monitoring up` recorded, else the default ports on loopback. */
export function monitoringUrls(config: ServerConfig, stateDir: string): { prometheus: string; alertmanager: string } {
  const rec = readRecord(monitoringPaths(stateDir))
  const host = rec?.host ?? '127.0.0.1'
  return {
    prometheus: config.client.prometheusUrl ?? baseUrl(host, rec?.prometheusPort ?? DEFAULT_PORTS.prometheus),
    alertmanager: config.client.alertmanagerUrl ?? baseUrl(host, rec?.alertmanagerPort ?? DEFAULT_PORTS.alertmanager),
  }
}

export async function runValidation(config: ServerConfig, stateDir: string, o: { comprehensive: boolean; shippedManifest: string }): Promise<ValidationReport> {
  const checks: ValidationCheck[] = []
  let targets: ModelTarget[] = []
  let manifests = new Map<string, string>()
  try {
    ;({ targets, manifests } = await recorded(stateDir))
  } catch (e) {
    checks.push(fail('state database', `${stateDir}: ${(e as Error).message} (xrayops restore --from-backup latest)`))
  }
  const shipped = await readManifest(o.shippedManifest).catch(() => null)
  if (shipped && !manifests.has(shipped.manifest.sha256)) manifests.set(shipped.manifest.sha256, shipped.manifestPath)
  const servers: ModelTarget[] = [...targets]
  if (config.client.url) servers.push({ label: 'server', url: config.client.url.replace(/\/$/, '') })
  if (servers.length === 0) servers.push({ label: 'server', url: `http://127.0.0.1:${config.server.port}` })
  for (const t of servers) checks.push(...(await guarded(`model ${t.label}`, () => modelChecks(t, (m) => manifests.get(m.sha256), TIMEOUT_MS))))
  const gateway = config.client.gatewayUrl ?? (targets.length ? reachable(config.gateway.host, config.gateway.port) : undefined)
  checks.push(...(await guarded('gateway', () => gatewayCheck(gateway?.replace(/\/$/, ''), 'no colour is deployed and client.gateway_url is unset: no gateway expected'))))
  const { prometheus, alertmanager } = monitoringUrls(config, stateDir)
  if (o.comprehensive) {
    checks.push(...(await guarded('prometheus scraping', () => scrapeCheck(prometheus))))
    checks.push(...(await guarded('prometheus rules', () => rulesCheck(prometheus))))
    checks.push(...(await guarded('alertmanager', () => alertmanagerCheck(alertmanager))))
  } else for (const n of ['prometheus scraping', 'prometheus rules', 'alertmanager']) checks.push(skip(n, 'with --comprehensive'))
  const dirs: Record<string, string> = { state: stateDir }
  if (config.logging.file) dirs.logs = path.dirname(path.resolve(config.logging.file))
  const backupDir = backupDirOf(stateDir, config.backup.dir)
  dirs.backups = backupDir
  checks.push(...diskChecks(dirs, config.validate.diskFreeMinPercent))
  checks.push(memoryCheck(config.validate.memoryUsedMaxPercent))
  checks.push(backupCheck(backupDir, config.validate.backupMaxAgeMs))
  return { ok: checks.every((c) => c.status !== 'fail'), comprehensive: o.comprehensive, checks }
}
