/**
 * How stored grayscale values become display values (PS3.3 C.11): the Modality LUT (Rescale
 * Slope/Intercept or a Modality LUT Sequence), the VOI (a VOI LUT Sequence, else Window
 * Center/Width with its VOI LUT Function, else the range of the image's values), and the pixels
 * that are padding (Pixel Padding Value, up to Pixel Padding Range Limit).
 */
import type { DataSet } from './dicom-parser.ts'
import type { ImageAttributes } from './attributes.ts'
import { corruptDicom } from './errors.ts'
import { readLut, type Lut } from './lut.ts'
import { has, num, text, u16 } from './values.ts'

export type ModalityTransform = { kind: 'identity' } | { kind: 'rescale'; slope: number; intercept: number } | { kind: 'lut'; lut: Lut }
export type VoiFunction = 'LINEAR' | 'LINEAR_EXACT' | 'SIGMOID'
export type VoiTransform = { kind: 'lut'; lut: Lut } | { kind: 'window'; center: number; width: number; fn: VoiFunction } | { kind: 'range' }

export interface Presentation {
  modality: ModalityTransform
  voi: VoiTransform
  /** Stored values from..to (inclusive) are padding, not image. */
  padding?: { from: number; to: number }
}

const firstItem = (ds: DataSet, tag: string): DataSet | undefined => ds.elements[tag]?.items?.[0]?.dataSet

function readModality(ds: DataSet, signed: boolean): ModalityTransform {
  const slopeGiven = has(ds, 'x00281053')
  const slope = num(ds, 'x00281053')
  const intercept = num(ds, 'x00281052')
  if (slopeGiven || has(ds, 'x00281052')) {
    if (slopeGiven && (slope === undefined || slope === 0)) throw corruptDicom('Rescale Slope (0028,1053) is not a non-zero number')
    if (has(ds, 'x00281052') && intercept === undefined) throw corruptDicom('Rescale Intercept (0028,1052) is not a number')
    const s = slope ?? 1
    const b = intercept ?? 0
    return s === 1 && b === 0 ? { kind: 'identity' } : { kind: 'rescale', slope: s, intercept: b }
  }
  const item = firstItem(ds, 'x00283000')
  return item ? { kind: 'lut', lut: readLut(item, 'Modality LUT Sequence (0028,3000)', signed) } : { kind: 'identity' }
}

function readVoi(ds: DataSet, mayBeNegative: boolean): VoiTransform {
  const item = firstItem(ds, 'x00283010')
  if (item) return { kind: 'lut', lut: readLut(item, 'VOI LUT Sequence (0028,3010)', mayBeNegative) }
  const center = num(ds, 'x00281050')
  const width = num(ds, 'x00281051')
  const fnText = text(ds, 'x00281056')?.toUpperCase() ?? 'LINEAR'
  const fn: VoiFunction = fnText === 'LINEAR_EXACT' || fnText === 'SIGMOID' ? fnText : 'LINEAR'
  // A width the function cannot use (LINEAR needs >= 1, the others > 0) is ignored, as is a half-given window.
  if (center !== undefined && width !== undefined && (fn === 'LINEAR' ? width >= 1 : width > 0)) return { kind: 'window', center, width, fn }
  return { kind: 'range' }
}

function readPadding(ds: DataSet, signed: boolean): Presentation['padding'] {
  const asStored = (v: number) => (signed && v >= 0x8000 ? v - 0x10000 : v)
  const value = u16(ds, 'x00280120')
  if (value === undefined) return undefined
  const from = asStored(value)
  const limit = u16(ds, 'x00280121')
  const to = limit === undefined ? from : asStored(limit)
  return { from: Math.min(from, to), to: Math.max(from, to) }
}

export function readPresentation(ds: DataSet, img: ImageAttributes): Presentation {
  if (img.samplesPerPixel !== 1) return { modality: { kind: 'identity' }, voi: { kind: 'range' } }
  const modality = readModality(ds, img.signed)
  const mayBeNegative = img.signed || (modality.kind === 'rescale' && (modality.intercept < 0 || modality.slope < 0))
  return { modality, voi: readVoi(ds, mayBeNegative), padding: readPadding(ds, img.signed) }
}
