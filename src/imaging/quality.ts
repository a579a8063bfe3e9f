/**
 * Input-quality flags: where an image lies outside what the model was validated on (8-bit
 * grayscale frontal chest radiographs at least as large as its input). Pure functions of the
 * decoded image; thresholds and how they were chosen: docs/API.md, "Input-quality flags".
 */
import type { GrayImage } from './image.ts'

export type QualityFlag = 'upsampled' | 'colour' | 'inverted' | 'near_constant' | 'non_chest' | 'lateral_view'

/** Fraction of pixels with real chroma (luminance.ts chromaFraction) above which the source counts as colour. */
export const COLOUR_FRACTION = 0.02
/** Centre column darker than the lung fields by more than this many gray levels: a negative. */
export const INVERTED_MARGIN = 10
/** 1st to 99th percentile spread below this many gray levels: too little contrast to read. */
export const NEAR_CONSTANT_SPREAD = 24

const CHEST = new Set(['CHEST', 'THORAX', 'LUNG'])
const LATERAL = new Set(['LL', 'RL', 'LAT', 'LATERAL', 'LLO', 'RLO'])

const GRID = 32

/** Mean gray level of each cell of a GRID x GRID partition of the image (pixel x is in column floor(x * GRID / width), rows alike). */
function cellMeans(img: GrayImage): Float64Array {
  const { width, height, data } = img
  // Each cell column is a run of pixels: [start[c], start[c + 1]). Summed run by run, with no look-up per pixel.
  const start = Int32Array.from({ length: GRID + 1 }, (_, c) => Math.floor((c * width + GRID - 1) / GRID))
  // Exact integer sums (doubles hold any image the decode limits allow).
  const sum = new Float64Array(GRID * GRID)
  const rows = new Float64Array(GRID)
  for (let y = 0; y < height; y++) {
    const r = Math.floor((y * GRID) / height)
    rows[r]++
    const base = y * width
    const cells = r * GRID
    for (let c = 0; c < GRID; c++) {
      let s = 0
      for (let x = base + start[c]!, end = base + start[c + 1]!; x < end; x++) s += data[x]!
      sum[cells + c] += s
    }
  }
  const means = new Float64Array(GRID * GRID)
  for (let i = 0; i < means.length; i++) means[i] = sum[i]! / (rows[(i / GRID) | 0]! * (start[(i % GRID) + 1]! - start[i % GRID]!) || 1)
  return means
}

const region = (cells: Float64Array, x0: number, x1: number, y0: number, y1: number): number => {
  let s = 0
  let n = 0
  for (let y = Math.floor(y0 * GRID); y < Math.ceil(y1 * GRID); y++)
    for (let x = Math.floor(x0 * GRID); x < Math.ceil(x1 * GRID); x++, n++) s += cells[y * GRID + x]
  return s / n
}

/**
 * Mediastinum minus lung fields, in gray levels. On a frontal chest film the central column
 * (spine, heart) is brighter than the air-filled lungs either side of it (+20 to +100 on the 624
 * test images); on a negative the sign flips.
 */
export function invertedScore(img: GrayImage): number {
  const cells = cellMeans(img)
  const lungs = (region(cells, 0.15, 0.4, 0.25, 0.65) + region(cells, 0.6, 0.85, 0.25, 0.65)) / 2
  return region(cells, 0.44, 0.56, 0.25, 0.75) - lungs
}

/** How many pixels have each gray level 0-255. */
export function levelCounts(data: Uint8Array): Float64Array {
  const n = data.length
  // Four histograms filled in turn, merged after: consecutive pixels of the same level do not wait on each other's count.
  const four = new Uint32Array(1024)
  let i = 0
  for (; i + 3 < n; i += 4) {
    four[data[i]!]++
    four[256 + data[i + 1]!]++
    four[512 + data[i + 2]!]++
    four[768 + data[i + 3]!]++
  }
  for (; i < n; i++) four[data[i]!]++
  const counts = new Float64Array(256)
  for (let v = 0; v < 256; v++) counts[v] = four[v]! + four[256 + v]! + four[512 + v]! + four[768 + v]!
  return counts
}

/** The lowest gray level at or below which a fraction `q` of the `n` pixels of `counts` (levelCounts) lie. */
export function levelPercentile(counts: Float64Array, n: number, q: number): number {
  let acc = 0
  for (let v = 0; v < 256; v++) if ((acc += counts[v]!) >= q * n) return v
  return 255
}

/** 1st to 99th percentile spread of the gray levels. */
export function contrastSpread(img: GrayImage): number {
  const counts = levelCounts(img.data)
  const n = img.data.length
  return levelPercentile(counts, n, 0.99) - levelPercentile(counts, n, 0.01)
}

/** The flags for a decoded image fed to a model whose input is `input` (width x height). A clean X-ray gets []. */
export function qualityFlags(img: GrayImage, input: { width: number; height: number }): QualityFlag[] {
  const flags: QualityFlag[] = []
  if (img.width < input.width || img.height < input.height) flags.push('upsampled')
  if ((img.source.chroma ?? 0) > COLOUR_FRACTION) flags.push('colour')
  const nearConstant = contrastSpread(img) < NEAR_CONSTANT_SPREAD
  if (nearConstant) flags.push('near_constant')
  else if (invertedScore(img) < -INVERTED_MARGIN) flags.push('inverted')
  const { bodyPart, view } = img.dicom ?? {}
  if (bodyPart && !CHEST.has(bodyPart)) flags.push('non_chest')
  if (view && LATERAL.has(view)) flags.push('lateral_view')
  return flags
}
