import { defineCommand } from 'citty'
import { flagsFromArgs } from '../../config/keys.ts'
import { loadConfig } from '../../config/load.ts'
import { configArg, guard, intFlag, settingArgs } from '../_shared.ts'

export default defineCommand({
  meta: {
    name: 'gateway',
    description: 'Run the gateway: forwards /v1 and /v2 to the live colour (blue or green), /health, /metrics and the admin API under /admin',
  },
  args: {
    ...configArg,
    host: { type: 'string', description: 'listen address (gateway.host; same as --gateway-host)' },
    port: { type: 'string', description: 'listen port (gateway.port; same as --gateway-port)' },
    ...settingArgs('gateway', 'logging', 'metrics', 'limits', 'state', 'auth'),
  },
  run: ({ args }) =>
    guard(async () => {
      intFlag('port', args.port, 1, 65535)
      const flags = { ...flagsFromArgs(args), ...(args.host ? { 'gateway-host': args.host } : {}), ...(args.port ? { 'gateway-port': args.port } : {}) }
      const { config } = await loadConfig({ configPath: args.config, flags })
      const { startGateway, exitOnSignals } = await import('../../gateway/index.ts')
      const g = await startGateway(config)
      exitOnSignals(g, config.server.shutdownTimeoutMs)
      await new Promise(() => {}) // runs until a signal
    }),
})
