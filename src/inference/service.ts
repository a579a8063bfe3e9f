import { createHash, randomUUID } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { logger } from '../log.ts'
import { XrayError } from '../errors/index.ts'
import { decodeImage, defaultDecodeLimits, type DecodeLimits, type GrayImage } from '../imaging/decode.ts'
import { createMetrics, type Metrics } from '../metrics/index.ts'
import { loadModel, type LoadedModel } from '../models/manifest.ts'
import type { PreprocessParams, ResizeMethod } from '../preprocess/params.ts'
import { Admission } from './admission.ts'
import { Batcher, type BatchOptions } from './batcher.ts'
import { LruCache } from './cache.ts'
import { startEngine, type EngineOptions } from './engine.ts'
import { classify, type Classification } from './results.ts'
import type { Engine } from './types.ts'
import { countError, isInternal } from './errors.ts'
import type { Prediction, PredictionEvent, PredictionListener, PredictOptions, WarmupResult } from './prediction.ts'

export type { Prediction, PredictionEvent, PredictionListener, PredictionSource, PredictOptions, WarmupResult } from './prediction.ts'

const log = logger('predict')

/** Chosen by accuracy on the 624 original-resolution test images: see docs/EVALUATION.md. */
export const DEFAULT_RESIZE: ResizeMethod = 'area'

export interface ServiceOptions extends EngineOptions {
  /** Model manifest (.json) or .onnx with a manifest beside it; the shipped model by default. */
  model?: string
  /** When set, the model's manifest must name this architecture. */
  architecture?: string
  resize?: ResizeMethod
  limits?: Partial<DecodeLimits>
  /** Cached predictions (0: none). Default 0. */
  cacheSize?: number
  /** Default: no batching (one image per model run). */
  batching?: BatchOptions
  /** Images decoding or waiting for the model before new ones get 503; default max(64, 8 x batch). */
  maxInProgress?: number
  /** Where the prediction metrics go; a registry of its own by default. */
  metrics?: Metrics
}

/** One image waiting for the model: decoded pixels, or an already preprocessed [3,H,W] tensor. */
type Item = { image: GrayImage } | { tensor: Float32Array }

type Cached = Pick<Classification, 'label' | 'probabilities' | 'score' | 'threshold' | 'cam'>

const round = (ms: number) => Math.round(ms * 1000) / 1000
const sha256 = (b: ArrayBufferView) => createHash('sha256').update(new Uint8Array(b.buffer, b.byteOffset, b.byteLength)).digest('hex')

/**
 * The one road every prediction takes (the v1 and OIP routes, eval, the warm-up): admission
 * (backpressure), the cache, decoding, dynamic batching, the engine, the prediction metrics, and
 * the listeners that later parts (audit trail, drift statistics) attach to.
 */
export class PredictionService {
  readonly metrics: Metrics
  readonly batching: BatchOptions
  private readonly batcher: Batcher<Item, Classification>
  private readonly cache: LruCache<Cached>
  /** The bound on images in progress (backpressure). */
  readonly admission: Admission
  private readonly listeners = new Set<PredictionListener>()
  /** The last failure inside the engine (not bad input); health is degraded for a while after it. */
  lastInternalError?: { at: number; message: string }

  private constructor(
    readonly model: LoadedModel,
    readonly engine: Engine,
    readonly params: PreprocessParams,
    readonly limits: DecodeLimits,
    opts: ServiceOptions,
    /** Set when DEVICE=auto found a GPU but had to run on the CPU: why. */
    readonly fallback?: string,
  ) {
    const batching = (this.batching = opts.batching ?? { maxBatch: 1, maxDelayMs: 0 })
    this.metrics = opts.metrics ?? createMetrics()
    this.cache = new LruCache(opts.cacheSize ?? 0)
    this.admission = new Admission(opts.maxInProgress ?? Math.max(64, 8 * batching.maxBatch))
    this.batcher = new Batcher((items) => this.runBatch(items), batching)
  }

  /** Loads and checks the model and starts its engine (GPU or CPU). */
  static async create(opts: ServiceOptions): Promise<PredictionService> {
    const model = await loadModel(opts.model)
    const m = model.manifest
    if (opts.architecture && m.architecture !== opts.architecture)
      throw new XrayError('MODEL_INVALID', `model.architecture is ${opts.architecture} but the model at ${model.manifestPath} is ${m.architecture}`)
    const params: PreprocessParams = {
      outWidth: model.size.width,
      outHeight: model.size.height,
      method: opts.resize ?? DEFAULT_RESIZE,
      mean: m.preprocessing.mean,
      std: m.preprocessing.std,
    }
    const { engine, fallback } = await startEngine(model, params, opts)
    return new PredictionService(model, engine, params, { ...defaultDecodeLimits, ...opts.limits }, opts, fallback)
  }

