import { defineCommand } from 'citty'
import { checkHealth, type Status } from '../../ops/health.ts'
import { jsonArg } from '../_shared.ts'

const EXIT: Record<Status, number> = { ok: 0, degraded: 1, down: 2 }

export default defineCommand({
  meta: {
    name: 'health',
    description: 'Check the model server (and the gateway and Prometheus when given). Exit 0 healthy, 1 degraded, 2 down',
  },
  args: {
    url: { type: 'string', description: 'model server base URL', default: process.env.XRAYOPS_URL ?? 'http://127.0.0.1:8000' },
    gateway: { type: 'string', description: 'gateway base URL (default: $XRAYOPS_GATEWAY_URL; unchecked when unset)' },
    prometheus: { type: 'string', description: 'Prometheus base URL, checked at /-/healthy (default: $PROMETHEUS_URL; unchecked when unset)' },
    timeout: { type: 'string', description: 'per-check timeout in ms', default: '3000' },
    ...jsonArg,
  },
  async run({ args }) {
    const report = await checkHealth({
      server: args.url,
      gateway: args.gateway ?? process.env.XRAYOPS_GATEWAY_URL,
      prometheus: args.prometheus ?? process.env.PROMETHEUS_URL,
      timeoutMs: Number(args.timeout) || 3000,
    })
    if (args.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`)
    else {
      for (const c of report.components) process.stdout.write(`${c.status.padEnd(9)}${c.name.padEnd(14)}${c.url}  ${c.detail}  (${c.ms.toFixed(0)} ms)\n`)
      process.stdout.write(`overall: ${report.status}\n`)
    }
    process.exitCode = EXIT[report.status]
  },
})
