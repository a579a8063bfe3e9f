import { defineCommand } from 'citty'
import { restartGateway, restartModelServers } from '../../../deploy/services.ts'
import { guard, usageError } from '../../_shared.ts'
import { colourArg, releaseArgs, withRelease } from './_shared.ts'

export default defineCommand({
  meta: { name: 'restart', description: 'Restart the model servers (idle colour first), the gateway, or --all; each waits until ready' },
  args: {
    service: { type: 'string', description: 'model-server or gateway' },
    environment: { type: 'string', description: 'with --service model-server: only this colour' },
    all: { type: 'boolean', description: 'the model servers, then the gateway', default: false },
    ...releaseArgs,
  },
  run: ({ args }) =>
    guard(async () => {
      if (args.all === (args.service !== undefined)) throw usageError('give --service model-server|gateway or --all (one of them)')
      if (args.service !== undefined && args.service !== 'model-server' && args.service !== 'gateway') throw usageError(`--service ${JSON.stringify(args.service)}: expected model-server or gateway`)
      if (args.environment !== undefined && args.service !== 'model-server') throw usageError('--environment goes with --service model-server')
      const only = args.environment === undefined ? undefined : colourArg(args.environment)
      await withRelease(args, `restart ${args.all ? 'all' : args.service}`, async (rc) => {
        if (args.all || args.service === 'model-server') await restartModelServers(rc, only)
        if (args.all || args.service === 'gateway') await restartGateway(rc)
      })
    }),
})
