/**
 * What Prometheus says about a window, from its query API, summed over every model server it
 * scrapes (job="model-server"). Counts are counters' rises over the window (counted() below).
 */
import { M } from '../metrics/names.ts'
import { promRange, scalarOf, type Prometheus, type Series } from './prometheus.ts'
import type { ReportWindow } from './window.ts'

/** The prediction routes, as the error-rate and latency alerts select them (monitoring/rules/model-server.yml). */
export const PREDICT_ROUTES = 'route=~"/v1/predict.*|/v2/models/.+/infer"'
const JOB = 'job="model-server"'

/**
 * A counter's rise over the `r` before the evaluation time, per series, summed by `by`: the last
 * sample of the window minus the value at its start (exact, and consecutive windows add up);
 * a series that did not exist at the start (a server started, a first answer with a new status)
 * counts from 0; a series that reset inside the window (a restart) falls back to increase().
 */
export function counted(selector: string, r: string, by: string): string {
  const cur = `last_over_time(${selector}[${r}])`
  const prev = `${selector} offset ${r}`
  return `sum by (${by}) ((((${cur} - ${prev}) >= 0) unless resets(${selector}[${r}]) > 0) or (${cur} unless ${prev}) or increase(${selector}[${r}]))`
}

export interface TrafficFigures {
  requests: number
  byStatus: Record<string, number>
  predictRequests: number
  predictErrors5xx: number
  /** 5xx answers of the prediction routes / their requests (the ModelServerErrorRateHigh alert's ratio); undefined without requests. */
  errorRate?: number
  predictionErrorsByCode: Record<string, number>
  /** From the xray_request_duration_seconds histogram of the prediction routes, in ms (bucket-interpolated). */
  latencyMs: { p50?: number; p95?: number; p99?: number }
  predictionsByLabel: Record<string, number>
}

const byLabel = (s: Series[], label: string): Record<string, number> => Object.fromEntries(s.map((x) => [x.metric[label] ?? '', Math.round(x.value)]).sort((a, b) => String(a[0]).localeCompare(String(b[0]))))
const finite = (x: number | undefined) => (x !== undefined && Number.isFinite(x) ? x : undefined)

export async function trafficFigures(p: Prometheus, w: ReportWindow): Promise<TrafficFigures> {
  const r = promRange(w.to.getTime() - w.from.getTime())
  const q = (expr: string) => p.query(expr, w.to)
  const [status, predict, predict5xx, codes, labels, ...quantiles] = await Promise.all([
    q(counted(`${M.requests}{${JOB}}`, r, 'status')),
    q(counted(`${M.requests}{${JOB}, ${PREDICT_ROUTES}}`, r, '')),
    q(counted(`${M.requests}{${JOB}, ${PREDICT_ROUTES}, status=~"5.."}`, r, '')),
    q(counted(`${M.errors}{${JOB}}`, r, 'code')),
    q(counted(`${M.predictions}{${JOB}}`, r, 'label')),
    ...[0.5, 0.95, 0.99].map((x) => q(`histogram_quantile(${x}, ${counted(`${M.requestDuration}_bucket{${JOB}, ${PREDICT_ROUTES}}`, r, 'le')})`)),
  ])
  const byStatus = byLabel(status!, 'status')
  const predictRequests = Math.round(scalarOf(predict!) ?? 0)
  const predictErrors5xx = Math.round(scalarOf(predict5xx!) ?? 0)
  const ms = (s: Series[]) => {
    const v = finite(scalarOf(s))
    return v === undefined ? undefined : v * 1000
  }
  return {
    requests: Object.values(byStatus).reduce((a, b) => a + b, 0),
    byStatus,
    predictRequests,
    predictErrors5xx,
    errorRate: predictRequests > 0 ? predictErrors5xx / predictRequests : undefined,
    predictionErrorsByCode: byLabel(codes!, 'code'),
    latencyMs: { p50: ms(quantiles[0]!), p95: ms(quantiles[1]!), p99: ms(quantiles[2]!) },
    predictionsByLabel: byLabel(labels!, 'label'),
  }
}

export interface GaugeFeedback {
  instance: string
  accuracy?: number
  sensitivity?: number
  specificity?: number
  labelled: number
  source: string
}

/** The model servers' feedback gauges at the window's end (each over its most recent feedback.window labels). */
export async function feedbackGauges(p: Prometheus, w: ReportWindow): Promise<GaugeFeedback[]> {
  const [acc, sens, spec, n] = await Promise.all([M.feedbackAccuracy, M.feedbackSensitivity, M.feedbackSpecificity, M.feedbackWindowLabelled].map((m) => p.query(`${m}{${JOB}}`, w.to)))
  const at = (s: Series[], instance: string) => finite(s.find((x) => x.metric.instance === instance)?.value)
  return n!.map((x) => {
    const instance = x.metric.instance ?? ''
    return {
      instance,
      accuracy: at(acc!, instance),
      sensitivity: at(sens!, instance),
      specificity: at(spec!, instance),
      labelled: x.value,
      source: `${M.feedbackAccuracy} of ${instance} at ${w.to.toISOString()}: radiologist feedback on its model's most recent labelled predictions, n=${x.value}`,
    }
  })
}

export interface DriftFigures {
  features: { feature: string; psi?: number; ks?: number; maxPsi?: number }[]
  /** 1 when the drift check said drift at any point of the window. */
  detectedInWindow?: number
  detectedNow?: number
}

export async function driftFigures(p: Prometheus, w: ReportWindow): Promise<DriftFigures> {
  const r = promRange(w.to.getTime() - w.from.getTime())
  const q = (expr: string) => p.query(expr, w.to)
  const [psi, ks, maxPsi, inWindow, now] = await Promise.all([
    q(`max by (feature) (${M.driftPsi})`),
    q(`max by (feature) (${M.driftKs})`),
    q(`max by (feature) (max_over_time(${M.driftPsi}[${r}]))`),
    q(`max(max_over_time(${M.driftDetected}[${r}]))`),
    q(`max(${M.driftDetected})`),
  ])
  const features = [...new Set([...psi!, ...maxPsi!].map((s) => s.metric.feature ?? ''))].sort()
  const get = (s: Series[], f: string) => finite(s.find((x) => x.metric.feature === f)?.value)
  return {
    features: features.map((f) => ({ feature: f, psi: get(psi!, f), ks: get(ks!, f), maxPsi: get(maxPsi!, f) })),
    detectedInWindow: finite(scalarOf(inWindow!)),
    detectedNow: finite(scalarOf(now!)),
  }
}

export interface FiredAlert {
  alertname: string
  severity: string
  labels: Record<string, string>
}

/** Alerts that were firing at some point of the window (Prometheus's ALERTS series). */
export async function alertsInWindow(p: Prometheus, w: ReportWindow): Promise<FiredAlert[]> {
  const r = promRange(w.to.getTime() - w.from.getTime())
  const s = await p.query(`max_over_time(ALERTS{alertstate="firing"}[${r}])`, w.to)
  return s
    .map((x) => {
      const { __name__: _n, alertstate: _s, ...labels } = x.metric
      return { alertname: labels.alertname ?? '?', severity: labels.severity ?? '', labels }
    })
    .sort((a, b) => a.alertname.localeCompare(b.alertname))
}
