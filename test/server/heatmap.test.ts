import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readFixture } from '../helpers/fixtures.ts'
import { json, postImage, startApp } from '../helpers/server.ts'

const xray = readFixture('xray-original/person100_bacteria_475.jpeg')
/** A PNG's pixels as stored (libvips would turn gray into RGB unless told). */
const raw = async (b64: string) => {
  const png = Buffer.from(b64, 'base64')
  const { channels } = await sharp(png).metadata()
  const s = sharp(png)
  const { data, info } = await (channels === 1 ? s.toColourspace('b-w') : s).raw().toBuffer({ resolveWithObject: true })
  return { data: new Uint8Array(data), ...info }
}

describe('heatmaps over HTTP (CPU reference renderer)', () => {
  let s: ReturnType<typeof startApp>
  let size: { width: number; height: number }
  beforeAll(async () => {
    s = startApp({ performance: { cacheSize: 16 } })
    await s.loaded
    const m = await sharp(xray).metadata()
    size = { width: m.width!, height: m.height! }
  })
  afterAll(() => s?.close())

  it('JSON: the overlay at the image size by default, hottest where the CAM says PNEUMONIA is', async () => {
    const res = await postImage(s, xray, 'image/jpeg', '?heatmap=1&layers=1&cam=1')
    expect(res.status).toBe(200)
    const body = await json(res)
    expect(body.label).toBe('PNEUMONIA')
    const h = body.heatmap
    expect(h).toMatchObject({ format: 'png', ...size, colormap: 'inferno', opacity: 0.5, renderer: 'cpu' })
    expect(body.timings.heatmap).toBeGreaterThan(0)
    const overlay = await raw(h.base64)
    expect([overlay.width, overlay.height, overlay.channels]).toEqual([size.width, size.height, 3])
    const heat = await raw(h.layers.heat)
    expect(heat.channels).toBe(4)
    // The hottest cell of cam[PNEUMONIA] - cam[NORMAL], computed here from the raw CAM, is opaque in the layer.
    const c = body.cam.data as number[]
    const d = Array.from({ length: 49 }, (_, i) => c[49 + i] - c[i])
    const top = d.indexOf(Math.max(...d))
    const x = Math.floor(((top % 7) + 0.5) * (size.width / 7))
    const y = Math.floor((Math.floor(top / 7) + 0.5) * (size.height / 7))
    expect(heat.data[(y * size.width + x) * 4 + 3]).toBeGreaterThanOrEqual(250)
    // A cell where d <= 0 is transparent (ReLU).
    const cold = d.findIndex((v) => v <= 0)
    if (cold >= 0) {
      const cx = Math.floor(((cold % 7) + 0.5) * (size.width / 7))
      const cy = Math.floor((Math.floor(cold / 7) + 0.5) * (size.height / 7))
      expect(heat.data[(cy * size.width + cx) * 4 + 3]).toBeLessThanOrEqual(2)
    }
  })

  it('width=N scales the output; the layers blended at the opacity give the overlay', async () => {
    const body = await json(await postImage(s, xray, 'image/jpeg', '?heatmap=1&width=301&opacity=0.8&layers=1'))
    const h = body.heatmap
    const height = Math.round((size.height * 301) / size.width)
    expect([h.width, h.height, h.opacity]).toEqual([301, height, 0.8])
    const [overlay, image, heat] = await Promise.all([raw(h.base64), raw(h.layers.image), raw(h.layers.heat)])
    expect([image.width, image.height, image.channels]).toEqual([301, height, 1])
    let worst = 0
    for (let i = 0; i < 301 * height; i++) {
      const a = (0.8 * heat.data[i * 4 + 3]) / 255
      for (let k = 0; k < 3; k++) worst = Math.max(worst, Math.abs(image.data[i] * (1 - a) + heat.data[i * 4 + k] * a - overlay.data[i * 3 + k]))
    }
    expect(worst).toBeLessThanOrEqual(2) // 8-bit layer values
  })

  it('Accept: image/png gives the overlay PNG with the prediction in headers; a cache hit draws it again', async () => {
    const first = await json(await postImage(s, xray, 'image/jpeg', '?heatmap=1&width=200'))
    const res = await s.fetch(`${s.url}/v1/predict?heatmap=1&width=200`, { method: 'POST', headers: { 'content-type': 'image/jpeg', accept: 'image/png' }, body: xray })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('image/png')
    expect(res.headers.get('x-prediction-label')).toBe('PNEUMONIA')
    expect(Number(res.headers.get('x-prediction-probability'))).toBeCloseTo(first.probabilities.PNEUMONIA, 9)
    expect(res.headers.get('x-prediction-id')).toMatch(/^[0-9a-f-]{36}$/)
    expect(res.headers.get('x-model-version')).toBe('1')
    const png = Buffer.from(await res.arrayBuffer())
    expect(png.toString('base64')).toBe(first.heatmap.base64)
    const again = await json(await postImage(s, xray, 'image/jpeg', '?heatmap=1&width=200'))
    expect(again.cached).toBe(true)
    expect(again.timings.decode).toBeGreaterThan(0) // decoded again to draw on
    expect(again.heatmap.base64).toBe(first.heatmap.base64)
  })

  it('without heatmap=1 the answer has no heatmap, whatever Accept says', async () => {
    const res = await s.fetch(`${s.url}/v1/predict`, { method: 'POST', headers: { 'content-type': 'image/jpeg', accept: 'image/png' }, body: xray })
    expect(res.headers.get('content-type')).toMatch(/application\/json/)
    expect((await json(res)).heatmap).toBeUndefined()
  })

  it.each([
    ['width=5000', /at most|1 to 4096/],
    ['width=0', /1 to 4096/],
    ['width=12.5', /whole number/],
    ['width=abc', /must be a number/],
    ['opacity=2', /0 to 1/],
  ])('400 for %s, naming the limit', async (q, message) => {
    const res = await postImage(s, xray, 'image/jpeg', `?heatmap=1&${q}`)
    expect(res.status).toBe(400)
    const body = await json(res)
    expect(body.error.code).toBe('BAD_REQUEST')
    expect(body.error.message).toMatch(message)
  })

  it('400 when the requested width would make the heatmap taller than the limit', async () => {
    const tall = await sharp({ create: { width: 20, height: 400, channels: 3, background: '#808080' } }).png().toBuffer()
    const res = await postImage(s, new Uint8Array(tall), 'image/png', '?heatmap=1&width=300')
    expect(res.status).toBe(400)
    expect((await json(res)).error.message).toMatch(/6000 px high.*4096/)
  })

  it('400 on the batch route', async () => {
    const form = new FormData()
    form.append('a', new Blob([xray]), 'a.jpeg')
    const res = await s.fetch(`${s.url}/v1/predict/batch?heatmap=1`, { method: 'POST', body: form })
    expect(res.status).toBe(400)
  })

  it('OIP: a heatmap output (BYTES, base64 PNG) with parameters; refused for FP32 tensors', async () => {
    const url = `${s.url}/v2/models/pneumonia-efficientnet_b0/infer`
    const post = (body: unknown) => s.fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
    const res = await post({
      inputs: [{ name: 'image', shape: [1], datatype: 'BYTES', data: [Buffer.from(xray).toString('base64')] }],
      outputs: [{ name: 'label' }, { name: 'heatmap', parameters: { width: 128 } }],
    })
    expect(res.status).toBe(200)
    const out = (await json(res)).outputs
    expect(out.map((o: { name: string }) => o.name)).toEqual(['label', 'heatmap'])
    expect(out[1]).toMatchObject({ datatype: 'BYTES', shape: [1], parameters: { content_type: 'image/png' } })
    const png = await raw(out[1].data[0])
    expect([png.width, png.channels]).toEqual([128, 3])
    const tensor = await post({ inputs: [{ name: 'input', shape: [1, 3, 224, 224], datatype: 'FP32', data: new Array(3 * 224 * 224).fill(0) }], outputs: [{ name: 'heatmap' }] })
    expect(tensor.status).toBe(400)
    expect((await json(tensor)).error.message).toMatch(/drawn over an image/)
  })
})
