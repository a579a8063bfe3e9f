/**
 * Recent inputs against the training profile. Per feature: PSI (< 0.1 no drift, 0.1-0.25
 * moderate, > 0.25 significant) and, for the continuous ones, the two-sample KS statistic D with
 * its asymptotic p-value. A feature drifts when its PSI is significant, or when KS rejects "same
 * distribution" (p < 0.01) by a gap that matters (D > 0.15). The verdict says drift when any
 * feature in the verdict drifts; below MIN_OBSERVATIONS images it says there is not enough data.
 *
 * The logit is reported but kept out of the verdict: the reference is the training set the model
 * was fitted on, where its logits are tighter than on any unseen images (the 624 held-out test
 * images reach PSI 0.24 on it with no input change at all). Numbers: docs/OPERATIONS.md, "Drift".
 */
import { CONTINUOUS, geometry, pooledHistogram, positiveShare, type ContinuousFeature, type Observation } from './features.ts'
import type { DriftProfile } from './profile.ts'
import { binShares, cdfFromQuantiles, ks, psi } from './stats.ts'

export const THRESHOLDS = { psiModerate: 0.1, psiSignificant: 0.25, ksP: 0.01, ksD: 0.15 } as const
/** Reported and exported, not part of the verdict (see above). */
export const WATCH_ONLY: readonly string[] = ['logit']
/** Fewer images than this say too little: PSI over 10 bins of n images is about 9/n from sampling alone. */
export const MIN_OBSERVATIONS = 200

export type Level = 'none' | 'moderate' | 'significant'

export interface FeatureResult {
  feature: string
  describe: string
  psi: number
  level: Level
  ks?: { d: number; p: number }
  /** PSI or KS over its threshold. */
  drift: boolean
  /** Whether `drift` counts toward the verdict. */
  inVerdict: boolean
  /** The feature's mean (a share for the positive rate) in the recent window and in the reference. */
  recent: number
  reference: number
}

export interface DriftReport {
  verdict: 'no_drift' | 'drift' | 'insufficient_data'
  images: number
  reference: { images: number; source: string; model: DriftProfile['model'] }
  features: FeatureResult[]
  /** Source size and encoding, not compared (the training copies are all 224 x 224 8-bit). */
  geometry: { recent: ReturnType<typeof geometry>; reference: DriftProfile['geometry'] }
  thresholds: typeof THRESHOLDS & { minImages: number }
}

export const levelOf = (x: number): Level => (x > THRESHOLDS.psiSignificant ? 'significant' : x >= THRESHOLDS.psiModerate ? 'moderate' : 'none')

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(xs.length, 1)
const r4 = (x: number) => Number(x.toFixed(4))

export function analyzeDrift(obs: readonly Observation[], profile: DriftProfile): DriftReport {
  const features: FeatureResult[] = []
  const recentHist = pooledHistogram(obs)
  const meanLevel = (shares: readonly number[]) => shares.reduce((a, s, b) => a + s * (8 * b + 3.5), 0)
  const histPsi = psi(recentHist, profile.intensity.shares)
  features.push({ feature: 'intensity', describe: profile.intensity.describe, psi: r4(histPsi), level: levelOf(histPsi), drift: histPsi > THRESHOLDS.psiSignificant, inVerdict: true, recent: r4(meanLevel(recentHist)), reference: r4(meanLevel(profile.intensity.shares)) })
  for (const name of Object.keys(CONTINUOUS) as ContinuousFeature[]) {
    const ref = profile.continuous[name]
    const values = obs.map(CONTINUOUS[name].of)
    const p = psi(binShares(ref.edges, values), ref.shares)
    const k = ks(values, cdfFromQuantiles(ref.quantiles), profile.n)
    const ksDrift = k.p < THRESHOLDS.ksP && k.d > THRESHOLDS.ksD
    features.push({ feature: name, describe: ref.describe, psi: r4(p), level: levelOf(p), ks: { d: r4(k.d), p: Number(k.p.toPrecision(3)) }, drift: p > THRESHOLDS.psiSignificant || ksDrift, inVerdict: !WATCH_ONLY.includes(name), recent: r4(mean(values)), reference: ref.mean })
  }
  const rate = positiveShare(obs, profile.positiveLabel)
  const rp = psi([1 - rate, rate], [1 - profile.positiveRate, profile.positiveRate])
  features.push({ feature: 'positive_rate', describe: `share predicted ${profile.positiveLabel}`, psi: r4(rp), level: levelOf(rp), drift: rp > THRESHOLDS.psiSignificant, inVerdict: true, recent: r4(rate), reference: profile.positiveRate })
  const enough = obs.length >= MIN_OBSERVATIONS
  return {
    verdict: !enough ? 'insufficient_data' : features.some((f) => f.drift && f.inVerdict) ? 'drift' : 'no_drift',
    images: obs.length,
    reference: { images: profile.n, source: profile.source.description, model: profile.model },
    features,
    geometry: { recent: geometry(obs), reference: profile.geometry },
    thresholds: { ...THRESHOLDS, minImages: MIN_OBSERVATIONS },
  }
}
