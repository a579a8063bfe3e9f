import { describe, expect, it, onTestFinished } from 'vitest'
import { readFixture } from '../helpers/fixtures.ts'
import { freePort, spawnXrayops, waitFor200 } from '../helpers/process.ts'
import { json, parsePrometheus, postImage } from '../helpers/server.ts'

describe('xrayops serve as a process', () => {
  it('on SIGTERM stops accepting, finishes every accepted request, and exits 0', async () => {
    const port = await freePort()
    const server = spawnXrayops(['serve', '--host', '127.0.0.1', '--port', String(port), '--device', 'cpu'], { CACHE_SIZE: '0', BATCH_SIZE: '2', LOG_LEVEL: 'info' })
    const url = `http://127.0.0.1:${port}`
    onTestFinished(() => void server.child.kill('SIGKILL')) // also when the test times out
    try {
      await waitFor200(`${url}/health`)
      const xrays = ['xray-original/IM-0001-0001.jpeg', 'xray-original/person100_bacteria_475.jpeg'].map(readFixture)
      const inFlight = Array.from({ length: 16 }, (_, i) => postImage({ url, fetch }, xrays[i % 2]).then(async (r) => ({ status: r.status, body: await json(r) })))
      // Wait until the server is serving predictions (the scrape itself counts as one in flight).
      for (;;) {
        const m = parsePrometheus(await (await fetch(`${url}/metrics`)).text())
        if ((m.get('xray_http_requests_in_flight') ?? 0) >= 3) break
        await new Promise((r) => setTimeout(r, 5))
      }
      server.child.kill('SIGTERM')
      // While draining, /health tells balancers to stop sending.
      for (;;) {
        const h = await fetch(`${url}/health`)
        if (h.status === 503) {
          expect((await json(h)).checks.shutting_down).toBe(true)
          break
        }
        await new Promise((r) => setTimeout(r, 5))
      }
      const results = await Promise.all(inFlight)
      expect(results.map((r) => r.status)).toEqual(Array(16).fill(200))
      expect(results.every((r) => r.body.label === 'PNEUMONIA' || r.body.label === 'NORMAL')).toBe(true)
      expect(await server.exited).toBe(0)
      // The signal really arrived while requests were being served.
      const pending = Number(/SIGTERM: finishing (\d+) in-flight/.exec(server.output())?.[1])
      expect(pending).toBeGreaterThan(0)
      await expect(fetch(`${url}/health`)).rejects.toThrow() // no longer listening
    } finally {
      server.child.kill('SIGKILL')
    }
  })

  it('--workers 2 runs two server processes on one port and stops them all on SIGTERM', async () => {
    const port = await freePort()
    const server = spawnXrayops(['serve', '--host', '127.0.0.1', '--port', String(port), '--device', 'cpu', '--workers', '2'], { LOG_LEVEL: 'info' })
    onTestFinished(() => void server.child.kill('SIGKILL'))
    const url = `http://127.0.0.1:${port}`
    // Both workers log when their model has passed its warm-up; until then one of them answers 503.
    for (const end = Date.now() + 60_000; (server.output().match(/ready on cpu/g) ?? []).length < 2; await new Promise((r) => setTimeout(r, 100)))
      if (Date.now() > end) throw new Error(`two workers did not become ready:\n${server.output()}`)
    await waitFor200(`${url}/health`)
    const answers = await Promise.all(Array.from({ length: 6 }, async () => json(await postImage({ url, fetch }, readFixture('xray-original/person100_bacteria_475.jpeg')))))
    expect(answers.every((a) => a.label === 'PNEUMONIA')).toBe(true)
    expect(server.output()).toMatch(/starting 2 worker processes/)
    server.child.kill('SIGTERM')
    expect(await server.exited).toBe(0)
    expect(server.output().match(/listening on/g)).toHaveLength(2)
  })

  it('refuses an invalid configuration at start, naming the key, value and what is allowed', async () => {
    const bad = spawnXrayops(['serve', '--device', 'cpu'], { PORT: '80a' })
    expect(await bad.exited).toBe(1)
    expect(bad.output()).toMatch(/PORT="80a" \(env\) is not valid: expected an integer 1-65535/)
    const flag = spawnXrayops(['serve', '--batch-size', '0'])
    expect(await flag.exited).toBe(1)
    expect(flag.output()).toMatch(/--batch-size/)
  })
})
