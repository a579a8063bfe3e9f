/**
 * The product's JPEG walk against the baseline (bench/jpeg-verify-baseline/): the same verdict
 * (walked, not walked, truncated, corrupt) and message for every real original and for seeded
 * damage to real and re-encoded JPEGs (bit flips, cuts, inserted and deleted bytes, lying sizes,
 * damaged Huffman tables and symbols, quantization tables, restart markers dropped or changed).
 *
 *   node --import ./bin/register.mjs bench/jpeg-verify-equivalence.ts [--count N] [--seed S]
 */
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import sharp from 'sharp'
import { verifyJpeg } from '../src/imaging/jpeg-verify.ts'
import { ImageFault } from '../src/imaging/fault.ts'
import { verifyJpeg as baseline } from './jpeg-verify-baseline/jpeg-verify.ts'
import { jpegClaiming, rng } from '../test/helpers/corrupt.ts'
import { sharedData } from '../test/helpers/data.ts'
import { root } from './root.ts'

const args = process.argv.slice(2)
const opt = (name: string, dflt: number) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : dflt)
const count = opt('--count', 6000)
const r = rng(opt('--seed', 20261201))

const verdict = (walk: (b: Uint8Array) => Promise<boolean>, b: Uint8Array) =>
  walk(b).then(
    (w) => ({ kind: w ? 'walked' : 'not walked', message: '' }),
    (e: unknown) => (e instanceof ImageFault ? { kind: e.truncated ? 'truncated' : 'corrupt', message: e.message } : { kind: `error ${String(e)}`, message: '' }),
  )

