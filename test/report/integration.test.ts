/**
 * The reports against real Prometheus and Alertmanager (`monitoring up` with the shipped files on
 * loopback ports) scraping a real model server with the audit trail on: `report --weekly` reads
 * requests, errors, latency, predictions, feedback and drift through the query API; a stopped
 * model server fires ModelServerDown, which `report --incident --type outage` puts on the PDF's
 * timeline; `notify` reaches the webhook receiver `monitoring up` configured.
 */
import { execFileSync } from 'node:child_process'
import path from 'node:path'
import { expect, it } from 'vitest'
import { monitoringDown } from '../../src/monitoring/index.ts'
import { until } from '../audit/helpers.ts'
import { xrayops } from '../helpers/cli.ts'
import { goldenRows, readFixture, tempDir } from '../helpers/fixtures.ts'
import { describeWith, tool } from '../helpers/require.ts'
import { json, postImage, start } from '../helpers/server.ts'
import { sqlValue } from '../helpers/sqlite.ts'
import { alertmanager, prometheus, promQuery, running, monitorModelServer } from '../monitoring/helpers.ts'
import { receiver } from './helpers.ts'

const poppler = tool('pdftoppm', 'apt-get install poppler-utils', ['-v'])
const all = {
  name: 'prometheus + prometheus-alertmanager + pdftoppm',
  present: prometheus.present && alertmanager.present && poppler.present,
  install: 'apt-get install prometheus prometheus-alertmanager poppler-utils',
}

