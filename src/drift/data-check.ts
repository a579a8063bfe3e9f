/**
 * Recent inputs unlike the chest X-rays the model was validated on, from the audit records:
 * the input-quality flags recorded with each prediction (tiny = `upsampled`, colour, inverted,
 * near-constant, non-chest, lateral view) plus a DICOM modality that is not a radiograph.
 * The check fails when the flagged share of the window exceeds `maxShare` (default 5%).
 */
import type { AuditRow } from '../audit/store.ts'

/** DICOM modalities of plain radiographs: CR (computed), DX (digital), RG (radiographic imaging). */
export const RADIOGRAPH_MODALITIES = new Set(['CR', 'DX', 'RG', 'DR'])
/** Flagged share of the window above which the check fails. */
export const DEFAULT_MAX_SHARE = 0.05

export type DataFlag = 'upsampled' | 'colour' | 'inverted' | 'near_constant' | 'non_chest' | 'lateral_view' | 'non_radiograph'

/** What each flag means, in the report. */
export const FLAG_MEANING: Record<DataFlag, string> = {
  upsampled: 'tiny: a side under the model input (224 px)',
  colour: 'colour image (more than 2% of pixels with real chroma)',
  inverted: 'looks like a negative (spine darker than the lungs)',
  near_constant: 'near-constant (1st-99th percentile spread under 24 gray levels)',
  non_chest: 'DICOM Body Part Examined is not CHEST',
  lateral_view: 'DICOM View Position is lateral',
  non_radiograph: 'DICOM modality is not a radiograph (CR, DX, RG, DR)',
}

export interface DataCheck {
  checked: number
  flagged: number
  share: number
  maxShare: number
  passed: boolean
  counts: Partial<Record<DataFlag, number>>
  /** The flagged predictions (newest first, at most 50): id, time, flags. */
  examples: { id: string; at: string; flags: DataFlag[] }[]
}

export function flagsOf(r: AuditRow): DataFlag[] {
  const flags = JSON.parse(r.quality_flags) as DataFlag[]
  if (r.format === 'dicom' && r.modality && !RADIOGRAPH_MODALITIES.has(r.modality)) flags.push('non_radiograph')
  return flags
}

/** Rows with a decoded image (cache hits and tensors carry no image facts) are checked. */
export function checkRecentData(rows: readonly AuditRow[], maxShare = DEFAULT_MAX_SHARE): DataCheck {
  const checked = rows.filter((r) => r.format !== null)
  const counts: Partial<Record<DataFlag, number>> = {}
  const examples: DataCheck['examples'] = []
  let flagged = 0
  for (const r of checked) {
    const flags = flagsOf(r)
    if (!flags.length) continue
    flagged++
    for (const f of flags) counts[f] = (counts[f] ?? 0) + 1
    if (examples.length < 50) examples.push({ id: r.id, at: r.at, flags })
  }
  const share = flagged / Math.max(checked.length, 1)
  return { checked: checked.length, flagged, share, maxShare, passed: share <= maxShare, counts, examples }
}
