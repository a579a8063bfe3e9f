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

/** Mean gray level of each cell of a GRID x GRID partition of the image. */
function cellMeans(img: GrayImage): Float64Array {
  const { width, height, data } = img
  // Integer sums: a cell of up to 16 million pixels fits (255 x 2^24 < 2^32).
  const sum = new Uint32Array(GRID * GRID)
  const count = new Uint32Array(GRID * GRID)
  const col = Int32Array.from({ length: width }, (_, x) => Math.floor((x * GRID) / width))
  const rowSum = new Uint32Array(GRID)
  for (let y = 0; y < height; y++) {
    const row = Math.floor((y * GRID) / height) * GRID
    const base = y * width
    rowSum.fill(0)
    for (let x = 0; x < width; x++) rowSum[col[x]!] += data[base + x]!
    for (let c = 0; c < GRID; c++) sum[row + c] += rowSum[c]!
    for (let c = 0; c < GRID; c++) count[row + c]++
  }
  // Columns per cell: each row of a cell holds the same count of pixels.
  const perRow = new Uint32Array(GRID)
  for (let x = 0; x < width; x++) perRow[col[x]!]++
  const means = new Float64Array(GRID * GRID)
  for (let i = 0; i < means.length; i++) means[i] = sum[i]! / (count[i]! * perRow[i % GRID]! || 1)
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

/** 1st to 99th percentile spread of the gray levels. */
export function contrastSpread(img: GrayImage): number {
  const hist = new Uint32Array(256)
  const data = img.data
  for (let i = 0; i < data.length; i++) hist[data[i]!]++
  const at = (q: number) => {
    let acc = 0
    for (let v = 0; v < 256; v++) if ((acc += hist[v]) >= q * img.data.length) return v
    return 255
  }
  return at(0.99) - at(0.01)
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
