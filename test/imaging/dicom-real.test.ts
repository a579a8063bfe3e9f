/**
 * The two real radiographs from ../shared/data/dicom: pixels equal the reference decoders, the
 * display mapping equals the standard's formulas computed here, and only the non-identifying
 * attributes come back.
 */
import { expect, it } from 'vitest'
import { decodeImage, defaultDecodeLimits } from '../../src/imaging/decode.ts'
import { readDicomFrame } from '../../src/imaging/dicom/index.ts'
import { dcmtk, dcmtkPixels, openjpeg, openjpegPixels } from '../helpers/dicom-reference.ts'
import { fixture, readFixture, tempDir } from '../helpers/fixtures.ts'
import { describeWith } from '../helpers/require.ts'

describeWith(dcmtk, 'real DICOM: RSNA chest radiograph, JPEG baseline', () => {
  it('equals dcmdjpeg, shown as stored (8-bit, no VOI), with CR / PA / CHEST reported', async () => {
    const bytes = readFixture('dicom/real-rsna-jpeg.dcm')
    const ref = dcmtkPixels(fixture('dicom/real-rsna-jpeg.dcm'), 'jpeg', tempDir('rsna'))
    const img = await decodeImage(bytes)
    expect([img.width, img.height]).toEqual([1024, 1024])
    expect(Buffer.from(img.data).equals(ref.subarray(0, 1024 * 1024))).toBe(true)
    expect([img.data.reduce((a, b) => Math.min(a, b)), img.data.reduce((a, b) => Math.max(a, b))]).toEqual([0, 254])
    expect(img.dicom).toEqual({
      modality: 'CR',
      view: 'PA',
      bodyPart: 'CHEST',
      transferSyntax: '1.2.840.10008.1.2.4.50',
      photometric: 'MONOCHROME2',
      bitsStored: 8,
      frames: 1,
    })
  })
})

describeWith(openjpeg, 'real DICOM: NEMA RG1, JPEG 2000, MONOCHROME1, 15 bits, windowed', () => {
  it('equals opj_decompress; window 15000/30000 (PS3.3 C.11.2.1.2.1) then inverted', async () => {
    const bytes = readFixture('dicom/real-rg1-j2k.dcm')
    const ref = openjpegPixels(fixture('dicom/real-rg1-j2k.dcm'), 1, tempDir('rg1'))
    expect([ref.width, ref.height]).toEqual([1841, 1955])
    const frame = await readDicomFrame(bytes, defaultDecodeLimits)
    expect(Buffer.from(new Uint16Array(ref.samples).buffer).equals(Buffer.from((frame.samples as Uint16Array).buffer))).toBe(true)
    let lo = Infinity
    let hi = -Infinity
    for (const v of ref.samples) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)]
    expect([lo, hi]).toEqual([803, 26512])

    // if x <= c - 0.5 - (w-1)/2: 0; if x > c - 0.5 + (w-1)/2: 255; else ((x - (c - 0.5)) / (w-1) + 0.5) * 255
    const [c, w] = [15000, 30000]
    const linear = (x: number) => (x <= c - 0.5 - (w - 1) / 2 ? 0 : x > c - 0.5 + (w - 1) / 2 ? 255 : ((x - (c - 0.5)) / (w - 1) + 0.5) * 255)
    const img = await decodeImage(bytes)
    let mismatches = 0
    for (let i = 0; i < ref.samples.length; i++) if (img.data[i] !== 255 - Math.round(linear(ref.samples[i]))) mismatches++
    expect(mismatches).toBe(0)
    expect(img.dicom).toEqual({
      modality: 'CR',
      view: 'PA',
      bodyPart: 'CHEST',
      transferSyntax: '1.2.840.10008.1.2.4.91',
      photometric: 'MONOCHROME1',
      bitsStored: 15,
      frames: 1,
    })
  })
})
