/** The port of libvips' linear reduce (src/imaging/vips-reduce.ts) against sharp itself, bit for bit. */
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { reduceLinear } from '../../src/imaging/vips-reduce.ts'
import { noiseImage, readFixture } from '../helpers/fixtures.ts'

const side = 224
const viaSharp = (data: Uint8Array, width: number, height: number) =>
  sharp(data, { raw: { width, height, channels: 1 } })
    .resize({ width: side, height: side, fit: 'outside', withoutEnlargement: true, kernel: 'linear' })
    .toColourspace('b-w')
    .raw()
    .toBuffer({ resolveWithObject: true })

// Shorter sides from just above 224 to 2.5x it (what is left after a DCT scaling), both orientations, odd and even.
const sizes: [number, number][] = [[225, 300], [465, 330], [330, 465], [464, 329], [929, 659], [416, 332], [260, 230], [447, 447], [448, 560], [783, 785], [1400, 560], [559, 1399]]

describe('reduceLinear', () => {
  it('gives sharp pixels and size for noise, hard edges and a real X-ray', async () => {
    const xray = await sharp(readFixture('xray-original/IM-0001-0001.jpeg')).toColourspace('b-w').raw().toBuffer({ resolveWithObject: true })
    let compared = 0
    for (const [w, h] of sizes) {
      const stripes = Uint8Array.from({ length: w * h }, (_, i) => ((i % w) >> 2) & 1 ? 255 : 0)
      const photo = await sharp(xray.data, { raw: { width: xray.info.width, height: xray.info.height, channels: 1 } }).resize(w, h, { fit: 'fill' }).raw().toBuffer()
      for (const src of [noiseImage(w, h, w * h).data, stripes, new Uint8Array(photo)]) {
        const ref = await viaSharp(src, w, h)
        const ours = reduceLinear(src, w, h, side)
        expect([ours.width, ours.height]).toEqual([ref.info.width, ref.info.height])
        expect(Buffer.compare(Buffer.from(ours.data), ref.data), `${w}x${h}`).toBe(0)
        compared++
      }
    }
    expect(compared).toBe(3 * sizes.length)
  })

  it('returns an image whose shorter side is at most side unchanged (never enlarged)', () => {
    const src = noiseImage(300, 224).data
    const out = reduceLinear(src, 300, 224, side)
    expect([out.width, out.height]).toEqual([300, 224])
    expect(Buffer.compare(Buffer.from(out.data), Buffer.from(src))).toBe(0)
  })
})
