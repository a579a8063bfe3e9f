import { defineCommand } from 'citty'
import { checkHealth, type Status, waitReady } from '../../ops/health.ts'
import { healthPort } from '../../config/health-port.ts'
import { commandConfig, configArg, guard, jsonArg, numberArg, settingArgs } from '../_shared.ts'

const EXIT: Record<Status, number> = { ok: 0, degraded: 1, down: 2 }

export default defineCommand({
  meta: {
    name: 'health',
    description: 'Check the model server (and the gateway and Prometheus when given). Exit 0 healthy, 1 degraded, 2 down',
  },
  args: {
    ...settingArgs('client', 'server.port', 'health.port'),
    timeout: { type: 'string', description: 'per-check timeout in ms', default: '3000' },
    'wait-ready': {
      type: 'string',
      description: 'poll --url until it is ready (ok or degraded), for at most SECONDS; exit 0 once ready, 2 if not ready in time',
      valueHint: 'SECONDS',
    },
    answering: { type: 'boolean', description: "with --wait-ready: ready once /health answers at all (the gateway's /health is down until a colour is live)", default: false },
    ...configArg,
    ...jsonArg,
  },
  run: ({ args }) =>
    guard(async () => {
      const timeoutMs = numberArg(args, 'timeout')
      const loaded = await commandConfig(args)
      // The model server's health listener (a flood of its prediction port cannot delay it), unless --url says where.
      const { server, health } = loaded.config
      const url = loaded.config.client.url ?? `http://127.0.0.1:${healthPort(server.port, health.port) ?? server.port}`
      if (args['wait-ready'] !== undefined) {
        const seconds = numberArg(args, 'wait-ready', (n) => n > 0, 'a positive number of seconds')
        const r = await waitReady({ url, seconds, answering: args.answering })
        if (args.json) process.stdout.write(`${JSON.stringify(r, null, 2)}\n`)
        else if (r.ready) process.stdout.write(`ready after ${r.waited_s.toFixed(1)} s: ${r.last.status} ${r.last.url}  ${r.last.detail}\n`)
        else process.stdout.write(`not ready after ${r.waited_s.toFixed(1)} s (${r.attempts} checks): ${r.last.url}  ${r.last.detail}\n`)
        return r.ready ? 0 : EXIT.down
      }
      const { client } = loaded.config
      const report = await checkHealth({ server: url, gateway: client.gatewayUrl, prometheus: client.prometheusUrl, timeoutMs })
      if (args.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`)
      else {
        for (const c of report.components) process.stdout.write(`${c.status.padEnd(9)}${c.name.padEnd(14)}${c.url}  ${c.detail}  (${c.ms.toFixed(0)} ms)\n`)
        process.stdout.write(`overall: ${report.status}\n`)
      }
      return EXIT[report.status]
    }),
})
