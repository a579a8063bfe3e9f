import type { EvalReport } from './run.ts'

const pct = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : 'n/a')

/** The human-readable eval report. */
export function formatReport(r: EvalReport, positive: string, negative: string): string {
  const c = r.confusion
  const lines = [
    `dataset      ${r.dataset} (${r.n} images${r.failures.length ? `, ${r.failures.length} failed to decode` : ''})`,
    `model        ${r.model.name} v${r.model.version} (sha256 ${r.model.sha256.slice(0, 12)})`,
    `device       ${r.device.kind}: ${r.device.name}`,
    `resize       ${r.resize}, batch ${r.batchSize}`,
    `threshold    ${r.threshold} on P(${positive})`,
    `accuracy     ${pct(r.accuracy)}`,
    `sensitivity  ${pct(r.sensitivity)}`,
    `specificity  ${pct(r.specificity)}`,
    `AUC          ${pct(r.auc)}`,
    '',
    `                 predicted ${negative.padEnd(10)} predicted ${positive}`,
    `actual ${negative.padEnd(10)}${String(c.tn).padStart(10)}${String(c.fp).padStart(20)}`,
    `actual ${positive.padEnd(10)}${String(c.fn).padStart(10)}${String(c.tp).padStart(20)}`,
    '',
    `throughput   ${r.imagesPerSecond.toFixed(1)} images/s (${r.seconds.toFixed(1)} s, decode included)`,
  ]
  if (r.golden)
    lines.push(`golden       ${r.golden.matched} matched, max |dP| ${r.golden.maxAbsDiff.toExponential(2)}, mean |dP| ${r.golden.meanAbsDiff.toExponential(2)}`)
  for (const f of r.failures.slice(0, 10)) lines.push(`failed       ${f.file}: ${f.code} ${f.message}`)
  return lines.join('\n')
}
