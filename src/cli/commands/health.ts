import { defineCommand } from 'citty'
import { checkHealth, type Status } from '../../ops/health.ts'
import { commandConfig, configArg, guard, jsonArg, numberArg, serverUrl, settingArgs } from '../_shared.ts'

const EXIT: Record<Status, number> = { ok: 0, degraded: 1, down: 2 }

export default defineCommand({
  meta: {
    name: 'health',
    description: 'Check the model server (and the gateway and Prometheus when given). Exit 0 healthy, 1 degraded, 2 down',
  },
  args: {
    ...settingArgs('client', 'server.port'),
    timeout: { type: 'string', description: 'per-check timeout in ms', default: '3000' },
    ...configArg,
    ...jsonArg,
  },
  run: ({ args }) =>
    guard(async () => {
      const timeoutMs = numberArg(args, 'timeout')
      const loaded = await commandConfig(args)
      const { client } = loaded.config
      const report = await checkHealth({ server: serverUrl(loaded), gateway: client.gatewayUrl, prometheus: client.prometheusUrl, timeoutMs })
      if (args.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`)
      else {
        for (const c of report.components) process.stdout.write(`${c.status.padEnd(9)}${c.name.padEnd(14)}${c.url}  ${c.detail}  (${c.ms.toFixed(0)} ms)\n`)
        process.stdout.write(`overall: ${report.status}\n`)
      }
      return EXIT[report.status]
    }),
})
