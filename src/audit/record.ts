/** One audit row: what a finished prediction leaves in the trail (no pixels, no patient identifiers). */
import type { PredictionEvent } from '../inference/prediction.ts'
import type { QualityFlag } from '../imaging/quality.ts'
import { describeImage, type ImageStats } from './image-stats.ts'

export interface AuditRecord {
  id: string
  at: string
  instance: string
  model: { name: string; version: string; sha256: string }
  input: { sha256: string; bytes: number; kind: 'image' | 'tensor' }
  /** The decoded image: absent on cache hits and tensor inputs. */
  image?: { format: string; width: number; height: number; bitDepth: number; channels: number; modality?: string; view?: string; bodyPart?: string }
  label: string
  score: number
  probabilities: Record<string, number>
  threshold: number
  latencyMs: number
  timings: Record<string, number>
  batchSize: number
  device: string
  source: string
  cached: boolean
  client?: string
  flags: QualityFlag[]
  stats?: ImageStats
}

/** The record of `event`, for a model whose input is `input` (width x height). */
export function toRecord(event: PredictionEvent, instance: string, input: { width: number; height: number }, at = new Date()): AuditRecord {
  const p = event.prediction
  const img = event.image
  const described = img ? describeImage(img, input) : undefined
  const dicom = img?.dicom
  return {
    id: p.id,
    at: at.toISOString(),
    instance,
    model: p.model,
    input: event.input,
    ...(img
      ? {
          image: {
            format: img.format,
            // The image as sent, not as the decoder shrank it for the model (shrink-on-load).
            width: img.source.scaledFrom?.width ?? img.width,
            height: img.source.scaledFrom?.height ?? img.height,
            bitDepth: dicom?.bitsStored ?? img.source.bitDepth,
            channels: img.source.channels,
            // Only these three DICOM attributes: none of them identifies a patient (dicom/info.ts).
            ...(dicom?.modality ? { modality: dicom.modality } : {}),
            ...(dicom?.view ? { view: dicom.view } : {}),
            ...(dicom?.bodyPart ? { bodyPart: dicom.bodyPart } : {}),
          },
        }
      : {}),
    label: p.label,
    score: event.score,
    probabilities: p.probabilities,
    threshold: p.threshold,
    latencyMs: p.timings.total,
    timings: p.timings,
    batchSize: p.batch_size,
    device: p.device,
    source: event.source,
    cached: p.cached,
    ...(event.client ? { client: event.client } : {}),
    flags: described?.flags ?? [],
    ...(described ? { stats: described.stats } : {}),
  }
}
