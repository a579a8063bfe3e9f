import { createHash, randomUUID } from 'node:crypto'
import { XrayError } from '../errors/index.ts'
import type { Classification } from '../inference/results.ts'
import type { Pipeline } from '../inference/pipeline.ts'
import type { Metrics } from '../metrics/index.ts'
import { Batcher, type BatchedResult, type BatchOptions } from './batcher.ts'
import { LruCache } from './cache.ts'

export interface Prediction {
  id: string
  label: string
  probabilities: Record<string, number>
  threshold: number
  model: { name: string; version: string; sha256: string }
  device: string
  timings: { queue: number; decode: number; preprocess: number; inference: number; total: number }
  batch_size: number
  cached: boolean
  cam?: { labels: string[]; shape: [number, number, number]; data: number[] }
}

type Cached = Pick<Classification, 'label' | 'probabilities' | 'threshold' | 'cam'>

const round = (ms: number) => Math.round(ms * 1000) / 1000

/** Decoding, the prediction cache, dynamic batching and their metrics, around one pipeline. */
export class Predictor {
  readonly batcher: Batcher
  private readonly cache: LruCache<Cached>
  /** Images decoding or queued; beyond the bound new ones get 503 OVERLOADED (backpressure). */
  private inProgress = 0
  private readonly maxInProgress: number

  constructor(readonly pipeline: Pipeline, private readonly metrics: Metrics, opts: { cacheSize: number; batching: BatchOptions }) {
    this.cache = new LruCache(opts.cacheSize)
    this.maxInProgress = Math.max(64, 8 * opts.batching.maxBatch)
    this.batcher = new Batcher((images) => this.runBatch(images), opts.batching)
    this.batcher.onBatch = (n) => metrics.batchSize.observe(n)
  }

  private async runBatch(images: Parameters<Pipeline['classifyImages']>[0]) {
    const out = await this.pipeline.classifyImages(images)
    this.metrics.preprocessDuration.observe(out.preprocessMs / 1000)
    this.metrics.inferenceDuration.observe(out.inferenceMs / 1000)
    return out
  }

  /** One encoded image -> its prediction. Throws XrayError for bad input. */
  async predict(bytes: Uint8Array, opts: { cam?: boolean; id?: string; noCache?: boolean } = {}): Promise<Prediction> {
    const t0 = performance.now()
    const m = this.pipeline.model.manifest
    const key = `${createHash('sha256').update(bytes).digest('hex')}:${m.sha256}`
    const base = { id: opts.id ?? randomUUID(), model: { name: m.name, version: m.version, sha256: m.sha256 }, device: this.pipeline.device.name }
    const hit = opts.noCache ? undefined : this.cache.get(key)
    if (hit) {
      this.metrics.cacheHits.inc()
      this.metrics.predictions.inc({ label: hit.label })
      const total = performance.now() - t0
      return { ...base, ...this.view(hit, opts.cam), timings: { queue: 0, decode: 0, preprocess: 0, inference: 0, total: round(total) }, batch_size: 0, cached: true }
    }
    this.metrics.cacheMisses.inc()
    if (this.inProgress >= this.maxInProgress)
      throw new XrayError('OVERLOADED', `${this.inProgress} images are being decoded or waiting for the model; try again shortly`)
    this.inProgress++
    let decodeMs = 0
    let r: BatchedResult
    try {
      const image = await this.pipeline.decode(bytes)
      decodeMs = performance.now() - t0
      this.metrics.decodeDuration.observe(decodeMs / 1000)
      r = await this.batcher.submit(image)
    } finally {
      this.inProgress--
    }
    this.metrics.queueDuration.observe(r.queueMs / 1000)
    this.cache.set(key, r.result)
    this.metrics.cacheEntries.set(this.cache.size)
    this.metrics.predictions.inc({ label: r.result.label })
    const timings = { queue: r.queueMs, decode: decodeMs, preprocess: r.preprocessMs, inference: r.inferenceMs, total: performance.now() - t0 }
    return {
      ...base,
      ...this.view(r.result, opts.cam),
      timings: Object.fromEntries(Object.entries(timings).map(([k, v]) => [k, round(v)])) as Prediction['timings'],
      batch_size: r.batchSize,
      cached: false,
    }
  }

  private view(c: Cached, cam?: boolean) {
    const labels = this.pipeline.model.manifest.labels
    return {
      label: c.label,
      probabilities: c.probabilities,
      threshold: c.threshold,
      ...(cam ? { cam: { labels, shape: [2, 7, 7] as [number, number, number], data: Array.from(c.cam) } } : {}),
    }
  }
}
