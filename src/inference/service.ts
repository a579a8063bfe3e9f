import { createHash, randomUUID } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { logger } from '../log.ts'
import { XrayError } from '../errors/index.ts'
import { decodeImage, defaultDecodeLimits, type DecodeHint, type DecodeLimits, type GrayImage } from '../imaging/decode.ts'
import { qualityFlags } from '../imaging/quality.ts'
import { createMetrics, type Metrics } from '../metrics/index.ts'
import { loadModel, type LoadedModel } from '../models/manifest.ts'
import type { PreprocessParams, ResizeMethod } from '../preprocess/params.ts'
import { Admission } from './admission.ts'
import { imageCost } from './cost.ts'
import { Limiter } from './limiter.ts'
import { Batcher, type BatchOptions } from './batcher.ts'
import { LruCache } from './cache.ts'
import { startEngine, type EngineOptions } from './engine.ts'
import { checkHeatmapRequest, renderHeatmap } from '../heatmap/render.ts'
import { classify, isFiniteClassification, type Classification } from './results.ts'
import { concatTensors, type Engine } from './types.ts'
import { countError, isInternal } from './errors.ts'
import type { Prediction, PredictionEvent, PredictionListener, PredictOptions, WarmupResult } from './prediction.ts'
import { keepThreadsNice } from '../runtime/priority.ts'
import { fullGc } from '../runtime/idle-gc.ts'

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
  /**
   * Decode JPEGs with shrink-on-load down to the model's input size (decodeImage's hint), before
   * the resize. Default true. Both devices see the same decoded pixels.
   */
  shrinkOnLoad?: boolean
  /** Images decoded at once (0: no bound of ours; libuv's pool runs 4). */
  decodeConcurrency?: number
  /** Images decoding or waiting for the model before new ones get 503; default max(64, 8 x batch). */
  maxInProgress?: number
  /** Bytes of memory the work in flight may hold (limits.memory_budget); no bound when absent. */
  memoryBudget?: number
  /** An image still waiting for decoding or the model after this many ms is refused with 504 (0 or absent: never). */
  queueDeadlineMs?: number
  /** Where the prediction metrics go; a registry of its own by default. */
  metrics?: Metrics
}

/** One image waiting for the model: decoded pixels, or an already preprocessed [3,H,W] tensor. */
type Item = { image: GrayImage } | { tensor: Float32Array }

