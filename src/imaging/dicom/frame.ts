/** The bytes of the (single) frame: native samples, or the compressed codestream from its fragments. */
import os from 'node:os'
import type { DataSet } from './dicom-parser.ts'
import { TAG, type ImageAttributes } from './attributes.ts'
import { corruptDicom, truncatedDicom } from './errors.ts'
import type { TransferSyntax } from './transfer-syntaxes.ts'

const hostLittleEndian = os.endianness() === 'LE'

/** Native (uncompressed) samples: bytes for 8 bits allocated, native-endian words for 16. */
export function nativeSamples(ds: DataSet, img: ImageAttributes, ts: TransferSyntax): Uint8Array | Uint16Array {
  const el = ds.elements[TAG.pixelData]
  if (el.encapsulatedPixelData) throw corruptDicom(`encapsulated pixel data in a file of transfer syntax ${ts.uid} (${ts.name})`)
  const count = img.rows * img.columns * img.samplesPerPixel
  const bytes = count * (img.bitsAllocated / 8)
  const buf = ds.byteArray
  if (el.length < bytes || el.dataOffset + bytes > buf.length)
    throw truncatedDicom(`Pixel Data has ${Math.max(0, Math.min(el.length, buf.length - el.dataOffset))} bytes; ${img.columns}x${img.rows}x${img.samplesPerPixel} samples of ${img.bitsAllocated} bits need ${bytes}`)
  const src = buf.subarray(el.dataOffset, el.dataOffset + bytes)
  if (img.bitsAllocated === 8) {
    // Explicit big endian with 8-bit samples in OW: each 16-bit word has its bytes swapped.
    if (!ts.bigEndian || el.vr !== 'OW') return src
    const out = new Uint8Array(count)
    for (let i = 0; i < count; i++) out[i] = src[i ^ 1] ?? 0
    return out
  }
  const out = new Uint16Array(count)
  if (!ts.bigEndian === hostLittleEndian) new Uint8Array(out.buffer).set(src)
  else for (let i = 0, j = 0; i < count; i++, j += 2) out[i] = ts.bigEndian ? (src[j] << 8) | src[j + 1] : src[j] | (src[j + 1] << 8)
  return out
}

/** The codestream of the only frame: all fragments of the encapsulated Pixel Data, in order. */
export function encapsulatedFrame(ds: DataSet, ts: TransferSyntax): Uint8Array {
  const el = ds.elements[TAG.pixelData]
  if (!el.encapsulatedPixelData || !el.fragments) throw corruptDicom(`transfer syntax ${ts.uid} (${ts.name}) needs encapsulated pixel data`)
  const buf = ds.byteArray
  let total = 0
  for (const f of el.fragments) {
    if (f.position < 0 || f.length < 0 || f.position + f.length > buf.length) throw truncatedDicom('a pixel data fragment runs past the end of the file')
    total += f.length
  }
  if (total === 0) throw truncatedDicom('the encapsulated pixel data has no fragment data')
  if (el.fragments.length === 1) return buf.subarray(el.fragments[0].position, el.fragments[0].position + total)
  const out = new Uint8Array(total)
  let p = 0
  for (const f of el.fragments) {
    out.set(buf.subarray(f.position, f.position + f.length), p)
    p += f.length
  }
  return out
}
