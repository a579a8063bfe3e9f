import { logger } from '../log.ts'
import { reachable } from '../deploy/probe.ts'
import type { State } from '../state/db.ts'
import { listEnvironments, releaseState } from '../state/environments.ts'
import type { RouteTable } from './router.ts'

const log = logger('gateway')

/** How often the gateway looks for a switch committed by another process (one PRAGMA per look). */
export const STATE_POLL_MS = 200

/** The routing table the state database holds: the live colour and every colour with an address. */
export function readTable(state: State): RouteTable {
  const rs = releaseState(state.db)
  const upstreams = listEnvironments(state.db)
    .filter((e) => e.port !== null)
    .map((e) => ({ colour: e.colour, url: reachable(e.host, e.port!), expected: { version: e.version, sha256: e.sha256 } }))
  return { live: rs.liveColour, generation: rs.generation, upstreams }
}

/**
 * Follows the state database: `PRAGMA data_version` changes when another connection commits, so
 * each poll costs one cheap statement and the table is read again only after a commit (a switch
 * or a deploy by the CLI, in another process).
 */
export class StateWatcher {
  private seen: unknown = undefined
  private timer?: NodeJS.Timeout
  private running?: Promise<void>

  constructor(
    private readonly state: State,
    private readonly onTable: (t: RouteTable) => Promise<void>,
    private readonly pollMs = STATE_POLL_MS,
  ) {}

  /** Reads the table now and applies it; then keeps polling. */
  async start(): Promise<void> {
    await this.poll()
    this.timer = setInterval(() => void this.poll(), this.pollMs)
    this.timer.unref()
  }

  /** Reads the table again whatever data_version says (after this process committed a change itself). */
  async reload(): Promise<void> {
    await this.running
    this.seen = undefined
    await this.poll()
  }

  private poll(): Promise<void> {
    this.running ??= this.read().finally(() => (this.running = undefined))
    return this.running
  }

  private async read(): Promise<void> {
    try {
      const version = this.state.db.pragma('data_version')
      if (version === this.seen) return
      const table = readTable(this.state)
      this.seen = version
      await this.onTable(table)
    } catch (e) {
      log.warn(`reading the state database failed (routing stays as it was): ${(e as Error).message}`)
    }
  }

  stop(): void {
    clearInterval(this.timer)
  }
}
