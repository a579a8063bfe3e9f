/**
 * Writes the running copy of the monitoring files: the shipped (or given) folder, with the
 * listen addresses, targets and receivers this host uses. The rules' expressions are never
 * changed; only `for:` can be shortened (alertFor), for tests and demonstrations.
 */
import fs from 'node:fs'
import path from 'node:path'
import YAML, { type Document } from 'yaml'
import type { MonitoringPaths } from './files.ts'
import { hostPort } from './specs.ts'

/** A scrape target `host:port`, with an optional colour label (`127.0.0.1:8001=blue`). */
export interface Target {
  address: string
  colour?: string
}

export interface RenderOptions {
  /** The folder holding prometheus.yml, rules/, targets/ and alertmanager.yml. */
  configDir: string
  /** Address Prometheus and Alertmanager are reached at (for their own scrape and for alerts). */
  host: string
  prometheusPort: number
  alertmanagerPort: number
  /** Replace targets/model-servers.json (else it is copied when the running copy has none). */
  modelServers?: Target[]
  /** Replace targets/gateway.json (an empty list: no gateway). */
  gateways?: Target[]
  /** Every webhook receiver's URL. */
  webhookUrl?: string
  email?: { to?: string; smarthost?: string; from?: string }
  scrapeInterval?: string
  evaluationInterval?: string
  /** Replaces every alert's `for:`. */
  alertFor?: string
}

const readYaml = (file: string): Document => {
  const doc = YAML.parseDocument(fs.readFileSync(file, 'utf8'))
  if (doc.errors.length) throw new Error(`${file}: ${doc.errors[0]!.message}`)
  return doc
}

/** Writes `text` to `file` through a temporary name, so a reload never reads half a file. */
function writeAtomic(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true })
  const tmp = `${file}.${process.pid}.tmp`
  fs.writeFileSync(tmp, text, { mode: 0o644 })
  fs.renameSync(tmp, file)
}

const targetsJson = (targets: Target[]) =>
  `${JSON.stringify(targets.map((t) => ({ targets: [t.address], ...(t.colour ? { labels: { colour: t.colour } } : {}) })), null, 2)}\n`

/** Sets the static targets of the scrape job named `job`, when the configuration has it. */
function setJobTargets(doc: Document, job: string, targets: string[]): void {
  const jobs = doc.get('scrape_configs') as YAML.YAMLSeq<YAML.YAMLMap> | undefined
  const i = jobs?.items.findIndex((j) => j.get('job_name') === job) ?? -1
  if (i >= 0) doc.setIn(['scrape_configs', i, 'static_configs'], doc.createNode([{ targets }]))
}

export function renderPrometheus(o: RenderOptions, p: MonitoringPaths['prometheus']): void {
  const doc = readYaml(path.join(o.configDir, 'prometheus.yml'))
  if (o.scrapeInterval) doc.setIn(['global', 'scrape_interval'], o.scrapeInterval)
  if (o.evaluationInterval) doc.setIn(['global', 'evaluation_interval'], o.evaluationInterval)
  const am = hostPort(o.host, o.alertmanagerPort)
  doc.set('alerting', doc.createNode({ alertmanagers: [{ static_configs: [{ targets: [am] }] }] }))
  setJobTargets(doc, 'prometheus', [hostPort(o.host, o.prometheusPort)])
  setJobTargets(doc, 'alertmanager', [am])
  writeAtomic(p.config, String(doc))

  // Rules: the shipped set exactly (a rule file removed from it is removed here too).
  fs.mkdirSync(p.rules, { recursive: true })
  const shipped = fs.existsSync(path.join(o.configDir, 'rules')) ? fs.readdirSync(path.join(o.configDir, 'rules')).filter((f) => /\.ya?ml$/.test(f)) : []
  for (const f of fs.readdirSync(p.rules)) if (!shipped.includes(f)) fs.rmSync(path.join(p.rules, f))
  for (const f of shipped) {
    const rules = readYaml(path.join(o.configDir, 'rules', f))
    if (o.alertFor)
      for (const g of (rules.get('groups') as YAML.YAMLSeq<YAML.YAMLMap>).items)
        for (const r of (g.get('rules') as YAML.YAMLSeq<YAML.YAMLMap>).items) if (r.has('alert')) r.set('for', o.alertFor)
    writeAtomic(path.join(p.rules, f), String(rules))
  }

  // Targets: kept as edited in the running copy, unless given (Prometheus re-reads them itself).
  fs.mkdirSync(p.targets, { recursive: true })
  const given: Record<string, Target[] | undefined> = { 'model-servers.json': o.modelServers, 'gateway.json': o.gateways }
  const shippedTargets = fs.existsSync(path.join(o.configDir, 'targets')) ? fs.readdirSync(path.join(o.configDir, 'targets')) : []
  for (const f of shippedTargets.filter((n) => n.endsWith('.json'))) {
    const list = given[f]
    if (list) writeAtomic(path.join(p.targets, f), targetsJson(list))
    else if (!fs.existsSync(path.join(p.targets, f))) writeAtomic(path.join(p.targets, f), fs.readFileSync(path.join(o.configDir, 'targets', f), 'utf8'))
  }
  for (const [f, list] of Object.entries(given)) if (list && !fs.existsSync(path.join(p.targets, f))) writeAtomic(path.join(p.targets, f), targetsJson(list))
}

export function renderAlertmanager(o: RenderOptions, p: MonitoringPaths['alertmanager']): void {
  const doc = readYaml(path.join(o.configDir, 'alertmanager.yml'))
  if (o.email?.smarthost) doc.setIn(['global', 'smtp_smarthost'], o.email.smarthost)
  if (o.email?.from) doc.setIn(['global', 'smtp_from'], o.email.from)
  const receivers = (doc.get('receivers') as YAML.YAMLSeq<YAML.YAMLMap> | undefined)?.items ?? []
  for (const r of receivers) {
    if (o.webhookUrl) for (const w of (r.get('webhook_configs') as YAML.YAMLSeq<YAML.YAMLMap> | undefined)?.items ?? []) w.set('url', o.webhookUrl)
    if (o.email?.to) for (const e of (r.get('email_configs') as YAML.YAMLSeq<YAML.YAMLMap> | undefined)?.items ?? []) e.set('to', o.email.to)
  }
  writeAtomic(p.config, String(doc))
}
