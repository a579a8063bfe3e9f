/** The servers `npm run bench:http` compares, started as child processes on loopback, and its probes. */
import { spawn } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { Worker } from 'node:worker_threads'
import { bin, freePort, waitFor200, type Spawned } from '../test/helpers/process.ts'
import { NODE_FLAGS, SERVE_ENV } from '../src/runtime/node-flags.ts'
import { root } from './root.ts'

export interface Server {
  name: string
  url: string
  /** xrayops' health listener (its own port, served off the event loop), when it has one. */
  healthUrl?: string
  pid: number
  stop: () => Promise<void>
}

/**
 * 48 real X-rays at original resolution (24 per label): from `dir` (NORMAL/ and PNEUMONIA/), else
 * the shared test split beside the checkout, else the two fixtures.
 */
export function loadImages(dir?: string): Uint8Array[] {
  // The shared data beside the checkout (a worktree sits one level deeper).
  const shared = dir ?? ['../shared', '../../shared'].map((d) => path.resolve(root, d, 'data/kermany/test-original')).find(existsSync)
  const files = shared
    ? ['NORMAL', 'PNEUMONIA'].flatMap((l) => readdirSync(path.join(shared, l)).sort().slice(0, 24).map((f) => path.join(shared, l, f)))
    : ['IM-0001-0001.jpeg', 'person100_bacteria_475.jpeg'].map((f) => path.join(root, 'test/fixtures/xray-original', f))
  return files.map((f) => new Uint8Array(readFileSync(f)))
}

const started = async (name: string, port: number, p: Spawned, healthPort?: number): Promise<Server> => {
  const url = `http://127.0.0.1:${port}`
  const stop = async () => {
    if (p.child.exitCode === null) p.child.kill('SIGTERM')
    await p.exited
  }
  try {
    await Promise.race([waitFor200(`${url}/health`, 180_000), p.exited.then((c) => Promise.reject(new Error(`${name} exited (${c}):\n${p.output()}`)))])
  } catch (e) {
    await stop()
    throw e
  }
  return { name, url, ...(healthPort ? { healthUrl: `http://127.0.0.1:${healthPort}` } : {}), pid: p.child.pid!, stop }
}

/** `xrayops serve` on the shipped model, cache off, plus `flags`; `entry`: another CLI script (a bundle). */
export async function startXrayops(name: string, device: string, flags: string[], entry?: string): Promise<Server> {
  const port = await freePort()
  // `NAME=value` among the flags is an environment variable for the server, `unset:NAME` one it goes
  // without: it has `npm start`'s by default (SERVE_ENV).
  const env: Record<string, string | undefined> = { ...SERVE_ENV, ...Object.fromEntries(flags.filter((f) => /^[A-Z_]+=/.test(f)).map((f) => f.split(/=(.*)/s).slice(0, 2) as [string, string])) }
  for (const f of flags.filter((f) => f.startsWith('unset:'))) env[f.slice(6)] = undefined
  // `node:FLAG` among them: Node's flags instead of xrayops' own (`node:` alone: none).
  const nodeOwn = flags.filter((f) => f.startsWith('node:'))
  const node = nodeOwn.length ? nodeOwn.map((f) => f.slice(5)).filter(Boolean) : [...NODE_FLAGS]
  const healthPort = await freePort()
  const args = ['serve', '--host', '127.0.0.1', '--port', String(port), '--health-port', String(healthPort), '--device', device, '--cache-size', '0', '--log-level', 'warn', ...flags.filter((f) => !/^[A-Z_]+=/.test(f) && !f.startsWith('node:') && !f.startsWith('unset:'))]
  // Started as `npm start` starts it: with its environment and Node's flags for xrayops.
  const childEnv = { ...process.env, ...env }
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete childEnv[k]
  const child = spawn(process.execPath, [...node, entry ?? bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: childEnv })
  return started(name, port, captured(child), healthPort)
}

const captured = (child: ReturnType<typeof spawn>): Spawned => {
  let out = ''
  child.stdout!.on('data', (d) => (out += d))
  child.stderr!.on('data', (d) => (out += d))
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)))
  return { child, output: () => out, exited }
}

/** bench/plain-server.ts. */
export async function startPlain(): Promise<Server> {
  const port = await freePort()
  const child = spawn(process.execPath, ['--import', path.join(root, 'bin/register.mjs'), path.join(root, 'bench/plain-server.ts'), String(port)], { stdio: ['ignore', 'pipe', 'pipe'] })
  return started('plain', port, captured(child))
}

/** CPU time a process has used (user + system, all its threads), ms (Linux; 10 ms resolution). */
export function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
  return (Number(fields[11]) + Number(fields[12])) * 10 // utime, stime in clock ticks of 1/100 s
}

/** Resident memory of a process, MiB (Linux). */
export function rssMiB(pid: number): number | undefined {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return m ? Number(m[1]) / 1024 : undefined
}

/**
 * The prober's loop, in a thread of its own: on the load generator's event loop, a probe's time
 * would include the load generator's own delays (16 uploads and their answers in flight), which
 * are not the server's.
 */
const PROBE = `
const { parentPort, workerData } = require('node:worker_threads')
const { url, everyMs } = workerData
const times = []
let on = true
parentPort.once('message', () => (on = false))
const probe = async () => {
  const t0 = performance.now()
  try {
    const r = await fetch(url + '/health', { signal: AbortSignal.timeout(10_000) })
    await r.arrayBuffer()
  } catch {}
  return performance.now() - t0
}
;(async () => {
  await probe() // not counted: the thread's first fetch compiles and connects
  parentPort.postMessage('ready')
  while (on) {
    times.push(await probe())
    await new Promise((r) => setTimeout(r, everyMs))
  }
  parentPort.postMessage(times)
})()
`

/**
 * GETs `url`/health every `everyMs` from a thread of its own, once that thread has made one probe
 * (not counted); `stop()` resolves the latencies (ms).
 */
export async function probeHealth(url: string, everyMs: number) {
  const worker = new Worker(PROBE, { eval: true, workerData: { url, everyMs } })
  const messages: unknown[] = []
  let wake = () => {}
  worker.on('message', (m) => {
    messages.push(m)
    wake()
  })
  const failed = new Promise<never>((_, reject) => worker.once('error', reject))
  const next = () => Promise.race([failed, new Promise<unknown>((r) => (messages.length ? r(messages.shift()) : (wake = () => r(messages.shift()))))])
  await next() // ready
  return {
    stop: async () => {
      worker.postMessage('stop')
      const times = (await next()) as number[]
      await worker.terminate()
      return times
    },
  }
}

/**
 * The server's own event-loop delay p99 (ms) since the previous call: prom-client's
 * monitorEventLoopDelay histogram, reset at each scrape. Undefined for a server without it (plain).
 */
export async function loopLagP99(url: string): Promise<number | undefined> {
  const text = await fetch(`${url}/metrics`).then((r) => (r.ok ? r.text() : ''), () => '')
  const m = /^xray_nodejs_eventloop_lag_p99_seconds (\S+)$/m.exec(text)
  return m ? Number(m[1]) * 1000 : undefined
}
