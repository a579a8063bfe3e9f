/**
 * What the audit keeps of a decoded image for the drift and data checks: no pixels, only
 * statistics of the image as sampled on the model's input grid (224 x 224 for the shipped model:
 * the gray level of the source pixel nearest each input cell's centre). The model itself sees the
 * area average of each cell; sampling costs ~0.2 ms where reading every pixel of a 2000 x 2000
 * film costs 20-50 ms, and a histogram of samples estimates the image's own histogram. The
 * training profile (scripts/build-drift-profile.ts) is computed by this same code.
 */
import type { GrayImage } from '../imaging/decode.ts'
import { levelCounts, levelPercentile, qualityFlags, type QualityFlag } from '../imaging/quality.ts'

/** Bins of the intensity histogram: 32 bins of 8 gray levels. */
export const HIST_BINS = 32

export interface ImageStats {
  /** Samples per histogram bin (bin b holds gray levels 8b..8b+7); they sum to `n`. */
  h: number[]
  /** Samples taken (the model's input width x height). */
  n: number
  /** Mean and standard deviation of the samples' gray levels (0-255). */
  mean: number
  std: number
  /** 1st and 99th percentiles of the samples' gray levels. */
  p1: number
  p99: number
}

/** The image sampled on a `width` x `height` grid (nearest source pixel to each cell centre). */
export function sampleGrid(img: GrayImage, width: number, height: number): GrayImage {
  const out = new Uint8Array(width * height)
  const src = img.data
  const cols = Int32Array.from({ length: width }, (_, x) => Math.min(img.width - 1, Math.floor(((x + 0.5) * img.width) / width)))
  for (let y = 0, o = 0; y < height; y++) {
    const row = Math.min(img.height - 1, Math.floor(((y + 0.5) * img.height) / height)) * img.width
    for (let x = 0; x < width; x++, o++) out[o] = src[row + cols[x]!]!
  }
  return { ...img, width, height, data: out }
}

const round = (x: number, digits = 3) => Number(x.toFixed(digits))

/** Statistics of a sampled image (sampleGrid). */
export function statsOf(sample: GrayImage): ImageStats {
  const n = sample.data.length
  const levels = levelCounts(sample.data)
  let sum = 0
  let sq = 0
  for (let v = 0; v < 256; v++) {
    sum += v * levels[v]!
    sq += v * v * levels[v]!
  }
  const mean = sum / n
  const h = new Array<number>(HIST_BINS).fill(0)
  for (let v = 0; v < 256; v++) h[v >> 3]! += levels[v]!
  return { h, n, mean: round(mean), std: round(Math.sqrt(Math.max(0, sq / n - mean * mean))), p1: levelPercentile(levels, n, 0.01), p99: levelPercentile(levels, n, 0.99) }
}

/**
 * The statistics and the input-quality flags of a decoded image fed to a model whose input is
 * `input`. The flags are computed on the sampled image (same thresholds as quality.ts), except
 * `upsampled`, which is about the source size.
 */
export function describeImage(img: GrayImage, input: { width: number; height: number }): { stats: ImageStats; flags: QualityFlag[] } {
  const sample = sampleGrid(img, input.width, input.height)
  const flags: QualityFlag[] = qualityFlags(sample, input).filter((f) => f !== 'upsampled')
  if (img.width < input.width || img.height < input.height) flags.unshift('upsampled')
  return { stats: statsOf(sample), flags }
}
