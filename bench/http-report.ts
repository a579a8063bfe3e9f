/** Figures and tables of `npm run bench:http`. */
import { percentile } from '../src/ops/load.ts'

/** One server at one concurrency, over all rounds. */
export interface Cell {
  server: string
  concurrency: number
  rounds: { requests: number; seconds: number; cpuMs: number; rps: number; p50: number; errors: number; rss?: number }[]
  /** /health latencies measured during the loads, ms. */
  health: number[]
  /** /health latencies on xrayops' health listener during the loads, ms (none for the plain server). */
  listener: number[]
  /** The server's own event-loop delay p99 during each round's load, ms (xrayops only). */
  loopLag: number[]
  latencies: number[]
  batches: number[]
  /** 1-minute load average before and after each round. */
  loadavg: number[]
}

export interface Row {
  server: string
  concurrency: number
  requests: number
  errors: number
  rps: number
  rps_rounds: number[]
  p50_ms: number
  p95_ms: number
  p99_ms: number
  p50_rounds: number[]
  health_p99_ms: number
  health_samples: number
  /** /health p99 on the health listener, ms (xrayops only). */
  listener_p99_ms?: number
  /** Worst round's event-loop delay p99 inside the server. */
  loop_lag_p99_ms?: number
  rss_mib?: number
  mean_batch: number
  /** CPU time the server process used per request (all its threads; /health probes included). */
  cpu_ms_per_request: number
  loadavg: [number, number]
}

export interface Ratio {
  server: string
  versus: string
  concurrency: number
  /** server / versus, pooled over the rounds, and each round's own ratio (min-max). */
  rps: number
  rps_rounds: [number, number]
  p50: number
  p50_rounds: [number, number]
  rss?: number
}

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b)
const span = (xs: number[]): [number, number] => [Math.min(...xs), Math.max(...xs)]

export function summarize(cells: Cell[], order: string[]): { rows: Row[]; ratios: Ratio[] } {
  const rows = cells
    .sort((a, b) => a.concurrency - b.concurrency || order.indexOf(a.server) - order.indexOf(b.server))
    .map((c): Row => {
      const lat = sorted(c.latencies)
      const rss = c.rounds.map((r) => r.rss).filter((x): x is number => x !== undefined)
      const n = c.latencies.length
      return {
        server: c.server,
        concurrency: c.concurrency,
        requests: n,
        errors: c.rounds.reduce((s, r) => s + r.errors, 0),
        // Pooled: every round's requests over every round's time.
        rps: c.rounds.reduce((s, r) => s + r.requests, 0) / c.rounds.reduce((s, r) => s + r.seconds, 0),
        rps_rounds: c.rounds.map((r) => r.rps),
        p50_ms: percentile(lat, 0.5),
        p95_ms: percentile(lat, 0.95),
        p99_ms: percentile(lat, 0.99),
        p50_rounds: c.rounds.map((r) => r.p50),
        health_p99_ms: percentile(sorted(c.health), 0.99),
        health_samples: c.health.length,
        ...(c.listener.length ? { listener_p99_ms: percentile(sorted(c.listener), 0.99) } : {}),
        loop_lag_p99_ms: c.loopLag.length ? Math.max(...c.loopLag) : undefined,
        rss_mib: rss.length ? Math.max(...rss) : undefined,
        cpu_ms_per_request: c.rounds.reduce((s, r) => s + r.cpuMs, 0) / Math.max(1, n),
        mean_batch: c.batches.reduce((s, b) => s + b, 0) / Math.max(1, c.batches.length),
        loadavg: span(c.loadavg),
      }
    })
  const ratios: Ratio[] = []
  const base = rows.some((r) => r.server === 'plain') ? 'plain' : undefined
  if (base)
    for (const r of rows.filter((x) => x.server !== base)) {
      const b = rows.find((x) => x.server === base && x.concurrency === r.concurrency)!
      ratios.push({
        server: r.server,
        versus: base,
        concurrency: r.concurrency,
        rps: r.rps / b.rps,
        rps_rounds: span(r.rps_rounds.map((x, i) => x / b.rps_rounds[i]!)),
        p50: r.p50_ms / b.p50_ms,
        p50_rounds: span(r.p50_rounds.map((x, i) => x / b.p50_rounds[i]!)),
        rss: r.rss_mib && b.rss_mib ? r.rss_mib / b.rss_mib : undefined,
      })
    }
  return { rows, ratios }
}

const f = (x: number | undefined, d = 1) => (x === undefined || Number.isNaN(x) ? '-' : x.toFixed(d))
const range = ([a, b]: [number, number], d = 2) => `${f(a, d)}-${f(b, d)}`

export function printReport(meta: { date: string; machine: string; device: string; rounds: number; images: string; loadavg: { start: number; end: number } }, r: { rows: Row[]; ratios: Ratio[] }) {
  console.log(`${meta.date} | ${meta.machine} | xrayops model on ${meta.device} | ${meta.rounds} rounds | ${meta.images} | load average ${f(meta.loadavg.start, 2)} -> ${f(meta.loadavg.end, 2)}\n`)
  console.log('| server | c | requests | errors | req/s | req/s per round | p50 ms | p50 per round | p95 ms | p99 ms | /health p99 ms (n) | health listener p99 ms | event-loop delay p99 ms | RSS after c=16 MiB | CPU ms per request | mean batch | load avg |')
  console.log('|---|---:|---:|---:|---:|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---|')
  for (const x of r.rows)
    console.log(
      `| ${x.server} | ${x.concurrency} | ${x.requests} | ${x.errors} | ${f(x.rps)} | ${range(span(x.rps_rounds), 1)} | ${f(x.p50_ms)} | ${range(span(x.p50_rounds), 1)} | ${f(x.p95_ms)} | ${f(x.p99_ms)} | ${f(x.health_p99_ms)} (${x.health_samples}) | ${x.listener_p99_ms === undefined ? '-' : f(x.listener_p99_ms)} | ${f(x.loop_lag_p99_ms)} | ${x.concurrency === 16 ? f(x.rss_mib, 0) : ''} | ${f(x.cpu_ms_per_request)} | ${f(x.mean_batch, 2)} | ${range(x.loadavg, 1)} |`,
    )
  if (!r.ratios.length) return
  console.log('\n| ratio (same run) | c | req/s | req/s, each round | p50 | p50, each round | RSS after c=16 |')
  console.log('|---|---:|---:|---|---:|---|---:|')
  for (const x of r.ratios)
    console.log(`| ${x.server} / ${x.versus} | ${x.concurrency} | ${f(x.rps, 2)}x | ${range(x.rps_rounds)} | ${f(x.p50, 2)}x | ${range(x.p50_rounds)} | ${x.concurrency === 16 ? `${f(x.rss, 2)}x` : ''} |`)
}
