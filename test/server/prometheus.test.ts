import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { expect, it } from 'vitest'
import { bin } from '../helpers/process.ts'
import { startPrometheus } from '../helpers/prometheus.ts'
import { describeWith, tool } from '../helpers/require.ts'
import { postImage, start } from '../helpers/server.ts'
import { readFixture } from '../helpers/fixtures.ts'

describeWith(tool('prometheus', 'apt-get install prometheus'), 'a real Prometheus scraping the model server', () => {
  it('scrapes /metrics (target up, model ready, request counters), and health checks it', async () => {
    const s = await start()
    const prom = await startPrometheus([new URL(s.url).host])
    try {
      await s.loaded
      await postImage(s, readFixture('xray-original/person100_bacteria_475.jpeg'))
      const until = async (q: string, ok: (v: number) => boolean) => {
        const end = Date.now() + 20_000
        for (;;) {
          const r = await prom.query(q)
          if (r.length && ok(Number(r[0].value[1]))) return Number(r[0].value[1])
          if (Date.now() > end) throw new Error(`${q}: no matching sample in 20 s (${JSON.stringify(r)})`)
          await new Promise((res) => setTimeout(res, 250))
        }
      }
      expect(await until('up{job="xrayops"}', (v) => v === 1)).toBe(1)
      expect(await until('xray_model_ready', (v) => v === 1)).toBe(1)
      expect(await until('sum(xray_predictions_total)', (v) => v >= 1)).toBeGreaterThanOrEqual(1)
      expect(await until('histogram_quantile(0.5, sum by (le) (xray_request_duration_seconds_bucket{route="/v1/predict"}))', (v) => v > 0)).toBeGreaterThan(0)

      const health = await promisify(execFile)(process.execPath, [bin, 'health', '--url', s.url, '--prometheus', prom.url, '--json'])
      const report = JSON.parse(health.stdout)
      expect(report.status).toBe('ok')
      expect(report.components.map((c: { name: string }) => c.name)).toEqual(['model server', 'prometheus'])
    } finally {
      await prom.stop()
      await s.close()
    }
  })
})
