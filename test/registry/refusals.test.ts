/**
 * Every refusal of the registry, through the CLI on a real state directory: each exits 1 with
 * its error code and leaves no row, no event and no stored file behind.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { openState } from '../../src/state/db.ts'
import { setEnvironment, setReleaseState } from '../../src/state/environments.ts'
import { xrayops } from '../helpers/cli.ts'
import { derivedModel, notOnnxFile, shippedModel, tinyModel, torchCheckpoint } from '../helpers/models.ts'
import { describeWith } from '../helpers/require.ts'
import { sql, sqlite3Cli, sqlValue } from '../helpers/sqlite.ts'

let dir: string
let state: string
let db: string
const files: Record<string, string> = {}
const cli = (...args: string[]) => xrayops([...args, '--state-dir', state])
const register = (name: string, version: string, file: string, ...more: string[]) => cli('registry', 'register', '--name', name, '--version', version, '--path', file, ...more)

/** What the state holds: rows, events and store files. */
const snapshot = () => ({
  models: sql(db, 'SELECT name, version, status FROM models ORDER BY id'),
  events: sqlValue(db, 'SELECT count(*) FROM events'),
  files: fs.readdirSync(path.join(state, 'models')).sort(),
})

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xrayops-refusals-'))
  state = path.join(dir, 'state')
  db = path.join(state, 'xrayops.db')
  files.derived = derivedModel(path.join(dir, 'derived.onnx'), [0.5, -0.5])
  files.derived2 = derivedModel(path.join(dir, 'derived2.onnx'), [0, 1])
  files.tiny = tinyModel(path.join(dir, 'tiny.onnx'))
  files.wrongIo = tinyModel(path.join(dir, 'probs.onnx'), 'wrong')
  files.text = notOnnxFile(path.join(dir, 'weights.onnx'))
  files.pth = torchCheckpoint(path.join(dir, 'model.pth'))
  files.zipAsOnnx = torchCheckpoint(path.join(dir, 'renamed.onnx'))
  const r = await register('pneumonia', '1.0.0', shippedModel)
  expect(r.code, r.stderr).toBe(0)
}, 120_000)
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

/** Runs a command that must be refused with `code` and a message matching `message`, changing nothing. */
async function refused(run: Promise<{ code: number; stderr: string }>, code: string, message: RegExp) {
  const before = snapshot()
  const r = await run
  expect(r.code, r.stderr).toBe(1)
  expect(r.stderr).toContain(`${code}: `)
  expect(r.stderr).toMatch(message)
  expect(snapshot()).toEqual(before)
}

