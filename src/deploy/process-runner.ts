/**
 * xrayops' own process supervisor, where systemd does not run the services (development, CI):
 * each service is started detached (its own session, so it outlives the CLI that started it),
 * its output appended to `<state>/logs/<service>.log`, its pid and start time in
 * `<state>/run/<service>.pid`. A pid file names one process for good (pid plus start time), so a
 * stale file never makes `stop` signal some other process that reused the number. A service that
 * dies is not restarted by itself: `status` shows it failed, `xrayops restart` starts it again
 * (under systemd, Restart=on-failure does that).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import { XrayError } from '../errors/index.ts'
import { writeFileDurable } from '../state/durable.ts'
import { procInfo, stillRunning } from './process-info.ts'
import type { ServiceName, ServiceRunner, ServiceStatus } from './runner.ts'

export interface ProcessSpec {
  /** The program and its arguments (the xrayops executable first). */
  argv: string[]
  /** Where it listens (checked free before it starts). */
  host: string
  port: number
  /** Asked until it says ready, or failed (a failure waiting does not cure: stop waiting). */
  probe: () => Promise<{ ready: boolean; failed?: string; detail: string }>
  readyTimeoutS: number
}

interface PidFile {
  pid: number
  started: string
  argv: string[]
  at: string
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** A file name for a service: model@blue -> model-blue. */
export const serviceFile = (name: ServiceName) => name.replace('@', '-')

/** Whether something accepts connections at host:port. */
export const listening = (host: string, port: number, timeoutMs = 1_000): Promise<boolean> =>
  new Promise((resolve) => {
    const s = net.connect({ host: host === '0.0.0.0' ? '127.0.0.1' : host, port })
    const end = (v: boolean) => {
      s.destroy()
      resolve(v)
    }
    s.setTimeout(timeoutMs, () => end(false))
    s.once('connect', () => end(true))
    s.once('error', () => end(false))
  })

/** The last lines of a log file (what a failed start said). */
export function logTail(file: string, lines = 15): string {
  try {
    const text = fs.readFileSync(file, 'utf8')
    return text.trimEnd().split('\n').slice(-lines).join('\n')
  } catch {
    return ''
  }
}

export class ProcessRunner implements ServiceRunner {
  readonly kind = 'process'
  constructor(
    private readonly o: {
      stateDir: string
      spec: (name: ServiceName) => ProcessSpec
      /** How long `stop` lets a service drain (SIGTERM) before SIGKILL. */
      stopTimeoutMs: number
      env?: NodeJS.ProcessEnv
    },
  ) {}

  pidFile = (name: ServiceName) => path.join(this.o.stateDir, 'run', `${serviceFile(name)}.pid`)
  logFile = (name: ServiceName) => path.join(this.o.stateDir, 'logs', `${serviceFile(name)}.log`)

  private read(name: ServiceName): PidFile | null {
    try {
      const p = JSON.parse(fs.readFileSync(this.pidFile(name), 'utf8')) as PidFile
      return Number.isInteger(p.pid) && p.pid > 1 ? p : null
    } catch {
      return null
    }
  }

  /** The running process of `name` that this supervisor started, if any. */
  running(name: ServiceName): PidFile | null {
    const p = this.read(name)
    return p && stillRunning(p.pid, p.started) ? p : null
  }

  async status(name: ServiceName): Promise<ServiceStatus> {
    const p = this.read(name)
    if (!p) return { name, state: 'inactive', detail: 'not started', pid: null, since: null }
    if (stillRunning(p.pid, p.started)) return { name, state: 'active', detail: 'running', pid: p.pid, since: p.at }
    return { name, state: 'failed', detail: `exited (pid ${p.pid}, started ${p.at}; see ${this.logFile(name)})`, pid: null, since: null }
  }

  async start(name: ServiceName): Promise<void> {
    const spec = this.o.spec(name)
    const cur = this.running(name)
    if (cur) return this.waitReady(name, spec, null)
    if (await listening(spec.host, spec.port))
      throw new XrayError('SERVICE_FAILED', `cannot start ${name}: something this state directory did not start already listens on ${spec.host}:${spec.port}; stop it or choose another port`)
    for (const d of [path.dirname(this.pidFile(name)), path.dirname(this.logFile(name))]) fs.mkdirSync(d, { recursive: true })
    const log = fs.openSync(this.logFile(name), 'a')
    let child: ChildProcess
    try {
      fs.writeSync(log, `--- ${new Date().toISOString()} starting ${name}: ${spec.argv.join(' ')}\n`)
      child = spawn(spec.argv[0], spec.argv.slice(1), { detached: true, stdio: ['ignore', log, log], env: this.o.env ?? process.env, cwd: this.o.stateDir })
      await new Promise<void>((resolve, reject) => {
        child.once('spawn', resolve)
        child.once('error', reject)
      })
    } catch (e) {
      throw new XrayError('SERVICE_FAILED', `cannot start ${name} (${spec.argv[0]}): ${(e as Error).message}`, { cause: e })
    } finally {
      fs.closeSync(log)
    }
    const pid = child.pid!
    writeFileDurable(this.pidFile(name), `${JSON.stringify({ pid, started: procInfo(pid)?.started ?? '', argv: spec.argv, at: new Date().toISOString() } satisfies PidFile)}\n`)
    child.unref()
    await this.waitReady(name, spec, child)
  }

  /** Waits until it is ready; fails at once if it exits first, with what its log said. */
  private async waitReady(name: ServiceName, spec: ProcessSpec, child: ChildProcess | null): Promise<void> {
    let exited: string | undefined
    child?.once('exit', (code, signal) => (exited = signal ? `killed by ${signal}` : `exit code ${code}`))
    const deadline = Date.now() + spec.readyTimeoutS * 1000
    let last = 'not checked'
    let failed: string | undefined
    while (Date.now() < deadline && !exited && !failed) {
      const r = await spec.probe()
      if (r.ready && !exited) return
      last = r.detail
      failed = r.failed
      if (!child && !this.running(name)) exited = 'it is no longer running'
      if (!failed && !exited) await sleep(200)
    }
    const tail = logTail(this.logFile(name))
    const why = exited ? `it exited (${exited})` : failed ? failed : `it was not ready within ${spec.readyTimeoutS} s (last check: ${last})`
    throw new XrayError('SERVICE_FAILED', `${name} did not become ready: ${why}; ${this.logFile(name)} ends with:\n${tail}`, { details: { service: name } })
  }

  async stop(name: ServiceName): Promise<void> {
    const p = this.running(name)
    if (p) {
      process.kill(p.pid, 'SIGTERM')
      if (!(await this.waitGone(p, this.o.stopTimeoutMs + 5_000))) {
        process.kill(p.pid, 'SIGKILL')
        await this.waitGone(p, 5_000)
      }
    }
    fs.rmSync(this.pidFile(name), { force: true })
  }

  async restart(name: ServiceName): Promise<void> {
    await this.stop(name)
    await this.start(name)
  }

  private async waitGone(p: PidFile, ms: number): Promise<boolean> {
    const end = Date.now() + ms
    while (Date.now() < end) {
      if (!stillRunning(p.pid, p.started)) return true
      await sleep(50)
    }
    return false
  }
}
