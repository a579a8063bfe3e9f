import { defineCommand } from 'citty'
import { stopGateway, stopModelServers } from '../../../deploy/services.ts'
import { confirm, guard, usageError, yesArg } from '../../_shared.ts'
import { colourArg, releaseArgs, withRelease } from './_shared.ts'

export default defineCommand({
  meta: { name: 'stop', description: 'Stop the gateway and the model servers (--all), or one service; predictions fail until they start again' },
  args: {
    all: { type: 'boolean', description: 'the gateway, then every model server', default: false },
    service: { type: 'string', description: 'model-server or gateway' },
    environment: { type: 'string', description: 'with --service model-server: only this colour' },
    ...yesArg,
    ...releaseArgs,
  },
  run: ({ args }) =>
    guard(async () => {
      if (args.all === (args.service !== undefined)) throw usageError('give --all or --service model-server|gateway (one of them)')
      if (args.service !== undefined && args.service !== 'model-server' && args.service !== 'gateway') throw usageError(`--service ${JSON.stringify(args.service)}: expected model-server or gateway`)
      if (args.environment !== undefined && args.service !== 'model-server') throw usageError('--environment goes with --service model-server')
      const only = args.environment === undefined ? undefined : colourArg(args.environment)
      const what = args.all ? 'the gateway and every model server' : args.service === 'gateway' ? 'the gateway' : `the ${only ?? 'blue and green'} model server(s)`
      if (!(await confirm(`Stop ${what}? Predictions fail until they start again.`, args.yes))) return 1
      await withRelease(args, `stop ${args.all ? 'all' : args.service}`, async (rc) => {
        if (args.all || args.service === 'gateway') await stopGateway(rc)
        if (args.all || args.service === 'model-server') await stopModelServers(rc, only)
      })
    }),
})
