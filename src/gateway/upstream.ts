import { healthProbe, modelMismatch, readyProbe, type ServedModel } from '../deploy/probe.ts'

/** What the gateway is told about one place it may route to. */
export interface UpstreamInfo {
  /** blue, green, or `upstream` for a fixed upstream. */
  colour: string
  url: string
  /** The model the state database says it runs (none for a fixed upstream). */
  expected: { version: string | null; sha256: string | null }
}

/** Timeouts before a colour that stops answering is taken out: refusals and "not ready" count at once. */
const TIMEOUTS_TO_DOWN = 3

/** One model server the gateway may route to, as its own health checks see it. */
export class Upstream {
  ready = false
  /** Why it is not ready. */
  why = 'not checked yet'
  model: ServedModel | null = null
  checkedAt: string | null = null
  /** Requests forwarded to it whose answers have not finished. */
  inFlight = 0
  private timeouts = 0
  private checking?: Promise<void>

  constructor(
    readonly colour: string,
    public url: string,
    public expected: UpstreamInfo['expected'],
    private readonly onChange: (u: Upstream) => void = () => {},
  ) {}

  /** Checks /v2/health/ready (and /health for the model it serves when that is unknown); one check at a time. */
  check(timeoutMs: number): Promise<void> {
    this.checking ??= this.probe(timeoutMs).finally(() => (this.checking = undefined))
    return this.checking
  }

  private async probe(timeoutMs: number): Promise<void> {
    const url = this.url
    const r = await readyProbe(url, timeoutMs)
    if (url !== this.url) return // moved meanwhile: the next check looks at the new place
    this.checkedAt = new Date().toISOString()
    if (!r.ready) {
      this.timeouts = r.definite ? TIMEOUTS_TO_DOWN : this.timeouts + 1
      if (this.timeouts >= TIMEOUTS_TO_DOWN) this.down(r.why)
      return
    }
    this.timeouts = 0
    if (!this.ready || !this.model) {
      const h = await healthProbe(url, timeoutMs)
      this.model = h.model
    }
    this.set(true, '')
  }

  /** Passive check: forwarding failed in a way that means nothing listens there. */
  down(why: string): void {
    this.model = null
    this.set(false, why)
  }

  /** Why the model it serves is not the one the state database names, if it is not. */
  get mismatch(): string | undefined {
    return this.ready ? modelMismatch(this.model, this.expected) : undefined
  }

  private set(ready: boolean, why: string) {
    const changed = ready !== this.ready
    this.ready = ready
    this.why = why
    if (changed) this.onChange(this)
  }

  /** Points it at a new address or model (a redeploy): what was known about the old one is dropped. */
  update(info: UpstreamInfo): void {
    const moved = info.url !== this.url
    const remodelled = info.expected.version !== this.expected.version || info.expected.sha256 !== this.expected.sha256
    this.expected = info.expected
    if (moved) {
      this.url = info.url
      this.timeouts = 0
      this.model = null
      this.set(false, 'not checked yet')
    } else if (remodelled) this.model = null
  }
}
