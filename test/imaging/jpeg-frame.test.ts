/** The JPEG frame header read without libvips, which decoding uses instead of a metadata pass. */
import { readdirSync } from 'node:fs'
import sharp from 'sharp'
import { expect, it } from 'vitest'
import { jpegFrame } from '../../src/imaging/jpeg-frame.ts'
import { readFixture } from '../helpers/fixtures.ts'

const files = [
  ...['xray-original/IM-0001-0001.jpeg', 'xray-original/person100_bacteria_475.jpeg'],
  ...readdirSync(new URL('../fixtures/xray-224-test/PNEUMONIA', import.meta.url)).slice(0, 20).map((f) => `xray-224-test/PNEUMONIA/${f}`),
]

it('gives the size, components and precision libvips reports, for real X-rays and for a colour and a progressive JPEG', async () => {
  const rgb = await sharp(readFixture(files[0]!)).toColourspace('srgb').jpeg({ progressive: true }).toBuffer()
  const all = [...files.map(readFixture), new Uint8Array(rgb)]
  for (const b of all) {
    const m = await sharp(b).metadata()
    const f = jpegFrame(b)!
    expect({ width: f.width, height: f.height, components: f.components, precision: f.precision }).toEqual({ width: m.width, height: m.height, components: m.channels, precision: 8 })
  }
  expect(jpegFrame(new Uint8Array(rgb))!.sof).toBe(0xc2)
  expect(jpegFrame(readFixture(files[0]!))!.sof).toBe(0xc0)
})

it('is undefined for a PNG and for a JPEG cut before its frame header', async () => {
  const png = await sharp(readFixture(files[0]!)).png().toBuffer()
  expect(jpegFrame(new Uint8Array(png))).toBeUndefined()
  const jpeg = readFixture(files[0]!)
  const sof = jpeg.findIndex((v, i) => v === 0xff && jpeg[i + 1] === 0xc0)
  expect(jpegFrame(jpeg.subarray(0, sof + 4))).toBeUndefined()
})
