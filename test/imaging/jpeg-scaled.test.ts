/**
 * The integrity walk's reduced decode of gray JPEGs (src/imaging/jpeg-scaled.ts) against libvips'
 * shrink-on-load: the same pixels, bit for bit, at each scale; and the files it leaves to libvips.
 */
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { decodeImage, defaultDecodeLimits } from '../../src/imaging/decode.ts'
import { jpegFrame } from '../../src/imaging/jpeg-frame.ts'
import { ScaledGray, type ScaleDenom } from '../../src/imaging/jpeg-scaled.ts'
import { verifyJpeg } from '../../src/imaging/jpeg-verify.ts'
import { shrinkOnLoad } from '../../src/imaging/shrink.ts'
import { XrayError } from '../../src/errors/index.ts'
import { readFixture } from '../helpers/fixtures.ts'

const side = 224
const originals = ['xray-original/IM-0001-0001.jpeg', 'xray-original/person100_bacteria_475.jpeg'].map(readFixture)

/** What libvips gives: sharp decoding with shrink-on-load, then its linear reduce (the path before the walk decoded). */
const libvips = (b: Uint8Array) =>
  sharp(b, { failOn: 'warning', sequentialRead: true })
    .resize({ width: side, height: side, fit: 'outside', withoutEnlargement: true, kernel: 'linear', fastShrinkOnLoad: true })
    .toColourspace('b-w')
    .raw()
    .toBuffer({ resolveWithObject: true })

/** A gray baseline JPEG of the X-ray at `width` x `height` (odd sizes leave partial blocks at the edges). */
const grayJpeg = (width: number, height: number, quality = 90) =>
  sharp(originals[0]).resize(width, height, { fit: 'fill' }).toColourspace('b-w').jpeg({ quality, progressive: false, chromaSubsampling: '4:4:4' }).toBuffer()

/** The walk's own reduced decode of `b`, at the scale sharp would shrink it on load. */
async function walked(b: Uint8Array) {
  const f = jpegFrame(b)!
  const scale = shrinkOnLoad(f.width, f.height, side)
  expect(scale).toBeGreaterThan(1)
  const sink = new ScaledGray(f.width, f.height, scale as ScaleDenom)
  await verifyJpeg(b, sink)
  return { sink, scale }
}

describe('the reduced decode of a gray JPEG during its integrity walk', () => {
  it('picks the shrink-on-load sharp picks: 1/2, 1/4, 1/8, one step less at an exact integer shrink', () => {
    expect(shrinkOnLoad(1857, 1317, side)).toBe(4) // shrink 5.9
    expect(shrinkOnLoad(1106, 762, side)).toBe(2) // 3.4
    expect(shrinkOnLoad(1000, 900, side)).toBe(2) // 4.02: 4 at an integer 4 is one step less
    expect(shrinkOnLoad(2100, 2017, side)).toBe(8) // 9.0
    expect(shrinkOnLoad(1900, 1800, side)).toBe(4) // 8.04: 8 at an integer 8 is one step less
    expect(shrinkOnLoad(600, 500, side)).toBe(1) // 2.2: 2 at an integer 2 is one step less
    expect(shrinkOnLoad(200, 300, side)).toBe(1)
  })

  it('gives libvips pixels bit for bit at 1/2, 1/4 and 1/8, odd sizes included, and decodeImage returns them', async () => {
    const inputs = [...originals, await grayJpeg(901, 703), await grayJpeg(1123, 1501, 75), await grayJpeg(2101, 2017, 95)]
    const scales = new Set<number>()
    for (const b of inputs) {
      const { sink, scale } = await walked(b)
      scales.add(scale)
      expect(sink.complete && sink.plain).toBe(true)
      const f = jpegFrame(b)!
      // libvips rounds the shrunk size down; libjpeg rounds up and the partial pixels are dropped.
      expect([sink.outWidth, sink.outHeight]).toEqual([Math.floor(f.width / scale), Math.floor(f.height / scale)])
      const ref = await libvips(b)
      const ours = await sharp(sink.pixels(), { raw: { width: sink.outWidth, height: sink.outHeight, channels: 1 } })
        .resize({ width: side, height: side, fit: 'outside', withoutEnlargement: true, kernel: 'linear' })
        .toColourspace('b-w')
        .raw()
        .toBuffer()
      expect(Buffer.compare(ours, ref.data)).toBe(0)
      const img = await decodeImage(b, defaultDecodeLimits, { minSide: side })
      expect([img.width, img.height]).toEqual([ref.info.width, ref.info.height])
      expect(Buffer.compare(Buffer.from(img.data), ref.data)).toBe(0)
      expect(img.source.scaledFrom).toEqual({ width: f.width, height: f.height })
    }
    expect([...scales].sort()).toEqual([2, 4, 8])
  })

  it('a cut or damaged large JPEG is refused on this path as on the other, with a 4xx', async () => {
    const [big] = originals
    const cut = await decodeImage(big!.subarray(0, big!.length - 5000), defaultDecodeLimits, { minSide: side }).catch((e: unknown) => e)
    expect(cut).toBeInstanceOf(XrayError)
    expect((cut as XrayError).code).toBe('TRUNCATED_IMAGE')
    const bad = big!.slice()
    for (let i = 40_000; i < 40_064; i++) bad[i] = 0x5a // a run of garbage inside the image data
    const damaged = await decodeImage(bad, defaultDecodeLimits, { minSide: side }).catch((e: unknown) => e)
    expect(damaged).toBeInstanceOf(XrayError)
    expect((damaged as XrayError).status).toBe(422)
  })

  it('files whose libvips pixels differ (an ICC profile, an unknown JFIF version) are left to libvips', async () => {
    const [big] = originals
    const withSegment = (marker: number, body: Uint8Array) => {
      const seg = new Uint8Array(4 + body.length)
      seg.set([0xff, marker, (body.length + 2) >> 8, (body.length + 2) & 255])
      seg.set(body, 4)
      return new Uint8Array([...big!.subarray(0, 2), ...seg, ...big!.subarray(2)])
    }
    const icc = withSegment(0xe2, new Uint8Array([...new TextEncoder().encode('ICC_PROFILE\0'), 1, 1, 0, 0]))
    const jfif2 = withSegment(0xe0, new Uint8Array([...new TextEncoder().encode('JFIF\0'), 2, 1, 0, 0, 1, 0, 1, 0, 0]))
    const jfif1 = withSegment(0xe0, new Uint8Array([...new TextEncoder().encode('JFIF\0'), 1, 2, 0, 0, 1, 0, 1, 0, 0]))
    expect((await walked(icc)).sink.plain).toBe(false)
    expect((await walked(jfif2)).sink.plain).toBe(false)
    expect((await walked(jfif1)).sink.plain).toBe(true)
    // Left to libvips, such a file still decodes, to libvips' pixels.
    const viaLibvips = await decodeImage(icc, defaultDecodeLimits, { minSide: side })
    expect(Buffer.compare(Buffer.from(viaLibvips.data), (await libvips(icc)).data)).toBe(0)
  })
})
