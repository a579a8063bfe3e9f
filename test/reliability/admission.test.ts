/**
 * Admission by cost: a memory budget (limits.memory_budget) for the work in flight — request
 * bodies, decoded pixels (known from the header before decoding), tensors, JSON — that the
 * server never exceeds, checked with the service's own accounting (Admission.peakBytes). Past
 * it: 503 OVERLOADED with Retry-After, on every route; a request bigger than the whole budget:
 * 413 naming the limit. The engine is held (pauseEngine) where admitted work must stay in flight.
 */
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readFixture } from '../helpers/fixtures.ts'
import { pauseEngine, until } from '../helpers/paused-engine.ts'
import { json, postImage, startApp } from '../helpers/server.ts'

const MiB = 1024 * 1024
const BUDGET = 256 * MiB
const name = 'pneumonia-efficientnet_b0'
const xray = readFixture('xray-224/NORMAL/IM-0005-0001.jpeg')
const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64')

/** A gray PNG of `side` x `side` that compresses to a few hundred KB (an X-ray blown up), like the 6324 px PNGs of 117 KB. */
const bigPng = async (side: number) => new Uint8Array(await sharp(xray).resize(side, side, { kernel: 'nearest' }).grayscale().png({ compressionLevel: 9 }).toBuffer())

/** A flat gray PNG of `side` x `side`: 6324 px compress to about 130 KB, like the PNGs of 117 KB. */
const flatPng = async (side: number) =>
  new Uint8Array(await sharp({ create: { width: side, height: side, channels: 3, background: { r: 96, g: 96, b: 96 } } }).grayscale().png({ compressionLevel: 9 }).toBuffer())

const multipart = (files: Uint8Array[], field = 'images') => {
  const form = new FormData()
  files.forEach((f, i) => form.append(field, new Blob([new Uint8Array(f)]), `${i}.png`))
  return form
}

/** An OIP FP32 [n,3,224,224] body; with 18 digits, values of about 21 characters: 3.16 MB of JSON per image. */
const fp32Body = (n: number, digits = 6) => {
  const values = Array.from({ length: n * 3 * 224 * 224 }, (_, i) => ((i % 1000) / 1000 - 0.5).toFixed(digits))
  return `{"inputs":[{"name":"input","shape":[${n},3,224,224],"datatype":"FP32","data":[${values.join(',')}]}]}`
}

