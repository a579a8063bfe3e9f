/**
 * Checks the input-quality flags on a folder of real chest X-rays and on their negatives:
 *   node --import ./bin/register.mjs scripts/validate-quality.ts [DIR]   (default ../shared/data/kermany/test-original)
 * Prints how often each flag fires on the originals (every one is a false positive) and how
 * many negatives `inverted` misses, with the range of the statistics behind the thresholds.
 */
import fs from 'node:fs'
import path from 'node:path'
import { decodeImage } from '../src/imaging/decode.ts'
import { contrastSpread, invertedScore, qualityFlags } from '../src/imaging/quality.ts'

const dir = path.resolve(process.argv[2] ?? '../shared/data/kermany/test-original')
const input = { width: 224, height: 224 }
const files = fs.readdirSync(dir).flatMap((label) => fs.readdirSync(path.join(dir, label)).map((f) => path.join(dir, label, f)))
const onOriginals: Record<string, number> = {}
let invertedMissed = 0
let negativesFlaggedOther = 0
const scores: number[] = []
const spreads: number[] = []
for (const file of files.sort()) {
  const img = await decodeImage(new Uint8Array(fs.readFileSync(file)))
  for (const f of qualityFlags(img, input)) onOriginals[f] = (onOriginals[f] ?? 0) + 1
  scores.push(invertedScore(img))
  spreads.push(contrastSpread(img))
  const negative = { ...img, data: img.data.map((v) => 255 - v) }
  const flags = qualityFlags(negative, input)
  if (!flags.includes('inverted')) invertedMissed++
  if (flags.some((f) => f !== 'inverted')) negativesFlaggedOther++
}
const range = (xs: number[]) => `${Math.min(...xs).toFixed(1)}..${Math.max(...xs).toFixed(1)} (median ${[...xs].sort((a, b) => a - b)[xs.length >> 1].toFixed(1)})`
console.log(`${files.length} images under ${dir}`)
console.log(`flags on the originals (false positives): ${JSON.stringify(onOriginals)}`)
console.log(`negatives not flagged inverted (false negatives): ${invertedMissed} of ${files.length}; negatives with another flag: ${negativesFlaggedOther}`)
console.log(`inverted score on originals: ${range(scores)}; contrast spread (p1..p99): ${range(spreads)}`)
