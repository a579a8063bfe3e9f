/**
 * What a decoded DICOM reports about itself: a fixed list of acquisition attributes, none of
 * which identifies a patient, a study or an institution. Nothing else is read from the data set.
 */
import type { DataSet } from './dicom-parser.ts'
import type { ImageAttributes } from './attributes.ts'
import type { TransferSyntax } from './transfer-syntaxes.ts'
import { codeString } from './values.ts'

export interface DicomInfo {
  /** Modality (0008,0060): CR, DX, ... */
  modality?: string
  /** View Position (0018,5101): PA, AP, LL, ... */
  view?: string
  /** Body Part Examined (0018,0015): CHEST, ... */
  bodyPart?: string
  transferSyntax: string
  photometric: string
  bitsStored: number
  frames: number
}

export function readInfo(ds: DataSet, img: ImageAttributes, ts: TransferSyntax): DicomInfo {
  const info: DicomInfo = { transferSyntax: ts.uid, photometric: img.photometric, bitsStored: img.bitsStored, frames: img.frames }
  const modality = codeString(ds, 'x00080060')
  const view = codeString(ds, 'x00185101')
  const bodyPart = codeString(ds, 'x00180015')
  return { ...(modality ? { modality } : {}), ...(view ? { view } : {}), ...(bodyPart ? { bodyPart } : {}), ...info }
}
