import fs from 'node:fs'
import path from 'node:path'
import { defineCommand } from 'citty'
import { consola } from 'consola'
import { buildIncident, incidentEmpty, type IncidentType } from '../../report/incident.ts'
import { summaryMarkdown } from '../../report/markdown.ts'
import { buildSummary, nothingRead } from '../../report/summary.ts'
import { windowOf } from '../../report/window.ts'
import { commandConfig, EXIT, guard, jsonArg, settingArgs, usageError } from '../_shared.ts'
import { parseDuration } from '../duration.ts'
import { reportSources } from '../report-sources.ts'
import { stateArgs } from '../state.ts'

/** Writes `data` to `file` through a temporary file in the same folder, so a reader never sees half a report. */
function writeOutput(file: string, data: string | Uint8Array) {
  const tmp = path.join(path.dirname(path.resolve(file)), `.${path.basename(file)}.${process.pid}.tmp`)
  fs.writeFileSync(tmp, data)
  fs.renameSync(tmp, file)
}

export default defineCommand({
  meta: { name: 'report', description: 'Weekly or detailed operations report (Markdown or JSON), or an incident report as PDF, from Prometheus and the state database' },
  args: {
    weekly: { type: 'boolean', description: 'requests, errors, latency, predictions, feedback accuracy, drift, alerts and deployments of the last 7 days', default: false },
    detailed: { type: 'boolean', description: 'the weekly figures plus per-day tables and every event of the window', default: false },
    incident: { type: 'boolean', description: 'an incident report: the timeline of the window as PDF (--output FILE.pdf)', default: false },
    type: { type: 'string', description: 'with --incident: security or outage' },
    title: { type: 'string', description: 'with --incident: the report title' },
    since: { type: 'string', description: 'the window: the last DURATION (default 7d; 24h with --incident)' },
    output: { type: 'string', description: 'write the report to FILE instead of standard output (a .pdf with --incident)' },
    ...settingArgs('client.prometheusUrl', 'client.alertmanagerUrl'),
    ...stateArgs,
    ...jsonArg,
  },
  run: ({ args }) =>
    guard(async () => {
      const kinds = (['weekly', 'detailed', 'incident'] as const).filter((k) => args[k])
      if (kinds.length !== 1) throw usageError(kinds.length ? `--${kinds.join(' and --')} cannot be combined: pick one` : 'say which report: --weekly, --detailed or --incident --type security|outage --output FILE.pdf')
      const kind = kinds[0]!
      if (kind !== 'incident' && (args.type || args.title)) throw usageError('--type and --title go with --incident')
      const sinceText = args.since ?? (kind === 'incident' ? '24h' : '7d')
      const w = windowOf(parseDuration(sinceText, '--since'), `the last ${sinceText}`)
      if (kind === 'incident') {
        if (args.type !== 'security' && args.type !== 'outage') throw usageError(`--type ${args.type ?? '(missing)'}: an incident report is --type security or --type outage`)
        if (!args.output?.toLowerCase().endsWith('.pdf')) throw usageError(`--output ${args.output ?? '(missing)'}: an incident report is written to a .pdf file`)
      }
      const loaded = await commandConfig(args)
      const src = await reportSources(loaded)
      try {
        if (kind === 'incident') {
          const type = args.type as IncidentType
          const title = args.title ?? `${type === 'security' ? 'Security' : 'Outage'} incident report`
          const inc = await buildIncident(type, title, w, src)
          if (inc.missing.length) consola.warn(`not read: ${inc.missing.map((m) => `${m.section} (${m.reason})`).join('; ')}`)
          if (incidentEmpty(inc)) {
            consola.error('nothing could be read (state database, Prometheus and Alertmanager): no report written')
            return EXIT.failure
          }
          const { incidentPdf } = await import('../../report/incident-pdf.ts') // pdf-lib only for PDFs
          writeOutput(args.output!, await incidentPdf(inc))
          if (args.json) process.stdout.write(`${JSON.stringify(inc, null, 2)}\n`)
          else process.stdout.write(`${args.output}: ${inc.timeline.length} timeline entries, ${inc.intervals.length} intervals of ${inc.stepS / 60} min, ${inc.missing.length} source(s) missing\n`)
          return EXIT.ok
        }
        const s = await buildSummary(kind, w, src)
        const text = args.json ? `${JSON.stringify(s, null, 2)}\n` : summaryMarkdown(s)
        if (args.output) writeOutput(args.output, text)
        else process.stdout.write(text)
        if (s.missing.length) consola.warn(`${s.missing.length} section(s) missing, named in the report: ${s.missing.map((m) => m.section).join(', ')}`)
        return nothingRead(s) ? EXIT.failure : EXIT.ok
      } finally {
        src.close()
      }
    }),
})
