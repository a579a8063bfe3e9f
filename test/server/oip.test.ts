import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decodeImage } from '../../src/imaging/decode.ts'
import { preprocessCpu } from '../../src/preprocess/cpu.ts'
import { goldenRows, params224, readFixture } from '../helpers/fixtures.ts'
import { json, parsePrometheus, postImage, startApp } from '../helpers/server.ts'

const golden = goldenRows()
const name = 'pneumonia-efficientnet_b0'

describe('Open Inference Protocol v2', () => {
  let s: ReturnType<typeof startApp>
  beforeAll(async () => {
    s = startApp()
    await s.loaded
  })
  afterAll(() => s?.close())
  const post = (url: string, body: unknown) => s.fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })

  it('health, model metadata and model readiness', async () => {
    expect(await json(await s.fetch(`${s.url}/v2/health/live`))).toEqual({ live: true })
    expect(await json(await s.fetch(`${s.url}/v2/health/ready`))).toEqual({ ready: true })
    const meta = await json(await s.fetch(`${s.url}/v2/models/${name}`))
    expect(meta.name).toBe(name)
    expect(meta.versions).toEqual(['1'])
    expect(meta.inputs).toContainEqual({ name: 'input', datatype: 'FP32', shape: [-1, 3, 224, 224] })
    expect(await json(await s.fetch(`${s.url}/v2/models/${name}/ready`))).toEqual({ name, ready: true })
    expect((await s.fetch(`${s.url}/v2/models/other/ready`)).status).toBe(404)
    expect((await s.fetch(`${s.url}/v2/models/${name}/versions/1/ready`)).status).toBe(200)
    const v = await s.fetch(`${s.url}/v2/models/${name}/versions/999`)
    expect(v.status).toBe(404)
    expect((await json(v)).error.message).toMatch(/no version "999"/)
  })

  it('infer with a BYTES input of base64 images gives the golden probabilities', async () => {
    const rows = golden.slice(0, 3)
    const data = rows.map(([key]) => Buffer.from(readFixture(`xray-224/${key}`)).toString('base64'))
    const res = await post(`${s.url}/v2/models/${name}/infer`, { id: 'req-1', inputs: [{ name: 'image', shape: [3], datatype: 'BYTES', data }] })
    expect(res.status).toBe(200)
    const body = await json(res)
    expect(body).toMatchObject({ model_name: name, model_version: '1', id: 'req-1' })
    const probs = body.outputs.find((o: { name: string }) => o.name === 'probabilities')
    expect(probs.shape).toEqual([3, 2])
    rows.forEach(([, p], i) => expect(Math.abs(probs.data[2 * i + 1] - p)).toBeLessThan(1e-4))
    const labels = body.outputs.find((o: { name: string }) => o.name === 'label')
    expect(labels.data).toEqual(rows.map(([, p]) => (p >= 0.5 ? 'PNEUMONIA' : 'NORMAL')))
  })

  it('infer with an FP32 [N,3,224,224] tensor gives the same answer as the image', async () => {
    const [key, p] = golden[4]
    const img = await decodeImage(readFixture(`xray-224/${key}`))
    const x = preprocessCpu(img, { ...params224, method: 'area' }, new Float32Array(3 * 224 * 224))
    const res = await post(`${s.url}/v2/models/${name}/versions/1/infer`, {
      inputs: [{ name: 'input', shape: [1, 3, 224, 224], datatype: 'FP32', data: Array.from(x) }],
      outputs: [{ name: 'probabilities' }, { name: 'cam' }],
    })
    expect(res.status).toBe(200)
    const body = await json(res)
    expect(Math.abs(body.outputs[0].data[1] - p)).toBeLessThan(1e-4)
    expect(body.outputs[1]).toMatchObject({ name: 'cam', shape: [1, 2, 7, 7] })
  })

  it('goes through the prediction service: FP32 counted in the metrics, refused under overload, BYTES repeats from the cache', async () => {
    const metric = async (name: string) => parsePrometheus(await (await s.fetch(`${s.url}/metrics`)).text()).get(name) ?? 0
    const tensorOf = async (key: string) => preprocessCpu(await decodeImage(readFixture(`xray-224/${key}`)), { ...params224, method: 'area' }, new Float32Array(3 * 224 * 224))
    const fp32Of = async (key: string) => ({ inputs: [{ name: 'input', shape: [1, 3, 224, 224], datatype: 'FP32', data: Array.from(await tensorOf(key)) }] })
    const fp32 = await fp32Of(golden[1]![0])
    const label = golden[1]![1] >= 0.5 ? 'PNEUMONIA' : 'NORMAL'
    const before = await metric(`xray_predictions_total{label="${label}"}`)
    expect((await post(`${s.url}/v2/models/${name}/infer`, fp32)).status).toBe(200)
    expect(await metric(`xray_predictions_total{label="${label}"}`)).toBe(before + 1)

    // Every slot of the service's admission taken: FP32 and image requests alike get 503 + Retry-After.
    const admission = s.ctx.host.service!.admission
    const hold = admission.acquire(admission.capacity - admission.inUse)
    try {
      const other = await fp32Of(golden[3]![0]) // not in the cache
      for (const res of [await post(`${s.url}/v2/models/${name}/infer`, other), await postImage(s, readFixture('xray-original/IM-0001-0001.jpeg'))]) {
        expect(res.status).toBe(503)
        expect(res.headers.get('retry-after')).toBe('1')
        expect((await json(res)).error.code).toBe('OVERLOADED')
      }
    } finally {
      hold()
    }
    expect(await metric('xray_prediction_errors_total{code="OVERLOADED"}')).toBe(2)

    const bytes = { inputs: [{ name: 'image', shape: [1], datatype: 'BYTES', data: [Buffer.from(readFixture(`xray-224/${golden[7]![0]}`)).toString('base64')] }] }
    const hits = await metric('xray_cache_hits_total')
    const first = await json(await post(`${s.url}/v2/models/${name}/infer`, bytes))
    const second = await json(await post(`${s.url}/v2/models/${name}/infer`, bytes))
    expect(second.outputs).toEqual(first.outputs)
    expect(await metric('xray_cache_hits_total')).toBe(hits + 1)
  })

  it('rejects malformed requests with 4xx JSON errors', async () => {
    const url = `${s.url}/v2/models/${name}/infer`
    const bad = [
      [{ inputs: [{ name: 'input', shape: [1, 3, 10, 10], datatype: 'FP32', data: [1, 2, 3] }] }, 400, /shape \[N,3,224,224\]/],
      [{ inputs: [{ name: 'x', shape: [1], datatype: 'INT8', data: [1] }] }, 400, /datatype "INT8"/],
      [{ inputs: [] }, 400, /inputs\[0\]/],
      [{ inputs: [{ name: 'image', shape: [1], datatype: 'BYTES', data: [42] }] }, 400, /base64/],
    ] as const
    for (const [body, status, msg] of bad) {
      const res = await post(url, body)
      expect(res.status).toBe(status)
      expect((await json(res)).error.message).toMatch(msg)
    }
    const more = [
      [null, /JSON object/],
      [{ inputs: [{ name: 'x', shape: [1], datatype: 'BYTES', data: ['AAAA'] }], outputs: 5 }, /"outputs" must be an array/],
      [{ inputs: [{ name: 'x', shape: [0.5, 3, 224, 224], datatype: 'FP32', data: [] }] }, /non-negative integers/],
      [{ inputs: [{ name: 'x', shape: [1000, 3, 224, 224], datatype: 'FP32', data: [] }] }, /limit is 64/],
      [{ inputs: [{ name: 'x', shape: [2], datatype: 'BYTES', data: ['AAAA', 5] }] }, /data\[1\] must be a base64 string/],
    ] as const
    for (const [body, msg] of more) {
      const res = await post(url, body)
      expect(res.status, JSON.stringify(body)).toBe(400)
      expect((await json(res)).error.message).toMatch(msg)
    }
    // A request with one good and one bad image neither crashes the server nor leaves work behind.
    expect((await s.fetch(`${s.url}/health`)).status).toBe(200)
    const notJson = await s.fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{oops' })
    expect(notJson.status).toBe(400)
    expect((await post(`${s.url}/v2/models/other/infer`, { inputs: [] })).status).toBe(404)
  })
})
