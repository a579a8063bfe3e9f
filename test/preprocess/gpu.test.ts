import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readBuffer } from '../../src/preprocess/gpu/buffers.ts'
import { GpuPreprocessor } from '../../src/preprocess/gpu/preprocess.ts'
import { decodeImage, type GrayImage } from '../../src/imaging/decode.ts'
import { preprocessCpu } from '../../src/preprocess/cpu.ts'
import { resizeMethods } from '../../src/preprocess/params.ts'
import { noiseImage, params224, readFixture } from '../helpers/fixtures.ts'
import { testAdapter } from '../helpers/gpu.ts'

const adapter = await testAdapter()

describe.skipIf(!adapter)('WGSL preprocessing vs the CPU reference', () => {
  let device: GPUDevice
  const wg = { x: 16, y: 4 }
  beforeAll(async () => {
    device = await adapter!.requestDevice()
  })
  afterAll(() => device?.destroy())

  const maxAbsDiff = (a: Float32Array, b: Float32Array) => {
    expect(a.length).toBe(b.length)
    let m = 0
    for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]))
    return m
  }

  const compare = async (method: (typeof resizeMethods)[number], images: GrayImage[]) => {
    const p = { ...params224, method }
    const pre = new GpuPreprocessor(device, p, wg)
    device.pushErrorScope('validation')
    const out = pre.run(images)
    const gpu = new Float32Array(await readBuffer(device, out, images.length * 3 * 224 * 224 * 4))
    expect(await device.popErrorScope()).toBeNull()
    const ref = new Float32Array(gpu.length)
    images.forEach((img, i) => preprocessCpu(img, p, ref, i * 3 * 224 * 224))
    pre.destroy()
    return maxAbsDiff(gpu, ref)
  }

  // Sizes that are not multiples of the workgroup size (wg * k - 27), mixed in one batch.
  const sizes = [
    [wg.x * 70 - 27, wg.y * 200 - 27],
    [wg.x * 3 - 27 + 32, wg.y * 9 - 27 + 40],
    [224, 224],
    [2752 - 27, 2000 - 27],
    [150, 97],
  ]

  it.each(resizeMethods)('%s: a batch of 5 images of different sizes, max abs error <= 1e-4', async (method) => {
    const images = sizes.map(([w, h], i) => noiseImage(w, h, i + 1))
    expect(await compare(method, images)).toBeLessThanOrEqual(1e-4)
  })

  it('a real X-ray at original resolution', async () => {
    const img = await decodeImage(readFixture('xray-original/IM-0001-0001.jpeg'))
    expect(await compare('triangle', [img])).toBeLessThanOrEqual(1e-4)
  })

  it('reuses its buffers across batches of different sizes without mixing them up', async () => {
    const p = { ...params224, method: 'area' as const }
    const pre = new GpuPreprocessor(device, p, wg)
    const big = [noiseImage(1500, 1200, 3), noiseImage(900, 700, 4)]
    const small = [noiseImage(300, 250, 5)]
    pre.run(big)
    const out = pre.run(small)
    const gpu = new Float32Array(await readBuffer(device, out, 3 * 224 * 224 * 4))
    const ref = preprocessCpu(small[0], p, new Float32Array(3 * 224 * 224))
    expect(maxAbsDiff(gpu, ref)).toBeLessThanOrEqual(1e-4)
    expect(pre.bytes).toBeGreaterThan(1500 * 1200)
    pre.destroy()
  })
})
