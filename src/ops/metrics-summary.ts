import { M } from '../metrics/names.ts'
import { buckets, quantile, sum, type Sample } from '../metrics/parse.ts'

export interface MetricsSummary {
  window_s: number | null
  requests: number
  request_rate: number | null
  error_rate: number | null
  latency_ms: { p50: number; p95: number; p99: number }
  batch: { runs: number; mean: number; p95: number }
  cache_hit_ratio: number | null
  predictions: Record<string, number>
  gpu_memory_bytes: number
  in_flight: number
  model: Record<string, string> | null
}

/** Per-bucket difference of two cumulative histograms (the window between two scrapes). */
const diffBuckets = (a: ReturnType<typeof buckets>, b: ReturnType<typeof buckets>) => b.map((x, i) => ({ le: x.le, count: x.count - (a[i]?.count ?? 0) }))

/**
 * Reads the figures an operator asks for from /metrics: over the window between two scrapes when
 * `before` is given (rates), else since the server started (totals).
 */
export function summarize(after: Sample[], before?: Sample[], windowS?: number): MetricsSummary {
  const d = (name: string, match?: Record<string, string>) => sum(after, name, match) - (before ? sum(before, name, match) : 0)
  const hist = (name: string, match?: Record<string, string>) => {
    const b = buckets(after, name, match)
    return before ? diffBuckets(buckets(before, name, match), b) : b
  }
  const route = { route: '/v1/predict' }
  const requests = d(M.requests, route)
  let errors = 0
  for (const s of after) if (s.name === M.requests && s.labels.route === '/v1/predict' && Number(s.labels.status) >= 500) errors += s.value
  if (before) for (const s of before) if (s.name === M.requests && s.labels.route === '/v1/predict' && Number(s.labels.status) >= 500) errors -= s.value
  const lat = hist(M.requestDuration, route)
  const batch = hist(M.batchSize)
  const hits = d(M.cacheHits)
  const misses = d(M.cacheMisses)
  const runs = batch.at(-1)?.count ?? 0
  const predictions: Record<string, number> = {}
  for (const s of after) if (s.name === M.predictions) predictions[s.labels.label] = (predictions[s.labels.label] ?? 0) + s.value
  const info = after.find((s) => s.name === M.modelInfo)
  return {
    window_s: windowS ?? null,
    requests,
    request_rate: windowS ? requests / windowS : null,
    error_rate: requests ? errors / requests : null,
    latency_ms: { p50: quantile(0.5, lat) * 1000, p95: quantile(0.95, lat) * 1000, p99: quantile(0.99, lat) * 1000 },
    batch: { runs, mean: runs ? d(`${M.batchSize}_sum`) / runs : Number.NaN, p95: quantile(0.95, batch) },
    cache_hit_ratio: hits + misses ? hits / (hits + misses) : null,
    predictions,
    gpu_memory_bytes: sum(after, M.gpuMemory),
    in_flight: sum(after, M.inFlight),
    model: info ? info.labels : null,
  }
}
