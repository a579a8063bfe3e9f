/**
 * PNG and JPEG mutations of real X-rays: bit flips, overwritten bytes, cut-offs, headers that lie
 * about the size, PNG chunk lengths, IDAT damage behind a correct CRC, dropped or repeated JPEG
 * segments, spliced ranges, junk after the end, and the untouched file.
 */
import { fixCrcs, flipBits, idatOffset, jpegClaiming, pngClaiming } from '../corrupt.ts'
import type { Rng } from './rng.ts'

export const IMAGE_MUTATIONS = ['flip', 'bytes', 'truncate', 'lie', 'chunk-length', 'idat', 'segment', 'splice', 'append', 'valid'] as const
export type ImageMutation = (typeof IMAGE_MUTATIONS)[number]

export interface SeedImage {
  name: string
  format: 'png' | 'jpeg'
  bytes: Uint8Array
}

const concat = (...parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts))

/** JPEG segments (marker offset, total length) between SOI and SOS. */
function jpegSegments(b: Uint8Array): [number, number][] {
  const out: [number, number][] = []
  for (let i = 2; i + 4 <= b.length && b[i] === 0xff && b[i + 1] !== 0xda; ) {
    const len = 2 + ((b[i + 2]! << 8) | b[i + 3]!)
    out.push([i, len])
    i += len
  }
  return out
}

/** PNG chunk offsets (of the length field). */
function pngChunks(b: Uint8Array): number[] {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength)
  const out: number[] = []
  for (let p = 8; p + 12 <= b.length; p += 12 + dv.getUint32(p)) out.push(p)
  return out
}

const sizes = (r: Rng) => r.pick([0, 1, 15, 16, 100, 200, 223, 224, 225, 300, 2000, 6324, 16385, 65535, r.int(65536)])

export function mutateImage(r: Rng, s: SeedImage, kind: ImageMutation): Uint8Array {
  const b = s.bytes
  switch (kind) {
    case 'flip':
      return flipBits(b, 1 + r.int(8), r, s.format === 'png' ? 8 : 2)
    case 'bytes': {
      const out = Uint8Array.from(b)
      for (let k = 1 + r.int(4); k > 0; k--) out[r.int(out.length)] = r.int(256)
      return out
    }
    case 'truncate':
      return b.subarray(0, r.int(b.length))
    case 'lie':
      return s.format === 'jpeg' ? jpegClaiming(b, sizes(r), sizes(r)) : r.next() < 0.8 ? pngClaiming(b, sizes(r), sizes(r)) : (() => {
        const out = Uint8Array.from(b)
        out[24 + r.int(5)] = r.int(256) // depth, colour type, compression, filter, interlace
        return fixCrcs(out)
      })()
    case 'chunk-length': {
      const out = Uint8Array.from(b)
      const dv = new DataView(out.buffer)
      if (s.format === 'png') {
        dv.setUint32(r.pick(pngChunks(out)), r.pick([0, 1, 13, 0x7fffffff, 0xffffffff, r.int(b.length), r.int(70000)]))
        return r.next() < 0.5 ? fixCrcs(out) : out
      }
      const [at] = r.pick(jpegSegments(out))
      dv.setUint16(at + 2, r.pick([0, 1, 2, 3, 0xffff, r.int(0x10000)]))
      return out
    }
    case 'idat': {
      if (s.format === 'jpeg') return flipBits(b, 1, r, Math.floor(b.length / 2))
      const out = Uint8Array.from(b)
      out[idatOffset(out) + 2 + r.int(Math.min(2000, out.length - idatOffset(out) - 20))]! ^= 1 << r.int(8)
      return fixCrcs(out)
    }
    case 'segment': {
      if (s.format === 'png') {
        const chunks = pngChunks(b)
        const at = r.pick(chunks)
        const len = 12 + new DataView(b.buffer, b.byteOffset).getUint32(at)
        return r.next() < 0.5 ? concat(b.subarray(0, at), b.subarray(at + len)) : concat(b.subarray(0, at + len), b.subarray(at, at + len), b.subarray(at + len))
      }
      const [at, len] = r.pick(jpegSegments(b))
      return r.next() < 0.5 ? concat(b.subarray(0, at), b.subarray(at + len)) : concat(b.subarray(0, at + len), b.subarray(at, at + len), b.subarray(at + len))
    }
    case 'splice': {
      const at = r.int(b.length)
      const from = r.int(b.length)
      return r.next() < 0.5 ? concat(b.subarray(0, at), b.subarray(from, from + r.int(300)), b.subarray(at)) : concat(b.subarray(0, at), b.subarray(Math.min(b.length, at + 1 + r.int(300))))
    }
    case 'append':
      return concat(b, Uint8Array.from({ length: r.int(2000) }, () => r.int(256)))
    case 'valid':
      return b
  }
}
