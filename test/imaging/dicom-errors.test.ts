/**
 * What is refused, with which code and message: transfer syntaxes not decoded here, multi-frame,
 * unsupported pixel layouts, the decode limits applied from Rows/Columns before any
 * decompression, inconsistent or short files. And identifiers never reach a result or an error.
 */
import { describe, expect, it } from 'vitest'
import { XrayError } from '../../src/errors/index.ts'
import { decodeImage, defaultDecodeLimits, type GrayImage } from '../../src/imaging/decode.ts'
import { TS, imageElements, nativePixels, writeDicom, type El, type ImageSpec } from '../helpers/dicom.ts'
import { readFixture } from '../helpers/fixtures.ts'

const failure = async (bytes: Uint8Array, limits = defaultDecodeLimits): Promise<XrayError> => {
  const r = await decodeImage(bytes, limits).then(
    () => null,
    (e: unknown) => e,
  )
  expect(r).toBeInstanceOf(XrayError)
  return r as XrayError
}

const identifiers: El[] = [
  { tag: 0x00100010, vr: 'PN', value: 'LEAKCHECK^PATIENT' },
  { tag: 0x00100020, vr: 'LO', value: 'ID-LEAK-42' },
  { tag: 0x00080080, vr: 'LO', value: 'Leak General Hospital' },
  { tag: 0x00080050, vr: 'SH', value: 'ACC-LEAK-7' },
  { tag: 0x00100030, vr: 'DA', value: '19400305' },
]
const secrets = ['LEAKCHECK', 'ID-LEAK-42', 'Leak General', 'ACC-LEAK-7', '19400305']

const image = (spec: Partial<ImageSpec> = {}, ts: string = TS.explicitLE, pixels?: Uint8Array | { fragments: Uint8Array[] }) => {
  const s = { rows: 32, columns: 32, ...spec, extra: [...identifiers, ...(spec.extra ?? [])] }
  const ba = s.bitsAllocated ?? 8
  const count = Math.min(s.rows * s.columns * (s.samplesPerPixel ?? 1), 1 << 16) // a huge image gets a short pixel data: the limits refuse it first
  return writeDicom({ transferSyntax: ts, elements: imageElements(s), pixels: pixels ?? nativePixels(new Array(count).fill(7), ba), pixelVR: ba === 16 ? 'OW' : 'OB' })
}

/** The codestream of a fixture's single fragment (found by its start marker; the item length precedes it). */
const fragmentOf = (bytes: Uint8Array, marker: number[]): Uint8Array => {
  const b = Buffer.from(bytes)
  const i = b.indexOf(Buffer.from(marker))
  return bytes.subarray(i, i + b.readUInt32LE(i - 4))
}
const j2k = fragmentOf(readFixture('dicom/mono12_j2k90.dcm'), [0xff, 0x4f, 0xff, 0x51])

