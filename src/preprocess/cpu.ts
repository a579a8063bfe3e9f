import type { GrayImage } from '../imaging/decode.ts'
import type { PreprocessParams, ResizeMethod } from './params.ts'

interface Taps {
  start: Int32Array
  count: Int32Array
  weights: Float64Array
  stride: number
}

const filter = (method: ResizeMethod, x: number) => {
  if (method === 'area') return x > -0.5 && x <= 0.5 ? 1 : 0
  const a = Math.abs(x)
  return a < 1 ? 1 - a : 0
}

/** Sampling taps for resizing `inSize` to `outSize`: the CPU path uses them, and pack.ts uploads them for the shaders. */
export function computeTaps(inSize: number, outSize: number, method: ResizeMethod): Taps {
  const scale = inSize / outSize
  const stretch = method === 'bilinear' ? 1 : Math.max(scale, 1)
  const support = (method === 'area' ? 0.5 : 1) * stretch
  const stride = Math.ceil(support) * 2 + 1
  const start = new Int32Array(outSize)
  const count = new Int32Array(outSize)
  const weights = new Float64Array(outSize * stride)
  for (let o = 0; o < outSize; o++) {
    const center = (o + 0.5) * scale
    const lo = Math.max(Math.floor(center - support + 0.5), 0)
    const hi = Math.min(Math.floor(center + support + 0.5), inSize)
    let sum = 0
    const n = Math.min(hi - lo, stride)
    for (let k = 0; k < n; k++) {
      const w = filter(method, (lo + k - center + 0.5) / stretch)
      weights[o * stride + k] = w
      sum += w
    }
    for (let k = 0; k < n; k++) weights[o * stride + k] = sum > 0 ? weights[o * stride + k] / sum : 0
    start[o] = lo
    count[o] = n
  }
  return { start, count, weights, stride }
}

const taps = new Map<string, Taps>()

/** computeTaps, kept for the last 64 sizes seen (images of one scanner come in a few sizes). */
function tapsFor(inSize: number, outSize: number, method: ResizeMethod): Taps {
  const key = `${inSize} ${outSize} ${method}`
  let t = taps.get(key)
  if (!t) {
    if (taps.size >= 64) taps.delete(taps.keys().next().value!)
    taps.set(key, (t = computeTaps(inSize, outSize, method)))
  }
  return t
}

let rows = new Float64Array(0)

/**
 * The horizontal pass's rows, kept from call to call (preprocessCpu runs to its end without
 * yielding, so one buffer serves every call on this thread): a fresh one would be 0.5 MB of
 * garbage per image.
 */
function scratch(n: number): Float64Array {
  if (rows.length < n) rows = new Float64Array(n)
  return rows
}

/**
 * The reference preprocessing: 8-bit luminance -> resize -> /255 -> per-channel (x - mean) / std,
 * replicated to 3 channels, written NCHW at `out[offset ...]`. The CPU path and the GPU test oracle.
 */
export function preprocessCpu(img: GrayImage, p: PreprocessParams, out: Float32Array, offset = 0): Float32Array {
  const { width: W, height: H, data } = img
  const ow = p.outWidth
  const oh = p.outHeight
  const tx = tapsFor(W, ow, p.method)
  const ty = tapsFor(H, oh, p.method)
  const tmp = scratch(H * ow)
  {
    const { start, count, weights, stride } = tx
    for (let y = 0; y < H; y++) {
      const row = y * W
      const o = y * ow
      for (let x = 0; x < ow; x++) {
        let acc = 0
        const s = row + start[x]!
        const base = x * stride
        const n = count[x]!
        for (let k = 0; k < n; k++) acc += weights[base + k]! * data[s + k]!
        tmp[o + x] = acc / 255
      }
    }
  }
  const plane = ow * oh
  const [m0, m1, m2] = p.mean as [number, number, number]
  const [r0, r1, r2] = p.std.map((v) => 1 / v) as [number, number, number]
  const { start, count, weights, stride } = ty
  for (let y = 0; y < oh; y++) {
    const s = start[y]!
    const base = y * stride
    const n = count[y]!
    const o = offset + y * ow
    for (let x = 0; x < ow; x++) {
      let acc = 0
      for (let k = 0; k < n; k++) acc += weights[base + k]! * tmp[(s + k) * ow + x]!
      out[o + x] = (acc - m0) * r0
      out[o + plane + x] = (acc - m1) * r1
      out[o + 2 * plane + x] = (acc - m2) * r2
    }
  }
  return out
}
