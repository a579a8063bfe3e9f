/**
 * An incident report: a timeline of the window from the audit trail (predictions per interval),
 * the events table (deployments, switches, tokens, admin actions) and alerts (Prometheus ALERTS,
 * Alertmanager), with Prometheus's request and error counts per interval. Each source is read on
 * its own; one that cannot be read is named with the reason.
 */
import type { Db } from '../state/sqlite.ts'
import { clientsInWindow, eventsInWindow, isDeployment, predictionsPerInterval, type ClientRow } from './audit.ts'
import { alertmanagerAlerts, type AlertPeriod, type ManagerAlert } from './alerts.ts'
import { fromPrometheus } from './incident-prometheus.ts'
import type { Prometheus } from './prometheus.ts'
import type { Missing, ReportWindow } from './window.ts'
import type { IntervalRow, TimelineEntry } from './timeline.ts'

export type { IntervalRow, TimelineEntry } from './timeline.ts'

export type IncidentType = 'security' | 'outage'

export interface Incident {
  type: IncidentType
  title: string
  window: { from: string; to: string; text: string }
  stepS: number
  generatedAt: string
  sources: { prometheus: string; alertmanager: string; state: string }
  missing: Missing[]
  timeline: TimelineEntry[]
  intervals: IntervalRow[]
  alerts: AlertPeriod[]
  alertmanager: ManagerAlert[]
  /** Security incidents: who sent predictions in the window (audit trail). */
  clients?: ClientRow[]
}

/** An interval of about 1/48 of the window, rounded to a step people read: 1m, 5m, 15m, 1h, 6h, 1d. */
export function stepFor(ms: number): number {
  const steps = [60, 300, 900, 3600, 6 * 3600, 86_400]
  return steps.find((s) => s * 1000 * 48 >= ms) ?? 86_400
}

export interface IncidentSources {
  prometheus: Prometheus
  alertmanagerUrl: string
  state: { db?: Db; path: string; error?: string }
}

const msg = (e: unknown) => (e as Error).message
const SECURITY_ACTIONS = /^(token\.|cache\.clear|k8s\.)/

export async function buildIncident(type: IncidentType, title: string, w: ReportWindow, src: IncidentSources): Promise<Incident> {
  const stepS = stepFor(w.to.getTime() - w.from.getTime())
  const inc: Incident = {
    type,
    title,
    window: { from: w.from.toISOString(), to: w.to.toISOString(), text: w.text },
    stepS,
    generatedAt: new Date().toISOString(),
    sources: { prometheus: src.prometheus.url, alertmanager: src.alertmanagerUrl, state: src.state.path },
    missing: [],
    timeline: [],
    intervals: [],
    alerts: [],
    alertmanager: [],
  }
  const rows = new Map<string, IntervalRow>()
  const row = (start: string) => rows.get(start) ?? rows.set(start, { start }).get(start)!

  // The state database: events and predictions per interval.
  if (!src.state.db) inc.missing.push({ section: 'events and predictions (state database)', reason: src.state.error ?? 'not opened' })
  else {
    try {
      for (const e of eventsInWindow(src.state.db, w)) {
        const kind = isDeployment(e.action) ? 'deployment' : SECURITY_ACTIONS.test(e.action) ? 'security' : 'change'
        inc.timeline.push({ at: e.at, source: 'events', what: `${kind}: ${e.action} ${e.subject} by ${e.actor}${e.reason ? ` (${e.reason})` : ''}` })
      }
      if (type === 'security') {
        inc.clients = clientsInWindow(src.state.db, w)
        for (const c of inc.clients.filter((x) => x.new)) inc.timeline.push({ at: c.first, source: 'audit', what: `security: first prediction ever from client ${c.client} (${c.predictions} in the window)` })
      }
      for (const p of predictionsPerInterval(src.state.db, w, stepS * 1000)) Object.assign(row(p.start), { predictions: p.predictions, meanLatencyMs: p.meanLatencyMs, maxLatencyMs: p.maxLatencyMs })
    } catch (e) {
      inc.missing.push({ section: 'events and predictions (state database)', reason: `${src.state.path}: ${msg(e)}` })
    }
  }

  // Prometheus: requests, errors and denials per interval; alerts.
  try {
    const read = await fromPrometheus(src.prometheus, w, stepS, row)
    inc.alerts = read.alerts
    inc.timeline.push(...read.timeline)
    // Read: an interval without a series had none of them.
    for (const r of rows.values()) Object.assign(r, { requests: r.requests ?? 0, errors5xx: r.errors5xx ?? 0, denied: r.denied ?? 0 })
  } catch (e) {
    inc.missing.push({ section: 'requests, errors and alerts (Prometheus)', reason: `Prometheus: ${msg(e)}` })
  }

  try {
    inc.alertmanager = await alertmanagerAlerts(src.alertmanagerUrl)
    for (const a of inc.alertmanager) if (a.startsAt >= inc.window.from) inc.timeline.push({ at: a.startsAt, source: 'alertmanager', what: `alert ${a.alertname} ${a.state} (${a.severity}${a.instance ? `, ${a.instance}` : ''}) to ${a.receivers.join(', ') || 'no receiver'}: ${a.summary}` })
  } catch (e) {
    inc.missing.push({ section: 'current alerts (Alertmanager)', reason: `Alertmanager: ${msg(e)}` })
  }

  // Intervals with errors or denials are timeline entries too: what an incident is about.
  const intervals = [...rows.values()].sort((a, b) => a.start.localeCompare(b.start))
  for (const r of intervals) {
    if (r.errors5xx) inc.timeline.push({ at: r.start, source: 'prometheus', what: `${r.errors5xx} prediction-server 5xx answer(s) of ${r.requests ?? '?'} request(s) in ${stepS / 60} min` })
    if (r.denied && type === 'security') inc.timeline.push({ at: r.start, source: 'prometheus', what: `${r.denied} request(s) refused 401/403 in ${stepS / 60} min` })
  }
  inc.intervals = intervals
  inc.timeline.sort((a, b) => a.at.localeCompare(b.at))
  return inc
}

/** Nothing at all could be read. */
export const incidentEmpty = (i: Incident) => i.missing.length >= 3
