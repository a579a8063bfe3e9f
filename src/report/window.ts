/** The period a report covers. */
export interface ReportWindow {
  from: Date
  to: Date
  /** How it was chosen: `the last 7d`. */
  text: string
}

export const windowOf = (ms: number, text: string, to = new Date()): ReportWindow => ({ from: new Date(to.getTime() - ms), to, text })

export const iso = (d: Date) => d.toISOString()

/** A section that could not be read, and why. */
export interface Missing {
  section: string
  reason: string
}

/** Nearest-rank percentile of ascending `sorted` (q in 0..1); undefined when empty. */
export function percentile(sorted: readonly number[], q: number): number | undefined {
  if (!sorted.length) return undefined
  const rank = Math.max(1, Math.ceil(q * sorted.length))
  return sorted[rank - 1]
}
