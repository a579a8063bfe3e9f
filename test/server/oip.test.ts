import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decodeImage } from '../../src/imaging/decode.ts'
import { preprocessCpu } from '../../src/preprocess/cpu.ts'
import type { RunningServer } from '../../src/server/serve.ts'
import { goldenRows, params224, readFixture } from '../helpers/fixtures.ts'
import { start, json } from '../helpers/server.ts'

const golden = goldenRows()
const name = 'pneumonia-efficientnet_b0'
const post = (url: string, body: unknown) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })

describe('Open Inference Protocol v2', () => {
  let s: RunningServer
  beforeAll(async () => {
    s = await start()
    await s.loaded
  })
  afterAll(() => s?.close())

  it('health, model metadata and model readiness', async () => {
    expect(await json(await fetch(`${s.url}/v2/health/live`))).toEqual({ live: true })
    expect(await json(await fetch(`${s.url}/v2/health/ready`))).toEqual({ ready: true })
    const meta = await json(await fetch(`${s.url}/v2/models/${name}`))
    expect(meta.name).toBe(name)
    expect(meta.versions).toEqual(['1'])
    expect(meta.inputs).toContainEqual({ name: 'input', datatype: 'FP32', shape: [-1, 3, 224, 224] })
    expect(await json(await fetch(`${s.url}/v2/models/${name}/ready`))).toEqual({ name, ready: true })
    expect((await fetch(`${s.url}/v2/models/other/ready`)).status).toBe(404)
    expect((await fetch(`${s.url}/v2/models/${name}/versions/1/ready`)).status).toBe(200)
    const v = await fetch(`${s.url}/v2/models/${name}/versions/999`)
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
    expect((await fetch(`${s.url}/health`)).status).toBe(200)
    const notJson = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{oops' })
    expect(notJson.status).toBe(400)
    expect((await post(`${s.url}/v2/models/other/infer`, { inputs: [] })).status).toBe(404)
  })
})
