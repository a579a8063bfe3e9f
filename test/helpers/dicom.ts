/**
 * A small DICOM Part 10 writer for tests: explicit or implicit VR, little or big endian,
 * sequences, native or encapsulated pixel data. Written from PS3.5 and PS3.10, independently of
 * the decoder under test.
 */
export const TS = {
  implicitLE: '1.2.840.10008.1.2',
  explicitLE: '1.2.840.10008.1.2.1',
  explicitBE: '1.2.840.10008.1.2.2',
  deflate: '1.2.840.10008.1.2.1.99',
  jpegBaseline: '1.2.840.10008.1.2.4.50',
  jpegExtended: '1.2.840.10008.1.2.4.51',
  jpegLossless14: '1.2.840.10008.1.2.4.57',
  jpegLosslessSV1: '1.2.840.10008.1.2.4.70',
  jpegLS: '1.2.840.10008.1.2.4.80',
  jpegLSNear: '1.2.840.10008.1.2.4.81',
  j2kLossless: '1.2.840.10008.1.2.4.90',
  j2k: '1.2.840.10008.1.2.4.91',
  rle: '1.2.840.10008.1.2.5',
  htj2k: '1.2.840.10008.1.2.4.201',
  mpeg2: '1.2.840.10008.1.2.4.100',
} as const

/** A data element. `value`: text (padded), numbers for US/SS/UL (per `vr`), bytes, 16-bit words (OW), or sequence items. */
export interface El {
  tag: number
  vr: string
  value: string | number[] | Uint8Array | Uint16Array | El[][]
  /** Write a sequence (or item) with undefined length and delimiters. */
  undefinedLength?: boolean
  /** Write this length instead of the true one (for lying-length tests). */
  lengthOverride?: number
}

const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OW', 'OV', 'SQ', 'UC', 'UN', 'UR', 'UT', 'SV', 'UV'])

class Out {
  private chunks: Uint8Array[] = []
  constructor(readonly littleEndian: boolean) {}
  bytes(b: Uint8Array) {
    this.chunks.push(b)
  }
  u16(v: number) {
    const b = new Uint8Array(2)
    new DataView(b.buffer).setUint16(0, v, this.littleEndian)
    this.bytes(b)
  }
  u32(v: number) {
    const b = new Uint8Array(4)
    new DataView(b.buffer).setUint32(0, v >>> 0, this.littleEndian)
    this.bytes(b)
  }
  result(): Uint8Array {
    const out = new Uint8Array(this.chunks.reduce((n, c) => n + c.length, 0))
    let p = 0
    for (const c of this.chunks) {
      out.set(c, p)
      p += c.length
    }
    return out
  }
}

function encodeValue(el: El, le: boolean, explicit: boolean): Uint8Array {
  const { vr, value } = el
  if (typeof value === 'string') {
    const pad = vr === 'UI' ? '\0' : ' '
    const s = value.length % 2 ? value + pad : value
    return Uint8Array.from(s, (c) => c.charCodeAt(0))
  }
  if (value instanceof Uint16Array) {
    const b = new Uint8Array(value.length * 2)
    const dv = new DataView(b.buffer)
    value.forEach((v, i) => dv.setUint16(i * 2, v, le))
    return b
  }
  if (value instanceof Uint8Array) return value.length % 2 ? Uint8Array.from([...value, 0]) : value
  if (vr === 'SQ') {
    const o = new Out(le)
    for (const item of value as El[][]) {
      const body = encodeElements(item, le, explicit)
      o.u16(0xfffe)
      o.u16(0xe000)
      o.u32(el.undefinedLength ? 0xffffffff : body.length)
      o.bytes(body)
      if (el.undefinedLength) {
        o.u16(0xfffe)
        o.u16(0xe00d)
        o.u32(0)
      }
    }
    return o.result()
  }
  const nums = value as number[]
  const size = vr === 'UL' || vr === 'SL' ? 4 : 2
  const b = new Uint8Array(nums.length * size)
  const dv = new DataView(b.buffer)
  nums.forEach((v, i) => {
    if (vr === 'UL') dv.setUint32(i * 4, v, le)
    else if (vr === 'SL') dv.setInt32(i * 4, v, le)
    else if (vr === 'SS') dv.setInt16(i * 2, v, le)
    else dv.setUint16(i * 2, v, le)
  })
  return b
}

export function encodeElements(elements: El[], le: boolean, explicit: boolean): Uint8Array {
  const o = new Out(le)
  for (const el of [...elements].sort((a, b) => a.tag - b.tag)) {
    const value = encodeValue(el, le, explicit)
    const undef = el.undefinedLength && el.vr === 'SQ'
    const length = el.lengthOverride ?? (undef ? 0xffffffff : value.length)
    o.u16(el.tag >>> 16)
    o.u16(el.tag & 0xffff)
    if (explicit) {
      o.bytes(Uint8Array.from(el.vr, (c) => c.charCodeAt(0)))
      if (LONG_VRS.has(el.vr)) {
        o.u16(0)
        o.u32(length)
      } else o.u16(length)
    } else o.u32(length)
    o.bytes(value)
    if (undef) {
      o.u16(0xfffe)
      o.u16(0xe0dd)
      o.u32(0)
    }
  }
  return o.result()
}

