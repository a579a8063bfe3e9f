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
