/**
 * Stored values -> display values on files written here, against values worked out by hand from
 * PS3.3 C.11 (the arithmetic is in the comments). 16x16 images: the first pixels carry the
 * values under test, the rest a filler.
 */
import { describe, expect, it } from 'vitest'
import { decodeImage } from '../../src/imaging/decode.ts'
import { TS, imageElements, nativePixels, writeDicom, type El, type ImageSpec } from '../helpers/dicom.ts'

const N = 16
const fill = (values: number[], filler: number) => [...values, ...Array(N * N - values.length).fill(filler)]

async function render(spec: Omit<ImageSpec, 'rows' | 'columns'>, values: number[], filler: number, ts: string = TS.explicitLE) {
  const ba = spec.bitsAllocated ?? 8
  const bytes = writeDicom({
    transferSyntax: ts,
    elements: imageElements({ rows: N, columns: N, ...spec }),
    pixels: nativePixels(fill(values, filler), ba, ts !== TS.explicitBE),
    pixelVR: ba === 16 ? 'OW' : 'OB',
  })
  const img = await decodeImage(bytes)
  return Array.from(img.data.subarray(0, values.length))
}

const ds = (tag: number, v: string): El => ({ tag, vr: 'DS', value: v })
const CS = (tag: number, v: string): El => ({ tag, vr: 'CS', value: v })
const rescale = (slope: string, intercept: string) => [ds(0x00281053, slope), ds(0x00281052, intercept)]
const window = (c: string, w: string) => [ds(0x00281050, c), ds(0x00281051, w)]
const lutItem = (descriptor: number[], data: number[], descriptorVR = 'US'): El[] => [
  { tag: 0x00283002, vr: descriptorVR, value: descriptor },
  { tag: 0x00283006, vr: 'OW', value: Uint16Array.from(data) },
]

// CT-like: signed 16-bit, Rescale 1/-1024, so stored s shows as x = s - 1024.
const ct: Omit<ImageSpec, 'rows' | 'columns'> = { bitsAllocated: 16, signed: true }
const ctStored = [864, 1024, 1064, 1124, 1264, 24, 4024] // x = -160, 0, 40, 100, 240, -1000, 3000

describe('VOI window functions (c = 40, w = 400)', () => {
  it('LINEAR: ((x - 39.5) / 399 + 0.5) * 255, 0 at x <= -160, 255 above 239', async () => {
    // x=0: (-39.5/399 + .5) * 255 = 102.26; x=40: 127.82; x=100: (60.5/399 + .5) * 255 = 166.17; x=240 > 239
    expect(await render({ ...ct, extra: [...rescale('1', '-1024'), ...window('40', '400')] }, ctStored, 1024)).toEqual([0, 102, 128, 166, 255, 0, 255])
  })
  it('LINEAR_EXACT: ((x - 40) / 400 + 0.5) * 255', async () => {
    // x=0: 0.4 * 255 = 102; x=40: 127.5 -> 128; x=100: 0.65 * 255 = 165.75; x=240: 255
    const extra = [...rescale('1', '-1024'), ...window('40', '400'), CS(0x00281056, 'LINEAR_EXACT')]
    expect(await render({ ...ct, extra }, ctStored, 1024)).toEqual([0, 102, 128, 166, 255, 0, 255])
  })
  it('SIGMOID: 255 / (1 + exp(-4 (x - 40) / 400))', async () => {
    // x=-160: 255 / (1 + e^2) = 30.40; x=0: 255 / (1 + e^0.4) = 102.33; x=100: 255 / (1 + e^-0.6) = 164.90
    // x=240: 255 / (1 + e^-2) = 224.60; x=-1000: 255 / (1 + e^10.4) = 0.008; x=3000: 255 / (1 + e^-29.6) = 255
    const extra = [...rescale('1', '-1024'), ...window('40', '400'), CS(0x00281056, 'SIGMOID')]
    expect(await render({ ...ct, extra }, ctStored, 1024)).toEqual([30, 102, 128, 165, 225, 0, 255])
  })
  it('the same file in implicit VR and in explicit big endian gives the same values', async () => {
    const extra = [...rescale('1', '-1024'), ...window('40', '400')]
    for (const ts of [TS.implicitLE, TS.explicitBE]) expect(await render({ ...ct, extra }, ctStored, 1024, ts), ts).toEqual([0, 102, 128, 166, 255, 0, 255])
  })
  it('a slope other than 1: x = 2 s - 1024', async () => {
    // s=532 -> x=40 -> 127.82; s=562 -> x=100 -> 166.17
    expect(await render({ ...ct, extra: [...rescale('2', '-1024'), ...window('40', '400')] }, [532, 562, 432], 512)).toEqual([128, 166, 0])
  })
  it('a width the function cannot use (0) is ignored: the value range is shown', async () => {
    // x = s - 1024 over -1000..3000 present; x=1000 -> 2000 * 255 / 4000 = 127.5 -> 128
    expect(await render({ ...ct, extra: [...rescale('1', '-1024'), ...window('40', '0')] }, [24, 4024, 2024], 2024)).toEqual([0, 255, 128])
  })
})