describe('admission by cost (limits.memory_budget = 256 MiB)', () => {
  let s: ReturnType<typeof startApp>
  beforeAll(async () => {
    s = startApp({ limits: { memoryBudget: BUDGET }, performance: { cacheSize: 0, cpuWorkers: 1 } })
    await s.loaded
  })
  afterAll(() => s?.close())
  const service = () => s.ctx.host.service!
  const infer = (body: string) => s.fetch(`${s.url}/v2/models/${name}/infer`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })

  it('a batch of 64 PNGs of 6324x6324 is a 413 naming limits.memory_budget before anything is decoded (v1 batch and OIP BYTES)', async () => {
    const png = await flatPng(6324)
    expect(png.length).toBeLessThan(200 * 1024)
    const decodesBefore = await decodeCount()
    const batch = await s.fetch(`${s.url}/v1/predict/batch`, { method: 'POST', body: multipart(Array(64).fill(png)) })
    const body = await json(batch)
    expect([batch.status, body.error?.code]).toEqual([413, 'INPUT_TOO_LARGE'])
    expect(body.error.message).toMatch(/limits\.memory_budget/)
    const oip = await infer(JSON.stringify({ inputs: [{ name: 'image', shape: [64], datatype: 'BYTES', data: Array(64).fill(b64(png)) }] }))
    const oipBody = await json(oip)
    expect([oip.status, oipBody.error?.code]).toEqual([413, 'INPUT_TOO_LARGE'])
    expect(oipBody.error.message).toMatch(/limits\.memory_budget/)
    expect(await decodeCount()).toBe(decodesBefore)
    expect(service().admission.peakBytes).toBeLessThanOrEqual(BUDGET)
  })

  async function decodeCount(): Promise<number> {
    const m = await service().metrics.registry.getSingleMetricAsString('xray_decode_duration_seconds')
    return Number(/xray_decode_duration_seconds_count(?:\{[^}]*\})? (\d+)/.exec(m)?.[1] ?? 0)
  }

  it('concurrent big PNGs past the budget get 503 OVERLOADED with Retry-After; the admitted ones are answered; the budget is never exceeded', async () => {
    const png = await bigPng(4000) // 16 megapixels decoded: about 32 MB each
    const cost = service().costOf(png)
    expect(cost).toBeGreaterThan(32_000_000)
    const paused = pauseEngine(service())
    const answers: Response[] = []
    const all = Array.from({ length: 10 }, () => postImage(s, png, 'image/png').then((r) => (answers.push(r), r)))
    // The admitted ones are held in the engine (or queued behind it); the others are answered at once.
    await until(() => answers.length + service().inProgress === 10 && service().inProgress > 0)
    expect(answers.length).toBeGreaterThan(0)
    expect(service().admission.bytesInUse).toBeLessThanOrEqual(BUDGET)
    paused.resume()
    const statuses = (await Promise.all(all)).map((r) => r.status)
    expect(statuses.filter((x) => x === 503).length).toBe(answers.filter((r) => r.status === 503).length)
    expect(statuses).toContain(200)
    expect(statuses.every((x) => x === 200 || x === 503)).toBe(true)
    const refused = answers.find((r) => r.status === 503)!
    expect(refused.headers.get('retry-after')).toBe('1')
    expect((await json(refused)).error.code).toBe('OVERLOADED')
    expect(service().admission.peakBytes).toBeLessThanOrEqual(BUDGET)
  })

  it('every route answers 503 OVERLOADED with Retry-After while the budget is taken, and serves again after', async () => {
    const taken = service().admission.acquire({ images: 0, bytes: BUDGET - 64 * 1024 })
    try {
      const calls: [string, () => Promise<Response>][] = [
        ['v1 raw', () => postImage(s, xray)],
        ['v1 multipart', () => s.fetch(`${s.url}/v1/predict`, { method: 'POST', body: multipart([xray], 'image') })],
        ['batch', () => s.fetch(`${s.url}/v1/predict/batch`, { method: 'POST', body: multipart([xray, xray]) })],
        ['OIP BYTES', () => infer(JSON.stringify({ inputs: [{ name: 'image', shape: [1], datatype: 'BYTES', data: [b64(xray)] }] }))],
        ['OIP FP32', () => infer(fp32Body(1))],
      ]
      for (const [route, call] of calls) {
        const res = await call()
        expect([route, res.status, res.headers.get('retry-after')]).toEqual([route, 503, '1'])
        expect((await json(res)).error.code).toBe('OVERLOADED')
      }
    } finally {
      taken()
    }
    expect((await postImage(s, xray)).status).toBe(200)
  })

  it('JSON nesting is bounded while the body is read: 30 MB of "[" is a 413 naming limits.max_json_depth', async () => {
    const res = await infer('['.repeat(30 * 1000 * 1000))
    const body = await json(res)
    expect([res.status, body.error.code]).toEqual([413, 'INPUT_TOO_LARGE'])
    expect(body.error.message).toMatch(/limits\.max_json_depth/)
  })

  it('eight concurrent 31.6 MB FP32 requests are not all admitted: the rest get 503, within the budget', async () => {
    const body = fp32Body(10, 18) // [10,3,224,224]
    expect(body.length).toBeGreaterThan(31 * 1000 * 1000)
    expect(body.length).toBeLessThan(32 * MiB)
    const paused = pauseEngine(service())
    const answers: Response[] = []
    const all = Array.from({ length: 8 }, () => infer(body).then((r) => (answers.push(r), r)))
    await until(() => paused.started > 0 && answers.length + service().inProgress / 10 === 8)
    expect(service().admission.bytesInUse).toBeLessThanOrEqual(BUDGET)
    paused.resume()
    const statuses = (await Promise.all(all)).map((r) => r.status)
    expect(statuses.filter((x) => x === 200).length).toBeGreaterThan(0)
    expect(statuses.filter((x) => x === 200).length).toBeLessThan(8)
    expect(statuses.every((x) => x === 200 || x === 503), String(statuses)).toBe(true)
    expect(service().admission.peakBytes).toBeLessThanOrEqual(BUDGET)
  })

  it('once everything is answered, nothing is left reserved', () => {
    expect(service().admission.inUse).toBe(0)
    expect(service().admission.bytesInUse).toBe(0)
  })
})

describe('a request bigger than the whole budget (limits.memory_budget = 16 MiB)', () => {
  let s: ReturnType<typeof startApp>
  beforeAll(async () => {
    s = startApp({ limits: { memoryBudget: 16 * MiB }, performance: { cacheSize: 0 } })
    await s.loaded
  })
  afterAll(() => s?.close())

  it('a 20 MiB body is a 413 naming limits.memory_budget, and the server answers the next request', async () => {
    const big = new Uint8Array(20 * MiB)
    big.set(xray)
    const res = await postImage(s, big)
    const body = await json(res)
    expect([res.status, body.error.code]).toEqual([413, 'INPUT_TOO_LARGE'])
    expect(body.error.message).toMatch(/limits\.memory_budget/)
    expect((await postImage(s, xray)).status).toBe(200)
    expect(s.ctx.host.service!.admission.bytesInUse).toBe(0)
  })
})
