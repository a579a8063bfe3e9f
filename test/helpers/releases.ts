/**
 * A release site for the gateway and deploy tests: a temporary state folder and a config file
 * with free loopback ports (never the product's 8080/8001/8002), the CLI run against it, and the
 * two model versions the tests deploy: 1.0.0 the shipped model, 2.0.0 a real, different ONNX
 * file derived from it (classifier bias shifted: every score moves by a known amount).
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { stillRunning } from '../../src/deploy/process-info.ts'
import { type CliResult, xrayops } from './cli.ts'
import { goldenRows, readFixture } from './fixtures.ts'
import { derivedModel, shiftedScore, shippedModel } from './models.ts'
import { freePort } from './process.ts'

export const SHIFT: [number, number] = [0, -2.5]

export interface Site {
  dir: string
  state: string
  configFile: string
  ports: { gateway: number; blue: number; green: number }
  gatewayUrl: string
  env: Record<string, string>
  cli: (args: string[]) => Promise<CliResult>
  /** SIGKILLs every process a pid file of the site names (the test's last resort), by pid. */
  killAll: () => void
  close: () => void
}

export async function makeSite(prefix: string, extra = ''): Promise<Site> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `xrayops-${prefix}-`))
  const state = path.join(dir, 'state')
  const ports = { gateway: await freePort(), blue: await freePort(), green: await freePort() }
  const configFile = path.join(dir, 'config.yaml')
  fs.writeFileSync(
    configFile,
    [
      'model:',
      '  device: cpu',
      'performance:',
      '  cpu_threads: 1',
      'logging:',
      '  level: warn',
      'server:',
      '  shutdown_timeout: 10000',
      'state:',
      `  dir: ${state}`,
      'gateway:',
      '  host: 127.0.0.1',
      `  port: ${ports.gateway}`,
      '  check_interval: 200',
      'deploy:',
      `  blue_port: ${ports.blue}`,
      `  green_port: ${ports.green}`,
      '  ready_timeout: 90',
      extra,
    ].join('\n'),
  )
  const env = { XRAYOPS_CONFIG: configFile }
  const killAll = () => {
    const run = path.join(state, 'run')
    for (const f of fs.existsSync(run) ? fs.readdirSync(run) : []) {
      try {
        const p = JSON.parse(fs.readFileSync(path.join(run, f), 'utf8')) as { pid: number; started: string }
        if (stillRunning(p.pid, p.started)) process.kill(p.pid, 'SIGKILL')
      } catch {}
    }
  }
  return {
    dir,
    state,
    configFile,
    ports,
    gatewayUrl: `http://127.0.0.1:${ports.gateway}`,
    env,
    cli: (args) => xrayops(args, env),
    killAll,
    close: () => {
      killAll()
      fs.rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** Registers 1.0.0 (the shipped model) and 2.0.0 (derived, real and different). */
export async function registerVersions(site: Site): Promise<void> {
  const derived = derivedModel(path.join(site.dir, 'derived.onnx'), SHIFT)
  for (const [version, file] of [
    ['1.0.0', shippedModel],
    ['2.0.0', derived],
  ]) {
    const r = await site.cli(['registry', 'register', '--name', 'pneumonia', '--version', version, '--path', file])
    if (r.code !== 0) throw new Error(`registering ${version} failed: ${r.stderr}`)
  }
}

/** The 8 golden test images, and each one's P(pneumonia) under each version (computed apart from the servers). */
export const goldenImages = () => {
  const rows = goldenRows()
  return {
    images: rows.map(([key]) => readFixture(`xray-224/${key}`)),
    expected: (version: string, image: number) => (version === '2.0.0' ? shiftedScore(rows[image][1], SHIFT) : rows[image][1]),
  }
}

/** `xrayops status --json`, parsed. */
// biome-ignore lint: tests inspect arbitrary JSON
export async function statusOf(site: Site): Promise<any> {
  const r = await site.cli(['status', '--json'])
  if (r.code !== 0) throw new Error(`status failed: ${r.stderr}`)
  return JSON.parse(r.stdout)
}

/** Polls `fn` until it returns a truthy value, or fails after `ms` with `what`. */
export async function until<T>(what: string, fn: () => Promise<T>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms
  for (;;) {
    const v = await fn().catch(() => undefined)
    if (v) return v
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`)
    await new Promise((r) => setTimeout(r, 100))
  }
}
