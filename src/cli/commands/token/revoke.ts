import { defineCommand } from 'citty'
import { listTokens, revokeToken } from '../../../auth/tokens.ts'
import { XrayError } from '../../../errors/index.ts'
import { osActor } from '../../../state/actor.ts'
import { confirm, guard, jsonArg } from '../../_shared.ts'
import { openStateFromArgs, stateArgs } from '../../state.ts'

export default defineCommand({
  meta: { name: 'revoke', description: 'Revoke a token: it is refused from then on' },
  args: {
    name: { type: 'string', description: 'the token name', required: true },
    reason: { type: 'string', description: 'why, for the history' },
    yes: { type: 'boolean', description: 'do not ask for confirmation', default: false },
    ...stateArgs,
    ...jsonArg,
  },
  run: ({ args }) =>
    guard(async () => {
      const state = await openStateFromArgs(args)
      try {
        if (!listTokens(state.paths.tokens).some((t) => t.name === args.name && t.status !== 'revoked'))
          throw new XrayError('TOKEN_NOT_FOUND', `no unrevoked token is named ${args.name} (xrayops token list shows them)`)
        if (!(await confirm(`Revoke token ${args.name}?`, args.yes))) return 1
        const info = revokeToken(state, args.name, osActor(), args.reason)
        process.stdout.write(args.json ? `${JSON.stringify(info, null, 2)}\n` : `revoked token ${info.name} (${info.scope})\n`)
      } finally {
        state.close()
      }
    }),
})
