import type { ServerConfig } from '../config/schema.ts'
import { XrayError } from '../errors/index.ts'
import type { Metrics } from '../metrics/index.ts'
import type { ModelHost } from './model-host.ts'
import type { Predictor } from './predictor.ts'

/** Codes that mean the server, not the request, is at fault. */
const INTERNAL = new Set(['INFERENCE_FAILED', 'GPU_ERROR', 'NO_GPU'])

/** What the routes share: configuration, the model host, metrics and the server's own state. */
export class ServerContext {
  readonly startedAt = Date.now()
  shuttingDown = false
  /** Requests being served right now, and when the last one arrived. */
  active = 0
  lastArrival = 0

  constructor(readonly config: ServerConfig, readonly host: ModelHost, readonly metrics: Metrics, readonly version: string) {}

  /**
   * Counts a failed prediction by code; failures of the server rather than of the request also
   * make /health degraded for a while.
   */
  recordError(e: XrayError): boolean {
    this.metrics.errors.inc({ code: e.code })
    const isInternal = INTERNAL.has(e.code)
    if (isInternal) this.host.lastInternalError = { at: Date.now(), message: e.message }
    return isInternal
  }

  /** The predictor, or a 503 that says why there is none yet. */
  readyPredictor(): Predictor {
    if (this.host.state === 'ready' && this.host.predictor) return this.host.predictor
    if (this.host.state === 'failed') throw new XrayError('MODEL_NOT_READY', `the model failed to load: ${this.host.error?.message}`)
    throw new XrayError('MODEL_NOT_READY', 'the model is still loading and warming up')
  }
}

/** Hono environment of the server's apps: per-request variables. */
export type AppEnv = { Variables: { requestId: string; label?: string } }
