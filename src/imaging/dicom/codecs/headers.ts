/**
 * Reads a compressed frame's own header (JPEG SOFn, JPEG-LS SOF55, JPEG 2000 SIZ) without
 * decoding it, so that sizes are checked against Rows/Columns before a codec allocates anything.
 */
import { corruptDicom, truncatedDicom } from '../errors.ts'

export interface CodestreamInfo {
  width: number
  height: number
  components: number
  /** Bits per sample. */
  precision: number
  /** JPEG: the SOF marker's low byte (0xC0 baseline ... 0xF7 JPEG-LS). */
  sof?: number
  /** JPEG 2000: the first component is signed. */
  signed?: boolean
  /** JPEG-LS: interleave mode of the first scan (0 none, 1 line, 2 sample). */
  interleave?: number
}

const u16 = (b: Uint8Array, p: number) => (b[p] << 8) | b[p + 1]
const u32 = (b: Uint8Array, p: number) => ((b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]) >>> 0

const SOF = new Set([0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf, 0xf7])

/** The frame header of a JPEG, JPEG lossless or JPEG-LS codestream (and, for JPEG-LS, the first scan's interleave mode). */
export function jpegHeader(b: Uint8Array): CodestreamInfo {
  if (b.length < 4 || b[0] !== 0xff || b[1] !== 0xd8) throw corruptDicom('the frame is not a JPEG codestream (no SOI marker)')
  let info: CodestreamInfo | undefined
  let p = 2
  while (p + 4 <= b.length) {
    if (b[p] !== 0xff) throw corruptDicom(`JPEG marker expected at byte ${p} of the frame`)
    const m = b[p + 1]
    if (m === 0xff) {
      p++ // fill byte
      continue
    }
    if (m === 0x01 || (m >= 0xd0 && m <= 0xd7)) {
      p += 2
      continue
    }
    if (m === 0xd9) break
    const len = u16(b, p + 2)
    if (len < 2) throw corruptDicom(`JPEG segment of length ${len}`)
    if (p + 2 + len > b.length) break
    if (SOF.has(m)) {
      if (len < 8) throw corruptDicom('JPEG frame header too short')
      info = { sof: m, precision: b[p + 4], height: u16(b, p + 5), width: u16(b, p + 7), components: b[p + 9] }
      if (m !== 0xf7) return info
    } else if (m === 0xda) {
      // SOS: Ls, Ns, Ns x (Cs, Tm), NEAR, ILV (JPEG-LS)
      if (info && len >= 6) info.interleave = b[p + 4 + 1 + 2 * b[p + 4] + 1]
      break
    }
    p += 2 + len
  }
  if (!info) throw truncatedDicom('the JPEG codestream ends before its frame header')
  return info
}

/** A JPEG 2000 codestream (unwrapped from a JP2 file if need be) and its SIZ header. */
export function j2kHeader(frame: Uint8Array): { codestream: Uint8Array; info: CodestreamInfo } {
  const codestream = unwrapJp2(frame)
  const b = codestream
  if (b.length < 4 || u16(b, 0) !== 0xff4f || u16(b, 2) !== 0xff51) throw corruptDicom('the frame is not a JPEG 2000 codestream (no SOC and SIZ markers)')
  if (b.length < 4 + 40) throw truncatedDicom('the JPEG 2000 codestream ends inside its SIZ header')
  const components = u16(b, 40)
  if (b.length < 42 + 3 * Math.max(components, 1)) throw truncatedDicom('the JPEG 2000 codestream ends inside its SIZ header')
  const width = u32(b, 8) - u32(b, 16)
  const height = u32(b, 12) - u32(b, 20)
  const ssiz = b[42]
  return { codestream, info: { width, height, components, precision: (ssiz & 0x7f) + 1, signed: (ssiz & 0x80) !== 0 } }
}

/** The contiguous codestream box of a JP2 file; any other input is returned as is. */
function unwrapJp2(b: Uint8Array): Uint8Array {
  if (!(b.length >= 12 && u32(b, 0) === 12 && u32(b, 4) === 0x6a502020)) return b
  let p = 0
  while (p + 8 <= b.length) {
    let size = u32(b, p)
    const type = u32(b, p + 4)
    let head = 8
    if (size === 1) {
      if (p + 16 > b.length || u32(b, p + 8) !== 0) throw corruptDicom('JP2 box too large')
      size = u32(b, p + 12)
      head = 16
    } else if (size === 0) size = b.length - p
    if (size < head) throw corruptDicom('JP2 box of impossible size')
    if (type === 0x6a703263) return b.subarray(p + head, Math.min(b.length, p + size)) // 'jp2c'
    p += size
  }
  throw corruptDicom('JP2 file without a codestream box')
}
