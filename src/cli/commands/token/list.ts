import { defineCommand } from 'citty'
import { listTokens } from '../../../auth/tokens.ts'
import { ensureStateDir, statePaths } from '../../../state/dir.ts'
import { commandConfig, guard, jsonArg } from '../../_shared.ts'
import { stateArgs, stateDirOf } from '../../state.ts'
import { table } from '../../table.ts'

export default defineCommand({
  meta: { name: 'list', description: 'Tokens (names, scopes, expiry, status; never secrets or hashes)' },
  args: { ...stateArgs, ...jsonArg },
  run: ({ args }) =>
    guard(async () => {
      const tokens = listTokens(statePaths(ensureStateDir(stateDirOf(await commandConfig(args)))).tokens)
      if (args.json) process.stdout.write(`${JSON.stringify(tokens, null, 2)}\n`)
      else if (!tokens.length) process.stdout.write('no tokens\n')
      else
        process.stdout.write(
          `${table([['NAME', 'SCOPE', 'STATUS', 'CREATED', 'BY', 'EXPIRES', 'REVOKED'], ...tokens.map((t) => [t.name, t.scope, t.status, t.createdAt, t.createdBy, t.expiresAt ?? 'never', t.revokedAt ?? ''])])}\n`,
        )
    }),
})
