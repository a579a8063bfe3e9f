/** What the state database says about a window: predictions (audit), feedback, events. */
import { accuracyOf, type Accuracy } from '../audit/feedback.ts'
import { positiveLabelOf } from '../audit/store.ts'
import type { Db } from '../state/sqlite.ts'
import { eventsBetween, type Event } from '../state/events.ts'
import { iso, percentile, type ReportWindow } from './window.ts'

export interface AuditSummary {
  predictions: number
  byLabel: Record<string, number>
  byModel: { model: string; sha256: string; count: number }[]
  cached: number
  /** Over the service's total time of every recorded prediction, in ms (nearest rank). */
  latencyMs: { p50?: number; p95?: number; p99?: number; max?: number }
  /** Predictions per UTC day (or per interval), oldest first. */
  perDay: { day: string; predictions: number; positive: number; meanLatencyMs: number }[]
}

const between = 'at >= ? AND at <= ?'

export function auditSummary(db: Db, w: ReportWindow): AuditSummary {
  const args = [iso(w.from), iso(w.to)]
  const byLabel = Object.fromEntries(
    db.prepare(`SELECT label, count(*) AS n FROM audit WHERE ${between} GROUP BY label ORDER BY label`).all<{ label: string; n: number }>(...args).map((r) => [r.label, r.n]),
  )
  const byModel = db
    .prepare(`SELECT model_name || '@' || model_version AS model, model_sha256 AS sha256, count(*) AS count FROM audit WHERE ${between} GROUP BY model_sha256 ORDER BY min(seq)`)
    .all<{ model: string; sha256: string; count: number }>(...args)
  const lat = db.prepare(`SELECT latency_ms AS v FROM audit WHERE ${between} ORDER BY latency_ms`).all<{ v: number }>(...args).map((r) => r.v)
  const cached = db.prepare(`SELECT count(*) AS n FROM audit WHERE ${between} AND cached = 1`).get<{ n: number }>(...args)!.n
  const perDay = db
    .prepare(`SELECT substr(at, 1, 10) AS day, count(*) AS predictions, sum(score >= threshold) AS positive, avg(latency_ms) AS meanLatencyMs FROM audit WHERE ${between} GROUP BY day ORDER BY day`)
    .all<AuditSummary['perDay'][number]>(...args)
  return {
    predictions: lat.length,
    byLabel,
    byModel,
    cached,
    latencyMs: { p50: percentile(lat, 0.5), p95: percentile(lat, 0.95), p99: percentile(lat, 0.99), max: lat.at(-1) },
    perDay,
  }
}

export interface FeedbackFigures extends Accuracy {
  model: string
  sha256: string
  positive: string
  /** What the figures are computed from, said in words: every accuracy figure names it. */
  source: string
}

/** Accuracy, sensitivity and specificity per model from the labels radiologists gave in the window. */
export function feedbackInWindow(db: Db, w: ReportWindow): FeedbackFigures[] {
  const rows = db
    .prepare(
      `SELECT f.model_sha256 AS sha, a.model_name || '@' || a.model_version AS model, f.predicted_label AS predicted, f.true_label AS truth
       FROM feedback f JOIN audit a ON a.id = f.prediction_id WHERE f.at >= ? AND f.at <= ? ORDER BY f.id`,
    )
    .all<{ sha: string; model: string; predicted: string; truth: string }>(iso(w.from), iso(w.to))
  const models = [...new Map(rows.map((r) => [r.sha, r.model])).entries()]
  return models.map(([sha, model]) => {
    const pairs = rows.filter((r) => r.sha === sha)
    const positive = positiveLabelOf(db, sha) ?? '?'
    return {
      model,
      sha256: sha,
      positive,
      ...accuracyOf(pairs, positive),
      source: `radiologist feedback given in the window (${iso(w.from)} to ${iso(w.to)}), n=${pairs.length}`,
    }
  })
}

export type EventRow = Event

/** Actions that change what serves: deployments, switches, rollbacks, model and gateway changes. */
export const isDeployment = (action: string) => /^(env|traffic|model|release|k8s|gateway)\./.test(action)

/** The events (registry, releases, tokens, admin actions) of the window, oldest first. */
export const eventsInWindow = (db: Db, w: ReportWindow): EventRow[] => eventsBetween(db, iso(w.from), iso(w.to))

/** Predictions per interval of `stepMs` (for an incident's timeline): count, mean and max latency. */
export function predictionsPerInterval(db: Db, w: ReportWindow, stepMs: number): { start: string; predictions: number; meanLatencyMs: number; maxLatencyMs: number }[] {
  const rows = db.prepare(`SELECT at, latency_ms FROM audit WHERE ${between} ORDER BY at`).all<{ at: string; latency_ms: number }>(iso(w.from), iso(w.to))
  const buckets = new Map<number, number[]>()
  for (const r of rows) {
    const k = Math.floor((Date.parse(r.at) - w.from.getTime()) / stepMs)
    const list = buckets.get(k) ?? []
    list.push(r.latency_ms)
    buckets.set(k, list)
  }
  return [...buckets.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([k, l]) => ({ start: iso(new Date(w.from.getTime() + k * stepMs)), predictions: l.length, meanLatencyMs: l.reduce((a, b) => a + b, 0) / l.length, maxLatencyMs: Math.max(...l) }))
}

export interface ClientRow {
  client: string
  predictions: number
  first: string
  last: string
  /** No prediction from this address before the window. */
  new: boolean
}

/** Who sent predictions in the window (the connection's address: the gateway or a PACS, never a patient). */
export function clientsInWindow(db: Db, w: ReportWindow): ClientRow[] {
  return db
    .prepare(
      `SELECT coalesce(client, '(unknown)') AS client, count(*) AS predictions, min(at) AS first, max(at) AS last,
         NOT EXISTS (SELECT 1 FROM audit b WHERE b.client IS a.client AND b.at < ?) AS new
       FROM audit a WHERE ${between} GROUP BY client ORDER BY predictions DESC, client`,
    )
    .all<Omit<ClientRow, 'new'> & { new: number }>(iso(w.from), iso(w.from), iso(w.to))
    .map((r) => ({ ...r, new: r.new === 1 }))
}
