/**
 * The Image Pixel module (PS3.3 C.7.6.3) and the presentation attributes this decoder applies,
 * read and checked before any pixel is touched.
 */
import type { DataSet } from './dicom-parser.ts'
import { corruptDicom, unsupportedDicom } from './errors.ts'
import { num, text, u16 } from './values.ts'

export type Photometric = 'MONOCHROME1' | 'MONOCHROME2' | 'RGB' | 'YBR_FULL' | 'YBR_FULL_422' | 'YBR_ICT' | 'YBR_RCT'
const photometrics = new Set<string>(['MONOCHROME1', 'MONOCHROME2', 'RGB', 'YBR_FULL', 'YBR_FULL_422', 'YBR_ICT', 'YBR_RCT'])
/** Defined terms not decoded here: named in the refusal (any other text is not repeated). */
const otherPhotometrics = new Set<string>(['PALETTE COLOR', 'YBR_PARTIAL_422', 'YBR_PARTIAL_420', 'ARGB', 'CMYK', 'HSV', 'XYB'])

export interface ImageAttributes {
  rows: number
  columns: number
  samplesPerPixel: 1 | 3
  photometric: Photometric
  bitsAllocated: 8 | 16
  bitsStored: number
  highBit: number
  signed: boolean
  /** 0: colour samples interleaved (RGBRGB...), 1: one plane per colour. */
  planar: 0 | 1
  frames: number
}

export const TAG = {
  samplesPerPixel: 'x00280002',
  photometric: 'x00280004',
  planar: 'x00280006',
  frames: 'x00280008',
  rows: 'x00280010',
  columns: 'x00280011',
  bitsAllocated: 'x00280100',
  bitsStored: 'x00280101',
  highBit: 'x00280102',
  pixelRepresentation: 'x00280103',
  pixelData: 'x7fe00010',
} as const

const required = (ds: DataSet, tag: string, name: string): number => {
  const v = u16(ds, tag)
  if (v === undefined) throw corruptDicom(`${name} (${tag.slice(1, 5)},${tag.slice(5)}) is missing`)
  return v
}

export function readImageAttributes(ds: DataSet): ImageAttributes {
  if (!ds.elements[TAG.pixelData]) {
    const other = ds.elements.x7fe00008 || ds.elements.x7fe00009 ? 'float pixel data is not decoded here' : 'it holds no image (no Pixel Data (7FE0,0010))'
    throw unsupportedDicom(other)
  }
  const rows = required(ds, TAG.rows, 'Rows')
  const columns = required(ds, TAG.columns, 'Columns')
  const frames = num(ds, TAG.frames) ?? 1
  if (!Number.isInteger(frames) || frames < 1) throw corruptDicom(`Number of Frames (0028,0008) is ${frames}`)
  if (frames > 1) throw unsupportedDicom(`multi-frame image (${frames} frames); send one frame per file`, { frames })
  const spp = u16(ds, TAG.samplesPerPixel) ?? 1
  if (spp !== 1 && spp !== 3) throw unsupportedDicom(`${spp} samples per pixel; 1 (grayscale) or 3 (colour) are decoded`)
  const photometricText = text(ds, TAG.photometric)?.toUpperCase() ?? (spp === 1 ? 'MONOCHROME2' : 'RGB')
  if (!photometrics.has(photometricText)) {
    const shown = otherPhotometrics.has(photometricText) ? photometricText : '(not a defined term)'
    throw unsupportedDicom(`photometric interpretation ${shown} is not decoded here; MONOCHROME1, MONOCHROME2, RGB and YBR_FULL/YBR_FULL_422/YBR_ICT/YBR_RCT are`)
  }
  const photometric = photometricText as Photometric
  const mono = photometric.startsWith('MONOCHROME')
  if (mono !== (spp === 1)) throw corruptDicom(`${photometric} with ${spp} samples per pixel`)
  const bitsAllocated = required(ds, TAG.bitsAllocated, 'Bits Allocated')
  if (bitsAllocated !== 8 && bitsAllocated !== 16) throw unsupportedDicom(`${bitsAllocated} bits allocated per sample; 8 or 16 are decoded`)
  const bitsStored = u16(ds, TAG.bitsStored) ?? bitsAllocated
  const highBit = u16(ds, TAG.highBit) ?? bitsStored - 1
  if (bitsStored < 1 || bitsStored > bitsAllocated || highBit < bitsStored - 1 || highBit >= bitsAllocated)
    throw corruptDicom(`Bits Stored ${bitsStored} / High Bit ${highBit} do not fit in ${bitsAllocated} bits allocated`)
  if (spp === 3 && bitsAllocated !== 8) throw unsupportedDicom(`colour with ${bitsAllocated} bits per sample; colour is decoded at 8 bits`)
  const pr = u16(ds, TAG.pixelRepresentation) ?? 0
  if (pr > 1) throw corruptDicom(`Pixel Representation (0028,0103) is ${pr}`)
  const planar = spp === 3 ? (u16(ds, TAG.planar) ?? 0) : 0
  if (planar > 1) throw corruptDicom(`Planar Configuration (0028,0006) is ${planar}`)
  return { rows, columns, samplesPerPixel: spp, photometric, bitsAllocated, bitsStored, highBit, signed: pr === 1, planar: planar as 0 | 1, frames }
}
