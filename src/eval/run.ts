import { readFile } from 'node:fs/promises'
import { XrayError } from '../errors/index.ts'
import type { PredictionService } from '../inference/service.ts'
import { listLabelledImages, type LabelledImage } from './dataset.ts'
import { binaryMetrics, type BinaryMetrics } from './metrics.ts'

export interface EvalOptions {
  /** Images in flight at once (read, decoded, queued for the model): a few batches' worth. Default 32. */
  concurrency?: number
  golden?: Map<string, number>
  onProgress?: (done: number, total: number) => void
}

export interface GoldenComparison {
  matched: number
  maxAbsDiff: number
  meanAbsDiff: number
}

export interface EvalReport extends BinaryMetrics {
  dataset: string
  model: { name: string; version: string; sha256: string }
  device: { kind: string; name: string }
  resize: string
  batchSize: number
  seconds: number
  imagesPerSecond: number
  golden?: GoldenComparison
  failures: { file: string; code: string; message: string }[]
  predictions: { key: string; label: string; score: number }[]
}

/**
 * Runs every image under DIR/{labels} through the prediction service (the serving road: decode,
 * batching, engine), a bounded number at a time, and scores the answers.
 */
export async function evaluate(service: PredictionService, dir: string, opts: EvalOptions = {}): Promise<EvalReport> {
  const m = service.model.manifest
  const items = await listLabelledImages(dir, m.labels)
  const results: ({ score: number } | { error: XrayError })[] = new Array(items.length)
  let next = 0
  let done = 0
  const one = async (it: LabelledImage) => {
    try {
      const p = await service.predict(new Uint8Array(await readFile(it.file)), { source: 'eval', noCache: true })
      return { score: p.probabilities[m.positiveLabel]! }
    } catch (e) {
      if (e instanceof XrayError) return { error: e }
      throw e
    }
  }
  const worker = async () => {
    while (next < items.length) {
      const i = next++
      results[i] = await one(items[i]!)
      opts.onProgress?.(++done, items.length)
    }
  }
  const t0 = performance.now()
  await Promise.all(Array.from({ length: Math.max(1, opts.concurrency ?? 32) }, worker))
  const seconds = (performance.now() - t0) / 1000

  const predictions: EvalReport['predictions'] = []
  const failures: EvalReport['failures'] = []
  items.forEach((it, i) => {
    const r = results[i]!
    if ('error' in r) failures.push({ file: it.file, code: r.error.code, message: r.error.message })
    else predictions.push({ key: it.key, label: it.label, score: r.score })
  })
  const metrics = binaryMetrics(predictions.map((p) => p.score), predictions.map((p) => p.label === m.positiveLabel), m.threshold)
  let golden: GoldenComparison | undefined
  if (opts.golden) {
    const diffs = predictions.filter((p) => opts.golden!.has(p.key)).map((p) => Math.abs(p.score - opts.golden!.get(p.key)!))
    golden = { matched: diffs.length, maxAbsDiff: Math.max(0, ...diffs), meanAbsDiff: diffs.reduce((a, b) => a + b, 0) / Math.max(1, diffs.length) }
  }
  return {
    dataset: dir,
    model: { name: m.name, version: m.version, sha256: m.sha256 },
    device: service.device,
    resize: service.params.method,
    batchSize: service.batching.maxBatch,
    ...metrics,
    seconds,
    imagesPerSecond: predictions.length / seconds,
    golden,
    failures,
    predictions,
  }
}
