import { logger } from '../log.ts'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import type { ServerConfig } from '../config/schema.ts'
import { XrayError } from '../errors/index.ts'
import { Pipeline } from '../inference/pipeline.ts'
import type { Metrics } from '../metrics/index.ts'
import { Predictor } from './predictor.ts'

const log = logger('model')

export type ModelState = 'loading' | 'ready' | 'failed'

export interface WarmupResult {
  file: string
  expected: number
  score: number
  ms: number
  passed: boolean
}

/**
 * Loads the model, proves it with a warm-up inference on the manifest's known image, and only
 * then serves: `ready` means the model answered the known image with the known answer.
 */
export class ModelHost {
  state: ModelState = 'loading'
  error?: XrayError
  warmup?: WarmupResult
  predictor?: Predictor
  /** The last prediction that failed inside the engine; /health is degraded for 60 s after it. */
  lastInternalError?: { at: number; message: string }

  constructor(private readonly config: ServerConfig, private readonly metrics: Metrics) {}

  async load(): Promise<void> {
    let pipeline: Pipeline | undefined
    try {
      pipeline = await Pipeline.create({
        model: this.config.model.path,
        device: this.config.model.device,
        limits: { maxBytes: this.config.limits.maxBodyBytes, maxPixels: this.config.limits.maxPixels },
      })
      const arch = pipeline.model.manifest.architecture
      if (arch !== this.config.model.architecture)
        throw new XrayError('MODEL_INVALID', `model.architecture is ${this.config.model.architecture} but the model at ${this.config.model.path} is ${arch}`)
      this.warmup = await this.runWarmup(pipeline)
      if (!this.warmup.passed)
        throw new XrayError('MODEL_INVALID', `warm-up answer ${this.warmup.score.toFixed(6)} differs from the expected ${this.warmup.expected} on ${this.warmup.file}`)
      const p = this.config.performance
      this.predictor = new Predictor(pipeline, this.metrics, {
        cacheSize: p.cacheSize,
        batching: { maxBatch: p.enableBatching ? p.batchSize : 1, maxDelayMs: p.enableBatching ? p.batchTimeoutMs : 0 },
      })
      const m = pipeline.model.manifest
      this.metrics.modelInfo.set({ name: m.name, version: m.version, sha256: m.sha256, device: pipeline.device.name }, 1)
      this.metrics.modelReady.set(1)
      this.state = 'ready'
      log.info(`model ${m.name} v${m.version} ready on ${pipeline.device.name}; warm-up ${this.warmup.ms.toFixed(0)} ms`)
    } catch (e) {
      this.error = e instanceof XrayError ? e : new XrayError('MODEL_INVALID', (e as Error).message, { cause: e })
      this.state = 'failed'
      this.metrics.modelReady.set(0)
      await pipeline?.close().catch(() => undefined)
      log.error(`model failed to load: ${this.error.code}: ${this.error.message}`)
    }
  }

  private async runWarmup(pipeline: Pipeline): Promise<WarmupResult> {
    const w = pipeline.model.manifest.warmup
    if (!w) throw new XrayError('MODEL_INVALID', `model manifest ${pipeline.model.manifestPath} has no warmup image: readiness cannot be proven`)
    const file = path.resolve(path.dirname(pipeline.model.manifestPath), w.file)
    const bytes = await readFile(file).catch((cause: unknown) => {
      throw new XrayError('MODEL_NOT_FOUND', `warm-up image not found: ${file}`, { cause })
    })
    const t0 = performance.now()
    const [r] = await pipeline.predict([new Uint8Array(bytes)])
    if (!r.ok) throw r.error
    return { file: w.file, expected: w.score, score: r.score, ms: performance.now() - t0, passed: Math.abs(r.score - w.score) <= w.tolerance }
  }

  async close(): Promise<void> {
    await this.predictor?.pipeline.close()
  }
}
