import { Hono } from 'hono'
import { XrayError } from '../../errors/index.ts'
import type { AppEnv, ServerContext } from '../context.ts'
import { readImages } from '../body.ts'

const wantsCam = (q: string | undefined) => q === '1' || q === 'true'

/** POST /v1/predict (one image) and /v1/predict/batch (several, one result each). */
export function predictRoutes(ctx: ServerContext) {
  const app = new Hono<AppEnv>()
  app.post('/v1/predict', async (c) => {
    const predictor = ctx.readyPredictor()
    const [bytes] = await readImages(c, { many: false })
    const result = await predictor.predict(bytes, { cam: wantsCam(c.req.query('cam')), id: c.get('requestId') })
    c.set('label', result.label)
    return c.json(result)
  })
  app.post('/v1/predict/batch', async (c) => {
    const predictor = ctx.readyPredictor()
    const images = await readImages(c, { many: true })
    const max = ctx.config.limits.maxBatchImages
    if (images.length > max) throw new XrayError('BAD_REQUEST', `the batch has ${images.length} images; the limit is ${max}`)
    const cam = wantsCam(c.req.query('cam'))
    const results = await Promise.all(
      images.map((b) =>
        predictor.predict(b, { cam }).then(
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
