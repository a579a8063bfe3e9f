import { defineCommand } from 'citty'
import { shippedModelManifest } from '../../models/shipped.ts'
import { ensureStateDir } from '../../state/dir.ts'
import { runValidation } from '../../validate/index.ts'
import { commandConfig, configArg, guard, jsonArg, settingArgs } from '../_shared.ts'
import { stateDirOf } from '../state.ts'

export default defineCommand({
  meta: {
    name: 'validate',
    description:
      "Complete-system validation: model servers healthy and answering their model's known image, the gateway routing, disk and memory headroom, a recent backup; with --comprehensive also Prometheus scraping and rules and Alertmanager. Exit 0 when nothing failed, 1 otherwise (for cron and xrayops-validate.timer)",
  },
  args: {
    comprehensive: { type: 'boolean', description: 'also check monitoring: Prometheus targets up and rules loaded, Alertmanager ready', default: false },
    ...jsonArg,
    ...configArg,
    ...settingArgs('state', 'client', 'validate', 'backup.dir', 'logging.file'),
  },
  run: ({ args }) =>
    guard(async () => {
      const loaded = await commandConfig(args)
      const stateDir = ensureStateDir(stateDirOf(loaded))
      const report = await runValidation(loaded.config, stateDir, { comprehensive: args.comprehensive, shippedManifest: shippedModelManifest() })
      if (args.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`)
      else {
        const width = Math.max(...report.checks.map((c) => c.name.length)) + 2
        for (const c of report.checks) process.stdout.write(`${c.status.padEnd(6)}${c.name.padEnd(width)}${c.detail}\n`)
        const n = (v: string) => report.checks.filter((c) => c.status === v).length
        process.stdout.write(`${report.ok ? 'valid' : 'NOT VALID'}: ${n('pass')} passed, ${n('fail')} failed, ${n('skip')} skipped\n`)
      }
      return report.ok ? 0 : 1
    }),
})
