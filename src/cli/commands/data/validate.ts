import { defineCommand } from 'citty'
import { recentRecords } from '../../../audit/store.ts'
import { checkRecentData, DEFAULT_MAX_SHARE, FLAG_MEANING, type DataFlag } from '../../../drift/data-check.ts'
import { commandConfig, EXIT, guard, jsonArg, numberArg, settingArgs, usageError } from '../../_shared.ts'
import { recentWindow, windowArgs } from '../../recent.ts'
import { openStateFromArgs, stateArgs } from '../../state.ts'
import { table } from '../../table.ts'

const pct = (x: number) => `${(x * 100).toFixed(1)}%`

export default defineCommand({
  meta: { name: 'validate', description: 'Flags recent inputs unlike chest X-rays (tiny, colour, inverted, near-constant, non-chest or lateral DICOM); exit 1 when too many are' },
  args: {
    'check-recent-data': { type: 'boolean', description: 'check the recent predictions recorded in the audit trail', default: false },
    ...windowArgs,
    'max-flagged-share': { type: 'string', description: `fail when more than this share of the inputs is flagged (default ${DEFAULT_MAX_SHARE})` },
    ...settingArgs('drift'),
    ...stateArgs,
    ...jsonArg,
  },
  run: ({ args }) =>
    guard(async () => {
      if (!args['check-recent-data']) throw usageError('say what to validate: --check-recent-data')
      const maxShare = args['max-flagged-share'] === undefined ? DEFAULT_MAX_SHARE : numberArg(args, 'max-flagged-share', (n) => n >= 0 && n <= 1, 'a share from 0 to 1')
      const { config } = await commandConfig(args)
      const q = recentWindow(args, config.drift.window)
      const state = await openStateFromArgs(args)
      try {
        const rows = recentRecords(state.db, { limit: q.window, since: q.since })
        const check = checkRecentData(rows, maxShare)
        if (args.json) process.stdout.write(`${JSON.stringify({ window: q.text, ...check }, null, 2)}\n`)
        else {
          const lines = [`${check.checked} inputs checked (the decoded images among ${q.text} predictions); ${check.flagged} flagged (${pct(check.share)}), limit ${pct(maxShare)}`]
          const counted = Object.entries(check.counts) as [DataFlag, number][]
          if (counted.length) lines.push('', table([['FLAG', 'INPUTS', 'MEANING'], ...counted.map(([f, n]) => [f, String(n), FLAG_MEANING[f]])]))
          if (check.examples.length) lines.push('', 'flagged (newest first; `xrayops audit --recent` shows them):', ...check.examples.slice(0, 10).map((e) => `  ${e.at}  ${e.id}  ${e.flags.join(',')}`))
          lines.push('', check.checked === 0 ? 'PASS: nothing to check yet' : check.passed ? 'PASS: the inputs look like chest X-rays' : `FAIL: ${pct(check.share)} of the inputs are unlike chest X-rays (limit ${pct(maxShare)})`)
          process.stdout.write(`${lines.join('\n')}\n`)
        }
        return check.passed ? EXIT.ok : EXIT.failure
      } finally {
        state.close()
      }
    }),
})
