/** `xrayops monitoring up`: render the files, start (or reload) both services, wait for ready. */
import fs from 'node:fs'
import { XrayError } from '../errors/index.ts'
import { waitReady } from './api.ts'
import { requireBinaries } from './binaries.ts'
import { checkRunningCopy } from './check.ts'
import { monitoringPaths, shippedMonitoringDir, type MonitoringPaths } from './files.ts'
import { baseUrl, DEFAULT_PORTS, readRecord, resolveMode, runnerFor, writeRecord, type Mode, type MonitoringRecord } from './record.ts'
import { renderAlertmanager, renderPrometheus, type RenderOptions } from './render.ts'
import { serviceSpecs } from './specs.ts'
import { stopServices } from './down.ts'

export interface UpOptions extends Partial<Omit<RenderOptions, 'configDir'>> {
  stateDir: string
  /** The folder to run from (default: the shipped monitoring/). */
  configDir?: string
  mode?: Mode | 'auto'
  readyTimeoutMs?: number
}

export interface ServiceUp {
  url: string
  pid: number | null
  /** It was running already and re-read its files. */
  reloaded: boolean
}

export interface UpResult {
  mode: Mode
  prometheus: ServiceUp
  alertmanager: ServiceUp
  paths: MonitoringPaths
}

const definedOnly = <T extends object>(o: T): Partial<T> => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>

/** The last lines of a log file, to say why a service stopped. */
const tail = (file: string, lines = 15) => {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n')
  } catch {
    return '(no log)'
  }
}

export async function monitoringUp(o: UpOptions): Promise<UpResult> {
  const binaries = requireBinaries()
  const paths = monitoringPaths(o.stateDir)
  const prev = readRecord(paths)
  const rec: MonitoringRecord = {
    mode: resolveMode(o.mode ?? prev?.mode ?? 'auto'),
    host: o.host ?? prev?.host ?? '127.0.0.1',
    prometheusPort: o.prometheusPort ?? prev?.prometheusPort ?? DEFAULT_PORTS.prometheus,
    alertmanagerPort: o.alertmanagerPort ?? prev?.alertmanagerPort ?? DEFAULT_PORTS.alertmanager,
    binaries,
    configDir: o.configDir ?? prev?.settings?.configDir ?? shippedMonitoringDir(),
    settings: {
      configDir: o.configDir ?? prev?.settings?.configDir,
      webhookUrl: o.webhookUrl ?? prev?.settings?.webhookUrl,
      email: { ...prev?.settings?.email, ...definedOnly(o.email ?? {}) },
      scrapeInterval: o.scrapeInterval ?? prev?.settings?.scrapeInterval,
      evaluationInterval: o.evaluationInterval ?? prev?.settings?.evaluationInterval,
    },
    startedAt: new Date().toISOString(),
  }
  // Moved to other ports, address or runner: stop what the last `up` started first.
  if (prev && (prev.mode !== rec.mode || prev.host !== rec.host || prev.prometheusPort !== rec.prometheusPort || prev.alertmanagerPort !== rec.alertmanagerPort))
    await stopServices(paths, prev)

  const render: RenderOptions = {
    ...rec.settings,
    alertFor: o.alertFor, // tests and demonstrations only: never remembered
    modelServers: o.modelServers,
    gateways: o.gateways,
    configDir: rec.configDir,
    host: rec.host,
    prometheusPort: rec.prometheusPort,
    alertmanagerPort: rec.alertmanagerPort,
  }
  try {
    renderPrometheus(render, paths.prometheus)
    renderAlertmanager(render, paths.alertmanager)
  } catch (e) {
    throw new XrayError('CONFIG_INVALID', `the monitoring files in ${rec.configDir}: ${(e as Error).message}`)
  }
  await checkRunningCopy(paths)

  const runner = runnerFor(rec.mode)
  const specs = serviceSpecs(paths, binaries, rec)
  const started: ServiceUp[] = []
  for (const spec of specs) {
    const r = await spawnOrReload(runner, spec)
    started.push({ url: baseUrl(rec.host, spec.name === 'prometheus' ? rec.prometheusPort : rec.alertmanagerPort), ...r })
    writeRecord(paths, rec) // from now on `down` finds what was started
  }
  for (const [i, spec] of specs.entries())
    try {
      await waitReady(started[i]!.url, { timeoutMs: o.readyTimeoutMs ?? 60_000, alive: async () => (await runner.running(spec)) !== null })
    } catch (e) {
      throw new XrayError('MONITORING_FAILED', `${spec.description} at ${started[i]!.url}: ${(e as Error).message}; its log (${spec.logFile}) ends:\n${tail(spec.logFile)}`)
    }
  return { mode: rec.mode, prometheus: started[0]!, alertmanager: started[1]!, paths }
}

async function spawnOrReload(runner: ReturnType<typeof runnerFor>, spec: ReturnType<typeof serviceSpecs>[number]) {
  try {
    return await runner.start(spec)
  } catch (e) {
    if (e instanceof XrayError) throw e
    throw new XrayError('MONITORING_FAILED', `cannot start ${spec.command}: ${(e as Error).message}`)
  }
}
