/** Where `xrayops notify` sends: notify.webhooks, else the webhook receivers of the Alertmanager `monitoring up` runs. */
import fs from 'node:fs'
import YAML from 'yaml'
import { XrayError } from '../errors/index.ts'
import { monitoringPaths } from '../monitoring/files.ts'

export interface Receivers {
  urls: string[]
  /** Where they came from, in words. */
  from: string
}

/** The webhook URLs of an alertmanager.yml's receivers, deduplicated, in order. */
export function alertmanagerWebhooks(yamlText: string): string[] {
  const doc = YAML.parse(yamlText) as { receivers?: { webhook_configs?: { url?: string }[] }[] } | null
  const urls = (doc?.receivers ?? []).flatMap((r) => (r.webhook_configs ?? []).map((w) => w.url).filter((u): u is string => typeof u === 'string'))
  return [...new Set(urls)]
}

export function notifyReceivers(configured: readonly string[], stateDir: string): Receivers {
  for (const u of configured) if (!/^https?:\/\//i.test(u) || !URL.canParse(u)) throw new XrayError('CONFIG_INVALID', `notify.webhooks: ${JSON.stringify(u)} is not an http:// or https:// URL`)
  if (configured.length) return { urls: [...configured], from: 'notify.webhooks' }
  const file = monitoringPaths(stateDir).alertmanager.config
  if (fs.existsSync(file)) {
    const urls = alertmanagerWebhooks(fs.readFileSync(file, 'utf8'))
    if (urls.length) return { urls, from: file }
  }
  throw new XrayError('CONFIG_INVALID', `no webhook receivers: set notify.webhooks (config.yaml, XRAYOPS_NOTIFY_WEBHOOKS or --webhook URL), or run \`xrayops monitoring up --webhook-url URL\` (its ${file} names them)`)
}
