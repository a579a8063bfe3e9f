import { Upstream, type UpstreamInfo } from './upstream.ts'

/** Where traffic goes: the live colour (null: none) and the places the gateway knows. */
export interface RouteTable {
  live: string | null
  /** Counts switches of the live colour (the state database's release generation). */
  generation: number
  upstreams: UpstreamInfo[]
}

/** What one request routes by: read once, when it arrives. */
export interface Route {
  live: string | null
  generation: number
  upstream?: Upstream
}

/**
 * The live pointer. A request reads it once (`route()`), so a switch never splits a request:
 * the pointer is replaced in one assignment, requests that already hold the old route finish
 * there, later ones take the new one. A new live colour is checked before the pointer moves to
 * it, so the gateway never switches to a colour it has not seen ready since it last changed.
 */
export class Router {
  readonly upstreams = new Map<string, Upstream>()
  private current: Route = { live: null, generation: 0 }
  /** The table being applied, so that tables apply in the order they came. */
  private applying: Promise<void> = Promise.resolve()

  constructor(
    private readonly checkTimeoutMs: number,
    private readonly onUpstreamChange: (u: Upstream) => void = () => {},
  ) {}

  route(): Route {
    return this.current
  }

  apply(table: RouteTable): Promise<void> {
    this.applying = this.applying.then(() => this.applyNow(table))
    return this.applying
  }

  private async applyNow(table: RouteTable): Promise<void> {
    for (const info of table.upstreams) {
      const u = this.upstreams.get(info.colour)
      if (u) u.update(info)
      else this.upstreams.set(info.colour, new Upstream(info.colour, info.url, info.expected, this.onUpstreamChange))
    }
    for (const colour of this.upstreams.keys()) if (!table.upstreams.some((i) => i.colour === colour)) this.upstreams.delete(colour)
    const next = table.live ? this.upstreams.get(table.live) : undefined
    if (next && next !== this.current.upstream) await next.check(this.checkTimeoutMs)
    this.current = { live: table.live, generation: table.generation, upstream: next }
  }

  /** Checks every upstream once (the periodic health check). */
  checkAll(): Promise<void> {
    return Promise.all([...this.upstreams.values()].map((u) => u.check(this.checkTimeoutMs))).then(() => undefined)
  }
}
