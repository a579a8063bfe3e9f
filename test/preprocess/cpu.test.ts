import { describe, expect, it } from 'vitest'
import { computeTaps, preprocessCpu } from '../../src/preprocess/cpu.ts'
import { resizeMethods } from '../../src/preprocess/params.ts'
import { noiseImage, params224 } from '../helpers/fixtures.ts'

describe('computeTaps', () => {
  it.each(resizeMethods)('%s: weights sum to 1 and stay inside the source', (method) => {
    for (const [inSize, outSize] of [[2752, 224], [1000, 224], [224, 224], [100, 224], [225, 224]]) {
      const t = computeTaps(inSize, outSize, method)
      for (let o = 0; o < outSize; o++) {
        let sum = 0
        for (let k = 0; k < t.count[o]; k++) sum += t.weights[o * t.stride + k]
        expect(sum).toBeCloseTo(1, 12)
        expect(t.start[o]).toBeGreaterThanOrEqual(0)
        expect(t.start[o] + t.count[o]).toBeLessThanOrEqual(inSize)
      }
    }
  })

  it('is the identity at equal sizes', () => {
    for (const method of resizeMethods) {
      const t = computeTaps(224, 224, method)
      for (let o = 0; o < 224; o++) expect(t.weights[o * t.stride + (o - t.start[o])]).toBe(1)
    }
  })

  it('area averages whole blocks at an integer ratio; bilinear takes 2 taps', () => {
    const area = computeTaps(896, 224, 'area')
    expect(Array.from(area.weights.subarray(5 * area.stride, 5 * area.stride + 4))).toEqual([0.25, 0.25, 0.25, 0.25])
    expect(area.start[5]).toBe(20)
    const bilinear = computeTaps(896, 224, 'bilinear')
    expect(bilinear.count[5]).toBe(2)
    const triangle = computeTaps(896, 224, 'triangle')
    expect(triangle.count[5]).toBe(8)
  })
})

describe('preprocessCpu', () => {
  it('normalizes a constant image to (v/255 - mean) / std in every channel, NCHW', () => {
    const img = { ...noiseImage(333, 517), data: new Uint8Array(333 * 517).fill(200) }
    const out = preprocessCpu(img, { ...params224, method: 'triangle' }, new Float32Array(3 * 224 * 224))
    for (let c = 0; c < 3; c++) {
      const v = (200 / 255 - params224.mean[c]) / params224.std[c]
      expect(out[c * 224 * 224]).toBeCloseTo(v, 5)
      expect(out[c * 224 * 224 + 224 * 224 - 1]).toBeCloseTo(v, 5)
    }
  })

  it('copies pixels through at 224x224 (the golden-output setting)', () => {
    const img = noiseImage(224, 224, 7)
    const out = preprocessCpu(img, { ...params224, method: 'bilinear' }, new Float32Array(3 * 224 * 224))
    expect(out[1000]).toBeCloseTo((img.data[1000] / 255 - 0.485) / 0.229, 6)
    expect(out[224 * 224 * 2 + 777]).toBeCloseTo((img.data[777] / 255 - 0.406) / 0.225, 6)
  })
})
