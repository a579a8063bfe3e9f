import type { TokenVerifier } from '../auth/index.ts'
import type { ServerConfig } from '../config/schema.ts'
import type { State } from '../state/db.ts'
import type { GatewayMetrics } from './metrics.ts'
import type { Router } from './router.ts'
import type { StateWatcher } from './state-source.ts'

/** What the gateway's routes share. */
export class GatewayContext {
  readonly startedAt = Date.now()
  shuttingDown = false
  /** Requests being handled (any route), and when the last one arrived: the drain waits for quiet. */
  active = 0
  lastArrival = 0

  constructor(
    readonly config: ServerConfig,
    readonly router: Router,
    readonly metrics: GatewayMetrics,
    readonly verifier: TokenVerifier,
    /** The state database; absent with a fixed upstream (gateway.upstream). */
    readonly state: State | undefined,
    readonly watcher: StateWatcher | undefined,
    readonly version: string,
  ) {}

  get fixedUpstream(): boolean {
    return this.config.gateway.upstream !== undefined
  }
}

/** Per-request variables of the gateway's app. */
export type GatewayEnv = { Variables: { requestId: string; tokenName?: string; route?: string; colour?: string } }
