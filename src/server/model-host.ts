import { logger } from '../log.ts'
import { Audit } from '../audit/index.ts'
import type { DriftMonitor } from '../drift/monitor.ts'
import { startDriftMonitor } from '../drift/start.ts'
import type { ServerConfig } from '../config/schema.ts'
import { XrayError } from '../errors/index.ts'
import { serviceOptions } from '../inference/options.ts'
import { PredictionService, type ServiceOptions, type WarmupResult } from '../inference/service.ts'
import type { Metrics } from '../metrics/index.ts'

const log = logger('model')

export type ModelState = 'loading' | 'ready' | 'failed'

/**
 * Loads the model, proves it with a warm-up inference on the manifest's known image, and only
 * then serves: `ready` means the model answered the known image with the known answer.
 */
export class ModelHost {
  state: ModelState = 'loading'
  error?: XrayError
  warmup?: WarmupResult
  service?: PredictionService
  /** The audit trail, attached to the service once it is ready (audit.enabled). */
  audit?: Audit
  /** The periodic drift check over the audit trail, when the model has a training profile. */
  drift?: DriftMonitor

  constructor(
    private readonly config: ServerConfig,
    private readonly metrics: Metrics,
    /** Overrides of the service's options (tests replace the GPU engine's start). */
    private readonly overrides: Partial<ServiceOptions> = {},
  ) {}

  async load(): Promise<void> {
    let service: PredictionService | undefined
    try {
      service = await PredictionService.create({ ...serviceOptions(this.config), metrics: this.metrics, ...this.overrides })
      this.warmup = await service.warmup()
      if (!this.warmup.passed)
        throw new XrayError('MODEL_INVALID', `warm-up answer ${this.warmup.score.toFixed(6)} differs from the expected ${this.warmup.expected} on ${this.warmup.file}`)
      if (this.config.audit.enabled) {
        this.audit = await Audit.start(service, this.config, this.metrics)
        this.drift = await startDriftMonitor(service, this.audit, { window: this.config.drift.window, intervalMs: this.config.drift.intervalMs })
      }
      this.service = service
      const m = service.model.manifest
      this.metrics.modelInfo.set({ name: m.name, version: m.version, sha256: m.sha256, device: service.device.name }, 1)
      this.metrics.modelReady.set(1)
      this.state = 'ready'
      log.info(`model ${m.name} v${m.version} ready on ${service.device.name}; warm-up ${this.warmup.ms.toFixed(0)} ms`)
    } catch (e) {
      this.error = e instanceof XrayError ? e : new XrayError('MODEL_INVALID', (e as Error).message, { cause: e })
      this.state = 'failed'
      this.metrics.modelReady.set(0)
      await service?.close().catch(() => undefined)
      log.error(`model failed to load: ${this.error.code}: ${this.error.message}`)
    }
  }

  /** Writes the audit records still queued, then releases the model. */
  async close(): Promise<void> {
    this.drift?.close()
    await this.audit?.close()
    await this.service?.close()
  }
}
