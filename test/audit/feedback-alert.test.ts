/**
 * Feedback to the alert: real predictions, radiologists' labels through POST /v1/feedback that
 * bring accuracy below 80%, the xray_feedback_* gauges in /metrics (expected values counted here
 * from the labels sent), and the shipped ModelAccuracyLow rule firing on a real Prometheus that
 * scrapes the server (`monitoring up` with the shipped rules; only `for:` is shortened).
 */
import { expect, it } from 'vitest'
import { monitoringDown, monitoringUp } from '../../src/monitoring/index.ts'
import { readFixture, tempDir } from '../helpers/fixtures.ts'
import { describeWith } from '../helpers/require.ts'
import { parsePrometheus, start } from '../helpers/server.ts'
import { alertmanager, prometheus, monitorModelServer } from '../monitoring/helpers.ts'
import { until } from './helpers.ts'

const fixtures = ['NORMAL/IM-0005-0001.jpeg', 'NORMAL/IM-0069-0001.jpeg', 'NORMAL/NORMAL2-IM-0051-0001.jpeg', 'NORMAL/NORMAL2-IM-0199-0001.jpeg', 'PNEUMONIA/person100_bacteria_478.jpeg', 'PNEUMONIA/person113_bacteria_543.jpeg', 'PNEUMONIA/person127_bacteria_603.jpeg', 'PNEUMONIA/person140_bacteria_667.jpeg'].map((f) => readFixture(`xray-224/${f}`))
const other = (label: string) => (label === 'PNEUMONIA' ? 'NORMAL' : 'PNEUMONIA')
const both = { name: 'prometheus + prometheus-alertmanager', present: prometheus.present && alertmanager.present, install: 'apt-get install prometheus prometheus-alertmanager' }

describeWith(both, 'feedback accuracy below 80% fires ModelAccuracyLow', () => {
  it('50 correct labels: 100%, silent; 15 wrong ones more: 76.9% over 65, the metric shows it and the rule fires', async () => {
    const server = await start({ state: { dir: tempDir('feedback-state') }, audit: { enabled: true, flushIntervalMs: 50 }, feedback: { window: 100 } })
    const stateDir = tempDir('feedback-monitoring')
    let up: Awaited<ReturnType<typeof monitoringUp>> | undefined
    try {
      await server.loaded
      const predictions: { id: string; label: string }[] = []
      for (let i = 0; i < 65; i++) {
        const res = await fetch(`${server.url}/v1/predict`, { method: 'POST', headers: { 'content-type': 'image/jpeg', 'cache-control': 'no-cache' }, body: fixtures[i % fixtures.length] })
        predictions.push((await res.json()) as { id: string; label: string })
      }
      const sent: { predicted: string; truth: string }[] = []
      const label = async (p: { id: string; label: string }, truth: string) => {
        const res = await fetch(`${server.url}/v1/feedback`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ prediction_id: p.id, true_label: truth, reviewer: 'radiologist-1' }) })
        expect(res.status).toBe(201)
        sent.push({ predicted: p.label, truth })
      }
      for (const p of predictions.slice(0, 50)) await label(p, p.label)
      const metrics = async () => parsePrometheus(await (await fetch(`${server.url}/metrics`)).text())
      expect((await metrics()).get('xray_feedback_accuracy')).toBe(1)

      const target = new URL(server.url).host
      up = await monitorModelServer(stateDir, server.url)
      const query = async (q: string) => {
        const body = (await (await fetch(`${up!.prometheus.url}/api/v1/query?query=${encodeURIComponent(q)}`)).json()) as { data: { result: { metric: Record<string, string>; value: [number, string] }[] } }
        return body.data.result
      }
      await until('accuracy 1 in Prometheus', async () => ((await query('xray_feedback_accuracy'))[0]?.value[1] === '1' ? true : undefined), 30_000)
      await new Promise((r) => setTimeout(r, 3000)) // several evaluations at 100%
      expect(await query('ALERTS{alertname="ModelAccuracyLow"}')).toEqual([])

      for (const p of predictions.slice(50)) await label(p, other(p.label))
      // Expected figures, counted from the labels sent (positive = PNEUMONIA).
      const tp = sent.filter((s) => s.predicted === 'PNEUMONIA' && s.truth === 'PNEUMONIA').length
      const tn = sent.filter((s) => s.predicted === 'NORMAL' && s.truth === 'NORMAL').length
      const positives = sent.filter((s) => s.truth === 'PNEUMONIA').length
      const m = await metrics()
      expect(m.get('xray_feedback_window_labelled')).toBe(65)
      expect(m.get('xray_feedback_accuracy')).toBeCloseTo(50 / 65, 12)
      expect(m.get('xray_feedback_accuracy')).toBeLessThan(0.8)
      expect(m.get('xray_feedback_sensitivity')).toBeCloseTo(tp / positives, 12)
      expect(m.get('xray_feedback_specificity')).toBeCloseTo(tn / (65 - positives), 12)
      expect((m.get('xray_feedback_total{true_label="PNEUMONIA"}') ?? 0) + (m.get('xray_feedback_total{true_label="NORMAL"}') ?? 0)).toBe(65)

      const firing = await until('ModelAccuracyLow firing', async () => {
        const r = await query('ALERTS{alertname="ModelAccuracyLow", alertstate="firing"}')
        return r.length ? r : undefined
      }, 45_000)
      expect(firing[0]!.metric).toMatchObject({ severity: 'critical', job: 'model-server', instance: target })
      expect(Number((await query('xray_feedback_accuracy'))[0]!.value[1])).toBeCloseTo(50 / 65, 6)
    } finally {
      if (up) await monitoringDown({ stateDir })
      await server.close()
    }
  })
})
