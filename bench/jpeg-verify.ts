/**
 * The JPEG integrity walk's CPU time per image, the product's walk against the baseline in
 * bench/jpeg-verify-baseline/ (the walk before the one-pass rewrite), interleaved in one process.
 *
 *   node --import ./bin/register.mjs bench/jpeg-verify.ts [dir ...] [--rounds N]
 *
 * Images: the two originals in test/fixtures/xray-original and every .jpeg under each directory
 * given (default: shared/data/kermany/test-original above the checkout, when present). Per image and walk: the
 * median over the rounds of the call's CPU time (process.cpuUsage, user + system) and wall time;
 * then the mean of those medians over the images, and the ratio baseline / product.
 */
import fs from 'node:fs'
import path from 'node:path'
import { verifyJpeg } from '../src/imaging/jpeg-verify.ts'
import { verifyJpeg as baseline } from './jpeg-verify-baseline/jpeg-verify.ts'
import { root } from './root.ts'
import { sharedData } from '../test/helpers/data.ts'
import { summarize } from './stats.ts'

const args = process.argv.slice(2)
const roundsAt = args.indexOf('--rounds')
const rounds = roundsAt >= 0 ? Number(args.splice(roundsAt, 2)[1]) : 5
const shared = sharedData('kermany/test-original')
const dirs = args.length ? args : fs.existsSync(shared) ? [shared] : []
const originals = path.join(root, 'test', 'fixtures', 'xray-original')
const files = [...fs.readdirSync(originals).map((f) => path.join(originals, f))]
for (const d of dirs) for (const f of fs.readdirSync(d, { recursive: true, encoding: 'utf8' }).sort()) if (f.endsWith('.jpeg') || f.endsWith('.jpg')) files.push(path.join(d, f))
const images = files.map((f) => new Uint8Array(fs.readFileSync(f)))

// Counts the walk's turns of the event loop (it awaits `new Promise(setImmediate)`).
let yields = 0
const realSetImmediate = globalThis.setImmediate
globalThis.setImmediate = ((fn: (...a: unknown[]) => void, ...rest: unknown[]) => {
  yields++
  return realSetImmediate(fn, ...rest)
}) as typeof setImmediate

const walks = { baseline, product: verifyJpeg } as const
type Walk = keyof typeof walks
const cpu: Record<Walk, number[][]> = { baseline: images.map(() => []), product: images.map(() => []) }
const wall: Record<Walk, number[][]> = { baseline: images.map(() => []), product: images.map(() => []) }
const turns: Record<Walk, number> = { baseline: 0, product: 0 }

async function once(w: Walk, i: number, record: boolean) {
  const y0 = yields
  const c0 = process.cpuUsage()
  const t0 = performance.now()
  await walks[w](images[i]!)
  const ms = performance.now() - t0
  const c = process.cpuUsage(c0)
  if (!record) return
  cpu[w][i]!.push((c.user + c.system) / 1000)
  wall[w][i]!.push(ms)
  turns[w] += yields - y0
}

console.log(`${images.length} JPEGs (${(images.reduce((a, b) => a + b.length, 0) / images.length / 1024).toFixed(0)} KB mean), ${rounds} rounds + 1 warm-up, interleaved`)
for (let r = -1; r < rounds; r++) {
  for (let i = 0; i < images.length; i++) {
    const order: Walk[] = (r + i) % 2 ? ['baseline', 'product'] : ['product', 'baseline']
    for (const w of order) await once(w, i, r >= 0)
  }
}

const meanOfMedians = (per: number[][]) => per.reduce((a, s) => a + summarize(s).median, 0) / per.length
const ratios = images.map((_, i) => summarize(cpu.baseline[i]!).median / summarize(cpu.product[i]!).median)
for (const w of ['baseline', 'product'] as const)
  console.log(`${w.padEnd(9)} CPU ${meanOfMedians(cpu[w]).toFixed(2)} ms/image, wall ${meanOfMedians(wall[w]).toFixed(2)} ms/image, ${(turns[w] / rounds / images.length).toFixed(1)} event-loop turns/image`)
console.log(`ratio baseline/product: CPU ${(meanOfMedians(cpu.baseline) / meanOfMedians(cpu.product)).toFixed(2)}x (per-image median ${summarize(ratios).median.toFixed(2)}x, min ${summarize(ratios).min.toFixed(2)}x), wall ${(meanOfMedians(wall.baseline) / meanOfMedians(wall.product)).toFixed(2)}x`)
const worst = images.map((_, i) => i).sort((a, b) => ratios[a]! - ratios[b]!).slice(0, 3)
console.log(`lowest ratios: ${worst.map((i) => `${path.basename(files[i]!)} ${summarize(cpu.baseline[i]!).median.toFixed(2)} / ${summarize(cpu.product[i]!).median.toFixed(2)} ms`).join(', ')}`)