/** What a cached answer keeps: the classification, and what the image said about itself. */
type Cached = Pick<Classification, 'label' | 'probabilities' | 'score' | 'threshold' | 'cam'> & Pick<Prediction, 'quality' | 'acquisition'>

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
  /** The bound on images in progress and on the memory their work holds (backpressure). */
  readonly admission: Admission
  private readonly deadlineMs: number
  /** What decoding is told about the use of the pixels (shrink-on-load). */
  readonly decodeHint: DecodeHint
  private readonly decoding: Limiter
  private readonly listeners = new Set<PredictionListener>()
  private readonly stopNice: () => void
  /** The last failure inside the engine (not bad input); health is degraded for a while after it. */
  lastInternalError?: { at: number; message: string }

  private constructor(
    /** The model's description; not its bytes (the engine has them loaded). */
    readonly model: Omit<LoadedModel, 'bytes'>,
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
    this.deadlineMs = opts.queueDeadlineMs ?? 0
    // Work is refused at the door once its expected wait passes half the deadline, so few admitted images ever meet it.
    this.admission = new Admission(opts.maxInProgress ?? Math.max(64, 8 * batching.maxBatch), opts.memoryBudget, this.deadlineMs / 2)
    this.decoding = new Limiter(opts.decodeConcurrency ?? 0)
    this.decodeHint = opts.shrinkOnLoad === false ? {} : { minSide: Math.max(params.outWidth, params.outHeight) }
    // libvips starts its decoder threads as work needs them: they are found by name and lowered.
    this.stopNice = keepThreadsNice('libvips worker', opts.computeNice ?? 0)
    // Runs start as soon as one of the engine's slots is free; a run holds at most the engine's own bound.
    const runBatching = { ...batching, maxBatch: Math.max(1, Math.min(batching.maxBatch, engine.maxBatch ?? Infinity)) }
    const slots = engine.slots ?? 1
    this.batcher = new Batcher((items) => this.timedRun(items, slots), runBatching, engine.slots ?? 1, this.deadlineMs ? { deadlineMs: this.deadlineMs, expired: (ms) => this.expired(ms) } : undefined)
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
    const { bytes: _loaded, ...described } = model
    // A CPU engine's model worker has the model file's bytes now, and this thread none in use: one
    // collection on the next turn frees them (15 MB), instead of when the old generation next fills.
    if (engine.kind === 'cpu') setImmediate(() => fullGc()())
    return new PredictionService(described, engine, params, { ...defaultDecodeLimits, ...opts.limits }, opts, fallback)
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

  /**
   * One encoded image (PNG, JPEG) -> its prediction. Throws XrayError for bad input or overload.
   * With `opts.heatmap`, a cache hit decodes the image again to draw on (the model does not run).
   */
  async predict(bytes: Uint8Array, opts: PredictOptions): Promise<Prediction> {
    return this.counted(() => this.predictOne(bytes, opts, true))
  }

  /**
   * Several encoded images admitted together, their whole cost or none (413 past the whole
   * memory budget, 503 past what is free): then each image's prediction or its own error.
   */
  async predictEach(list: Uint8Array[], optsOf: (i: number) => PredictOptions): Promise<(Prediction | XrayError)[]> {
    const release = await this.counted(async () => this.admission.acquire({ images: list.length, bytes: list.reduce((n, b) => n + this.costOf(b), 0) }))
    try {
      return await Promise.all(
        list.map((bytes, i) =>
          this.counted(() => this.predictOne(bytes, optsOf(i), false)).catch((e: unknown) => {
            if (e instanceof XrayError) return e
            throw e
          }),
        ),
      )
    } finally {
      release()
    }
  }

  /** The bytes of memory an encoded image will hold while it is decoded and classified (from its header). */
  costOf(bytes: Uint8Array): number {
    return imageCost(bytes, { minSide: this.decodeHint.minSide, tensorBytes: 3 * this.params.outWidth * this.params.outHeight * 4 })
  }

  /** One image; `admit`: take its share of the admission first (a cache hit needs none). */
  private async predictOne(bytes: Uint8Array, opts: PredictOptions, admit: boolean): Promise<Prediction> {
    if (opts.heatmap) checkHeatmapRequest(opts.heatmap)
    const t0 = performance.now()
    const key = `i:${sha256(bytes)}`
    const hit = this.lookup(key, opts)
    if (hit && !opts.heatmap) return this.fromHit(hit, key, opts, t0)
    const release = admit ? this.admission.acquire({ images: 1, bytes: this.costOf(bytes) }) : undefined
    try {
      return await this.decodeAndClassify(bytes, key, hit, opts, t0)
    } finally {
      release?.()
    }
  }

  private async decodeAndClassify(bytes: Uint8Array, key: string, hit: Cached | undefined, opts: PredictOptions, t0: number): Promise<Prediction> {
    const image = await this.decoding.run(async () => {
      const waited = performance.now() - t0
      if (this.deadlineMs && waited > this.deadlineMs) throw this.expired(waited)
      return decodeImage(bytes, this.limits, this.decodeHint)
    })
    const decodeMs = performance.now() - t0
    this.metrics.decodeDuration.observe(decodeMs / 1000)
    if (hit) return await this.fromHit(hit, key, opts, t0, { image, decodeMs, bytes })
    // The quality flags are worked out while the engine runs the image (classifyItem).
    return await this.classifyItem({ image }, key, opts, t0, decodeMs, { kind: 'image', bytes: bytes.length }, image, () => describeImage(image, this.model.size), bytes)
  }

  /** The answer to work that waited `waitedMs` for decoding or the model, past the deadline. */
  private expired(waitedMs: number): XrayError {
    return new XrayError('DEADLINE_EXCEEDED', `the image waited ${Math.round(waitedMs)} ms for the model, past the ${this.deadlineMs} ms deadline (limits.queue_deadline); try again shortly`, {
      details: { waited_ms: Math.round(waitedMs), limit_ms: this.deadlineMs },
    })
  }

  /** An already preprocessed FP32 batch [n,3,H,W] -> one prediction per image. */
  async predictTensor(data: Float32Array, n: number, opts: PredictOptions): Promise<Prediction[]> {
    return this.counted(async () => {
      if (opts.heatmap) throw new XrayError('BAD_REQUEST', 'a heatmap is drawn over an image: send the image (PNG, JPEG), not a preprocessed tensor')
      const t0 = performance.now()
      const size = 3 * this.params.outWidth * this.params.outHeight
      if (data.length !== n * size) throw new XrayError('BAD_REQUEST', `a [${n},3,${this.params.outHeight},${this.params.outWidth}] tensor has ${n * size} values; got ${data.length}`)
      const slices = Array.from({ length: n }, (_, i) => data.subarray(i * size, (i + 1) * size))
      const keys = slices.map((s) => `t:${sha256(s)}`)
      const hits = keys.map((k, i) => {
        const hit = this.lookup(k, opts)
        return hit && this.fromHit(hit, k, { ...opts, id: itemId(opts, i, n) }, t0)
      })
      const misses = hits.filter((h) => !h).length
      // The tensors themselves, and the preprocessed copy each run makes of them.
      const release = misses ? this.admission.acquire({ images: misses, bytes: 2 * misses * size * 4 }) : () => {}
      try {
        return await Promise.all(
          slices.map(async (tensor, i) => (await hits[i]) ?? this.classifyItem({ tensor }, keys[i]!, { ...opts, id: itemId(opts, i, n) }, t0, 0, { kind: 'tensor', bytes: tensor.byteLength })),
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
    const image = await decodeImage(new Uint8Array(bytes), this.limits, this.decodeHint)
    const [result] = (await this.runBatch([{ image }], false)).results
    return { file: w.file, expected: w.score, score: result!.score, ms: performance.now() - t0, passed: Math.abs(result.score - w.score) <= w.tolerance }
  }

  close(): Promise<void> {
    this.stopNice()
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

  /** The cached classification for `key` (counted as a hit or a miss); none with `noCache`. */
  private lookup(key: string, opts: PredictOptions): Cached | undefined {
    const hit = opts.noCache ? undefined : this.cache.get(key)
    ;(hit ? this.metrics.cacheHits : this.metrics.cacheMisses).inc()
    return hit
  }

  /** The answer from a cache hit; with `decoded`, the heatmap is drawn on the image decoded again. */
  private async fromHit(hit: Cached, key: string, opts: PredictOptions, t0: number, decoded?: { image: GrayImage; decodeMs: number; bytes: Uint8Array }): Promise<Prediction> {
    const zero = { queue: 0, decode: decoded?.decodeMs ?? 0, preprocess: 0, inference: 0 }
    const prediction = this.answer(hit, opts, { ...zero, total: 0 }, 0, true)
    if (decoded && opts.heatmap) await this.drawHeatmap(prediction, hit.cam, decoded.image, opts, decoded.bytes)
    prediction.timings.total = round(performance.now() - t0)
    this.finish(prediction, hit.score, opts, { sha256: key.slice(2), bytes: 0, kind: key[0] === 'i' ? 'image' : 'tensor' }, decoded?.image)
    return prediction
  }

  /**
   * Draws the heatmap (on the engine's GPU when it has one) into `prediction`, over the image at
   * its own resolution: a JPEG the decoder shrank for the model is decoded again in full.
   */
  private async drawHeatmap(prediction: Prediction, cam: Float32Array, image: GrayImage, opts: PredictOptions, bytes?: Uint8Array): Promise<void> {
    const t = performance.now()
    const m = this.model.manifest
    const full = image.source.scaledFrom && bytes ? await this.decoding.run(() => decodeImage(bytes, this.limits)) : image
    prediction.heatmap = await renderHeatmap(full, cam, m.labels, m.positiveLabel, opts.heatmap!, this.engine.renderHeatmap?.bind(this.engine))
    prediction.timings.heatmap = round(performance.now() - t)
  }

  private async classifyItem(
    item: Item,
    key: string,
    opts: PredictOptions,
    t0: number,
    decodeMs: number,
    input: { kind: 'image' | 'tensor'; bytes: number },
    image?: GrayImage,
    describe?: () => Pick<Prediction, 'quality' | 'acquisition'>,
    bytes?: Uint8Array,
  ): Promise<Prediction> {
    const submitted = this.batcher.submit(item, t0)
    // After the submission: an idle engine has the image already, and this runs meanwhile.
    let about: Pick<Prediction, 'quality' | 'acquisition'>
    try {
      about = describe?.() ?? {}
    } catch (e) {
      submitted.catch(() => undefined) // its failure, if any, is not this one's
      throw e
    }
    const r = await submitted
    this.metrics.queueDuration.observe(r.queueMs / 1000)
    if (!isFiniteClassification(r.result)) throw nonFinite(input.kind)
    const cached: Cached = { ...r.result, ...about }
    this.cache.set(key, cached)
    this.metrics.cacheEntries.set(this.cache.size)
    const preprocess = 'tensor' in item ? 0 : r.preprocessMs
    const timings = { queue: r.queueMs, decode: decodeMs, preprocess, inference: r.inferenceMs, total: 0 }
    const prediction = this.answer(cached, opts, timings, r.batchSize, false)
    if (image && opts.heatmap) await this.drawHeatmap(prediction, r.result.cam, image, opts, bytes)
    prediction.timings.total = round(performance.now() - t0)
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
      ...(c.quality ? { quality: c.quality } : {}),
      ...(c.acquisition ? { acquisition: c.acquisition } : {}),
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

  /** A batch, its wall time per image told to the admission (the expected wait of new work). */
  private async timedRun(items: Item[], slots: number) {
    const t = performance.now()
    const out = await this.runBatch(items)
    this.admission.observe((performance.now() - t) / items.length / slots)
    return out
  }

  /** One batch: decoded images through the engine's preprocessing, tensors straight to the model. */
  private async runBatch(items: Item[], observe = true) {
    if (this.engine.inferItems) return this.runMixed(items, this.engine.inferItems.bind(this.engine), observe)
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
      const run = await this.engine.inferTensor(concatTensors(tensors), tensors.length)
      inferenceMs += run.inferenceMs
      tensors.forEach((_, i) => results.push(classify(run.output, i, m)))
    }
    if (observe) {
      this.metrics.batchSize.observe(items.length)
      if (images.length) this.metrics.preprocessDuration.observe(preprocessMs / 1000)
      this.metrics.inferenceDuration.observe(inferenceMs / 1000)
    }
    // Results in the order of `items`: images first in `results`, then tensors.
    let ii = 0
    let ti = images.length
    return { results: items.map((it) => results['image' in it ? ii++ : ti++]!), preprocessMs, inferenceMs }
  }
  /** One run over images and tensors together (the CPU engine); results in the order of `items`. */
  private async runMixed(items: Item[], run: NonNullable<Engine['inferItems']>, observe: boolean) {
    const r = await run(items.map((it) => ('image' in it ? it.image : it.tensor)))
    if (observe) {
      this.metrics.batchSize.observe(items.length)
      if (r.preprocessMs) this.metrics.preprocessDuration.observe(r.preprocessMs / 1000)
      this.metrics.inferenceDuration.observe(r.inferenceMs / 1000)
    }
    const results = items.map((_, i) => classify(r.output, i, this.model.manifest))
    return { results, preprocessMs: r.preprocessMs, inferenceMs: r.inferenceMs, waitMs: r.waitMs }
  }
}

/** The input-quality flags of a decoded image for a model of input `size`, and a DICOM's acquisition. */
function describeImage(image: GrayImage, size: { width: number; height: number }): Pick<Prediction, 'quality' | 'acquisition'> {
  const d = image.dicom
  const acquisition = d && (d.modality || d.view || d.bodyPart) ? { ...(d.modality ? { modality: d.modality } : {}), ...(d.view ? { view: d.view } : {}), ...(d.bodyPart ? { body_part: d.bodyPart } : {}) } : undefined
  return { quality: qualityFlags(image, size), ...(acquisition ? { acquisition } : {}) }
}

const itemId = (opts: PredictOptions, i: number, n: number) => (opts.id && n > 1 ? `${opts.id}-${i}` : opts.id)

/**
 * The model gave NaN or Infinity. For a client's preprocessed tensor, its values are out of any
 * range the model can take (a 400); for a decoded image it is the server's failure.
 */
const nonFinite = (kind: 'image' | 'tensor') =>
  kind === 'tensor'
    ? new XrayError('BAD_REQUEST', 'the model output for this FP32 input is not finite: its values are far outside the preprocessed range (about -2.2 to 2.7)')
    : new XrayError('INFERENCE_FAILED', 'the model output for this image is not finite (NaN or Infinity)')
