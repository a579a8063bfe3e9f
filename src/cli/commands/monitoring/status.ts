import { defineCommand } from 'citty'
import { formatStatus, monitoringStatus } from '../../../monitoring/index.ts'
import { guard, jsonArg } from '../../_shared.ts'
import { place, placeArgs } from './_shared.ts'

export default defineCommand({
  meta: { name: 'status', description: "Prometheus and Alertmanager: up or down, ports, targets' health, rules loaded. Exit 0 when both are up, 1 otherwise" },
  args: { ...placeArgs, ...jsonArg },
  run: ({ args }) =>
    guard(async () => {
      const s = await monitoringStatus(await place(args))
      process.stdout.write(args.json ? `${JSON.stringify(s, null, 2)}\n` : `${formatStatus(s)}\n`)
      return s.services.every((v) => v.status === 'up') ? 0 : 1
    }),
})
