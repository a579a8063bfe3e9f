/**
 * The single executable, as a user gets it: `npm run build`'s dist/xrayops copied alone into an
 * empty folder, run from there with no Node on the PATH (a `node` that fails stands first) and a
 * fresh cache folder.
 */
import { execFile, spawn, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import pkg from '../../package.json' with { type: 'json' }
import { fixture } from '../helpers/fixtures.ts'
import { freePort, waitFor200 } from '../helpers/process.ts'
import { TokenVerifier } from '../../src/auth/index.ts'
import { xrayops as checkout } from '../helpers/cli.ts'
import { shippedModel, shippedWarmupScore } from '../helpers/models.ts'
import { NODE_FLAGS } from '../../src/runtime/node-flags.ts'
import { available, hasCommand } from '../helpers/require.ts'
import { sql, sqlite3Cli, sqlValue } from '../helpers/sqlite.ts'

const repo = fileURLToPath(new URL('../..', import.meta.url))
// Built into a folder of the test's own, so `npm test` never replaces a developer's dist/xrayops.
const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'xrayops-build-'))
const built = path.join(outDir, 'xrayops')
const lavapipe = path.join(repo, '.cache', 'lavapipe', 'lvp_icd.json')
const tsx = path.join(repo, 'node_modules', '.bin', 'tsx')

const monitoringPrograms = {
  name: 'prometheus + prometheus-alertmanager',
  present: hasCommand('prometheus') && hasCommand('prometheus-alertmanager'),
  install: 'apt-get install prometheus prometheus-alertmanager',
}

const sha256 = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex')

let dir: string
let exe: string
let env: Record<string, string>

const build = (args: string[] = []) => {
  const r = spawnSync(tsx, ['scripts/build/main.ts', ...args], { cwd: repo, encoding: 'utf8', timeout: 280_000 })
  if (r.status !== 0) throw new Error(`build failed (${r.status ?? r.signal}):\n${r.stdout}\n${r.stderr}`)
  return r.stdout
}

const xrayops = (args: string[], extra: Record<string, string> = {}) =>
  promisify(execFile)(exe, args, { cwd: dir, env: { ...env, ...extra }, maxBuffer: 16 << 20 }).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  )

beforeAll(() => {
  console.log(build(['--out', built]).trim().split('\n').at(-1))
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xrayops-exe-'))
  exe = path.join(dir, 'xrayops')
  fs.copyFileSync(built, exe)
  fs.chmodSync(exe, 0o755)
  // A `node` that fails, first on the PATH: the executable must not need one.
  fs.mkdirSync(path.join(dir, 'fakebin'))
  fs.writeFileSync(path.join(dir, 'fakebin', 'node'), '#!/bin/sh\necho "no node here" >&2\nexit 127\n', { mode: 0o755 })
  for (const label of ['NORMAL', 'PNEUMONIA']) {
    fs.mkdirSync(path.join(dir, 'data', label), { recursive: true })
    for (const f of fs.readdirSync(fixture(`xray-224/${label}`))) fs.copyFileSync(fixture(`xray-224/${label}/${f}`), path.join(dir, 'data', label, f))
  }
  env = {
    PATH: `${path.join(dir, 'fakebin')}:/usr/bin:/bin`,
    HOME: path.join(dir, 'home'),
    XDG_CACHE_HOME: path.join(dir, 'cache'),
    XDG_RUNTIME_DIR: '/tmp',
    CONSOLA_LEVEL: '1',
  }
}, 300_000)

afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true })
  fs.rmSync(outDir, { recursive: true, force: true })
})

