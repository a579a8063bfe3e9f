/**
 * State survives kill -9 of the CLI mid-operation. A registration (and an archive, and a token
 * change) is stopped dead at each step of its work (test/helpers/crash-hook.mjs), then killed at
 * random moments: afterwards the database is intact, a version is either fully registered with
 * its files or absent, and the same command run again succeeds with nothing left behind.
 */
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { TokenVerifier } from '../../src/auth/index.ts'
import { killAfter, killAtPause, xrayops } from '../helpers/cli.ts'
import { derivedModel, shippedModel } from '../helpers/models.ts'
import { describeWith } from '../helpers/require.ts'
import { sql, sqlite3Cli, sqlValue } from '../helpers/sqlite.ts'

let dir: string
let state: string
let db: string
const sha256sum = (f: string) => execFileSync('sha256sum', [f], { encoding: 'utf8' }).split(' ')[0]
const registerArgs = (version: string, file: string) => ['registry', 'register', '--name', 'pneumonia', '--version', version, '--path', file, '--state-dir', state]

/** The invariants: an intact database; every version with its register event and its files; no event without its version. */
function assertConsistent() {
  expect(sqlValue(db, 'PRAGMA integrity_check')).toBe('ok')
  const models = sql(db, 'SELECT name, version, sha256 FROM models')
  for (const [name, version, sha] of models) {
    expect(sha256sum(path.join(state, 'models', `${sha}.onnx`))).toBe(sha)
    const manifest = JSON.parse(fs.readFileSync(path.join(state, 'models', `${sha}.json`), 'utf8'))
    expect(manifest).toMatchObject({ name, version, sha256: sha })
    expect(fs.existsSync(path.join(state, 'models', manifest.warmup.file))).toBe(true)
  }
  const registered = sql(db, "SELECT subject FROM events WHERE action = 'model.register' ORDER BY subject").map((r) => r[0])
  expect(registered).toEqual(models.map(([n, v]) => `${n}@${v}`).sort())
  return models.length
}

const temps = () => fs.readdirSync(path.join(state, 'models')).filter((f) => f.endsWith('.tmp'))

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xrayops-crash-'))
  state = path.join(dir, 'state')
  db = path.join(state, 'xrayops.db')
})
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

describeWith(sqlite3Cli, 'kill -9 of the CLI', () => {
  const points = [
    ['the model file is written and synced but not renamed', 'before-rename:\\.onnx$'],
    ['the model file is in place, nothing else', 'after-rename:\\.onnx$'],
    ['the manifest is written inside the open transaction', 'after-rename:[0-9a-f]{64}\\.json$'],
    ['the row and its event are inserted, not committed', 'sql:INSERT INTO events'],
  ].map(([what, pause], i) => [what, pause, i] as const)
  it.each(points)('during a registration (%s): the version is absent, and a retry registers it', async (_what, pause, i) => {
    const file = derivedModel(path.join(dir, `m${i}.onnx`), [0, -0.1 * (i + 1)])
    const before = fs.existsSync(db) ? assertConsistent() : 0
    const out = await killAtPause(registerArgs(`1.0.${i}`, file), pause)
    expect(out).toMatch(/PAUSED /)
    expect(assertConsistent()).toBe(before)
    const retry = await xrayops(registerArgs(`1.0.${i}`, file))
    expect(retry.code, retry.stderr).toBe(0)
    expect(assertConsistent()).toBe(before + 1)
    expect(temps()).toEqual([])
  })

  it('after the commit: the version is fully there, and a retry says it is registered', async () => {
    const file = derivedModel(path.join(dir, 'committed.onnx'), [0.3, 0])
    const before = assertConsistent()
    await killAtPause(registerArgs('2.0.0', file), 'sql:WHERE id = \\?')
    expect(assertConsistent()).toBe(before + 1)
    const retry = await xrayops(registerArgs('2.0.0', file))
    expect(retry.code).toBe(1)
    expect(retry.stderr).toMatch(/DUPLICATE_MODEL: pneumonia@2\.0\.0 is already registered/)
  })

  it('at random moments of a registration: always all or nothing', async () => {
    // How long a whole registration takes here; the kills are spread over it (start-up, model
    // load, warm-up, store, commit) and a little past it.
    const t0 = performance.now()
    const timed = await xrayops(registerArgs('2.5.0', derivedModel(path.join(dir, 'timed.onnx'), [0, 0.5])))
    expect(timed.code, timed.stderr).toBe(0)
    const span = performance.now() - t0
    const file = derivedModel(path.join(dir, 'random.onnx'), [0, 0.7])
    for (const f of [0.2, 0.4, 0.55, 0.7, 0.8, 0.9, 1.0, 1.1]) {
      const before = assertConsistent()
      await killAfter(registerArgs('3.0.0', file), Math.round(span * f))
      const added = assertConsistent() - before
      expect([0, 1]).toContain(added)
      if (added) break
    }
    const retry = await xrayops(registerArgs('3.0.0', file))
    expect(retry.code === 0 || /DUPLICATE_MODEL: pneumonia@3\.0\.0 is already registered/.test(retry.stderr), retry.stderr).toBe(true)
    expect(sqlValue(db, "SELECT count(*) FROM models WHERE version = '3.0.0'")).toBe('1')
    assertConsistent()
    expect(temps()).toEqual([])
  })

  it('during an archive: nothing archived, no event; the retry archives', async () => {
    sql(db, "UPDATE models SET registered_at = '2026-01-01T00:00:00.000Z'")
    const args = ['registry', 'archive', '--older-than', '30d', '--yes', '--state-dir', state]
    await killAtPause(args, "sql:UPDATE models SET status = 'archived'")
    expect(sqlValue(db, "SELECT count(*) FROM models WHERE status = 'archived'")).toBe('0')
    expect(sqlValue(db, "SELECT count(*) FROM events WHERE action = 'model.archive'")).toBe('0')
    const r = await xrayops(args)
    expect(r.code, r.stderr).toBe(0)
    const archived = Number(sqlValue(db, "SELECT count(*) FROM models WHERE status = 'archived'"))
    expect(archived).toBeGreaterThan(0)
    expect(sqlValue(db, "SELECT count(*) FROM events WHERE action = 'model.archive'")).toBe(String(archived))
  })

  it('during a token change: the tokens file stays whole and the next change goes through', async () => {
    const tokens = path.join(state, 'tokens.json')
    const create = (name: string) => ['token', 'create', '--name', name, '--scope', 'admin', '--state-dir', state]
    const first = await xrayops(create('one'))
    expect(first.code, first.stderr).toBe(0)
    await killAtPause(create('two'), 'before-rename:tokens\\.json$')
    // The killed writer held the database's write lock: the OS released it with the process.
    expect(JSON.parse(fs.readFileSync(tokens, 'utf8')).tokens.map((t: { name: string }) => t.name)).toEqual(['one'])
    expect(new TokenVerifier(tokens).verify(first.stdout.trim(), 'admin')).toMatchObject({ ok: true, name: 'one' })
    const again = await xrayops(create('two'))
    expect(again.code, again.stderr).toBe(0)
    expect(JSON.parse(fs.readFileSync(tokens, 'utf8')).tokens.map((t: { name: string }) => t.name)).toEqual(['one', 'two'])
    // The killed writer's temporary file was removed by the next writer.
    expect(fs.readdirSync(state).filter((f) => f.endsWith('.tmp'))).toEqual([])
  })
})
