/**
 * Drift and data checks end to end: real X-rays through the model server's audit trail, then
 * `xrayops drift --analyze-recent` and `xrayops data validate --check-recent-data` on its state
 * folder, and the server's own periodic check in /metrics. The 624 held-out 224x224 test images
 * are no drift against the training profile; their negatives and heavily darkened copies are.
 */
import { readFile } from 'node:fs/promises'
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { imageFiles } from '../../src/drift/collect.ts'
import { xrayops } from '../helpers/cli.ts'
import { fixture, tempDir } from '../helpers/fixtures.ts'
import { parsePrometheus, type Target } from '../helpers/server.ts'
import { auditApp, until } from '../audit/helpers.ts'

/** POSTs every image, `concurrency` at a time; returns the prediction ids. */
async function postAll(s: Target, images: Uint8Array[], concurrency = 8): Promise<string[]> {
  const ids: string[] = []
  let next = 0
  const worker = async () => {
    while (next < images.length) {
      const body = images[next++]!
      const res = await s.fetch(`${s.url}/v1/predict`, { method: 'POST', headers: { 'content-type': 'image/jpeg', 'cache-control': 'no-cache' }, body })
      if (res.status !== 200) throw new Error(`predict: ${res.status} ${await res.text()}`)
      ids.push(((await res.json()) as { id: string }).id)
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  return ids
}

const metrics = async (s: Target) => parsePrometheus(await (await s.fetch(`${s.url}/metrics`)).text())

describe('drift and data checks on real X-rays', () => {
  it('the 224 test split: no drift, clean data; its negatives and darkened copies: drift, and flagged', async () => {
    const dir = tempDir('drift')
    const s = auditApp(dir, { audit: { flushIntervalMs: 100 }, drift: { window: 624, intervalMs: 500 } })
    const cli = (...args: string[]) => xrayops([...args, '--json', '--state-dir', dir])
    try {
      await s.loaded
      const files = await imageFiles(fixture('xray-224-test'))
      expect(files.length).toBe(624)
      const originals = await Promise.all(files.map((f) => readFile(f).then((b) => new Uint8Array(b))))
      await postAll(s, originals)
      await until('the records committed', () => s.ctx.host.audit!.writer.committedTotal >= 624 || undefined)

      const clean = await cli('drift', '--analyze-recent', '--window', '624')
      expect(clean.code, clean.stderr).toBe(0)
      const report = JSON.parse(clean.stdout)
      expect(report.images).toBe(624)
      expect(report.verdict).toBe('no_drift')
      type Feature = { feature: string; psi: number; ks?: { d: number; p: number }; drift: boolean }
      const by = (r: { features: Feature[] }, f: string) => r.features.find((x) => x.feature === f)!
      expect(by(report, 'intensity').psi).toBeLessThan(0.1)
      expect(by(report, 'brightness').psi).toBeLessThan(0.1)
      expect(by(report, 'contrast').psi).toBeLessThan(0.1)
      expect(by(report, 'positive_rate').psi).toBeLessThan(0.1)
      const valid = await cli('data', 'validate', '--check-recent-data', '--window', '624')
      expect(valid.code, valid.stdout).toBe(0)
      expect(JSON.parse(valid.stdout)).toMatchObject({ checked: 624, flagged: 0, passed: true })
      // The server's own check over its window (drift.window 624) says the same.
      await until('the periodic check', async () => (await metrics(s)).get('xray_drift_psi{feature="intensity"}') !== undefined || undefined)
      const m = await metrics(s)
      expect(m.get('xray_drift_detected')).toBe(0)
      expect(m.get('xray_drift_psi{feature="intensity"}')).toBeCloseTo(by(report, 'intensity').psi, 3)

      // Negatives of 312 of them (every other image).
      const half = originals.filter((_, i) => i % 2 === 0)
      const negatives = await Promise.all(half.map((b) => sharp(b).negate({ alpha: false }).jpeg({ quality: 95 }).toBuffer().then((x) => new Uint8Array(x))))
      await postAll(s, negatives)
      await until('the negatives committed', () => s.ctx.host.audit!.writer.committedTotal >= 624 + 312 || undefined)
      const inv = await cli('drift', '--analyze-recent', '--window', '312')
      expect(inv.code).toBe(1)
      const invReport = JSON.parse(inv.stdout)
      expect(invReport.verdict).toBe('drift')
      expect(by(invReport, 'intensity').psi).toBeGreaterThan(0.25)
      expect(by(invReport, 'intensity').drift).toBe(true)
      const invData = await cli('data', 'validate', '--check-recent-data', '--window', '312')
      expect(invData.code).toBe(1)
      expect(JSON.parse(invData.stdout)).toMatchObject({ checked: 312, flagged: 312, passed: false, counts: { inverted: 312 } })

      // Heavily darkened copies (gray levels x 0.3).
      const dark = await Promise.all(half.map((b) => sharp(b).linear(0.3, 0).jpeg({ quality: 95 }).toBuffer().then((x) => new Uint8Array(x))))
      await postAll(s, dark)
      await until('the darkened committed', () => s.ctx.host.audit!.writer.committedTotal >= 624 + 624 || undefined)
      const dk = await cli('drift', '--analyze-recent', '--window', '312')
      expect(dk.code).toBe(1)
      const dkReport = JSON.parse(dk.stdout)
      expect(dkReport.verdict).toBe('drift')
      for (const f of ['intensity', 'brightness', 'contrast']) expect(by(dkReport, f).drift, f).toBe(true)
      expect(by(dkReport, 'brightness').ks!.d).toBeGreaterThan(0.9)
      // The server's window (the last 624: negatives and darkened copies) is drift too.
      await until('xray_drift_detected 1', async () => (await metrics(s)).get('xray_drift_detected') === 1 || undefined)
    } finally {
      await s.close()
    }
  })
})
