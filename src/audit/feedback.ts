/**
 * Radiologists' labels of predictions, and the model's accuracy over a sliding window of the
 * most recent labelled predictions. A prediction is labelled once: a second label is refused
 * (409), so the trail shows what was known when; a correction is a new prediction's label.
 */
import { XrayError } from '../errors/index.ts'
import type { Db } from '../state/sqlite.ts'
import { findPrediction } from './store.ts'

export interface FeedbackInput {
  predictionId: string
  trueLabel: string
  reviewer?: string
}

export interface FeedbackRecord {
  id: number
  prediction_id: string
  at: string
  true_label: string
  predicted_label: string
  model_sha256: string
  reviewer: string | null
}

/** Stores a label for a committed prediction. Throws PREDICTION_NOT_FOUND, or FEEDBACK_EXISTS for a second label. */
export function recordFeedback(db: Db, f: FeedbackInput, at = new Date()): FeedbackRecord {
  return db.transaction(() => {
    const p = findPrediction(db, f.predictionId)
    if (!p) throw new XrayError('PREDICTION_NOT_FOUND', `no prediction with id ${JSON.stringify(f.predictionId)} in the audit trail`)
    const earlier = db.prepare('SELECT * FROM feedback WHERE prediction_id = ?').get<FeedbackRecord>(f.predictionId)
    if (earlier)
      throw new XrayError('FEEDBACK_EXISTS', `prediction ${f.predictionId} was already labelled ${earlier.true_label}${earlier.reviewer ? ` by ${earlier.reviewer}` : ''} at ${earlier.at}; labels are not replaced`, {
        details: { feedback: earlier },
      })
    const r = db
      .prepare('INSERT INTO feedback (prediction_id, at, true_label, predicted_label, model_sha256, reviewer) VALUES (?, ?, ?, ?, ?, ?)')
      .run(f.predictionId, at.toISOString(), f.trueLabel, p.label, p.model_sha256, f.reviewer ?? null)
    return db.prepare('SELECT * FROM feedback WHERE id = ?').get<FeedbackRecord>(r.lastInsertRowid)!
  })
}

export interface Accuracy {
  labelled: number
  tp: number
  tn: number
  fp: number
  fn: number
  /** NaN when undefined (nothing labelled; no positive or no negative case). */
  accuracy: number
  sensitivity: number
  specificity: number
}

/** Accuracy, sensitivity (of `positive`) and specificity over labelled predictions. */
export function accuracyOf(pairs: readonly { predicted: string; truth: string }[], positive: string): Accuracy {
  let tp = 0
  let tn = 0
  let fp = 0
  let fn = 0
  for (const { predicted, truth } of pairs) {
    const p = predicted === positive
    const t = truth === positive
    if (p && t) tp++
    else if (!p && !t) tn++
    else if (p) fp++
    else fn++
  }
  const ratio = (a: number, b: number) => (b > 0 ? a / b : Number.NaN)
  return { labelled: pairs.length, tp, tn, fp, fn, accuracy: ratio(tp + tn, pairs.length), sensitivity: ratio(tp, tp + fn), specificity: ratio(tn, tn + fp) }
}

export interface WindowQuery {
  /** The most recent labels (by when they were given), at most this many. */
  window: number
  modelSha256?: string
  since?: Date
}

/** The labelled predictions of the window, newest label first. */
export function labelledWindow(db: Db, q: WindowQuery): { predicted: string; truth: string; at: string }[] {
  const where: string[] = []
  const params: (string | number)[] = []
  if (q.modelSha256) {
    where.push('model_sha256 = ?')
    params.push(q.modelSha256)
  }
  if (q.since) {
    where.push('at >= ?')
    params.push(q.since.toISOString())
  }
  return db
    .prepare(`SELECT predicted_label AS predicted, true_label AS truth, at FROM feedback ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`)
    .all<{ predicted: string; truth: string; at: string }>(...params, q.window)
}
