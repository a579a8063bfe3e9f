import { defineCommand } from 'citty'
import { latestModel } from '../../audit/store.ts'
import { THRESHOLDS, type DriftReport } from '../../drift/analyze.ts'
import { locateProfile } from '../../drift/locate.ts'
import { recentDrift } from '../../drift/monitor.ts'
import { commandConfig, EXIT, guard, jsonArg, settingArgs, usageError } from '../_shared.ts'
import { recentWindow, windowArgs } from '../recent.ts'
import { openStateFromArgs, stateArgs } from '../state.ts'
import { table } from '../table.ts'

const verdictOf = (f: DriftReport['features'][number]) => (f.drift ? 'DRIFT' : f.level === 'moderate' ? 'moderate' : 'no drift') + (f.inVerdict ? '' : ' (watch only)')

function render(r: DriftReport, window: string, profileFile: string): string {
  const g = r.geometry
  const lines = [
    `${r.images} images (${window} of model ${r.reference.model.name}@${r.reference.model.version} with a decoded image) against ${r.reference.source} (${profileFile})`,
    '',
    table([
      ['FEATURE', 'PSI', 'KS D', 'KS p', 'RECENT', 'TRAINING', 'VERDICT'],
      ...r.features.map((f) => [f.feature, f.psi.toFixed(3), f.ks ? f.ks.d.toFixed(3) : '-', f.ks ? f.ks.p.toPrecision(2) : '-', String(Number(f.recent.toPrecision(4))), String(Number(f.reference.toPrecision(4))), verdictOf(f)]),
    ]),
    '',
    `PSI: < ${THRESHOLDS.psiModerate} no drift, ${THRESHOLDS.psiModerate}-${THRESHOLDS.psiSignificant} moderate, > ${THRESHOLDS.psiSignificant} drift. KS (two-sample, asymptotic p): drift when p < ${THRESHOLDS.ksP} and D > ${THRESHOLDS.ksD}.`,
    `Not compared (the training copies are all 224x224 8-bit JPEGs): recent median size ${g.recent.median_width}x${g.recent.median_height}, aspect ${g.recent.median_aspect} (range ${g.recent.aspect_range.join('-')}), ${(g.recent.share_16bit * 100).toFixed(0)}% over 8 bits, formats ${JSON.stringify(g.recent.formats)}.`,
    '',
    r.verdict === 'insufficient_data'
      ? `VERDICT: not enough data (${r.images} images; the check needs ${r.thresholds.minImages})`
      : r.verdict === 'drift'
        ? `VERDICT: DRIFT in ${r.features.filter((f) => f.drift && f.inVerdict).map((f) => f.feature).join(', ')}: see docs/OPERATIONS.md, "Drift"; run xrayops data validate --check-recent-data`
        : 'VERDICT: no drift',
  ]
  return lines.join('\n')
}

export default defineCommand({
  meta: { name: 'drift', description: "Recent inputs against the model's training profile: PSI and KS per feature, a verdict; exit 1 on drift" },
  args: {
    'analyze-recent': { type: 'boolean', description: 'analyze the recent predictions recorded in the audit trail', default: false },
    ...windowArgs,
    profile: { type: 'string', description: "a drift profile file (default: the one the model's manifest names)" },
    model: { type: 'string', description: 'the model manifest whose profile and predictions to use (default: the model of the newest record)' },
    ...settingArgs('drift'),
    ...stateArgs,
    ...jsonArg,
  },
  run: ({ args }) =>
    guard(async () => {
      if (!args['analyze-recent']) throw usageError('say what to do: --analyze-recent')
      const { config } = await commandConfig(args)
      const q = recentWindow(args, config.drift.window)
      const state = await openStateFromArgs(args)
      try {
        const latest = latestModel(state.db)
        const { profile, file } = await locateProfile(state, latest?.sha256, { file: args.profile, model: args.model })
        const report = recentDrift(state.db, profile, q)
        if (args.json) process.stdout.write(`${JSON.stringify({ window: q.text, profile: file, ...report }, null, 2)}\n`)
        else process.stdout.write(`${render(report, q.text, file)}\n`)
        return report.verdict === 'drift' ? EXIT.failure : EXIT.ok
      } finally {
        state.close()
      }
    }),
})
