import { Hono } from 'hono'
import { XrayError } from '../../errors/index.ts'
import type { AppEnv, ServerContext } from '../context.ts'
import { readImages } from '../body.ts'
import { clientOf } from '../client.ts'

const wantsCam = (q: string | undefined) => q === '1' || q === 'true'
/** `Cache-Control: no-cache` asks for a fresh model run (load tests, re-checks). */
const noCache = (h: string | undefined) => /\bno-cache\b/i.test(h ?? '')

/** POST /v1/predict (one image) and /v1/predict/batch (several, one result each). */
export function predictRoutes(ctx: ServerContext) {
  const app = new Hono<AppEnv>()
  app.post('/v1/predict', async (c) => {
    const service = ctx.readyService()
    const [bytes] = await readImages(c, { many: false })
    const result = await service.predict(bytes!, { source: 'v1', cam: wantsCam(c.req.query('cam')), id: c.get('requestId'), noCache: noCache(c.req.header('cache-control')), client: clientOf(c) })
    c.set('label', result.label)
    return c.json(result)
  })
  app.post('/v1/predict/batch', async (c) => {
    const service = ctx.readyService()
    const images = await readImages(c, { many: true })
    const max = ctx.config.limits.maxBatchImages
    if (images.length > max) throw new XrayError('BAD_REQUEST', `the batch has ${images.length} images; the limit is ${max}`)
    const opts = { source: 'batch' as const, cam: wantsCam(c.req.query('cam')), noCache: noCache(c.req.header('cache-control')), client: clientOf(c) }
    const id = c.get('requestId')
    const results = await Promise.all(
      images.map((b, i) =>
        service.predict(b, { ...opts, id: `${id}-${i}` }).then(
          (r) => ({ ok: true, ...r }),
          (e: unknown) => {
            if (!(e instanceof XrayError)) throw e
            return { ok: false, ...e.toJSON() }
          },
        ),
      ),
    )
    return c.json({ count: results.length, results })
  })
  return app
}
