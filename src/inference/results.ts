import type { ModelManifest } from '../models/manifest.ts'
import type { EngineOutput } from './types.ts'

export interface Classification {
  label: string
  /** Probability per class label (softmax of the logits). */
  probabilities: Record<string, number>
  /** Probability of the positive class (PNEUMONIA). */
  score: number
  threshold: number
  /** Class activation maps [2, 7, 7], class order as `labels`. */
  cam: Float32Array
}

/** Softmax, threshold on the positive class, and the CAM slice for image `i`. */
export function classify(out: EngineOutput, i: number, m: ModelManifest, threshold = m.threshold): Classification {
  const l0 = out.logits[2 * i]
  const l1 = out.logits[2 * i + 1]
  const top = Math.max(l0, l1)
  const e0 = Math.exp(l0 - top)
  const e1 = Math.exp(l1 - top)
  const p = [e0 / (e0 + e1), e1 / (e0 + e1)]
  const pos = m.labels.indexOf(m.positiveLabel)
  const score = p[pos]
  const camSize = out.cam.length / out.count
  return {
    label: score >= threshold ? m.positiveLabel : m.labels[1 - pos],
    probabilities: { [m.labels[0]]: p[0], [m.labels[1]]: p[1] },
    score,
    threshold,
    cam: out.cam.slice(i * camSize, (i + 1) * camSize),
  }
}

/** Whether every number of a classification is finite: a 200 never carries NaN or Infinity. */
export const isFiniteClassification = (c: Classification): boolean =>
  Number.isFinite(c.score) && Object.values(c.probabilities).every(Number.isFinite) && c.cam.every(Number.isFinite)
