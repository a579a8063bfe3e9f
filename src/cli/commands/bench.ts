import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { defineCommand } from 'citty'
import { XrayError } from '../../errors/index.ts'
import { readManifest } from '../../models/manifest.ts'
import { percentile, runLoad } from '../../ops/load.ts'
import { guard, jsonArg } from '../_shared.ts'

/** Images to send: the files in --images, else the known image shipped with the model. */
async function images(dir?: string): Promise<Uint8Array[]> {
  if (!dir) {
    const { manifest, manifestPath } = await readManifest()
    if (!manifest.warmup) throw new XrayError('BAD_REQUEST', `${manifestPath} names no image to send; use --images DIR`)
    return [new Uint8Array(await readFile(path.join(path.dirname(manifestPath), manifest.warmup.file)))]
  }
  const files = (await readdir(dir, { recursive: true })).filter((f) => /\.(jpe?g|png)$/i.test(f)).slice(0, 256)
  if (files.length === 0) throw new XrayError('BAD_REQUEST', `no PNG or JPEG files under ${dir}`)
  return Promise.all(files.map(async (f) => new Uint8Array(await readFile(path.join(dir, f)))))
}

export default defineCommand({
  meta: { name: 'bench', description: 'Load a running model server and check it against SLOs (p95 latency, error rate). Exit 0 pass, 1 fail' },
  args: {
    'quick-check': { type: 'boolean', description: 'the runbook check: a short load, pass/fail against the SLOs', default: false },
    url: { type: 'string', description: 'model server base URL', default: process.env.XRAYOPS_URL ?? 'http://127.0.0.1:8000' },
    requests: { type: 'string', description: 'requests to send (default 50 with --quick-check, else 500)' },
    concurrency: { type: 'string', description: 'requests in flight', default: '4' },
    images: { type: 'string', description: 'folder of PNG/JPEG X-rays to send (default: the image shipped with the model)' },
    'slo-p95-ms': { type: 'string', description: 'p95 latency SLO in ms', default: '2000' },
    'slo-error-rate': { type: 'string', description: 'error rate SLO (fraction)', default: '0.05' },
    cache: { type: 'boolean', description: 'let the server answer repeated images from its cache', default: false },
    ...jsonArg,
  },
  run: ({ args }) =>
    guard(async () => {
      const requests = Number(args.requests ?? (args['quick-check'] ? 50 : 500))
      const concurrency = Number(args.concurrency)
      const sloP95 = Number(args['slo-p95-ms'])
      const sloErr = Number(args['slo-error-rate'])
      for (const [k, v] of Object.entries({ requests, concurrency, 'slo-p95-ms': sloP95, 'slo-error-rate': sloErr }))
        if (!(v > 0)) throw new XrayError('BAD_REQUEST', `--${k} must be a positive number`)
      const r = await runLoad(args.url, await images(args.images), requests, concurrency, { noCache: !args.cache })
      const p95 = percentile(r.latencies, 0.95)
      const errorRate = r.errors / r.requests
      const checks = { p95_latency: p95 < sloP95, error_rate: errorRate < sloErr }
      const pass = checks.p95_latency && checks.error_rate
      const report = {
        url: args.url,
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
