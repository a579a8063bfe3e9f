import { defineCommand } from 'citty'
import { monitoringDown } from '../../../monitoring/index.ts'
import { configArg, confirm, guard, jsonArg, settingArgs, yesArg } from '../../_shared.ts'
import { place } from './_shared.ts'

export default defineCommand({
  meta: { name: 'down', description: 'Stop the Prometheus and Alertmanager that `monitoring up` started (only those)' },
  args: {
    ...settingArgs('state'),
    ...configArg,
    ...yesArg,
    ...jsonArg,
  },
  run: ({ args }) =>
    guard(async () => {
      const { stateDir } = await place(args)
      if (!(await confirm('Stop Prometheus and Alertmanager started by xrayops monitoring up?', args.yes))) {
        process.stdout.write('nothing stopped\n')
        return 1
      }
      const r = await monitoringDown({ stateDir })
      if (args.json) process.stdout.write(`${JSON.stringify(r, null, 2)}\n`)
      else {
        for (const n of r.stopped) process.stdout.write(`stopped      ${n}\n`)
        for (const n of r.notRunning) process.stdout.write(`not running  ${n}\n`)
      }
    }),
})
