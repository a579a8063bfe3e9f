import type { AddressInfo } from 'node:net'
import type { Server } from 'node:http'
import { serve as listen } from '@hono/node-server'
import { Hono } from 'hono'
import type { ServerContext } from './context.ts'
import { healthReport } from './routes/health.ts'
import { metricsRoutes } from './routes/metrics.ts'


/**
 * Liveness and readiness on a listener of their own: /health (the full report), /health/live,
 * /health/ready, the Open Inference Protocol's /v2/health/live and /v2/health/ready, and /metrics.
 * No prediction shares its socket, accept queue or admission, so a flood of the prediction port
 * or a full queue does not delay them.
 */
export function healthApp(ctx: ServerContext) {
  const app = new Hono()
  const ready = () => ctx.host.state === 'ready' && !ctx.shuttingDown
  app.get('/health', (c) => {
    const report = healthReport(ctx)
    return c.json(report, report.status === 'down' ? 503 : 200)
  })
  for (const prefix of ['/health', '/v2/health']) {
    app.get(`${prefix}/live`, (c) => c.json({ live: true }))
    app.get(`${prefix}/ready`, (c) => c.json({ ready: ready() }, ready() ? 200 : 503))
  }
  if (ctx.config.metrics.enabled) app.route('/', metricsRoutes(ctx))
  app.notFound((c) => c.json({ error: { code: 'NOT_FOUND', message: `the health listener serves /health, /health/live, /health/ready and /metrics; not ${c.req.path}` } }, 404))
  return app
}

/** Starts the health listener on `host`:`port`; resolves with the server and the port it got. */
export async function startHealthListener(ctx: ServerContext, host: string, port: number): Promise<{ server: Server; port: number }> {
  const app = healthApp(ctx)
  const server = await new Promise<Server>((resolve, reject) => {
    const s = listen({ fetch: app.fetch, hostname: host, port }, () => resolve(s as Server)) as Server
    s.once('error', reject)
  })
  server.keepAliveTimeout = 5_000
  return { server, port: (server.address() as AddressInfo).port }
}