describe('refused: 415 UNSUPPORTED_FORMAT naming what', () => {
  it.each([
    [TS.deflate, 'Deflated Explicit VR Little Endian'],
    [TS.htj2k, 'High-Throughput JPEG 2000 (Lossless Only)'],
    [TS.mpeg2, 'MPEG2 Main Profile / Main Level'],
    ['1.2.3.4.5', 'unknown transfer syntax'],
  ])('transfer syntax %s (%s)', async (uid, name) => {
    const e = await failure(image({}, uid, { fragments: [new Uint8Array(64)] }))
    expect([e.code, e.status]).toEqual(['UNSUPPORTED_FORMAT', 415])
    expect(e.message).toContain(uid)
    expect(e.message).toContain(name)
    expect(e.details).toEqual({ transfer_syntax: uid, transfer_syntax_name: name })
  })
  it('a deflated data set is refused before it is inflated (a 1 GB zlib bomb)', async () => {
    const zlib = await import('node:zlib')
    const bomb = zlib.deflateRawSync(Buffer.alloc(64 * 1024 * 1024), { level: 9 })
    const file = writeDicom({ transferSyntax: TS.deflate, elements: [] })
    const e = await failure(new Uint8Array(Buffer.concat([file, ...Array(16).fill(bomb)])))
    expect(e.code).toBe('UNSUPPORTED_FORMAT')
  })
  it.each([
    ['multi-frame', { extra: [{ tag: 0x00280008, vr: 'IS', value: '3' }] }, /multi-frame image \(3 frames\)/],
    ['PALETTE COLOR', { photometric: 'PALETTE COLOR' }, /photometric interpretation PALETTE COLOR/],
    ['32 bits allocated', { bitsAllocated: 16, extra: [{ tag: 0x00280100, vr: 'US', value: [32] }] }, /32 bits allocated/],
    ['2 samples per pixel', { extra: [{ tag: 0x00280002, vr: 'US', value: [2] }] }, /2 samples per pixel/],
    ['16-bit colour', { samplesPerPixel: 3, bitsAllocated: 16 }, /colour with 16 bits/],
  ] as [string, Partial<ImageSpec>, RegExp][])('%s', async (_, spec, message) => {
    const e = await failure(image(spec))
    expect([e.code, e.status]).toEqual(['UNSUPPORTED_FORMAT', 415])
    expect(e.message).toMatch(message)
  })
  it('no Pixel Data (a structured report, say)', async () => {
    const e = await failure(writeDicom({ transferSyntax: TS.explicitLE, elements: [...identifiers, { tag: 0x00080060, vr: 'CS', value: 'SR' }] }))
    expect([e.code, e.message]).toEqual(['UNSUPPORTED_FORMAT', 'unsupported DICOM: it holds no image (no Pixel Data (7FE0,0010))'])
  })
  it('12-bit lossy JPEG (process 4)', async () => {
    const e = await failure(readFixture('dicom/mono12_jpeg51.dcm'))
    expect([e.code, e.message]).toEqual(['UNSUPPORTED_FORMAT', 'unsupported DICOM: 12-bit lossy JPEG; only 8-bit lossy JPEG is decoded'])
  })
})

describe('the decode limits apply to Rows x Columns before anything is decompressed', () => {
  const compressed = (rows: number, columns: number) => image({ rows, columns, bitsAllocated: 16, bitsStored: 12 }, TS.j2kLossless, { fragments: [j2k] })
  it('too many pixels: 413 TOO_MANY_PIXELS (a 100x76 codestream said to be 60000x60000)', async () => {
    const e = await failure(compressed(60000, 60000))
    expect([e.code, e.status, e.details]).toEqual(['TOO_MANY_PIXELS', 413, { width: 60000, height: 60000, limit: 40_000_000 }])
  })
  it('a side too long: 413 IMAGE_TOO_LARGE; too short: 422 IMAGE_TOO_SMALL', async () => {
    expect((await failure(compressed(16, 20000))).code).toBe('IMAGE_TOO_LARGE')
    expect((await failure(compressed(8, 100))).code).toBe('IMAGE_TOO_SMALL')
    expect((await failure(image(), { ...defaultDecodeLimits, maxPixels: 1000 })).code).toBe('TOO_MANY_PIXELS')
  })
  it('a codestream whose size differs from Rows/Columns is refused before decoding: 422', async () => {
    const e = await failure(compressed(152, 200))
    expect([e.code, e.message]).toEqual(['CORRUPT_IMAGE', 'DICOM data cannot be decoded: the JPEG 2000 frame is 100x76 but Rows/Columns say 200x152'])
  })
})

describe('broken files: 422', () => {
  it('native pixel data shorter than Rows x Columns: TRUNCATED_IMAGE', async () => {
    const e = await failure(image({}, TS.explicitLE, new Uint8Array(500)))
    expect([e.code, e.message]).toEqual(['TRUNCATED_IMAGE', 'DICOM data ends early: Pixel Data has 500 bytes; 32x32x1 samples of 8 bits need 1024'])
  })
  it('a file cut in the middle of its data set: TRUNCATED_IMAGE', async () => {
    const full = image()
    expect((await failure(full.subarray(0, 300))).code).toBe('TRUNCATED_IMAGE')
  })
  it('Rows missing: CORRUPT_IMAGE naming the tag', async () => {
    const bytes = writeDicom({ transferSyntax: TS.explicitLE, elements: imageElements({ rows: 32, columns: 32 }).filter((e) => e.tag !== 0x00280010), pixels: new Uint8Array(1024), pixelVR: 'OB' })
    expect((await failure(bytes)).message).toBe('DICOM data cannot be decoded: Rows (0028,0010) is missing')
  })
  it('Bits Stored larger than Bits Allocated: CORRUPT_IMAGE', async () => {
    const e = await failure(image({ bitsAllocated: 8, bitsStored: 12, highBit: 11 }))
    expect([e.code, e.message]).toEqual(['CORRUPT_IMAGE', 'DICOM data cannot be decoded: Bits Stored 12 / High Bit 11 do not fit in 8 bits allocated'])
  })
  it('garbage instead of a JPEG 2000 codestream: CORRUPT_IMAGE', async () => {
    const e = await failure(image({ rows: 76, columns: 100, bitsAllocated: 16, bitsStored: 12 }, TS.j2kLossless, { fragments: [Uint8Array.from(j2k, (v, i) => (i < 60 ? v : (v * 31 + i) & 0xff))] }))
    expect(e.code).toBe('CORRUPT_IMAGE')
  })
})

