import { Hono, type Context } from 'hono'
import { XrayError } from '../../errors/index.ts'
import { classify } from '../../inference/results.ts'
import type { ServerContext } from '../context.ts'

/**
 * The Open Inference Protocol v2 (KServe / Triton), JSON form. Inputs: one tensor, either BYTES
 * [N] holding encoded images (base64 strings, or {"b64": ...}) or FP32 [N,3,H,W] already
 * preprocessed. Outputs: probabilities FP32 [N,2], label BYTES [N], cam FP32 [N,2,7,7].
 */
interface InferInput {
  name?: string
  shape?: number[]
  datatype?: string
  data?: unknown[]
}

const b64 = (v: unknown, i: number): Uint8Array => {
  const s = typeof v === 'string' ? v : v && typeof v === 'object' && 'b64' in v ? (v as { b64: unknown }).b64 : undefined
  if (typeof s !== 'string') throw new XrayError('BAD_REQUEST', `inputs[0].data[${i}] must be a base64 string or {"b64": string}`)
  return new Uint8Array(Buffer.from(s, 'base64'))
}

export function oipRoutes(ctx: ServerContext) {
  const app = new Hono()
  const manifest = () => ctx.host.predictor?.pipeline.model.manifest
  const checkName = (c: Context) => {
    const m = manifest()
    const name = c.req.param('name')
    if (m && name !== m.name) throw new XrayError('UNKNOWN_MODEL', `no model named ${JSON.stringify(name)}; this server serves ${m.name}`)
    return m
  }
  const ready = () => ctx.host.state === 'ready' && !ctx.shuttingDown

  app.get('/v2', (c) => c.json({ name: 'xrayops', version: ctx.version, extensions: [] }))
  app.get('/v2/health/live', (c) => c.json({ live: true }))
  app.get('/v2/health/ready', (c) => c.json({ ready: ready() }, ready() ? 200 : 503))
  const metadata = (c: Context) => {
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
      ],
      parameters: { labels: m.labels, threshold: m.threshold, sha256: m.sha256 },
    })
  }
  app.get('/v2/models/:name', metadata)
  app.get('/v2/models/:name/versions/:version', metadata)
  const modelReady = (c: Context) => {
    checkName(c)
    return c.json({ name: c.req.param('name'), ready: ready() }, ready() ? 200 : 503)
  }
  app.get('/v2/models/:name/ready', modelReady)
  app.get('/v2/models/:name/versions/:version/ready', modelReady)

  const infer = async (c: Context) => {
    const predictor = ctx.readyPredictor()
    const m = checkName(c)!
    const body = (await c.req.json().catch(() => {
      throw new XrayError('BAD_REQUEST', 'the body must be JSON: {"inputs": [{"name", "shape", "datatype", "data"}]}')
    })) as { id?: string; inputs?: InferInput[]; outputs?: { name: string }[] }
    const input = body.inputs?.[0]
    if (!input || !Array.isArray(input.data)) throw new XrayError('BAD_REQUEST', 'inputs[0] with a data array is required')
    const wanted = new Set((body.outputs ?? [{ name: 'probabilities' }, { name: 'label' }]).map((o) => o.name))
    let rows: { probabilities: Record<string, number>; label: string; cam: ArrayLike<number> }[]
    if (input.datatype === 'BYTES') {
      rows = await Promise.all(input.data.map((v, i) => predictor.predict(b64(v, i), { cam: true }).then((p) => ({ ...p, cam: p.cam!.data }))))
    } else if (input.datatype === 'FP32') {
      const [, ch, h, w] = m.input.shape
      const flat = Float32Array.from((input.data as unknown[]).flat(4) as number[])
      const n = input.shape?.[0] ?? 0
      if (!input.shape || input.shape.length !== 4 || input.shape[1] !== ch || input.shape[2] !== h || input.shape[3] !== w || flat.length !== n * ch * h * w)
        throw new XrayError('BAD_REQUEST', `FP32 input must have shape [N,${ch},${h},${w}] and N*${ch * h * w} values; got shape ${JSON.stringify(input.shape)} with ${flat.length} values`)
      const run = await predictor.pipeline.engine.inferTensor(flat, n)
      rows = Array.from({ length: n }, (_, i) => classify(run.output, i, m))
    } else throw new XrayError('BAD_REQUEST', `inputs[0].datatype ${JSON.stringify(input.datatype)} is not supported; use BYTES or FP32`)
    const n = rows.length
    const outputs = []
    if (wanted.has('probabilities'))
      outputs.push({ name: 'probabilities', datatype: 'FP32', shape: [n, m.labels.length], data: rows.flatMap((r) => m.labels.map((l) => r.probabilities[l])) })
    if (wanted.has('label')) outputs.push({ name: 'label', datatype: 'BYTES', shape: [n], data: rows.map((r) => r.label) })
    if (wanted.has('cam')) outputs.push({ name: 'cam', datatype: 'FP32', shape: [n, m.labels.length, 7, 7], data: rows.flatMap((r) => Array.from(r.cam)) })
    return c.json({ model_name: m.name, model_version: m.version, ...(body.id ? { id: body.id } : {}), outputs })
  }
  app.post('/v2/models/:name/infer', infer)
  app.post('/v2/models/:name/versions/:version/infer', infer)
  return app
}
