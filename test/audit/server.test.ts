/**
 * The audit trail in the model server: every finished prediction (v1, batch, OIP images and
 * tensors, cache hits) becomes one row with what the response said, read back with the sqlite3
 * shell; POST /v1/feedback and its refusals; a server without a usable database still answers.
 */
import { createHash } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { expect, it } from 'vitest'
import { readFixture, tempDir } from '../helpers/fixtures.ts'
import { describeWith } from '../helpers/require.ts'
import { json, parsePrometheus, postImage, start } from '../helpers/server.ts'
import { sql, sqlite3Cli, sqlValue } from '../helpers/sqlite.ts'
import { auditApp, until } from './helpers.ts'

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex')
const normal = readFixture('xray-224/NORMAL/IM-0005-0001.jpeg')
const original = readFixture('xray-original/person100_bacteria_475.jpeg')

const row = (db: string, id: string) => {
  const cols = ['id', 'model_name', 'model_version', 'model_sha256', 'input_sha256', 'input_bytes', 'input_kind', 'format', 'width', 'height', 'bit_depth', 'label', 'score', 'latency_ms', 'device', 'source', 'cached', 'client', 'quality_flags', 'stats']
  const r = sql(db, `SELECT ${cols.join(', ')} FROM audit WHERE id = '${id}'`)[0]
  return r ? Object.fromEntries(cols.map((c, i) => [c, r[i]])) : undefined
}

