import { defineCommand } from 'citty'
import { scopes, type Scope } from '../../../auth/token-file.ts'
import { createToken } from '../../../auth/tokens.ts'
import { osActor } from '../../../state/actor.ts'
import { guard, jsonArg, usageError } from '../../_shared.ts'
import { parseDuration } from '../../duration.ts'
import { openStateFromArgs, stateArgs } from '../../state.ts'

export default defineCommand({
  meta: { name: 'create', description: 'Create a token; its secret is printed once, on stdout' },
  args: {
    name: { type: 'string', description: 'a name for the token (who or what uses it)', required: true },
    scope: { type: 'string', description: 'admin (everything) | predict (prediction routes only)', required: true },
    expires: { type: 'string', description: 'lifetime (30d, 12h, 2w) or never', default: '90d' },
    ...stateArgs,
    ...jsonArg,
  },
  run: ({ args }) =>
    guard(async () => {
      if (!scopes.includes(args.scope as Scope)) throw usageError(`--scope ${args.scope} must be one of ${scopes.join(', ')}`)
      const expiresAt = args.expires === 'never' ? null : new Date(Date.now() + parseDuration(args.expires, '--expires'))
      const state = await openStateFromArgs(args)
      try {
        const { token, entry } = createToken(state, { name: args.name, scope: args.scope as Scope, expiresAt, actor: osActor() })
        if (args.json) {
          const { sha256: _hash, ...info } = entry
          process.stdout.write(`${JSON.stringify({ ...info, token }, null, 2)}\n`)
        } else {
          process.stderr.write(`token ${entry.name}: scope ${entry.scope}, expires ${entry.expiresAt ?? 'never'}. It is shown only now; keep it secret.\n`)
          process.stdout.write(`${token}\n`)
        }
      } finally {
        state.close()
      }
    }),
})