  get device(): { kind: 'webgpu' | 'cpu'; name: string } {
    return { kind: this.engine.kind, name: this.engine.deviceName }
  }

  /** Images admitted and not yet answered (decoding, queued or in the model). */
  get inProgress(): number {
    return this.admission.inUse
  }

  /** Forgets every cached prediction (an admin's cache clear); returns how many there were. */
  clearCache(): number {
    const n = this.cache.clear()
    this.metrics.cacheEntries.set(0)
    return n
  }

  /** Calls `listener` after every finished prediction (cache hits included); returns the detach function. */
  onPrediction(listener: PredictionListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** One encoded image (PNG, JPEG) -> its prediction. Throws XrayError for bad input or overload. */
  async predict(bytes: Uint8Array, opts: PredictOptions): Promise<Prediction> {
    return this.counted(async () => {
      const t0 = performance.now()
      const key = `i:${sha256(bytes)}`
      const hit = this.fromCache(key, opts, t0)
      if (hit) return hit
      const release = this.admission.acquire(1)
      try {
        const image = await decodeImage(bytes, this.limits)
        const decodeMs = performance.now() - t0
        this.metrics.decodeDuration.observe(decodeMs / 1000)
        return await this.classifyItem({ image }, key, opts, t0, decodeMs, { kind: 'image', bytes: bytes.length }, image)
      } finally {
        release()
      }
    })
  }

  /** An already preprocessed FP32 batch [n,3,H,W] -> one prediction per image. */
  async predictTensor(data: Float32Array, n: number, opts: PredictOptions): Promise<Prediction[]> {
    return this.counted(async () => {
      const t0 = performance.now()
      const size = 3 * this.params.outWidth * this.params.outHeight
      if (data.length !== n * size) throw new XrayError('BAD_REQUEST', `a [${n},3,${this.params.outHeight},${this.params.outWidth}] tensor has ${n * size} values; got ${data.length}`)
      const slices = Array.from({ length: n }, (_, i) => data.subarray(i * size, (i + 1) * size))
      const keys = slices.map((s) => `t:${sha256(s)}`)
      const hits = keys.map((k, i) => this.fromCache(k, { ...opts, id: itemId(opts, i, n) }, t0))
      const misses = hits.filter((h) => !h).length
      const release = misses ? this.admission.acquire(misses) : () => {}
      try {
        return await Promise.all(
          slices.map((tensor, i) => hits[i] ?? this.classifyItem({ tensor }, keys[i]!, { ...opts, id: itemId(opts, i, n) }, t0, 0, { kind: 'tensor', bytes: tensor.byteLength })),
        )
      } finally {
        release()
      }
    })
  }

  /**
   * The readiness proof: the manifest's known image through the same decoding, engine and
   * classification (not counted in the metrics, not told to listeners) must give the known answer.
   */
  async warmup(): Promise<WarmupResult> {
    const w = this.model.manifest.warmup
    if (!w) throw new XrayError('MODEL_INVALID', `model manifest ${this.model.manifestPath} has no warmup image: readiness cannot be proven`)
    const file = path.resolve(path.dirname(this.model.manifestPath), w.file)
    const bytes = await readFile(file).catch((cause: unknown) => {
      throw new XrayError('MODEL_NOT_FOUND', `warm-up image not found: ${file}`, { cause })
    })
    const t0 = performance.now()
    const image = await decodeImage(new Uint8Array(bytes), this.limits)
    const [result] = (await this.runBatch([{ image }], false)).results
    return { file: w.file, expected: w.score, score: result!.score, ms: performance.now() - t0, passed: Math.abs(result.score - w.score) <= w.tolerance }
  }

  close(): Promise<void> {
    return this.engine.close()
  }

  /** Runs `fn`, counting its XrayError by code and remembering failures of the engine itself. */
  private async counted<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn()
    } catch (e) {
      if (!(e instanceof XrayError)) throw e
      countError(this.metrics, e)
      if (isInternal(e)) this.lastInternalError = { at: Date.now(), message: e.message }
      throw e
    }
  }

  private fromCache(key: string, opts: PredictOptions, t0: number): Prediction | undefined {
    const hit = opts.noCache ? undefined : this.cache.get(key)
    if (!hit) {
      this.metrics.cacheMisses.inc()
      return undefined
    }
    this.metrics.cacheHits.inc()
    const zero = { queue: 0, decode: 0, preprocess: 0, inference: 0 }
    const prediction = this.answer(hit, opts, { ...zero, total: performance.now() - t0 }, 0, true)
    this.finish(prediction, hit.score, opts, { sha256: key.slice(2), bytes: 0, kind: key[0] === 'i' ? 'image' : 'tensor' })
    return prediction
  }

  private async classifyItem(item: Item, key: string, opts: PredictOptions, t0: number, decodeMs: number, input: { kind: 'image' | 'tensor'; bytes: number }, image?: GrayImage): Promise<Prediction> {
    const r = await this.batcher.submit(item)
    this.metrics.queueDuration.observe(r.queueMs / 1000)
    this.cache.set(key, r.result)
    this.metrics.cacheEntries.set(this.cache.size)
    const timings = { queue: r.queueMs, decode: decodeMs, preprocess: r.preprocessMs, inference: r.inferenceMs, total: performance.now() - t0 }
    const prediction = this.answer(r.result, opts, timings, r.batchSize, false)
    this.finish(prediction, r.result.score, opts, { sha256: key.slice(2), ...input }, image)
    return prediction
  }

  private answer(c: Cached, opts: PredictOptions, timings: Prediction['timings'], batchSize: number, cached: boolean): Prediction {
    const m = this.model.manifest
    return {
      id: opts.id ?? randomUUID(),
      label: c.label,
      probabilities: c.probabilities,
      threshold: c.threshold,
      model: { name: m.name, version: m.version, sha256: m.sha256 },
      device: this.engine.deviceName,
      timings: Object.fromEntries(Object.entries(timings).map(([k, v]) => [k, round(v)])) as Prediction['timings'],
      batch_size: batchSize,
      cached,
      ...(opts.cam ? { cam: { labels: m.labels, shape: [2, 7, 7] as [number, number, number], data: Array.from(c.cam) } } : {}),
    }
  }

  /** Counts a finished prediction and tells the listeners; a listener's failure never fails the prediction. */
  private finish(prediction: Prediction, score: number, opts: PredictOptions, input: PredictionEvent['input'], image?: GrayImage) {
    this.metrics.predictions.inc({ label: prediction.label })
    if (this.listeners.size === 0) return
    const event: PredictionEvent = { prediction, score, source: opts.source, input, ...(image ? { image } : {}), ...(opts.client ? { client: opts.client } : {}) }
    for (const listener of this.listeners) {
      try {
        listener(event)
      } catch (e) {
        log.warn(`a prediction listener failed: ${(e as Error).message}`)
      }
    }
  }

  /** One batch: decoded images through the engine's preprocessing, tensors straight to the model. */
  private async runBatch(items: Item[], observe = true) {
    const images = items.flatMap((it) => ('image' in it ? [it.image] : []))
    const tensors = items.flatMap((it) => ('tensor' in it ? [it.tensor] : []))
    const results: Classification[] = []
    let preprocessMs = 0
    let inferenceMs = 0
    const m = this.model.manifest
    if (images.length) {
      const run = await this.engine.infer(images)
      preprocessMs += run.preprocessMs
      inferenceMs += run.inferenceMs
      images.forEach((_, i) => results.push(classify(run.output, i, m)))
    }
    if (tensors.length) {
      const all = new Float32Array(tensors.reduce((n, t) => n + t.length, 0))
      tensors.reduce((o, t) => (all.set(t, o), o + t.length), 0)
      const run = await this.engine.inferTensor(all, tensors.length)
      inferenceMs += run.inferenceMs
      tensors.forEach((_, i) => results.push(classify(run.output, i, m)))
    }
    if (observe) {
      this.metrics.batchSize.observe(items.length)
      this.metrics.preprocessDuration.observe(preprocessMs / 1000)
      this.metrics.inferenceDuration.observe(inferenceMs / 1000)
    }
    // Results in the order of `items`: images first in `results`, then tensors.
    let ii = 0
    let ti = images.length
    return { results: items.map((it) => results['image' in it ? ii++ : ti++]!), preprocessMs, inferenceMs }
  }
}

const itemId = (opts: PredictOptions, i: number, n: number) => (opts.id && n > 1 ? `${opts.id}-${i}` : opts.id)