const post = (t: { url: string; fetch: (u: string, i?: RequestInit) => Promise<Response> }, p: string, body: unknown) =>
  t.fetch(`${t.url}${p}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })

describeWith(sqlite3Cli, 'the audit trail in the model server', () => {
  it('records each prediction as answered (v1, cache hit, batch, OIP image and tensor), and labels one', async () => {
    const dir = tempDir('audit-server')
    const s = auditApp(dir, { performance: { cacheSize: 16 } })
    const db = path.join(dir, 'xrayops.db')
    try {
      await s.loaded
      const a = await json(await postImage(s, original))
      const again = await json(await postImage(s, original))
      expect(again.cached).toBe(true)
      const form = new FormData()
      form.append('a', new Blob([normal]), 'a.jpeg')
      form.append('b', new Blob([original]), 'b.jpeg')
      const batch = await json(await s.fetch(`${s.url}/v1/predict/batch`, { method: 'POST', headers: { 'cache-control': 'no-cache' }, body: form }))
      const oip = await s.fetch(`${s.url}/v2/models/pneumonia-efficientnet_b0/infer`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ id: 'oip-1', inputs: [{ name: 'input', shape: [1, 3, 224, 224], datatype: 'FP32', data: new Array(3 * 224 * 224).fill(0.1) }] }),
      })
      expect(oip.status).toBe(200)
      const ids = [a.id, again.id, ...batch.results.map((r: { id: string }) => r.id)]
      await until('5 rows', () => Number(sqlValue(db, 'SELECT count(*) FROM audit')) >= 5 || undefined)

      const first = row(db, a.id)!
      expect(first).toMatchObject({
        model_name: a.model.name,
        model_version: a.model.version,
        model_sha256: a.model.sha256,
        input_sha256: sha(original),
        input_bytes: String(original.length),
        input_kind: 'image',
        format: 'jpeg',
        width: '1106', // test/fixtures/README.md
        height: '762',
        bit_depth: '8',
        label: a.label,
        device: a.device,
        source: 'v1',
        cached: '0',
        client: '', // in-process: no socket, no address
        quality_flags: '[]',
      })
      expect(Number(first.score)).toBeCloseTo(a.probabilities.PNEUMONIA, 6)
      expect(Number(first.latency_ms)).toBeCloseTo(a.timings.total, 3)
      const stats = JSON.parse(first.stats!)
      expect(stats.n).toBe(224 * 224)
      expect(stats.h.reduce((x: number, y: number) => x + y, 0)).toBe(224 * 224)
      // The cache hit: same input hash, no image facts, marked cached.
      expect(row(db, again.id)).toMatchObject({ input_sha256: sha(original), input_bytes: '0', cached: '1', format: '', stats: '' })
      expect(row(db, ids[2])).toMatchObject({ source: 'batch', input_sha256: sha(normal), width: '224', height: '224' })
      // OIP tensor input: hashed, no image.
      const tensor = sql(db, "SELECT source, input_kind, format FROM audit WHERE source = 'oip'")
      expect(tensor).toEqual([['oip', 'tensor', '']])

      // Feedback: 201, then 409 for a second label; 404 and 400 for bad ones.
      const fb = await post(s, '/v1/feedback', { prediction_id: a.id, true_label: 'pneumonia', reviewer: 'dr-house' })
      expect(fb.status).toBe(201)
      expect(await json(fb)).toMatchObject({ prediction_id: a.id, true_label: 'PNEUMONIA', predicted_label: a.label, reviewer: 'dr-house', model_sha256: a.model.sha256 })
      const twice = await post(s, '/v1/feedback', { prediction_id: a.id, true_label: 'NORMAL' })
      expect(twice.status).toBe(409)
      expect((await json(twice)).error).toMatchObject({ code: 'FEEDBACK_EXISTS' })
      const unknown = await post(s, '/v1/feedback', { prediction_id: 'no-such-id', true_label: 'NORMAL' })
      expect([unknown.status, (await json(unknown)).error.code]).toEqual([404, 'PREDICTION_NOT_FOUND'])
      const bad = await post(s, '/v1/feedback', { prediction_id: a.id, true_label: 'COVID' })
      expect(bad.status).toBe(400)
      expect((await json(bad)).error.message).toContain('NORMAL, PNEUMONIA')
      expect((await post(s, '/v1/feedback', ['x'])).status).toBe(400)
      expect((await s.fetch(`${s.url}/v1/feedback`, { method: 'POST', body: 'x' })).status).toBe(415)
      expect(sql(db, 'SELECT prediction_id, true_label FROM feedback')).toEqual([[a.id, 'PNEUMONIA']])

      const m = parsePrometheus(await (await s.fetch(`${s.url}/metrics`)).text())
      expect(m.get('xray_feedback_window_labelled')).toBe(1)
      expect(m.get('xray_feedback_total{true_label="PNEUMONIA"}')).toBe(1)
      expect(m.get('xray_feedback_accuracy')).toBe(a.label === 'PNEUMONIA' ? 1 : 0)
      expect(m.get('xray_audit_queue_depth')).toBe(0)
      expect(m.get('xray_audit_dropped_total{reason="queue_full"}')).toBe(0)
      // The drift check ran at start: too few images for a verdict, so no drift and no PSI yet.
      expect(m.get('xray_drift_detected')).toBe(0)
      expect(m.get('xray_drift_psi{feature="intensity"}')).toBeUndefined()
      expect(sql(db, 'PRAGMA integrity_check')).toEqual([['ok']])
    } finally {
      await s.close()
    }
  })

  it('a label for a prediction still queued is written after it (no 404 in the flush window)', async () => {
    const dir = tempDir('audit-queued')
    const s = auditApp(dir, { audit: { flushIntervalMs: 60_000, flushRecords: 1000 } })
    try {
      await s.loaded
      const a = await json(await postImage(s, normal))
      await new Promise((r) => setImmediate(r))
      const fb = await post(s, '/v1/feedback', { prediction_id: a.id, true_label: 'NORMAL' })
      expect(fb.status).toBe(201)
    } finally {
      await s.close()
    }
  })

  it('on close every queued record is written (the SIGTERM drain)', async () => {
    const dir = tempDir('audit-drain')
    const s = auditApp(dir, { audit: { flushIntervalMs: 60_000, flushRecords: 1000 } })
    await s.loaded
    const ids: string[] = []
    for (let i = 0; i < 5; i++) ids.push((await json(await postImage(s, normal, 'image/jpeg'))).id)
    expect(sqlValue(path.join(dir, 'xrayops.db'), 'SELECT count(*) FROM audit')).toBe('0')
    await s.close()
    expect(sql(path.join(dir, 'xrayops.db'), 'SELECT id FROM audit ORDER BY seq').map((r) => r[0])).toEqual(ids)
  })

  it('over a socket the client address is recorded', async () => {
    const dir = tempDir('audit-socket')
    const s = await start({ state: { dir }, audit: { enabled: true, flushIntervalMs: 50 } })
    try {
      await s.loaded
      const a = await json(await postImage(s, normal))
      await until('the row', () => row(path.join(dir, 'xrayops.db'), a.id))
      expect(row(path.join(dir, 'xrayops.db'), a.id)!.client).toMatch(/^(::ffff:)?127\.0\.0\.1$/)
    } finally {
      await s.close()
    }
  })

  it('without a usable state folder predictions are still answered; each record is counted dropped and health is degraded', async () => {
    // A state folder that cannot be created (under a plain file), whoever runs the test.
    const parent = tempDir('audit-unusable')
    writeFileSync(path.join(parent, 'file'), '')
    const s = auditApp(path.join(parent, 'file', 'state'))
    try {
      await s.loaded
      expect((await postImage(s, normal)).status).toBe(200)
      await new Promise((r) => setTimeout(r, 50))
      const m = parsePrometheus(await (await s.fetch(`${s.url}/metrics`)).text())
      expect(m.get('xray_audit_dropped_total{reason="unavailable"}')).toBe(1)
      const h = await json(await s.fetch(`${s.url}/health`))
      expect(h.status).toBe('degraded')
      expect(h.checks.audit.status).toBe('unavailable')
      const fb = await post(s, '/v1/feedback', { prediction_id: 'x', true_label: 'NORMAL' })
      expect([fb.status, (await json(fb)).error.code]).toEqual([503, 'AUDIT_UNAVAILABLE'])
    } finally {
      await s.close()
    }
  })
})
