import { Hono } from 'hono'
import type { GatewayContext } from '../context.ts'
import type { Upstream } from '../upstream.ts'

const describe = (u: Upstream) => ({
  ready: u.ready,
  ...(u.ready ? {} : { why: u.why }),
  model: u.model,
  expected_version: u.expected.version,
  ...(u.mismatch ? { mismatch: u.mismatch } : {}),
  in_flight: u.inFlight,
  checked_at: u.checkedAt,
})

/** The gateway's health: ok only while the live colour is ready; otherwise down, naming why. */
export function gatewayHealth(ctx: GatewayContext) {
  const route = ctx.router.route()
  const live = route.upstream
  const why = ctx.shuttingDown
    ? 'the gateway is shutting down'
    : !route.live
      ? 'no colour is live: deploy one (xrayops deploy --environment blue --version V)'
      : !live
        ? `the live colour ${route.live} has no address in the state database`
        : !live.ready
          ? `the live colour ${live.colour} is not ready: ${live.why}`
          : undefined
  return {
    status: why ? ('down' as const) : live?.mismatch ? ('degraded' as const) : ('ok' as const),
    ready: !why,
    component: 'gateway',
    version: ctx.version,
    uptime_s: Math.round((Date.now() - ctx.startedAt) / 1000),
    live: route.live,
    generation: route.generation,
    mode: ctx.fixedUpstream ? 'fixed-upstream' : 'blue-green',
    ...(why ? { reason: why } : live?.mismatch ? { reason: `the live colour ${live.colour}: ${live.mismatch}` } : {}),
    upstreams: Object.fromEntries([...ctx.router.upstreams.values()].map((u) => [u.colour, describe(u)])),
  }
}

/** GET /health (200 ok or degraded, 503 down) and GET /metrics. */
export function healthRoutes(ctx: GatewayContext) {
  const app = new Hono()
  app.get('/health', (c) => {
    const report = gatewayHealth(ctx)
    return c.json(report, report.ready ? 200 : 503)
  })
  if (ctx.config.metrics.enabled)
    app.get('/metrics', async (c) => {
      const { registry } = ctx.metrics
      return c.body(await registry.metrics(), 200, { 'content-type': registry.contentType })
    })
  return app
}
