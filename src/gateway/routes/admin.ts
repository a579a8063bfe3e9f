import { Hono, type Context } from 'hono'
import { listTokens, requireScope } from '../../auth/index.ts'
import { XrayError } from '../../errors/index.ts'
import { applyArchive, planArchive } from '../../registry/archive.ts'
import { label } from '../../registry/records.ts'
import { Registry } from '../../registry/registry.ts'
import { isColour, listEnvironments, protectedModels, releaseState } from '../../state/environments.ts'
import { appendEvent, listEvents } from '../../state/events.ts'
import { switchTraffic } from '../../deploy/traffic.ts'
import type { GatewayContext, GatewayEnv } from '../context.ts'
import { gatewayHealth } from './health.ts'

/** A JSON object body (an empty body is `{}`), or BAD_REQUEST. */
async function jsonBody(c: Context): Promise<Record<string, unknown>> {
  const text = await c.req.text()
  if (!text.trim()) return {}
  try {
    const v = JSON.parse(text) as unknown
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>
  } catch {}
  throw new XrayError('BAD_REQUEST', 'the body must be a JSON object')
}

const optionalText = (body: Record<string, unknown>, key: string): string | undefined => {
  const v = body[key]
  if (v === undefined || v === null) return undefined
  if (typeof v !== 'string' || !v.trim() || v.length > 500) throw new XrayError('BAD_REQUEST', `"${key}" must be a non-empty string of at most 500 characters`)
  return v.trim()
}

/**
 * The admin API, every route behind an `admin` bearer token (the check runs for every path under
 * /admin, so an unknown admin path answers 401/403 too, never 404 to a caller without a token).
 */
export function adminRoutes(ctx: GatewayContext) {
  const app = new Hono<GatewayEnv>()
  app.use('/admin/*', requireScope(ctx.verifier, 'admin'))
  const actor = (c: Context<GatewayEnv>) => `token:${c.get('tokenName')}`
  const state = () => {
    if (!ctx.state) throw new XrayError('STATE_ERROR', 'this gateway forwards to a fixed upstream (gateway.upstream) and has no state database')
    return ctx.state
  }

  app.get('/admin/status', (c) => {
    const s = ctx.state
    return c.json({
      gateway: gatewayHealth(ctx),
      upstreams: Object.fromEntries([...ctx.router.upstreams.values()].map((u) => [u.colour, { url: u.url, ready: u.ready, why: u.ready ? null : u.why, in_flight: u.inFlight }])),
      ...(s ? { release: releaseState(s.db), environments: listEnvironments(s.db), events: listEvents(s.db, { limit: 20 }) } : {}),
    })
  })

  app.post('/admin/traffic', async (c) => {
    if (ctx.fixedUpstream) throw new XrayError('BAD_REQUEST', 'this gateway forwards to a fixed upstream (gateway.upstream): switch colours with the Kubernetes Service (xrayops deploy --kubernetes)')
    const body = await jsonBody(c)
    const to = body.to
    const from = body.from
    if (!isColour(to)) throw new XrayError('BAD_REQUEST', '"to" must be "blue" or "green"')
    if (from !== undefined && !isColour(from)) throw new XrayError('BAD_REQUEST', '"from" must be "blue" or "green"')
    const result = await switchTraffic(state(), { to, from, actor: actor(c), reason: optionalText(body, 'reason') })
    await ctx.watcher?.reload() // routes by it before answering
    return c.json({ ...result, live: ctx.router.route().live })
  })

  app.post('/admin/cache/clear', async (c) => {
    const auth = c.req.header('authorization')!
    const results: Record<string, unknown> = {}
    for (const u of ctx.router.upstreams.values()) {
      if (!u.ready) {
        results[u.colour] = { skipped: `not ready: ${u.why}` }
        continue
      }
      try {
        const res = await fetch(`${u.url}/admin/cache/clear`, { method: 'POST', headers: { authorization: auth, 'x-request-id': c.get('requestId') }, signal: AbortSignal.timeout(10_000) })
        results[u.colour] = { status: res.status, ...((await res.json()) as object) }
      } catch (e) {
        results[u.colour] = { error: (e as Error).message }
      }
    }
    if (ctx.state) appendEvent(ctx.state.db, { actor: actor(c), action: 'cache.clear', subject: Object.keys(results).join(',') || 'none', details: results })
    return c.json({ results })
  })

  app.get('/admin/models', (c) => {
    const reg = new Registry(state())
    const uses = protectedModels(reg.state.db)
    const models = reg.list({ includeArchived: c.req.query('all') !== undefined }).map((r) => ({ ...r, inUse: uses.get(r.id) ?? null }))
    return c.json({ models })
  })

  app.get('/admin/models/:version', (c) => {
    const reg = new Registry(state())
    const r = reg.find(c.req.param('version'), c.req.query('name'))
    const events = listEvents(reg.state.db, { prefix: 'model.' }).filter((e) => e.subject === label(r))
    return c.json({ ...r, inUse: protectedModels(reg.state.db).get(r.id) ?? null, manifest: reg.manifestPath(r), events })
  })

  app.post('/admin/models/:version/archive', async (c) => {
    const body = await jsonBody(c)
    const reg = new Registry(state())
    const plan = planArchive(reg, { version: c.req.param('version'), name: optionalText(body, 'name') ?? c.req.query('name') })
    const archived = plan.archive.length ? applyArchive(reg, plan, actor(c), optionalText(body, 'reason') ?? 'archived through the admin API') : []
    return c.json({ archived, kept: plan.kept.map((k) => ({ ...k.record, why: k.why })) })
  })

  app.get('/admin/events', (c) => {
    const limit = Number(c.req.query('limit') ?? 50)
    if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new XrayError('BAD_REQUEST', '"limit" must be an integer 1-10000')
    return c.json({ events: listEvents(state().db, { prefix: c.req.query('prefix'), limit }) })
  })

  app.get('/admin/tokens', (c) => c.json({ tokens: listTokens(ctx.verifier.file) }))
  return app
}
