import { interpolateInferno } from 'd3-scale-chromatic'
import { describe, expect, it } from 'vitest'
import { contrastMap, normalizeMap } from '../../src/heatmap/cam.ts'
import { colormapTable } from '../../src/heatmap/colormap.ts'
import { renderCpu, upsampleRows } from '../../src/heatmap/cpu.ts'
import { computeTaps } from '../../src/preprocess/cpu.ts'
import { randomCam } from './helpers.ts'

describe('heatmap CPU reference', () => {
  it('upsamples as the preprocessing resize does with its bilinear taps (an independent path)', () => {
    const cam = randomCam(7)
    for (const [w, h] of [[224, 224], [13, 5], [3, 9], [1000, 733]]) {
      const heat = new Float32Array(w * h)
      upsampleRows(cam, w, h, 0, h, heat)
      const tx = computeTaps(7, w, 'bilinear')
      const ty = computeTaps(7, h, 'bilinear')
      let worst = 0
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++) {
          let v = 0
          for (let j = 0; j < ty.count[y]; j++)
            for (let i = 0; i < tx.count[x]; i++) v += ty.weights[y * ty.stride + j] * tx.weights[x * tx.stride + i] * cam[(ty.start[y] + j) * 7 + tx.start[x] + i]
          worst = Math.max(worst, Math.abs(v - heat[y * w + x]))
        }
      expect(worst, `${w}x${h}`).toBeLessThan(1e-6)
    }
  })

  it('at the 7x7 size it returns the grid itself; a 14-wide row interpolates at quarter steps', () => {
    const cam = randomCam(3)
    const same = new Float32Array(49)
    upsampleRows(cam, 7, 7, 0, 7, same)
    expect(Array.from(same)).toEqual(Array.from(cam))
    const row = new Float32Array(14 * 7)
    upsampleRows(cam, 14, 7, 0, 7, row)
    // output x = 1 samples s = 1.5 * 0.5 - 0.5 = 0.25; x = 0 is clamped to s = 0.
    expect(row[0]).toBeCloseTo(cam[0], 6)
    expect(row[1]).toBeCloseTo(0.75 * cam[0] + 0.25 * cam[1], 6)
    expect(row[13]).toBeCloseTo(cam[6], 6)
  })

  it('takes PNEUMONIA against NORMAL, then ReLU and min-max; a flat map is all zeros', () => {
    const cam = new Float32Array(98)
    cam[49] = 3 // PNEUMONIA cell 0
    cam[1] = 2 // NORMAL cell 1
    cam[50] = 1 // PNEUMONIA cell 1
    const d = contrastMap(cam, ['NORMAL', 'PNEUMONIA'], 'PNEUMONIA')
    expect([d[0], d[1], d[2]]).toEqual([3, -1, 0])
    expect(Array.from(normalizeMap([-1, 0, 1, 3]))).toEqual([0, 0, 1 / 3, 1].map(Math.fround))
    expect(Array.from(normalizeMap([2, 2, 3]))).toEqual([0, 0, 1]) // all positive: min-max
    expect(Array.from(normalizeMap([-5, -1, -2]))).toEqual([0, 0, 0])
  })

  it('its colour table is matplotlib inferno as d3-scale-chromatic ships it', () => {
    for (let i = 0; i < 256; i++) {
      const hex = interpolateInferno((i + 0.5) / 256)
      const rgb = [1, 3, 5].map((k) => Number.parseInt(hex.slice(k, k + 2), 16))
      expect([0, 1, 2].map((k) => Math.round(colormapTable[i * 4 + k] * 255)), `entry ${i}`).toEqual(rgb)
    }
  })

  it('blends the colour over the gray image with alpha = opacity x heat (hand-computed pixels)', async () => {
    // A 7x1 output of a map that is 1 in column 6 and 0 elsewhere: pixel 6 has h = 1, pixel 0 has h = 0.
    const cam = new Float32Array(49)
    for (let r = 0; r < 7; r++) cam[r * 7 + 6] = 1
    const gray = Uint8Array.from([200, 0, 0, 0, 0, 0, 0])
    const p = await renderCpu({ width: 7, height: 1, gray, cam, opacity: 0.5 }, { layer: true, heat: true })
    expect(Array.from(p.heat!)).toEqual([0, 0, 0, 0, 0, 0, 1])
    expect(Array.from(p.overlay.subarray(0, 4))).toEqual([200, 200, 200, 255]) // h = 0: the image
    // h = 1, gray 0: half of inferno's last colour #fcffa4 = (252, 255, 164) -> 126, 127.5 -> 128, 82
    expect(Array.from(p.overlay.subarray(24, 28))).toEqual([126, 128, 82, 255])
    expect(Array.from(p.layer!.subarray(24, 28))).toEqual([252, 255, 164, 255])
    expect(Array.from(p.layer!.subarray(0, 4))).toEqual([0, 0, 4, 0]) // inferno's first colour, transparent
  })
})
