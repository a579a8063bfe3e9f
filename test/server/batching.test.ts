import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { goldenRows, readFixture } from '../helpers/fixtures.ts'
import { parsePrometheus, postImage, start, json } from '../helpers/server.ts'

/** 64 different real X-ray images: crops of the fixtures at different offsets and sizes. */
async function sixtyFourImages(): Promise<Uint8Array[]> {
  const sources = [...goldenRows().map(([k]) => `xray-224/${k}`), 'xray-original/person100_bacteria_475.jpeg', 'xray-original/IM-0001-0001.jpeg']
  const out: Uint8Array[] = []
  for (let i = 0; i < 64; i++) {
    const src = readFixture(sources[i % sources.length])
    const meta = await sharp(src).metadata()
    const k = Math.floor(i / sources.length) // 0..6
    const w = Math.round(meta.width! * (0.7 + 0.04 * k))
    const h = Math.round(meta.height! * (0.75 + 0.03 * k))
    const crop = await sharp(src).extract({ left: Math.min(k * 3, meta.width! - w), top: Math.min(k * 2, meta.height! - h), width: w, height: h }).png().toBuffer()
    out.push(new Uint8Array(crop))
  }
  return out
}

const pPneumonia = async (res: Response) => {
  expect(res.status).toBe(200)
  const body = await json(res)
  return { p: body.probabilities.PNEUMONIA as number, batch: body.batch_size as number }
}

describe('dynamic batching under 64 concurrent requests', () => {
  let s: Awaited<ReturnType<typeof start>>
  let images: Uint8Array[]
  beforeAll(async () => {
    images = await sixtyFourImages()
    // Cache off, so the concurrent answers are computed again rather than looked up.
    // No window (the default): batches form while the engine is busy. The CPU engine runs one
    // image at a time by default (cpu_batch_size 1); runs of up to 4 here.
    s = await start({ performance: { enableBatching: true, batchSize: 16, cacheSize: 0, cpuBatchSize: 4 } })
    await s.loaded
  })
  afterAll(() => s?.close())

  it('gives each request its own image answer (|dP| <= 1e-5) and runs batches > 1', async () => {
    const alone: number[] = []
    for (const img of images) alone.push((await pPneumonia(await postImage(s, img, 'image/png'))).p)
    expect(new Set(alone.map((p) => p.toFixed(6))).size).toBeGreaterThan(32) // the images really differ

    const together = await Promise.all(images.map(async (img) => pPneumonia(await postImage(s, img, 'image/png'))))
    together.forEach((r, i) => expect(Math.abs(r.p - alone[i]), `image ${i}`).toBeLessThanOrEqual(1e-5))
    expect(Math.max(...together.map((r) => r.batch))).toBeGreaterThan(1)

    const metrics = parsePrometheus(await (await fetch(`${s.url}/metrics`)).text())
    const runs = metrics.get('xray_batch_size_count')!
    const single = metrics.get('xray_batch_size_bucket{le="1"}')!
    expect(runs - single).toBeGreaterThan(0) // some model runs held more than one image
    expect(metrics.get("xray_batch_size_sum")).toBe(64 + 64) // 64 alone + 64 together (the warm-up does not go through the batcher)
  })
})

describe('batching off', () => {
  it('runs every image alone', async () => {
    const s = await start({ performance: { enableBatching: false, cacheSize: 0 } })
    try {
      await s.loaded
      const xs = goldenRows().map(([k]) => readFixture(`xray-224/${k}`))
      const rs = await Promise.all(xs.map(async (x) => pPneumonia(await postImage(s, x))))
      expect(rs.every((r) => r.batch === 1)).toBe(true)
    } finally {
      await s.close()
    }
  })
})