const fixtures = path.join(root, 'test', 'fixtures')
const jpegsUnder = (d: string) => (fs.existsSync(d) ? fs.readdirSync(d, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.jpeg')).sort().map((f) => path.join(d, f)) : [])
const originals = [...jpegsUnder(path.join(fixtures, 'xray-original')), ...jpegsUnder(sharedData('kermany/test-original'))]

// Sources to damage: originals, 224 px X-rays, and re-encodings with restart markers, colour and odd sizes.
const original = path.join(fixtures, 'xray-original', 'IM-0001-0001.jpeg')
const small = path.join(fixtures, 'xray-224', 'NORMAL', 'IM-0005-0001.jpeg')
const cjpeg = (file: string, a: string[], color = false) => new Uint8Array(execFileSync('cjpeg', a, { input: execFileSync('djpeg', [...(color ? [] : ['-grayscale']), '-pnm', file], { maxBuffer: 64 << 20 }), maxBuffer: 64 << 20 }))
const noise = async (sigma: number) =>
  new Uint8Array(await sharp({ create: { width: 161, height: 119, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma } } }).jpeg({ quality: 100, optimizeCoding: true }).toBuffer())
const sources: [string, Uint8Array][] = [
  ['original', new Uint8Array(fs.readFileSync(original))],
  ['original 2', new Uint8Array(fs.readFileSync(path.join(fixtures, 'xray-original', 'person100_bacteria_475.jpeg')))],
  ...jpegsUnder(path.join(fixtures, 'xray-224')).map((f) => [path.basename(f), new Uint8Array(fs.readFileSync(f))] as [string, Uint8Array]),
  ['cjpeg restart 1 row', cjpeg(small, ['-restart', '1'])],
  ['cjpeg restart 7B', cjpeg(small, ['-restart', '7B'])],
  ['cjpeg colour 4:2:0 restart 3B', cjpeg(small, ['-restart', '3B', '-sample', '2x2'], true)],
  ['cjpeg colour 2x1 optimized', cjpeg(small, ['-sample', '2x1', '-optimize'], true)],
  ['cjpeg original restart 2B', cjpeg(original, ['-restart', '2B'])],
  ['sharp 4:4:4 q100 odd size', new Uint8Array(await sharp(small).resize(221, 173).jpeg({ quality: 100, chromaSubsampling: '4:4:4' }).toBuffer())],
  ['noise sigma 30, optimized tables (codes up to 16 bits)', await noise(30)],
  ['noise sigma 90, optimized tables (codes up to 16 bits)', await noise(90)],
  ['sharp q5 odd size', new Uint8Array(await sharp(small).resize(97, 131).jpeg({ quality: 5 }).toBuffer())],
]

/** Offsets of segments with marker `m`, and where the scan data starts. */
const segments = (b: Uint8Array, m: number) => [...b.keys()].filter((i) => b[i] === 0xff && b[i + 1] === m && i + 4 < b.length)
const scanStart = (b: Uint8Array) => {
  const s = segments(b, 0xda)[0]!
  return s + 2 + ((b[s + 2]! << 8) | b[s + 3]!)
}
const splice = (b: Uint8Array, at: number, del: number, ins: number[]) => Uint8Array.from([...b.subarray(0, at), ...ins, ...b.subarray(at + del)])

const mutations: [string, (b: Uint8Array) => Uint8Array][] = [
  ['flip bits anywhere', (b) => { const c = Uint8Array.from(b); for (let k = 1 + r.int(8); k > 0; k--) c[2 + r.int(c.length - 2)] ^= 1 << r.int(8); return c }], // prettier-ignore
  ['flip a bit of the scan data', (b) => { const c = Uint8Array.from(b); const s = scanStart(b); c[s + r.int(c.length - s - 2)] ^= 1 << r.int(8); return c }], // prettier-ignore
  ['flip a bit near the data end', (b) => { const c = Uint8Array.from(b); c[c.length - 3 - r.int(64)] ^= 1 << r.int(8); return c }], // prettier-ignore
  ['cut anywhere', (b) => b.subarray(0, 2 + r.int(b.length - 2))],
  ['cut near the end', (b) => b.subarray(0, b.length - 1 - r.int(80))],
  ['insert a byte', (b) => splice(b, 2 + r.int(b.length - 2), 0, [[0xff, 0, r.int(256)][r.int(3)]!])],
  ['insert a marker', (b) => splice(b, scanStart(b) + r.int(b.length - scanStart(b)), 0, [0xff, [0xd0 + r.int(8), 0xff, 0xd9, 0x01][r.int(4)]!])],
  ['delete bytes', (b) => splice(b, 2 + r.int(b.length - 2), 1 + r.int(3), [])],
  ['another size', (b) => { const s = segments(b, 0xc0)[0] ?? segments(b, 0xc1)[0]!; const h = (b[s + 5]! << 8) | b[s + 6]!; const w = (b[s + 7]! << 8) | b[s + 8]!; const d = () => [0, 1, -1, 7, -8, 8, 9, -9, 16, -16, 100][r.int(11)]!; return jpegClaiming(b, Math.max(1, w + d()), Math.max(0, h + d())) }], // prettier-ignore
  ['damage a Huffman table', (b) => { const c = Uint8Array.from(b); const ss = segments(b, 0xc4); const s = ss[r.int(ss.length)]!; const len = (b[s + 2]! << 8) | b[s + 3]!; c[s + 4 + r.int(Math.min(len - 2, 17 + r.int(len)))] += 1 + r.int(3); return c }], // prettier-ignore
  ['rewrite a Huffman symbol', (b) => { const c = Uint8Array.from(b); const ss = segments(b, 0xc4); const s = ss[r.int(ss.length)]!; const n = b.subarray(s + 5, s + 21).reduce((a, x) => a + x, 0); c[s + 21 + r.int(n)] = [0x00, 0x10, 0x20, 0xf0, 0x0c, 0x1f, r.int(256)][r.int(7)]!; return c }], // prettier-ignore
  ['damage a quantization table', (b) => { const c = Uint8Array.from(b); const s = segments(b, 0xdb)[0]!; c[s + 5 + r.int(64)] = [0, 1, 255, r.int(256)][r.int(4)]!; return c }], // prettier-ignore
  ['change or drop a restart marker', (b) => { const at = [...b.keys()].filter((i) => b[i] === 0xff && b[i + 1]! >= 0xd0 && b[i + 1]! <= 0xd7); if (!at.length) return b.subarray(0, b.length - 2); const i = at[r.int(at.length)]!; return r.int(2) ? splice(b, i, 2, []) : splice(b, i + 1, 1, [0xd0 + r.int(8)]) }], // prettier-ignore
]

const tally = new Map<string, number>()
const mismatches: string[] = []
let messageDiffs = 0
async function compare(label: string, b: Uint8Array) {
  const [a, z] = [await verdict(baseline, b), await verdict(verifyJpeg, b)]
  tally.set(a.kind, (tally.get(a.kind) ?? 0) + 1)
  if (a.kind !== z.kind) mismatches.push(`${label}: baseline ${a.kind} (${a.message}), product ${z.kind} (${z.message})`)
  else if (a.message !== z.message) messageDiffs++
}

const t0 = performance.now()
for (const f of originals) await compare(path.relative(root, f), new Uint8Array(fs.readFileSync(f)))
console.log(`originals: ${originals.length}, verdicts ${JSON.stringify(Object.fromEntries(tally))}`)
for (const [name, b] of sources) await compare(`source ${name}`, b)
for (let i = 0; i < count; i++) {
  const [sname, src] = sources[r.int(sources.length)]!
  const [mname, mutate] = mutations[r.int(mutations.length)]!
  await compare(`case ${i}: ${mname} of ${sname}`, mutate(src))
}
console.log(`${originals.length} originals + ${sources.length} sources + ${count} damaged cases in ${((performance.now() - t0) / 1000).toFixed(1)} s: verdicts ${JSON.stringify(Object.fromEntries(tally))}`)
console.log(`verdict mismatches: ${mismatches.length}; same verdict, other message: ${messageDiffs}`)
for (const m of mismatches.slice(0, 20)) console.log(`  ${m}`)
process.exitCode = mismatches.length ? 1 : 0
