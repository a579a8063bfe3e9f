import { Hono, type Context } from 'hono'
import { getConnInfo } from '@hono/node-server/conninfo'
import { XrayError } from '../../errors/index.ts'
import type { GatewayContext, GatewayEnv } from '../context.ts'
import { routeLabel } from '../metrics.ts'
import { forward, ForwardError, responseHeaders, tracked } from '../proxy.ts'

/** Headers naming where an answer came from: the colour and the switch generation it was routed by. */
export const COLOUR_HEADER = 'X-Xrayops-Colour'
export const GENERATION_HEADER = 'X-Xrayops-Generation'

const clientAddress = (c: Context) => {
  try {
    return getConnInfo(c).remote.address
  } catch {
    return undefined // not on a socket (app.request in tests)
  }
}

/**
 * /v1/* and /v2/*: forwarded to the live colour. The route is read once, when the request
 * arrives; a colour that is not ready is never tried (503 naming why).
 */
export function forwardRoutes(ctx: GatewayContext) {
  const app = new Hono<GatewayEnv>()
  const handler = async (c: Context<GatewayEnv>) => {
    const route = ctx.router.route()
    c.set('route', routeLabel(c.req.path))
    c.header(GENERATION_HEADER, String(route.generation))
    const up = route.upstream
    if (!up)
      throw new XrayError(
        'UPSTREAM_NOT_READY',
        route.live ? `the live colour ${route.live} has no address in the state database` : 'no colour is live: deploy one (xrayops deploy --environment blue --version V)',
      )
    c.set('colour', up.colour)
    if (!up.ready) throw new XrayError('UPSTREAM_NOT_READY', `the live colour ${up.colour} is not ready: ${up.why}`, { details: { colour: up.colour } })
    up.inFlight++
    ctx.metrics.inFlight.inc({ colour: up.colour })
    let open = true
    const done = () => {
      if (!open) return
      open = false
      up.inFlight--
      ctx.metrics.inFlight.dec({ colour: up.colour })
    }
    let res: Response
    try {
      res = await forward({
        request: c.req.raw,
        base: up.url,
        requestId: c.get('requestId'),
        maxBodyBytes: ctx.config.limits.maxBodyBytes,
        timeoutMs: ctx.config.gateway.upstreamTimeoutMs,
        client: clientAddress(c),
      })
    } catch (e) {
      done()
      if (!(e instanceof ForwardError)) throw e
      if (e.refused) up.down(`connection refused while forwarding (${new Date().toISOString()})`)
      throw e.error
    }
    c.req.raw.signal.addEventListener('abort', done, { once: true })
    const headers = responseHeaders(res)
    headers.set(COLOUR_HEADER, up.colour)
    headers.set(GENERATION_HEADER, String(route.generation))
    headers.set('X-Request-Id', c.get('requestId'))
    return new Response(tracked(res.body, done), { status: res.status, statusText: res.statusText, headers })
  }
  app.all('/v1/*', handler)
  app.all('/v2', handler)
  app.all('/v2/*', handler)
  return app
}
