import cluster from 'node:cluster'
import { defineCommand } from 'citty'
import { consola, LogLevels } from 'consola'
import { commandConfig, configArg, guard, settingArgs } from '../_shared.ts'

export default defineCommand({
  meta: {
    name: 'serve',
    description: 'Run the model server: /v1/predict, /v1/predict/batch, Open Inference Protocol v2 (/v2/...), /health, /metrics',
  },
  args: {
    ...configArg,
    ...settingArgs('model', 'server', 'health', 'performance', 'gpu', 'logging', 'metrics', 'limits', 'state', 'audit', 'feedback', 'drift'),
  },
  run: ({ args }) =>
    guard(async () => {
      const { config, file } = await commandConfig(args)
      const workers = config.server.workers
      if (workers > 1 && cluster.isPrimary) {
        consola.level = LogLevels[config.logging.level]
        consola.info(`starting ${workers} worker processes on ${config.server.host}:${config.server.port}${file ? ` (config ${file})` : ''}`)
        for (let i = 0; i < workers; i++) cluster.fork()
        const forward = (signal: NodeJS.Signals) => {
          for (const w of Object.values(cluster.workers ?? {})) w?.process.kill(signal)
        }
        process.on('SIGTERM', () => forward('SIGTERM'))
        process.on('SIGINT', () => forward('SIGINT'))
        let failed = false
        await new Promise<void>((resolve) => {
          cluster.on('exit', (_w, code) => {
            failed ||= code !== 0
            if (Object.keys(cluster.workers ?? {}).length === 0) resolve()
          })
        })
        return failed ? 1 : 0
      }
      const { startServer, exitOnSignals } = await import('../../server/serve.ts')
      const server = await startServer(config)
      exitOnSignals(server, config.server.shutdownTimeoutMs)
      await new Promise(() => {}) // runs until a signal
    }),
})
