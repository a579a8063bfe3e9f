import { readFile } from 'node:fs/promises'
import type { Pipeline } from '../inference/pipeline.ts'
import { listLabelledImages, type LabelledImage } from './dataset.ts'
import { binaryMetrics, type BinaryMetrics } from './metrics.ts'

export interface EvalOptions {
  batchSize?: number
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

const chunks = <T>(xs: T[], n: number) => Array.from({ length: Math.ceil(xs.length / n) }, (_, i) => xs.slice(i * n, (i + 1) * n))

/** Runs every image under DIR/{labels} through the pipeline, decoding the next batch while one runs. */
export async function evaluate(pipeline: Pipeline, dir: string, opts: EvalOptions = {}): Promise<EvalReport> {
  const m = pipeline.model.manifest
  const items = await listLabelledImages(dir, m.labels)
  const batchSize = opts.batchSize ?? 16
  const batches = chunks(items, batchSize)
  const load = (batch: LabelledImage[]) =>
    Promise.all(batch.map(async (it) => pipeline.decode(await readFile(it.file)).then((image) => ({ it, image }), (error: Error & { code?: string }) => ({ it, error }))))

  const predictions: EvalReport['predictions'] = []
  const failures: EvalReport['failures'] = []
  const t0 = performance.now()
  let next = batches.length ? load(batches[0]) : Promise.resolve([])
  for (let b = 0; b < batches.length; b++) {
    const decoded = await next
    if (b + 1 < batches.length) next = load(batches[b + 1])
    const ok = decoded.filter((d): d is Extract<typeof d, { image: unknown }> => 'image' in d)
    for (const d of decoded) if ('error' in d) failures.push({ file: d.it.file, code: d.error.code ?? 'ERROR', message: d.error.message })
    const { results } = await pipeline.classifyImages(ok.map((d) => d.image))
    ok.forEach((d, i) => predictions.push({ key: d.it.key, label: d.it.label, score: results[i].score }))
    opts.onProgress?.(Math.min((b + 1) * batchSize, items.length), items.length)
  }
  const seconds = (performance.now() - t0) / 1000

  const metrics = binaryMetrics(predictions.map((p) => p.score), predictions.map((p) => p.label === m.positiveLabel), m.threshold)
  let golden: GoldenComparison | undefined
  if (opts.golden) {
    const diffs = predictions.filter((p) => opts.golden!.has(p.key)).map((p) => Math.abs(p.score - opts.golden!.get(p.key)!))
    golden = { matched: diffs.length, maxAbsDiff: Math.max(0, ...diffs), meanAbsDiff: diffs.reduce((a, b) => a + b, 0) / Math.max(1, diffs.length) }
  }
  return {
    dataset: dir,
    model: { name: m.name, version: m.version, sha256: m.sha256 },
    device: pipeline.device,
    resize: pipeline.params.method,
    batchSize,
    ...metrics,
    seconds,
    imagesPerSecond: predictions.length / seconds,
    golden,
    failures,
    predictions,
  }
}
