import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Pipeline } from '../../src/inference/pipeline.ts'
import { splitToFit } from '../../src/gpu/batch-limits.ts'
import { WebGpuEngine } from '../../src/inference/webgpu-engine.ts'
import { fixture, goldenRows, noiseImage, readFixture } from '../helpers/fixtures.ts'
import { testAdapter } from '../helpers/gpu.ts'

const golden = goldenRows()
const goldenInputs = golden.map(([key]) => readFixture(`xray-224/${key}`))
const originals = ['xray-original/person100_bacteria_475.jpeg', 'xray-original/IM-0001-0001.jpeg'].map(readFixture)

const scores = (results: Awaited<ReturnType<Pipeline['predict']>>) =>
  results.map((r) => {
    if (!r.ok) throw r.error
    return r.score
  })

describe('CPU pipeline', () => {
  let cpu: Pipeline
  beforeAll(async () => {
    cpu = await Pipeline.create({ device: 'cpu' })
  })
  afterAll(() => cpu?.close())

  it('reproduces the golden P(pneumonia) of real X-rays within 1e-4', async () => {
    const got = scores(await cpu.predict(goldenInputs))
    golden.forEach(([key, p], i) => expect(Math.abs(got[i] - p), key).toBeLessThan(1e-4))
  })

  it('labels at the manifest threshold and returns both probabilities and the 2x7x7 CAM', async () => {
    const [r] = await cpu.predict([goldenInputs[4]])
    if (!r.ok) throw r.error
    expect(r.label).toBe('PNEUMONIA')
    expect(r.threshold).toBe(0.5)
    expect(r.probabilities.NORMAL + r.probabilities.PNEUMONIA).toBeCloseTo(1, 6)
    expect(r.cam.length).toBe(2 * 7 * 7)
    expect(cpu.device.kind).toBe('cpu')
  })

  it('answers the same for an image alone and inside a batch', async () => {
    const alone = scores(await cpu.predict([originals[1]]))[0]
    const batch = scores(await cpu.predict([goldenInputs[0], originals[1], originals[0]]))
    expect(Math.abs(batch[1] - alone)).toBeLessThan(1e-5)
  })

  it('fails a bad image alone and still answers the rest of its batch', async () => {
    const results = await cpu.predict([goldenInputs[0], new Uint8Array([1, 2, 3]), goldenInputs[1]])
    expect(results.map((r) => r.ok)).toEqual([true, false, true])
    expect(results[1].ok || results[1].error.code).toBe('UNSUPPORTED_FORMAT')
  })
})

const adapter = await testAdapter()

describe.skipIf(!adapter)('WebGPU pipeline (zero-copy from WGSL preprocessing into onnxruntime-web)', () => {
  let gpu: Pipeline
  let cpu: Pipeline
  beforeAll(async () => {
    gpu = await Pipeline.create({ device: 'gpu' })
    cpu = await Pipeline.create({ device: 'cpu' })
    await gpu.predict([goldenInputs[0]]) // compiles the shaders here (minutes on a cold lavapipe cache), not in a test
  })
  afterAll(async () => {
    await gpu?.close()
    await cpu?.close()
  })

  it('runs on a WebGPU adapter', () => {
    expect(gpu.device.kind).toBe('webgpu')
    expect(gpu.device.name.length).toBeGreaterThan(0)
  })

  it('reproduces the golden P(pneumonia) within 1e-4, in one batch', async () => {
    const got = scores(await gpu.predict(goldenInputs))
    golden.forEach(([key, p], i) => expect(Math.abs(got[i] - p), key).toBeLessThan(1e-4))
  })

  it('gives the CPU answers on original-resolution X-rays of different sizes in one batch', async () => {
    const g = await gpu.predict(originals)
    const c = await cpu.predict(originals)
    g.forEach((r, i) => {
      const rc = c[i]
      if (!r.ok || !rc.ok) throw new Error('prediction failed')
      expect(Math.abs(r.score - rc.score)).toBeLessThan(1e-4)
      let camDiff = 0
      r.cam.forEach((v, k) => (camDiff = Math.max(camDiff, Math.abs(v - rc.cam[k]))))
      expect(camDiff).toBeLessThan(1e-3)
    })
  })

  it('splits a batch larger than one storage binding and still matches the CPU', async () => {
    // 4 x 36 MP = 144 MB of pixels: over lavapipe's 128 MiB binding, so two runs.
    const big = [1, 2, 3, 4].map((seed) => noiseImage(6000, 6000, seed))
    const device = (gpu.engine as unknown as { state: { device: GPUDevice } }).state.device
    expect(splitToFit(big, 224, device.limits).length).toBeGreaterThan(1)
    const g = await gpu.classifyImages(big)
    expect(g.results).toHaveLength(4)
    const c = await cpu.classifyImages(big)
    g.results.forEach((r, i) => expect(Math.abs(r.score - c.results[i].score)).toBeLessThan(1e-4))
  })

  it('recovers from a device loss on the next call', async () => {
    const engine = gpu.engine as WebGpuEngine
    const state = () => (engine as unknown as { state: { device: GPUDevice } }).state
    const before = scores(await gpu.predict([goldenInputs[3]]))[0]
    const lostDevice = state().device
    engine.loseDevice()
    const info = await lostDevice.lost
    expect(info.reason).toBe('destroyed')
    const after = scores(await gpu.predict([goldenInputs[3]]))[0]
    expect(state().device).not.toBe(lostDevice) // a new device and session answered
    expect(Math.abs(after - before)).toBeLessThan(1e-6)
    expect(gpu.engine.gpuBytes()).toBeGreaterThan(0)
  })
})

describe('device selection', () => {
  it('DEVICE=cpu never touches the GPU', async () => {
    const p = await Pipeline.create({ device: 'cpu', model: fixture('../../models/pneumonia-efficientnet_b0-v1.json') })
    expect(p.device.kind).toBe('cpu')
    await p.close()
  })
})
