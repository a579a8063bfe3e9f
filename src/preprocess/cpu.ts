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

/**
 * The reference preprocessing: 8-bit luminance -> resize -> /255 -> per-channel (x - mean) / std,
 * replicated to 3 channels, written NCHW at `out[offset ...]`. The CPU path and the GPU test oracle.
 */
export function preprocessCpu(img: GrayImage, p: PreprocessParams, out: Float32Array, offset = 0): Float32Array {
  const { width: W, height: H, data } = img
  const ow = p.outWidth
  const oh = p.outHeight
  const tx = computeTaps(W, ow, p.method)
  const ty = computeTaps(H, oh, p.method)
  const tmp = new Float64Array(H * ow)
  for (let y = 0; y < H; y++) {
    const row = y * W
    for (let x = 0; x < ow; x++) {
      let acc = 0
      const s = tx.start[x]
      const base = x * tx.stride
      for (let k = 0; k < tx.count[x]; k++) acc += tx.weights[base + k] * data[row + s + k]
      tmp[y * ow + x] = acc / 255
    }
  }
  const plane = ow * oh
  for (let y = 0; y < oh; y++) {
    const s = ty.start[y]
    const base = y * ty.stride
    for (let x = 0; x < ow; x++) {
      let acc = 0
      for (let k = 0; k < ty.count[y]; k++) acc += ty.weights[base + k] * tmp[(s + k) * ow + x]
      for (let c = 0; c < 3; c++) out[offset + c * plane + y * ow + x] = (acc - p.mean[c]) / p.std[c]
    }
  }
  return out
}
