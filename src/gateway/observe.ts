import type { MiddlewareHandler } from 'hono'
import { routePath } from 'hono/route'
import type { GatewayContext, GatewayEnv } from './context.ts'

/** Counts and times every request (route pattern, status, colour) and tracks activity for the drain. */
export const observe = (ctx: GatewayContext, log?: (e: Record<string, unknown>) => void): MiddlewareHandler<GatewayEnv> =>
  async function observe(c, next) {
    const t0 = performance.now()
    ctx.active++
    if (!(c.req.method === 'GET' && (c.req.path === '/health' || c.req.path === '/metrics'))) ctx.lastArrival = Date.now()
    try {
      await next()
    } finally {
      ctx.active--
      if (ctx.shuttingDown) c.header('Connection', 'close')
      const matched = routePath(c, -1)
      const route = c.get('route') ?? (!matched || matched.endsWith('*') ? 'unmatched' : matched)
      const colour = c.get('colour') ?? 'none'
      const seconds = (performance.now() - t0) / 1000
      ctx.metrics.requests.inc({ route, status: String(c.res.status), colour })
      ctx.metrics.duration.observe({ route }, seconds)
      log?.({ id: c.get('requestId'), method: c.req.method, route, path: c.req.path, status: c.res.status, colour, latency_ms: Math.round(seconds * 1e6) / 1000 })
    }
  }
