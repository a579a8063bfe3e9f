/**
 * Pixels that were not in the file are never classified: a JPEG or PNG with missing, corrupt or
 * inconsistent data is refused (TRUNCATED_IMAGE / CORRUPT_IMAGE), and every real X-ray still
 * decodes. Non-finite tensor values are a 400.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { XrayError } from '../../src/errors/index.ts'
import { decodeImage } from '../../src/imaging/decode.ts'
import { fixCrcs, flipBits, idatOffset, jpegClaiming, pngClaiming, rng } from '../helpers/corrupt.ts'
import { sharedData } from '../helpers/data.ts'
import { verifyJpeg } from '../../src/imaging/jpeg-verify.ts'
import { fixture, readFixture } from '../helpers/fixtures.ts'
import { describeWith, tool } from '../helpers/require.ts'
import { json, postImage, startApp } from '../helpers/server.ts'

const normal = readFixture('xray-224/NORMAL/IM-0005-0001.jpeg')
const name = 'pneumonia-efficientnet_b0'
const hint = { minSide: 224 }

/** The real test images: the 624 and 8 of the repository, and the originals beside the checkout when present. */
function realImages(): string[] {
  const roots = [fixture('xray-224-test'), fixture('xray-224'), sharedData('kermany/test-original')]
  const out: string[] = [fixture('xray-original/IM-0001-0001.jpeg'), fixture('xray-original/person100_bacteria_475.jpeg')]
  for (const root of roots) for (const label of ['NORMAL', 'PNEUMONIA']) if (fs.existsSync(path.join(root, label))) for (const f of fs.readdirSync(path.join(root, label)).sort()) out.push(path.join(root, label, f))
  return out
}

const refusal = (bytes: Uint8Array) => decodeImage(bytes, undefined, hint).then(() => null, (e: unknown) => (e instanceof XrayError ? e.code : String(e)))

