import type { AddressInfo } from 'node:net'
import type { Server } from 'node:http'
import { serve as listen } from '@hono/node-server'
import pkg from '../../package.json' with { type: 'json' }
import { TokenVerifier } from '../auth/index.ts'
import type { ServerConfig } from '../config/schema.ts'
import { logger } from '../log.ts'
import { setupLogging } from '../server/logging.ts'
import { openState, type State } from '../state/db.ts'
import { ensureStateDir, resolveStateDir, statePaths, type StateDirChoice } from '../state/dir.ts'
import { createGatewayApp } from './app.ts'
import { GatewayContext } from './context.ts'
import { createGatewayMetrics } from './metrics.ts'
import { Router } from './router.ts'
import { StateWatcher } from './state-source.ts'

const log = logger('gateway')

/** Draining ends once no request has arrived for this long (and none is running). */
const DRAIN_QUIET_MS = 250

export interface RunningGateway {
  url: string
  ctx: GatewayContext
  close(timeoutMs?: number): Promise<{ drained: boolean }>
}

/** The gateway's app and its routing, without a listener (tests call the app in-process). */
export async function createGateway(config: ServerConfig, opts: { stateDir?: StateDirChoice; accessLog?: (e: Record<string, unknown>) => void } = {}) {
  const dir = opts.stateDir ?? resolveStateDir({ dir: config.state.dir })
  const metrics = createGatewayMetrics()
  const checkMs = Math.max(50, config.gateway.checkIntervalMs)
  const router = new Router(Math.min(5_000, Math.max(1_000, checkMs)), (u) => metrics.upstreamUp.set({ colour: u.colour }, u.ready ? 1 : 0))
  const verifier = new TokenVerifier(statePaths(dir.dir).tokens)
  let state: State | undefined
  let watcher: StateWatcher | undefined
  const apply = async (t: Parameters<Router['apply']>[0]) => {
    await router.apply(t)
    for (const u of router.upstreams.values()) metrics.upstreamUp.set({ colour: u.colour }, u.ready ? 1 : 0)
    metrics.generation.set(router.route().generation)
  }
  if (config.gateway.upstream) await apply({ live: 'upstream', generation: 0, upstreams: [{ colour: 'upstream', url: config.gateway.upstream, expected: { version: null, sha256: null } }] })
  else {
    state = await openState(ensureStateDir(dir))
    watcher = new StateWatcher(state, apply)
    await watcher.start()
  }
  const ctx = new GatewayContext(config, router, metrics, verifier, state, watcher, pkg.version)
  const app = createGatewayApp(ctx, { accessLog: opts.accessLog })
  let checking = true
  const timer = setInterval(() => {
    if (checking) void router.checkAll().then(() => metrics.generation.set(router.route().generation))
  }, checkMs)
  timer.unref()
  void router.checkAll()
  return {
    app,
    ctx,
    /** Stops the checks and the polling, closes the state database. */
    stop() {
      checking = false
      clearInterval(timer)
      watcher?.stop()
      state?.close()
    },
  }
}

/** Starts the gateway on gateway.host:gateway.port. */
export async function startGateway(config: ServerConfig): Promise<RunningGateway> {
  const logging = setupLogging(config.logging)
  const g = await createGateway(config, { accessLog: logging.accessLog })
  const { host, port } = config.gateway
  const server = await new Promise<Server>((resolve, reject) => {
    const s = listen({ fetch: g.app.fetch, hostname: host, port }, () => resolve(s as Server)) as Server
    s.once('error', reject)
  })
  const actual = (server.address() as AddressInfo).port
  const shown = host === '0.0.0.0' ? '127.0.0.1' : host
  const url = `http://${shown.includes(':') ? `[${shown}]` : shown}:${actual}`
  const route = g.ctx.router.route()
  log.info(`listening on ${host}:${actual}; ${config.gateway.upstream ? `forwarding to ${config.gateway.upstream}` : `live colour ${route.live ?? 'none'} (generation ${route.generation})`}`)

  const close = async (timeoutMs = 30_000) => {
    g.ctx.shuttingDown = true
    const deadline = Date.now() + timeoutMs
    const busy = () => g.ctx.active > 0 || [...g.ctx.router.upstreams.values()].some((u) => u.inFlight > 0) || Date.now() - g.ctx.lastArrival < DRAIN_QUIET_MS
    while (busy() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
    const stopped = new Promise<void>((r) => server.close(() => r()))
    const drained = !busy()
    server.closeIdleConnections()
    server.closeAllConnections()
    await stopped
    g.stop()
    logging.close()
    return { drained }
  }
  return { url, ctx: g.ctx, close }
}

/** SIGTERM / SIGINT: drain and exit 0 (1 when requests were still running at the bound). */
export function exitOnSignals(g: RunningGateway, timeoutMs: number): void {
  let closing = false
  const onSignal = (signal: NodeJS.Signals) => {
    if (closing) return
    closing = true
    log.info(`${signal}: finishing ${g.ctx.active} request(s) in flight, then exiting`)
    const force = setTimeout(() => process.exit(1), timeoutMs + 5_000)
    force.unref()
    g.close(timeoutMs).then(
      ({ drained }) => process.exit(drained ? 0 : 1),
      () => process.exit(1),
    )
  }
  process.on('SIGTERM', onSignal)
  process.on('SIGINT', onSignal)
}
