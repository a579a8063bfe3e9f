/**
 * What a prediction's image checks cost on the event loop: the input-quality flags (on the
 * answer's path) and the audit trail's image statistics (just after it), on the 48 X-rays of
 * `npm run bench:http` as the server decodes them (shrink-on-load to 224: about 316x224).
 *
 *   node --import ./bin/register.mjs bench/quality.ts
 */
import { describeImage } from '../src/audit/image-stats.ts'
import { decodeImage } from '../src/imaging/decode.ts'
import { qualityFlags } from '../src/imaging/quality.ts'
import { loadImages } from './http-servers.ts'

const input = { width: 224, height: 224 }
const images = await Promise.all(loadImages().map((b) => decodeImage(b, undefined, { minSide: 224 })))
const checks = {
  'quality flags (on the answer path)': (img: (typeof images)[number]) => qualityFlags(img, input),
  "audit's image statistics and flags (after the answer)": (img: (typeof images)[number]) => describeImage(img, input),
}
console.log(`${images.length} decoded X-rays, ${images[0]!.width}x${images[0]!.height} to ${images.at(-1)!.width}x${images.at(-1)!.height}`)
for (const [name, check] of Object.entries(checks)) {
  const perImage: number[] = []
  for (let round = 0; round < 15; round++) {
    const t = performance.now()
    for (let k = 0; k < 5; k++) for (const img of images) check(img)
    perImage.push((performance.now() - t) / (5 * images.length))
  }
  perImage.sort((a, b) => a - b)
  console.log(`${name}: ${perImage[7]!.toFixed(3)} ms per image (median of 15 rounds; fastest ${perImage[0]!.toFixed(3)})`)
}