describeWith(all, 'reports from real Prometheus and Alertmanager scraping a real model server', () => {
  it('--weekly reads the figures through the query API; --incident --type outage holds the alert; notify reaches the webhook', async () => {
    const stateDir = tempDir('report-int')
    const server = await start({ state: { dir: stateDir }, audit: { enabled: true, flushIntervalMs: 50 } })
    const hook = await receiver()
    let pids: number[] = []
    try {
      await server.loaded
      const target = new URL(server.url).host
      const up = await monitorModelServer(stateDir, server.url, hook.url)
      pids = [up.prometheus.pid!, up.alertmanager.pid!]
      const query = (q: string) => promQuery(up.prometheus.url, q)
      const scraped = (n: number) => until(`${n} predictions scraped`, async () => Number((await query('sum(xray_predictions_total{job="model-server"})'))[0]?.value[1] ?? 0) === n || undefined, 30_000)

      // Round 1 creates the series; round 2 (after a scrape of round 1) is what increase() can see whole.
      const rows = goldenRows()
      const ids: { id: string; label: string }[] = []
      for (const round of [1, 2]) {
        for (const [name] of rows) {
          const body = await json(await postImage(server, readFixture(`xray-224/${name}`), 'image/jpeg'))
          ids.push({ id: body.id, label: body.label })
        }
        await scraped(round * rows.length)
      }
      // Radiologists label 5 predictions, 1 of them against the model.
      for (const [i, p] of ids.slice(0, 5).entries()) {
        const truth = i === 0 ? (p.label === 'PNEUMONIA' ? 'NORMAL' : 'PNEUMONIA') : p.label
        const r = await server.fetch(`${server.url}/v1/feedback`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ prediction_id: p.id, true_label: truth }) })
        expect(r.status).toBe(201)
      }
      await until('feedback gauge scraped', async () => Number((await query('xray_feedback_window_labelled{job="model-server"}'))[0]?.value[1] ?? 0) === 5 || undefined)
      await until('16 audit rows', () => sqlValue(path.join(stateDir, 'xrayops.db'), 'SELECT count(*) FROM audit') === '16' || undefined)

      const r = await xrayops(['report', '--weekly', '--since', '15m', '--json', '--state-dir', stateDir, '--prometheus', up.prometheus.url])
      expect(r.code, r.stderr).toBe(0)
      const s = JSON.parse(r.stdout)
      expect(s.missing).toEqual([])
      expect(s.sources.prometheus).toEqual({ url: up.prometheus.url, read: true })

      // Exactly what the test sent: Prometheus scraped every counter after the last request.
      const sent: Record<string, number> = {}
      for (const p of ids) sent[p.label] = (sent[p.label] ?? 0) + 1
      expect(s.traffic.predictionsByLabel).toEqual(sent)
      expect(s.traffic.predictRequests).toBe(ids.length)
      expect(s.traffic.byStatus).toEqual({ '200': expect.any(Number), '201': 5 })
      expect(s.traffic.predictErrors5xx).toBe(0)
      expect(s.traffic.errorRate).toBe(0)
      const { p50, p95, p99 } = s.traffic.latencyMs
      expect(p50).toBeGreaterThan(0)
      expect(p50).toBeLessThanOrEqual(p95)
      expect(p95).toBeLessThanOrEqual(p99)
      // The audit trail counts every prediction exactly.
      expect(s.audit.predictions).toBe(16)
      expect(s.audit.byLabel).toEqual(sent)
      // Feedback: from the database (labels in the window) and from the model server's gauge.
      expect(s.feedback[0]).toMatchObject({ labelled: 5, accuracy: 0.8 })
      expect(s.feedback[0].source).toMatch(/, n=5$/)
      expect(s.feedbackGauges).toEqual([expect.objectContaining({ instance: target, labelled: 5, accuracy: 0.8 })])
      expect(s.feedbackGauges[0].source).toContain('n=5')
      // --detailed: per UTC day from query_range, the same counting.
      const d = JSON.parse((await xrayops(['report', '--detailed', '--since', '15m', '--json', '--state-dir', stateDir, '--prometheus', up.prometheus.url])).stdout)
      expect(d.missing).toEqual([])
      expect(d.trafficPerDay.at(-1)).toMatchObject({ day: new Date().toISOString().slice(0, 10), errors5xx: 0 })
      expect(d.trafficPerDay.reduce((a: number, x: { requests: number }) => a + x.requests, 0)).toBeGreaterThanOrEqual(s.traffic.requests)

      // Drift: the check ran at start; with fewer than 200 images it exports no scores and no drift.
      const psi = await query('max by (feature) (xray_drift_psi)')
      expect(s.drift.features.map((f: { feature: string }) => f.feature)).toEqual(psi.map((x) => x.metric.feature).sort())
      expect(s.drift.detectedNow).toBe(Number((await query('max(xray_drift_detected)'))[0]!.value[1]))

      // Three calls of the admin API without a token: refused 401, for the security report below.
      for (let i = 0; i < 3; i++) expect((await server.fetch(`${server.url}/admin/cache/clear`, { method: 'POST' })).status).toBe(401)
      await until('401s scraped', async () => Number((await query('sum(xray_http_requests_total{job="model-server", status="401"})'))[0]?.value[1] ?? 0) === 3 || undefined)

      // An outage: the model server stops; ModelServerDown fires and reaches Alertmanager.
      await server.close()
      await until('ModelServerDown in Alertmanager', async () => {
        const a = (await (await fetch(`${up.alertmanager.url}/api/v2/alerts`)).json()) as { labels: Record<string, string> }[]
        return a.some((x) => x.labels.alertname === 'ModelServerDown') || undefined
      }, 45_000)
      const pdf = path.join(stateDir, 'outage.pdf')
      const inc = await xrayops(['report', '--incident', '--type', 'outage', '--since', '30m', '--output', pdf, '--json', '--state-dir', stateDir, '--prometheus', up.prometheus.url, '--alertmanager', up.alertmanager.url])
      expect(inc.code, inc.stderr).toBe(0)
      const j = JSON.parse(inc.stdout)
      expect(j.missing).toEqual([])
      expect(j.alerts).toEqual(expect.arrayContaining([expect.objectContaining({ alertname: 'ModelServerDown', severity: 'critical', instance: target })]))
      expect(j.alertmanager.find((a: { alertname: string }) => a.alertname === 'ModelServerDown')).toMatchObject({ state: 'active', receivers: ['oncall'] })
      execFileSync('pdftoppm', ['-png', '-r', '40', '-f', '1', '-l', '1', pdf, path.join(stateDir, 'outage')])
      const text = execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ')
      expect(text).toContain(`alert ModelServerDown firing (critical, ${target})`)
      const fired = j.alerts.find((a: { alertname: string }) => a.alertname === 'ModelServerDown')
      expect(Date.parse(fired.activeAt)).toBeLessThanOrEqual(Date.parse(fired.from)) // from ALERTS_FOR_STATE
      expect(text).toMatch(/alert ModelServerDown active \(critical, [^)]+\) to oncall/)
      const predicted = j.intervals.reduce((a: number, x: { predictions?: number }) => a + (x.predictions ?? 0), 0)
      expect(predicted).toBe(16)

      // The security report counts the refusals per interval and puts them on the timeline.
      const secPdf = path.join(stateDir, 'security.pdf')
      const sec = await xrayops(['report', '--incident', '--type', 'security', '--since', '30m', '--output', secPdf, '--json', '--state-dir', stateDir, '--prometheus', up.prometheus.url, '--alertmanager', up.alertmanager.url])
      expect(sec.code, sec.stderr).toBe(0)
      const denied = JSON.parse(sec.stdout).intervals.reduce((a: number, x: { denied?: number }) => a + (x.denied ?? 0), 0)
      expect(denied).toBe(3) // consecutive intervals add up to the whole
      expect(execFileSync('pdftotext', ['-layout', secPdf, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ')).toMatch(/request\(s\) refused 401\/403 in 1 min/)

      // notify: no notify.webhooks, so the receivers of the Alertmanager `monitoring up` runs.
      const before = hook.received.length
      const n = await xrayops(['notify', '--incident', 'model server down on gpu-1', '--state-dir', stateDir])
      expect(n.code, n.stderr).toBe(0)
      const note = hook.received.slice(before).find((x) => (x.body as { receiver: string }).receiver === 'xrayops-notify')
      expect(note?.body).toMatchObject({ alerts: [{ annotations: { summary: 'model server down on gpu-1' } }] })
    } finally {
      const down = await monitoringDown({ stateDir })
      if (pids.length) expect(down.stopped.sort()).toEqual(['alertmanager', 'prometheus'])
      await hook.close()
      await server.close().catch(() => {})
    }
    for (const pid of pids) expect(running(pid), `pid ${pid}`).toBe(false)
  })
})
