import { defineCommand } from 'citty'
import { checkHealth, type Status, waitReady } from '../../ops/health.ts'
import { jsonArg } from '../_shared.ts'
import { seconds, withUsage } from '../usage.ts'

const EXIT: Record<Status, number> = { ok: 0, degraded: 1, down: 2 }

const health = defineCommand({
  meta: {
    name: 'health',
    description: 'Check the model server (and the gateway and Prometheus when given). Exit 0 healthy, 1 degraded, 2 down',
  },
  args: {
    url: { type: 'string', description: 'model server base URL', default: process.env.XRAYOPS_URL ?? 'http://127.0.0.1:8000' },
    gateway: { type: 'string', description: 'gateway base URL (default: $XRAYOPS_GATEWAY_URL; unchecked when unset)' },
    prometheus: { type: 'string', description: 'Prometheus base URL, checked at /-/healthy (default: $PROMETHEUS_URL; unchecked when unset)' },
    timeout: { type: 'string', description: 'per-check timeout in ms', default: '3000' },
    'wait-ready': {
      type: 'string',
      description: 'poll --url until it is ready (ok or degraded), for at most SECONDS; exit 0 once ready, 2 if not ready in time',
      valueHint: 'SECONDS',
    },
    answering: { type: 'boolean', description: "with --wait-ready: ready once /health answers at all (the gateway's /health is down until a colour is live)", default: false },
    ...jsonArg,
  },
  run: ({ args }) =>
    withUsage(health, async () => {
      if (args['wait-ready'] !== undefined) {
        const r = await waitReady({ url: args.url, seconds: seconds('wait-ready', args['wait-ready']), answering: args.answering })
        if (args.json) process.stdout.write(`${JSON.stringify(r, null, 2)}\n`)
        else if (r.ready) process.stdout.write(`ready after ${r.waited_s.toFixed(1)} s: ${r.last.status} ${r.last.url}  ${r.last.detail}\n`)
        else process.stdout.write(`not ready after ${r.waited_s.toFixed(1)} s (${r.attempts} checks): ${r.last.url}  ${r.last.detail}\n`)
        process.exitCode = r.ready ? 0 : EXIT.down
        return
      }
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
    }),
})

export default health