describe('identifiers never leave the decoder', () => {
  const leaks = (text: string) => secrets.filter((s) => text.includes(s))
  const errorText = (e: XrayError) => {
    const parts = [e.message, JSON.stringify(e.toJSON())]
    for (let c: unknown = e.cause; c; c = (c as { cause?: unknown }).cause) parts.push(c instanceof Error ? c.message : String(c))
    return parts.join('\n')
  }
  const resultText = (img: GrayImage) => JSON.stringify({ ...img, data: undefined })

  it('a decoded image carries only the listed attributes', async () => {
    const img = await decodeImage(image({ extra: [{ tag: 0x00180015, vr: 'CS', value: 'CHEST' }] }))
    expect(leaks(resultText(img))).toEqual([])
    expect(Object.keys(img.dicom!).sort()).toEqual(['bitsStored', 'bodyPart', 'frames', 'modality', 'photometric', 'transferSyntax'])
    // A name typed into a code string field is dropped, not repeated.
    const misfiled = await decodeImage(image({ extra: [{ tag: 0x00180015, vr: 'CS', value: 'LEAKCHECK^PATIENT' }, { tag: 0x00185101, vr: 'CS', value: 'ID-LEAK-42' }] }))
    expect([misfiled.dicom!.bodyPart, misfiled.dicom!.view]).toEqual([undefined, undefined])
  })
  it('the real RG1 file (PatientName CompressedSamples^RG1, PatientID 9RG1, InstitutionName Philips...) keeps none of them', async () => {
    const img = await decodeImage(readFixture('dicom/real-rg1-j2k.dcm'))
    const text = resultText(img)
    for (const s of ['RG1', 'CompressedSamples', 'Philips', 'Hamburg', '19400305', 'Our Department']) expect(text).not.toContain(s)
  })
  it('no error message, detail or cause names them, whatever fails', async () => {
    const cases = [
      image({}, TS.htj2k),
      image({ extra: [{ tag: 0x00280008, vr: 'IS', value: '2' }] }),
      image({}, TS.explicitLE, new Uint8Array(10)),
      image().subarray(0, 200),
      image().subarray(0, 400),
      image({ rows: 60000, columns: 60000 }),
      image({ photometric: 'LEAKCHECK' }),
      image({ rows: 76, columns: 100, bitsAllocated: 16, bitsStored: 12 }, TS.j2kLossless, { fragments: [new Uint8Array(100).fill(0xff)] }),
      image({ bitsAllocated: 8, bitsStored: 12 }),
    ]
    for (const bytes of cases) expect(leaks(errorText(await failure(bytes)))).toEqual([])
  })
})

describe('a codec that does not finish', () => {
  // Found by the fuzzer: a JPEG-LS frame, spliced, on which CharLS spends 15-70 s before failing.
  it('is stopped at the deadline (422), and the next frame decodes', async () => {
    const slow = readFixture('dicom/fuzz-charls-slow.dcm')
    const e = await failure(slow, { ...defaultDecodeLimits, codecTimeoutMs: 1000 })
    expect([e.code, e.status, e.message]).toEqual(['CORRUPT_IMAGE', 422, 'DICOM data cannot be decoded: the JPEG-LS frame did not decode within 1 s'])
    const ok = await decodeImage(readFixture('dicom/rgb8_jls80none.dcm'))
    expect([ok.width, ok.height]).toEqual([100, 76])
  })
})
