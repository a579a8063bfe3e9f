import { defineCommand } from 'citty'
import { applyArchive, planArchive } from '../../../registry/archive.ts'
import { Registry } from '../../../registry/registry.ts'
import { label } from '../../../registry/records.ts'
import { osActor } from '../../../state/actor.ts'
import { confirm, guard, jsonArg, usageError } from '../../_shared.ts'
import { parseDuration } from '../../duration.ts'
import { openStateFromArgs, stateArgs } from '../../state.ts'

export default defineCommand({
  meta: { name: 'archive', description: 'Archive old versions (never one an environment runs, the last good one, or the last of a name)' },
  args: {
    'older-than': { type: 'string', description: 'versions registered longer ago than this (30d, 12h, 2w)' },
    version: { type: 'string', description: 'or one version' },
    name: { type: 'string', description: 'only this model name' },
    reason: { type: 'string', description: 'why, for the history' },
    'dry-run': { type: 'boolean', description: 'show what would be archived', default: false },
    yes: { type: 'boolean', description: 'do not ask for confirmation', default: false },
    ...stateArgs,
    ...jsonArg,
  },
  run: ({ args }) =>
    guard(async () => {
      const olderThan = args['older-than']
      if ((olderThan === undefined) === (args.version === undefined)) throw usageError('give --older-than DURATION or --version VERSION (one of them)')
      const olderThanMs = olderThan === undefined ? undefined : parseDuration(olderThan, '--older-than')
      const state = await openStateFromArgs(args)
      try {
        const reg = new Registry(state)
        const plan = planArchive(reg, { olderThanMs, version: args.version, name: args.name })
        const out = (s: string) => !args.json && process.stdout.write(`${s}\n`)
        for (const k of plan.kept) out(`keeping  ${label(k.record)}: ${k.why}`)
        for (const r of plan.archive) out(`${args['dry-run'] ? 'would archive' : 'archiving'}  ${label(r)} (registered ${r.registeredAt})`)
        let archived: typeof plan.archive = []
        if (plan.archive.length && !args['dry-run'] && (await confirm(`Archive ${plan.archive.length} version(s)?`, args.yes))) {
          archived = applyArchive(reg, plan, osActor(), args.reason ?? (olderThan ? `older than ${olderThan}` : 'archived by hand'))
          out(`archived ${archived.length} version(s)`)
        } else if (!plan.archive.length) out('nothing to archive')
        if (args.json) process.stdout.write(`${JSON.stringify({ archived, wouldArchive: args['dry-run'] ? plan.archive : [], kept: plan.kept.map((k) => ({ ...k.record, why: k.why })) }, null, 2)}\n`)
      } finally {
        state.close()
      }
    }),
})
