/** An incident's figures from Prometheus: requests, 5xx and 401/403 per interval; scrape failures and alerts on the timeline. */
import { M } from '../metrics/names.ts'
import { alertStepS, firingPeriods, type AlertPeriod } from './alerts.ts'
import type { IntervalRow, TimelineEntry } from './timeline.ts'
import { counted } from './metrics.ts'
import type { Prometheus } from './prometheus.ts'
import type { ReportWindow } from './window.ts'

/** Fills `row(start)` per interval of `stepS`; returns the alerts and the timeline entries. Throws when Prometheus cannot be read. */
export async function fromPrometheus(p: Prometheus, w: ReportWindow, stepS: number, row: (start: string) => IntervalRow): Promise<{ alerts: AlertPeriod[]; timeline: TimelineEntry[] }> {
  await p.reachable(w.to)
  const step = `${stepS}s`
  const range = (q: string) => p.queryRange(q, w.from, w.to, stepS)
  const [req, err, denied, down, alerts] = await Promise.all([
    range(counted(`${M.requests}{job="model-server"}`, step, '')),
    range(counted(`${M.requests}{job="model-server", status=~"5.."}`, step, '')),
    range(counted(`{__name__=~"${M.requests}|${M.gatewayRequests}", status=~"401|403"}`, step, '')),
    p.queryRange('up{job="model-server"} == 0', w.from, w.to, alertStepS(w)),
    firingPeriods(p, w),
  ])
  // A point at t counts (t - step, t]: the interval that starts at t - step.
  const slot = (tS: number) => new Date(w.from.getTime() + Math.floor((tS * 1000 - w.from.getTime() - 1) / (stepS * 1000)) * stepS * 1000).toISOString()
  const put = (series: typeof req, field: 'requests' | 'errors5xx' | 'denied') => {
    for (const [t, v] of series[0]?.values ?? []) {
      if (t * 1000 <= w.from.getTime()) continue
      row(slot(t))[field] = Math.round(v)
    }
  }
  put(req, 'requests')
  put(err, 'errors5xx')
  put(denied, 'denied')
  const timeline: TimelineEntry[] = []
  const where = (a: { severity: string; instance: string }) => `${a.severity}${a.instance ? `, ${a.instance}` : ''}`
  for (const s of down) if (s.values.length) timeline.push({ at: new Date(s.values[0]![0] * 1000).toISOString(), source: 'prometheus', what: `model server ${s.metric.instance} not answering scrapes (up == 0) in ${s.values.length} check(s) ${alertStepS(w)} s apart` })
  for (const a of alerts) {
    if (a.activeAt && a.activeAt < a.from) timeline.push({ at: a.activeAt, source: 'prometheus', what: `alert ${a.alertname} condition met, pending (${where(a)})` })
    timeline.push({ at: a.from, source: 'prometheus', what: `alert ${a.alertname} firing (${where(a)})` })
    if (a.to) timeline.push({ at: a.to, source: 'prometheus', what: `alert ${a.alertname} last seen firing${a.instance ? ` (${a.instance})` : ''}` })
  }
  return { alerts, timeline }
}
