/**
 * `npm run bench:http`: the real model server against a plain one (bench/plain-server.ts), on
 * loopback, at concurrency 1 and 16, in one run. Each server is its own child process (xrayops
 * with its prediction cache off, so every request runs the model); every round runs each load on
 * each server, alternating which server goes first, so load from other programs falls on both.
 * During each load a prober, in a thread of its own, GETs /health every 20 ms: its p99 shows whether the event loop stays free;
 * a second GETs /health on xrayops' health listener (its own port, what probes use), or on the
 * plain server's port again, so that both servers answer the same probe traffic. xrayops runs as
 * `npm start` runs it: with its environment and Node's flags (src/runtime/node-flags.ts).
 *
 *   npm run bench:http -- [--rounds 3] [--requests 48] [--requests-c16 192] [--device cpu] [--json]
 *                         [--variant 'NAME=--flag value ENV=value ...']...   # more xrayops servers (levers)
 *                         # in a variant: `unset:ENV` drops npm start's ENV, `node:FLAG` replaces its Node flags (`node:` alone: none)
 *                         [--images DIR] [--no-plain] [--xrayops CLI.mjs]   # CLI.mjs: a bundled CLI (scripts/gpu-check.sh)
 */
import os from 'node:os'
import { parseArgs } from 'node:util'
import { runLoad } from '../src/ops/load.ts'
import { cpuMs, loadImages, loopLagP99, probeHealth, rssMiB, startPlain, startXrayops, type Server } from './http-servers.ts'
import { printReport, summarize, type Cell } from './http-report.ts'

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    requests: { type: 'string', default: '48' },
    'requests-c16': { type: 'string', default: '192' },
    device: { type: 'string', default: 'cpu' },
    variant: { type: 'string', multiple: true, default: [] },
    'no-plain': { type: 'boolean', default: false },
    images: { type: 'string' },
    xrayops: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
})
const rounds = Number(args.rounds)
const loads = [
  { concurrency: 1, requests: Number(args.requests) },
  { concurrency: 16, requests: Number(args['requests-c16']) },
]

const images = loadImages(args.images)
const variants = args.variant!.map((v) => {
  const [name, flags = ''] = v.split(/=(.*)/s)
  return { name: name!, flags: flags.split(/\s+/).filter(Boolean) }
})
const servers: Server[] = []
const load0 = os.loadavg()
try {
  servers.push(await startXrayops('xrayops', args.device!, [], args.xrayops))
  for (const v of variants) servers.push(await startXrayops(v.name, args.device!, v.flags, args.xrayops))
  if (!args['no-plain']) servers.push(await startPlain())
  for (const s of servers) await runLoad(s.url, images, 32, 16, { timeoutMs: 120_000 }) // warm-up

  const cells = new Map<string, Cell>()
  for (let r = 0; r < rounds; r++) {
    for (const { concurrency, requests } of loads) {
      const order = r % 2 ? [...servers].reverse() : servers
      for (const s of order) {
        const key = `${s.name}|${concurrency}`
        const cell = cells.get(key) ?? { server: s.name, concurrency, rounds: [], health: [], listener: [], loopLag: [], latencies: [], batches: [], loadavg: [] }
        cells.set(key, cell)
        const before = os.loadavg()[0]
        await loopLagP99(s.url) // resets the server's event-loop delay histogram
        const prober = await probeHealth(s.url, 20)
        const second = await probeHealth(s.healthUrl ?? s.url, 20)
        const cpu0 = cpuMs(s.pid)
        const out = await runLoad(s.url, images, requests, concurrency, { timeoutMs: 60_000 })
        const cpu = cpuMs(s.pid) - cpu0
        cell.health.push(...(await prober.stop()))
        ;(s.healthUrl ? cell.listener : cell.health).push(...(await second.stop()))
        const lag = await loopLagP99(s.url)
        if (lag !== undefined) cell.loopLag.push(lag)
        cell.loadavg.push(before, os.loadavg()[0])
        cell.latencies.push(...out.latencies)
        cell.batches.push(...out.batches)
        cell.rounds.push({ requests: out.requests, seconds: out.seconds, cpuMs: cpu, rps: out.requests / out.seconds, p50: out.latencies[Math.floor(out.latencies.length / 2)]!, errors: out.errors, rss: concurrency === 16 ? rssMiB(s.pid) : undefined })
      }
    }
  }
  const health = JSON.parse(await (await fetch(`${servers[0]!.url}/health`)).text()) as { device?: { name: string } }
  const meta = {
    date: new Date().toISOString(),
    machine: `${os.cpus()[0]?.model?.trim()} x${os.availableParallelism()}, ${Math.round(os.totalmem() / 2 ** 30)} GiB`,
    device: health.device?.name ?? '?',
    rounds,
    images: `${images.length} real X-rays (${images.length > 2 ? 'Kermany test split, original resolution' : 'test fixtures'}), JPEG bodies`,
    loadavg: { start: load0[0], end: os.loadavg()[0] },
  }
  const report = summarize([...cells.values()], servers.map((s) => s.name))
  if (args.json) console.log(JSON.stringify({ meta, ...report }, null, 2))
  else printReport(meta, report)
} finally {
  await Promise.all(servers.map((s) => s.stop()))
}

