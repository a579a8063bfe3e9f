import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decodeImage } from '../../src/imaging/decode.ts'
import { PredictionService } from '../../src/inference/service.ts'
import { preprocessCpu } from '../../src/preprocess/cpu.ts'
import { goldenRows, params224, readFixture } from '../helpers/fixtures.ts'
import { testAdapter } from '../helpers/gpu.ts'
import { json, parsePrometheus, postImage, start } from '../helpers/server.ts'

const adapter = await testAdapter()
const golden = goldenRows()

describe.skipIf(!adapter)('the model server on the WebGPU engine', () => {
  let s: Awaited<ReturnType<typeof start>>
  beforeAll(async () => {
    s = await start({ model: { device: 'gpu' }, performance: { batchSize: 8, batchTimeoutMs: 50, cacheSize: 0 } })
    await s.loaded // the warm-up compiles the shaders: minutes on a cold lavapipe cache
  })
  afterAll(() => s?.close())

  it('reports the WebGPU adapter and answers the golden outputs of concurrent requests in shared batches', async () => {
    const health = await json(await fetch(`${s.url}/health`))
    expect(health.status).toBe('ok')
    expect(health.device.kind).toBe('webgpu')
    const answers = await Promise.all(golden.map(async ([key]) => json(await postImage(s, readFixture(`xray-224/${key}`)))))
    answers.forEach((a, i) => expect(Math.abs(a.probabilities.PNEUMONIA - golden[i][1]), golden[i][0]).toBeLessThan(1e-4))
    expect(Math.max(...answers.map((a) => a.batch_size))).toBeGreaterThan(1)
    const m = parsePrometheus(await (await fetch(`${s.url}/metrics`)).text())
    expect(m.get('xray_gpu_memory_bytes')).toBeGreaterThan(224 * 224 * 3 * 4) // at least one output buffer
  })

  it('serves OIP v2 FP32 tensors through the WebGPU session', async () => {
    const [key, p] = golden[6]
    const x = preprocessCpu(await decodeImage(readFixture(`xray-224/${key}`)), { ...params224, method: 'area' }, new Float32Array(3 * 224 * 224))
    const res = await fetch(`${s.url}/v2/models/pneumonia-efficientnet_b0/infer`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ inputs: [{ name: 'input', shape: [1, 3, 224, 224], datatype: 'FP32', data: Array.from(x) }] }),
    })
    expect(res.status).toBe(200)
    expect(Math.abs((await json(res)).outputs[0].data[1] - p)).toBeLessThan(1e-4)
  })

  it('answers an original-resolution X-ray as the CPU engine does', async () => {
    const xray = readFixture('xray-original/person100_bacteria_475.jpeg')
    const cpu = await PredictionService.create({ device: 'cpu' })
    const expected = (await cpu.predict(xray, { source: 'v1' })).probabilities.PNEUMONIA!
    await cpu.close()
    const body = await json(await postImage(s, xray))
    expect(body.label).toBe(expected >= 0.5 ? 'PNEUMONIA' : 'NORMAL')
    expect(Math.abs(body.probabilities.PNEUMONIA - expected)).toBeLessThan(1e-4)
  })
})

describe.skipIf(!adapter)('heatmaps drawn by the WebGPU engine', () => {
  it('are drawn on the engine device and match the CPU service within 2 levels', async () => {
    const xray = readFixture('xray-original/person100_bacteria_475.jpeg')
    const opts = { source: 'v1' as const, heatmap: { width: 301, layers: true } }
    const cpu = await PredictionService.create({ device: 'cpu' })
    const expected = (await cpu.predict(xray, opts)).heatmap!
    await cpu.close()
    const gpu = await PredictionService.create({ device: 'gpu' })
    try {
      const got = (await gpu.predict(xray, opts)).heatmap!
      expect(got.renderer).toBe('webgpu')
      expect(expected.renderer).toBe('cpu')
      const pixels = async (png: Uint8Array) => new Uint8Array(await sharp(png).raw().toBuffer())
      const [a, b] = await Promise.all([pixels(got.layers!.heat), pixels(expected.layers!.heat)])
      let worst = 0
      for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]))
      expect(worst).toBeLessThanOrEqual(2) // the two engines' CAMs differ in the 5th decimal
      expect(gpu.engine.gpuBytes()).toBeGreaterThan(301 * 205 * 4 * 3)
    } finally {
      await gpu.close()
    }
  })
})
