/**
 * `npm run bench:http`: throughput and latency of the real model server on loopback, with dynamic
 * batching on and off in the same run. Each configuration runs as its own `xrayops serve` child
 * process (prediction cache off, so every request runs the model); rounds alternate between them.
 *
 *   npm run bench:http -- [--concurrency 16] [--requests 200] [--rounds 2] [--device cpu] [--json]
 */
import { readFileSync, readdirSync, existsSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { percentile as pct, runLoad } from '../src/ops/load.ts'
import { freePort, spawnXrayops, waitFor200 } from '../test/helpers/process.ts'

const { values: args } = parseArgs({
  options: {
    concurrency: { type: 'string', default: '16' },
    requests: { type: 'string', default: '200' },
    rounds: { type: 'string', default: '2' },
    device: { type: 'string', default: 'cpu' },
    json: { type: 'boolean', default: false },
  },
})
const concurrency = Number(args.concurrency)
const requests = Number(args.requests)
const rounds = Number(args.rounds)

/** Real X-rays at original resolution: the shared test split, else the two fixtures. */
function loadImages(): Uint8Array[] {
  const shared = '../shared/data/kermany/test-original'
  const files = existsSync(shared)
    ? ['NORMAL', 'PNEUMONIA'].flatMap((l) => readdirSync(path.join(shared, l)).slice(0, 24).map((f) => path.join(shared, l, f)))
    : ['test/fixtures/xray-original/IM-0001-0001.jpeg', 'test/fixtures/xray-original/person100_bacteria_475.jpeg']
  return files.map((f) => new Uint8Array(readFileSync(f)))
}

const configs = [
  { name: 'batching on (batch_size 16, batch_timeout 5 ms)', env: { BATCH_SIZE: '16', BATCH_TIMEOUT: '5' }, flags: ['--batching', 'true'] },
  { name: 'batching off', env: {} as Record<string, string>, flags: ['--batching', 'false'] },
]

const images = loadImages()
const servers = await Promise.all(
  configs.map(async (c) => {
    const port = await freePort()
    const proc = spawnXrayops(['serve', '--host', '127.0.0.1', '--port', String(port), '--device', args.device!, ...c.flags], {
      CACHE_SIZE: '0',
      LOG_LEVEL: 'warn',
      ...c.env,
    })
    return { ...c, url: `http://127.0.0.1:${port}`, proc }
  }),
)
try {
  for (const s of servers) await waitFor200(`${s.url}/health`, 120_000)
  const samples = new Map(servers.map((s) => [s.name, { latencies: [] as number[], seconds: 0, n: 0, errors: 0, batches: [] as number[] }]))
  for (const s of servers) await runLoad(s.url, images, concurrency, concurrency) // warm-up
  for (let r = 0; r < rounds; r++) {
    for (const s of r % 2 ? [...servers].reverse() : servers) {
      const out = await runLoad(s.url, images, requests, concurrency)
      const acc = samples.get(s.name)!
      acc.latencies.push(...out.latencies)
      acc.seconds += out.seconds
      acc.n += out.latencies.length
      acc.errors += out.errors
      acc.batches.push(...out.batches)
    }
  }
  const health = (await (await fetch(`${servers[0].url}/health`)).json()) as { device: { name: string } }
  const rows = [...samples].map(([name, a]) => {
    const sorted = [...a.latencies].sort((x, y) => x - y)
    return {
      name,
      requests: a.n,
      errors: a.errors,
      throughput_rps: a.n / a.seconds,
      p50_ms: pct(sorted, 0.5),
      p95_ms: pct(sorted, 0.95),
      p99_ms: pct(sorted, 0.99),
      mean_batch: a.batches.reduce((x, y) => x + y, 0) / Math.max(1, a.batches.length),
    }
  })
  const meta = {
    date: new Date().toISOString(),
    machine: `${os.cpus()[0]?.model} x${os.cpus().length}, ${Math.round(os.totalmem() / 2 ** 30)} GiB`,
    device: health.device.name,
    concurrency,
    requests_per_round: requests,
    rounds,
    images: `${images.length} real X-rays (${images.length > 2 ? 'Kermany test split, original resolution' : 'test fixtures'}), JPEG bodies`,
  }
  if (args.json) console.log(JSON.stringify({ meta, rows }, null, 2))
  else {
    console.log(`${meta.date} | ${meta.machine} | model on ${meta.device} | concurrency ${concurrency} | ${requests} requests x ${rounds} rounds | ${meta.images}\n`)
    console.log('| server | requests | errors | throughput (req/s) | p50 ms | p95 ms | p99 ms | mean batch |')
    console.log('|---|---|---|---|---|---|---|---|')
    for (const r of rows)
      console.log(`| ${r.name} | ${r.requests} | ${r.errors} | ${r.throughput_rps.toFixed(1)} | ${r.p50_ms.toFixed(1)} | ${r.p95_ms.toFixed(1)} | ${r.p99_ms.toFixed(1)} | ${r.mean_batch.toFixed(2)} |`)
  }
} finally {
  for (const s of servers) s.proc.child.kill('SIGTERM')
  await Promise.all(servers.map((s) => s.proc.exited))
}
