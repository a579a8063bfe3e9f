import { defineCommand } from 'citty'
import { Registry } from '../../../registry/registry.ts'
import { guard, jsonArg } from '../../_shared.ts'
import { openStateFromArgs, stateArgs } from '../../state.ts'
import { table } from '../../table.ts'
import { accuracyText, usesOf } from './_shared.ts'

export default defineCommand({
  meta: { name: 'list', description: 'Registered model versions, newest first per name' },
  args: {
    name: { type: 'string', description: 'only this model name' },
    all: { type: 'boolean', description: 'include archived versions', default: false },
    ...stateArgs,
    ...jsonArg,
  },
  run: ({ args }) =>
    guard(async () => {
      const state = await openStateFromArgs(args)
      try {
        const reg = new Registry(state)
        const rows = reg.list({ name: args.name, includeArchived: args.all })
        const uses = usesOf(reg)
        if (args.json) {
          process.stdout.write(`${JSON.stringify(rows.map((r) => ({ ...r, inUse: uses.get(r.id) ?? null, manifest: reg.manifestPath(r) })), null, 2)}\n`)
          return
        }
        if (!rows.length) {
          process.stdout.write(`no ${args.all ? '' : 'registered '}models in ${state.paths.dir}\n`)
          return
        }
        const header = ['NAME', 'VERSION', 'STATUS', 'ARCHITECTURE', 'ACCURACY', 'WARM-UP', 'REGISTERED', 'BY', 'SHA256', 'IN USE']
        const body = rows.map((r) => [r.name, r.version, r.status, r.architecture, accuracyText(r), r.warmupScore.toFixed(4), r.registeredAt.slice(0, 19).replace('T', ' '), r.registeredBy, r.sha256.slice(0, 12), uses.get(r.id) ?? ''])
        process.stdout.write(`${table([header, ...body])}\n`)
      } finally {
        state.close()
      }
    }),
})
