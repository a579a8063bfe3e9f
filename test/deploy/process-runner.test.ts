/**
 * xrayops' own process supervisor on real processes (the gateway is the service here: it starts
 * in a second), and the release lock: pid files that name one process for good, refusals that
 * say why, and a lock that a dead holder no longer holds.
 */
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { gatewayView } from '../../src/deploy/gateway-client.ts'
import { acquireReleaseLock } from '../../src/deploy/lock.ts'
import { procInfo, stillRunning } from '../../src/deploy/process-info.ts'
import { ProcessRunner, type ProcessSpec } from '../../src/deploy/process-runner.ts'
import { openState, type State } from '../../src/state/db.ts'
import { xrayops } from '../helpers/cli.ts'
import { bin, freePort } from '../helpers/process.ts'
import { until } from '../helpers/releases.ts'

let dir: string
let port: number
const extra: string[] = []

const spec = (): ProcessSpec => ({
  argv: [process.execPath, bin, 'gateway', '--host', '127.0.0.1', '--port', String(port), '--state-dir', dir, '--log-level', 'warn', ...extra],
  host: '127.0.0.1',
  port,
  probe: async () => ({ ready: (await gatewayView(`http://127.0.0.1:${port}`)) !== null, detail: '' }),
  readyTimeoutS: 60,
})
let runner: ProcessRunner

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xrayops-runner-'))
  port = await freePort()
  runner = new ProcessRunner({ stateDir: dir, spec, stopTimeoutMs: 5_000 })
})
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

describe('the process supervisor', () => {
  it('starts a service detached with a pid file and a log, reports it, and stops it', async () => {
    await runner.start('gateway')
    const st = await runner.status('gateway')
    expect(st).toMatchObject({ name: 'gateway', state: 'active', detail: 'running' })
    const pidFile = JSON.parse(fs.readFileSync(path.join(dir, 'run', 'gateway.pid'), 'utf8'))
    expect(pidFile).toMatchObject({ pid: st.pid, started: procInfo(st.pid!)!.started, argv: spec().argv })
    expect(fs.readFileSync(path.join(dir, 'logs', 'gateway.log'), 'utf8')).toMatch(/^--- .* starting gateway: /)
    // Its own session: it outlives whoever started it.
    expect(fs.readFileSync(`/proc/${st.pid}/stat`, 'utf8').split(') ')[1].split(' ')[3]).toBe(String(st.pid))
    await runner.stop('gateway')
    expect(stillRunning(st.pid!, pidFile.started)).toBe(false)
    expect(await runner.status('gateway')).toMatchObject({ state: 'inactive', pid: null })
    expect(fs.existsSync(path.join(dir, 'run', 'gateway.pid'))).toBe(false)
  })

  it('reports a service that died as failed, and a stale pid file never signals another process', async () => {
    await runner.start('gateway')
    const { pid } = await runner.status('gateway')
    process.kill(pid!, 'SIGKILL')
    await until('the gateway gone', async () => (await runner.status('gateway')).state !== 'active')
    expect(await runner.status('gateway')).toMatchObject({ state: 'failed', detail: expect.stringMatching(/^exited \(pid \d+/) })
    // A pid file that names a live process started at another time (pid reuse): not ours.
    fs.writeFileSync(path.join(dir, 'run', 'gateway.pid'), JSON.stringify({ pid: process.pid, started: '1', argv: [], at: 'then' }))
    expect((await runner.status('gateway')).state).toBe('failed')
    await runner.stop('gateway') // must not signal this test process
    expect(fs.existsSync(path.join(dir, 'run', 'gateway.pid'))).toBe(false)
  })

  it('refuses to start where something else listens, without starting anything', async () => {
    port = await freePort()
    const squatter = net.createServer().listen(port, '127.0.0.1')
    await new Promise((r) => squatter.once('listening', r))
    try {
      await expect(runner.start('gateway')).rejects.toMatchObject({ code: 'SERVICE_FAILED', message: expect.stringMatching(`something this state directory did not start already listens on 127.0.0.1:${port}`) })
      expect(fs.existsSync(path.join(dir, 'run', 'gateway.pid'))).toBe(false)
    } finally {
      squatter.close()
    }
  })

  it('says why when a service exits instead of becoming ready, with the end of its log', async () => {
    port = await freePort()
    extra.push('--check-interval', 'soon')
    try {
      await expect(runner.start('gateway')).rejects.toMatchObject({
        code: 'SERVICE_FAILED',
        message: expect.stringMatching(/gateway did not become ready: it exited \(exit code 1\); .*gateway\.log ends with:\n[\s\S]*CONFIG_INVALID: --check-interval="soon"/),
      })
    } finally {
      extra.length = 0
    }
  })
})

describe('the release lock', () => {
  let state: State
  beforeAll(async () => {
    state = await openState(dir)
  })
  afterAll(() => state.close())

  it('refuses while a live process holds it, naming it; a dead holder holds nothing', async () => {
    const holder = spawn('sleep', ['60'], { stdio: 'ignore' })
    await new Promise((r) => holder.once('spawn', r))
    const started = procInfo(holder.pid!)!.started
    state.db.prepare("UPDATE release_lock SET pid = ?, started = ?, hostname = ?, operation = 'deploy blue 2.0.0', since = 'now' WHERE id = 1").run(holder.pid!, started, os.hostname())
    expect(() => acquireReleaseLock(state.db, 'switch-traffic to green')).toThrow(
      expect.objectContaining({ code: 'RELEASE_BUSY', message: expect.stringMatching(`another release command is running: deploy blue 2.0.0 \\(pid ${holder.pid}`) }),
    )
    const cli = await xrayops(['switch-traffic', '--to', 'green', '--state-dir', dir])
    expect(cli.code).toBe(1)
    expect(cli.stderr).toMatch(/RELEASE_BUSY: another release command is running: deploy blue 2\.0\.0/)
    holder.kill('SIGKILL')
    await new Promise((r) => holder.once('exit', r))
    const release = acquireReleaseLock(state.db, 'switch-traffic to green')
    expect(state.db.prepare('SELECT pid, operation FROM release_lock').get()).toEqual({ pid: process.pid, operation: 'switch-traffic to green' })
    release()
    expect(state.db.prepare('SELECT pid FROM release_lock').get()).toEqual({ pid: null })
  })
})
