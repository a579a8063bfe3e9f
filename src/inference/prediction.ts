import type { Heatmap, HeatmapRequest } from '../heatmap/render.ts'
import type { GrayImage } from '../imaging/decode.ts'

/** Which entry a prediction came through. */
export type PredictionSource = 'v1' | 'batch' | 'oip' | 'eval'

export interface PredictOptions {
  source: PredictionSource
  /** The prediction id (the request id); a random UUID by default. */
  id?: string
  /** Skip the cache lookup (the answer is still cached). */
  noCache?: boolean
  /** Add the class activation maps to the answer. */
  cam?: boolean
  /**
   * Draw the PNEUMONIA heatmap over the image (images only, not tensors). On a cache hit the
   * image is decoded again for it; the model does not run again.
   */
  heatmap?: HeatmapRequest
  /** Who asked (an address or token name), for the listeners. Never a patient identifier. */
  client?: string
}

export interface Prediction {
  id: string
  label: string
  probabilities: Record<string, number>
  threshold: number
  model: { name: string; version: string; sha256: string }
  device: string
  /** Milliseconds; `heatmap` only when one was drawn. */
  timings: { queue: number; decode: number; preprocess: number; inference: number; heatmap?: number; total: number }
  batch_size: number
  cached: boolean
  /**
   * Where the input lies outside what the model was validated on (src/imaging/quality.ts):
   * `upsampled`, `colour`, `inverted`, `near_constant`, `non_chest`, `lateral_view`; [] for a clean
   * X-ray. Absent for preprocessed tensors, which carry no image to judge.
   */
  quality?: string[]
  /** The acquisition, for a DICOM input: modality, view position, body part. Never an identifier. */
  acquisition?: { modality?: string; view?: string; body_part?: string }
  cam?: { labels: string[]; shape: [number, number, number]; data: number[] }
  heatmap?: Heatmap
}

/** What a listener sees of each finished prediction. */
export interface PredictionEvent {
  prediction: Prediction
  /** P(positive label). */
  score: number
  source: PredictionSource
  /** The input, by hash and size only: no pixels. `bytes` is 0 on cache hits. */
  input: { sha256: string; bytes: number; kind: 'image' | 'tensor' }
  /** The decoded image, when this prediction decoded one (not on cache hits or tensor inputs). */
  image?: GrayImage
  client?: string
}

/** Runs synchronously after each prediction; must be quick (queue any I/O) and must not throw. */
export type PredictionListener = (event: PredictionEvent) => void

export interface WarmupResult {
  file: string
  expected: number
  score: number
  ms: number
  passed: boolean
}
