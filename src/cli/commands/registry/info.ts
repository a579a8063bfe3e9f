import { defineCommand } from 'citty'
import { Registry } from '../../../registry/registry.ts'
import { label } from '../../../registry/records.ts'
import { listEvents } from '../../../state/events.ts'
import { guard, jsonArg } from '../../_shared.ts'
import { openStateFromArgs, stateArgs } from '../../state.ts'
import { accuracyText, usesOf } from './_shared.ts'

export default defineCommand({
  meta: { name: 'info', description: 'One registered version: files, checks, use and history' },
  args: {
    version: { type: 'string', description: 'the version (with or without a leading v)', required: true },
    name: { type: 'string', description: 'the model name, when several names have this version' },
    ...stateArgs,
    ...jsonArg,
  },
  run: ({ args }) =>
    guard(async () => {
      const state = await openStateFromArgs(args)
      try {
        const reg = new Registry(state)
        const r = reg.find(args.version, args.name)
        const events = listEvents(state.db, { prefix: 'model.' }).filter((e) => e.subject === label(r))
        const info = {
          ...r,
          inUse: usesOf(reg).get(r.id) ?? null,
          manifest: reg.manifestPath(r),
          file: reg.store.modelPath(r.sha256),
          fileIntact: reg.store.holds(reg.store.modelPath(r.sha256), r.sha256),
          events,
        }
        if (args.json) {
          process.stdout.write(`${JSON.stringify(info, null, 2)}\n`)
          return
        }
        const lines = [
          `${label(r)}  (${r.status}${info.inUse ? `, in use: ${info.inUse}` : ''})`,
          `  architecture  ${r.architecture}`,
          `  accuracy      ${accuracyText(r)}`,
          `  warm-up score ${r.warmupScore.toFixed(6)}`,
          `  sha256        ${r.sha256} (${info.fileIntact ? 'file intact' : 'FILE MISSING OR DAMAGED'})`,
          `  bytes         ${r.bytes}`,
          `  registered    ${r.registeredAt} by ${r.registeredBy}`,
          ...(r.archivedAt ? [`  archived      ${r.archivedAt}`] : []),
          ...(r.notes ? [`  notes         ${r.notes}`] : []),
          `  manifest      ${info.manifest}`,
          `  file          ${info.file}`,
          '  history',
          ...events.map((e) => `    ${e.at}  ${e.action.padEnd(15)} ${e.actor}${e.reason ? `  (${e.reason})` : ''}`),
        ]
        process.stdout.write(`${lines.join('\n')}\n`)
        return info.fileIntact ? 0 : 1
      } finally {
        state.close()
      }
    }),
})
