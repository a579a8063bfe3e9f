/**
 * The features the drift check compares, as read from audit records. Compared with the training
 * profile: what the model sees (the intensity histogram, brightness and contrast of the image on
 * its input grid) and what it answers (logit, predicted-positive rate). Shown but not compared:
 * the source size, aspect and bit depth, because the training copies were all squashed to
 * 224 x 224 8-bit JPEGs while production sends originals (docs/OPERATIONS.md, "Drift").
 */
import type { AuditRecord } from '../audit/record.ts'
import type { AuditRow } from '../audit/store.ts'
import { HIST_BINS, type ImageStats } from '../audit/image-stats.ts'

/** One prediction as the drift and data checks see it. */
export interface Observation {
  stats: ImageStats
  score: number
  label: string
  width: number
  height: number
  bitDepth: number
  format: string
  flags: string[]
  modality?: string
  view?: string
  bodyPart?: string
}

export const fromRow = (r: AuditRow): Observation | undefined =>
  r.stats
    ? {
        stats: JSON.parse(r.stats) as ImageStats,
        score: r.score,
        label: r.label,
        width: r.width ?? 0,
        height: r.height ?? 0,
        bitDepth: r.bit_depth ?? 8,
        format: r.format ?? 'unknown',
        flags: JSON.parse(r.quality_flags) as string[],
        ...(r.modality ? { modality: r.modality } : {}),
        ...(r.view ? { view: r.view } : {}),
        ...(r.body_part ? { bodyPart: r.body_part } : {}),
      }
    : undefined

export const fromRecord = (r: AuditRecord): Observation | undefined =>
  r.stats && r.image
    ? { stats: r.stats, score: r.score, label: r.label, width: r.image.width, height: r.image.height, bitDepth: r.image.bitDepth, format: r.image.format, flags: r.flags }
    : undefined

/** The logit of P(positive), ln(p / (1 - p)): the model's raw margin, kept finite. */
export const logitOf = (p: number): number => Math.max(-40, Math.min(40, Math.log(p) - Math.log1p(-p)))

/** Compared features with one value per image. */
export const CONTINUOUS = {
  brightness: { describe: 'mean gray level of the image on the model input grid (0-255)', of: (o: Observation) => o.stats.mean },
  contrast: { describe: 'standard deviation of those gray levels', of: (o: Observation) => o.stats.std },
  logit: { describe: "the model's logit of P(positive), ln(p / (1 - p))", of: (o: Observation) => logitOf(o.score) },
} as const satisfies Record<string, { describe: string; of: (o: Observation) => number }>

export type ContinuousFeature = keyof typeof CONTINUOUS

/** The pooled intensity histogram: the mean of the images' own histograms, as shares (HIST_BINS bins of 8 levels). */
export function pooledHistogram(obs: readonly Observation[]): number[] {
  const sum = new Array<number>(HIST_BINS).fill(0)
  for (const o of obs) for (let b = 0; b < HIST_BINS; b++) sum[b]! += o.stats.h[b]! / o.stats.n
  return sum.map((s) => s / Math.max(obs.length, 1))
}

/** Share of observations predicted `positive`. */
export const positiveShare = (obs: readonly Observation[], positive: string): number => obs.filter((o) => o.label === positive).length / Math.max(obs.length, 1)

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length ? s[s.length >> 1]! : Number.NaN
}

/** The source geometry and encoding, described (not compared: see the module comment). */
export function geometry(obs: readonly Observation[]) {
  const n = Math.max(obs.length, 1)
  const aspects = obs.map((o) => o.width / Math.max(o.height, 1))
  return {
    median_width: median(obs.map((o) => o.width)),
    median_height: median(obs.map((o) => o.height)),
    median_aspect: Number(median(aspects).toFixed(3)),
    aspect_range: obs.length ? [Number(Math.min(...aspects).toFixed(3)), Number(Math.max(...aspects).toFixed(3))] : [],
    share_16bit: obs.filter((o) => o.bitDepth > 8).length / n,
    formats: Object.fromEntries([...new Set(obs.map((o) => o.format))].map((f) => [f, obs.filter((o) => o.format === f).length])),
  }
}
