import { defineCommand } from 'citty'
import { healthCheck } from '../../../deploy/health-check.ts'
import { guard } from '../../_shared.ts'
import { colourOrLive, printJson, releaseArgs, withRelease } from './_shared.ts'

export default defineCommand({
  meta: {
    name: 'health-check',
    description: "Check a colour as a release does before switching to it: deployed, process running, ready, serving its registered model, and a prediction of the model's known image; exit 0 pass, 1 fail",
  },
  args: {
    environment: { type: 'string', description: 'blue, green, or production (the live colour)', required: true },
    ...releaseArgs,
  },
  run: ({ args }) =>
    guard(async () => {
      const r = await withRelease(args, null, (rc) => healthCheck(rc, colourOrLive(rc, args.environment)))
      if (args.json) printJson(r)
      else {
        const lines = [`${r.colour}${r.version ? ` (${r.version})` : ''}${r.url ? ` at ${r.url}` : ''}: ${r.ok ? 'PASS' : 'FAIL'}`, ...r.checks.map((c) => `  ${c.ok ? 'ok  ' : 'FAIL'} ${c.name.padEnd(10)} ${c.detail}`)]
        process.stdout.write(`${lines.join('\n')}\n`)
      }
      return r.ok ? 0 : 1
    }),
})
