/**
 * `xrayops validate --comprehensive` against the real thing: a model server on a loopback socket,
 * real Prometheus scraping it and real Alertmanager (started by `monitoring up` on free ports), a
 * real backup. Everything passes; the known image's probability is the golden one. Then
 * Alertmanager is stopped by its pid: that check fails and the exit code is 1. Thresholds that
 * cannot hold (100% disk free, a backup younger than 1 ms) fail their checks too.
 */
import { expect, it } from 'vitest'
import { monitoringDown, monitoringUp } from '../../src/monitoring/index.ts'
import { type CliResult, xrayops } from '../helpers/cli.ts'
import { tempDir } from '../helpers/fixtures.ts'
import { shippedModel } from '../helpers/models.ts'
import { freePort } from '../helpers/process.ts'
import { describeWith } from '../helpers/require.ts'
import { start } from '../helpers/server.ts'
import { alertmanager, prometheus, running } from '../monitoring/helpers.ts'

const both = { name: 'prometheus + prometheus-alertmanager', present: prometheus.present && alertmanager.present, install: 'apt-get install prometheus prometheus-alertmanager' }
// The golden P(PNEUMONIA) of the shipped model's known image (models/…golden-test-224.csv, onnxruntime apart from the server).
const GOLDEN = 0.876714

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
type Report = { ok: boolean; checks: { name: string; status: string; detail: string }[] }
const statuses = (r: Report) => Object.fromEntries(r.checks.map((c) => [c.name, c.status]))

describeWith(both, 'xrayops validate --comprehensive with a real model server, Prometheus and Alertmanager', () => {
  it('passes every check, and fails (exit 1) once Alertmanager is stopped', async () => {
    const server = await start()
    const stateDir = tempDir('validate')
    const env = { XRAYOPS_STATE_DIR: stateDir, XRAYOPS_CONFIG: '', XRAYOPS_BACKUP_DIR: '' }
    const validate = async (...extra: string[]): Promise<CliResult & { report: Report }> => {
      const r = await xrayops(['validate', '--comprehensive', '--json', '--url', server.url, '--disk-free-min', '1', '--memory-used-max', '99', ...extra], env)
      return { ...r, report: JSON.parse(r.stdout) as Report }
    }
    let pids: number[] = []
    try {
      await server.loaded
      const reg = await xrayops(['registry', 'register', '--name', 'pneumonia', '--version', '1.0.0', '--path', shippedModel], env)
      expect(reg.code, reg.stderr).toBe(0)
      const b = await xrayops(['backup'], env)
      expect(b.code, b.stderr).toBe(0)
      const up = await monitoringUp({
        stateDir,
        mode: 'process',
        prometheusPort: await freePort(),
        alertmanagerPort: await freePort(),
        modelServers: [{ address: new URL(server.url).host, colour: 'blue' }],
        gateways: [],
        scrapeInterval: '1s',
        evaluationInterval: '1s',
      })
      pids = [up.prometheus.pid!, up.alertmanager.pid!]
      // Let Prometheus scrape every target once (validate itself asks once, it does not wait).
      for (let i = 0; i < 120; i++) {
        const body = (await (await fetch(`${up.prometheus.url}/api/v1/query?query=up`)).json()) as { data: { result: { value: [number, string] }[] } }
        if (body.data.result.length >= 3 && body.data.result.every((s) => s.value[1] === '1')) break
        await sleep(250)
      }

      const good = await validate()
      expect(good.code, good.stdout + good.stderr).toBe(0)
      expect(good.report.ok).toBe(true)
      expect(statuses(good.report)).toEqual({
        'model server health': 'pass',
        'model server known image': 'pass',
        gateway: 'skip', // no colour deployed, no gateway configured
        'prometheus scraping': 'pass',
        'prometheus rules': 'pass',
        alertmanager: 'pass',
        'disk state': 'pass',
        'disk backups': 'pass',
        memory: 'pass',
        'backup recent': 'pass',
      })
      const known = good.report.checks.find((c) => c.name === 'model server known image')!
      const p = Number(/= ([\d.]+)/.exec(known.detail)![1])
      expect(Math.abs(p - GOLDEN)).toBeLessThanOrEqual(1e-3)
      expect(good.report.checks.find((c) => c.name === 'prometheus scraping')!.detail).toMatch(/3 target\(s\) up \(alertmanager, model-server, prometheus\)/)

      const strict = await validate('--disk-free-min', '100', '--backup-max-age', '1ms')
      expect(strict.code).toBe(1)
      expect(statuses(strict.report)).toMatchObject({ 'disk state': 'fail', 'backup recent': 'fail', 'model server known image': 'pass' })

      process.kill(up.alertmanager.pid!, 'SIGTERM')
      for (let i = 0; i < 200 && running(up.alertmanager.pid!); i++) await sleep(50)
      const bad = await validate()
      expect(bad.code).toBe(1)
      expect(bad.report.ok).toBe(false)
      expect(statuses(bad.report)).toMatchObject({ alertmanager: 'fail', 'model server health': 'pass', 'model server known image': 'pass', 'prometheus rules': 'pass' })
      const text = await xrayops(['validate', '--comprehensive', '--url', server.url, '--disk-free-min', '1', '--memory-used-max', '99'], env)
      expect(text.code).toBe(1)
      expect(text.stdout).toMatch(/^fail {2}alertmanager .*-\/ready does not answer 200$/m)
      expect(text.stdout).toMatch(/NOT VALID: \d+ passed, [1-9]\d* failed/)
    } finally {
      await monitoringDown({ stateDir })
      await server.close().catch(() => {})
    }
    for (const pid of pids) expect(running(pid), `pid ${pid}`).toBe(false)
  }, 300_000)
})
