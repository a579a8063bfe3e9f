/** Alerts for an incident's timeline: Prometheus's ALERTS series over the window, and Alertmanager's current alerts. */
import type { Prometheus } from './prometheus.ts'
import type { ReportWindow } from './window.ts'

export interface AlertPeriod {
  alertname: string
  severity: string
  instance: string
  /** First evaluation seen firing (to the query's step). */
  from: string
  /** Last evaluation seen firing; undefined when still firing at the window's end. */
  to?: string
  /** When its condition first held (ALERTS_FOR_STATE: the start of its `for:` wait), when Prometheus still had it. */
  activeAt?: string
}

/** The step for alert queries: fine enough to see short alerts, within Prometheus's 11,000 points per series. */
export const alertStepS = (w: ReportWindow) => Math.max(15, Math.ceil((w.to.getTime() - w.from.getTime()) / 1000 / 10_000))

/** The periods each alert was firing, from ALERTS{alertstate="firing"} sampled every `stepS` seconds. */
export async function firingPeriods(p: Prometheus, w: ReportWindow, stepS = alertStepS(w)): Promise<AlertPeriod[]> {
  const [series, forState] = await Promise.all([p.queryRange('ALERTS{alertstate="firing"}', w.from, w.to, stepS), p.queryRange('ALERTS_FOR_STATE', w.from, w.to, stepS)])
  const key = (m: Record<string, string>) => JSON.stringify(Object.entries(m).filter(([k]) => k !== '__name__' && k !== 'alertstate').sort())
  const active = new Map(forState.map((s) => [key(s.metric), new Map(s.values)]))
  const out: AlertPeriod[] = []
  const endS = w.to.getTime() / 1000
  for (const s of series) {
    const base = { alertname: s.metric.alertname ?? '?', severity: s.metric.severity ?? '', instance: s.metric.instance ?? '' }
    let start: number | undefined
    let prev: number | undefined
    const since = active.get(key(s.metric))
    const close = (last: number) => {
      const at = since?.get(start!)
      out.push({ ...base, from: new Date(start! * 1000).toISOString(), to: endS - last < stepS ? undefined : new Date(last * 1000).toISOString(), ...(at ? { activeAt: new Date(at * 1000).toISOString() } : {}) })
    }
    for (const [t] of s.values) {
      if (start === undefined) start = t
      else if (t - prev! > stepS * 1.5) {
        close(prev!)
        start = t
      }
      prev = t
    }
    if (start !== undefined) close(prev!)
  }
  return out.sort((a, b) => a.from.localeCompare(b.from) || a.alertname.localeCompare(b.alertname))
}

export interface ManagerAlert {
  alertname: string
  severity: string
  instance: string
  state: string
  startsAt: string
  summary: string
  receivers: string[]
}

/** Alertmanager's alerts (/api/v2/alerts): active, silenced and inhibited ones alike. */
export async function alertmanagerAlerts(base: string, timeoutMs = 5000): Promise<ManagerAlert[]> {
  let res: Response
  try {
    res = await fetch(`${base}/api/v2/alerts`, { signal: AbortSignal.timeout(timeoutMs) })
  } catch (e) {
    const cause = (e as { cause?: { code?: string; message?: string } }).cause
    throw new Error(`${base} cannot be reached: ${cause?.code ?? cause?.message ?? (e as Error).message}`)
  }
  if (!res.ok) throw new Error(`${base}/api/v2/alerts: HTTP ${res.status}`)
  type Raw = { labels: Record<string, string>; annotations: Record<string, string>; startsAt: string; status: { state: string }; receivers: { name: string }[] }
  const body = (await res.json()) as Raw[]
  return body
    .map((a) => ({
      alertname: a.labels.alertname ?? '?',
      severity: a.labels.severity ?? '',
      instance: a.labels.instance ?? '',
      state: a.status.state,
      startsAt: a.startsAt,
      summary: a.annotations.summary ?? a.annotations.description ?? '',
      receivers: a.receivers.map((r) => r.name),
    }))
    .sort((a, b) => a.startsAt.localeCompare(b.startsAt))
}
