import { Hono } from 'hono'
import type { ServerContext } from '../context.ts'

export type HealthStatus = 'ok' | 'degraded' | 'down'

/** Recent internal failures (not bad input) within this window make the server degraded. */
const DEGRADED_WINDOW_MS = 60_000

export function healthReport(ctx: ServerContext) {
  const { host } = ctx
  const service = host.service
  const m = service?.model.manifest
  const last = ctx.lastInternalError
  const recentError = last && Date.now() - last.at < DEGRADED_WINDOW_MS ? last : undefined
  const fallback = service?.fallback
  const auditDown = host.audit?.error
  const status: HealthStatus = host.state !== 'ready' || ctx.shuttingDown ? 'down' : recentError || fallback || auditDown ? 'degraded' : 'ok'
  return {
    status,
    ready: status !== 'down',
    version: ctx.version,
    uptime_s: Math.round((Date.now() - ctx.startedAt) / 1000),
    model: m ? { name: m.name, version: m.version, sha256: m.sha256 } : null,
    device: service ? service.device : null,
    checks: {
      model: { status: host.state, ...(host.error ? { error: host.error.toJSON().error } : {}) },
      warmup: host.warmup ?? null,
      inference: recentError ? { status: 'failing', last_error: recentError.message } : { status: 'ok' },
      device: fallback ? { status: 'cpu-fallback', reason: fallback } : { status: 'ok' },
      audit: !host.audit ? { status: ctx.config.audit.enabled ? 'starting' : 'off' } : auditDown ? { status: 'unavailable', error: auditDown } : { status: 'ok', queued: host.audit.writer.depth },
      shutting_down: ctx.shuttingDown,
    },
  }
}

/** GET /health: 200 when ok or degraded, 503 when down. */
export function healthRoutes(ctx: ServerContext) {
  const app = new Hono()
  app.get('/health', (c) => {
    const report = healthReport(ctx)
    return c.json(report, report.status === 'down' ? 503 : 200)
  })
  return app
}
