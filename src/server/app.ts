import { logger } from '../log.ts'
import { Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { HTTPException } from 'hono/http-exception'
import { requestId } from 'hono/request-id'
import { XrayError } from '../errors/index.ts'
import { clientFault } from './client-fault.ts'
import type { AppEnv, ServerContext } from './context.ts'
import { observe } from './middleware/observe.ts'
import { admitBody } from './middleware/admit-body.ts'
import { closeUnreadBody } from './middleware/unread-body.ts'
import { feedbackRoutes } from './routes/feedback.ts'
import { adminRoutes } from './routes/admin.ts'
import { healthRoutes } from './routes/health.ts'
import { metricsRoutes } from './routes/metrics.ts'
import { oipRoutes } from './routes/oip.ts'
import { predictRoutes } from './routes/predict.ts'
import { isProbe } from './probes.ts'
import { uiRoutes } from './routes/ui.ts'

const log = logger('http')

export function createApp(ctx: ServerContext, opts: { accessLog?: (entry: Record<string, unknown>) => void } = {}) {
  const app = new Hono<AppEnv>()
  app.use(requestId())
  app.use(async function track(c, next) {
    ctx.active++
    // Health checks and scrapes (a gateway checks every second) must not hold a drain open.
    if (!isProbe(c.req.method, c.req.path)) ctx.lastArrival = Date.now()
    try {
      await next()
    } finally {
      ctx.active--
      // While draining, tell keep-alive clients to open new connections (elsewhere).
      if (ctx.shuttingDown) c.header('Connection', 'close')
    }
  })
  app.use(observe({ metrics: ctx.metrics, log: opts.accessLog }))
  app.use(closeUnreadBody())
  // The prediction bodies: read with their limits and their share of the memory budget.
  for (const path of ['/v1/predict', '/v1/predict/batch', '/v2/models/:name/infer', '/v2/models/:name/versions/:version/infer']) app.use(path, admitBody(ctx))
  const limit = ctx.config.limits.maxBodyBytes
  const bounded = bodyLimit({
    maxSize: limit,
    onError: () => {
      throw new XrayError('INPUT_TOO_LARGE', `the request body exceeds ${limit} bytes`)
    },
  })
  // Bodies admitBody has read were held to the same limit as they arrived.
  app.use('/v*', (c, next) => (c.get('body') ? next() : bounded(c, next)))
  app.route('/', predictRoutes(ctx))
  app.route('/', oipRoutes(ctx))
  app.route('/', feedbackRoutes(ctx))
  app.route('/', healthRoutes(ctx))
  app.route('/', uiRoutes())
  if (ctx.config.metrics.enabled) app.route('/', metricsRoutes(ctx))
  app.route('/', adminRoutes(ctx))
  app.notFound((c) => c.json(new XrayError('NOT_FOUND', `no route for ${c.req.method} ${c.req.path}`).toJSON(), 404))
  app.onError((err, c) => {
    const e =
      err instanceof XrayError
        ? err
        : err instanceof HTTPException
          ? new XrayError(err.status === 413 ? 'INPUT_TOO_LARGE' : 'BAD_REQUEST', err.message)
          : (clientFault(err) ?? new XrayError('INFERENCE_FAILED', `internal error: ${err.message}`, { cause: err }))
    if (ctx.recordError(e)) log.error(`${c.req.method} ${c.req.path}: ${e.message}`, err)
    if (e.code === 'OVERLOADED' || e.code === 'MODEL_NOT_READY') c.header('Retry-After', '1')
    return c.json({ ...e.toJSON(), request_id: c.get('requestId') }, e.status as 400)
  })
  return app
}
