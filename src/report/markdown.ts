/** The weekly and detailed reports as Markdown. */
import { isDeployment } from './audit.ts'
import type { Summary } from './summary.ts'

const pct = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? 'n/a' : `${(x * 100).toFixed(1)}%`)
const ms = (x: number | undefined) => (x === undefined ? 'n/a' : `${x.toFixed(1)} ms`)
const num = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? 'n/a' : x.toFixed(3))
const cell = (s: unknown) => String(s ?? '').replaceAll('|', '\\|').replaceAll('\n', ' ')

export function mdTable(header: string[], rows: unknown[][]): string {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`)].join('\n')
}

const counts = (o: Record<string, number>) => (Object.keys(o).length ? Object.entries(o).map(([k, v]) => `${k || '(none)'}: ${v}`).join(', ') : 'none')

export function summaryMarkdown(s: Summary): string {
  const out: string[] = []
  const title = s.kind === 'weekly' ? 'Weekly report' : 'Detailed report'
  out.push(`# xrayops ${title}`, '', `Window: ${s.window.from} to ${s.window.to} (${s.window.text}). Generated ${s.generatedAt}.`, '')
  const src = s.sources
  out.push(`Sources: Prometheus ${src.prometheus.url} (${src.prometheus.read ? 'read' : `not read: ${src.prometheus.error}`}); state database ${src.state.db} (${src.state.read ? 'read' : `not read: ${src.state.error ?? 'see below'}`}).`, '')
  if (s.missing.length) out.push('## Missing sections', '', ...s.missing.map((m) => `- **${m.section}**: ${m.reason}`), '')

  if (s.traffic) {
    const t = s.traffic
    out.push('## Requests and errors (Prometheus)', '', 'Counts are the counters\' rise over the window as Prometheus sampled them (a counter that restarted inside it: increase(), extrapolated), summed over the model servers Prometheus scrapes (job="model-server").', '')
    out.push(
      mdTable(['figure', 'value'], [
        ['requests (all routes)', t.requests],
        ['requests by status', counts(t.byStatus)],
        ['prediction requests', t.predictRequests],
        ['prediction 5xx answers', t.predictErrors5xx],
        ['error rate (5xx / prediction requests)', pct(t.errorRate)],
        ['prediction errors by code', counts(t.predictionErrorsByCode)],
        ['latency p50 / p95 / p99 (prediction routes, histogram)', `${ms(t.latencyMs.p50)} / ${ms(t.latencyMs.p95)} / ${ms(t.latencyMs.p99)}`],
        ['predictions by label', counts(t.predictionsByLabel)],
      ]),
      '',
    )
  }
  if (s.trafficPerDay?.length) out.push('### Per day (Prometheus)', '', mdTable(['day (UTC)', 'requests', 'prediction 5xx'], s.trafficPerDay.map((d) => [d.day, d.requests, d.errors5xx])), '')
  if (s.audit) {
    const a = s.audit
    out.push('## Predictions (audit trail)', '', 'Every recorded prediction of the window, from the state database.', '')
    out.push(
      mdTable(['figure', 'value'], [
        ['predictions', a.predictions],
        ['by label', counts(a.byLabel)],
        ['answered from the cache', a.cached],
        ['latency p50 / p95 / p99 / max (service total)', `${ms(a.latencyMs.p50)} / ${ms(a.latencyMs.p95)} / ${ms(a.latencyMs.p99)} / ${ms(a.latencyMs.max)}`],
      ]),
      '',
    )
    if (a.byModel.length) out.push(mdTable(['model', 'sha256', 'predictions'], a.byModel.map((m) => [m.model, m.sha256.slice(0, 12), m.count])), '')
    if (s.kind === 'detailed' && a.perDay.length) out.push('### Per day (audit trail)', '', mdTable(['day (UTC)', 'predictions', 'positive', 'mean latency'], a.perDay.map((d) => [d.day, d.predictions, d.positive, ms(d.meanLatencyMs)])), '')
  }
  if (s.feedback || s.feedbackGauges) {
    out.push('## Feedback accuracy', '')
    if (s.feedback) {
      out.push(s.feedback.length ? mdTable(['model', 'accuracy', 'sensitivity', 'specificity', 'TP / TN / FP / FN', 'source'], s.feedback.map((f) => [f.model, pct(f.accuracy), pct(f.sensitivity), pct(f.specificity), `${f.tp} / ${f.tn} / ${f.fp} / ${f.fn}`, f.source])) : 'No radiologist feedback was given in the window (source: feedback table, n=0).', '')
    }
    if (s.feedbackGauges?.length) out.push(mdTable(['model server', 'accuracy', 'sensitivity', 'specificity', 'source'], s.feedbackGauges.map((g) => [g.instance, pct(g.accuracy), pct(g.sensitivity), pct(g.specificity), g.source])), '')
  }
  if (s.drift) {
    out.push('## Drift (Prometheus)', '')
    const d = s.drift
    out.push(d.features.length ? mdTable(['feature', 'PSI now', 'KS D now', 'max PSI in window'], d.features.map((f) => [f.feature, num(f.psi), num(f.ks), num(f.maxPsi)])) : 'No drift scores in Prometheus (xray_drift_psi has no series: the drift check has not run).', '')
    out.push(`Drift detected now: ${d.detectedNow === undefined ? 'n/a' : d.detectedNow ? 'yes' : 'no'}; at any time in the window: ${d.detectedInWindow === undefined ? 'n/a' : d.detectedInWindow ? 'yes' : 'no'}.`, '')
  }
  if (s.alerts) out.push('## Alerts that fired (Prometheus ALERTS)', '', s.alerts.length ? mdTable(['alert', 'severity', 'labels'], s.alerts.map((a) => [a.alertname, a.severity, Object.entries(a.labels).filter(([k]) => k !== 'alertname' && k !== 'severity').map(([k, v]) => `${k}=${v}`).join(' ')])) : 'None.', '')
  if (s.events) {
    const shown = s.kind === 'detailed' ? s.events : s.events.filter((e) => isDeployment(e.action))
    out.push(`## ${s.kind === 'detailed' ? 'Deployments and changes' : 'Deployments'} (events table)`, '')
    out.push(shown.length ? mdTable(['time (UTC)', 'action', 'subject', 'actor', 'reason'], shown.map((e) => [e.at, e.action, e.subject, e.actor, e.reason ?? ''])) : 'None in the window.', '')
  }
  return `${out.join('\n').trimEnd()}\n`
}
