/**
 * The weekly and detailed reports: Prometheus's figures and the state database's, each section
 * read on its own, so a source that cannot be read leaves its sections missing (and says why)
 * instead of failing the report.
 */
import { M } from '../metrics/names.ts'
import type { Db } from '../state/sqlite.ts'
import { auditSummary, eventsInWindow, feedbackInWindow, type AuditSummary, type EventRow, type FeedbackFigures } from './audit.ts'
import { alertsInWindow, counted, driftFigures, feedbackGauges, PREDICT_ROUTES, trafficFigures, type DriftFigures, type FiredAlert, type GaugeFeedback, type TrafficFigures } from './metrics.ts'
import type { Prometheus } from './prometheus.ts'
import type { Missing, ReportWindow } from './window.ts'

export interface Summary {
  kind: 'weekly' | 'detailed'
  window: { from: string; to: string; text: string }
  generatedAt: string
  sources: { prometheus: { url: string; read: boolean; error?: string }; state: { db: string; read: boolean; error?: string } }
  missing: Missing[]
  traffic?: TrafficFigures
  /** Detailed: requests and 5xx per day, from Prometheus (query_range). */
  trafficPerDay?: { day: string; requests: number; errors5xx: number }[]
  audit?: AuditSummary
  feedback?: FeedbackFigures[]
  feedbackGauges?: GaugeFeedback[]
  drift?: DriftFigures
  alerts?: FiredAlert[]
  events?: EventRow[]
}

export interface SummarySources {
  prometheus: Prometheus
  /** The state database, or why it could not be opened. */
  state: { db?: Db; path: string; error?: string }
}

const message = (e: unknown) => (e as Error).message

export async function buildSummary(kind: Summary['kind'], w: ReportWindow, src: SummarySources): Promise<Summary> {
  const s: Summary = {
    kind,
    window: { from: w.from.toISOString(), to: w.to.toISOString(), text: w.text },
    generatedAt: new Date().toISOString(),
    sources: { prometheus: { url: src.prometheus.url, read: false }, state: { db: src.state.path, read: false } },
    missing: [],
  }
  // Prometheus: one reachability check, then each section on its own.
  const promSections = ['traffic', 'feedback gauges', 'drift', 'alerts', ...(kind === 'detailed' ? ['traffic per day'] : [])]
  try {
    await src.prometheus.reachable(w.to)
    s.sources.prometheus.read = true
  } catch (e) {
    s.sources.prometheus.error = message(e)
    for (const section of promSections) s.missing.push({ section, reason: `Prometheus: ${message(e)}` })
  }
  if (s.sources.prometheus.read) {
    const p = src.prometheus
    const read = async <T>(section: string, f: () => Promise<T>): Promise<T | undefined> => {
      try {
        return await f()
      } catch (e) {
        s.missing.push({ section, reason: `Prometheus: ${message(e)}` })
        return undefined
      }
    }
    s.traffic = await read('traffic', () => trafficFigures(p, w))
    s.feedbackGauges = await read('feedback gauges', () => feedbackGauges(p, w))
    s.drift = await read('drift', () => driftFigures(p, w))
    s.alerts = await read('alerts', () => alertsInWindow(p, w))
    if (kind === 'detailed') s.trafficPerDay = await read('traffic per day', () => trafficPerDay(p, w))
  }
  // The state database.
  const db = src.state.db
  if (!db) {
    s.sources.state.error = src.state.error ?? 'not opened'
    for (const section of ['predictions (audit)', 'feedback accuracy', 'deployments and changes']) s.missing.push({ section, reason: `state database: ${s.sources.state.error}` })
  } else {
    const read = <T>(section: string, f: () => T): T | undefined => {
      try {
        const v = f()
        s.sources.state.read = true
        return v
      } catch (e) {
        s.missing.push({ section, reason: `state database ${src.state.path}: ${message(e)}` })
        return undefined
      }
    }
    s.audit = read('predictions (audit)', () => auditSummary(db, w))
    s.feedback = read('feedback accuracy', () => feedbackInWindow(db, w))
    s.events = read('deployments and changes', () => eventsInWindow(db, w))
  }
  return s
}

/** Requests and prediction-route 5xx per UTC day (each day's increase, evaluated at the day's end). */
async function trafficPerDay(p: Prometheus, w: ReportWindow): Promise<Summary['trafficPerDay']> {
  const day = 86_400_000
  const end = new Date(Math.ceil(w.to.getTime() / day) * day)
  const start = new Date(Math.max(Math.floor(w.from.getTime() / day) * day + day, end.getTime() - 400 * day))
  const [req, err] = await Promise.all([
    p.queryRange(counted(`${M.requests}{job="model-server"}`, '1d', ''), start, end, 86_400),
    p.queryRange(counted(`${M.requests}{job="model-server", ${PREDICT_ROUTES}, status=~"5.."}`, '1d', ''), start, end, 86_400),
  ])
  const errors = new Map((err[0]?.values ?? []).map(([t, v]) => [t, v]))
  return (req[0]?.values ?? []).map(([t, v]) => ({ day: new Date((t - 86_400) * 1000).toISOString().slice(0, 10), requests: Math.round(v), errors5xx: Math.round(errors.get(t) ?? 0) }))
}

/** Nothing could be read: the only case the command exits non-zero. */
export const nothingRead = (s: Summary) => !s.sources.prometheus.read && !s.sources.state.read
