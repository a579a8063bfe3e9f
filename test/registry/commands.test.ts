/**
 * Every registry command through the CLI, on a real state directory: register the shipped model
 * and a real, different EfficientNet-B0 (its classifier bias shifted), list, info, history,
 * archive, and serve a registered version from the store. Expected values come from elsewhere:
 * the warm-up score from the shipped model's golden output (PyTorch) and, for the derived model,
 * from that score moved by the known logit shift; file hashes from sha256sum; rows from the
 * sqlite3 shell.
 */
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { xrayops } from '../helpers/cli.ts'
import { derivedModel, shiftedScore, shippedModel, shippedWarmupScore } from '../helpers/models.ts'
import { freePort, spawnXrayops, waitFor200 } from '../helpers/process.ts'
import { describeWith } from '../helpers/require.ts'
import { sql, sqlite3Cli, sqlValue } from '../helpers/sqlite.ts'

const SHIFT: [number, number] = [0, -2.5]
const NAME = 'chest_xray_efficientnet_b0'
let dir: string
let state: string
let db: string
let derived: string
const sha256sum = (f: string) => execFileSync('sha256sum', [f], { encoding: 'utf8' }).split(' ')[0]
const cli = (...args: string[]) => xrayops([...args, '--state-dir', state])

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xrayops-registry-'))
  state = path.join(dir, 'state')
  db = path.join(state, 'xrayops.db')
  derived = derivedModel(path.join(dir, 'model.onnx'), SHIFT)
})
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