describe('input integrity', () => {
  let s: ReturnType<typeof startApp>
  beforeAll(async () => {
    s = startApp()
    await s.loaded
  })
  afterAll(() => s?.close())

  it('a 224 px NORMAL X-ray whose JPEG header claims 2000x2000 is refused, never classified', async () => {
    const lying = jpegClaiming(normal, 2000, 2000)
    const res = await postImage(s, lying)
    const body = await json(res)
    expect([res.status, body.error?.code]).toEqual([422, 'TRUNCATED_IMAGE'])
    expect(body.error.message).toMatch(/JPEG/)
  })

  it('a PNG whose header claims more rows than its data holds (CRC correct) is refused', async () => {
    const png = new Uint8Array(await sharp(normal).png().toBuffer())
    const res = await postImage(s, pngClaiming(png, 224, 2000), 'image/png')
    expect(res.status).toBe(422)
    expect(['TRUNCATED_IMAGE', 'CORRUPT_IMAGE']).toContain((await json(res)).error.code)
  })

  it('a JPEG whose header claims fewer pixels than its data holds, or that is cut short, is refused; bytes after its end are not', async () => {
    expect(await refusal(jpegClaiming(normal, 200, 200))).toBe('CORRUPT_IMAGE')
    expect(await refusal(jpegClaiming(normal, 224, 240))).toBe('TRUNCATED_IMAGE')
    for (const cut of [0.3, 0.9, 0.999]) expect(await refusal(normal.subarray(0, Math.floor(normal.length * cut)))).toBe('TRUNCATED_IMAGE')
    // The 2-byte end-of-image marker missing: every block is there, the file is still incomplete.
    expect(await refusal(normal.subarray(0, normal.length - 2))).toBe('TRUNCATED_IMAGE')
    expect(await refusal(Uint8Array.from([...normal, 1, 2, 3, 4]))).toBeNull()
  })

  it('PNGs whose data contradicts their header, fails its checksums or ends early are refused', async () => {
    const png = new Uint8Array(await sharp(normal).png().toBuffer())
    expect(await refusal(pngClaiming(png, 224, 200))).toBe('CORRUPT_IMAGE') // fewer rows than the data holds
    expect(await refusal(pngClaiming(png, 200, 224))).toBe('CORRUPT_IMAGE') // rows of another width
    const flipped = Uint8Array.from(png)
    flipped[idatOffset(png) + 100]! ^= 0x10
    expect(await refusal(flipped)).toBe('CORRUPT_IMAGE') // the chunk CRC says so
    expect(await refusal(fixCrcs(flipped))).toBe('CORRUPT_IMAGE') // and with the CRC fixed, zlib's Adler-32 or inflate does
    expect(await refusal(png.subarray(0, png.length - 12))).toBe('TRUNCATED_IMAGE') // no IEND
    expect(await refusal(png.subarray(0, idatOffset(png) + 50))).toBe('TRUNCATED_IMAGE')
  })

  it('valid PNGs of every layout still decode: gray 1-16 bit, palette, RGB(A), interlaced (Adam7), odd sizes', async () => {
    const base = sharp(normal).resize(223, 171)
    const variants: [string, Promise<Buffer>][] = [
      ['gray8', base.clone().toColourspace('b-w').png().toBuffer()],
      ['gray16', base.clone().toColourspace('grey16').png().toBuffer()],
      ['palette', base.clone().png({ palette: true, colours: 16 }).toBuffer()],
      ['palette 2-bit', base.clone().png({ palette: true, colours: 4 }).toBuffer()],
      ['rgb interlaced', base.clone().png({ progressive: true }).toBuffer()],
      ['rgba 16-bit interlaced', base.clone().ensureAlpha().toColourspace('rgb16').png({ progressive: true }).toBuffer()],
      ['gray interlaced', base.clone().toColourspace('b-w').png({ progressive: true }).toBuffer()],
    ]
    for (const [label, p] of variants) expect([label, await refusal(new Uint8Array(await p))]).toEqual([label, null])
  })

  it('an FP32 tensor holding 1e999 (Infinity once parsed) is a 400, not probabilities [null, null]', async () => {
    const n = 3 * 224 * 224
    const body = `{"inputs":[{"name":"input","shape":[1,3,224,224],"datatype":"FP32","data":[1e999${',0'.repeat(n - 1)}]}]}`
    const res = await s.fetch(`${s.url}/v2/models/${name}/infer`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
    const answer = await json(res)
    expect([res.status, answer.error?.code]).toEqual([400, 'BAD_REQUEST'])
    expect(answer.error.message).toMatch(/not a finite number/)
  })

  it('finite values whose model output overflows are a 400 too (no 200 without finite probabilities)', async () => {
    const n = 3 * 224 * 224
    const body = JSON.stringify({ inputs: [{ name: 'input', shape: [1, 3, 224, 224], datatype: 'FP32', data: Array(n).fill(3e38) }] })
    const res = await s.fetch(`${s.url}/v2/models/${name}/infer`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
    expect(res.status).toBe(400)
  })

  // Flips that only change a coefficient's value bits, a quantization table or an APP segment leave
  // a well-formed file: no decoder can tell those (docs/OPERATIONS.md, input integrity).
  it('most bit-flipped real JPEGs are refused (seeded corpus: 1 to 8 flipped bits in each)', async () => {
    const r = rng(20261212)
    const sources = realImages().filter((f) => f.includes('xray-224-test')).slice(0, 40).map((f) => new Uint8Array(fs.readFileSync(f)))
    let refused = 0
    const n = 240
    for (let i = 0; i < n; i++) {
      const bytes = flipBits(sources[i % sources.length]!, 1 + r.int(8), r)
      const e = await decodeImage(bytes, undefined, hint).then(() => null, (x: unknown) => x)
      if (e === null) continue
      expect(e, String(e)).toBeInstanceOf(XrayError)
      expect((e as XrayError).status).toBeLessThan(500)
      refused++
    }
    console.log(`bit-flipped JPEGs refused: ${refused}/${n}`)
    expect(refused / n).toBeGreaterThan(0.7)
  })

  it('every real test X-ray still decodes (the 624 of the repository, and the originals when present)', async () => {
    const files = realImages()
    expect(files.length).toBeGreaterThanOrEqual(624)
    const refused: string[] = []
    for (const f of files) {
      const bytes = new Uint8Array(fs.readFileSync(f))
      await decodeImage(bytes, undefined, hint).catch((e: Error) => refused.push(`${f}: ${e.message}`))
    }
    console.log(`real X-rays decoded: ${files.length - refused.length}/${files.length}`)
    expect(refused).toEqual([])
  })

  it('JPEGs from other encoder settings pass the structural check: mozjpeg, overshoot deringing, trellis, quality 1-100, hard edges', async () => {
    const settings = [{ mozjpeg: true, quality: 100 }, { mozjpeg: true, quality: 30 }, { overshootDeringing: true, quality: 95 }, { overshootDeringing: true, quality: 40, trellisQuantisation: true }, { quality: 100, chromaSubsampling: '4:4:4' }, { quality: 1 }] as const
    const refused: string[] = []
    for (const f of [fixture('xray-original/person100_bacteria_475.jpeg'), fixture('xray-224/PNEUMONIA/person100_bacteria_478.jpeg')])
      for (const opts of settings)
        for (const [how, src] of [['as is', sharp(f)], ['negated', sharp(f).negate()], ['thresholded', sharp(f).threshold(128)], ['contrast x3', sharp(f).linear(3, -200)]] as const) {
          const jpeg = new Uint8Array(await src.jpeg(opts).toBuffer())
          if ((await refusal(jpeg)) !== null) refused.push(`${path.basename(f)} ${how} ${JSON.stringify(opts)}`)
        }
    expect(refused).toEqual([])
  })

  // The whole 224 px set (training and test, 5,840 JPEGs) where ../shared has it, else its test split in the fixtures (624).
  const shared = sharedData('kermany/224')
  const root = fs.existsSync(shared) ? shared : fixture('xray-224-test')
  it(`every JPEG of the 224 px set passes the structural check (${root === shared ? 'training and test' : 'test split, fixtures'})`, async () => {
    const files = fs.readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.jpeg')).map((f) => path.join(root, f))
    const refused: string[] = []
    for (const f of files) await verifyJpeg(new Uint8Array(fs.readFileSync(f))).catch(() => refused.push(f))
    console.log(`224 px JPEGs walked: ${files.length - refused.length}/${files.length}`)
    expect(refused).toEqual([])
  })
})

/** libjpeg-turbo's own tools: cjpeg writes restart markers; djpeg -strict is the reference verdict. */
describeWith(tool('djpeg', 'apt-get install libjpeg-turbo-progs', ['-version']), 'input integrity against libjpeg-turbo (cjpeg, djpeg -strict)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xrayops-integrity-'))
  const original = fixture('xray-original/IM-0001-0001.jpeg')
  /** A JPEG re-encoded by cjpeg with `args` from the original X-ray's pixels. */
  const cjpeg = (args: string[], color = false) => {
    const pnm = execFileSync('djpeg', [...(color ? [] : ['-grayscale']), '-pnm', color ? fixture('xray-224/NORMAL/IM-0005-0001.jpeg') : original], { maxBuffer: 64 << 20 })
    return new Uint8Array(execFileSync('cjpeg', args, { input: pnm, maxBuffer: 64 << 20 }))
  }
  const strictRefuses = (bytes: Uint8Array) => {
    const f = path.join(dir, 'case.jpeg')
    fs.writeFileSync(f, bytes)
    return spawnSync('djpeg', ['-strict', '-outfile', os.devNull, f]).status !== 0
  }
  const rstAt = (b: Uint8Array) => [...b.keys()].filter((k) => b[k] === 0xff && b[k + 1]! >= 0xd0 && b[k + 1]! <= 0xd7)

  it.each([
    ['a restart every MCU row', ['-restart', '1'], false],
    ['a restart every 7 blocks', ['-restart', '7B'], false],
    ['colour 4:2:0, a restart every 3 MCUs', ['-restart', '3B', '-sample', '2x2'], true],
  ] as const)('JPEGs with restart markers (%s) decode; a restart marker out of order or missing is refused', async (_, args, color) => {
    const jpeg = cjpeg([...args], color)
    const at = rstAt(jpeg)
    expect(at.length).toBeGreaterThan(10)
    expect(await verifyJpeg(jpeg)).toBe(true)
    expect(await refusal(jpeg)).toBeNull()
    const swapped = Uint8Array.from(jpeg)
    swapped[at[1]! + 1] = swapped[at[1]! + 1] === 0xd3 ? 0xd4 : 0xd3
    const dropped = Uint8Array.from([...jpeg.subarray(0, at[1]!), ...jpeg.subarray(at[1]! + 2)])
    for (const bad of [swapped, dropped]) {
      expect(strictRefuses(bad)).toBe(true)
      expect(await refusal(bad)).toBe('CORRUPT_IMAGE')
    }
  })

  it('every bit-flipped JPEG that djpeg -strict refuses is refused too (seeded corpus, 224 px and original size, baseline and progressive)', async () => {
    const r = rng(20261213)
    const sources = [normal, readFixture('xray-224/PNEUMONIA/person100_bacteria_478.jpeg'), new Uint8Array(fs.readFileSync(fixture('xray-original/person100_bacteria_475.jpeg'))), cjpeg(['-progressive'], true)]
    const N = 120
    let theirs = 0
    let ours = 0
    const missed: number[] = []
    for (let i = 0; i < N; i++) {
      const bytes = flipBits(sources[i % sources.length]!, 1 + r.int(4), r)
      const them = strictRefuses(bytes)
      const us = (await refusal(bytes)) !== null
      theirs += +them
      ours += +us
      if (them && !us) missed.push(i)
    }
    console.log(`bit-flipped JPEGs refused: djpeg -strict ${theirs}/${N}, xrayops ${ours}/${N}`)
    expect(missed).toEqual([])
    expect(ours).toBeGreaterThan(theirs)
  })
})
