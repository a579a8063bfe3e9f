import { setTimeout as sleep } from 'node:timers/promises'

/** Summary of one case's repetitions, in milliseconds. */
export interface Summary {
  n: number
  median: number
  /** Nearest-rank 95th percentile: with fewer than 20 samples this is the maximum. */
  p95: number
  min: number
  max: number
}

const nearestRank = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]

export function summarize(samples: number[]): Summary {
  if (samples.length === 0) return { n: 0, median: NaN, p95: NaN, min: NaN, max: NaN }
  const s = [...samples].sort((a, b) => a - b)
  const mid = s.length >> 1
  const median = s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2
  return { n: s.length, median, p95: nearestRank(s, 0.95), min: s[0], max: s[s.length - 1] }
}

/** One case of an interleaved measurement: returns its own duration in ms, or undefined to time the call. */
export interface Case {
  name: string
  run: () => Promise<number | void> | number | void
}

export interface InterleaveOptions {
  rounds: number
  warmup: number
  /** Untimed pause between runs, so thread pools that spin after a run (onnxruntime) park first. */
  settleMs?: number
  onRound?: (round: number) => void
}

/**
 * Runs every case once per round, rotating which case goes first, so that load from other
 * processes on the machine falls on all cases alike. Returns the samples (ms) per case name.
 */
export async function interleave(cases: Case[], opts: InterleaveOptions): Promise<Map<string, number[]>> {
  const samples = new Map(cases.map((c) => [c.name, [] as number[]]))
  const total = opts.warmup + opts.rounds
  for (let r = 0; r < total; r++) {
    for (let k = 0; k < cases.length; k++) {
      const c = cases[(r + k) % cases.length]
      const t0 = performance.now()
      const own = await c.run()
      const ms = typeof own === 'number' ? own : performance.now() - t0
      if (r >= opts.warmup) samples.get(c.name)!.push(ms)
      if (opts.settleMs) await sleep(opts.settleMs)
    }
    opts.onRound?.(r)
  }
  return samples
}

/** Times one call. */
export async function timed<T>(fn: () => Promise<T> | T): Promise<{ value: T; ms: number }> {
  const t0 = performance.now()
  const value = await fn()
  return { value, ms: performance.now() - t0 }
}

export const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  if (a.length !== b.length) throw new Error(`length mismatch: ${a.length} vs ${b.length}`)
  let m = 0
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]))
  return m
}
