/**
 * RLE Lossless (PS3.5 Annex G): a 64-byte header of segment offsets, then one PackBits segment
 * per byte plane, most significant byte first, one sample (colour component) after another.
 */
import { corruptDicom, truncatedDicom } from '../errors.ts'

const le32 = (b: Uint8Array, p: number) => (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)) >>> 0

/** Decodes one PackBits segment into `out` (exactly out.length bytes, else throws). */
function unpack(src: Uint8Array, out: Uint8Array, segment: number): void {
  let i = 0
  let o = 0
  while (o < out.length && i < src.length) {
    const n = src[i++]
    if (n < 128) {
      const count = n + 1
      if (i + count > src.length) break
      if (o + count > out.length) throw corruptDicom(`RLE segment ${segment} decodes to more than ${out.length} bytes`)
      out.set(src.subarray(i, i + count), o)
      i += count
      o += count
    } else if (n > 128) {
      const count = 257 - n
      if (i >= src.length) break
      if (o + count > out.length) throw corruptDicom(`RLE segment ${segment} decodes to more than ${out.length} bytes`)
      out.fill(src[i++], o, o + count)
      o += count
    }
    // n === 128: no operation
  }
  if (o < out.length) throw truncatedDicom(`RLE segment ${segment} decodes to ${o} of ${out.length} bytes`)
}

/**
 * Returns the samples plane by plane (planar colour), 8-bit as bytes, 16-bit as native-endian
 * Uint16Array.
 */
export function decodeRle(frame: Uint8Array, pixels: number, samplesPerPixel: number, bytesPerSample: 1 | 2): Uint8Array | Uint16Array {
  if (frame.length < 64) throw truncatedDicom('the RLE frame ends inside its header')
  const expected = samplesPerPixel * bytesPerSample
  const count = le32(frame, 0)
  if (count !== expected) throw corruptDicom(`the RLE header lists ${count} segments; this image needs ${expected}`)
  const offsets = Array.from({ length: count }, (_, s) => le32(frame, 4 + 4 * s))
  for (let s = 0; s < count; s++) {
    const end = s + 1 < count ? offsets[s + 1] : frame.length
    if (offsets[s] < 64 || offsets[s] > end || end > frame.length) throw corruptDicom(`RLE segment ${s} has offset ${offsets[s]} in a frame of ${frame.length} bytes`)
  }
  const planes = Array.from({ length: count }, (_, s) => {
    const plane = new Uint8Array(pixels)
    unpack(frame.subarray(offsets[s], s + 1 < count ? offsets[s + 1] : frame.length), plane, s)
    return plane
  })
  if (bytesPerSample === 1) {
    if (count === 1) return planes[0]
    const out = new Uint8Array(pixels * count)
    planes.forEach((p, s) => out.set(p, s * pixels))
    return out
  }
  const out = new Uint16Array(pixels * samplesPerPixel)
  for (let c = 0; c < samplesPerPixel; c++) {
    const hi = planes[2 * c]
    const lo = planes[2 * c + 1]
    for (let i = 0; i < pixels; i++) out[c * pixels + i] = (hi[i] << 8) | lo[i]
  }
  return out
}
