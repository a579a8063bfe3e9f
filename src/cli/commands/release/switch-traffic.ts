import { defineCommand } from 'citty'
import { switchAndWait } from '../../../deploy/releases.ts'
import { guard } from '../../_shared.ts'
import { colourArg, printJson, reasonArg, releaseArgs, withRelease } from './_shared.ts'

export default defineCommand({
  meta: {
    name: 'switch-traffic',
    description: 'Send new requests to another colour (requests in flight finish where they are); refused unless that colour is ready and serves its registered model',
  },
  args: {
    from: { type: 'string', description: 'the colour that is live now (checked)' },
    to: { type: 'string', description: 'the colour to switch to', required: true },
    ...reasonArg,
    ...releaseArgs,
  },
  run: ({ args }) =>
    guard(async () => {
      const to = colourArg(args.to, 'to')
      const from = args.from === undefined ? undefined : colourArg(args.from, 'from')
      const r = await withRelease(args, `switch-traffic to ${to}`, (rc) => switchAndWait(rc, { to, from, reason: args.reason }))
      if (args.json) printJson(r)
      else process.stdout.write(r.changed ? `live: ${r.to} (${r.version}), was ${r.from ?? 'none'}; generation ${r.generation}\n` : `live: ${r.to} already\n`)
    }),
})
