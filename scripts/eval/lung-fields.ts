/**
 * Does the PNEUMONIA heatmap fall inside the lung fields? Runs every image of a folder through the
 * prediction service (CPU, the serving road: decoding, model, heatmap renderer), draws a lung-field
 * mask on the image the heatmap is drawn over (lung-mask.ts) and reports, per image and in all,
 * the share of the heatmap's mass and of its hottest 10% of pixels inside the mask, against the
 * share of the image the mask covers (what a map spread evenly would score). The same figures are
 * given for the PNEUMONIA map alone (cam[PNEUMONIA], not taken against NORMAL) for comparison.
 *
 *   node --import ./bin/register.mjs scripts/eval/lung-fields.ts [DIR] [--overlays OUT] [--limit N] [--json FILE]
 *
 * DIR defaults to ../shared/data/kermany/test-original/PNEUMONIA. --overlays writes each image
 * with its heatmap and the mask's outline (cyan) for looking at.
 */
import fs from 'node:fs'
import path from 'node:path'
import { parseArgs } from 'node:util'
import sharp from 'sharp'
import { CAM_SIZE, normalizeMap } from '../../src/heatmap/cam.ts'
import { upsampleRows } from '../../src/heatmap/cpu.ts'
import { PredictionService } from '../../src/inference/service.ts'
import { heatInMask, type HeatInMask } from './heat-in-mask.ts'
import { lungMask, MASK_WIDTH, type LungMask } from './lung-mask.ts'

const { values: opts, positionals } = parseArgs({
  allowPositionals: true,
  options: { overlays: { type: 'string' }, limit: { type: 'string' }, json: { type: 'string' } },
})
const dir = positionals[0] ?? '../shared/data/kermany/test-original/PNEUMONIA'
const files = fs.readdirSync(dir).filter((f) => /\.(jpe?g|png)$/i.test(f)).sort().slice(0, opts.limit ? Number(opts.limit) : undefined)

const pixels = async (png: Uint8Array, gray: boolean) => {
  const s = sharp(png)
  const { data, info } = await (gray ? s.toColourspace('b-w') : s).raw().toBuffer({ resolveWithObject: true })
  return { data: new Uint8Array(data), width: info.width, height: info.height, channels: info.channels }
}

/** The heatmap's overlay with the mask's outline in cyan, for looking at. */
async function writeOverlay(file: string, overlayPng: Uint8Array, m: LungMask) {
  const o = await pixels(overlayPng, false)
  const { width: w, height: h, mask } = m
  for (let i = 0; i < mask.length; i++) {
    const x = i % w
    const edge = mask[i] && (x === 0 || x === w - 1 || i < w || i >= w * (h - 1) || !mask[i - 1] || !mask[i + 1] || !mask[i - w] || !mask[i + w])
    if (edge) o.data.set([0, 255, 255], i * o.channels)
  }
  await sharp(o.data, { raw: { width: w, height: h, channels: o.channels as 3 } }).png().toFile(file)
}

interface Row extends HeatInMask {
  file: string
  /** P(PNEUMONIA). */
  p: number
  /** Share of the image in the lung fields, and in the thorax hull. */
  area: number
  thoraxArea: number
  /** Share of the heatmap's mass in the thorax hull (lungs and mediastinum). */
  thorax: number
  lungs: number
  rejected: string[]
  /** The same figures for the PNEUMONIA map alone. */
  alone: HeatInMask
}

