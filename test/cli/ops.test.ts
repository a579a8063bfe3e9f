import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../../src/server/serve.ts'
import { fixture, readFixture } from '../helpers/fixtures.ts'
import { bin, freePort } from '../helpers/process.ts'
import { json, postImage, start } from '../helpers/server.ts'

const run = promisify(execFile)
const xrayops = (...args: string[]) =>
  run(process.execPath, [bin, ...args], { env: { ...process.env, XRAYOPS_GATEWAY_URL: '', PROMETHEUS_URL: '' } }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  )

describe('ops commands against a live server', () => {
  let s: RunningServer
  let dead: string
  beforeAll(async () => {
    s = await start()
    await s.loaded
    dead = `http://127.0.0.1:${await freePort()}`
  })
  afterAll(() => s?.close())

  it('health: 0 when the model server is ok', async () => {
    const r = await xrayops('health', '--url', s.url, '--json')
    expect(r.code, r.stderr).toBe(0)
    const report = JSON.parse(r.stdout)
    expect(report.status).toBe('ok')
    expect(report.components[0]).toMatchObject({ name: 'model server', status: 'ok' })
  })

  it('health: 1 when the server reports degraded, or a given Prometheus is down', async () => {
    // A real internal failure: the engine's session is gone under a running server.
    const broken = await start()
    try {
      await broken.loaded
      await broken.ctx.host.service!.engine.close()
      const res = await postImage(broken, readFixture('xray-original/person100_bacteria_475.jpeg'))
      expect(res.status).toBe(500)
      expect((await json(res)).error.code).toBe('INFERENCE_FAILED')
      const r = await xrayops('health', '--url', broken.url)
      expect(r.code).toBe(1)
      expect(r.stdout).toMatch(/overall: degraded/)
    } finally {
      await broken.close()
    }
    const prom = await xrayops('health', '--url', s.url, '--prometheus', dead)
    expect(prom.code).toBe(1)
    expect(prom.stdout).toMatch(/down\s+prometheus.*unreachable/)
  })

  it('health: 2 when the model server is unreachable or its model is not ready', async () => {
    const r = await xrayops('health', '--url', dead)
    expect(r.code).toBe(2)
    expect(r.stdout).toMatch(/down\s+model server.*unreachable \(ECONNREFUSED\)/)
    const failed = await start({ model: { path: '/nonexistent.json' } })
    try {
      await failed.loaded
      const f = await xrayops('health', '--url', failed.url)
      expect(f.code).toBe(2)
      expect(f.stdout).toMatch(/model failed/)
    } finally {
      await failed.close()
    }
  })

  it('bench --quick-check passes against the live server and prints its figures', async () => {
    // A generous SLO: this checks the command, not the speed of the test machine.
    const r = await xrayops('bench', '--quick-check', '--url', s.url, '--requests', '20', '--images', fixture('xray-224'), '--slo-p95-ms', '600000', '--json')
    expect(r.code, r.stdout + r.stderr).toBe(0)
    const report = JSON.parse(r.stdout)
    expect(report).toMatchObject({ requests: 20, pass: true, error_rate: 0, checks: { p95_latency: true, error_rate: true } })
    expect(report.latency_ms.p95).toBeGreaterThan(0)
  })

  it('bench --quick-check fails (exit 1) when the SLO is not met, or the server is down', async () => {
    const slow = await xrayops('bench', '--quick-check', '--url', s.url, '--requests', '8', '--slo-p95-ms', '0.001')
    expect(slow.code).toBe(1)
    expect(slow.stdout).toMatch(/FAIL\s+p95 latency/)
    const down = await xrayops('bench', '--quick-check', '--url', dead, '--requests', '4')
    expect(down.code).toBe(1)
    expect(down.stdout).toMatch(/FAIL\s+error rate/)
  })

  it('metrics --show-current: request rate, latency percentiles, batch sizes, cache hit ratio, GPU memory', async () => {
    const own = await start()
    try {
      await own.loaded
      // 16 requests cycling over the 8 fixture images with the cache on: 8 misses, then 8 hits.
      const load = await xrayops('bench', '--url', own.url, '--requests', '16', '--concurrency', '1', '--images', fixture('xray-224'), '--cache', '--slo-p95-ms', '600000')
      expect(load.code, load.stdout + load.stderr).toBe(0)
      const r = await xrayops('metrics', '--show-current', '--url', own.url, '--interval', '0', '--json')
      expect(r.code, r.stderr).toBe(0)
      const m = JSON.parse(r.stdout)
      expect(m.requests).toBe(16)
      expect(m.cache_hit_ratio).toBe(0.5)
      expect(m.batch.runs).toBe(8)
      expect(m.batch.mean).toBe(1)
      expect(m.latency_ms.p50).toBeGreaterThan(0)
      expect(m.latency_ms.p99).toBeGreaterThanOrEqual(m.latency_ms.p50)
      expect(m.predictions).toEqual({ NORMAL: 8, PNEUMONIA: 8 }) // per pass: 3 true + 1 false of each label
      expect(m.gpu_memory_bytes).toBe(0)
      expect(m.error_rate).toBe(0)
      expect(m.model.name).toBe('pneumonia-efficientnet_b0')
      const table = await xrayops('metrics', '--show-current', '--url', own.url, '--interval', '0.5')
      expect(table.stdout).toMatch(/latency p50 \/ p95 \/ p99/)
      expect(table.stdout).toMatch(/request rate\s+0\.00 req\/s/) // nothing arrived during the window
      const down = await xrayops('metrics', '--show-current', '--url', dead)
      expect(down.code).toBe(1)
      expect(down.stderr).toMatch(/cannot scrape .*ECONNREFUSED/)
    } finally {
      await own.close()
    }
  })

  it('version: xrayops, model, runtime versions as JSON', async () => {
    const r = await xrayops('version', '--no-gpu', '--json')
    expect(r.code, r.stderr).toBe(0)
    const v = JSON.parse(r.stdout)
    expect(v.xrayops).toMatch(/^\d+\.\d+\.\d+$/)
    expect(v.model).toMatchObject({ name: 'pneumonia-efficientnet_b0', version: '1' })
    expect(v.runtime['onnxruntime-node']).toMatch(/^1\.30\./)
    expect(v.gpu).toBe('not checked')
  })
})
