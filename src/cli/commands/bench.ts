import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { defineCommand } from 'citty'
import { XrayError } from '../../errors/index.ts'
import { readManifest } from '../../models/manifest.ts'
import { percentile, runLoad } from '../../ops/load.ts'
import { commandConfig, configArg, guard, jsonArg, numberArg, serverUrl, settingArgs } from '../_shared.ts'

/** Images to send: the files in --images, else the known image shipped with the model. */
async function images(dir?: string): Promise<Uint8Array[]> {
  if (!dir) {
    const { manifest, manifestPath } = await readManifest()
    if (!manifest.warmup) throw new XrayError('INVALID_FILE', `${manifestPath} names no image to send; use --images DIR`)
    return [new Uint8Array(await readFile(path.join(path.dirname(manifestPath), manifest.warmup.file)))]
  }
  const all = await readdir(dir, { recursive: true }).catch((cause: unknown) => {
    throw new XrayError('FILE_NOT_FOUND', `--images ${dir} is not a readable folder`, { cause })
  })
  const files = all.filter((f) => /\.(jpe?g|png)$/i.test(f)).slice(0, 256)
  if (files.length === 0) throw new XrayError('FILE_NOT_FOUND', `no PNG or JPEG files under ${dir}`)
  return Promise.all(files.map(async (f) => new Uint8Array(await readFile(path.join(dir, f)))))
}

export default defineCommand({
  meta: { name: 'bench', description: 'Load a running model server and check it against SLOs (p95 latency, error rate). Exit 0 pass, 1 fail' },
  args: {
    'quick-check': { type: 'boolean', description: 'the runbook check: a short load, pass/fail against the SLOs', default: false },
    ...settingArgs('client.url', 'server.port'),
    requests: { type: 'string', description: 'requests to send (default 50 with --quick-check, else 500)' },
    concurrency: { type: 'string', description: 'requests in flight', default: '4' },
    images: { type: 'string', description: 'folder of PNG/JPEG X-rays to send (default: the image shipped with the model)' },
    'slo-p95-ms': { type: 'string', description: 'p95 latency SLO in ms', default: '2000' },
    'slo-error-rate': { type: 'string', description: 'error rate SLO (fraction)', default: '0.05' },
    cache: { type: 'boolean', description: 'let the server answer repeated images from its cache', default: false },
    ...configArg,
    ...jsonArg,
  },
  run: ({ args }) =>
    guard(async () => {
      const int = (n: number) => Number.isInteger(n) && n > 0
      const requests = numberArg({ requests: args.requests ?? (args['quick-check'] ? '50' : '500') }, 'requests', int, 'a positive integer')
      const concurrency = numberArg(args, 'concurrency', int, 'a positive integer')
      const sloP95 = numberArg(args, 'slo-p95-ms')
      const sloErr = numberArg(args, 'slo-error-rate')
      const url = serverUrl(await commandConfig(args))
      const r = await runLoad(url, await images(args.images), requests, concurrency, { noCache: !args.cache })
      const p95 = percentile(r.latencies, 0.95)
      const errorRate = r.errors / r.requests
      const checks = { p95_latency: p95 < sloP95, error_rate: errorRate < sloErr }
      const pass = checks.p95_latency && checks.error_rate
      const report = {
        url,
        requests: r.requests,
        concurrency,
        throughput_rps: r.requests / r.seconds,
        latency_ms: { p50: percentile(r.latencies, 0.5), p95, p99: percentile(r.latencies, 0.99), max: r.latencies.at(-1) },
        error_rate: errorRate,
        statuses: r.statuses,
        slo: { p95_ms: sloP95, error_rate: sloErr },
        checks,
        pass,
      }
      if (args.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`)
      else {
        const l = report.latency_ms
        process.stdout.write(
          [
            `${r.requests} requests, concurrency ${concurrency}, ${report.throughput_rps.toFixed(1)} req/s`,
            `latency p50 ${l.p50.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms, p99 ${l.p99.toFixed(1)} ms`,
            `errors ${r.errors} (${(errorRate * 100).toFixed(2)} %), statuses ${JSON.stringify(r.statuses)}`,
            `${checks.p95_latency ? 'PASS' : 'FAIL'}  p95 latency < ${sloP95} ms`,
            `${checks.error_rate ? 'PASS' : 'FAIL'}  error rate < ${(sloErr * 100).toFixed(1)} %`,
            pass ? 'quick check passed' : 'quick check FAILED',
          ].join('\n') + '\n',
        )
      }
      return pass ? 0 : 1
    }),
})
