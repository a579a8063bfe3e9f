import { defineCommand } from 'citty'
import { monitoringUp, type Target } from '../../../monitoring/index.ts'
import { guard, intFlag, jsonArg, usageError } from '../../_shared.ts'
import { place, placeArgs } from './_shared.ts'

/** `host:port` or `host:port=colour`, comma-separated; `none` or empty: no targets. */
export function parseTargets(flag: string, value: string | undefined): Target[] | undefined {
  if (value === undefined) return undefined
  if (value.trim() === '' || value.trim() === 'none') return []
  return value.split(',').map((item) => {
    const m = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d{1,5})(?:=([a-z][a-z0-9_-]*))?$/.exec(item.trim())
    if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) throw usageError(`--${flag} ${item}: expected host:port or host:port=colour`)
    return { address: `${m[1]}:${m[2]}`, ...(m[3] ? { colour: m[3] } : {}) }
  })
}

const duration = (flag: string, v: string | undefined) => {
  if (v !== undefined && !/^(\d+(ms|s|m|h|d|w|y))+$/.test(v)) throw usageError(`--${flag} ${v}: expected a Prometheus duration such as 15s or 1m`)
  return v
}

export default defineCommand({
  meta: { name: 'up', description: 'Start (or reload) Prometheus and Alertmanager with the monitoring files and wait until both are ready' },
  args: {
    ...placeArgs,
    'config-dir': { type: 'string', description: 'folder with prometheus.yml, rules/, targets/ and alertmanager.yml (default: the shipped monitoring/)' },
    'model-servers': { type: 'string', description: 'model servers to scrape, host:port[=colour],... (default: the shipped targets file: :8000 single, :8001 blue, :8002 green)' },
    gateways: { type: 'string', description: 'gateways to scrape, host:port,... or none (default: :8080)' },
    'webhook-url': { type: 'string', description: "URL of every webhook receiver (default: alertmanager.yml's)" },
    'email-to': { type: 'string', description: 'address the critical alerts are mailed to' },
    'smtp-smarthost': { type: 'string', description: 'SMTP relay host:port for the e-mail receiver' },
    'smtp-from': { type: 'string', description: 'sender address of alert e-mails' },
    'scrape-interval': { type: 'string', description: 'how often targets are scraped (default 15s)' },
    'evaluation-interval': { type: 'string', description: 'how often rules are evaluated (default 15s)' },
    mode: { type: 'enum', options: ['auto', 'systemd', 'process'], description: 'systemd units, or background processes with pid files; auto (the default, or what the last `up` used): systemd where it is PID 1' },
    timeout: { type: 'string', description: 'seconds to wait for /-/ready', default: '60' },
    ...jsonArg,
  },
  run: ({ args }) =>
    guard(async () => {
      const r = await monitoringUp({
        ...(await place(args)),
        configDir: args['config-dir'],
        modelServers: parseTargets('model-servers', args['model-servers']),
        gateways: parseTargets('gateways', args.gateways),
        webhookUrl: args['webhook-url'],
        email: { to: args['email-to'], smarthost: args['smtp-smarthost'], from: args['smtp-from'] },
        scrapeInterval: duration('scrape-interval', args['scrape-interval']),
        evaluationInterval: duration('evaluation-interval', args['evaluation-interval']),
        mode: args.mode as 'auto' | 'systemd' | 'process' | undefined,
        readyTimeoutMs: intFlag('timeout', args.timeout, 1, 3600)! * 1000,
      })
      if (args.json) process.stdout.write(`${JSON.stringify(r, null, 2)}\n`)
      else {
        for (const [name, s] of [['prometheus', r.prometheus], ['alertmanager', r.alertmanager]] as const)
          process.stdout.write(`ready    ${name.padEnd(14)}${s.url}${s.pid ? `  pid ${s.pid}` : ''}${s.reloaded ? '  (was running: reloaded its files)' : ''}\n`)
        process.stdout.write(`mode: ${r.mode}; files, data and logs in ${r.paths.root}\n`)
      }
    }),
})
