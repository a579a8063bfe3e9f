/**
 * `npm run bench:cli`: the single executable's start-up: `--help` and `--version` (median of 10)
 * and the time from `serve` to a ready /health with the default model, on the CPU and, when a
 * WebGPU adapter is configured (VK_DRIVER_FILES), on it. Builds dist/xrayops first if missing.
 *
 *   npm run bench:cli -- [--runs 10] [--json]
 */
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { freePort } from '../test/helpers/process.ts'

const { values: args } = parseArgs({ options: { runs: { type: 'string', default: '10' }, json: { type: 'boolean', default: false } } })
const runs = Number(args.runs)
const exe = path.resolve('dist/xrayops')
if (!existsSync(exe)) spawnSync('npm', ['run', 'build'], { stdio: 'inherit' })
const lavapipe = path.resolve('.cache/lavapipe/lvp_icd.json')
const vk = process.env.VK_DRIVER_FILES ?? (existsSync(lavapipe) ? lavapipe : undefined)
const env = {
  ...process.env,
  XDG_CACHE_HOME: mkdtempSync(path.join(os.tmpdir(), 'xrayops-bench-cache-')), // a fresh extraction
  MESA_SHADER_CACHE_DIR: path.join(os.homedir(), '.cache'), // lavapipe's compiled shaders stay warm
  CONSOLA_LEVEL: '1',
  ...(vk ? { VK_DRIVER_FILES: vk } : {}),
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

const timeCommand = (argv: string[]) => {
  const ms: number[] = []
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now()
    const r = spawnSync(exe, argv, { env })
    ms.push(performance.now() - t0)
    if (r.status !== 0) throw new Error(`xrayops ${argv.join(' ')} exited ${r.status}`)
  }
  return { median_ms: median(ms), min_ms: Math.min(...ms), max_ms: Math.max(...ms) }
}

/** Spawns `serve` and polls /health every 10 ms until it answers 200. */
async function startToReady(device: string) {
  const port = await freePort()
  const t0 = performance.now()
  const child = spawn(exe, ['serve', '--host', '127.0.0.1', '--port', String(port), '--device', device], { env, stdio: 'ignore' })
  try {
    for (;;) {
      const h = await fetch(`http://127.0.0.1:${port}/health`).then((r) => r.json() as Promise<{ status: string; checks: { model: { status: string } } }>, () => undefined)
      if (h?.status === 'ok') return performance.now() - t0
      if (h?.checks.model.status === 'failed') throw new Error(`serve --device ${device}: the model failed to load`)
      if (performance.now() - t0 > 180_000) throw new Error(`serve --device ${device} not ready in 180 s`)
      await new Promise((r) => setTimeout(r, 10))
    }
  } finally {
    child.kill('SIGTERM')
    await new Promise((r) => child.once('exit', r))
  }
}

const help = timeCommand(['--help'])
const version = timeCommand(['--version'])
const ready: Record<string, number[]> = { cpu: [] }
if (vk) ready.gpu = []
for (let i = 0; i < 3; i++) for (const d of Object.keys(ready)) ready[d].push(await startToReady(d))
const result = {
  date: new Date().toISOString(),
  machine: `${os.cpus()[0]?.model} x${os.cpus().length}`,
  executable_mb: Number((spawnSync('stat', ['-c', '%s', exe]).stdout.toString().trim() as unknown as number) / 2 ** 20).toFixed(1),
  help,
  version,
  start_to_ready_ms: Object.fromEntries(Object.entries(ready).map(([d, xs]) => [d, { first: xs[0], median: median(xs) }])),
}
if (args.json) console.log(JSON.stringify(result, null, 2))
else {
  console.log(`${result.date} | ${result.machine} | dist/xrayops ${result.executable_mb} MiB\n`)
  console.log('| measurement | median ms | min | max |\n|---|---|---|---|')
  console.log(`| \`xrayops --help\` (${runs} runs) | ${help.median_ms.toFixed(0)} | ${help.min_ms.toFixed(0)} | ${help.max_ms.toFixed(0)} |`)
  console.log(`| \`xrayops --version\` (${runs} runs) | ${version.median_ms.toFixed(0)} | ${version.min_ms.toFixed(0)} | ${version.max_ms.toFixed(0)} |`)
  for (const [d, r] of Object.entries(result.start_to_ready_ms))
    console.log(`| \`serve --device ${d}\` start to ready /health (3 runs; first includes extraction) | ${r.median.toFixed(0)} | first ${r.first.toFixed(0)} | |`)
}
