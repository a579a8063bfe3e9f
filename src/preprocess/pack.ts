import type { GrayImage } from '../imaging/decode.ts'
import { computeTaps } from './cpu.ts'
import type { PreprocessParams } from './params.ts'

/** u32 fields per ImageInfo in the shaders (40 bytes). */
export const IMAGE_INFO_WORDS = 10

/** Host-side layout of a batch for the preprocessing shaders: see shaders/resize_rows.wgsl. */
export interface PackedBatch {
  count: number
  maxHeight: number
  images: Uint32Array
  tapIndex: Uint32Array
  tapWeight: Float32Array
  pixels: Uint8Array
  /** f32 elements of the intermediate (rows resized, columns not yet). */
  tmpLength: number
  /** f32 elements of the NCHW output. */
  outLength: number
}

const align4 = (n: number) => (n + 3) & ~3

export function packBatch(batch: GrayImage[], p: PreprocessParams): PackedBatch {
  const ow = p.outWidth
  const oh = p.outHeight
  const taps = batch.map((img) => ({ x: computeTaps(img.width, ow, p.method), y: computeTaps(img.height, oh, p.method) }))
  const pixelBytes = batch.reduce((n, img) => n + align4(img.width * img.height), 0)
  const weightCount = taps.reduce((n, t) => n + ow * t.x.stride + oh * t.y.stride, 0)
  const images = new Uint32Array(batch.length * IMAGE_INFO_WORDS)
  const tapIndex = new Uint32Array(batch.length * (ow + oh) * 2)
  const tapWeight = new Float32Array(weightCount)
  const pixels = new Uint8Array(Math.max(pixelBytes, 4))
  let src = 0
  let tmp = 0
  let idx = 0
  let wgt = 0
  batch.forEach((img, i) => {
    pixels.set(img.data.subarray(0, img.width * img.height), src)
    const info = [src, img.width, img.height, tmp, idx, wgt, taps[i].x.stride, 0, 0, taps[i].y.stride]
    for (const [axis, size] of [['x', ow], ['y', oh]] as const) {
      const t = taps[i][axis]
      if (axis === 'y') { info[7] = idx; info[8] = wgt }
      for (let o = 0; o < size; o++) {
        tapIndex[2 * (idx + o)] = t.start[o]
        tapIndex[2 * (idx + o) + 1] = t.count[o]
      }
      tapWeight.set(t.weights, wgt)
      idx += size
      wgt += size * t.stride
    }
    images.set(info, i * IMAGE_INFO_WORDS)
    src += align4(img.width * img.height)
    tmp += img.height * ow
  })
  return {
    count: batch.length,
    maxHeight: Math.max(...batch.map((b) => b.height)),
    images,
    tapIndex,
    tapWeight,
    pixels,
    tmpLength: tmp,
    outLength: batch.length * 3 * ow * oh,
  }
}
