/**
 * Seeded damage to real images: bit flips, cut-offs, lying headers. The same seed gives the
 * same corpus (mulberry32, test/helpers/dicom-fuzz.ts).
 */
import { crc32 } from 'node:zlib'
import { rng } from './dicom-fuzz.ts'

export { rng }

/** `flips` single-bit flips anywhere after the format's signature. */
export function flipBits(src: Uint8Array, flips: number, r: ReturnType<typeof rng>, from = 2): Uint8Array {
  const b = Uint8Array.from(src)
  for (let k = 0; k < flips; k++) b[from + r.int(b.length - from)] ^= 1 << r.int(8)
  return b
}

/** A baseline JPEG whose frame header (SOF0/SOF1/SOF2) claims `width` x `height`. */
export function jpegClaiming(src: Uint8Array, width: number, height: number): Uint8Array {
  const b = Uint8Array.from(src)
  for (let i = 2; i + 9 < b.length; i++) {
    if (b[i] === 0xff && b[i + 1]! >= 0xc0 && b[i + 1]! <= 0xc2) {
      b.set([height >> 8, height & 255, width >> 8, width & 255], i + 5)
      return b
    }
  }
  throw new Error('no frame header')
}

/** A PNG whose IHDR claims `width` x `height`, with a correct CRC (only the pixel data can tell). */
export function pngClaiming(src: Uint8Array, width: number, height: number): Uint8Array {
  const b = Uint8Array.from(src)
  const dv = new DataView(b.buffer)
  dv.setUint32(16, width)
  dv.setUint32(20, height)
  dv.setUint32(29, crc32(b.subarray(12, 29)))
  return b
}

/** The PNG with every chunk's CRC recomputed: damage that only the image data itself can reveal. */
export function fixCrcs(src: Uint8Array): Uint8Array {
  const b = Uint8Array.from(src)
  const dv = new DataView(b.buffer)
  for (let pos = 8; pos + 12 <= b.length; ) {
    const length = dv.getUint32(pos)
    if (pos + 12 + length > b.length) break
    dv.setUint32(pos + 8 + length, crc32(b.subarray(pos + 4, pos + 8 + length)))
    pos += 12 + length
  }
  return b
}

/** Offset of the first byte of a PNG's first IDAT chunk data. */
export function idatOffset(b: Uint8Array): number {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength)
  for (let pos = 8; pos + 12 <= b.length; pos += 12 + dv.getUint32(pos)) if (String.fromCharCode(...b.subarray(pos + 4, pos + 8)) === 'IDAT') return pos + 8
  throw new Error('no IDAT')
}
