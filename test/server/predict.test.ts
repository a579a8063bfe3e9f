import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { goldenRows, readFixture } from '../helpers/fixtures.ts'
import { postImage, startApp, json } from '../helpers/server.ts'

const xray = readFixture('xray-original/person100_bacteria_475.jpeg')
const golden = goldenRows()

describe('model server prediction routes (in-process)', () => {
  let s: ReturnType<typeof startApp>
  beforeAll(async () => {
    s = startApp()
    await s.loaded
  })
  afterAll(() => s?.close())

  it('POST /v1/predict with a JPEG body: label, probabilities, threshold, model, device, timings', async () => {
    const res = await postImage(s, xray)
    expect(res.status).toBe(200)
    const body = await json(res)
    expect(body.label).toBe('PNEUMONIA')
    expect(body.probabilities.NORMAL + body.probabilities.PNEUMONIA).toBeCloseTo(1, 6)
    expect(body.threshold).toBe(0.5)
    expect(body.model).toEqual({ name: 'pneumonia-efficientnet_b0', version: '1', sha256: expect.stringMatching(/^53c15d48/) })
    expect(body.device).toMatch(/cpu/)
    const t = body.timings
    for (const k of ['decode', 'preprocess', 'inference']) expect(t[k], k).toBeGreaterThan(0)
    expect(t.total).toBeGreaterThanOrEqual(t.decode + t.queue) // decode, then the wait, then the batch
    expect(body.cached).toBe(false)
    expect(body.id).toMatch(/^[0-9a-f-]{36}$/)
  })

  it('answers the golden output for a 224x224 test image, sent as multipart field "image"', async () => {
    const [key, p] = golden[2]
    const form = new FormData()
    form.append('image', new Blob([readFixture(`xray-224/${key}`)], { type: 'image/jpeg' }), 'x.jpeg')
    const body = await json(await s.fetch(`${s.url}/v1/predict`, { method: 'POST', body: form }))
    expect(Math.abs(body.probabilities.PNEUMONIA - p)).toBeLessThan(1e-4)
  })

  it('serves a repeated image from the cache, with the same answer', async () => {
    const bytes = readFixture(`xray-224/${golden[5][0]}`)
    const first = await json(await postImage(s, bytes))
    const second = await json(await postImage(s, bytes))
    expect(first.cached).toBe(false)
    expect(second.cached).toBe(true)
    expect(second.probabilities).toEqual(first.probabilities)
    const fresh = await json(await s.fetch(`${s.url}/v1/predict`, { method: 'POST', headers: { 'content-type': 'image/jpeg', 'cache-control': 'no-cache' }, body: bytes }))
    expect(fresh.cached).toBe(false)
    expect(fresh.probabilities).toEqual(first.probabilities)
  })

  it('every image answer carries its input-quality flags, and a DICOM its acquisition', async () => {
    const clean = await json(await postImage(s, xray))
    expect(clean.quality).toEqual([])
    expect(clean.acquisition).toBeUndefined()
    // A real X-ray shrunk below the model input (224 px), and a negative of it (sharp, independent of the decoder).
    const small = new Uint8Array(await sharp(xray).resize(160).jpeg().toBuffer())
    expect((await json(await postImage(s, small))).quality).toEqual(['upsampled'])
    const negative = new Uint8Array(await sharp(xray).negate().jpeg().toBuffer())
    expect((await json(await postImage(s, negative))).quality).toEqual(['inverted'])
    const dicom = await json(await postImage(s, readFixture('dicom/real-rsna-jpeg.dcm'), 'application/dicom'))
    expect(dicom.quality).toEqual([])
    expect(dicom.acquisition).toEqual({ modality: 'CR', view: 'PA', body_part: 'CHEST' })
    const again = await json(await postImage(s, negative)) // from the cache: the flags are kept with the answer
    expect(again.cached).toBe(true)
    expect(again.quality).toEqual(['inverted'])
  })

  it('returns the class activation map on ?cam=1', async () => {
    const body = await json(await postImage(s, xray, 'image/jpeg', '?cam=1'))
    expect(body.cam.shape).toEqual([2, 7, 7])
    expect(body.cam.data).toHaveLength(98)
  })

  it('POST /v1/predict/batch: one result per image, a bad image fails alone', async () => {
    const form = new FormData()
    form.append('images', new Blob([readFixture(`xray-224/${golden[0][0]}`)]), 'a.jpeg')
    form.append('images', new Blob([new Uint8Array([1, 2, 3, 4])]), 'b.jpeg')
    form.append('images', new Blob([readFixture(`xray-224/${golden[7][0]}`)]), 'c.jpeg')
    const res = await s.fetch(`${s.url}/v1/predict/batch`, { method: 'POST', body: form })
    expect(res.status).toBe(200)
    const body = await json(res)
    expect(body.count).toBe(3)
    expect(body.results.map((r: { ok: boolean }) => r.ok)).toEqual([true, false, true])
    expect(body.results[1].error.code).toBe('UNSUPPORTED_FORMAT')
    expect(Math.abs(body.results[0].probabilities.PNEUMONIA - golden[0][1])).toBeLessThan(1e-4)
    expect(Math.abs(body.results[2].probabilities.PNEUMONIA - golden[7][1])).toBeLessThan(1e-4)
  })

  it.each([
    ['an empty body', new Uint8Array(0), 'image/jpeg', 400, 'EMPTY_INPUT'],
    ['a truncated JPEG', xray.subarray(0, 3000), 'image/jpeg', 422, 'TRUNCATED_IMAGE'],
    ['a GIF', new TextEncoder().encode('GIF89a....'), 'image/png', 415, 'UNSUPPORTED_FORMAT'],
    ['text/plain', new TextEncoder().encode('hello'), 'text/plain', 415, 'UNSUPPORTED_MEDIA_TYPE'],
  ])('%s gets %i with a JSON error naming it', async (_name, bytes, type, status, code) => {
    const res = await postImage(s, bytes as Uint8Array, type as string)
    expect(res.status).toBe(status)
    const body = await json(res)
    expect(body.error.code).toBe(code)
    expect(body.error.message.length).toBeGreaterThan(5)
  })

  it('batch results come back in the order the files were sent, whatever the field names', async () => {
    const [normal, pneumonia] = [golden[0], golden[4]]
    const form = new FormData()
    for (const [field, [key]] of [['2', normal], ['1', pneumonia], ['x', normal], ['y', pneumonia], ['x', pneumonia]] as const)
      form.append(field, new Blob([readFixture(`xray-224/${key}`)]), 'f.jpeg')
    const body = await json(await s.fetch(`${s.url}/v1/predict/batch`, { method: 'POST', body: form }))
    const ps = body.results.map((r: { probabilities: { PNEUMONIA: number } }) => r.probabilities.PNEUMONIA)
    const expected = [normal[1], pneumonia[1], normal[1], pneumonia[1], pneumonia[1]]
    ps.forEach((p: number, i: number) => expect(Math.abs(p - expected[i])).toBeLessThan(1e-4))
    expect(body.results[3].id).toMatch(/-3$/)
  })

  it('a GIF sent as image/gif is named as an unsupported format', async () => {
    const res = await postImage(s, new TextEncoder().encode('GIF89a.......'), 'image/gif')
    expect(res.status).toBe(415)
    const body = await json(res)
    expect(body.error.code).toBe('UNSUPPORTED_FORMAT')
    expect(body.error.message).toContain('GIF')
  })

  it('multipart without an "image" field is a 400', async () => {
    const form = new FormData()
    form.append('file', new Blob([xray]), 'x.jpeg')
    const res = await s.fetch(`${s.url}/v1/predict`, { method: 'POST', body: form })
    expect(res.status).toBe(400)
    expect((await json(res)).error.message).toContain('"image"')
  })

  it('unknown routes are a JSON 404', async () => {
    const res = await s.fetch(`${s.url}/v1/nothing`)
    expect(res.status).toBe(404)
    expect((await json(res)).error.code).toBe('NOT_FOUND')
  })
})

describe('batch size limit', () => {
  it('refuses a batch over limits.maxBatchImages with a 400 naming the limit', async () => {
    const s = startApp({ limits: { maxBatchImages: 2 } })
    try {
      await s.loaded
      const form = new FormData()
      for (let i = 0; i < 3; i++) form.append('images', new Blob([xray]), `${i}.jpeg`)
      const res = await s.fetch(`${s.url}/v1/predict/batch`, { method: 'POST', body: form })
      expect(res.status).toBe(400)
      expect((await json(res)).error.message).toBe('the batch has 3 images; the limit is 2')
    } finally {
      await s.close()
    }
  })
})

describe('request size limit', () => {
  it('rejects a body over limits.maxBodyBytes with 413', async () => {
    const s = startApp({ limits: { maxBodyBytes: 10_000 } })
    try {
      await s.loaded
      const res = await postImage(s, xray)
      expect(res.status).toBe(413)
      expect((await json(res)).error.code).toBe('INPUT_TOO_LARGE')
    } finally {
      await s.close()
    }
  })
})
