import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { renderCpu } from '../../src/heatmap/cpu.ts'
import { GpuHeatmap } from '../../src/heatmap/gpu/heatmap.ts'
import type { HeatmapJob } from '../../src/heatmap/types.ts'
import { decodeImage } from '../../src/imaging/decode.ts'
import { noiseImage, readFixture } from '../helpers/fixtures.ts'
import { testAdapter } from '../helpers/gpu.ts'
import { maxAbsDiff, randomCam } from './helpers.ts'

const adapter = await testAdapter()

describe.skipIf(!adapter)('WGSL heatmap passes vs the CPU reference', () => {
  let device: GPUDevice
  const wg = { x: 16, y: 8 }
  beforeAll(async () => {
    device = await adapter!.requestDevice()
  })
  afterAll(() => device?.destroy())

  const compare = async (gpu: GpuHeatmap, job: HeatmapJob) => {
    device.pushErrorScope('validation')
    gpu.submit(job)
    expect(await device.popErrorScope()).toBeNull()
    const got = await gpu.read(job, { layer: true, heat: true })
    const ref = await renderCpu(job, { layer: true, heat: true })
    return { heat: maxAbsDiff(got.heat!, ref.heat!), overlay: maxAbsDiff(got.overlay, ref.overlay), layer: maxAbsDiff(got.layer!, ref.layer!) }
  }

  // Sizes that are not multiples of the workgroup (wg * k - 27), enlarging and shrinking the 7x7 grid.
  const sizes = [
    [wg.x * 70 - 27, wg.y * 100 - 27],
    [wg.x * 3 - 27 + 32, wg.y * 9 - 27 + 40],
    [224, 224],
    [5, 3],
    [1, 1],
    [2048 - 27, 1500 - 27],
  ]

  it.each(sizes)('%i x %i: heat within 1e-4 before colour mapping, RGBA within 1 level', async (w, h) => {
    const gpu = new GpuHeatmap(device, wg)
    const gray = noiseImage(w, h, w + h).data
    const d = await compare(gpu, { width: w, height: h, gray, cam: randomCam(w * 31 + h), opacity: 0.6 })
    console.log(`heatmap ${w}x${h}: max |heat GPU - CPU| ${d.heat.toExponential(2)}, overlay ${d.overlay} level(s), layer ${d.layer}`)
    expect(d.heat).toBeLessThanOrEqual(1e-4)
    expect(d.overlay).toBeLessThanOrEqual(1)
    expect(d.layer).toBeLessThanOrEqual(1)
    gpu.destroy()
  })

  it('a real X-ray at its original size, and a smaller job after it on the same (reused) buffers', async () => {
    const img = await decodeImage(readFixture('xray-original/person100_bacteria_475.jpeg'))
    const gpu = new GpuHeatmap(device, wg)
    const big = await compare(gpu, { width: img.width, height: img.height, gray: img.data, cam: randomCam(5), opacity: 0.5 })
    expect(big.heat).toBeLessThanOrEqual(1e-4)
    expect(big.overlay).toBeLessThanOrEqual(1)
    const small = await compare(gpu, { width: 301, height: 203, gray: noiseImage(301, 203, 9).data, cam: randomCam(6), opacity: 1 })
    expect(small.heat).toBeLessThanOrEqual(1e-4)
    expect(small.overlay).toBeLessThanOrEqual(1)
    expect(gpu.bytes).toBeGreaterThan(img.width * img.height * 4 * 3)
    gpu.destroy()
  })
})
