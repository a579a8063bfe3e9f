/**
 * The lung-field check of docs/EVALUATION.md: its heuristic mask on a phantom with known lungs,
 * its heat-in-mask figures on hand-made maps, and the served heatmap of real PNEUMONIA fixtures
 * against the figures the full evaluation recorded for the same images.
 */
import fs from 'node:fs'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PredictionService } from '../../src/inference/service.ts'
import { heatInMask } from '../../scripts/eval/heat-in-mask.ts'
import { lungMask, MASK_WIDTH } from '../../scripts/eval/lung-mask.ts'
import { fixture, readFixture } from '../helpers/fixtures.ts'

/** A chest phantom: black outside, a bright body, two darker lung ellipses with darker rib-like stripes. */
function phantom(w: number, h: number) {
  const gray = new Uint8Array(w * h)
  const lungs = new Uint8Array(w * h)
  const inEllipse = (x: number, y: number, cx: number, cy: number, rx: number, ry: number) => ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 <= 1
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const i = y * w + x
      const body = inEllipse(x, y, w / 2, h * 0.55, w * 0.45, h * 0.6)
      const lung = inEllipse(x, y, w * 0.3, h * 0.45, w * 0.12, h * 0.28) || inEllipse(x, y, w * 0.7, h * 0.45, w * 0.12, h * 0.28)
      lungs[i] = lung ? 1 : 0
      gray[i] = !body ? 5 : lung ? (Math.floor(y / 9) % 2 ? 70 : 95) : 170
    }
  return { gray, lungs }
}

describe('lung-field mask and heat-in-mask figures', () => {
  it('finds the two lungs of a phantom (intersection over union >= 0.8)', () => {
    const w = MASK_WIDTH
    const h = 200
    const { gray, lungs } = phantom(w, h)
    const m = lungMask(gray, w, h)
    expect(m.lungs).toBe(2)
    let inter = 0
    let uni = 0
    for (let i = 0; i < lungs.length; i++) {
      inter += m.mask[i] & lungs[i]
      uni += m.mask[i] | lungs[i]
    }
    expect(inter / uni).toBeGreaterThanOrEqual(0.8)
    // The thorax hull spans both lungs and the mediastinum between them.
    expect(m.thorax[Math.round(h * 0.45) * w + w / 2]).toBe(1)
  })

  it('finds nothing in a uniform image', () => {
    const m = lungMask(new Uint8Array(256 * 180).fill(128), 256, 180)
    expect(m.lungs).toBe(0)
    expect(m.area).toBe(0)
  })

  it('heat-in-mask: mass, hottest 10% and peak, by hand', () => {
    const mask = Uint8Array.from([1, 1, 0, 0, 0, 0, 0, 0, 0, 0])
    const heat = [1, 0.5, 0.25, 0.25, 0, 0, 0, 0, 0, 0]
    const r = heatInMask(heat, mask)
    expect(r.mass).toBeCloseTo(1.5 / 2, 12)
    expect(r.top10).toBe(1) // the 90th percentile here is 0.5: pixels 0 and 1, both inside
    expect(r.peak).toBe(true)
    expect(heatInMask(new Array(10).fill(0), mask).mass).toBeNaN()
  })
})

describe('served heatmaps of PNEUMONIA fixtures', () => {
  let service: PredictionService
  const recorded = JSON.parse(fs.readFileSync(fixture('../../docs/lung-fields.json'), 'utf8')) as { rows: { file: string; mass: number; thorax: number; area: number; lungs: number }[] }
  beforeAll(async () => {
    service = await PredictionService.create({ device: 'cpu' })
  })
  afterAll(() => service?.close())

  /** The served heatmap (heat from the layer's alpha) and the mask drawn on the image it is drawn over. */
  const measure = async (bytes: Uint8Array) => {
    const p = await service.predict(bytes, { source: 'eval', heatmap: { width: MASK_WIDTH, layers: true } })
    const layers = p.heatmap!.layers!
    const gray = await sharp(layers.image).toColourspace('b-w').raw().toBuffer({ resolveWithObject: true })
    const rgba = new Uint8Array(await sharp(layers.heat).raw().toBuffer())
    const heat = Float32Array.from({ length: gray.info.width * gray.info.height }, (_, i) => rgba[i * 4 + 3] / 255)
    const m = lungMask(new Uint8Array(gray.data), gray.info.width, gray.info.height)
    return { p: p.probabilities.PNEUMONIA!, m, lungs: heatInMask(heat, m.mask).mass, thorax: heatInMask(heat, m.thorax).mass }
  }

  it('person100_bacteria_475 (original size): the figures the evaluation recorded for it', async () => {
    const file = 'person100_bacteria_475.jpeg'
    const r = await measure(readFixture(`xray-original/${file}`))
    const row = recorded.rows.find((x) => x.file === file)!
    expect(r.m.lungs).toBe(row.lungs)
    expect(r.m.area).toBeCloseTo(row.area, 5)
    expect(r.lungs).toBeCloseTo(row.mass, 5)
    expect(r.thorax).toBeCloseTo(row.thorax, 5)
  })

  // Two 224x224 PNEUMONIA fixtures, confidently predicted, on which the mask finds the lungs: the heat
  // is concentrated in the lung fields and in the thorax beyond what an even spread would put there.
  it.each(['person100_bacteria_478.jpeg', 'person127_bacteria_603.jpeg'])('%s: more heat in the lungs and thorax than their share of the image', async (file) => {
    const r = await measure(readFixture(`xray-224/PNEUMONIA/${file}`))
    expect(r.p).toBeGreaterThan(0.85)
    expect(r.m.lungs).toBeGreaterThan(0)
    expect(r.lungs).toBeGreaterThan(r.m.area)
    expect(r.thorax).toBeGreaterThan(r.m.thoraxArea)
  })
})
