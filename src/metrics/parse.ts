/** One sample of the Prometheus text format. */
export interface Sample {
  name: string
  labels: Record<string, string>
  value: number
}

// Values as Prometheus reads them (Go's ParseFloat): prom-client prints `Nan` before a first sample.
const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (-?(?:[0-9.e+-]+|[Nn][Aa][Nn]|\+Inf|-Inf))(?: -?\d+)?$/
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?/gy

const sampleValue = (v: string) => (v.endsWith('Inf') ? (v[0] === '-' ? -1 : 1) * Number.POSITIVE_INFINITY : Number(v))

/** Parses the Prometheus text exposition format strictly; throws on a line that is not one. */
export function parsePrometheusText(text: string): Sample[] {
  const out: Sample[] = []
  for (const line of text.split('\n')) {
    if (line.trim() === '' || line.startsWith('#')) continue
    const m = LINE.exec(line)
    if (!m) throw new Error(`not Prometheus text: ${JSON.stringify(line)}`)
    const labels: Record<string, string> = {}
    if (m[2]) {
      LABEL.lastIndex = 0
      let l: RegExpExecArray | null
      let end = 0
      while ((l = LABEL.exec(m[2]))) {
        labels[l[1]] = l[2].replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c))
        end = LABEL.lastIndex
      }
      if (end !== m[2].length) throw new Error(`bad labels in ${JSON.stringify(line)}`)
    }
    out.push({ name: m[1], labels, value: sampleValue(m[3]) })
  }
  return out
}

/** Sum of a metric's samples whose labels include `match`. */
export const sum = (samples: Sample[], name: string, match: Record<string, string> = {}) =>
  samples.filter((s) => s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v)).reduce((a, s) => a + s.value, 0)

/** A histogram's cumulative buckets (summed over other labels), sorted by upper bound. */
export function buckets(samples: Sample[], name: string, match: Record<string, string> = {}): { le: number; count: number }[] {
  const byLe = new Map<number, number>()
  for (const s of samples)
    if (s.name === `${name}_bucket` && Object.entries(match).every(([k, v]) => s.labels[k] === v)) {
      const le = s.labels.le === '+Inf' ? Number.POSITIVE_INFINITY : Number(s.labels.le)
      byLe.set(le, (byLe.get(le) ?? 0) + s.value)
    }
  return [...byLe].map(([le, count]) => ({ le, count })).sort((a, b) => a.le - b.le)
}

/** Quantile from cumulative buckets, interpolated linearly inside a bucket (as histogram_quantile). */
export function quantile(q: number, bs: { le: number; count: number }[]): number {
  const total = bs.at(-1)?.count ?? 0
  if (total === 0) return Number.NaN
  const rank = q * total
  let prevLe = 0
  let prevCount = 0
  for (const b of bs) {
    if (b.count >= rank) {
      if (!Number.isFinite(b.le)) return prevLe
      return prevLe + ((b.le - prevLe) * (rank - prevCount)) / Math.max(1e-12, b.count - prevCount)
    }
    prevLe = b.le
    prevCount = b.count
  }
  return prevLe
}
