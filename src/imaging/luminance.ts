/**
 * Converts interleaved 8-bit pixels to 8-bit luminance exactly as PIL's `convert('L')` does
 * (ITU-R 601-2 weights in 16-bit fixed point), which is what the model was trained on.
 * `channels` is 1 (returned as is) or 3+ (R, G, B first; anything after them is ignored).
 */
export function toLuminance(src: Uint8Array, pixels: number, channels: number): Uint8Array {
  if (channels === 1) return src
  const out = new Uint8Array(pixels)
  for (let i = 0, j = 0; i < pixels; i++, j += channels)
    out[i] = (src[j] * 19595 + src[j + 1] * 38470 + src[j + 2] * 7471 + 0x8000) >>> 16
  return out
}

/** 16-bit samples (native-endian, as decoders hand them out) to 8-bit, rounding. */
export function to8bit(src: Uint16Array): Uint8Array {
  const out = new Uint8Array(src.length)
  for (let i = 0; i < src.length; i++) out[i] = (src[i] * 255 + 32767) / 65535
  return out
}

/** Channels of one pixel further apart than this count as colour (leaves room for compression noise). */
export const CHROMA_TOLERANCE = 8

/**
 * Fraction of pixels whose R, G and B differ by more than CHROMA_TOLERANCE: 0 for a gray image
 * stored as RGB, near 1 for a tinted one. `channels` >= 3, R, G, B first.
 */
export function chromaFraction(src: Uint8Array, pixels: number, channels: number): number {
  if (pixels === 0) return 0
  let coloured = 0
  for (let i = 0, j = 0; i < pixels; i++, j += channels) {
    const r = src[j]
    const g = src[j + 1]
    const b = src[j + 2]
    const hi = r > g ? (r > b ? r : b) : g > b ? g : b
    const lo = r < g ? (r < b ? r : b) : g < b ? g : b
    if (hi - lo > CHROMA_TOLERANCE) coloured++
  }
  return coloured / pixels
}
