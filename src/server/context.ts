import type { ServerConfig } from '../config/schema.ts'
import { XrayError } from '../errors/index.ts'
import { countError, isInternal } from '../inference/errors.ts'
import type { PredictionService } from '../inference/service.ts'
import type { Metrics } from '../metrics/index.ts'
import type { ModelHost } from './model-host.ts'

/** What the routes share: configuration, the model host, metrics and the server's own state. */
export class ServerContext {
  readonly startedAt = Date.now()
  shuttingDown = false
  /** Requests being served right now, and when the last one arrived. */
  active = 0
  lastArrival = 0
  /** A failure of the server itself seen at the HTTP edge (an unexpected exception). */
  lastEdgeError?: { at: number; message: string }

  constructor(readonly config: ServerConfig, readonly host: ModelHost, readonly metrics: Metrics, readonly version: string) {}

  /** Counts an error the prediction service has not counted; returns whether the server is at fault. */
  recordError(e: XrayError): boolean {
    countError(this.metrics, e)
    const internal = isInternal(e)
    if (internal) this.lastEdgeError = { at: Date.now(), message: e.message }
    return internal
  }

  /** The last internal failure, wherever it was seen. */
  get lastInternalError(): { at: number; message: string } | undefined {
    const a = this.host.service?.lastInternalError
    const b = this.lastEdgeError
    return !a ? b : !b ? a : a.at >= b.at ? a : b
  }

  /** The prediction service, or a 503 that says why there is none yet. */
  readyService(): PredictionService {
    if (this.host.state === 'ready' && this.host.service) return this.host.service
    if (this.host.state === 'failed') throw new XrayError('MODEL_NOT_READY', `the model failed to load: ${this.host.error?.message}`)
    throw new XrayError('MODEL_NOT_READY', 'the model is still loading and warming up')
  }
}

/** Hono environment of the server's apps: per-request variables. */
export type AppEnv = {
  Variables: {
    requestId: string
    label?: string
    /** A prediction request's body as admitBody read it (routes take it instead of reading a copy). */
    body?: Buffer
  }
}
