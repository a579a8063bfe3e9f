import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decodeImage } from '../../src/imaging/decode.ts'
import { classify } from '../../src/inference/results.ts'
import { PredictionService, type PredictionEvent } from '../../src/inference/service.ts'
import type { WebGpuEngine } from '../../src/inference/webgpu-engine.ts'
import { preprocessCpu } from '../../src/preprocess/cpu.ts'
import { splitToFit } from '../../src/preprocess/gpu/batch-limits.ts'
import { goldenRows, noiseImage, readFixture } from '../helpers/fixtures.ts'
import { testAdapter } from '../helpers/gpu.ts'

const golden = goldenRows()
const goldenInputs = golden.map(([key]) => readFixture(`xray-224/${key}`))
const originals = ['xray-original/person100_bacteria_475.jpeg', 'xray-original/IM-0001-0001.jpeg'].map(readFixture)
const batching = { maxBatch: 16, maxDelayMs: 20 }

const scores = (s: PredictionService, inputs: Uint8Array[]) =>
  Promise.all(inputs.map((b) => s.predict(b, { source: 'eval', noCache: true }).then((p) => p.probabilities.PNEUMONIA!)))

describe('prediction service on the CPU', () => {
  let cpu: PredictionService
  beforeAll(async () => {
    cpu = await PredictionService.create({ device: 'cpu', batching, cacheSize: 16 })
  })
  afterAll(() => cpu?.close())

  it('reproduces the golden P(pneumonia) of real X-rays within 1e-4, batched', async () => {
    const got = await scores(cpu, goldenInputs)
    golden.forEach(([key, p], i) => expect(Math.abs(got[i]! - p), key).toBeLessThan(1e-4))
  })

  it('labels at the manifest threshold and returns both probabilities and the 2x7x7 CAM', async () => {
    const r = await cpu.predict(goldenInputs[4]!, { source: 'v1', cam: true, id: 'x1' })
    expect(r.id).toBe('x1')
    expect(r.label).toBe('PNEUMONIA')
    expect(r.threshold).toBe(0.5)
    expect(r.probabilities.NORMAL! + r.probabilities.PNEUMONIA!).toBeCloseTo(1, 6)
    expect(r.cam!.data).toHaveLength(2 * 7 * 7)
    expect(cpu.device.kind).toBe('cpu')
  })

  it('answers the same for an image alone and inside a batch', async () => {
    const [alone] = await scores(cpu, [originals[1]!])
    const batch = await scores(cpu, [goldenInputs[0]!, originals[1]!, originals[0]!])
    expect(Math.abs(batch[1]! - alone!)).toBeLessThan(1e-5)
  })

  it('fails a bad image alone and still answers the rest of its batch', async () => {
    const results = await Promise.allSettled([goldenInputs[0]!, new Uint8Array([1, 2, 3]), goldenInputs[1]!].map((b) => cpu.predict(b, { source: 'batch' })))
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled'])
    expect((results[1] as PromiseRejectedResult).reason.code).toBe('UNSUPPORTED_FORMAT')
  })

  it('answers an FP32 tensor as the image it was preprocessed from (TypeScript reference preprocessing)', async () => {
    const image = await decodeImage(originals[0]!, undefined, cpu.decodeHint) // as the service decodes: shrink-on-load
    const tensor = preprocessCpu(image, cpu.params, new Float32Array(3 * 224 * 224))
    const [fromTensor] = await cpu.predictTensor(tensor, 1, { source: 'oip', noCache: true })
    const fromImage = await cpu.predict(originals[0]!, { source: 'v1', noCache: true })
    expect(Math.abs(fromTensor!.probabilities.PNEUMONIA! - fromImage.probabilities.PNEUMONIA!)).toBeLessThan(1e-6)
  })

  it('serves a repeated image from the cache, keyed by its bytes', async () => {
    const fresh = await PredictionService.create({ device: 'cpu', cacheSize: 4 })
    try {
      const first = await fresh.predict(goldenInputs[2]!, { source: 'v1' })
      const again = await fresh.predict(goldenInputs[2]!, { source: 'v1' })
      expect([first.cached, again.cached]).toEqual([false, true])
      expect(again.probabilities).toEqual(first.probabilities)
      expect((await fresh.predict(goldenInputs[2]!, { source: 'v1', noCache: true })).cached).toBe(false)
      expect((await fresh.predict(Uint8Array.from(goldenInputs[2]!), { source: 'v1' })).cached).toBe(true) // same bytes, another buffer
    } finally {
      await fresh.close()
    }
  })

  it('tells every listener about every finished prediction, and a failing listener fails nothing', async () => {
    const seen: PredictionEvent[] = []
    const detach = cpu.onPrediction((e) => seen.push(e))
    const detachBad = cpu.onPrediction(() => {
      throw new Error('listener bug')
    })
    const p = await cpu.predict(goldenInputs[5]!, { source: 'batch', client: '127.0.0.1', noCache: true })
    const hit = await cpu.predict(goldenInputs[5]!, { source: 'v1' })
    detach()
    detachBad()
    await cpu.predict(goldenInputs[5]!, { source: 'v1' })
    expect(seen).toHaveLength(2)
    expect(seen[0]).toMatchObject({ source: 'batch', client: '127.0.0.1', score: p.probabilities.PNEUMONIA, input: { kind: 'image', bytes: goldenInputs[5]!.length } })
    expect(seen[0]!.image).toMatchObject({ width: 224, height: 224 })
    expect(seen[1]!.prediction.cached).toBe(true)
    expect(seen[1]!.input.sha256).toBe(seen[0]!.input.sha256)
    expect(hit.id).not.toBe(p.id)
  })

  it('refuses new work with OVERLOADED past its bound and takes it again once there is room', async () => {
    const small = await PredictionService.create({ device: 'cpu', batching: { maxBatch: 1, maxDelayMs: 0 }, maxInProgress: 2 })
    try {
      const settled = await Promise.allSettled(originals.concat(originals[0]!).map((b) => small.predict(b, { source: 'v1' })))
      expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'rejected'])
      expect((settled[2] as PromiseRejectedResult).reason.code).toBe('OVERLOADED')
      expect(small.inProgress).toBe(0)
      await expect(small.predictTensor(new Float32Array(3 * 3 * 224 * 224), 3, { source: 'oip' })).rejects.toMatchObject({ code: 'OVERLOADED' })
      expect((await small.predict(originals[0]!, { source: 'v1' })).label).toBeTruthy()
    } finally {
      await small.close()
    }
  })
})