/** Encapsulated Pixel Data (7FE0,0010): an empty offset table, then one item per fragment (always little endian). */
export function encapsulated(fragments: Uint8Array[]): Uint8Array {
  const o = new Out(true)
  const item = (b: Uint8Array) => {
    const even = b.length % 2 ? Uint8Array.from([...b, 0]) : b
    o.u16(0xfffe)
    o.u16(0xe000)
    o.u32(even.length)
    o.bytes(even)
  }
  for (const b of [new Uint8Array(0), ...fragments]) item(b)
  o.u16(0xfffe)
  o.u16(0xe0dd)
  o.u32(0)
  return o.result()
}

export interface DicomSpec {
  transferSyntax: string
  elements: El[]
  /** Native pixel bytes (already in the file's byte order), or compressed fragments. */
  pixels?: Uint8Array | { fragments: Uint8Array[] }
  pixelVR?: 'OB' | 'OW'
  /** Already encoded elements, written after `elements` (for structures the encoder above would recurse too deep on). */
  raw?: Uint8Array
}

/** A complete Part 10 file. */
export function writeDicom(spec: DicomSpec): Uint8Array {
  const ts = spec.transferSyntax
  const meta = encodeElements(
    [
      { tag: 0x00020001, vr: 'OB', value: Uint8Array.from([0, 1]) },
      { tag: 0x00020002, vr: 'UI', value: '1.2.840.10008.5.1.4.1.1.1.1' },
      { tag: 0x00020003, vr: 'UI', value: '1.2.3.4.5.6.7.8.9' },
      { tag: 0x00020010, vr: 'UI', value: ts },
    ],
    true,
    true,
  )
  const groupLength = encodeElements([{ tag: 0x00020000, vr: 'UL', value: [meta.length] }], true, true)
  const le = ts !== TS.explicitBE
  const explicit = ts !== TS.implicitLE
  const encoded = encodeElements(spec.elements, le, explicit)
  const body = spec.raw ? new Uint8Array(Buffer.concat([encoded, spec.raw])) : encoded
  let pixel: Uint8Array = new Uint8Array(0)
  if (spec.pixels instanceof Uint8Array) pixel = encodeElements([{ tag: 0x7fe00010, vr: spec.pixelVR ?? 'OW', value: spec.pixels }], le, explicit)
  else if (spec.pixels) {
    const o = new Out(true)
    o.u16(0x7fe0)
    o.u16(0x0010)
    o.bytes(Uint8Array.from('OB', (c) => c.charCodeAt(0)))
    o.u16(0)
    o.u32(0xffffffff)
    o.bytes(encapsulated(spec.pixels.fragments))
    pixel = o.result()
  }
  const preamble = new Uint8Array(132)
  preamble.set([0x44, 0x49, 0x43, 0x4d], 128)
  const out = new Uint8Array(preamble.length + groupLength.length + meta.length + body.length + pixel.length)
  let p = 0
  for (const part of [preamble, groupLength, meta, body, pixel]) {
    out.set(part, p)
    p += part.length
  }
  return out
}

export interface ImageSpec {
  rows: number
  columns: number
  bitsAllocated?: 8 | 16
  bitsStored?: number
  highBit?: number
  signed?: boolean
  photometric?: string
  samplesPerPixel?: 1 | 3
  planar?: 0 | 1
  extra?: El[]
}

/** The Image Pixel module's elements for `s` (plus `s.extra`). */
export function imageElements(s: ImageSpec): El[] {
  const ba = s.bitsAllocated ?? 8
  const bs = s.bitsStored ?? ba
  const spp = s.samplesPerPixel ?? 1
  return [
    { tag: 0x00080016, vr: 'UI', value: '1.2.840.10008.5.1.4.1.1.1.1' },
    { tag: 0x00080060, vr: 'CS', value: 'DX' },
    { tag: 0x00280002, vr: 'US', value: [spp] },
    { tag: 0x00280004, vr: 'CS', value: s.photometric ?? (spp === 3 ? 'RGB' : 'MONOCHROME2') },
    ...(spp === 3 ? [{ tag: 0x00280006, vr: 'US', value: [s.planar ?? 0] }] : []),
    { tag: 0x00280010, vr: 'US', value: [s.rows] },
    { tag: 0x00280011, vr: 'US', value: [s.columns] },
    { tag: 0x00280100, vr: 'US', value: [ba] },
    { tag: 0x00280101, vr: 'US', value: [bs] },
    { tag: 0x00280102, vr: 'US', value: [s.highBit ?? bs - 1] },
    { tag: 0x00280103, vr: 'US', value: [s.signed ? 1 : 0] },
    ...(s.extra ?? []),
  ]
}

/** Native pixel bytes for samples (16-bit values given as numbers, negative ones two's complement). */
export function nativePixels(values: ArrayLike<number>, bitsAllocated: 8 | 16, littleEndian = true): Uint8Array {
  if (bitsAllocated === 8) return Uint8Array.from(values as ArrayLike<number>, (v) => v & 0xff)
  const b = new Uint8Array(values.length * 2)
  const dv = new DataView(b.buffer)
  for (let i = 0; i < values.length; i++) dv.setUint16(i * 2, values[i] & 0xffff, littleEndian)
  return b
}