describeWith(sqlite3Cli, 'xrayops registry', () => {
  it('register: checks the shipped model, stores it by sha256 with its manifest and warm-up answer', async () => {
    const r = await cli('registry', 'register', '--name', NAME, '--version', 'v1.0.0', '--path', shippedModel, '--accuracy', '0.873', '--notes', 'baseline', '--json')
    expect(r.code, r.stderr).toBe(0)
    const rec = JSON.parse(r.stdout)
    const sha = sha256sum(shippedModel)
    expect(rec).toMatchObject({ name: NAME, version: '1.0.0', sha256: sha, architecture: 'efficientnet_b0', accuracy: 0.873, notes: 'baseline', status: 'registered', registeredBy: os.userInfo().username })
    expect(rec.warmupScore).toBeCloseTo(shippedWarmupScore, 4)
    // The store: models/<sha>.onnx (same bytes), models/<sha>.json, models/warmup/<image>.
    expect(sha256sum(path.join(state, 'models', `${sha}.onnx`))).toBe(sha)
    const manifest = JSON.parse(fs.readFileSync(rec.manifest, 'utf8'))
    expect(manifest).toMatchObject({
      name: NAME,
      version: '1.0.0',
      file: `${sha}.onnx`,
      sha256: sha,
      architecture: 'efficientnet_b0',
      input: { name: 'input', dtype: 'float32', shape: ['N', 3, 224, 224] },
      outputs: { logits: { shape: ['N', 2] }, cam: { shape: ['N', 2, 7, 7] } },
      labels: ['NORMAL', 'PNEUMONIA'],
      metrics: { accuracy: 0.873 },
      warmup: { file: 'warmup/person100_bacteria_478.jpeg', label: 'PNEUMONIA', tolerance: 0.001 },
    })
    expect(fs.existsSync(path.join(state, 'models', manifest.warmup.file))).toBe(true)
    expect(sql(db, 'SELECT name, version, sha256, status FROM models')).toEqual([[NAME, '1.0.0', sha, 'registered']])
    expect(sql(db, 'SELECT actor, action, subject, reason FROM events')).toEqual([[os.userInfo().username, 'model.register', `${NAME}@1.0.0`, 'baseline']])
  })

  it('register: a different model gets its own warm-up answer, the one its weights imply', async () => {
    const r = await cli('registry', 'register', '--name', NAME, '--version', '2.0.0', '--path', derived, '--accuracy', '0.89')
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(new RegExp(`registered ${NAME}@2\\.0\\.0`))
    const score = Number(/P\(PNEUMONIA\) = ([\d.]+)/.exec(r.stdout)![1])
    expect(score).toBeCloseTo(shiftedScore(shippedWarmupScore, SHIFT), 4)
    expect(score).toBeLessThan(0.5) // the derived model calls the warm-up image NORMAL
    expect(sqlValue(db, "SELECT sha256 FROM models WHERE version = '2.0.0'")).toBe(sha256sum(derived))
  })

  it('list: newest first, archived ones only with --all', async () => {
    const r = await cli('registry', 'list')
    expect(r.code, r.stderr).toBe(0)
    const lines = r.stdout.trim().split('\n')
    expect(lines[0]).toMatch(/^NAME\s+VERSION\s+STATUS\s+ARCHITECTURE\s+ACCURACY/)
    expect(lines.slice(1).map((l) => l.split(/\s+/).slice(0, 5))).toEqual([
      [NAME, '2.0.0', 'registered', 'efficientnet_b0', '0.890'],
      [NAME, '1.0.0', 'registered', 'efficientnet_b0', '0.873'],
    ])
    const json = JSON.parse((await cli('registry', 'list', '--json')).stdout)
    expect(json.map((m: { version: string }) => m.version)).toEqual(['2.0.0', '1.0.0'])
  })

  it('info: one version by its number, with or without v; an unknown one is refused', async () => {
    const r = await cli('registry', 'info', '--version', 'v2.0.0', '--json')
    expect(r.code, r.stderr).toBe(0)
    const info = JSON.parse(r.stdout)
    expect(info).toMatchObject({ name: NAME, version: '2.0.0', fileIntact: true, inUse: null })
    expect(info.events.map((e: { action: string }) => e.action)).toEqual(['model.register'])
    const text = await cli('registry', 'info', '--version', '1.0.0')
    expect(text.stdout).toMatch(/sha256 +[0-9a-f]{64} \(file intact\)/)
    const missing = await cli('registry', 'info', '--version', '3.1.4')
    expect(missing.code).toBe(1)
    expect(missing.stderr).toMatch(/MODEL_VERSION_NOT_FOUND: no registered model has version 3\.1\.4/)
  })

  it('a registered version serves from the store: ready after its warm-up, answering as registered', async () => {
    const info = JSON.parse((await cli('registry', 'info', '--version', '2.0.0', '--json')).stdout)
    const port = await freePort()
    const s = spawnXrayops(['serve', '--model', info.manifest, '--host', '127.0.0.1', '--port', String(port), '--device', 'cpu'])
    try {
      await waitFor200(`http://127.0.0.1:${port}/health`, 60_000).catch((e: Error) => {
        throw new Error(`${e.message}\n${s.output()}`)
      })
      const health = (await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as { model: object; checks: { warmup: { passed: boolean } } }
      expect(health.model).toMatchObject({ name: NAME, version: '2.0.0', sha256: info.sha256 })
      expect(health.checks.warmup.passed).toBe(true)
      const image = fs.readFileSync(path.join(state, 'models', 'warmup', 'person100_bacteria_478.jpeg'))
      const res = await fetch(`http://127.0.0.1:${port}/v1/predict`, { method: 'POST', headers: { 'content-type': 'image/jpeg' }, body: image })
      const body = (await res.json()) as { label: string; probabilities: Record<string, number> }
      expect(body.label).toBe('NORMAL')
      expect(body.probabilities.PNEUMONIA).toBeCloseTo(info.warmupScore, 4)
    } finally {
      s.child.kill('SIGTERM')
      await s.exited
    }
  })

  it('archive: old versions after confirmation, never the last one of a name', async () => {
    sql(db, "UPDATE models SET registered_at = '2026-01-01T00:00:00.000Z'")
    const refused = await cli('registry', 'archive', '--older-than', '30d')
    expect(refused.code).toBe(1)
    expect(refused.stderr).toMatch(/Archive 1 version\(s\)\? Not on a terminal: pass --yes to confirm/)
    expect(sqlValue(db, "SELECT count(*) FROM models WHERE status = 'archived'")).toBe('0')

    const dry = await cli('registry', 'archive', '--older-than', '30d', '--dry-run')
    expect(dry.stdout).toMatch(new RegExp(`keeping  ${NAME}@2\\.0\\.0: it is the last registered version of ${NAME}`))
    expect(dry.stdout).toMatch(new RegExp(`would archive  ${NAME}@1\\.0\\.0`))
    expect(sqlValue(db, "SELECT count(*) FROM models WHERE status = 'archived'")).toBe('0')

    const r = await cli('registry', 'archive', '--older-than', '30d', '--yes', '--reason', 'superseded by 2.0.0')
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/archived 1 version\(s\)/)
    expect(sql(db, 'SELECT version, status FROM models ORDER BY version')).toEqual([['1.0.0', 'archived'], ['2.0.0', 'registered']])
    expect((await cli('registry', 'list')).stdout).not.toMatch(/1\.0\.0/)
    expect((await cli('registry', 'list', '--all')).stdout).toMatch(/1\.0\.0\s+archived/)
    // The files stay: archiving removes a version from the deployable set, not from disk.
    expect(fs.existsSync(path.join(state, 'models', `${sha256sum(shippedModel)}.onnx`))).toBe(true)
    const none = await cli('registry', 'archive', '--older-than', '30d', '--yes')
    expect(none.stdout).toMatch(/nothing to archive/)
  })

  it('history: every change, newest first, with who and why', async () => {
    const r = await cli('registry', 'history', '--json')
    expect(r.code, r.stderr).toBe(0)
    const events = JSON.parse(r.stdout)
    expect(events.map((e: { action: string; subject: string; reason: string | null }) => [e.action, e.subject, e.reason])).toEqual([
      ['model.archive', `${NAME}@1.0.0`, 'superseded by 2.0.0'],
      ['model.register', `${NAME}@2.0.0`, null],
      ['model.register', `${NAME}@1.0.0`, 'baseline'],
    ])
    for (const e of events) expect(e.actor).toBe(os.userInfo().username)
    expect((await cli('registry', 'history')).stdout.split('\n')[0]).toMatch(/^WHEN\s+WHO\s+WHAT\s+SUBJECT\s+WHY/)
  })

  it('every command answers --help', async () => {
    for (const c of ['register', 'list', 'info', 'archive', 'history']) {
      const r = await xrayops(['registry', c, '--help'])
      expect(r.code, c).toBe(0)
      expect(r.stdout).toMatch(/--state-dir/)
    }
  })
})
