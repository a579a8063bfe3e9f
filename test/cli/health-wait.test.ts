import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { bin, freePort, spawnXrayops } from '../helpers/process.ts'
import { start } from '../helpers/server.ts'

const run = promisify(execFile)
const xrayops = (...args: string[]) =>
  run(process.execPath, [bin, ...args]).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  )

describe('xrayops health --wait-ready (the units\' ExecStartPost readiness check)', () => {
  it('waits while nothing listens, then until the server is ready (model loaded and warmed up): exit 0', async () => {
    const port = await freePort()
    const waiter = spawnXrayops(['health', '--wait-ready', '240', '--url', `http://127.0.0.1:${port}`, '--json'])
    // The server comes up only after the waiter has started polling a closed port.
    await new Promise((r) => setTimeout(r, 1500))
    const s = await start({ server: { port } })
    try {
      expect(await waiter.exited, waiter.output()).toBe(0)
      const report = JSON.parse(waiter.output())
      expect(report.ready).toBe(true)
      expect(report.attempts).toBeGreaterThan(1)
      expect(report.last).toMatchObject({ status: 'ok', http: 200 })
    } finally {
      await s.close()
    }
  })

  it('exit 2 when nothing answers in time', async () => {
    const port = await freePort()
    const r = await xrayops('health', '--wait-ready', '1', '--url', `http://127.0.0.1:${port}`)
    expect(r.code).toBe(2)
    expect(r.stdout).toMatch(/^not ready after \d+\.\d s \(\d+ checks\): http:\/\/127\.0\.0\.1:\d+\/health {2}unreachable \(ECONNREFUSED\)/)
  })

  it('a server that answers but is down: not ready, unless --answering (the gateway before a colour is live)', async () => {
    const failed = await start({ model: { path: '/nonexistent.json' } })
    try {
      await failed.loaded
      const strict = await xrayops('health', '--wait-ready', '1', '--url', failed.url)
      expect(strict.code).toBe(2)
      expect(strict.stdout).toMatch(/not ready after .*HTTP 503, model failed/)
      const answering = await xrayops('health', '--wait-ready', '5', '--answering', '--url', failed.url)
      expect(answering.code, answering.stdout).toBe(0)
      expect(answering.stdout).toMatch(/^ready after \d+\.\d s: down /)
    } finally {
      await failed.close()
    }
  })

  it('a bad --wait-ready is a usage error', async () => {
    const r = await xrayops('health', '--wait-ready', 'soon')
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('--wait-ready "soon" is not valid: expected a positive number of seconds')
  })
})
