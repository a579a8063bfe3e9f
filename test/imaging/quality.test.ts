/**
 * Input-quality flags, each on a real image made to trigger it; clean real X-rays (JPEG and
 * DICOM) raise none. The thresholds were checked on the 624 test images and their negatives
 * (scripts/validate-quality.ts: no flag on any original, every negative flagged inverted).
 */
import sharp, { type Sharp } from 'sharp'
import { describe, expect, it } from 'vitest'
import { decodeImage } from '../../src/imaging/decode.ts'
import { qualityFlags } from '../../src/imaging/quality.ts'
import { readFixture } from '../helpers/fixtures.ts'

const input = { width: 224, height: 224 }
const xray = readFixture('xray-original/person100_bacteria_475.jpeg')
const flagsOf = async (bytes: Uint8Array) => qualityFlags(await decodeImage(bytes), input)

/** A sepia print of an image: R = v, G = 0.8 v, B = 0.55 v (sharp's tint keeps a gray input gray). */
async function sepia(pipeline: Sharp): Promise<Buffer> {
  const { data, info } = await pipeline.greyscale().raw().toBuffer({ resolveWithObject: true })
  const rgb = Buffer.alloc(info.width * info.height * 3)
  for (let i = 0; i < info.width * info.height; i++) rgb.set([data[i], Math.round(data[i] * 0.8), Math.round(data[i] * 0.55)], i * 3)
  return sharp(rgb, { raw: { width: info.width, height: info.height, channels: 3 } }).png().toBuffer()
}

/** Rewrites the value of an explicit-VR code string element in place (same length, space padded). */
function setCodeString(bytes: Uint8Array, group: number, element: number, value: string): Uint8Array {
  const b = Buffer.from(bytes)
  const tag = Buffer.from([group & 0xff, group >> 8, element & 0xff, element >> 8, 0x43, 0x53]) // ..CS
  const at = b.indexOf(tag)
  const len = b.readUInt16LE(at + 6)
  expect(value.length).toBeLessThanOrEqual(len)
  b.write(value.padEnd(len, ' '), at + 8, 'latin1')
  return new Uint8Array(b)
}

describe('a clean X-ray raises no flag', () => {
  it.each(['xray-original/person100_bacteria_475.jpeg', 'xray-original/IM-0001-0001.jpeg', 'xray-224/NORMAL/IM-0005-0001.jpeg', 'xray-224/PNEUMONIA/person140_bacteria_667.jpeg', 'dicom/real-rsna-jpeg.dcm', 'dicom/real-rg1-j2k.dcm'])(
    '%s',
    async (name) => expect(await flagsOf(readFixture(name))).toEqual([]),
  )
  it('a gray X-ray stored as RGB is not colour', async () => {
    expect(await flagsOf(await sharp(xray).toColourspace('srgb').png().toBuffer())).toEqual([])
  })
})

describe('each flag, on a real image made to trigger it', () => {
  it('upsampled: the X-ray shrunk to 200x138, below the 224x224 input', async () => {
    expect(await flagsOf(await sharp(xray).resize(200).png().toBuffer())).toEqual(['upsampled'])
  })
  it('colour: the X-ray printed in sepia', async () => {
    expect(await flagsOf(await sepia(sharp(xray)))).toEqual(['colour'])
  })
  it('inverted: the X-ray as a negative', async () => {
    expect(await flagsOf(await sharp(xray).negate().png().toBuffer())).toEqual(['inverted'])
  })
  it('inverted: the MONOCHROME1 radiograph RG1 labelled MONOCHROME2, so it is not inverted back', async () => {
    const mislabelled = setCodeString(readFixture('dicom/real-rg1-j2k.dcm'), 0x0028, 0x0004, 'MONOCHROME2')
    expect(await flagsOf(mislabelled)).toEqual(['inverted'])
  })
  it('near_constant: the X-ray with its contrast cut to 8%', async () => {
    expect(await flagsOf(await sharp(xray).linear(0.08, 118).png().toBuffer())).toEqual(['near_constant'])
  })
  it('non_chest: the RSNA radiograph with Body Part Examined SKULL', async () => {
    expect(await flagsOf(setCodeString(readFixture('dicom/real-rsna-jpeg.dcm'), 0x0018, 0x0015, 'SKULL'))).toEqual(['non_chest'])
  })
  it('lateral_view: the RSNA radiograph with View Position LL', async () => {
    expect(await flagsOf(setCodeString(readFixture('dicom/real-rsna-jpeg.dcm'), 0x0018, 0x5101, 'LL'))).toEqual(['lateral_view'])
  })
  it('flags add up: a small sepia negative', async () => {
    expect(await flagsOf(await sepia(sharp(xray).resize(180).negate()))).toEqual(['upsampled', 'colour', 'inverted'])
  })
})

