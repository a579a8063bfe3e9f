import { execFile } from 'node:child_process'
import { monitoringUp } from '../../src/monitoring/index.ts'
import { freePort } from '../helpers/process.ts'
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import YAML from 'yaml'
import { tool } from '../helpers/require.ts'

/** The shipped monitoring folder. */
export const monitoringDir = fileURLToPath(new URL('../../monitoring/', import.meta.url))
export const inMonitoring = (...p: string[]) => path.join(monitoringDir, ...p)
export const yamlFiles = (sub: string) => readdirSync(inMonitoring(sub)).filter((f) => f.endsWith('.yml')).sort().map((f) => inMonitoring(sub, f))

export const promtool = tool('promtool', 'apt-get install prometheus')
export const amtool = tool('amtool', 'apt-get install prometheus-alertmanager')
export const prometheus = tool('prometheus', 'apt-get install prometheus')
export const alertmanager = tool('prometheus-alertmanager', 'apt-get install prometheus-alertmanager')

/** Runs a program; resolves with its exit code and output (never rejects on a non-zero exit). */
export const exec = (cmd: string, args: string[], env?: NodeJS.ProcessEnv) =>
  new Promise<{ code: number; out: string; stdout: string }>((resolve) =>
    execFile(cmd, args, { env: env ?? process.env, timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, out: `${stdout}${stderr}`, stdout }),
    ),
  )

export interface AlertRule {
  alert: string
  expr: string
  for?: string
  labels: Record<string, string>
  annotations: Record<string, string>
}

/** Every alerting rule of the shipped rules files, with its file. */
export const shippedAlerts = (): (AlertRule & { file: string })[] =>
  yamlFiles('rules').flatMap((file) =>
    (YAML.parse(readFileSync(file, 'utf8')) as { groups: { rules: AlertRule[] }[] }).groups.flatMap((g) => g.rules.filter((r) => r.alert).map((r) => ({ ...r, file }))),
  )

interface Panel {
  title: string
  type: string
  targets?: { expr: string }[]
}

/** The dashboard's panels with queries, and each query with Grafana's variables given values. */
export function dashboardQueries(): { panel: string; expr: string }[] {
  const d = JSON.parse(readFileSync(inMonitoring('grafana', 'xrayops.json'), 'utf8')) as { panels: Panel[] }
  return d.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr.replaceAll('$__rate_interval', '1m').replaceAll('$instance', '.*') })))
}

/** Whether `pid` runs (a zombie, dead and waiting for its parent to reap it, does not). */
export function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z'
  } catch {
    return false
  }
}

/**
 * Real Prometheus and Alertmanager (processes, free loopback ports) scraping one model server at
 * `serverUrl`. Test timings: the rules' expressions are the shipped ones, only `for:` is shorter.
 */
export const monitorModelServer = async (stateDir: string, serverUrl: string, webhookUrl?: string) =>
  monitoringUp({
    stateDir,
    mode: 'process',
    prometheusPort: await freePort(),
    alertmanagerPort: await freePort(),
    modelServers: [{ address: new URL(serverUrl).host, colour: 'blue' }],
    gateways: [],
    ...(webhookUrl ? { webhookUrl } : {}),
    scrapeInterval: '1s',
    evaluationInterval: '1s',
    alertFor: '1s',
  })

export type PromResult = { metric: Record<string, string>; value: [number, string]; values?: [number, string][] }[]

/** An instant query through Prometheus's HTTP API at `prometheusUrl`; throws when Prometheus refuses it. */
export async function promQuery(prometheusUrl: string, q: string): Promise<PromResult> {
  const body = (await (await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(q)}`)).json()) as { status: string; error?: string; data: { result: PromResult } }
  if (body.status !== 'success') throw new Error(`${q}: ${body.error}`)
  return body.data.result
}
