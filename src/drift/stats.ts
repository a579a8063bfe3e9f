/**
 * The two drift statistics. PSI (population stability index) compares binned shares:
 * sum over bins of (a - e) * ln(a / e), with a the recent share, e the reference share, each
 * floored at 1e-4 so an empty bin counts without dividing by zero. KS is the two-sample
 * Kolmogorov-Smirnov statistic D = max |F_recent(x) - F_reference(x)| with its asymptotic p-value.
 */

export const PSI_FLOOR = 1e-4

export function psi(recent: readonly number[], reference: readonly number[]): number {
  let sum = 0
  for (let i = 0; i < reference.length; i++) {
    const a = Math.max(recent[i] ?? 0, PSI_FLOOR)
    const e = Math.max(reference[i]!, PSI_FLOOR)
    sum += (a - e) * Math.log(a / e)
  }
  return sum
}

/** `q`-quantile of sorted values (linear interpolation between order statistics, as numpy's default). */
export function quantile(sorted: readonly number[], q: number): number {
  const pos = q * (sorted.length - 1)
  const lo = Math.floor(pos)
  const hi = Math.min(lo + 1, sorted.length - 1)
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo)
}

/** Index of the bin `x` falls in, given ascending interior edges: the number of edges <= x. */
export function binOf(edges: readonly number[], x: number): number {
  let lo = 0
  let hi = edges.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (edges[mid]! <= x) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** Shares of `values` in the bins the interior `edges` make (edges.length + 1 bins). */
export function binShares(edges: readonly number[], values: readonly number[]): number[] {
  const counts = new Array<number>(edges.length + 1).fill(0)
  for (const v of values) counts[binOf(edges, v)]!++
  return counts.map((c) => c / Math.max(values.length, 1))
}

/**
 * The reference's CDF from its quantiles Q(0), Q(1/k), ..., Q(1): piecewise linear between them
 * (exact at each stored quantile, so D is within 1/k of the one computed from every value).
 */
export function cdfFromQuantiles(quantiles: readonly number[]): (x: number) => number {
  const k = quantiles.length - 1
  return (x) => {
    if (x < quantiles[0]!) return 0
    if (x >= quantiles[k]!) return 1
    const i = binOf(quantiles, x) - 1 // quantiles[i] <= x < quantiles[i + 1]
    const lo = quantiles[i]!
    const hi = quantiles[i + 1]!
    return (i + (hi > lo ? (x - lo) / (hi - lo) : 1)) / k
  }
}

/** Kolmogorov's limiting distribution: P(K > t) = 2 sum_j (-1)^(j-1) exp(-2 j^2 t^2). */
export function kolmogorovQ(t: number): number {
  if (t < 1e-3) return 1
  let sum = 0
  for (let j = 1; j <= 100; j++) {
    const term = 2 * (j % 2 ? 1 : -1) * Math.exp(-2 * j * j * t * t)
    sum += term
    if (Math.abs(term) < 1e-12) break
  }
  return Math.min(1, Math.max(0, sum))
}

/**
 * Two-sample KS of `recent` (any order) against a reference of `m` values given by its continuous
 * CDF: D (the largest gap, found at the recent values' steps), and the asymptotic p-value with
 * Stephens' correction, p = Q((sqrt(ne) + 0.12 + 0.11 / sqrt(ne)) * D), ne = n m / (n + m).
 */
export function ks(recent: readonly number[], referenceCdf: (x: number) => number, m: number): { d: number; p: number } {
  const sorted = [...recent].sort((a, b) => a - b)
  const n = sorted.length
  let d = 0
  for (let first = 0; first < n; ) {
    const x = sorted[first]!
    let last = first
    while (last + 1 < n && sorted[last + 1] === x) last++
    // The recent CDF steps from first/n to (last+1)/n at x; the reference's is continuous.
    const f = referenceCdf(x)
    d = Math.max(d, Math.abs(first / n - f), Math.abs((last + 1) / n - f))
    first = last + 1
  }
  const ne = Math.sqrt((n * m) / (n + m))
  return { d, p: kolmogorovQ((ne + 0.12 + 0.11 / ne) * d) }
}
