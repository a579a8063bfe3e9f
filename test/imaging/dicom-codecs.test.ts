/**
 * Every compressed transfer syntax against a reference decoder run by the test: dcmtk's
 * dcmdjpeg / dcmdjpls / dcmdrle, and OpenJPEG's opj_decompress for JPEG 2000. Grayscale: the
 * stored values must be equal, and the 8-bit image must be their min..max mapping (no VOI in
 * these files). Colour: the luminance of the reference RGB.
 */
import fs from 'node:fs'
import { expect, it } from 'vitest'
import { decodeImage, defaultDecodeLimits } from '../../src/imaging/decode.ts'
import { readDicomFrame } from '../../src/imaging/dicom/index.ts'
import { dcmtk, dcmtkPixels, openjpeg, openjpegPixels, words } from '../helpers/dicom-reference.ts'
import { fixture, tempDir } from '../helpers/fixtures.ts'
import { describeWith } from '../helpers/require.ts'

const stored = (v: number, bits: number, signed: boolean) => {
  const m = v & (2 ** bits - 1)
  return signed && m >= 2 ** (bits - 1) ? m - 2 ** bits : m
}
/** PIL's convert('L') (ITU-R 601-2 luma in 16-bit fixed point), written out here. */
const luma = (rgb: ArrayLike<number>) =>
  Array.from({ length: rgb.length / 3 }, (_, i) => (rgb[3 * i] * 19595 + rgb[3 * i + 1] * 38470 + rgb[3 * i + 2] * 7471 + 0x8000) >> 16)
/** Display values with no VOI: 8-bit unsigned as is, else min..max onto 0..255. */
const minMax = (values: number[], identity: boolean) => {
  if (identity) return values
  const lo = Math.min(...values)
  const hi = Math.max(...values)
  return values.map((v) => Math.round(((v - lo) * 255) / (hi - lo)))
}

const gray: [string, 'jpeg' | 'jls' | 'rle', number, boolean][] = [
  ['mono8_jpeg50', 'jpeg', 8, false],
  ['mono8_jpeg51', 'jpeg', 8, false],
  ['mono8_jpeg70', 'jpeg', 8, false],
  ['mono12_jpeg70', 'jpeg', 12, false],
  ['mono16_jpeg70', 'jpeg', 16, false],
  ...[2, 3, 4, 5, 6, 7].map((sv): [string, 'jpeg', number, boolean] => [`mono12_jpeg57sv${sv}`, 'jpeg', 12, false]),
  ['mono16_jpeg57sv6', 'jpeg', 16, false],
  ['mono8_jls80', 'jls', 8, false],
  ['mono12_jls80', 'jls', 12, false],
  ['mono16_jls80', 'jls', 16, false],
  ['mono12s_jls80', 'jls', 12, true],
  ['mono12_jls81', 'jls', 12, false],
  ['mono8_rle', 'rle', 8, false],
  ['mono12_rle', 'rle', 12, false],
  ['mono16_rle', 'rle', 16, false],
  ['mono16s_rle', 'rle', 16, true],
]

describeWith(dcmtk, 'DICOM codecs against dcmtk', () => {
  it.each(gray)('%s: stored values equal dcmtk, the image is their min..max', async (name, kind, bits, signed) => {
    const file = fixture(`dicom/${name}.dcm`)
    const bytes = new Uint8Array(fs.readFileSync(file))
    const ref = dcmtkPixels(file, kind, tempDir('dcm'))
    const refValues = (bits > 8 ? words(ref) : Array.from(ref)).map((v) => stored(v, bits, signed))
    const frame = await readDicomFrame(bytes, defaultDecodeLimits)
    expect(frame.attributes.bitsStored).toBe(bits)
    const ours = Array.from(frame.samples, (v) => stored(v, bits, signed))
    expect(ours.length).toBe(100 * 76)
    expect(ours).toEqual(refValues.slice(0, ours.length))
    const img = await decodeImage(bytes)
    expect([img.width, img.height, img.format]).toEqual([100, 76, 'dicom'])
    expect(Array.from(img.data)).toEqual(minMax(refValues.slice(0, ours.length), bits === 8 && !signed))
  })

  it.each([
    ['rgb8_jpeg50', 'jpeg'],
    ['rgb8_jpeg70', 'jpeg'],
    ['rgb8_rle', 'rle'],
    ['rgb8_jls80line', 'jls'],
    ['rgb8_jls80sample', 'jls'],
    ['rgb8_jls80none', 'jls'],
  ] as const)('%s: luminance of dcmtk RGB', async (name, kind) => {
    const file = fixture(`dicom/${name}.dcm`)
    const ref = dcmtkPixels(file, kind, tempDir('dcm'))
    const img = await decodeImage(new Uint8Array(fs.readFileSync(file)))
    expect(Array.from(img.data)).toEqual(luma(ref.subarray(0, 100 * 76 * 3)))
    expect(img.source.channels).toBe(3)
    expect(img.source.chroma).toBeGreaterThan(0.5)
  })

  it('lossless colour equals the uncompressed original', async () => {
    const plain = await decodeImage(new Uint8Array(fs.readFileSync(fixture('dicom/rgb8.dcm'))))
    for (const name of ['rgb8_jpeg70', 'rgb8_rle', 'rgb8_jls80line', 'rgb8_jls80sample', 'rgb8_jls80none', 'rgb8_j2k90']) {
      const img = await decodeImage(new Uint8Array(fs.readFileSync(fixture(`dicom/${name}.dcm`))))
      expect(Buffer.from(img.data).equals(Buffer.from(plain.data)), name).toBe(true)
    }
  })
})

describeWith(openjpeg, 'DICOM JPEG 2000 against opj_decompress', () => {
  it.each([
    ['mono12_j2k90', 12],
    ['mono16_j2k91', 16],
  ] as const)('%s: stored values equal OpenJPEG, the image is their min..max', async (name, bits) => {
    const file = fixture(`dicom/${name}.dcm`)
    const ref = openjpegPixels(file, 1, tempDir('j2k'))
    const bytes = new Uint8Array(fs.readFileSync(file))
    const frame = await readDicomFrame(bytes, defaultDecodeLimits)
    expect(Array.from(frame.samples)).toEqual(ref.samples)
    const img = await decodeImage(bytes)
    expect(Array.from(img.data)).toEqual(minMax(ref.samples, false))
    expect(bits).toBe(frame.attributes.bitsStored)
  })

  it.each(['rgb8_j2k90', 'rgb8_j2k91'])('%s: luminance of OpenJPEG RGB', async (name) => {
    const file = fixture(`dicom/${name}.dcm`)
    const ref = openjpegPixels(file, 3, tempDir('j2k'))
    const img = await decodeImage(new Uint8Array(fs.readFileSync(file)))
    expect(Array.from(img.data)).toEqual(luma(ref.samples))
  })
})
