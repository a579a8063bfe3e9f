/**
 * The commands that read the audit trail: `xrayops audit --recent/--since/--accuracy-check`,
 * `xrayops data validate --check-recent-data` on inputs unlike chest X-rays, and retention.
 */
import path from 'node:path'
import sharp from 'sharp'
import { expect, it } from 'vitest'
import { recordFeedback } from '../../src/audit/feedback.ts'
import { openState } from '../../src/state/db.ts'
import { insertRecords } from '../../src/audit/store.ts'
import { xrayops } from '../helpers/cli.ts'
import { TS, imageElements, nativePixels, writeDicom } from '../helpers/dicom.ts'
import { readFixture, tempDir } from '../helpers/fixtures.ts'
import { describeWith } from '../helpers/require.ts'
import { json, postImage } from '../helpers/server.ts'
import { sql, sqlite3Cli, sqlValue } from '../helpers/sqlite.ts'
import { auditApp, fakeRecord, tempState, until } from './helpers.ts'

const cli = (dir: string, ...args: string[]) => xrayops([...args, '--state-dir', dir])

/** A gray chest X-ray as DICOM with the given view and body part. */
async function dicom(view: string, bodyPart: string): Promise<Uint8Array> {
  const { data, info } = await sharp(readFixture('xray-224/NORMAL/IM-0005-0001.jpeg')).greyscale().raw().toBuffer({ resolveWithObject: true })
  const extra = [{ tag: 0x00185101, vr: 'CS', value: view }, { tag: 0x00180015, vr: 'CS', value: bodyPart }]
  return writeDicom({ transferSyntax: TS.explicitLE, elements: imageElements({ rows: info.height, columns: info.width, extra }), pixels: nativePixels(data, 8), pixelVR: 'OB' })
}

