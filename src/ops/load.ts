export interface LoadResult {
  requests: number
  errors: number
  seconds: number
  /** Sorted latencies of all requests, ms. */
  latencies: number[]
  /** `batch_size` of each successful answer. */
  batches: number[]
  statuses: Record<string, number>
}

/** Sends `requests` POST /v1/predict with `concurrency` workers, cycling through `images`. */
export async function runLoad(baseUrl: string, images: Uint8Array[], requests: number, concurrency: number, opts: { timeoutMs?: number; noCache?: boolean } = {}): Promise<LoadResult> {
  const headers: Record<string, string> = { 'content-type': 'application/octet-stream', ...(opts.noCache ? { 'cache-control': 'no-cache' } : {}) }
  const latencies: number[] = []
  const batches: number[] = []
  const statuses: Record<string, number> = {}
  let errors = 0
  let next = 0
  const url = new URL('/v1/predict', baseUrl).href
  const t0 = performance.now()
  const worker = async () => {
    while (next < requests) {
      const body = images[next++ % images.length]
      const s = performance.now()
      try {
        const res = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(opts.timeoutMs ?? 30_000) })
        statuses[res.status] = (statuses[res.status] ?? 0) + 1
        const json = (await res.json()) as { batch_size?: number }
        if (res.ok) batches.push(json.batch_size ?? 0)
        else errors++
      } catch (e) {
        const code = (e as Error & { cause?: { code?: string } }).cause?.code ?? (e as Error).name
        statuses[code] = (statuses[code] ?? 0) + 1
        errors++
      }
      latencies.push(performance.now() - s)
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker))
  return { requests: latencies.length, errors, seconds: (performance.now() - t0) / 1000, latencies: latencies.sort((a, b) => a - b), batches, statuses }
}

/** Nearest-rank percentile of sorted values. */
export const percentile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN

/** One request of `runTimedLoad`: when it was sent and answered (ms on this process's clock), what came back. */
export interface TimedResult {
  /** Which of `images` was sent. */
  image: number
  sent: number
  received: number
  /** The HTTP status, or the error code when there was no answer. */
  status: number | string
  headers: Record<string, string>
  body: unknown
}

/**
 * Sends POST /v1/predict with `concurrency` workers, cycling through `images`, until `stop()`
 * says so or `maxRequests` have been sent: a bounded load kept running across an operation
 * (a traffic switch), with every answer and its timing kept for checking.
 */
export async function runTimedLoad(
  baseUrl: string,
  images: Uint8Array[],
  opts: { concurrency: number; maxRequests: number; stop: () => boolean; timeoutMs?: number; headers?: Record<string, string>; onResult?: (r: TimedResult) => void },
): Promise<TimedResult[]> {
  const url = new URL('/v1/predict', baseUrl).href
  const headers = { 'content-type': 'application/octet-stream', 'cache-control': 'no-cache', ...opts.headers }
  const out: TimedResult[] = []
  let next = 0
  const worker = async () => {
    while (next < opts.maxRequests && !opts.stop()) {
      const image = next++ % images.length
      const sent = performance.now()
      try {
        const res = await fetch(url, { method: 'POST', headers, body: images[image], signal: AbortSignal.timeout(opts.timeoutMs ?? 30_000) })
        const body: unknown = await res.json().catch(() => null)
        out.push({ image, sent, received: performance.now(), status: res.status, headers: Object.fromEntries(res.headers), body })
      } catch (e) {
        const code = (e as Error & { cause?: { code?: string } }).cause?.code ?? (e as Error).name
        out.push({ image, sent, received: performance.now(), status: code, headers: {}, body: null })
      }
      opts.onResult?.(out.at(-1)!)
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, opts.concurrency) }, worker))
  return out
}
