/**
 * The JPEG walk's slow path: Huffman codes longer than its one-step look-up (up to 16 bits) and
 * data that ends inside a code or a value. libjpeg-turbo's strict mode (djpeg -strict) is the
 * reference for which files are whole.
 */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import sharp from 'sharp'
import { expect, it } from 'vitest'
import { ImageFault } from '../../src/imaging/fault.ts'
import { verifyJpeg } from '../../src/imaging/jpeg-verify.ts'
import { describeWith, tool } from '../helpers/require.ts'

/** Codes longer than `bits` in the file's Huffman tables, from the DHT counts (T.81 B.2.4.2). */
function codesLongerThan(b: Uint8Array, bits: number): number {
  let n = 0
  for (let i = 2; i + 4 < b.length; i++) {
    if (b[i] !== 0xff || b[i + 1] !== 0xc4) continue
    const end = i + 2 + ((b[i + 2]! << 8) | b[i + 3]!)
    for (let p = i + 4; p < end; ) {
      const counts = b.subarray(p + 1, p + 17)
      n += counts.subarray(bits).reduce((a, x) => a + x, 0)
      p += 17 + counts.reduce((a, x) => a + x, 0)
    }
  }
  return n
}

const verdict = (b: Uint8Array) => verifyJpeg(b).then(() => 'whole', (e: unknown) => (e instanceof ImageFault ? (e.truncated ? 'truncated' : 'corrupt') : String(e)))

describeWith(tool('djpeg', 'apt-get install libjpeg-turbo-progs', ['-version']), 'JPEG walk: long codes and data that ends early (against djpeg -strict)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xrayops-jpeg-walk-'))
  const strictAccepts = (b: Uint8Array) => {
    const f = path.join(dir, 'case.jpeg')
    fs.writeFileSync(f, b)
    return spawnSync('djpeg', ['-strict', '-outfile', os.devNull, f]).status === 0
  }
  // Colour noise with optimized tables: rare symbols get codes of 12 to 16 bits.
  const noise = async () => new Uint8Array(await sharp({ create: { width: 161, height: 119, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 40 } } }).jpeg({ quality: 100, optimizeCoding: true }).toBuffer())

  it('a JPEG whose Huffman codes run to 16 bits is walked whole; every cut of its data is truncated', async () => {
    const jpeg = await noise()
    expect(codesLongerThan(jpeg, 11)).toBeGreaterThan(10)
    expect(strictAccepts(jpeg)).toBe(true)
    expect(await verdict(jpeg)).toBe('whole')
    const sos = jpeg.findIndex((x, i) => x === 0xff && jpeg[i + 1] === 0xda)
    const cuts = Array.from({ length: 60 }, (_, k) => sos + 20 + Math.floor(((jpeg.length - sos - 22) * k) / 60) + (k % 8))
    const wrong: string[] = []
    for (const cut of cuts) {
      const b = jpeg.subarray(0, cut)
      const v = await verdict(b)
      if (v !== 'truncated' || strictAccepts(b)) wrong.push(`cut at ${cut}: ${v}`)
    }
    expect(wrong).toEqual([])
  })
})