describeWith(sqlite3Cli, 'commands on the audit trail', () => {
  it('data validate flags tiny, colour, inverted, near-constant, lateral and non-chest inputs, and fails past the share', async () => {
    const dir = tempDir('audit-data')
    const s = auditApp(dir)
    const sent: Record<string, string> = {}
    try {
      await s.loaded
      const fixture = readFixture('xray-224/PNEUMONIA/person100_bacteria_478.jpeg')
      // A colour photo-like gradient: red across, green down, blue against red.
      const rgb = new Uint8Array(300 * 300 * 3).map((_, i) => {
        const [p, c] = [Math.floor(i / 3), i % 3]
        const x = p % 300
        const y = Math.floor(p / 300)
        return c === 0 ? (x * 255) / 299 : c === 1 ? (y * 255) / 299 : 255 - (x * 255) / 299
      })
      const colour = await sharp(rgb, { raw: { width: 300, height: 300, channels: 3 } }).png().toBuffer()
      const inputs: [string, Uint8Array, string][] = [
        ['clean', fixture, 'image/jpeg'],
        ['clean2', readFixture('xray-224/NORMAL/IM-0069-0001.jpeg'), 'image/jpeg'],
        ['tiny', await sharp(fixture).resize(100, 100).jpeg().toBuffer(), 'image/jpeg'],
        ['colour', colour, 'image/png'],
        ['inverted', await sharp(fixture).negate({ alpha: false }).jpeg().toBuffer(), 'image/jpeg'],
        ['near_constant', await sharp({ create: { width: 300, height: 300, channels: 3, background: { r: 128, g: 128, b: 128 } } }).greyscale().png().toBuffer(), 'image/png'],
        ['lateral', await dicom('LL', 'CHEST'), 'application/dicom'],
        ['hand', await dicom('PA', 'HAND'), 'application/dicom'],
      ].map(([k, b, t]) => [k as string, new Uint8Array(b as Uint8Array), t as string])
      for (const [kind, bytes, type] of inputs) {
        const res = await postImage(s, bytes, type)
        expect(res.status, kind).toBe(200)
        sent[(await json(res)).id] = kind
      }
      await until('8 rows', () => Number(sqlValue(path.join(dir, 'xrayops.db'), 'SELECT count(*) FROM audit')) === 8 || undefined)
    } finally {
      await s.close()
    }
    const r = await cli(dir, 'data', 'validate', '--check-recent-data', '--json')
    expect(r.code, r.stderr).toBe(1)
    const check = JSON.parse(r.stdout)
    expect(check).toMatchObject({ checked: 8, flagged: 6, passed: false, maxShare: 0.05 })
    expect(check.counts).toEqual({ upsampled: 1, colour: 1, inverted: 1, near_constant: 1, lateral_view: 1, non_chest: 1 })
    const byKind = Object.fromEntries(check.examples.map((e: { id: string; flags: string[] }) => [sent[e.id], e.flags]))
    expect(byKind).toEqual({ tiny: ['upsampled'], colour: ['colour'], inverted: ['inverted'], near_constant: ['near_constant'], lateral: ['lateral_view'], hand: ['non_chest'] })
    const text = await cli(dir, 'data', 'validate', '--check-recent-data')
    expect(text.stdout).toContain('8 inputs checked (the decoded images among the most recent 1000 predictions); 6 flagged (75.0%), limit 5.0%')
    expect(text.stdout).toContain('FAIL: 75.0% of the inputs are unlike chest X-rays')
    expect((await cli(dir, 'data', 'validate', '--check-recent-data', '--max-flagged-share', '0.8')).code).toBe(0)
    expect((await cli(dir, 'data', 'validate', '--check-recent-data', '--window', '2')).stdout).toContain('2 inputs checked')
    const usage = await cli(dir, 'data', 'validate')
    expect(usage.code).toBe(1)
    expect(usage.stderr + usage.stdout).toContain('--check-recent-data')

    // audit --recent: newest first, the flags shown.
    const recent = await cli(dir, 'audit', '--recent', '3')
    expect(recent.code, recent.stderr).toBe(0)
    const lines = recent.stdout.trim().split('\n')
    expect(lines[0]).toMatch(/^TIME \(UTC\)\s+ID\s+MODEL\s+LABEL\s+P\(POS\)\s+MS\s+SOURCE\s+CLIENT\s+INPUT\s+FLAGS\s+FEEDBACK$/)
    expect(lines).toHaveLength(4)
    const ids = sql(path.join(dir, 'xrayops.db'), 'SELECT id FROM audit ORDER BY seq DESC LIMIT 3').map((x) => x[0])
    ids.forEach((id, i) => expect(lines[i + 1]).toContain(id))
    expect(lines[1]).toContain('non_chest')
    const all = JSON.parse((await cli(dir, 'audit', '--recent', '--json')).stdout)
    expect(all.predictions).toHaveLength(8)
    expect(all.predictions[0]).toMatchObject({ source: 'v1', cached: false, format: 'dicom', body_part: 'HAND', feedback: null })
    expect(JSON.parse((await cli(dir, 'audit', '--since', '1h', '--json')).stdout).predictions).toHaveLength(8)
  })

  it('audit --accuracy-check names the data set and fails below 80% with 50 labelled', async () => {
    const state = await tempState('audit-accuracy')
    // 60 predictions (30 PNEUMONIA, 30 NORMAL) labelled: 45 right, 15 wrong.
    const records = Array.from({ length: 60 }, (_, i) => {
      const r = fakeRecord(`p${i}`)
      return i % 2 ? { ...r, label: 'PNEUMONIA', score: 0.9, probabilities: { NORMAL: 0.1, PNEUMONIA: 0.9 } } : r
    })
    insertRecords(state.db, records)
    const few = await cli(state.paths.dir, 'audit', '--accuracy-check')
    expect(few.stdout).toContain('no labelled predictions')
    records.forEach((r, i) => recordFeedback(state.db, { predictionId: r.id, trueLabel: i < 45 ? r.label : r.label === 'PNEUMONIA' ? 'NORMAL' : 'PNEUMONIA', reviewer: 'r1' }))
    state.close()
    const r = await cli(state.paths.dir, 'audit', '--accuracy-check')
    expect(r.code).toBe(1)
    expect(r.stdout).toContain('m@1: radiologist feedback on production predictions, 60 labelled (the most recent 200 labels), threshold 0.5')
    // Sensitivity and specificity counted here from the labels given.
    const truthP = records.map((x, i) => (i < 45 ? x.label : x.label === 'PNEUMONIA' ? 'NORMAL' : 'PNEUMONIA'))
    const tp = records.filter((x, i) => x.label === 'PNEUMONIA' && truthP[i] === 'PNEUMONIA').length
    const fn = records.filter((x, i) => x.label === 'NORMAL' && truthP[i] === 'PNEUMONIA').length
    expect(r.stdout).toContain(`accuracy 75.0%  sensitivity ${((100 * tp) / (tp + fn)).toFixed(1)}%`)
    expect(r.stdout).toContain('BELOW 80%')
    const shown = JSON.parse((await cli(state.paths.dir, 'audit', '--recent', '2', '--json')).stdout).predictions
    expect(shown.map((p: { id: string; feedback: string }) => [p.id, p.feedback])).toEqual([
      ['p59', truthP[59]],
      ['p58', truthP[58]],
    ])
    const j = JSON.parse((await cli(state.paths.dir, 'audit', '--accuracy-check', '--json')).stdout)
    expect(j.accuracy.models[0]).toMatchObject({ labelled: 60, accuracy: 0.75, positive: 'PNEUMONIA', failing: true })
    // A window of the 44 most recent labels (all wrong ones are among them): fewer than 50, not failing.
    const small = await cli(state.paths.dir, 'audit', '--accuracy-check', '--feedback-window', '44')
    expect(small.code).toBe(0)
    expect(small.stdout).toContain('fewer than 50 labelled')
  })

  it('retention deletes records (and their labels) older than audit.retention when the server starts', async () => {
    const dir = tempDir('audit-retention')
    const seed = await openState(dir)
    const old = new Date(Date.now() - 40 * 86_400_000)
    insertRecords(seed.db, [fakeRecord('old1', old), fakeRecord('old2', old), fakeRecord('new1')])
    recordFeedback(seed.db, { predictionId: 'old1', trueLabel: 'NORMAL' })
    seed.close()
    const s = auditApp(dir, { audit: { retentionMs: 30 * 86_400_000 } })
    try {
      await s.loaded
      const db = path.join(dir, 'xrayops.db')
      await until('old records deleted', () => sqlValue(db, 'SELECT count(*) FROM audit') === '1' || undefined)
      expect(sql(db, 'SELECT id FROM audit')).toEqual([['new1']])
      expect(sqlValue(db, 'SELECT count(*) FROM feedback')).toBe('0')
    } finally {
      await s.close()
    }
  })
})