describe('dist/xrayops', () => {
  it('runs where no node can be found', () => {
    const r = spawnSync('node', ['--version'], { env, encoding: 'utf8' })
    expect(r.status).not.toBe(0)
  })

  it('prints its version and lists its commands without extracting anything', async () => {
    const v = await xrayops(['--version'])
    expect(v.code, v.stderr).toBe(0)
    expect(v.stdout.trim()).toBe(pkg.version)
    const h = await xrayops(['--help'])
    expect(h.code, h.stderr).toBe(0)
    for (const cmd of ['eval', 'serve']) expect(h.stdout).toContain(cmd)
    // --help loads no native library, so it writes nothing to the cache folder.
    expect(fs.existsSync(env.XDG_CACHE_HOME)).toBe(false)
  })

  it("runs with Node's flags for xrayops built in (src/runtime/node-flags.ts)", async () => {
    const j = await xrayops(['version', '--no-gpu', '--json'])
    expect(j.code, j.stderr).toBe(0)
    expect(JSON.parse(j.stdout).runtime.node_flags).toBe(NODE_FLAGS.join(' '))
  })

  it('evaluates the fixtures on the CPU from its embedded model and libraries', async () => {
    const t0 = performance.now()
    const r = await xrayops(['eval', 'data', '--json', '--device', 'cpu'])
    const firstStart = performance.now() - t0
    expect(r.code, r.stderr).toBe(0)
    const report = JSON.parse(r.stdout)
    expect(report.accuracy).toBe(0.75)
    expect(report.confusion).toEqual({ tp: 3, tn: 3, fp: 1, fn: 1 })
    expect(report.device.kind).toBe('cpu')

    // Extracted once to $XDG_CACHE_HOME/xrayops/<content id>/, the RPATH layouts kept.
    const base = path.join(env.XDG_CACHE_HOME, 'xrayops')
    const [id] = fs.readdirSync(base)
    expect(id).toMatch(/^[0-9a-f]{16}$/)
    const root = path.join(base, id)
    for (const f of [
      'models/pneumonia-efficientnet_b0-v1.onnx',
      'native/onnxruntime-node/onnxruntime_binding.node',
      'native/onnxruntime-node/libonnxruntime.so.1',
      'native/@img/sharp-linux-x64/lib',
      'native/@img/sharp-libvips-linux-x64/lib',
    ])
      expect(fs.existsSync(path.join(root, f)), f).toBe(true)
    expect(fs.readdirSync(root).filter((f) => f.endsWith('.tmp'))).toEqual([])
    const lib = path.join(root, 'native/onnxruntime-node/libonnxruntime.so.1')
    const mtime = fs.statSync(lib).mtimeMs

    const t1 = performance.now()
    const again = await xrayops(['eval', 'data', '--json', '--device', 'cpu'])
    const warmStart = performance.now() - t1
    expect(again.code, again.stderr).toBe(0)
    expect(fs.statSync(lib).mtimeMs).toBe(mtime)
    console.log(`xrayops eval (8 images, cpu): first start ${firstStart.toFixed(0)} ms, then ${warmStart.toFixed(0)} ms`)
  })

  it('decodes DICOM with each embedded codec (JPEG, JPEG 2000, JPEG-LS, JPEG lossless, RLE) in its worker thread', async () => {
    const files = { NORMAL: ['real-rsna-jpeg', 'mono12_jls80', 'mono16_jpeg70'], PNEUMONIA: ['real-rg1-j2k', 'mono16_rle', 'rgb8_jpeg50'] }
    for (const [label, names] of Object.entries(files)) {
      fs.mkdirSync(path.join(dir, 'dicom', label), { recursive: true })
      for (const n of names) fs.copyFileSync(fixture(`dicom/${n}.dcm`), path.join(dir, 'dicom', label, `${n}.dcm`))
    }
    const r = await xrayops(['eval', 'dicom', '--json', '--device', 'cpu'])
    expect(r.code, r.stderr).toBe(0)
    const report = JSON.parse(r.stdout)
    expect(report.failures).toEqual([])
    expect(report.n).toBe(6)
    const [id] = fs.readdirSync(path.join(env.XDG_CACHE_HOME, 'xrayops'))
    expect(fs.readdirSync(path.join(env.XDG_CACHE_HOME, 'xrayops', id, 'dicom-codecs')).sort()).toEqual([
      'charlswasm_decode.js',
      'charlswasm_decode.wasm',
      'libjpegturbowasm_decode.js',
      'libjpegturbowasm_decode.wasm',
      'lossless.cjs',
      'openjpegwasm_decode.js',
      'openjpegwasm_decode.wasm',
      'worker.mjs',
    ])
  })

  it.skipIf(!available({ name: 'lavapipe', present: fs.existsSync(lavapipe), install: 'scripts/setup-lavapipe.sh' }))('evaluates the fixtures through WebGPU (lavapipe)', async () => {
    // Mesa keeps compiled shaders in its own cache; a fresh one costs lavapipe ~30 s of LLVM.
    const mesaCache = process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache')
    const r = await xrayops(['eval', 'data', '--json', '--device', 'gpu'], { VK_DRIVER_FILES: lavapipe, MESA_SHADER_CACHE_DIR: mesaCache })
    expect(r.code, r.stderr).toBe(0)
    const report = JSON.parse(r.stdout)
    expect(report.device.kind).toBe('webgpu')
    expect(report.accuracy).toBe(0.75)
  })

  it('serves predictions, and its health and bench commands check the live server', async () => {
    const port = await freePort()
    const child = spawn(exe, ['serve', '--host', '127.0.0.1', '--port', String(port), '--device', 'cpu'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.on('data', (d) => (out += d))
    child.stderr.on('data', (d) => (out += d))
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)))
    try {
      await waitFor200(`http://127.0.0.1:${port}/health`, 60_000).catch((e: Error) => {
        throw new Error(`${e.message}\n${out}`)
      })
      const body = fs.readFileSync(fixture('xray-original/person100_bacteria_475.jpeg'))
      const res = await fetch(`http://127.0.0.1:${port}/v1/predict`, { method: 'POST', headers: { 'content-type': 'image/jpeg' }, body })
      expect(res.status, out).toBe(200)
      const json = (await res.json()) as { label: string; probabilities: Record<string, number> }
      expect(json.label).toBe('PNEUMONIA')
      expect(json.probabilities.PNEUMONIA).toBeGreaterThan(0.5)

      // The /ui viewer from the embedded copy, and a heatmap drawn by the embedded sharp.
      const ui = await fetch(`http://127.0.0.1:${port}/ui/`)
      expect(ui.status).toBe(200)
      expect(ui.headers.get('content-type')).toBe('text/html; charset=utf-8')
      expect(await ui.text()).toBe(fs.readFileSync(path.join(repo, 'src/web/index.html'), 'utf8'))
      expect((await fetch(`http://127.0.0.1:${port}/ui/viewer.js`)).headers.get('content-type')).toBe('text/javascript; charset=utf-8')
      const png = await fetch(`http://127.0.0.1:${port}/v1/predict?heatmap=1&width=300`, { method: 'POST', headers: { 'content-type': 'image/jpeg', accept: 'image/png' }, body })
      expect(png.headers.get('content-type')).toBe('image/png')
      expect(png.headers.get('x-prediction-label')).toBe('PNEUMONIA')
      expect(Buffer.from(await png.arrayBuffer()).subarray(1, 4).toString()).toBe('PNG')

      const url = `http://127.0.0.1:${port}`
      const live = await xrayops(['health', '--url', url])
      expect(live.code, live.stdout + live.stderr).toBe(0)
      expect(live.stdout).toMatch(/overall: ok/)
      const degraded = await xrayops(['health', '--url', url, '--prometheus', `http://127.0.0.1:${await freePort()}`])
      expect(degraded.code).toBe(1)
      const dead = await xrayops(['health', '--url', `http://127.0.0.1:${await freePort()}`])
      expect(dead.code).toBe(2)
      expect(dead.stdout).toMatch(/overall: down/)

      // The SLO is out of reach on purpose: this checks the command, not this machine's speed.
      const bench = await xrayops(['bench', '--quick-check', '--url', url, '--requests', '20', '--slo-p95-ms', '600000'])
      expect(bench.code, bench.stdout + bench.stderr).toBe(0)
      expect(bench.stdout).toMatch(/p95 [\d.]+ ms/)
      expect(bench.stdout).toMatch(/quick check passed/)
      console.log(`dist/xrayops bench --quick-check:\n${bench.stdout}`)
    } finally {
      child.kill('SIGTERM')
      await exited
    }
  })

  it.skipIf(!available(monitoringPrograms))('runs Prometheus and Alertmanager with its embedded monitoring files (monitoring up, status, down)', async () => {
    const place = ['--state-dir', path.join(dir, 'state')]
    const [pp, ap] = [await freePort(), await freePort()]
    try {
      const up = await xrayops(['monitoring', 'up', ...place, '--mode', 'process', '--prometheus-port', String(pp), '--alertmanager-port', String(ap), '--model-servers', 'none', '--gateways', 'none'])
      expect(up.code, up.stdout + up.stderr).toBe(0)
      const config = path.join(dir, 'state', 'monitoring', 'prometheus', 'prometheus.yml')
      expect(fs.readFileSync(config, 'utf8')).toContain(`127.0.0.1:${pp}`)
      const status = await xrayops(['monitoring', 'status', ...place])
      expect(status.code, status.stdout + status.stderr).toBe(0)
      expect(status.stdout).toMatch(/rules: 13 alerts in 5 groups/)
    } finally {
      const down = await xrayops(['monitoring', 'down', ...place, '--yes'])
      expect(down.stdout).toMatch(/stopped\s+alertmanager\nstopped\s+prometheus/)
    }
  })

  it.skipIf(!available(sqlite3Cli))('keeps its state in the SQLite built into its Node, readable by a checkout on Node 20', async () => {
    const state = path.join(dir, 'state')
    const empty = await xrayops(['registry', 'list', '--state-dir', state])
    expect(empty.code, empty.stderr).toBe(0)
    expect(empty.stdout).toMatch(/no registered models in/)
    fs.copyFileSync(shippedModel, path.join(dir, 'model.onnx'))
    const reg = await xrayops(['registry', 'register', '--name', 'pneumonia', '--version', 'v1.0.0', '--path', 'model.onnx', '--json', '--state-dir', state])
    expect(reg.code, reg.stderr).toBe(0)
    expect(JSON.parse(reg.stdout).warmupScore).toBeCloseTo(shippedWarmupScore, 4)
    const tok = await xrayops(['token', 'create', '--name', 'ci', '--scope', 'admin', '--state-dir', state])
    expect(tok.code, tok.stderr).toBe(0)
    expect(new TokenVerifier(path.join(state, 'tokens.json')).verify(tok.stdout.trim(), 'admin')).toMatchObject({ ok: true, name: 'ci' })
    const db = path.join(state, 'xrayops.db')
    expect(sqlValue(db, 'PRAGMA journal_mode')).toBe('wal')
    expect(sql(db, 'SELECT action, subject FROM events ORDER BY id')).toEqual([['model.register', 'pneumonia@1.0.0'], ['token.create', 'ci']])
    // The checkout (better-sqlite3 on Node 20) reads and writes the same database.
    const list = await checkout(['registry', 'list', '--state-dir', state])
    expect(list.stdout).toMatch(/^pneumonia\s+1\.0\.0\s+registered\s+efficientnet_b0/m)
    const archived = await checkout(['registry', 'archive', '--version', '1.0.0', '--yes', '--state-dir', state])
    expect(archived.stderr).toMatch(/MODEL_IN_USE: pneumonia@1\.0\.0 cannot be archived: it is the last registered version/)
    const hist = await xrayops(['registry', 'history', '--all', '--state-dir', state])
    expect(hist.stdout).toMatch(/token\.create\s+ci/)
  })

  it.skipIf(!available({ name: 'pdftotext', present: hasCommand('pdftotext', ['-v']), install: 'apt-get install poppler-utils' }))('writes an incident report PDF with its bundled PDF library', async () => {
    const state = path.join(dir, 'state-pdf')
    expect((await xrayops(['token', 'create', '--name', 'pdf-check', '--scope', 'admin', '--state-dir', state])).code).toBe(0)
    const pdf = path.join(dir, 'incident.pdf')
    const r = await xrayops(['report', '--incident', '--type', 'security', '--output', pdf, '--state-dir', state, '--prometheus', 'http://127.0.0.1:9', '--alertmanager', 'http://127.0.0.1:9'])
    expect(r.code, r.stderr).toBe(0)
    const text = spawnSync('pdftotext', [pdf, '-'], { encoding: 'utf8' }).stdout.replace(/\s+/g, ' ')
    expect(text).toContain('security: token.create pdf-check')
  })

  it('is reproducible: a second build, elsewhere and without the compression cache, is byte-identical', () => {
    const second = path.join(dir, 'second', 'xrayops')
    build(['--out', second, '--no-cache'])
    expect(sha256(second)).toBe(sha256(built))
  })
})
