/** Modality and VOI lookup tables (PS3.3 C.11.1, C.11.2): LUT Descriptor + LUT Data. */
import type { DataSet } from './dicom-parser.ts'
import { corruptDicom } from './errors.ts'
import { u16 } from './values.ts'

export interface Lut {
  /** Input value mapped to the first entry; inputs below it map to the first entry, above the end to the last. */
  first: number
  /** Bits per entry: output values are 0 .. 2^bits - 1. */
  bits: number
  data: Uint16Array
}

const DESCRIPTOR = 'x00283002'
const DATA = 'x00283006'

/** Reads the LUT of one sequence item. `signedInput`: the first mapped value may be negative (SS). */
export function readLut(item: DataSet, name: string, signedInput: boolean): Lut {
  const n0 = u16(item, DESCRIPTOR, 0)
  const first0 = u16(item, DESCRIPTOR, 1)
  const bits = u16(item, DESCRIPTOR, 2)
  if (n0 === undefined || first0 === undefined || bits === undefined) throw corruptDicom(`${name}: LUT Descriptor (0028,3002) needs 3 values`)
  if (bits < 1 || bits > 16) throw corruptDicom(`${name}: LUT Descriptor gives ${bits} bits per entry; 1 to 16 are allowed`)
  const entries = n0 === 0 ? 65536 : n0
  const vrSigned = item.elements[DESCRIPTOR].vr === 'SS'
  const first = (vrSigned || signedInput) && first0 >= 0x8000 ? first0 - 0x10000 : first0
  const el = item.elements[DATA]
  if (!el) throw corruptDicom(`${name}: no LUT Data (0028,3006)`)
  const data = new Uint16Array(entries)
  const bytes = item.byteArray
  if (el.dataOffset < 0 || el.dataOffset + el.length > bytes.length) throw corruptDicom(`${name}: LUT Data runs past the end of the file`)
  if (bits <= 8 && el.length >= entries && el.length < entries * 2) {
    // 8-bit entries packed two per 16-bit word.
    for (let i = 0; i < entries; i++) data[i] = bytes[el.dataOffset + i]
  } else if (el.length >= entries * 2) {
    for (let i = 0; i < entries; i++) data[i] = item.byteArrayParser.readUint16(bytes, el.dataOffset + i * 2)
  } else {
    throw corruptDicom(`${name}: LUT Data has ${el.length} bytes for ${entries} entries`)
  }
  const max = 2 ** bits - 1
  for (let i = 0; i < entries; i++) if (data[i] > max) data[i] = max
  return { first, bits, data }
}

/** The entry for input value `x` (rounded to an integer). */
export const lookup = (lut: Lut, x: number): number => {
  const i = Math.round(x) - lut.first
  return lut.data[i < 0 ? 0 : i >= lut.data.length ? lut.data.length - 1 : i]
}
