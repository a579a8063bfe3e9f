import { defineCommand } from 'citty'
import { XrayError } from '../../errors/index.ts'
import { parsePrometheusText } from '../../metrics/parse.ts'
import { probe } from '../../ops/http.ts'
import { summarize, type MetricsSummary } from '../../ops/metrics-summary.ts'
import { commandConfig, configArg, guard, jsonArg, numberArg, serverUrl, settingArgs, usageError } from '../_shared.ts'

const scrape = async (url: string) => {
  const r = await probe(url, 5000)
  if (!r.ok || r.body === undefined) throw new XrayError('UNREACHABLE', `cannot scrape ${url}: ${r.error ?? `HTTP ${r.status}`}`)
  return parsePrometheusText(r.body)
}

const n = (v: number | null, digits = 1, unit = '') => (v === null || Number.isNaN(v) ? 'n/a' : `${v.toFixed(digits)}${unit}`)

export function formatSummary(s: MetricsSummary): string {
  const rows: [string, string][] = [
    ['model', s.model ? `${s.model.name} v${s.model.version} on ${s.model.device}` : 'not loaded'],
    ['window', s.window_s ? `${s.window_s} s` : 'since start'],
    ['requests (/v1/predict)', String(s.requests)],
    ['request rate', n(s.request_rate, 2, ' req/s')],
    ['error rate (5xx)', s.error_rate === null ? 'n/a' : `${(s.error_rate * 100).toFixed(2)} %`],
    ['latency p50 / p95 / p99', `${n(s.latency_ms.p50)} / ${n(s.latency_ms.p95)} / ${n(s.latency_ms.p99)} ms`],
    ['model runs, mean / p95 batch', `${s.batch.runs}, ${n(s.batch.mean, 2)} / ${n(s.batch.p95, 1)}`],
    ['cache hit ratio', s.cache_hit_ratio === null ? 'n/a' : `${(s.cache_hit_ratio * 100).toFixed(1)} %`],
    ['predictions', Object.entries(s.predictions).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'],
    ['GPU memory (our buffers)', `${(s.gpu_memory_bytes / 2 ** 20).toFixed(1)} MiB`],
    ['in flight', String(s.in_flight)],
  ]
  const w = Math.max(...rows.map(([k]) => k.length))
  return rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join('\n')
}

export default defineCommand({
  meta: { name: 'metrics', description: "Read the model server's /metrics as a table: rates, errors, latency percentiles, batches, cache, GPU memory" },
  args: {
    'show-current': { type: 'boolean', description: 'scrape now and print the current figures', default: false },
    ...settingArgs('client.url', 'server.port'),
    interval: { type: 'string', description: 'seconds between two scrapes for rates (0: totals since start)', default: '2' },
    ...configArg,
    ...jsonArg,
  },
  run: ({ args }) =>
    guard(async () => {
      if (!args['show-current']) throw usageError('nothing to do: use --show-current')
      const interval = numberArg(args, 'interval', (n) => n >= 0, 'a number of seconds >= 0')
      const url = new URL('/metrics', serverUrl(await commandConfig(args))).href
      const first = await scrape(url)
      let summary: MetricsSummary
      if (interval > 0) {
        await new Promise((r) => setTimeout(r, interval * 1000))
        summary = summarize(await scrape(url), first, interval)
      } else summary = summarize(first)
      process.stdout.write(args.json ? `${JSON.stringify(summary, null, 2)}\n` : `${formatSummary(summary)}\n`)
    }),
})
