import { Hono } from 'hono'
import { XrayError } from '../../errors/index.ts'
import type { AppEnv, ServerContext } from '../context.ts'
import { readImages } from '../body.ts'
import { heatmapJson, heatmapQuery, isOn as wantsCam, prefersPng } from '../heatmap-query.ts'
import { clientOf } from '../client.ts'
/** `Cache-Control: no-cache` asks for a fresh model run (load tests, re-checks). */
const noCache = (h: string | undefined) => /\bno-cache\b/i.test(h ?? '')

/** POST /v1/predict (one image) and /v1/predict/batch (several, one result each). */
export function predictRoutes(ctx: ServerContext) {
  const app = new Hono<AppEnv>()
  app.post('/v1/predict', async (c) => {
    const service = ctx.readyService()
    const heatmap = heatmapQuery(c)
    const [bytes] = await readImages(c, { many: false })
    const result = await service.predict(bytes!, { source: 'v1', cam: wantsCam(c.req.query('cam')), heatmap, id: c.get('requestId'), noCache: noCache(c.req.header('cache-control')), client: clientOf(c) })
    c.set('label', result.label)
    if (!result.heatmap) return c.json(result)
    c.header('Vary', 'Accept')
    if (prefersPng(c)) {
      // The overlay itself; the prediction travels in headers.
      const m = service.model.manifest
      c.header('X-Prediction-Id', result.id)
      c.header('X-Prediction-Label', result.label)
      c.header('X-Prediction-Probability', String(result.probabilities[m.positiveLabel]))
      c.header('X-Prediction-Threshold', String(result.threshold))
      c.header('X-Model-Name', result.model.name)
      c.header('X-Model-Version', result.model.version)
      c.header('Content-Type', 'image/png')
      return c.body(result.heatmap.png as Uint8Array<ArrayBuffer>)
    }
    return c.json({ ...result, heatmap: heatmapJson(result.heatmap) })
  })
  app.post('/v1/predict/batch', async (c) => {
    const service = ctx.readyService()
    if (heatmapQuery(c)) throw new XrayError('BAD_REQUEST', 'heatmaps are drawn one image at a time: POST /v1/predict?heatmap=1')
    const images = await readImages(c, { many: true })
    const max = ctx.config.limits.maxBatchImages
    if (images.length > max) throw new XrayError('BAD_REQUEST', `the batch has ${images.length} images; the limit is ${max}`)
    const opts = { source: 'batch' as const, cam: wantsCam(c.req.query('cam')), noCache: noCache(c.req.header('cache-control')), client: clientOf(c) }
    const id = c.get('requestId')
    // Admitted together: the whole batch's memory or a 413/503 for all of it.
    const answers = await service.predictEach(images, (i) => ({ ...opts, id: `${id}-${i}` }))
    const results = answers.map((r) => (r instanceof XrayError ? { ok: false, ...r.toJSON() } : { ok: true, ...r }))
    return c.json({ count: results.length, results })
  })
  return app
}