const service = await PredictionService.create({ device: 'cpu' })
if (opts.overlays) fs.mkdirSync(opts.overlays, { recursive: true })
const rows: Row[] = []
const t0 = performance.now()
for (const [k, f] of files.entries()) {
  const p = await service.predict(new Uint8Array(fs.readFileSync(path.join(dir, f))), { source: 'eval', cam: true, heatmap: { width: MASK_WIDTH, layers: true } })
  const hm = p.heatmap!
  const gray = await pixels(hm.layers!.image, true)
  const layer = await pixels(hm.layers!.heat, false)
  const heat = Float32Array.from({ length: hm.width * hm.height }, (_, i) => layer.data[i * 4 + 3] / 255)
  const m = lungMask(gray.data, hm.width, hm.height)
  // The PNEUMONIA map alone, scaled and upsampled by the same rules.
  const n = CAM_SIZE * CAM_SIZE
  const alone = new Float32Array(hm.width * hm.height)
  upsampleRows(normalizeMap(p.cam!.data.slice(n, 2 * n)), hm.width, hm.height, 0, hm.height, alone)
  rows.push({
    file: f,
    p: p.probabilities.PNEUMONIA,
    area: m.area,
    thoraxArea: m.thoraxArea,
    ...heatInMask(heat, m.mask),
    thorax: heatInMask(heat, m.thorax).mass,
    lungs: m.lungs,
    rejected: m.rejected,
    alone: heatInMask(alone, m.mask),
  })
  if (opts.overlays) await writeOverlay(path.join(opts.overlays, `${f.replace(/\.\w+$/, '')}.png`), hm.png, m)
  if ((k + 1) % 50 === 0) process.stderr.write(`${k + 1}/${files.length}\n`)
}
await service.close()

const quantiles = (v: number[]) => {
  const s = v.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b)
  const q = (f: number) => s[Math.round(f * (s.length - 1))]
  return { n: s.length, mean: s.reduce((a, b) => a + b, 0) / s.length, p10: q(0.1), p25: q(0.25), median: q(0.5), p75: q(0.75), p90: q(0.9) }
}
const share = (v: boolean[]) => v.filter(Boolean).length / v.length
const summary = (pick: (r: Row) => HeatInMask, rs: Row[]) => ({
  mass: quantiles(rs.map((r) => pick(r).mass)),
  top10: quantiles(rs.map((r) => pick(r).top10)),
  mass_over_half: share(rs.map((r) => pick(r).mass > 0.5)),
  mass_over_area: share(rs.map((r) => pick(r).mass > r.area)),
  top10_over_half: share(rs.map((r) => pick(r).top10 > 0.5)),
  peak_inside: share(rs.map((r) => pick(r).peak)),
  empty_maps: rs.filter((r) => Number.isNaN(pick(r).mass)).length,
})
const both = rows.filter((r) => r.lungs === 2)
const found = rows.filter((r) => r.lungs > 0)
const thorax = (rs: Row[]) => ({
  mass: quantiles(rs.map((r) => r.thorax)),
  mass_over_half: share(rs.map((r) => r.thorax > 0.5)),
  mass_over_area: share(rs.map((r) => r.thorax > r.thoraxArea)),
  area: quantiles(rs.map((r) => r.thoraxArea)),
})
const report = {
  dir,
  images: rows.length,
  seconds: Math.round((performance.now() - t0) / 100) / 10,
  masks: { two_lungs: both.length, one: rows.filter((r) => r.lungs === 1).length, none: rows.filter((r) => r.lungs === 0).length, area: quantiles(found.map((r) => r.area)) },
  shipped_map: { with_mask: summary((r) => r, found), two_lungs: summary((r) => r, both), thorax: thorax(found) },
  pneumonia_alone: { with_mask: summary((r) => r.alone, found), two_lungs: summary((r) => r.alone, both) },
  decile_histogram_mass: Array.from({ length: 10 }, (_, d) => found.filter((r) => Math.min(9, Math.floor(r.mass * 10)) === d).length),
  decile_histogram_thorax: Array.from({ length: 10 }, (_, d) => found.filter((r) => Math.min(9, Math.floor(r.thorax * 10)) === d).length),
}
const round = (_: string, v: unknown) => (typeof v === 'number' ? Math.round(v * 1e6) / 1e6 : v)
if (opts.json) fs.writeFileSync(opts.json, `${JSON.stringify({ ...report, rows }, round, 1)}\n`)
console.log(JSON.stringify(report, null, 1))
