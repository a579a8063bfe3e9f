import { XrayError } from '../errors/index.ts'
import type { HeatmapRequest } from '../heatmap/render.ts'

/** A validated Open Inference Protocol v2 infer request, before any work is started. */
export type InferRequest = { id?: string; outputs: Set<string>; heatmap?: HeatmapRequest } & (
  | { kind: 'images'; images: Uint8Array[] }
  | { kind: 'tensor'; n: number; data: Float32Array }
)

const bad = (message: string) => new XrayError('BAD_REQUEST', message)
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

const b64 = (v: unknown, i: number): Uint8Array => {
  const s = typeof v === 'string' ? v : isObject(v) ? v.b64 : undefined
  if (typeof s !== 'string') throw bad(`inputs[0].data[${i}] must be a base64 string or {"b64": string}`)
  return new Uint8Array(Buffer.from(s, 'base64'))
}

/** The `heatmap` output's optional parameters: {"width": N, "opacity": A} (ranges are checked by the service). */
function heatmapParameters(p: unknown): HeatmapRequest {
  if (p === undefined) return {}
  if (!isObject(p)) throw bad('outputs[heatmap].parameters must be an object: {"width": N, "opacity": A}')
  for (const k of ['width', 'opacity'] as const)
    if (p[k] !== undefined && typeof p[k] !== 'number') throw bad(`outputs[heatmap].parameters.${k} must be a number`)
  return { ...(p.width !== undefined ? { width: p.width as number } : {}), ...(p.opacity !== undefined ? { opacity: p.opacity as number } : {}) }
}

/**
 * Checks an infer body: one input, BYTES [N] of encoded images or FP32 [N,C,H,W] (flat or
 * nested), N at most `maxBatch`; outputs an optional array of {name}.
 */
export function parseInferRequest(body: unknown, input: { shape: [string, number, number, number] }, maxBatch: number): InferRequest {
  if (!isObject(body)) throw bad('the body must be a JSON object: {"inputs": [{"name", "shape", "datatype", "data"}]}')
  const { id, inputs, outputs } = body
  if (outputs !== undefined && !(Array.isArray(outputs) && outputs.every((o) => isObject(o) && typeof o.name === 'string')))
    throw bad('"outputs" must be an array of {"name": string}')
  const names = new Set(outputs ? (outputs as { name: string }[]).map((o) => o.name) : ['probabilities', 'label'])
  const heatmap = names.has('heatmap') ? heatmapParameters((outputs as Record<string, unknown>[]).find((o) => o.name === 'heatmap')!.parameters) : undefined
  const first = Array.isArray(inputs) ? inputs[0] : undefined
  if (!isObject(first) || !Array.isArray(first.data)) throw bad('inputs[0] with a data array is required')
  const shape = first.shape
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) throw bad('inputs[0].shape must be an array of non-negative integers')
  const n = shape[0] as number
  if (n > maxBatch) throw bad(`inputs[0] holds ${n} items; the limit is ${maxBatch} (limits.max_batch_images)`)
  const base = { ...(typeof id === 'string' ? { id } : {}), outputs: names, ...(heatmap ? { heatmap } : {}) }
  if (first.datatype === 'BYTES') {
    if (shape.length !== 1 || n !== first.data.length) throw bad(`BYTES input must have shape [N] with N = ${first.data.length} (the data length)`)
    return { ...base, kind: 'images', images: first.data.map(b64) }
  }
  if (first.datatype === 'FP32') {
    const [, c, h, w] = input.shape
    const size = n * c * h * w
    if (shape.length !== 4 || shape[1] !== c || shape[2] !== h || shape[3] !== w)
      throw bad(`FP32 input must have shape [N,${c},${h},${w}]; got ${JSON.stringify(shape)}`)
    const flat = Array.isArray(first.data[0]) ? (first.data as unknown[]).flat(3) : first.data
    if (flat.length !== size) throw bad(`FP32 input of shape ${JSON.stringify(shape)} needs ${size} values; got ${flat.length}`)
    const data = new Float32Array(size)
    for (let i = 0; i < size; i++) {
      const v = flat[i]
      if (typeof v !== 'number' || !Number.isFinite(v)) throw bad(`inputs[0].data[${i}] is not a finite number (${typeof v === 'number' ? v : typeof v})`)
      data[i] = v
      if (!Number.isFinite(data[i])) throw bad(`inputs[0].data[${i}] = ${v} is not a finite number in FP32 (beyond ±3.4e38)`)
    }
    return { ...base, kind: 'tensor', n, data }
  }
  throw bad(`inputs[0].datatype ${JSON.stringify(first.datatype)} is not supported; use BYTES or FP32`)
}