describe('LUTs', () => {
  it('a VOI LUT Sequence wins over Window Center/Width: descriptor [3, 1000, 12], data [0, 2048, 4095]', async () => {
    // <= 1000 -> entry 0 -> 0; 1001 -> 2048 * 255 / 4095 = 127.53 -> 128; >= 1002 -> 4095 -> 255
    const extra: El[] = [...window('0', '1'), { tag: 0x00283010, vr: 'SQ', value: [lutItem([3, 1000, 12], [0, 2048, 4095])] }]
    expect(await render({ bitsAllocated: 16, bitsStored: 12, extra }, [999, 1000, 1001, 1002, 4000], 0)).toEqual([0, 0, 128, 255, 255])
  })
  it('a VOI LUT with a negative first value (SS) on signed data, in a sequence of undefined length', async () => {
    // descriptor [2, -5, 8], data [10, 250]: -6 -> 10, -5 -> 10, -4 -> 250
    const extra: El[] = [{ tag: 0x00283010, vr: 'SQ', value: [lutItem([2, -5, 8], [10, 250], 'SS')], undefinedLength: true }]
    expect(await render({ bitsAllocated: 16, signed: true, extra }, [-6, -5, -4, 100], 0)).toEqual([10, 10, 250, 250])
  })
  it('a Modality LUT Sequence, then the range of its outputs', async () => {
    // stored 0..3 -> 100, 200, 300, 400; range 100..400: 0, 85, 170, 255
    const extra: El[] = [{ tag: 0x00283000, vr: 'SQ', value: [lutItem([4, 0, 16], [100, 200, 300, 400])] }]
    expect(await render({ bitsAllocated: 16, bitsStored: 12, extra }, [0, 1, 2, 3], 3)).toEqual([0, 85, 170, 255])
  })
})

describe('no VOI: the value range', () => {
  const padding = (from: number, to?: number): El[] => [
    { tag: 0x00280120, vr: 'US', value: [from] },
    ...(to === undefined ? [] : [{ tag: 0x00280121, vr: 'US', value: [to] }]),
  ]
  it('min..max without the padding pixels (0..10), which are black', async () => {
    // range 100..1100: 600 -> 500 * 255 / 1000 = 127.5 -> 128
    expect(await render({ bitsAllocated: 16, bitsStored: 12, extra: padding(0, 10) }, [100, 600, 1100, 5, 0, 10], 100)).toEqual([0, 128, 255, 0, 0, 0])
  })
  it('MONOCHROME1 is inverted; padding stays black', async () => {
    const spec = { bitsAllocated: 16 as const, bitsStored: 12, photometric: 'MONOCHROME1', extra: padding(4095) }
    expect(await render(spec, [100, 600, 1100, 4095], 100)).toEqual([255, 127, 0, 0])
  })
  it('signed padding (SS -2000)', async () => {
    // range -1000..1000: 0 -> 127.5 -> 128
    const extra: El[] = [{ tag: 0x00280120, vr: 'SS', value: [-2000] }]
    expect(await render({ bitsAllocated: 16, signed: true, extra }, [-1000, 0, 1000, -2000], 0)).toEqual([0, 128, 255, 0])
  })
  it('8-bit unsigned with no rescale is shown as stored, MONOCHROME1 as 255 - v', async () => {
    expect(await render({}, [50, 100, 150], 100)).toEqual([50, 100, 150])
    expect(await render({ photometric: 'MONOCHROME1' }, [50, 100, 150], 100)).toEqual([205, 155, 105])
  })
  it('8-bit with a rescale uses the range: x = s + 10 over 60..160', async () => {
    expect(await render({ extra: rescale('1', '10') }, [50, 100, 150], 100)).toEqual([0, 128, 255])
  })
})