describe('device selection', () => {
  it('DEVICE=cpu never touches the GPU', async () => {
    const s = await PredictionService.create({ device: 'cpu' })
    expect(s.device.kind).toBe('cpu')
    expect(s.fallback).toBeUndefined()
    await s.close()
  })

  it('DEVICE=auto runs on the CPU when the only adapter is a software one, without calling it a fallback', async () => {
    const s = await PredictionService.create({ device: 'auto', startGpu: () => Promise.reject(new Error('must not start')) })
    expect(s.device.kind).toBe('cpu')
    expect(s.fallback).toBeUndefined()
    await s.close()
  })
})

const adapter = await testAdapter()

describe.skipIf(!adapter)('device selection with a WebGPU adapter', () => {
  it('DEVICE=auto falls back to the CPU, saying why, when the GPU engine fails to start', async () => {
    const s = await PredictionService.create({ device: 'auto', allowSoftware: true, startGpu: () => Promise.reject(new Error('out of device memory')) })
    expect(s.device.kind).toBe('cpu')
    expect(s.fallback).toMatch(/GPU adapter was found but the WebGPU engine failed to start: out of device memory/)
    expect((await s.warmup()).passed).toBe(true)
    await s.close()
  })

  it('DEVICE=gpu does not fall back: the failure is the answer', async () => {
    await expect(PredictionService.create({ device: 'gpu', startGpu: () => Promise.reject(new Error('broken driver')) })).rejects.toThrow(/broken driver/)
  })
})

describe.skipIf(!adapter)('prediction service on WebGPU (zero-copy from WGSL preprocessing into onnxruntime-web)', () => {
  let gpu: PredictionService
  let cpu: PredictionService
  beforeAll(async () => {
    gpu = await PredictionService.create({ device: 'gpu', batching })
    cpu = await PredictionService.create({ device: 'cpu', batching })
    await gpu.warmup() // compiles the shaders here (minutes on a cold lavapipe cache), not in a test
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
    const got = await scores(gpu, goldenInputs)
    golden.forEach(([key, p], i) => expect(Math.abs(got[i]! - p), key).toBeLessThan(1e-4))
  })

  it('gives the CPU answers on original-resolution X-rays of different sizes in one batch', async () => {
    // Decoded as the services decode them (shrink-on-load), then one run of both on each engine:
    // one batch by construction, not by the timing of two requests.
    const images = await Promise.all(originals.map((b) => decodeImage(b, undefined, gpu.decodeHint)))
    expect(images[0]!.width).not.toBe(images[1]!.width)
    const g = await gpu.engine.infer(images)
    const c = await cpu.engine.infer(images)
    expect(g.output.count).toBe(2)
    for (let i = 0; i < 2; i++) {
      const rg = classify(g.output, i, gpu.model.manifest)
      const rc = classify(c.output, i, cpu.model.manifest)
      expect(Math.abs(rg.score - rc.score)).toBeLessThan(1e-4)
      const camDiff = Math.max(...Array.from(rg.cam, (v, k) => Math.abs(v - rc.cam[k]!)))
      expect(camDiff).toBeLessThan(1e-3)
    }
  })

  it('splits a batch larger than one storage binding and still matches the CPU engine', async () => {
    // 4 x 36 MP = 144 MB of pixels: over lavapipe's 128 MiB binding, so two runs.
    const big = [1, 2, 3, 4].map((seed) => noiseImage(6000, 6000, seed))
    const device = (gpu.engine as unknown as { state: { device: GPUDevice } }).state.device
    expect(splitToFit(big, 224, device.limits).length).toBeGreaterThan(1)
    const g = await gpu.engine.infer(big)
    const c = await cpu.engine.infer(big)
    expect(g.output.count).toBe(4)
    for (let i = 0; i < 8; i++) expect(Math.abs(g.output.logits[i]! - c.output.logits[i]!)).toBeLessThan(1e-3)
  })

  it('recovers from a device loss on the next call', async () => {
    const engine = gpu.engine as WebGpuEngine
    const state = () => (engine as unknown as { state: { device: GPUDevice } }).state
    const [before] = await scores(gpu, [goldenInputs[3]!])
    const lostDevice = state().device
    engine.loseDevice()
    const info = await lostDevice.lost
    expect(info.reason).toBe('destroyed')
    const [after] = await scores(gpu, [goldenInputs[3]!])
    expect(state().device).not.toBe(lostDevice) // a new device and session answered
    expect(Math.abs(after! - before!)).toBeLessThan(1e-6)
    expect(gpu.engine.gpuBytes()).toBeGreaterThan(0)
  })
})
