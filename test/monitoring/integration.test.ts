import { execFileSync } from 'node:child_process'
import { createServer, type Server } from 'node:http'
import { expect, it } from 'vitest'
import { monitoringDown, monitoringStatus } from '../../src/monitoring/index.ts'
import { goldenRows, readFixture, tempDir } from '../helpers/fixtures.ts'
import { freePort } from '../helpers/process.ts'
import { describeWith } from '../helpers/require.ts'
import { postImage, start } from '../helpers/server.ts'
import { alertmanager, dashboardQueries, prometheus, promQuery, running, shippedAlerts, monitorModelServer } from './helpers.ts'

interface Notification {
  receiver: string
  status: string
  groupLabels: Record<string, string>
  alerts: { status: string; labels: Record<string, string>; annotations: Record<string, string> }[]
}

/** A webhook receiver: collects what Alertmanager POSTs. */
async function webhookReceiver(): Promise<{ url: string; received: Notification[]; server: Server }> {
  const received: Notification[] = []
  const server = createServer((req, res) => {
    let body = ''
    req.on('data', (d) => (body += d))
    req.on('end', () => {
      received.push(JSON.parse(body) as Notification)
      res.end('ok')
    })
  })
  const port = await freePort()
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r))
  return { url: `http://127.0.0.1:${port}/alerts`, received, server }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function until<T>(what: string, get: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const end = Date.now() + ms
  for (;;) {
    const v = await get()
    if (v !== undefined) return v
    if (Date.now() > end) throw new Error(`${what}: not within ${ms / 1000} s`)
    await sleep(250)
  }
}


const both = { name: 'prometheus + prometheus-alertmanager', present: prometheus.present && alertmanager.present, install: 'apt-get install prometheus prometheus-alertmanager' }

describeWith(both, 'monitoring up: real Prometheus and Alertmanager with the shipped files, scraping a real model server', () => {
  it('reads predictions back through the query API, and a stopped model server reaches a webhook through Alertmanager', async () => {
    const server = await start()
    const hook = await webhookReceiver()
    const stateDir = tempDir('monitoring')
    let pids: number[] = []
    try {
      await server.loaded
      const target = new URL(server.url).host
      const up = await monitorModelServer(stateDir, server.url, hook.url)
      pids = [up.prometheus.pid!, up.alertmanager.pid!]
      const query = (q: string) => promQuery(up.prometheus.url, q)

      // Predictions, whose labels the golden file (a reference run) gives.
      const rows = goldenRows()
      for (const [name] of rows) expect((await postImage(server, readFixture(`xray-224/${name}`))).status).toBe(200)
      const expected: Record<string, number> = {}
      for (const [, p] of rows) {
        const label = p >= 0.5 ? 'PNEUMONIA' : 'NORMAL'
        expected[label] = (expected[label] ?? 0) + 1
      }
      const byLabel = await until('predictions in Prometheus', async () => {
        const r = await query('sum by (label) (xray_predictions_total{job="model-server"})')
        const got = Object.fromEntries(r.map((s) => [s.metric.label, Number(s.value[1])]))
        return Object.values(got).reduce((a, b) => a + b, 0) === rows.length ? got : undefined
      })
      expect(byLabel).toEqual(expected)
      const ok = await query(`xray_http_requests_total{job="model-server", instance="${target}", colour="blue", route="/v1/predict", status="200"}`)
      expect(Number(ok[0]!.value[1])).toBe(rows.length)
      const memTotal = Number(/^MemTotal:\s+(\d+) kB$/m.exec(execFileSync('cat', ['/proc/meminfo'], { encoding: 'utf8' }))![1]) * 1024
      expect(Number((await query('xray_host_memory_total_bytes'))[0]!.value[1])).toBe(memTotal)

      // Every dashboard query runs on the real Prometheus.
      for (const q of dashboardQueries()) await query(q.expr)

      // status: both up, the model server's target up, every shipped alert loaded.
      const status = await monitoringStatus({ stateDir })
      expect(status.services.map((s) => [s.name, s.status, s.pid])).toEqual([
        ['prometheus', 'up', pids[0]],
        ['alertmanager', 'up', pids[1]],
      ])
      expect(status.targets.find((t) => t.job === 'model-server')).toMatchObject({ instance: target, health: 'up' })
      expect(status.rules.flatMap((g) => g.alerts.map((a) => a.name)).sort()).toEqual(shippedAlerts().map((a) => a.alert).sort())

      // A critical condition: the model server stops.
      await server.close()
      const note = await until(
        'ModelServerDown at the webhook',
        async () => hook.received.find((n) => n.status === 'firing' && n.alerts.some((a) => a.labels.alertname === 'ModelServerDown')),
        45_000,
      )
      expect(note.receiver).toBe('oncall') // critical: the e-mail + webhook receiver
      expect(note.groupLabels).toEqual({ alertname: 'ModelServerDown' })
      const alert = note.alerts.find((a) => a.labels.alertname === 'ModelServerDown')!
      expect(alert.labels).toMatchObject({ severity: 'critical', job: 'model-server', instance: target, colour: 'blue' })
      expect(alert.annotations.description).toContain(`xrayops health --url http://${target}`)
    } finally {
      const down = await monitoringDown({ stateDir })
      if (pids.length) expect(down.stopped.sort()).toEqual(['alertmanager', 'prometheus'])
      hook.server.close()
      await server.close().catch(() => {})
    }
    for (const pid of pids) expect(running(pid), `pid ${pid}`).toBe(false)
  })
})

