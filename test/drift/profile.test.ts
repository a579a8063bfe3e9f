/**
 * The shipped drift profile and the registry: the model manifest names the profile with its
 * sha256 (checked with sha256sum); `registry register --drift-profile` stores a model's own
 * profile beside it and refuses another model's; `xrayops drift` finds the registered copy.
 */
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { expect, it } from 'vitest'
import { readProfile } from '../../src/drift/profile.ts'
import { xrayops } from '../helpers/cli.ts'
import { tempDir } from '../helpers/fixtures.ts'
import { derivedModel, shippedModel } from '../helpers/models.ts'
import { describeWith } from '../helpers/require.ts'
import { sqlite3Cli } from '../helpers/sqlite.ts'

const sha256sum = (f: string) => execFileSync('sha256sum', [f], { encoding: 'utf8' }).split(' ')[0]
const manifestPath = shippedModel.replace(/\.onnx$/, '.json')

it('the shipped manifest names its drift profile by sha256, built from the 5,216 training images for this model', async () => {
  const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8'))
  const file = path.join(path.dirname(manifestPath), manifest.drift.file)
  expect(manifest.drift.sha256).toBe(sha256sum(file))
  const profile = await readProfile(file, manifest.drift.sha256)
  expect(profile.model).toEqual({ name: manifest.name, version: manifest.version, sha256: sha256sum(shippedModel) })
  // shared/data/README.md: the training split holds 1,341 NORMAL and 3,875 PNEUMONIA images.
  expect(profile.source).toMatchObject({ images: 5216, labels: { NORMAL: 1341, PNEUMONIA: 3875 } })
  expect(profile.n).toBe(5216)
  expect(profile.intensity.shares.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4)
  expect(profile.geometry).toMatchObject({ median_width: 224, median_height: 224, median_aspect: 1, share_16bit: 0, formats: { jpeg: 5216 } })
  expect(fs.statSync(file).size).toBeLessThan(32 * 1024)
})

describeWith(sqlite3Cli, 'drift profiles in the registry', () => {
  it('register --drift-profile stores it beside the model; another model\'s profile is refused', async () => {
    const dir = tempDir('drift-registry')
    const state = path.join(dir, 'state')
    const profile = path.join(path.dirname(manifestPath), JSON.parse(fs.readFileSync(manifestPath, 'utf8')).drift.file)
    const cli = (...args: string[]) => xrayops([...args, '--state-dir', state])
    const r = await cli('registry', 'register', '--name', 'chest', '--version', '1.0.0', '--path', shippedModel, '--drift-profile', profile, '--json')
    expect(r.code, r.stderr).toBe(0)
    const rec = JSON.parse(r.stdout)
    const manifest = JSON.parse(fs.readFileSync(rec.manifest, 'utf8'))
    const stored = path.join(state, 'models', `${rec.sha256}.drift.json`)
    expect(manifest.drift).toEqual({ file: `${rec.sha256}.drift.json`, sha256: sha256sum(profile) })
    expect(sha256sum(stored)).toBe(sha256sum(profile))
    // xrayops drift finds the registered copy from the manifest (no data yet: not enough).
    const d = await cli('drift', '--analyze-recent', '--model', rec.manifest, '--json')
    expect(d.code, d.stderr).toBe(0)
    expect(JSON.parse(d.stdout)).toMatchObject({ verdict: 'insufficient_data', images: 0, profile: stored })

    const other = derivedModel(path.join(dir, 'other.onnx'), [0, -2.5])
    const refused = await cli('registry', 'register', '--name', 'chest', '--version', '2.0.0', '--path', other, '--drift-profile', profile)
    expect(refused.code).toBe(1)
    expect(refused.stderr).toMatch(/INVALID_FILE: .* is the drift profile of pneumonia-efficientnet_b0 v1 \(sha256 53c15d48fe30\), not of this model/)
    const none = await cli('drift', '--analyze-recent', '--profile', path.join(dir, 'missing.json'))
    expect(none.code).toBe(1)
    expect(none.stderr).toContain('DRIFT_PROFILE_MISSING: drift profile not found')
  })
})
