import { PredictionService } from '../src/inference/service.ts'
import { copies, ortNodeMissing, type Context } from './context.ts'
import { row, type Table } from './report.ts'
import { interleave, summarize } from './stats.ts'

/** The prediction service on the original JPEG bytes, CPU path: decode + preprocess + inference. */
export async function benchEndToEnd(ctx: Context): Promise<Table> {
  const title = `End to end on the CPU: PredictionService.predict on the original ${ctx.image.width}x${ctx.image.height} JPEG`
  const missing = await ortNodeMissing()
  if (missing) return { id: 'end-to-end', title, description: '', rows: [], notes: [], skipped: missing }
  const services = new Map<number, PredictionService>()
  for (const n of [1, 16]) services.set(n, await PredictionService.create({ device: 'cpu', cpu: { maxBatch: n }, batching: { maxBatch: n, maxDelayMs: 1000 } }))
  const parts = new Map<number, { decode: number[]; preprocess: number[]; inference: number[]; score: number }>()
  const cases = [1, 16].map((n) => {
    const inputs = copies(ctx.bytes, n)
    parts.set(n, { decode: [], preprocess: [], inference: [], score: NaN })
    return {
      name: `batch ${n}`,
      run: async () => {
        const ok = await Promise.all(inputs.map((b) => services.get(n)!.predict(b, { source: 'eval', noCache: true })))
        if (ok.some((r) => r.batch_size !== n)) throw new Error(`expected one model run of ${n} images`)
        const p = parts.get(n)!
        p.decode.push(Math.max(...ok.map((r) => r.timings.decode)))
        p.preprocess.push(ok[0]!.timings.preprocess)
        p.inference.push(ok[0]!.timings.inference)
        p.score = ok[0]!.probabilities.PNEUMONIA!
      },
    }
  })
  try {
    const samples = await interleave(cases, {
      rounds: ctx.reps(10, 2),
      warmup: 1,
      settleMs: 20,
      onRound: (r) => r === 0 && parts.forEach((p) => Object.assign(p, { decode: [], preprocess: [], inference: [] })), // drop the warm-up round
    })
    const rows = [1, 16].map((n) => {
      const s = samples.get(`batch ${n}`)!
      const p = parts.get(n)!
      const med = summarize(s).median
      return row(`batch ${n}`, s, {
        'ms per image': med / n,
        'images/s': ((1000 * n) / med).toFixed(1),
        'decode ms (slowest image)': summarize(p.decode).median,
        'preprocess ms': summarize(p.preprocess).median,
        'inference ms': summarize(p.inference).median,
        'P(pneumonia)': p.score.toFixed(4),
      })
    })
    return {
      id: 'end-to-end',
      title,
      description:
        `\`PredictionService.create({ device: 'cpu', batching: { maxBatch: n } })\`, then \`predict()\` on the JPEG bytes (batch 16: 16 copies sent at once, one model run). ` +
        'Decodes run concurrently on libuv\'s thread pool; preprocessing (TypeScript) and inference (onnxruntime-node CPU EP, ' +
        `${services.get(1)!.device.name.replace(/^cpu \(|\)$/g, '')}) follow. The last columns are medians of the service's own timings.`,
      extraColumns: ['ms per image', 'images/s', 'decode ms (slowest image)', 'preprocess ms', 'inference ms', 'P(pneumonia)'],
      rows,
      notes: [],
    }
  } finally {
    for (const s of services.values()) await s.close()
  }
}
