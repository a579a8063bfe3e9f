/** The incident report as a PDF (pdf-lib): summary, missing sources, the timeline, the intervals, the alerts. */
import type { Incident } from './incident.ts'
import { PdfWriter } from './pdf-writer.ts'

const f = (x: number | undefined, d = 0) => (x === undefined ? '' : x.toFixed(d))
const time = (iso: string) => iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z')

export async function incidentPdf(inc: Incident): Promise<Uint8Array> {
  const w = await PdfWriter.create(inc.title, `xrayops ${inc.type} incident report, ${time(inc.window.from)} to ${time(inc.window.to)}`)
  w.heading(inc.title, 18)
  w.paragraph(`Type: ${inc.type}. Window: ${time(inc.window.from)} to ${time(inc.window.to)} (${inc.window.text}); intervals of ${inc.stepS / 60} min. Generated ${time(inc.generatedAt)} (UTC).`)
  w.paragraph(`Sources: state database ${inc.sources.state} (audit trail and events table); Prometheus ${inc.sources.prometheus}; Alertmanager ${inc.sources.alertmanager}.`)
  if (inc.missing.length) {
    w.heading('Missing sources', 12)
    for (const m of inc.missing) w.paragraph(`${m.section}: ${m.reason}`)
  }
  w.heading('Timeline', 14)
  if (inc.timeline.length) w.table(['time (UTC)', 'source', 'entry'], inc.timeline.map((t) => [time(t.at), t.source, t.what]), [0.22, 0.13, 0.65])
  else w.paragraph('No events, alerts or errors in the window.')
  w.heading('Per interval', 14)
  if (inc.intervals.length)
    w.table(
      ['interval start (UTC)', 'predictions (audit)', 'mean ms', 'max ms', 'requests', '5xx', '401/403'],
      inc.intervals.map((r) => [time(r.start), f(r.predictions), f(r.meanLatencyMs, 1), f(r.maxLatencyMs, 1), f(r.requests), f(r.errors5xx), f(r.denied)]),
      [0.24, 0.14, 0.11, 0.11, 0.14, 0.12, 0.14],
    )
  else w.paragraph('No predictions recorded and no requests counted in the window.')
  if (inc.clients) {
    w.heading('Clients (audit trail)', 14)
    if (inc.clients.length) w.table(['client address', 'predictions', 'first in window', 'last in window', 'new'], inc.clients.map((c) => [c.client, String(c.predictions), time(c.first), time(c.last), c.new ? 'yes: none before the window' : '']), [0.26, 0.12, 0.22, 0.22, 0.18])
    else w.paragraph('No predictions in the window.')
  }
  if (inc.alerts.length || inc.alertmanager.length) {
    w.heading('Alerts', 14)
    if (inc.alerts.length) w.table(['alert', 'severity', 'instance', 'firing from', 'last seen firing'], inc.alerts.map((a) => [a.alertname, a.severity, a.instance, time(a.from), a.to ? time(a.to) : 'still firing']), [0.26, 0.12, 0.2, 0.21, 0.21])
    if (inc.alertmanager.length) w.table(['alert (Alertmanager now)', 'state', 'since', 'receivers', 'summary'], inc.alertmanager.map((a) => [a.alertname, a.state, time(a.startsAt), a.receivers.join(', '), a.summary]), [0.22, 0.1, 0.2, 0.14, 0.34])
  }
  return w.save()
}
