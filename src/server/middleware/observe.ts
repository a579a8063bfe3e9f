import type { MiddlewareHandler } from 'hono'
import { routePath } from 'hono/route'
import type { Metrics } from '../../metrics/index.ts'
import type { AppEnv } from '../context.ts'

export interface ObserveOptions {
  metrics: Metrics
  /** One line per request; `undefined` turns request logs off. */
  log?: (entry: Record<string, unknown>) => void
}

/** Counts, times and logs every request: route pattern, status, latency, predicted label. */
export const observe = (opts: ObserveOptions): MiddlewareHandler<AppEnv> =>
  async function observe(c, next) {
    const t0 = performance.now()
    opts.metrics.inFlight.inc()
    try {
      await next()
    } finally {
      opts.metrics.inFlight.dec()
      const last = routePath(c, -1)
      const route = !last || last.endsWith('*') ? 'unmatched' : last
      const seconds = (performance.now() - t0) / 1000
      opts.metrics.requests.inc({ route, method: c.req.method, status: String(c.res.status) })
      opts.metrics.requestDuration.observe({ route }, seconds)
      opts.log?.({
        id: c.get('requestId'),
        method: c.req.method,
        route,
        path: c.req.path,
        status: c.res.status,
        latency_ms: Math.round(seconds * 1e6) / 1000,
        ...(c.get('label') ? { label: c.get('label') } : {}),
      })
    }
  }