describe('the statistics behind the flags', () => {
  // The straightforward definitions: every pixel looked up in its cell, one histogram.
  const GRID = 32
  function referenceCells(width: number, height: number, data: Uint8Array): Float64Array {
    const sum = new Float64Array(GRID * GRID)
    const count = new Float64Array(GRID * GRID)
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++) {
        const cell = Math.floor((y * GRID) / height) * GRID + Math.floor((x * GRID) / width)
        sum[cell] += data[y * width + x]!
        count[cell]++
      }
    return sum.map((s, i) => s / (count[i] || 1))
  }
  const region = (cells: Float64Array, x0: number, x1: number, y0: number, y1: number) => {
    let s = 0
    let n = 0
    for (let y = Math.floor(y0 * GRID); y < Math.ceil(y1 * GRID); y++) for (let x = Math.floor(x0 * GRID); x < Math.ceil(x1 * GRID); x++, n++) s += cells[y * GRID + x]!
    return s / n
  }
  const referenceInverted = (w: number, h: number, d: Uint8Array) => {
    const cells = referenceCells(w, h, d)
    return region(cells, 0.44, 0.56, 0.25, 0.75) - (region(cells, 0.15, 0.4, 0.25, 0.65) + region(cells, 0.6, 0.85, 0.25, 0.65)) / 2
  }
  function referenceSpread(d: Uint8Array): number {
    const hist = new Array<number>(256).fill(0)
    for (const v of d) hist[v]++
    const at = (q: number) => {
      let acc = 0
      for (let v = 0; v < 256; v++) if ((acc += hist[v]!) >= q * d.length) return v
      return 255
    }
    return at(0.99) - at(0.01)
  }
  let seed = 7
  const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) & 255

  it.each([
    [1, 1],
    [3, 5],
    [31, 33],
    [32, 32],
    [33, 31],
    [100, 7],
    [7, 100],
    [316, 224],
    [2001, 13],
  ])('%ix%i: the same values as the per-pixel definitions', async (width, height) => {
    const { contrastSpread, invertedScore } = await import('../../src/imaging/quality.ts')
    // Random levels, and a smooth picture (runs of equal levels), each a different shape of histogram.
    for (const data of [Uint8Array.from({ length: width * height }, random), Uint8Array.from({ length: width * height }, (_, i) => ((i % width) + Math.floor(i / width)) & 255)]) {
      const img = { width, height, data, format: 'png' as const, source: { bitDepth: 8 as const, channels: 1 } }
      expect(contrastSpread(img)).toBe(referenceSpread(data))
      expect(invertedScore(img)).toBe(referenceInverted(width, height, data))
    }
  })

  it('a real X-ray: the same values as the per-pixel definitions', async () => {
    const { contrastSpread, invertedScore } = await import('../../src/imaging/quality.ts')
    const img = await decodeImage(xray, undefined, { minSide: 224 })
    expect(contrastSpread(img)).toBe(referenceSpread(img.data))
    expect(invertedScore(img)).toBe(referenceInverted(img.width, img.height, img.data))
  })
})