describe('bits', () => {
  it('bits above High Bit are ignored (12 stored at 0..11, 0xF000 set above)', async () => {
    expect(await render({ bitsAllocated: 16, bitsStored: 12, extra: window('2048', '4096') }, [0xf000, 0xf000 | 2048, 0xffff], 0xf000)).toEqual([0, 128, 255])
  })
  it('High Bit 15 with 12 bits stored: the value sits in bits 4..15', async () => {
    // stored 0, 2048, 4095 -> window 2048/4096: 0, ((2048 - 2047.5) / 4095 + .5) * 255 = 127.53, 255
    expect(await render({ bitsAllocated: 16, bitsStored: 12, highBit: 15, extra: window('2048', '4096') }, [0x000f, 0x8007, 0xfff0], 0)).toEqual([0, 128, 255])
  })
  it('12-bit signed: 0x800 is -2048, 0xFFF is -1 (bits above 11 ignored)', async () => {
    // window c=0 w=4096: -2048 -> 0; -1: ((-1 + 0.5) / 4095 + .5) * 255 = 127.47 -> 127; 2047 -> 255
    const values = [0x0800, 0xffff, 0xf7ff]
    expect(await render({ bitsAllocated: 16, bitsStored: 12, signed: true, extra: window('0', '4096') }, values, 0)).toEqual([0, 127, 255])
  })
  it('8 bits stored in 16 allocated, 8-bit big-endian OB', async () => {
    expect(await render({ bitsAllocated: 16, bitsStored: 8 }, [50, 100, 150], 100)).toEqual([50, 100, 150])
    expect(await render({}, [50, 100, 150], 100, TS.explicitBE)).toEqual([50, 100, 150])
  })
})

describe('colour', () => {
  const rgb = (planar: boolean, photometric = 'RGB') => {
    const px = fill([0], 0).flatMap((_, i) => (i === 0 ? [100, 128, 200] : [40, 40, 40]))
    const data = planar ? [0, 1, 2].flatMap((c) => px.filter((_, k) => k % 3 === c)) : px
    return writeDicom({ transferSyntax: TS.explicitLE, elements: imageElements({ rows: N, columns: N, samplesPerPixel: 3, planar: planar ? 1 : 0, photometric }), pixels: Uint8Array.from(data), pixelVR: 'OB' })
  }
  it('RGB interleaved and planar give PIL luminance: (100*19595 + 128*38470 + 200*7471 + 32768) >> 16 = 128', async () => {
    for (const planar of [false, true]) {
      const img = await decodeImage(rgb(planar))
      expect([img.data[0], img.data[1]], String(planar)).toEqual([128, 40])
      expect(img.source).toEqual({ bitDepth: 8, channels: 3, chroma: 1 / 256 })
    }
  })
  it('YBR_FULL: Y 100, Cb 128, Cr 200 is R 100 + 1.402 * 72 = 201, G 100 - 0.714136 * 72 = 49, B 100; luminance 100', async () => {
    const img = await decodeImage(rgb(false, 'YBR_FULL'))
    expect(img.data[0]).toBe(100)
  })
})
