import type { Machine } from './machine.ts'
import { summarize, type Summary } from './stats.ts'

export interface Row {
  case: string
  summary?: Summary
  /** Raw samples (ms), kept in the JSON. */
  samples?: number[]
  /** Median relative to the table's baseline row (set by `withRatios`). */
  ratio?: number
  /** Further columns, by name (see Table.extraColumns). */
  extra?: Record<string, string | number>
}

export interface Table {
  id: string
  title: string
  /** What is timed, one paragraph. */
  description: string
  /** Case name of the row the ratio column divides by. */
  baseline?: string
  extraColumns?: string[]
  rows: Row[]
  notes: string[]
  /** Set when the section could not run here (e.g. no WebGPU adapter). */
  skipped?: string
  /** 1-minute load average when the section started and ended (other processes on the machine). */
  load?: [number, number]
}

export interface Report {
  tool: string
  date: string
  command: string
  options: Record<string, unknown>
  machine: Machine
  seconds: number
  tables: Table[]
}

export const row = (name: string, samples: number[], extra?: Row['extra']): Row => ({ case: name, summary: summarize(samples), samples, extra })

/** Fills `ratio` = row median / baseline median. */
export function withRatios(t: Table): Table {
  const base = t.rows.find((r) => r.case === t.baseline)?.summary?.median
  if (base) for (const r of t.rows) if (r.summary) r.ratio = r.summary.median / base
  return t
}

export const fmtMs = (v: number | undefined): string => {
  if (v === undefined || !Number.isFinite(v)) return '-'
  if (v >= 100) return v.toFixed(0)
  if (v >= 10) return v.toFixed(1)
  return v.toFixed(2)
}

const fmtRatio = (r: Row, t: Table) => (r.ratio === undefined ? '' : r.case === t.baseline ? '1 (baseline)' : `${r.ratio.toFixed(r.ratio >= 10 ? 1 : 2)}x`)
const cell = (v: string | number | undefined) => (v === undefined ? '' : typeof v === 'number' ? fmtMs(v) : v).toString().replace(/\|/g, '\\|')

export function tableMarkdown(t: Table): string {
  const out = [`### ${t.title}`, '', t.description, '']
  if (t.skipped) return [...out, `Skipped: ${t.skipped}`, ''].join('\n')
  const extra = t.extraColumns ?? []
  const head = ['case', 'median ms', 'p95 ms', 'n', ...(t.baseline ? ['vs baseline'] : []), ...extra]
  out.push(`| ${head.map(cell).join(' | ')} |`, `|${head.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`)
  for (const r of t.rows) {
    const s = r.summary
    const cells = [r.case, fmtMs(s?.median), fmtMs(s?.p95), s ? String(s.n) : '', ...(t.baseline ? [fmtRatio(r, t)] : []), ...extra.map((c) => r.extra?.[c])]
    out.push(`| ${cells.map(cell).join(' | ')} |`)
  }
  const notes = [...t.notes, ...(t.load ? [`Load average (1 min) when this table started / ended: ${t.load[0].toFixed(2)} / ${t.load[1].toFixed(2)}.`] : [])]
  if (notes.length) out.push('', ...notes.map((n) => `- ${n}`))
  return [...out, ''].join('\n')
}

export function reportMarkdown(r: Report): string {
  const m = r.machine
  const head = [
    `## xrayops core benchmark, ${r.date}`,
    '',
    `Command: \`${r.command}\` (${r.seconds.toFixed(0)} s)`,
    '',
    `Machine: ${m.cpuModel}, ${m.cpus} logical CPUs (${m.cpuFlags.join(', ') || 'no AVX2'}), ${m.memoryGiB} GiB RAM, ${m.os}; ` +
      `Node ${m.node}; GPU: ${m.gpu}.`,
    `Load average (1 min) at start ${m.loadStart.toFixed(2)}, at end ${m.loadEnd.toFixed(2)}: other processes share these cores, so compare rows within a table (interleaved, same run), not across runs.`,
    '',
    `Versions: ${Object.entries(m.versions).map(([k, v]) => `${k} ${v}`).join(', ')}.`,
    '',
    'median and p95 (nearest rank; with fewer than 20 samples it is the maximum) over n repetitions, interleaved round-robin with the other rows of the same table after warm-up runs.',
    '',
  ]
  return [...head, ...r.tables.map(tableMarkdown)].join('\n')
}
