import { Hono } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { requestId } from 'hono/request-id'
import { requireScope } from '../auth/index.ts'
import { XrayError } from '../errors/index.ts'
import { logger } from '../log.ts'
import type { GatewayContext, GatewayEnv } from './context.ts'
import { observe } from './observe.ts'
import { adminRoutes } from './routes/admin.ts'
import { forwardRoutes } from './routes/forward.ts'
import { healthRoutes } from './routes/health.ts'

const log = logger('gateway')

/** Statuses that are the gateway's own fault (not the client's, not a colour's readiness). */
const internal = (e: XrayError) => e.status >= 500 && !['UPSTREAM_NOT_READY', 'UNREACHABLE', 'UPSTREAM_TIMEOUT'].includes(e.code)

/** The gateway's app: /health, /metrics, the admin API, and /v1, /v2 forwarded to the live colour. */
export function createGatewayApp(ctx: GatewayContext, opts: { accessLog?: (e: Record<string, unknown>) => void } = {}) {
  const app = new Hono<GatewayEnv>()
  app.use(requestId())
  app.use(observe(ctx, opts.accessLog))
  if (ctx.config.auth.requirePredictToken) {
    const predict = requireScope(ctx.verifier, 'predict')
    app.use('/v1/*', predict)
    app.use('/v2', predict)
    app.use('/v2/*', predict)
  }
  app.route('/', healthRoutes(ctx))
  app.route('/', adminRoutes(ctx))
  app.route('/', forwardRoutes(ctx))
  app.notFound((c) => c.json({ ...new XrayError('NOT_FOUND', `no route for ${c.req.method} ${c.req.path}`).toJSON(), request_id: c.get('requestId') }, 404))
  app.onError((err, c) => {
    const e =
      err instanceof XrayError
        ? err
        : err instanceof HTTPException
          ? new XrayError(err.status === 413 ? 'INPUT_TOO_LARGE' : 'BAD_REQUEST', err.message)
          : new XrayError('SERVICE_FAILED', `internal error: ${err.message}`, { cause: err })
    if (internal(e)) log.error(`${c.req.method} ${c.req.path}: ${e.message}`, err)
    if (e.code === 'UPSTREAM_NOT_READY') c.header('Retry-After', '1')
    return c.json({ ...e.toJSON(), request_id: c.get('requestId') }, e.status as 400)
  })
  return app
}
