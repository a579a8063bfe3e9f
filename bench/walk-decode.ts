/**
 * The integrity walk's own decode of gray X-ray JPEGs against libvips: the 624 original-size test
 * X-rays (the two fixtures without ../shared), one at a time on this thread.
 *  - pixels: decodeImage (minSide 224) against sharp's shrink-on-load pipeline, byte for byte;
 *  - time: decodeImage (walk, reduced IDCT, ported reduce) against libvips' decode alone and the
 *    walk alone (what decoding cost before: both, the walk on this thread, libvips on the pool);
 *  - verdicts: 400 bit-flipped originals (1 to 8 flips each, seeded), refused or not by
 *    decodeImage and by the walk followed by libvips with failOn 'warning'.
 *
 *   node --import ./bin/register.mjs bench/walk-decode.ts
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import sharp from 'sharp'
import { decodeImage, defaultDecodeLimits } from '../src/imaging/decode.ts'
import { verifyJpeg } from '../src/imaging/jpeg-verify.ts'
import { root } from './root.ts'

const shared = path.join(root, '../shared/data/kermany/test-original')
const files = existsSync(shared)
  ? ['NORMAL', 'PNEUMONIA'].flatMap((l) => readdirSync(path.join(shared, l)).sort().map((f) => path.join(shared, l, f)))
  : ['IM-0001-0001.jpeg', 'person100_bacteria_475.jpeg'].map((f) => path.join(root, 'test/fixtures/xray-original', f))
const hint = { minSide: 224 }
const viaLibvips = (b: Uint8Array) =>
  sharp(b, { failOn: 'warning', sequentialRead: true })
    .resize({ width: 224, height: 224, fit: 'outside', withoutEnlargement: true, kernel: 'linear', fastShrinkOnLoad: true })
    .toColourspace('b-w')
    .raw()
    .toBuffer()

let same = 0
const ms = { walkDecode: 0, libvips: 0, walk: 0 }
for (let round = 0; round < 2; round++)
  for (const f of files) {
    const b = new Uint8Array(readFileSync(f))
    let t = performance.now()
    const img = await decodeImage(b, defaultDecodeLimits, hint)
    const a = performance.now() - t
    t = performance.now()
    const ref = await viaLibvips(b)
    const c = performance.now() - t
    t = performance.now()
    await verifyJpeg(b)
    const d = performance.now() - t
    if (round === 0) {
      if (Buffer.compare(Buffer.from(img.data), ref) === 0) same++
      continue
    }
    ms.walkDecode += a
    ms.libvips += c
    ms.walk += d
  }
const mean = (v: number) => (v / files.length).toFixed(2)
console.log(`pixels identical to libvips': ${same} of ${files.length}`)
console.log(`mean ms per image: decodeImage ${mean(ms.walkDecode)}; before: libvips ${mean(ms.libvips)} (pool) and the walk ${mean(ms.walk)} (this thread)`)

let seed = 12345
const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32
let agree = 0
let refused = 0
const n = 400
for (let i = 0; i < n; i++) {
  const b = new Uint8Array(readFileSync(files[i % Math.min(files.length, 60)]!))
  for (let j = 1 + Math.floor(rnd() * 8); j > 0; j--) b[600 + Math.floor(rnd() * (b.length - 600))]! ^= 1 << Math.floor(rnd() * 8)
  const now = await decodeImage(b, defaultDecodeLimits, hint).then(() => true, () => false)
  const before = await verifyJpeg(b).then(() => viaLibvips(b)).then(() => true, () => false)
  if (now === before) agree++
  if (!now) refused++
}
console.log(`bit-flipped originals: ${refused} of ${n} refused; the same verdict as walk + libvips for ${agree} of ${n}`)
