/** Prometheus's HTTP query API (/api/v1/query, /api/v1/query_range): what the reports read. */

export interface Series {
  metric: Record<string, string>
  value: number
}

export interface RangeSeries {
  metric: Record<string, string>
  /** [unix seconds, value] */
  values: [number, number][]
}

export class PrometheusError extends Error {
  override name = 'PrometheusError'
}

type Body<T> = { status: 'success' | 'error'; error?: string; data: { resultType: string; result: T } }

/** A client for one Prometheus; every call fails with a PrometheusError that says why. */
export class Prometheus {
  constructor(
    readonly url: string,
    private readonly timeoutMs = 10_000,
  ) {}

  private async get<T>(path: string, params: Record<string, string>): Promise<T> {
    const u = `${this.url}${path}?${new URLSearchParams(params)}`
    let res: Response
    try {
      res = await fetch(u, { signal: AbortSignal.timeout(this.timeoutMs) })
    } catch (e) {
      const cause = (e as { cause?: { code?: string; message?: string } }).cause
      throw new PrometheusError(`${this.url} cannot be reached: ${cause?.code ?? cause?.message ?? (e as Error).message}`)
    }
    const text = await res.text()
    let body: Body<T>
    try {
      body = JSON.parse(text) as Body<T>
    } catch {
      throw new PrometheusError(`${this.url}${path} answered HTTP ${res.status} without JSON: is it Prometheus?`)
    }
    if (body.status !== 'success') throw new PrometheusError(`${params.query}: ${body.error ?? `HTTP ${res.status}`}`)
    return body.data.result
  }

  /** An instant vector query evaluated at `time`. */
  async query(q: string, time: Date): Promise<Series[]> {
    const r = await this.get<{ metric: Record<string, string>; value: [number, string] }[]>('/api/v1/query', { query: q, time: seconds(time) })
    return r.map((s) => ({ metric: s.metric, value: Number(s.value[1]) }))
  }

  /** A range query from `start` to `end` every `stepS` seconds. */
  async queryRange(q: string, start: Date, end: Date, stepS: number): Promise<RangeSeries[]> {
    const r = await this.get<{ metric: Record<string, string>; values: [number, string][] }[]>('/api/v1/query_range', { query: q, start: seconds(start), end: seconds(end), step: String(stepS) })
    return r.map((s) => ({ metric: s.metric, values: s.values.map(([t, v]) => [t, Number(v)] as [number, number]) }))
  }

  /** Whether Prometheus answers a trivial query. */
  async reachable(time: Date): Promise<void> {
    await this.query('vector(1)', time)
  }
}

const seconds = (d: Date) => (d.getTime() / 1000).toFixed(3)

/** A Prometheus range selector duration for `ms` (whole seconds, at least 1s). */
export const promRange = (ms: number) => `${Math.max(1, Math.round(ms / 1000))}s`

/** The one value of a query's single series (sum() results), or undefined when it has none. */
export const scalarOf = (s: Series[]): number | undefined => (s.length ? s[0]!.value : undefined)
