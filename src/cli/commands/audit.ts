import { defineCommand } from 'citty'
import { accuracyOf, labelledWindow } from '../../audit/feedback.ts'
import { positiveLabelOf, recentRecords, type AuditRow } from '../../audit/store.ts'
import { commandConfig, EXIT, guard, intFlag, jsonArg, settingArgs, usageError } from '../_shared.ts'
import { parseDuration } from '../duration.ts'
import { openStateFromArgs, stateArgs } from '../state.ts'
import { table } from '../table.ts'

/** The accuracy alert's rule (monitoring/rules/model-quality.yml): below 80% with at least 50 labels. */
const MIN_ACCURACY = 0.8
const MIN_LABELLED = 50

const pct = (x: number) => (Number.isNaN(x) ? 'n/a' : `${(x * 100).toFixed(1)}%`)

const shown = (r: AuditRow, feedback: Map<string, string>) => [
  r.at.slice(0, 23).replace('T', ' '),
  r.id,
  `${r.model_name}@${r.model_version}`,
  r.label,
  r.score.toFixed(4),
  r.latency_ms.toFixed(1),
  `${r.source}${r.cached ? ' (cached)' : ''}`,
  r.client ?? '',
  r.width ? `${r.width}x${r.height} ${r.format}` : r.input_kind,
  (JSON.parse(r.quality_flags) as string[]).join(',') || '-',
  feedback.get(r.id) ?? '',
]

export default defineCommand({
  meta: { name: 'audit', description: 'The audit trail: recent predictions, and accuracy from radiologist feedback' },
  args: {
    recent: { type: 'boolean', description: 'show the most recent predictions: --recent [N] (default 20)', default: false },
    count: { type: 'positional', description: 'how many, with --recent', required: false },
    since: { type: 'string', description: 'predictions (and labels) of the last DURATION instead (30m, 24h, 7d)' },
    'accuracy-check': { type: 'boolean', description: `accuracy, sensitivity and specificity of the labelled predictions; exit 1 below ${MIN_ACCURACY * 100}% with at least ${MIN_LABELLED} labelled`, default: false },
    ...settingArgs('feedback'),
    ...stateArgs,
    ...jsonArg,
  },
  run: ({ args }) =>
    guard(async () => {
      const recentGiven = args.recent
      if (!recentGiven && !args.since && !args['accuracy-check']) throw usageError('say what to show: --recent [N], --since DURATION or --accuracy-check')
      if (args.count !== undefined && !recentGiven) throw usageError(`${args.count}: a count goes with --recent (--recent ${args.count})`)
      const n = intFlag('recent', args.count, 1, 1_000_000) ?? 20
      const since = args.since ? new Date(Date.now() - parseDuration(args.since, '--since')) : undefined
      const { config } = await commandConfig(args)
      const state = await openStateFromArgs(args)
      try {
        const db = state.db
        const rows = recentGiven || since ? recentRecords(db, { limit: since && !recentGiven ? undefined : n, since }) : []
        const labels = new Map(
          db
            .prepare('SELECT prediction_id, true_label FROM feedback WHERE prediction_id IN (SELECT value FROM json_each(?))')
            .all<{ prediction_id: string; true_label: string }>(JSON.stringify(rows.map((r) => r.id)))
            .map((f) => [f.prediction_id, f.true_label]),
        )
        let check: ReturnType<typeof accuracyReport> | undefined
        if (args['accuracy-check']) check = accuracyReport(state.db, since ? { since } : { window: config.feedback.window })
        if (args.json) {
          const out = { predictions: rows.map((r) => ({ ...r, probabilities: JSON.parse(r.probabilities), timings: JSON.parse(r.timings), quality_flags: JSON.parse(r.quality_flags), stats: r.stats ? JSON.parse(r.stats) : null, cached: r.cached === 1, feedback: labels.get(r.id) ?? null })), ...(check ? { accuracy: check } : {}) }
          process.stdout.write(`${JSON.stringify(out, null, 2)}\n`)
        } else {
          if (recentGiven || since) {
            const header = ['TIME (UTC)', 'ID', 'MODEL', 'LABEL', 'P(POS)', 'MS', 'SOURCE', 'CLIENT', 'INPUT', 'FLAGS', 'FEEDBACK']
            process.stdout.write(rows.length ? `${table([header, ...rows.map((r) => shown(r, labels))])}\n` : `no predictions recorded${since ? ` since ${since.toISOString()}` : ''} in ${state.paths.db}\n`)
          }
          if (check) process.stdout.write(`${recentGiven || since ? '\n' : ''}${check.text}\n`)
        }
        return check?.failing ? EXIT.failure : EXIT.ok
      } finally {
        state.close()
      }
    }),
})

/** Accuracy per model over the labels of the window, with the data set named. */
function accuracyReport(db: Parameters<typeof labelledWindow>[0], q: { window?: number; since?: Date }) {
  const models = db.prepare('SELECT DISTINCT f.model_sha256 AS sha, a.model_name AS name, a.model_version AS version, a.threshold AS threshold FROM feedback f JOIN audit a ON a.id = f.prediction_id').all<{ sha: string; name: string; version: string; threshold: number }>()
  const per = models.map((m) => {
    const pairs = labelledWindow(db, { window: q.window ?? 1e9, since: q.since, modelSha256: m.sha })
    const pos = positiveLabelOf(db, m.sha) ?? '?'
    const a = accuracyOf(pairs, pos)
    const failing = a.labelled >= MIN_LABELLED && a.accuracy < MIN_ACCURACY
    return { model: { name: m.name, version: m.version, sha256: m.sha }, threshold: m.threshold, positive: pos, ...a, failing }
  }).filter((m) => m.labelled > 0)
  const scope = q.since ? `labels given since ${q.since.toISOString()}` : `the most recent ${q.window} labels`
  const lines = per.map((m) =>
    [
      `${m.model.name}@${m.model.version}: radiologist feedback on production predictions, ${m.labelled} labelled (${scope}), threshold ${m.threshold}`,
      `  accuracy ${pct(m.accuracy)}  sensitivity ${pct(m.sensitivity)}  specificity ${pct(m.specificity)}  (TP ${m.tp}, TN ${m.tn}, FP ${m.fp}, FN ${m.fn}; positive = ${m.positive})`,
      m.failing ? `  BELOW ${MIN_ACCURACY * 100}%: see docs/OPERATIONS.md, "Feedback accuracy"` : m.labelled < MIN_LABELLED ? `  fewer than ${MIN_LABELLED} labelled: too few to judge (the alert waits for ${MIN_LABELLED})` : `  at or above ${MIN_ACCURACY * 100}%`,
    ].join('\n'),
  )
  return { models: per, failing: per.some((m) => m.failing), text: lines.length ? lines.join('\n') : `no labelled predictions (${scope}): POST /v1/feedback records radiologists' labels` }
}
