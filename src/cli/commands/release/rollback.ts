import { defineCommand } from 'citty'
import { rollbackTo } from '../../../deploy/releases.ts'
import { label } from '../../../registry/records.ts'
import { releaseState } from '../../../state/environments.ts'
import { guard, usageError } from '../../_shared.ts'
import { printJson, reasonArg, releaseArgs, withRelease } from './_shared.ts'

/** `rollback` and `rollback-model`: back to a version (the last good one when none is given, for `rollback`). */
export const rollbackCommand = (name: 'rollback' | 'rollback-model') =>
  defineCommand({
    meta: {
      name,
      description:
        name === 'rollback'
          ? 'Send traffic back to a version: a switch when the idle colour runs it, else it is deployed there, checked, then switched to'
          : 'Roll the model back to a version, recording why (as rollback, with the reason in the history)',
    },
    args: {
      'to-version': { type: 'string', description: name === 'rollback' ? 'the version to go back to (default: the last good release)' : 'the version to go back to', required: name === 'rollback-model' },
      name: { type: 'string', description: 'the model name, when several names have this version' },
      ...reasonArg,
      ...releaseArgs,
    },
    run: ({ args }) =>
      guard(async () => {
        const r = await withRelease(args, `${name} to ${args['to-version'] ?? 'the last good release'}`, async (rc) => {
          let version = args['to-version']
          if (!version) {
            const id = releaseState(rc.state.db).lastGoodModelId
            if (id === null) throw usageError('--to-version: there is no last good release recorded yet')
            version = rc.registry.byId(id).version
            rc.say(`rolling back to the last good release, ${label(rc.registry.byId(id))}`)
          }
          return rollbackTo(rc, version, { name: args.name, reason: args.reason, action: name === 'rollback' ? 'release.rollback' : 'model.rollback' })
        })
        if (args.json) printJson(r)
        else if (r.switched) process.stdout.write(`live: ${r.switched.to} (${r.switched.version}), generation ${r.switched.generation}\n`)
      }),
  })

export default rollbackCommand('rollback')
