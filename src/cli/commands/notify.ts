import fs from 'node:fs'
import { defineCommand } from 'citty'
import { consola } from 'consola'
import { XrayError } from '../../errors/index.ts'
import { webhookBody, SEVERITIES, type Severity } from '../../notify/message.ts'
import { notifyReceivers } from '../../notify/receivers.ts'
import { deliver } from '../../notify/send.ts'
import { osActor } from '../../state/actor.ts'
import { openState } from '../../state/db.ts'
import { statePaths } from '../../state/dir.ts'
import { appendEvent } from '../../state/events.ts'
import { commandConfig, EXIT, guard, jsonArg, settingArgs, usageError } from '../_shared.ts'
import { stateArgs, stateDirOf } from '../state.ts'

export default defineCommand({
  meta: { name: 'notify', description: "Sends an incident notice to the webhook receivers (Alertmanager's webhook JSON)" },
  args: {
    incident: { type: 'string', description: 'the notice: what happened, in a sentence', required: true },
    severity: { type: 'string', description: `${SEVERITIES.join(', ')} (default critical)`, default: 'critical' },
    ...settingArgs('notify'),
    ...stateArgs,
    ...jsonArg,
  },
  run: ({ args }) =>
    guard(async () => {
      const text = args.incident?.trim()
      if (!text) throw usageError('--incident "...": say what happened')
      if (!SEVERITIES.includes(args.severity as Severity)) throw usageError(`--severity ${args.severity}: expected ${SEVERITIES.join(', ')}`)
      const loaded = await commandConfig(args)
      const dir = stateDirOf(loaded).dir
      const receivers = notifyReceivers(loaded.config.notify.webhooks, dir)
      const actor = osActor()
      const body = webhookBody({ text, severity: args.severity as Severity, actor })
      const results = await deliver(receivers.urls, body)
      const failed = results.filter((r) => !r.ok)
      // The notice joins the history (and so the incident timeline) when there is a state database.
      if (fs.existsSync(statePaths(dir).db)) {
        const state = await openState(dir)
        try {
          appendEvent(state.db, { actor, action: 'incident.notify', subject: args.severity, reason: text, details: { delivered: results.filter((r) => r.ok).map((r) => r.url), failed: failed.map((r) => ({ url: r.url, error: r.error })) } })
        } finally {
          state.close()
        }
      }
      if (args.json) process.stdout.write(`${JSON.stringify({ receivers: receivers.from, results, body }, null, 2)}\n`)
      else for (const r of results) process.stdout.write(`${r.ok ? 'sent' : 'FAILED'}  ${r.url}${r.ok ? ` (HTTP ${r.status})` : `: ${r.error}`}\n`)
      if (failed.length) {
        const e = new XrayError('UNREACHABLE', `${failed.length} of ${results.length} receiver(s) did not take the notice (receivers from ${receivers.from}): ${failed.map((r) => `${r.url} ${r.error}`).join('; ')}`)
        consola.error(`${e.code}: ${e.message}`)
        return EXIT.failure
      }
      return EXIT.ok
    }),
})
