/**
 * The registry's API on a real state directory, for what the CLI does not show directly: version
 * lookups across names, the protection check repeated inside the archive transaction, and the
 * manifest it writes. Model loading is the CLI's part (tested there); here the checked facts are
 * given.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { readManifest } from '../../src/models/manifest.ts'
import { applyArchive, planArchive } from '../../src/registry/archive.ts'
import { Registry } from '../../src/registry/registry.ts'
import { sha256 } from '../../src/registry/store.ts'
import { openState, type State } from '../../src/state/db.ts'
import { setEnvironment } from '../../src/state/environments.ts'
import { listEvents } from '../../src/state/events.ts'

let dir: string
let state: State
let reg: Registry
beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xrayops-registry-api-'))
  state = await openState(dir)
  reg = new Registry(state)
})
afterEach(() => {
  state.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

const checked = { architecture: 'efficientnet_b0', input: { name: 'input', height: 224, width: 224 }, cam: { height: 7, width: 7 }, warmupScore: 0.25, opset: 17, producer: 'test' }

async function add(name: string, version: string, seed: number) {
  const { manifest: template } = await readManifest()
  const bytes = new Uint8Array(64).fill(seed)
  return reg.register({ name, version, bytes, sha256: sha256(bytes), checked, template, warmupImage: { name: 'w.jpeg', bytes: new Uint8Array([seed]) }, actor: 'tester' })
}

describe('the registry API', () => {
  it('finds a version across names, and asks for the name when two have it', async () => {
    await add('a', '1.0.0', 1)
    await add('b', '1.0.0', 2)
    await add('b', '2.0.0', 3)
    expect(reg.find('v2.0.0')).toMatchObject({ name: 'b', version: '2.0.0' })
    expect(() => reg.find('1.0.0')).toThrow(expect.objectContaining({ code: 'AMBIGUOUS_VERSION', message: expect.stringMatching(/registered under several names \(a, b\): pass --name/) }))
    expect(reg.find('1.0.0', 'a')).toMatchObject({ name: 'a', sha256: sha256(new Uint8Array(64).fill(1)) })
    expect(() => reg.find('1.0.0', 'c')).toThrow(expect.objectContaining({ code: 'MODEL_VERSION_NOT_FOUND' }))
  })

  it('writes a manifest the server can load, naming the stored file and the warm-up answer', async () => {
    const r = await add('m', '1.2.3-rc.1', 4)
    const { manifest } = await readManifest(reg.manifestPath(r))
    expect(manifest).toMatchObject({ name: 'm', version: '1.2.3-rc.1', file: `${r.sha256}.onnx`, sha256: r.sha256, warmup: { file: 'warmup/w.jpeg', score: 0.25 } })
    expect(fs.readFileSync(path.join(dir, 'models', manifest.file))).toEqual(Buffer.from(new Uint8Array(64).fill(4)))
    expect(listEvents(state.db)).toMatchObject([{ actor: 'tester', action: 'model.register', subject: 'm@1.2.3-rc.1' }])
  })

  it('checks again, inside the archive transaction, that no version became protected since the plan', async () => {
    const old = await add('m', '1.0.0', 5)
    await add('m', '2.0.0', 6)
    const plan = planArchive(reg, { olderThanMs: 0 }, new Date(Date.now() + 1000))
    expect(plan.archive.map((r) => r.version)).toEqual(['1.0.0'])
    // Meanwhile a release deploys 1.0.0 to green.
    setEnvironment(state.db, 'green', { modelId: old.id, state: 'starting' })
    expect(() => applyArchive(reg, plan, 'tester', 'old')).toThrow(expect.objectContaining({ code: 'MODEL_IN_USE', message: 'm@1.0.0 cannot be archived: the green environment runs it (starting)' }))
    expect(reg.list().map((r) => r.status)).toEqual(['registered', 'registered'])
    expect(listEvents(state.db, { prefix: 'model.archive' })).toEqual([])
  })
})
