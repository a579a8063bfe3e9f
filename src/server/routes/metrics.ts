import { Hono } from 'hono'
import type { ServerContext } from '../context.ts'

/** GET /metrics in the Prometheus text format. */
export function metricsRoutes(ctx: ServerContext) {
  const app = new Hono()
  app.get('/metrics', async (c) => {
    const { registry } = ctx.metrics
    ctx.metrics.gpuMemory.set(ctx.host.service?.engine.gpuBytes() ?? 0)
    return c.body(await registry.metrics(), 200, { 'content-type': registry.contentType })
  })
  return app
}
