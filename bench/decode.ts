import path from 'node:path'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import { Jimp } from 'jimp'
import jpeg from 'jpeg-js'
import sharp from 'sharp'
import { root } from './root.ts'
import { decodeImage } from '../src/imaging/decode.ts'
import { toLuminance } from '../src/imaging/luminance.ts'
import type { Context } from './context.ts'
import { row, withRatios, type Table } from './report.ts'
import { interleave, summarize } from './stats.ts'

interface Gray {
  width: number
  height: number
  data: Uint8Array
}

/** Each decoder, from JPEG bytes to 8-bit gray (luminance, as the product computes it). */
const decoders: Record<string, (bytes: Uint8Array) => Promise<Gray>> = {
  'sharp / libjpeg-turbo (decodeImage, product)': (b) => decodeImage(b),
  jimp: async (b) => {
    const img = await Jimp.fromBuffer(Buffer.from(b.buffer, b.byteOffset, b.byteLength))
    const { width, height, data } = img.bitmap
    return { width, height, data: toLuminance(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width * height, 4) }
  },
  'jpeg-js': async (b) => {
    const img = jpeg.decode(b, { useTArray: true, formatAsRGBA: false })
    return { width: img.width, height: img.height, data: toLuminance(img.data, img.width * img.height, 3) }
  },
}

const SHRINK = 'sharp, shrink-on-load to 224x224 (not the product path)'
const shrinkOnLoad = async (b: Uint8Array) => {
  await sharp(b, { sequentialRead: true }).resize(224, 224, { fit: 'fill' }).toColourspace('b-w').raw().toBuffer()
}

/**
 * Runs `fn` while monitorEventLoopDelay samples the loop every 1 ms; returns the call's duration
 * and the largest loop delay seen (a synchronous decoder blocks the loop for its whole run).
 */
async function withLoopProbe(fn: () => Promise<unknown>): Promise<{ ms: number; maxDelayMs: number }> {
  const h = monitorEventLoopDelay({ resolution: 1 })
  h.enable()
  await sleep(3)
  const t0 = performance.now()
  await fn()
  const ms = performance.now() - t0
  await sleep(3) // lets the timer that the decode held up fire and record its delay
  h.disable()
  return { ms, maxDelayMs: h.max / 1e6 }
}

const pixelAgreement = (a: Gray, ref: Gray) => {
  if (a.width !== ref.width || a.height !== ref.height) return { differ: 'size differs', maxDiff: '-' }
  let n = 0
  let m = 0
  for (let i = 0; i < a.data.length; i++) {
    const d = Math.abs(a.data[i] - ref.data[i])
    if (d) n++
    if (d > m) m = d
  }
  return { differ: `${((100 * n) / a.data.length).toFixed(2)}%`, maxDiff: String(m) }
}

export async function benchDecode(ctx: Context): Promise<Table> {
  const names = [...Object.keys(decoders), SHRINK]
  const delays = new Map(names.map((n) => [n, [] as number[]]))
  const probe = (name: string, fn: () => Promise<unknown>) => async () => {
    const r = await withLoopProbe(fn)
    delays.get(name)!.push(r.maxDelayMs)
    return r.ms
  }
  const warmup = 2
  const cases = names.map((name) => ({ name, run: probe(name, () => (name === SHRINK ? shrinkOnLoad(ctx.bytes) : decoders[name](ctx.bytes))) }))
  const samples = await interleave(cases, { rounds: ctx.reps(30, 3), warmup, onRound: (r) => r % 10 === 9 && ctx.log(`decode: round ${r + 1}`) })

  // Floor of the loop-delay probe: the same probe around an idle 10 ms wait.
  const idle: number[] = []
  for (let i = 0; i < ctx.reps(10, 2); i++) idle.push((await withLoopProbe(() => sleep(10))).maxDelayMs)

  const ref = ctx.image
  const rows = []
  for (const name of names) {
    const d = summarize(delays.get(name)!.slice(warmup))
    const agree = name === SHRINK ? { differ: '(224x224 output)', maxDiff: '-' } : pixelAgreement(await decoders[name](ctx.bytes), ref)
    rows.push(
      row(name, samples.get(name)!, {
        'loop delay max, median ms': d.median,
        'loop delay max, p95 ms': d.p95,
        'pixels != sharp': agree.differ,
        'max |diff|': agree.maxDiff,
      }),
    )
  }
  const { width, height } = ctx.image
  return withRatios({
    id: 'decode',
    title: `Decoding a ${width}x${height} X-ray JPEG to 8-bit gray`,
    description:
      `\`${path.relative(root, ctx.imagePath)}\` (${(ctx.bytes.length / 1024).toFixed(0)} KiB, 8-bit grayscale JPEG), ` +
      'decoded to one 8-bit luminance plane. "loop delay max" is the largest event-loop delay that `perf_hooks.monitorEventLoopDelay` ' +
      '(1 ms resolution) saw during one decode: how long other requests would wait.',
    baseline: names[0],
    extraColumns: ['loop delay max, median ms', 'loop delay max, p95 ms', 'pixels != sharp', 'max |diff|'],
    rows,
    notes: [
      `Probe floor (the same probe around an idle 10 ms wait): max delay median ${summarize(idle).median.toFixed(2)} ms.`,
      'sharp decodes on libuv\'s thread pool (libvips), so the event loop keeps serving while it works; jimp and jpeg-js decode in JavaScript on the main thread and block it for the whole decode.',
      'jimp decodes JPEG with jpeg-js internally (RGBA output), plus its own wrapping.',
      'The golden outputs were computed from libjpeg-turbo pixels; "pixels != sharp" counts the pixels where a decoder differs from the product decoder.',
    ],
  })
}
