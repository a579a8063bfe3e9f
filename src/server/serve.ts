import { logger } from '../log.ts'
import type { AddressInfo } from 'node:net'
import type { Server } from 'node:http'
import pkg from '../../package.json' with { type: 'json' }
import type { ServerConfig } from '../config/schema.ts'
import type { ServiceOptions } from '../inference/service.ts'
import { defaultHostDirs } from '../metrics/host.ts'
import { resolveStateDir } from '../runtime/state-dir.ts'
import { createMetrics } from '../metrics/index.ts'
import { createApp } from './app.ts'
import { healthPort } from '../config/health-port.ts'
import { startHealthListener } from './health-listener.ts'
import { guardedServer, LISTEN_BACKLOG } from './listener.ts'
import { ServerContext } from './context.ts'
import { setupLogging } from './logging.ts'
import { ModelHost } from './model-host.ts'
import { collectWhenQuiet } from '../runtime/idle-gc.ts'

/** Quiet time after work before one full garbage collection gives the burst's memory back. */
const QUIET_GC_MS = 5_000

const log = logger('server')

/** Draining ends once no request has arrived for this long (and none is running). */
const DRAIN_QUIET_MS = 250

export interface RunningServer {
  url: string
  /** The health listener's address (health.port); absent when it is off. */
  healthUrl?: string
  ctx: ServerContext
  /** Resolves once the model has loaded (or failed to). */
  loaded: Promise<void>
  /** Starts loading the model when `startServer` was told not to (`load: false`). */
  load(): Promise<void>
  /** Stops accepting, lets in-flight requests finish (up to `timeoutMs`), releases the model. */
  close(timeoutMs?: number): Promise<{ drained: boolean }>
}

export interface ServerOptions {
  /** false: do not load the model until `load()` is called. */
  load?: boolean
  /** Overrides of the prediction service's options (tests replace the GPU engine's start). */
  service?: Partial<ServiceOptions>
}

/** The model server's app and state, without a listener: what `startServer` serves (and tests call). */
export function createModelServer(config: ServerConfig, opts: ServerOptions = {}) {
  const logging = setupLogging(config.logging)
  const metrics = createMetrics({ host: { dirs: defaultHostDirs(config.logging.file, resolveStateDir({ dir: config.state.dir }).dir) } })
  const host = new ModelHost(config, metrics, opts.service)
  const ctx = new ServerContext(config, host, metrics, pkg.version)
  const app = createApp(ctx, { accessLog: logging.accessLog })
  let started: Promise<void> | undefined
  const load = () => (started ??= host.load())
  let release!: () => void
  const loaded = new Promise<void>((r) => (release = r)).then(() => load())
  if (opts.load !== false) release()
  return {
    app,
    ctx,
    loaded,
    load: () => {
      release()
      return loaded
    },
    /** Waits for a load in progress, then releases the model and the log file. */
    async release() {
      await started
      await host.close()
      logging.close()
    },
  }
}

/** Starts the model server: listens at once, loads and warms up the model in the background. */
export async function startServer(config: ServerConfig, opts: ServerOptions = {}): Promise<RunningServer> {
  const { app, ctx, loaded, load, release } = createModelServer(config, opts)
  const { front, http: server } = guardedServer(app.fetch, config.server)
  await new Promise<void>((resolve, reject) => {
    front.once('error', reject)
    front.listen({ port: config.server.port, host: config.server.host, backlog: LISTEN_BACKLOG }, () => resolve())
  })
  const { port } = front.address() as AddressInfo
  const shownHost = config.server.host === '0.0.0.0' ? '127.0.0.1' : config.server.host
  const base = (p: number) => `http://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${p}`
  const url = base(port)
  log.info(`listening on ${config.server.host}:${port}`)
  const wantHealth = healthPort(config.server.port, config.health.port)
  const health = wantHealth === undefined ? undefined : await startHealthListener(ctx, config.server.host, wantHealth).catch((e: NodeJS.ErrnoException) => {
    // The port derived from server.port is taken: serve without it (an explicit health.port must be had).
    if (config.health.port === undefined && e.code === 'EADDRINUSE') return log.warn(`no health listener: port ${wantHealth} is in use (set health.port)`)
    front.close()
    throw e
  })
  if (health) {
    log.info(`health listener on ${config.server.host}:${health.port}`)
    void loaded.then(() => health.refresh())
  }
  // After a burst, once clients have been quiet for QUIET_GC_MS: the garbage of the burst is freed.
  const stopGc = collectWhenQuiet(() => ctx.lastArrival, QUIET_GC_MS, 1_000, (ms) => log.debug(`quiet for ${QUIET_GC_MS} ms after work: full garbage collection, ${ms.toFixed(0)} ms`))

  const close = async (timeoutMs = 30_000) => {
    ctx.shuttingDown = true // /health turns 503 at once, so balancers stop sending
    health?.refresh()
    // Keep the listener open until the server is quiet: closing it would reset the connections
    // the kernel has already accepted into the listen backlog, whose requests are already sent.
    const deadline = Date.now() + timeoutMs
    const busy = () => ctx.active > 0 || (ctx.host.service?.inProgress ?? 0) > 0 || Date.now() - ctx.lastArrival < DRAIN_QUIET_MS
    while (busy() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
    const stopped = new Promise<void>((r) => front.close(() => r()))
    const drained = ctx.active === 0
    server.close()
    server.closeIdleConnections()
    server.closeAllConnections()
    await stopped
    stopGc()
    await health?.close()
    await release()
    return { drained }
  }
  return { url, ...(health ? { healthUrl: base(health.port) } : {}), ctx, loaded, load, close }
}

/** SIGTERM / SIGINT: drain and exit 0 (1 when requests were still running at the bound). */
export function exitOnSignals(s: RunningServer, timeoutMs: number): void {
  let closing = false
  const onSignal = (signal: NodeJS.Signals) => {
    if (closing) return
    closing = true
    log.info(`${signal}: finishing ${s.ctx.active} in-flight request(s), then exiting`)
    const force = setTimeout(() => process.exit(1), timeoutMs + 5_000)
    force.unref()
    s.close(timeoutMs).then(
      ({ drained }) => process.exit(drained ? 0 : 1),
      () => process.exit(1),
    )
  }
  process.on('SIGTERM', onSignal)
  process.on('SIGINT', onSignal)
}