describeWith(sqlite3Cli, 'the registry refuses', () => {
  it('a file that is not ONNX', () => refused(register('pneumonia', '2.0.0', files.text), 'MODEL_NOT_ONNX', /weights\.onnx is not an ONNX model/))

  it('a PyTorch checkpoint, by its name or by its content, saying how to export it', async () => {
    for (const f of [files.pth, files.zipAsOnnx])
      await refused(register('pneumonia', '2.0.0', f), 'MODEL_NOT_ONNX', /is a PyTorch checkpoint, not an ONNX model\. Export it to ONNX first[\s\S]*torch\.onnx\.export\(model, torch\.randn\(1, 3, 224, 224\)[\s\S]*output_names=\["logits", "cam"\]/)
  })

  it('a model without the server’s outputs', () =>
    refused(register('pneumonia', '2.0.0', files.wrongIo), 'MODEL_WRONG_IO', /outputs logits float32 \[N,2\] and cam float32 \[N,2,h,w\]\): no output named logits; no output named cam; other outputs: probs float32 \[N,3\]/))

  it('a model of another architecture: not an EfficientNet, or not the one expected', async () => {
    await refused(register('tiny', '1.0.0', files.tiny), 'MODEL_WRONG_ARCHITECTURE', /tiny\.onnx is not an EfficientNet this server knows \(0 squeeze-excite blocks/)
    await refused(register('chest_xray_efficientnet_b4', '2.0.0', files.derived), 'MODEL_WRONG_ARCHITECTURE', /is efficientnet_b0 \(16 squeeze-excite blocks.*\), but efficientnet_b4 is expected \(the name chest_xray_efficientnet_b4 says so\)/)
    await refused(register('other', '2.0.0', files.derived, '--architecture', 'efficientnet_b4'), 'MODEL_WRONG_ARCHITECTURE', /but efficientnet_b4 is expected \(--architecture\)/)
  })

  it('a version already registered under that name, with or without v', async () => {
    await refused(register('pneumonia', '1.0.0', files.derived), 'DUPLICATE_MODEL', /pneumonia@1\.0\.0 is already registered .*versions are never replaced/)
    await refused(register('pneumonia', 'v1.0.0', files.derived), 'DUPLICATE_MODEL', /pneumonia@1\.0\.0 is already registered/)
  })

  it('bytes already registered under another version, naming it', () =>
    refused(register('pneumonia', '9.9.9', shippedModel), 'DUPLICATE_MODEL', /these exact bytes \(sha256 53c15d48fe30\) are already registered as pneumonia@1\.0\.0/))

  it('a version that is not semantic', async () => {
    for (const v of ['1.0', 'latest', '2.0.0.0', '../1.0.0']) await refused(register('pneumonia', v, files.derived), 'INVALID_VERSION', /is not a semantic version/)
  })

  it('a name that could escape the store', async () => {
    for (const n of ['../escape', 'a/b', '/etc/passwd', '..', '.hidden'])
      await refused(register(n, '2.0.0', files.derived), 'INVALID_NAME', /is not allowed: use letters, digits/)
    expect(fs.readdirSync(dir).sort()).toEqual(['derived.onnx', 'derived2.onnx', 'model.pth', 'probs.onnx', 'renamed.onnx', 'state', 'tiny.onnx', 'weights.onnx'])
  })

  it('a missing file and a bad accuracy', async () => {
    await refused(register('pneumonia', '2.0.0', path.join(dir, 'nope.onnx')), 'MODEL_NOT_FOUND', /model file not found: .*nope\.onnx/)
    const bad = await register('pneumonia', '2.0.0', files.derived, '--accuracy', '1.5')
    expect(bad.code).toBe(1)
    expect(bad.stderr).toMatch(/--accuracy 1\.5 must be a number in 0\.\.1/)
  })

  it('archiving a version an environment serves, the last good one, or the last of its name', async () => {
    for (const [v, f] of [['2.0.0', files.derived], ['3.0.0', files.derived2]] as const) expect((await register('pneumonia', v, f)).code).toBe(0)
    const s = await openState(state)
    const id = (v: string) => Number(sqlValue(db, `SELECT id FROM models WHERE version = '${v}'`))
    s.db.transaction(() => {
      setEnvironment(s.db, 'blue', { modelId: id('2.0.0'), port: 8001, state: 'ready' })
      setReleaseState(s.db, { liveColour: 'blue', lastGoodModelId: id('1.0.0') })
    })
    s.close()
    await refused(cli('registry', 'archive', '--version', '2.0.0', '--yes'), 'MODEL_IN_USE', /pneumonia@2\.0\.0 cannot be archived: the blue environment runs it \(ready\)/)
    await refused(cli('registry', 'archive', '--version', '1.0.0', '--yes'), 'MODEL_IN_USE', /pneumonia@1\.0\.0 cannot be archived: it is the last good release/)
    // With --older-than, protected versions are kept and said so; the rest go.
    sql(db, "UPDATE models SET registered_at = '2026-01-01T00:00:00.000Z'")
    const r = await cli('registry', 'archive', '--older-than', '1d', '--yes')
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/keeping  pneumonia@2\.0\.0: the blue environment runs it/)
    expect(r.stdout).toMatch(/keeping  pneumonia@1\.0\.0: it is the last good release/)
    expect(sql(db, 'SELECT version, status FROM models ORDER BY version')).toEqual([['1.0.0', 'registered'], ['2.0.0', 'registered'], ['3.0.0', 'archived']])
    // Blue moves to 1.0.0: 2.0.0 is in use no more, and archiving it leaves 1.0.0 registered.
    const t = await openState(state)
    setEnvironment(t.db, 'blue', { modelId: id('1.0.0') })
    t.close()
    expect((await cli('registry', 'archive', '--version', '2.0.0', '--yes')).code).toBe(0)
    await refused(cli('registry', 'archive', '--version', '1.0.0', '--yes'), 'MODEL_IN_USE', /the blue environment runs it/)
  })

  it('archive without saying what to archive, or with a bad duration', async () => {
    for (const args of [[], ['--older-than', '30d', '--version', '1.0.0'], ['--older-than', 'a month']]) {
      const r = await cli('registry', 'archive', ...args)
      expect(r.code).toBe(1)
      expect(r.stderr).toMatch(/give --older-than DURATION or --version VERSION|is not a duration/)
    }
  })

  it('the second of two registrations of one version racing each other', async () => {
    const a = derivedModel(path.join(dir, 'race-a.onnx'), [0, 0.2])
    const b = derivedModel(path.join(dir, 'race-b.onnx'), [0, 0.3])
    const [ra, rb] = await Promise.all([register('pneumonia', '5.0.0', a), register('pneumonia', '5.0.0', b)])
    expect([ra.code, rb.code].sort()).toEqual([0, 1])
    expect((ra.code ? ra : rb).stderr).toMatch(/DUPLICATE_MODEL: pneumonia@5\.0\.0 is already registered/)
    expect(sql(db, "SELECT version FROM models WHERE version = '5.0.0'")).toEqual([['5.0.0']])
    expect(sqlValue(db, "SELECT count(*) FROM events WHERE subject = 'pneumonia@5.0.0'")).toBe('1')
  })
})
