import { Hono, type Context } from 'hono'
import { XrayError } from '../../errors/index.ts'
import type { AppEnv, ServerContext } from '../context.ts'
import { heatmapJson } from '../heatmap-query.ts'
import { parseInferRequest } from '../oip-request.ts'
import { clientOf } from '../client.ts'
import { readJson } from '../body.ts'

/**
 * The Open Inference Protocol v2 (KServe / Triton), JSON form. Inputs: one tensor, either BYTES
 * [N] holding encoded images (base64 strings, or {"b64": ...}) or FP32 [N,3,H,W] already
 * preprocessed. Outputs: probabilities FP32 [N,2], label BYTES [N], cam FP32 [N,2,7,7], heatmap
 * BYTES [N] (base64 PNG overlays, image inputs only).
 */
/** The predictions, or the first image's error (OIP answers a request as a whole). */
const firstError = <T>(rows: (T | XrayError)[]): T[] => {
  const e = rows.find((r) => r instanceof XrayError)
  if (e) throw e
  return rows as T[]
}

export function oipRoutes(ctx: ServerContext) {
  const app = new Hono<AppEnv>()
  const manifest = () => ctx.host.service?.model.manifest
  const checkName = (c: Context<AppEnv>) => {
    const m = manifest()
    const name = c.req.param('name')
    const version = c.req.param('version')
    if (m && name !== m.name) throw new XrayError('UNKNOWN_MODEL', `no model named ${JSON.stringify(name)}; this server serves ${m.name}`)
    if (m && version !== undefined && version !== m.version)
      throw new XrayError('UNKNOWN_MODEL', `model ${m.name} has no version ${JSON.stringify(version)}; this server serves version ${m.version}`)
    return m
  }
  const ready = () => ctx.host.state === 'ready' && !ctx.shuttingDown

  app.get('/v2', (c) => c.json({ name: 'xrayops', version: ctx.version, extensions: [] }))
  app.get('/v2/health/live', (c) => c.json({ live: true }))
  app.get('/v2/health/ready', (c) => c.json({ ready: ready() }, ready() ? 200 : 503))
  const metadata = (c: Context<AppEnv>) => {
    const m = checkName(c)
    if (!m) throw new XrayError('MODEL_NOT_READY', 'the model is not loaded yet')
    const [, ch, h, w] = m.input.shape
    return c.json({
      name: m.name,
      versions: [m.version],
      platform: 'onnx',
      inputs: [
        { name: 'image', datatype: 'BYTES', shape: [-1] },
        { name: m.input.name, datatype: 'FP32', shape: [-1, ch, h, w] },
      ],
      outputs: [
        { name: 'probabilities', datatype: 'FP32', shape: [-1, m.labels.length] },
        { name: 'label', datatype: 'BYTES', shape: [-1] },
        { name: 'cam', datatype: 'FP32', shape: [-1, m.labels.length, 7, 7] },
        { name: 'heatmap', datatype: 'BYTES', shape: [-1] },
      ],
      parameters: { labels: m.labels, threshold: m.threshold, sha256: m.sha256 },
    })
  }
  app.get('/v2/models/:name', metadata)
  app.get('/v2/models/:name/versions/:version', metadata)
  const modelReady = (c: Context<AppEnv>) => {
    checkName(c)
    return c.json({ name: c.req.param('name'), ready: ready() }, ready() ? 200 : 503)
  }
  app.get('/v2/models/:name/ready', modelReady)
  app.get('/v2/models/:name/versions/:version/ready', modelReady)

  const infer = async (c: Context<AppEnv>) => {
    const service = ctx.readyService()
    const m = checkName(c)!
    const body: unknown = await readJson(c).catch(() => {
      throw new XrayError('BAD_REQUEST', 'the body must be JSON: {"inputs": [{"name", "shape", "datatype", "data"}]}')
    })
    const req = parseInferRequest(body, m.input, ctx.config.limits.maxBatchImages)
    const wanted = req.outputs
    const opts = { source: 'oip' as const, cam: wanted.has('cam'), heatmap: req.heatmap, id: c.get('requestId'), client: clientOf(c) }
    const rows =
      req.kind === 'images'
        ? firstError(await service.predictEach(req.images, (i) => ({ ...opts, id: req.images.length > 1 ? `${opts.id}-${i}` : opts.id })))
        : await service.predictTensor(req.data, req.n, opts)
    const n = rows.length
    const outputs = []
    if (wanted.has('probabilities'))
      outputs.push({ name: 'probabilities', datatype: 'FP32', shape: [n, m.labels.length], data: rows.flatMap((r) => m.labels.map((l) => r.probabilities[l])) })
    if (wanted.has('label')) outputs.push({ name: 'label', datatype: 'BYTES', shape: [n], data: rows.map((r) => r.label) })
    if (wanted.has('cam')) outputs.push({ name: 'cam', datatype: 'FP32', shape: [n, m.labels.length, 7, 7], data: rows.flatMap((r) => r.cam!.data) })
    if (wanted.has('heatmap'))
      outputs.push({ name: 'heatmap', datatype: 'BYTES', shape: [n], parameters: { content_type: 'image/png' }, data: rows.map((r) => heatmapJson(r.heatmap!).base64) })
    return c.json({ model_name: m.name, model_version: m.version, ...(req.id ? { id: req.id } : {}), outputs })
  }
  app.post('/v2/models/:name/infer', infer)
  app.post('/v2/models/:name/versions/:version/infer', infer)
  return app
}
