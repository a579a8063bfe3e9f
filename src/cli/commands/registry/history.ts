import { defineCommand } from 'citty'
import { Registry } from '../../../registry/registry.ts'
import { guard, jsonArg, usageError } from '../../_shared.ts'
import { openStateFromArgs, stateArgs } from '../../state.ts'
import { table } from '../../table.ts'

export default defineCommand({
  meta: { name: 'history', description: 'Who changed the registry, when, what and why (newest first)' },
  args: {
    limit: { type: 'string', description: 'at most this many events', default: '50' },
    all: { type: 'boolean', description: 'every event (tokens and releases too), not only the registry', default: false },
    ...stateArgs,
    ...jsonArg,
  },
  run: ({ args }) =>
    guard(async () => {
      const limit = Number(args.limit)
      if (!Number.isInteger(limit) || limit < 1) throw usageError(`--limit ${args.limit} must be a positive integer`)
      const state = await openStateFromArgs(args)
      try {
        const events = new Registry(state).history({ limit, all: args.all })
        if (args.json) process.stdout.write(`${JSON.stringify(events, null, 2)}\n`)
        else if (!events.length) process.stdout.write('no events\n')
        else process.stdout.write(`${table([['WHEN', 'WHO', 'WHAT', 'SUBJECT', 'WHY'], ...events.map((e) => [e.at, e.actor, e.action, e.subject, e.reason ?? ''])])}\n`)
      } finally {
        state.close()
      }
    }),
})
