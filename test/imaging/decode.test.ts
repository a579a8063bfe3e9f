import zlib from 'node:zlib'
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { decodeImage, defaultDecodeLimits } from '../../src/imaging/decode.ts'
import { XrayError } from '../../src/errors/index.ts'
import { preprocessCpu } from '../../src/preprocess/cpu.ts'
import { readFixture } from '../helpers/fixtures.ts'

/** A minimal 8-bit gray PNG of zeros, built by hand so its size is not limited by an encoder. */
function grayPng(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data])
    const out = Buffer.alloc(12 + data.length)
    out.writeUInt32BE(data.length, 0)
    body.copy(out, 4)
    out.writeUInt32BE(zlib.crc32(body), 8 + data.length)
    return out
  }
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(width, 0)
  ihdr.writeUInt32BE(height, 4)
  ihdr.set([8, 0, 0, 0, 0], 8) // 8-bit, grayscale
  const idat = zlib.deflateSync(Buffer.alloc((width + 1) * height), { level: 9 })
  const sig = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
  return Buffer.concat([sig, chunk('IHDR', ihdr), chunk('IDAT', idat), chunk('IEND', Buffer.alloc(0))])
}

const xray = readFixture('xray-original/person100_bacteria_475.jpeg')

const expectCode = async (input: Uint8Array, code: string, limits = defaultDecodeLimits, hint = { minSide: 224 }) => {
  const err = await decodeImage(input, limits, hint).then(
    () => null,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(XrayError)
  expect((err as XrayError).code).toBe(code)
  expect((err as XrayError).message.length).toBeGreaterThan(10)
  return err as XrayError
}

describe('decodeImage: a real X-ray', () => {
  it('decodes the JPEG to 8-bit luminance at full size', async () => {
    const img = await decodeImage(xray)
    expect([img.width, img.height, img.format]).toEqual([1106, 762, 'jpeg'])
    expect(img.data.length).toBe(1106 * 762)
    expect(img.source).toEqual({ bitDepth: 8, channels: 1 })
    // libvips' own 3-channel decode of the same file, reduced to one channel, agrees.
    const { data, info } = await sharp(xray).raw().toBuffer({ resolveWithObject: true })
    expect(info.channels).toBe(3)
    expect(img.data.every((v, i) => v === data[i * 3])).toBe(true)
  })

  it('gives the same luminance from 8-bit gray, RGB, RGBA and 16-bit PNGs of it', async () => {
    const ref = await decodeImage(xray)
    const gray = await sharp(Buffer.from(ref.data), { raw: { width: ref.width, height: ref.height, channels: 1 } })
    const variants = {
      gray8: await gray.clone().png().toBuffer(),
      rgb: await gray.clone().toColourspace('srgb').png().toBuffer(),
      rgba: await gray.clone().toColourspace('srgb').ensureAlpha(0.5).png().toBuffer(),
      gray16: await sharp(Uint16Array.from(ref.data, (v) => v * 257), { raw: { width: ref.width, height: ref.height, channels: 1 } })
        .toColourspace('grey16')
        .png()
        .toBuffer(),
    }
    for (const [name, png] of Object.entries(variants)) {
      const img = await decodeImage(png)
      expect(img.format, name).toBe('png')
      expect(Buffer.from(img.data).equals(Buffer.from(ref.data)), name).toBe(true)
    }
    expect((await decodeImage(variants.gray16)).source.bitDepth).toBe(16)
  })

  it('weights RGB channels as PIL convert("L") does', async () => {
    const px = Buffer.from([255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 200, 77])
    const png = await sharp(px, { raw: { width: 2, height: 2, channels: 3 } }).resize(16, 16, { kernel: 'nearest' }).png().toBuffer()
    const img = await decodeImage(png)
    // (r*19595 + g*38470 + b*7471 + 0x8000) >> 16
    expect([img.data[0], img.data[15], img.data[16 * 8], img.data[16 * 15 + 15]]).toEqual([76, 150, 29, 129])
  })
})

describe('decodeImage: shrink-on-load hint', () => {
  it('reduces a large JPEG until its shorter side is minSide, with the pixels of an area resize of the full decode', async () => {
    const full = await decodeImage(xray) // 1106 x 762
    const small = await decodeImage(xray, defaultDecodeLimits, { minSide: 224 })
    expect([small.width, small.height]).toEqual([Math.round((1106 * 224) / 762), 224])
    // Independent path: the full-resolution pixels averaged by the product's area resize to the same size.
    const p = { outWidth: small.width, outHeight: small.height, method: 'area' as const, mean: [0, 0, 0] as [number, number, number], std: [1, 1, 1] as [number, number, number] }
    const area = preprocessCpu(full, p, new Float32Array(3 * small.width * small.height)).subarray(0, small.width * small.height)
    let sum = 0
    for (let i = 0; i < area.length; i++) sum += Math.abs(area[i] * 255 - small.data[i])
    expect(sum / area.length).toBeLessThan(1.5) // mean difference in 8-bit levels: the same image
  })

  it('leaves images at or below minSide, and PNGs, exactly as without the hint', async () => {
    const hint = { minSide: 224 }
    const small = readFixture('xray-224/NORMAL/IM-0005-0001.jpeg')
    expect(Buffer.from((await decodeImage(small, defaultDecodeLimits, hint)).data).equals(Buffer.from((await decodeImage(small)).data))).toBe(true)
    const png = await sharp(xray).png().toBuffer()
    const img = await decodeImage(png, defaultDecodeLimits, hint)
    expect([img.width, img.height]).toEqual([1106, 762])
  })

  it('checks the limits against the encoded size, before shrinking', () =>
    expectCode(xray, 'TOO_MANY_PIXELS', { ...defaultDecodeLimits, maxPixels: 500_000 }))
})

describe('decodeImage: bad input gets a typed error', () => {
  it('EMPTY_INPUT for 0 bytes', () => expectCode(new Uint8Array(0), 'EMPTY_INPUT'))
  it('INPUT_TOO_LARGE above maxBytes', () => expectCode(xray, 'INPUT_TOO_LARGE', { ...defaultDecodeLimits, maxBytes: 10_000 }))
  it('UNSUPPORTED_FORMAT for text', () => expectCode(new TextEncoder().encode('{"image": "not really"}'), 'UNSUPPORTED_FORMAT'))
  it('UNSUPPORTED_FORMAT names GIF', async () => {
    const gif = await sharp({ create: { width: 32, height: 32, channels: 3, background: '#888' } }).gif().toBuffer()
    expect((await expectCode(gif, 'UNSUPPORTED_FORMAT')).message).toContain('GIF')
  })
  it('a DICOM preamble with no data set after it is a DICOM that ends early', async () => {
    const dicom = new Uint8Array(256)
    dicom.set([0x44, 0x49, 0x43, 0x4d], 128)
    expect((await expectCode(dicom, 'TRUNCATED_IMAGE')).message).toContain('DICOM')
  })
  it('TRUNCATED_IMAGE for a JPEG cut short', () => expectCode(xray.subarray(0, xray.length >> 1), 'TRUNCATED_IMAGE'))
  it('TRUNCATED_IMAGE for a PNG cut short', async () => {
    const png = await sharp(xray).png().toBuffer()
    await expectCode(png.subarray(0, png.length >> 1), 'TRUNCATED_IMAGE')
  })
  it('CORRUPT_IMAGE for a JPEG header followed by garbage', () =>
    expectCode(Buffer.concat([xray.subarray(0, 200), Buffer.alloc(4000, 0x5a)]), 'CORRUPT_IMAGE'))
  it('CORRUPT_IMAGE for a PNG signature followed by garbage', () =>
    expectCode(Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(500, 1)]), 'CORRUPT_IMAGE'))
  it('TOO_MANY_PIXELS for a decompression bomb, before decoding it', async () => {
    // A real bomb: 12000 x 12000 gray pixels (144 MB decoded) in a PNG of a few hundred KB.
    const bomb = grayPng(12000, 12000)
    expect(bomb.length).toBeLessThan(1_000_000)
    const err = await expectCode(bomb, 'TOO_MANY_PIXELS')
    expect(err.details).toMatchObject({ width: 12000, height: 12000 })
  })
  it('IMAGE_TOO_LARGE for a 16 x 300000 strip (few pixels, one huge side)', async () => {
    const strip = grayPng(16, 300_000)
    const err = await expectCode(strip, 'IMAGE_TOO_LARGE')
    expect(err.details).toMatchObject({ width: 16, height: 300_000, limit: 16384 })
  })
  it('IMAGE_TOO_SMALL for a 4x4 image', async () => {
    await expectCode(grayPng(4, 4), 'IMAGE_TOO_SMALL')
    expect((await decodeImage(grayPng(16, 16))).width).toBe(16)
  })
  it('maps each code to a 4xx status', async () => {
    const err = await expectCode(new Uint8Array(0), 'EMPTY_INPUT')
    expect(err.status).toBe(400)
    expect(err.toJSON()).toEqual({ error: { code: 'EMPTY_INPUT', message: err.message } })
  })
})
